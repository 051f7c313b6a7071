"""Inter-character justification for WeasyPrint (CSS Text 3 ``text-justify: inter-character``).

WeasyPrint 70 justifies a line by widening its spaces alone (``layout/inline.py``,
``justify_line``): a Chinese line has none and ends short wherever it holds a character less
than the grid (kinsoku pushed one down, a Latin word or digits broke the grid), and the spaces
of a mixed line take all the slack (three spaces' width before a version number). ``install``
replaces that hook with one that spreads the slack over the gaps between characters, the way
Chinese print does (clreq 3.8):

1. the gaps between two Chinese characters (hanzi and their punctuation), up to ``CAP`` each;
2. then word spaces and the gaps between Chinese and Latin letters or digits, up to ``CAP``;
3. then the gaps between Latin letters and digits, up to ``CAP``;
4. whatever is left (a line that a long Latin word or a URL left loose) goes to the gaps of 1
   evenly, or where a line has none, of 2, then 3.

No gap is opened inside a pair of punctuation marks the font compresses (``，“`` stays 1.5 em)
or inside a dash or an ellipsis. The extra space is added to the advance of the glyph before
each gap, after Pango has shaped the line for drawing, so the drawn glyphs move while the text
stays the text: no character is added, and a reader of the PDF sees each gap as a kerning step
of at most ``CAP``, below the 0.1 em at which poppler (and at 0.12 em pypdf) reads a word
break. Only the loose lines of 4 go past it, and there only between Chinese characters, where
a reader's inserted space is no word break (``verify`` drops it, as between lines).

The spacing is quantised to thousandths of an em, the unit of the PDF's kerning numbers
(``draw/text.py`` truncates each to an integer): a line then ends within 0.01 pt of its edge.
"""

from __future__ import annotations

import copy
import itertools
import math
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .adjacent_punctuation import compressed_pair
from .typography import is_cjk

CAP = 0.08
"""The most (in ems) a gap is widened before the next kind of gap takes the rest: under the
0.1 em where poppler's text extraction sees a word break."""

SPACES = frozenset(" \u00a0")
"""Word spaces: one justification opportunity each, however wide."""

UNSPLIT = frozenset("—…")
"""Marks set as one unbroken line when doubled (``——``, ``……``): no gap between the two."""


def install() -> None:
    """Make WeasyPrint justify lines between characters (once a process, at import)."""
    from weasyprint.layout import inline

    inline.justify_line = justify_line


# --- where the gaps are ----------------------------------------------------------------------


@dataclass(slots=True)
class _Unit:
    """One character (or an atomic inline box) of a line, with the gap that follows it."""

    char: str
    """The character; empty for an atomic inline box (an image)."""
    box: Any
    """The text box it is in, or the atomic box."""
    end: int
    """Byte offset in its text box's text where the character ends (the gap's position)."""
    tier: int = 0
    """The gap after it: 0 none, 1 between Chinese characters, 2 a word space or a gap between
    Chinese and Latin, 3 between Latin letters or digits."""
    spacing: float = 0.0
    """Points added to the gap after it."""


@dataclass(slots=True)
class _Line:
    units: list[_Unit] = field(default_factory=list)


def _units(box: Any, line: _Line) -> None:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        offset = 0
        for char in box.text:
            offset += len(char.encode("utf-8"))
            if line.units and _joins(char):
                # A combining mark or a joiner belongs to the character before it.
                if line.units[-1].box is box:
                    line.units[-1].end = offset
                continue
            line.units.append(_Unit(char, box, offset))
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                _units(child, line)
    else:
        line.units.append(_Unit("", box, 0))


_JOINS, _SPACE, _CJK, _LATIN = range(4)
_classes: dict[str, int] = {}
"""Each character's class, as first seen (a line has few distinct characters)."""


def _class(char: str) -> int:
    found = _classes.get(char)
    if found is None:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            found = _JOINS
        elif char in SPACES:
            found = _SPACE
        else:
            found = _CJK if is_cjk(char) else _LATIN
        _classes[char] = found
    return found


def _joins(char: str) -> bool:
    return _class(char) == _JOINS


def _tier(before: str, after: str) -> int:
    first = _class(before) if before else _CJK
    second = _class(after) if after else _CJK
    if second == _SPACE:
        return 0  # the space itself is the opportunity
    if first == _SPACE:
        return 2
    if first == _CJK and second == _CJK:
        if (before == after and before in UNSPLIT) or compressed_pair(before, after):
            return 0
        return 1
    return 2 if _CJK in (first, second) else 3


# --- how much each gap gets ------------------------------------------------------------------


def _distribute(units: list[_Unit], extra: float, cap: float) -> None:
    """Spread ``extra`` points over the gaps, tier by tier, ``cap`` points a gap at most
    until every tier is full; the rest evenly over the first tier the line has."""
    tiers: dict[int, list[_Unit]] = {1: [], 2: [], 3: []}
    for unit in units:
        if unit.tier:
            tiers[unit.tier].append(unit)
    left = extra
    for tier in (1, 2, 3):
        gaps = tiers[tier]
        if gaps and left > 0:
            each = min(left / len(gaps), cap)
            for unit in gaps:
                unit.spacing = each
            left -= each * len(gaps)
    if left > 1e-6:
        rest = tiers[1] or tiers[2] or tiers[3]
        for unit in rest:
            unit.spacing += left / len(rest)


