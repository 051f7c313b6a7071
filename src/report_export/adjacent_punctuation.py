"""Adjacent punctuation (clreq 3.1.6, GB/T 15834): which mark of two side by side gives up its
blank half, so that "，“" takes 1.5 em and "”、“" 2 em instead of an em each.

A Chinese face sets each mark on a full em, its glyph in one half (closing marks in the left,
opening marks in the right). Beside another mark the blank halves add up: a closing mark
followed by any mark drops its trailing half; of two opening marks the second drops its
leading half. The font's ``halt`` feature sets a mark half-width; Noto CJK has no contextual
``chws`` that would choose by itself, so the choice is made here.
"""

from __future__ import annotations

CLOSING_MARKS = frozenset("，。、；：？！”’）》」』】〕〉")
"""Marks with their blank half after them."""
OPENING_MARKS = frozenset("“‘（《「『【〔〈")
"""Marks with their blank half before them."""
MARKS = CLOSING_MARKS | OPENING_MARKS


def compressed_pair(before: str, after: str) -> bool:
    """Whether two adjacent marks are set as a compressed pair: a closing mark before any
    mark (``，“``, ``）。``), or two opening marks (``（“``)."""
    if before in CLOSING_MARKS:
        return after in MARKS
    return before in OPENING_MARKS and after in OPENING_MARKS


def halted(text: str, following: str = "") -> list[int]:
    """The indices of the marks of ``text`` set half-width (``following`` is the character
    after the text)."""
    found = []
    for index, char in enumerate(text):
        if char not in MARKS:
            continue
        if char in CLOSING_MARKS:
            after = text[index + 1] if index + 1 < len(text) else following
            if after in MARKS and after:
                found.append(index)
        elif index and text[index - 1] in OPENING_MARKS:
            found.append(index)
    return found
