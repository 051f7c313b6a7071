"""List numbering: the numbering part's definitions, and one list instance per numbered list.

Word's own structure: one multilevel definition (``w:abstractNum``) for bullets and one for
numbers, each level linked to its list style (List Bullet 2 is level 2 of the bullets); every
numbered list of the text is a ``w:num`` of the number definition with a ``w:startOverride``,
which is what Word writes for "Restart at 1", so each list counts from its own start.
"""

from __future__ import annotations

from .layout import LIST_STYLE_LEVELS, Layout
from .ooxml import Element, Indent, el, fonts, twips, val
from .styles import BULLET_NUM_ID, ORDERED_NUM_ID, bullet_style, number_style

LEVELS = 9
"""Word's numbering definitions have nine levels (0-8)."""

_BULLET_ABSTRACT = 1
_ORDERED_ABSTRACT = 2
NUMBER_FORMATS = {
    "decimal": "decimal",
    # Word's "一, 二, 三 (简)": 十, 十一 as lists count (``chineseCounting`` writes 一〇).
    "chinese": "chineseCountingThousand",
    "circled": "decimalEnclosedCircle",
    "lower-latin": "lowerLetter",
    "upper-latin": "upperLetter",
    "lower-roman": "lowerRoman",
    "upper-roman": "upperRoman",
}
"""The theme's list counters (``list_markers.COUNTERS``) as ``w:numFmt`` values."""


class Numbering:
    """Writes the numbering part and hands out list instances."""

    def __init__(self, numbering_element: Element, layout: Layout) -> None:
        self.element = numbering_element
        self.layout = layout
        for child in list(numbering_element):
            numbering_element.remove(child)
        numbering_element.append(self._abstract(_BULLET_ABSTRACT, ordered=False))
        numbering_element.append(self._abstract(_ORDERED_ABSTRACT, ordered=True))
        numbering_element.append(self._num(BULLET_NUM_ID, _BULLET_ABSTRACT))
        numbering_element.append(self._num(ORDERED_NUM_ID, _ORDERED_ABSTRACT))
        self.next_id = ORDERED_NUM_ID + 1

    def bullets(self) -> int:
        """The list instance of bullet lists (they have no count to restart)."""
        return BULLET_NUM_ID

    def numbered(self, start: int, level: int) -> int:
        """A new list instance counting from ``start`` at ``level``."""
        num_id = self.next_id
        self.next_id += 1
        override = el("w:lvlOverride", {"w:ilvl": str(level)}, val("w:startOverride", str(start)))
        num = self._num(num_id, _ORDERED_ABSTRACT)
        num.append(override)
        self.element.append(num)
        return num_id

    def _num(self, num_id: int, abstract_id: int) -> Element:
        return el("w:num", {"w:numId": str(num_id)}, val("w:abstractNumId", str(abstract_id)))

    def _abstract(self, abstract_id: int, *, ordered: bool) -> Element:
        abstract = el(
            "w:abstractNum",
            {"w:abstractNumId": str(abstract_id)},
            # A fixed nsid: Word keys lists by it, and a random one would change every build.
            val("w:nsid", f"5245{abstract_id:04X}"),
            val("w:multiLevelType", "hybridMultilevel"),
        )
        for level in range(LEVELS):
            abstract.append(self._level(level, ordered))
        return abstract

    def _level(self, level: int, ordered: bool) -> Element:
        layout = self.layout
        text_at = layout.list_indent(level)
        theme = layout.theme
        if ordered:
            scheme = theme.ordered_marker(level)
            kind, style = NUMBER_FORMATS[scheme.counter], number_style(level)
            text = f"{scheme.prefix}%{level + 1}{scheme.suffix}"
        else:
            kind, text, style = "bullet", theme.bullet(level), bullet_style(level)
        # The marker in the body face: the template's Symbol-font bullets would bring a
        # font the reader may not have (and a non-Chinese face into the PDF).
        marker = el("w:rPr", None, fonts(layout.body_font))
        return el(
            "w:lvl",
            {"w:ilvl": str(level)},
            val("w:start", "1"),
            val("w:numFmt", kind),
            val("w:pStyle", style) if level < LIST_STYLE_LEVELS else None,
            val("w:lvlText", text),
            val("w:lvlJc", "left"),
            el(
                "w:pPr",
                None,
                el(
                    "w:tabs",
                    None,
                    el("w:tab", {"w:val": "num", "w:pos": twips(text_at)}),
                ),
                Indent(left=text_at, hanging=layout.list_hanging).element(),
            ),
            marker,
        )
