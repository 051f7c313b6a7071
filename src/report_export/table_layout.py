"""How a table is laid out in the paged formats (PDF, DOCX): how it shares the text block
among its columns, and when it may break across pages.

A browser's automatic table layout gives a column of Chinese text as little as one character
when the columns' text is wider than the page (every character is a break opportunity), so
the first column of a wide table wraps a word a line. Each column instead gets a share of the
width after the longest text in it, no column less than three characters.
"""

from __future__ import annotations

from .model import Code, Table, Text, iter_inlines
from .typography import display_width

SHORT_TABLE_ROWS = 3
"""A table of this many body rows or fewer cannot break with two rows on each side of the
break: the paged formats keep it whole."""
MIN_COLUMN_CHARS = 3
"""The narrowest a column may be, in characters of the table's text."""


def column_count(table: Table) -> int:
    """The columns of ``table``: as many as its widest row has cells."""
    return max(len(row) for row in (table.header, *table.rows))


def column_shares(table: Table, width_chars: float) -> list[float]:
    """Each column's share of the table's width (they sum to 1), for a table
    ``width_chars`` characters of its own text wide."""
    columns = column_count(table)
    natural = [2.0] * columns
    for row in (table.header, *table.rows):
        for index, cell in enumerate(row):
            text = "".join(
                n.text for n in iter_inlines(cell.children) if isinstance(n, Text | Code)
            )
            natural[index] = max(natural[index], display_width(text) / 2 + 1)
    total = sum(natural)
    floor = min(MIN_COLUMN_CHARS, width_chars / columns)
    shares = [max(floor, width_chars * n / total) for n in natural]
    scale = sum(shares)
    return [share / scale for share in shares]
