"""Chinese text: which characters are Chinese, and the line breaking shared by every format
that sets lines itself: character widths, 禁则 (no closing punctuation at a line's start, no
opening punctuation at its end), wrapping and balanced title lines."""

from __future__ import annotations

import re
import unicodedata

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
"""Han ideographs (CJK Unified Ideographs and Extension A, the compatibility ideographs), as
the inside of a regular-expression character class."""

CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u2014\u2026\u2018\u2019\u201c\u201d\u00b7"
"""Chinese text, as the inside of a character class: Han, radicals, CJK symbols and punctuation
(U+3000-303F), kana, full-width forms, and the punctuation Chinese shares with Western text
(the dash, ellipsis, curly quotes and middle dot, which a Chinese face sets full-width). Two
such characters never have a space between them."""

_HAN_CHAR = re.compile(f"[{HAN}]")
_CJK_CHAR = re.compile(f"[{CJK}]")


def is_han(char: str) -> bool:
    """Whether ``char`` is one Han ideograph."""
    return _HAN_CHAR.fullmatch(char) is not None


def is_cjk(char: str) -> bool:
    """Whether ``char`` is one character of Chinese text (see ``CJK``)."""
    return _CJK_CHAR.fullmatch(char) is not None


# Never at the start of a line (GB/T 15834 and common 禁则): closing punctuation.
CLOSING = set("，。、；：？！”’）》」』】〕〉…—,.;:?!)]}")
# Never at the end of a line: opening punctuation.
OPENING = set("“‘（《「『【〔〈([{")


# Narrow by East Asian width, yet set solid with Chinese text: no space around them.
_SOLID = set("“”‘’—…")


def _solid(char: str) -> bool:
    """Whether ``char`` is set without spaces beside other such characters (CJK text)."""
    return char in _SOLID or char_width(char) == 2


def char_width(char: str) -> int:
    """Columns a character takes on a terminal: two for East Asian wide and fullwidth."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes."""
    return sum(char_width(c) for c in text)


def wrap_line(line: str, width: int) -> list[str]:
    """Break ``line`` into lines of at most ``width`` columns.

    Breaks fall between two wide characters or at spaces; a break never puts closing
    punctuation at a line's start nor opening punctuation at its end (the character before it
    moves down instead). A Latin word (or a run with no place to break) longer than a line is
    never split: it overflows, as ``fold -s`` leaves it, so that joining the lines gives the
    text back. One pass over the line: a 5 MB paragraph wraps in linear time.
    """
    width = max(width, 4)
    lines: list[str] = []
    start = 0
    while (cut := _fit(line, start, width)) < len(line):
        cut = _allowed_break(line, start, cut)
        if cut == len(line):
            break
        lines.append(line[start:cut].rstrip(" "))
        start = cut
        while start < len(line) and line[start] == " ":
            start += 1
    lines.append(line[start:])
    return lines


def join_lines(lines: list[str]) -> str:
    """Wrapped lines back into one: a space between them unless both sides are CJK (the
    wrapper breaks only at a space or between two CJK characters)."""
    out = lines[0] if lines else ""
    for line in lines[1:]:
        wide = out and line and _solid(out[-1]) and _solid(line[0])
        out += line if wide else " " + line
    return out


def _fit(text: str, start: int, width: int) -> int:
    """The end of the longest run of ``text`` from ``start`` that fits in ``width`` columns."""
    used = 0
    for index in range(start, len(text)):
        used += char_width(text[index])
        if used > width:
            return index
    return len(text)


def _allowed_break(text: str, start: int, cut: int) -> int:
    """The nearest place at or before ``cut`` (and after ``start``) where a line may break;
    when there is none, the first one after it (the line overflows), or the text's end."""
    for candidate in range(cut, start, -1):
        if may_break(text, candidate):
            return candidate
    for candidate in range(cut + 1, len(text)):
        if may_break(text, candidate):
            return candidate
    return len(text)


def may_break(text: str, at: int) -> bool:
    """Whether a line may break before ``text[at]``."""
    before, after = text[at - 1], text[at]
    if after in CLOSING or before in OPENING:
        return False
    if before == " " or after == " ":
        return True
    # None inside a run of narrow characters (a Latin word or a number), nor between a narrow
    # and a wide one: the text format's reader joins lines with a space unless both sides are
    # wide, so a break there would add a space that the source does not have.
    return _solid(before) and _solid(after)


# A title broken after one of these reads as two phrases (…转型的 / 实践路径…).
_PHRASE_ENDS = frozenset("的与和及之、，：；— ")


def balanced_lines(text: str, measure_em: float) -> list[str]:
    """``text`` in as few lines as fit ``measure_em`` ems, all about as long.

    A long title set line by line leaves a word or two alone on its last line (报告 under a
    full line); balanced lines read as a designed title. Widths are counted as a CJK face sets
    them: a wide character one em, any other half an em. A two-line title breaks at the most
    even place, or one character off it where a phrase ends; breaks follow the plain-text
    wrapper's rules (no closing punctuation at a line start, Latin words kept whole).
    """
    columns = max(int(measure_em * 2), 4)
    total = display_width(text)
    if total <= columns:
        return [text]
    if total <= 2 * columns:
        best: tuple[int, int] | None = None
        for at in range(1, len(text)):
            left, right = text[:at].rstrip(" "), text[at:].lstrip(" ")
            if not may_break(text, at) or max(map(display_width, (left, right))) > columns:
                continue
            cost = abs(display_width(left) - display_width(right))
            cost -= 2 if text[at - 1] in _PHRASE_ENDS else 0
            if best is None or cost < best[0]:
                best = (cost, at)
        if best is not None:
            return [text[: best[1]].rstrip(" "), text[best[1] :].lstrip(" ")]
    count = -(-total // columns)
    for width in range(-(-total // count), columns + 1):
        lines = wrap_line(text, width)
        if len(lines) <= count:
            return lines
    return wrap_line(text, columns)