def justify_line(context: Any, line: Any, extra_width: float) -> None:
    """WeasyPrint's hook for a justified line that is not its paragraph's last: widen the
    gaps between its characters by ``extra_width`` in all."""
    if line.style["direction"] == "rtl":
        _original_justify_line(context, line, extra_width)
        return
    if extra_width < line.style["font_size"] / 2000:
        # Under half a thousandth of an em (a grid line that is full but for rounding):
        # nothing a kerning number could draw.
        return
    found = _Line()
    _units(line, found)
    units = found.units
    # Spaces the line ends with are not drawn (WeasyPrint strips them): no gap after them.
    while units and units[-1].char in SPACES:
        units.pop()
    for before, after in itertools.pairwise(units):
        before.tier = _tier(before.char, after.char)
    if not any(unit.tier for unit in units):
        return
    _distribute(units, extra_width, CAP * line.style["font_size"])
    _apply(line, iter(units))


def _original_justify_line(context: Any, line: Any, extra_width: float) -> None:
    from weasyprint.layout import inline

    if nb_spaces := inline.count_expandable_spaces(line):
        inline.add_word_spacing(context, line, extra_width / nb_spaces, 0)


# --- moving the boxes and the glyphs ---------------------------------------------------------


def _apply(line: Any, units: Iterator[_Unit]) -> None:
    """Give each text box its gaps and move every box by the gaps before it."""
    pending = list(units)
    by_box: dict[int, list[_Unit]] = {}
    for unit in pending:
        by_box.setdefault(id(unit.box), []).append(unit)
    _shift(line, by_box, 0.0)


def _shift(box: Any, by_box: dict[int, list[_Unit]], advance: float) -> float:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        box.position_x += advance
        units = by_box.get(id(box), [])
        inside, added = _quantised(box, units)
        if inside:
            box.pango_layout = _spaced_layout(box.pango_layout, inside)
            box.width += added
        # The gap after the box's last character moves the boxes that follow.
        last = units[-1].spacing if units else 0.0
        return advance + added + last
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += advance
        before = advance
        for child in box.children:
            if child.is_in_normal_flow():
                advance = _shift(child, by_box, advance)
        box.width += advance - before
        return advance
    box.translate(advance, 0)
    units = by_box.get(id(box), [])
    return advance + (units[-1].spacing if units else 0.0)


def _quantised(box: Any, units: list[_Unit]) -> tuple[dict[int, int], float]:
    """The gaps inside ``box`` (all its units' but the last's) in Pango units at their byte
    offsets, each a whole number of thousandths of an em, and the points they add in all.

    The running error is carried from gap to gap, so the box grows by its exact share to
    within half a thousandth of an em."""
    size = box.style["font_size"]
    inside: dict[int, int] = {}
    wanted = drawn = 0.0
    for unit in units[:-1]:
        if not unit.spacing:
            continue
        wanted += unit.spacing
        thousandths = round((wanted - drawn) * 1000 / size)
        if thousandths <= 0:
            continue
        drawn += thousandths * size / 1000
        # Rounded up to Pango units, so WeasyPrint's truncation of the kerning number gives
        # back exactly these thousandths.
        inside[unit.end] = math.ceil(thousandths * size * 1.024)
    return inside, drawn


def _spaced_layout(layout: Any, spacing: dict[int, int]) -> Any:
    """A copy of a text box's (deactivated) layout that widens ``spacing`` when drawn."""
    spaced = copy.copy(layout)
    spaced.__class__ = _spaced_class()
    spaced.spacing = spacing
    spaced.spaced = False
    return spaced


_SPACED: list[type] = []


def _spaced_class() -> type:
    """The WeasyPrint ``Layout`` subclass that widens glyph advances after shaping."""
    if _SPACED:
        return _SPACED[0]
    from weasyprint.text.ffi import ffi
    from weasyprint.text.line_break import Layout

    class SpacedLayout(Layout):  # type: ignore[misc]
        spacing: dict[int, int]
        spaced: bool

        def set_text(self, text: str, justify: bool = False) -> None:
            super().set_text(text, justify)
            self.spaced = False

        def get_first_line(self) -> Any:
            first_line, index = super().get_first_line()
            if not self.spaced:
                _widen(first_line, self.spacing, ffi)
                self.spaced = True
            return first_line, index

    _SPACED.append(SpacedLayout)
    return SpacedLayout


def _widen(first_line: Any, spacing: dict[int, int], ffi: Any) -> None:
    """Add to the advance of each cluster's last glyph the spacing of the gaps it ends."""
    run = first_line.runs
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        offset = glyph_item.item.offset
        length = glyph_item.item.length
        glyphs = glyph_item.glyphs
        count = glyphs.num_glyphs
        clusters = glyphs.log_clusters
        infos = glyphs.glyphs
        for i in range(count):
            if i + 1 < count and clusters[i + 1] == clusters[i]:
                continue  # not the cluster's last glyph
            start = offset + clusters[i]
            end = offset + (clusters[i + 1] if i + 1 < count else length)
            extra = sum(spacing.get(position, 0) for position in range(start + 1, end + 1))
            if extra:
                infos[i].geometry.width += extra
