"""How a table is laid out in the paged formats (PDF, DOCX): how it shares the text block
among its columns, and when it may break across pages.

A browser's automatic table layout gives a column of Chinese text as little as one character
when the columns' text is wider than the page (every character is a break opportunity), so
the first column of a wide table wraps a word a line. Each column instead gets a share of the
width after the longest text in it, no column less than three characters nor narrower than
its widest number or Latin word. Then no cell may leave one character alone on a line
("常住人 / 口 / （人）"), and lines had better end where a unit does ("常住人口 / （人）"): a
column whose width breaks its cells so is made half a character to two wider or narrower,
whichever change leaves the table's cells best broken, the other columns sharing the
difference. Lines are predicted by ``typography.wrap_line``, the same rules of
where a line may break (kinsoku) that the layout engines apply to Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .model import Code, Table, TableCell, Text, iter_inlines
from .typography import CLOSING, OPENING, display_width, wrap_line

SHORT_TABLE_ROWS = 3
"""A table of this many body rows or fewer cannot break with two rows on each side of the
break: the paged formats keep it whole."""
MIN_COLUMN_CHARS = 3
"""The narrowest a column may be, in characters of the table's text."""
CELL_PADDING_PT = (3.0, 6.0)
"""A cell's padding above and below, and on each side, in both paged formats."""
NUDGES = (0.5, -0.5, 1, -1, 2, -2)
"""The changes of a column's width, in characters, tried to clear a lone character."""

_NARROW_RUN = re.compile(r"[\x21-\x7e]+")
"""A number or a Latin word: it never breaks inside."""


def column_count(table: Table) -> int:
    """The columns of ``table``: as many as its widest row has cells."""
    return max(len(row) for row in (table.header, *table.rows))


def column_shares(table: Table, width_pt: float, size_pt: float) -> list[float]:
    """Each column's share of the table's width (they sum to 1), for a table ``width_pt``
    wide set in ``size_pt`` text."""
    width_chars = width_pt / size_pt
    padding = 2 * CELL_PADDING_PT[1] / size_pt
    columns = column_count(table)
    texts: list[list[str]] = [[] for _ in range(columns)]
    for row in (table.header, *table.rows):
        for index, cell in enumerate(row):
            texts[index].append(_cell_text(cell))
    floor = min(MIN_COLUMN_CHARS, width_chars / columns)
    natural = [max([2.0, *(_chars(t) + padding for t in column)]) for column in texts]
    least = [
        min(high, max([floor, *(_narrow_chars(t) + padding for t in column)]))
        for column, high in zip(texts, natural, strict=True)
    ]
    lone = _LoneCharacters(texts, padding)
    widths = _shared(natural, least, width_chars)
    # Each round takes the one change that clears the most lone characters in the table.
    while lone.total(widths) > (0, 0):
        moves = [
            _moved(widths, index, nudge, least, natural)
            for index in range(columns)
            for nudge in NUDGES
        ]
        best = min((m for m in moves if m), key=lone.total, default=None)
        if best is None or lone.total(best) >= lone.total(widths):
            break
        widths = best
    return [width / sum(widths) for width in widths]


def _shared(natural: Sequence[float], least: Sequence[float], total: float) -> list[float]:
    """CSS 2's automatic table layout: every column its natural width when they all fit
    (widened alike to fill), else its least width and a share of what is left after how
    much more its natural width asks."""
    if sum(natural) <= total:
        return [total * n / sum(natural) for n in natural]
    spare = total - sum(least)
    if spare <= 0:
        return [total * low / sum(least) for low in least]
    stretch = [high - low for low, high in zip(least, natural, strict=True)]
    return [low + spare * more / sum(stretch) for low, more in zip(least, stretch, strict=True)]


def _moved(
    widths: Sequence[float],
    index: int,
    nudge: float,
    least: Sequence[float],
    natural: Sequence[float],
) -> list[float] | None:
    """``widths`` with column ``index`` ``nudge`` characters wider (or narrower) and the other
    columns scaled to keep the sum; None when a column would fall below its least width or
    the column past its natural width."""
    width = widths[index] + nudge
    rest = sum(widths) - widths[index]
    if not least[index] <= width <= max(natural[index], widths[index]) or rest <= 0:
        return None
    scale = (rest - nudge) / rest
    moved = [w * scale if i != index else width for i, w in enumerate(widths)]
    if any(w < low - 1e-9 for w, low in zip(moved, least, strict=True)):
        return None
    return moved


class _LoneCharacters:
    """How a table's cells break, for given column widths: how many leave a line of one
    character (a cell of one character is not counted), then how many lines end inside a
    unit rather than at a space, before an opening bracket or after punctuation
    ("微更新项 / 目（个）" against "微更新项目 / （个）"). Each column's count a line length
    is kept, as many widths share it."""

    def __init__(self, texts: Sequence[Sequence[str]], padding: float) -> None:
        self.texts = texts
        self.padding = padding
        self.counts: dict[tuple[int, int], tuple[int, int]] = {}

    def total(self, widths: Sequence[float]) -> tuple[int, int]:
        counts = [self.column(index, width) for index, width in enumerate(widths)]
        return (sum(lone for lone, _ in counts), sum(inside for _, inside in counts))

    def column(self, index: int, width: float) -> tuple[int, int]:
        line = int((width - self.padding) * 2 + 1e-6)  # in display columns
        key = (index, line)
        if key not in self.counts:
            lone = inside = 0
            for text in self.texts[index]:
                parts = wrap_line(text, line)
                lone += len(text) > 1 and any(len(part) == 1 for part in parts)
                inside += _inside_units(parts, text)
            self.counts[key] = (lone, inside)
        return self.counts[key]


def _inside_units(lines: Sequence[str], text: str) -> int:
    """How many of the lines ``text`` was broken into end inside a unit."""
    count = end = 0
    for line in lines[:-1]:
        end = text.index(line, end) + len(line)
        after = text[end : end + 1]
        count += not (line[-1] in CLOSING or after in OPENING or after == " ")
    return count


def _cell_text(cell: TableCell) -> str:
    return "".join(n.text for n in iter_inlines(cell.children) if isinstance(n, Text | Code))


def _chars(text: str) -> float:
    return display_width(text) / 2


def _narrow_chars(text: str) -> float:
    return max((_chars(run) for run in _NARROW_RUN.findall(text)), default=0.0)
