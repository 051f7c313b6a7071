"""Small builders for WordprocessingML: elements, runs, fields and unit conversions.

python-docx 1.2 covers paragraphs, runs and styles by name, but not numbering, footnotes,
fields, hyperlinks or bookmarks; those are written here as XML, always in the child order the
schema prescribes (Word refuses a file whose ``w:pPr`` children are out of order, where
LibreOffice shrugs, so tests by LibreOffice alone would not catch it).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from docx.oxml.ns import NamespacePrefixedTag, qn
from docx.oxml.parser import oxml_parser
from lxml import etree

from ...typography import separate_scripts

Element = etree._Element
"""An OOXML element (python-docx's element classes are lxml elements)."""

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
"""Markup compatibility (``mc:AlternateContent``), which python-docx has no prefix for."""
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
"""Word 2013's namespace: what an ``mc:Choice Requires="w15"`` asks of a reader."""

TWIPS_PER_PT = 20
EMU_PER_PT = 12700


def twips(points: float) -> str:
    """A length in points as twentieths of a point, the unit of indents and spacing."""
    return str(round(points * TWIPS_PER_PT))


def half_points(points: float) -> str:
    """A font size in points as half-points, the unit of ``w:sz``."""
    return str(round(points * 2))


def eighths(points: float) -> str:
    """A border width in points as eighths of a point, the unit of ``w:sz`` on borders."""
    return str(max(2, round(points * 8)))


def el(tag: str, attrs: dict[str, str] | None = None, *children: Element | None) -> Element:
    """A new element ``tag`` (``"w:p"``) with prefixed attributes and children (None skipped).

    python-docx's ``OxmlElement`` made in its parser (the element classes), its name and
    namespace resolved once a tag: ``OxmlElement`` resolves them again for every element
    (a third of a 100x DOCX's time)."""
    name, nsmap = _resolved(tag)
    element: Element = oxml_parser.makeelement(name, nsmap=nsmap)
    for key, value in (attrs or {}).items():
        element.set(_qualified(key), value)
    for child in children:
        if child is not None:
            element.append(child)
    return element


@cache
def _resolved(tag: str) -> tuple[str, dict[str, str]]:
    prefixed = NamespacePrefixedTag(tag)
    return prefixed.clark_name, prefixed.nsmap


_qualified = cache(qn)


def val(tag: str, value: str) -> Element:
    """An element whose one attribute is ``w:val``."""
    return el(tag, {"w:val": value})


# Control characters XML 1.0 cannot hold at all (tab, line feed and carriage return aside).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text_el(text: str, tag: str = "w:t") -> Element:
    """A ``w:t`` (or ``w:instrText``) keeping leading and trailing spaces."""
    element = el(tag)
    element.text = _NOT_XML.sub("", text)
    if text != text.strip():
        element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return element


def separate_scripts_in(story: Element) -> None:
    """A ``SCRIPT_BREAK`` wherever a Chinese and a Latin letter or digit meet in a paragraph of
    ``story``, across runs too: LibreOffice spaces them 0.2 em apart otherwise, Word (which
    reads ``w:autoSpaceDE``) and the PDF and EPUB do not."""
    text_tag = qn("w:t")
    # What else a run holds that stands between two characters as text does.
    apart = {qn(tag) for tag in ("w:tab", "w:br", "w:cr", "w:footnoteReference", "w:drawing")}
    for p in story.iter(qn("w:p")):
        before = ""
        for node in p.iter(text_tag, *apart):
            if node.tag != text_tag:
                before = ""
            elif node.text:
                node.text = separate_scripts(before + node.text)[len(before) :]
                before = node.text[-1]


def run(
    content: Iterable[Element], style: str | None = None, rpr: Element | None = None
) -> Element:
    """A run of ``content`` in character style ``style`` (and extra run properties)."""
    properties = rpr if rpr is not None else el("w:rPr")
    if style is not None:
        properties.insert(0, val("w:rStyle", style))
    children = list(content)
    return el("w:r", None, properties if len(properties) else None, *children)


def text_runs(text: str, style: str | None = None, rpr: Element | None = None) -> list[Element]:
    """Runs for ``text``: tabs become ``w:tab``, everything else is ``w:t``."""
    content: list[Element] = []
    for index, piece in enumerate(text.split("\t")):
        if index:
            content.append(el("w:tab"))
        if piece:
            content.append(text_el(piece))
    if not content:
        return []
    return [run(content, style, copy.deepcopy(rpr) if rpr is not None else None)]


def field(instruction: str, result: str = "", style: str | None = None) -> list[Element]:
    """A complex field (begin / instruction / separate / cached result / end) as runs.

    Complex rather than ``w:fldSimple`` because Word and LibreOffice both update complex
    fields in headers, footers and tables of contents, and keep their result's formatting.
    """
    runs = field_begin(instruction, style)
    if result:
        runs.append(run([text_el(result)], style))
    runs.append(field_end(style))
    return runs


def field_begin(instruction: str, style: str | None = None) -> list[Element]:
    """The runs that open a complex field, up to where its result starts."""
    return [
        run([el("w:fldChar", {"w:fldCharType": "begin"})], style),
        run([text_el(f" {instruction} ", "w:instrText")], style),
        run([el("w:fldChar", {"w:fldCharType": "separate"})], style),
    ]


def field_end(style: str | None = None) -> Element:
    """The run that closes a complex field."""
    return run([el("w:fldChar", {"w:fldCharType": "end"})], style)


def paragraph(
    style: str | None, content: Iterable[Element], ppr: Iterable[Element] = ()
) -> Element:
    """A paragraph in ``style`` with extra paragraph properties ``ppr`` (schema order)."""
    properties = el("w:pPr")
    for child in (val("w:pStyle", style), *ppr) if style is not None else ppr:
        insert_in_order(properties, child, PPR_ORDER)
    return el("w:p", None, properties if len(properties) else None, *content)


def bookmark(ident: int, name: str, content: Iterable[Element]) -> list[Element]:
    """``content`` wrapped in a bookmark ``name``."""
    return [
        el("w:bookmarkStart", {"w:id": str(ident), "w:name": name}),
        *content,
        el("w:bookmarkEnd", {"w:id": str(ident)}),
    ]


# --- properties, built in schema order -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Border:
    """One side of a paragraph or table border."""

    width_pt: float
    color: str
    space_pt: float = 0

    def element(self, side: str) -> Element:
        return el(
            f"w:{side}",
            {
                "w:val": "single",
                "w:sz": eighths(self.width_pt),
                "w:space": str(round(self.space_pt)),
                "w:color": self.color,
            },
        )


@dataclass(frozen=True, slots=True)
class Indent:
    """Paragraph indents in points; ``first_line_chars`` in characters (Word's own unit)."""

    left: float = 0
    right: float = 0
    hanging: float = 0
    first_line: float = 0
    first_line_chars: float = 0

    def element(self) -> Element:
        attrs: dict[str, str] = {}
        if self.left:
            attrs["w:left"] = twips(self.left)
        if self.right:
            attrs["w:right"] = twips(self.right)
        if self.hanging:
            attrs["w:hanging"] = twips(self.hanging)
        elif self.first_line_chars:
            # Word reads the Chars form (it follows the font size); LibreOffice ignores it
            # and reads w:firstLine, so both are written and agree.
            attrs["w:firstLineChars"] = str(round(self.first_line_chars * 100))
            attrs["w:firstLine"] = twips(self.first_line)
        else:
            attrs["w:firstLine"] = twips(self.first_line)
        return el("w:ind", attrs)


PPR_ORDER = (
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
"""The children of ``w:pPr`` in the order the schema prescribes (CT_PPr is a sequence).
python-docx holds the same tuple while it builds its element class, then deletes it: a test
reads it from python-docx's source and holds this one to it."""


def insert_in_order(parent: Element, child: Element, order: tuple[str, ...]) -> None:
    """Put ``child`` into ``parent`` at its place in ``order``, the schema's sequence of
    ``parent``'s children, replacing one of the same name: before the first child that comes
    after it in ``order``. (python-docx's ``insert_element_before`` looks for each later name in
    turn, a search of the children a name: 30 for a paragraph's properties.)"""
    for old in parent.findall(child.tag):
        parent.remove(old)
    ranks = _ranks(order)
    rank = ranks[child.tag]
    for existing in parent:
        if ranks.get(existing.tag, -1) > rank:
            existing.addprevious(child)
            return
    parent.append(child)


@cache
def _ranks(order: tuple[str, ...]) -> dict[str, int]:
    """Each name of ``order`` (``"w:keepNext"``), by its namespaced tag, with its place."""
    return {qn(name): index for index, name in enumerate(order)}


def ppr(
    *,
    keep_next: bool = False,
    keep_lines: bool = False,
    widow_control: bool | None = None,
    numbering: tuple[int, int] | None = None,
    borders: dict[str, Border | None] | None = None,
    shade: str | None = None,
    tabs: tuple[tuple[str, float, str], ...] = (),
    cjk_breaking: bool = False,
    before: float | None = None,
    after: float | None = None,
    line: float | None = None,
    line_rule: str = "atLeast",
    indent: Indent | None = None,
    contextual: bool = False,
    align: str | None = None,
    outline_level: int | None = None,
) -> list[Element]:
    """Paragraph properties (children of ``w:pPr``, without ``w:pStyle``) in schema order.

    ``numbering`` is (numId, level); a side mapped to None in ``borders`` is switched off;
    ``tabs`` are (kind, position in pt, leader);
    ``line`` is in points (``line_rule`` "atLeast" or "exact") or a multiple ("auto").
    """
    wanted: list[Element | None] = [
        el("w:keepNext") if keep_next else None,
        el("w:keepLines") if keep_lines else None,
        None if widow_control is None else val("w:widowControl", str(int(widow_control))),
        None if numbering is None else _numbering(*numbering),
        _borders(borders) if borders else None,
        None if shade is None else shading(shade),
        _tabs(tabs) if tabs else None,
        *(_cjk_breaking() if cjk_breaking else ()),
        _spacing(before, after, line, line_rule),
        None if indent is None else indent.element(),
        el("w:contextualSpacing") if contextual else None,
        None if align is None else val("w:jc", align),
        None if outline_level is None else val("w:outlineLvl", str(outline_level)),
    ]
    properties = el("w:pPr")
    for child in wanted:
        if child is not None:
            insert_in_order(properties, child, PPR_ORDER)
    return list(properties)


def _spacing(
    before: float | None, after: float | None, line: float | None, line_rule: str
) -> Element | None:
    spacing = {"w:before": before, "w:after": after}
    attrs = {name: twips(points) for name, points in spacing.items() if points is not None}
    if line is not None:
        attrs["w:line"] = str(round(line * 240)) if line_rule == "auto" else twips(line)
        attrs["w:lineRule"] = line_rule
    return el("w:spacing", attrs) if attrs else None


def _numbering(num_id: int, level: int) -> Element:
    return el("w:numPr", None, val("w:ilvl", str(level)), val("w:numId", str(num_id)))


def _borders(borders: dict[str, Border | None]) -> Element:
    sides = (side for side in ("top", "left", "bottom", "right") if side in borders)
    return el(
        "w:pBdr",
        None,
        *(
            border.element(side) if (border := borders[side]) else el(f"w:{side}", {"w:val": "nil"})
            for side in sides
        ),
    )


def _tabs(tabs: tuple[tuple[str, float, str], ...]) -> Element:
    return el(
        "w:tabs",
        None,
        *(
            el("w:tab", {"w:val": kind, "w:leader": leader, "w:pos": twips(pos)})
            for kind, pos, leader in tabs
        ),
    )


def _cjk_breaking() -> list[Element]:
    """Chinese line breaking: no closing punctuation at a line's start nor opening at its end
    (kinsoku), punctuation kept inside the text block as in the PDF (no hanging), and no
    automatic space between Chinese and Latin letters or digits: in every format the only
    space there is the source's own (Word and LibreOffice add a quarter em by default)."""
    return [
        val("w:kinsoku", "1"),
        # "1" is "may hang" in the standard and to Word, whose default for Chinese it is; but
        # LibreOffice 7.4 reads the value inverted, and with "0" sets line-end 、and，in the
        # margin (4 lines of the report). "1" keeps them inside the text block there.
        val("w:overflowPunct", "1"),
        val("w:topLinePunct", "0"),
        val("w:autoSpaceDE", "0"),
        val("w:autoSpaceDN", "0"),
    ]


def shading(fill: str) -> Element:
    """A plain background of colour ``fill`` (``w:shd``, of paragraphs and runs alike)."""
    return el("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": fill})


def fonts(name: str, hint: bool = False) -> Element:
    """``w:rFonts`` naming one face for every script, East Asian included.

    python-docx's ``font.name`` writes only ``w:ascii``/``w:hAnsi``, and any ``*Theme``
    attribute would win over a name: a freshly built element has neither problem.
    """
    attrs = {"w:ascii": name, "w:hAnsi": name, "w:eastAsia": name, "w:cs": name}
    if hint:
        # Characters both Latin and Chinese text use (“”‘’…—·) are set as Chinese.
        attrs["w:hint"] = "eastAsia"
    return el("w:rFonts", attrs)


def rpr(
    *,
    font: str | None = None,
    bold: bool = False,
    color: str | None = None,
    size: float | None = None,
    shade: str | None = None,
    superscript: bool = False,
    underline: bool = False,
    lang: tuple[str, str] | None = None,
    spacing: int = 0,
) -> Element:
    """Run properties (``w:rPr``) in schema order; ``lang`` is (Latin, East Asian) tags;
    ``spacing`` is character spacing in twentieths of a point."""
    out = el("w:rPr")
    if font is not None:
        out.append(fonts(font))
    if bold:
        out.append(el("w:b"))
        out.append(el("w:bCs"))
    if color is not None:
        out.append(val("w:color", color))
    if spacing:
        out.append(val("w:spacing", str(spacing)))
    if size is not None:
        out.append(val("w:sz", half_points(size)))
        out.append(val("w:szCs", half_points(size)))
    if underline:
        out.append(val("w:u", "single"))
    if shade is not None:
        out.append(shading(shade))
    if superscript:
        out.append(val("w:vertAlign", "superscript"))
    if lang is not None:
        out.append(el("w:lang", {"w:val": lang[0], "w:eastAsia": lang[1], "w:bidi": "ar-SA"}))
    return out
