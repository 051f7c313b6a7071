"""The style sheet: every paragraph, character and table style the DOCX uses, from the theme.

Formatting lives in styles, as a careful Word user would set it up, so a colleague who changes
"Body Text" or "Heading 2" changes every such paragraph. Styles carry Word's built-in names
(Word recognises "heading 1", "caption", "footnote text" … by name and localises them), are
rebuilt from scratch (the template's carry theme-font attributes and Japanese defaults), and
styles the document does not use are pruned from the template's hundred-odd.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from docx.oxml.ns import qn

from ...outline import CONTENTS_LEVELS
from ...table_layout import CELL_PADDING_PT
from .layout import LIST_STYLE_LEVELS, Layout, mm
from .ooxml import Border, Element, Indent, el, fonts, ppr, rpr, twips, val

BULLET_NUM_ID = 1
"""The list instance List Bullet styles number with (bullets never restart)."""
ORDERED_NUM_ID = 2
"""The list instance List Number styles number with; each list in the text gets its own."""


def level_suffix(level: int) -> str:
    """Word's style-name suffix for list ``level`` (0-based): "", " 2", … " 5"."""
    level = min(level, LIST_STYLE_LEVELS - 1)
    return f" {level + 1}" if level else ""


def style_id(name: str) -> str:
    """The style id Word derives from a style name ("List Bullet 2" -> "ListBullet2")."""
    return "".join(word[:1].upper() + word[1:] for word in name.split())


def heading_style(level: int) -> str:
    """The style id of a model heading of ``level``: Heading L (Word has nine)."""
    return f"Heading{min(level, 9)}"


def bullet_style(level: int) -> str:
    return style_id("List Bullet" + level_suffix(level))


def number_style(level: int) -> str:
    return style_id("List Number" + level_suffix(level))


def continue_style(level: int) -> str:
    return style_id("List Continue" + level_suffix(level))


def toc_style(level: int) -> str:
    return f"TOC{level}"


def _style(
    kind: str,
    name: str,
    *,
    ident: str | None = None,
    based_on: str | None = None,
    next_style: str | None = None,
    priority: int | None = None,
    quick: bool = False,
    custom: bool = False,
    default: bool = False,
    paragraph: Sequence[Element] = (),
    run: Element | None = None,
    extra: Iterable[Element] = (),
) -> Element:
    attrs = {"w:type": kind, "w:styleId": ident or style_id(name)}
    if default:
        attrs["w:default"] = "1"
    if custom:
        attrs["w:customStyle"] = "1"
    style = el(
        "w:style",
        attrs,
        val("w:name", name),
        val("w:basedOn", based_on) if based_on else None,
        val("w:next", next_style) if next_style else None,
        val("w:uiPriority", str(priority)) if priority is not None else None,
        el("w:qFormat") if quick else None,
        el("w:pPr", None, *paragraph) if paragraph else None,
        run if run is not None and len(run) else None,
    )
    for child in extra:
        style.append(child)
    return style


def doc_defaults(layout: Layout, lang: tuple[str, str]) -> Element:
    """``w:docDefaults``: the body face for every script, the document's languages, Chinese
    line breaking; nothing a heading or the footer would have to undo."""
    run = el(
        "w:rPr",
        None,
        fonts(layout.body_font, hint=True),
        val("w:sz", str(round(layout.body * 2))),
        val("w:szCs", str(round(layout.body * 2))),
        el("w:lang", {"w:val": lang[0], "w:eastAsia": lang[1], "w:bidi": "ar-SA"}),
    )
    paragraph = el(
        "w:pPr",
        None,
        *ppr(widow_control=True, cjk_breaking=True, after=0, line=1, line_rule="auto"),
    )
    return el(
        "w:docDefaults",
        None,
        el("w:rPrDefault", None, run),
        el("w:pPrDefault", None, paragraph),
    )


def _leading(layout: Layout, points: float) -> dict[str, Any]:
    """``line`` and ``line_rule`` of ``ppr`` for a line ``points`` high (single on a grid)."""
    line, rule = layout.leading(points)
    return {"line": line, "line_rule": rule}


def build_styles(layout: Layout, *, has_author: bool, title_after: float) -> list[Element]:
    """Every style this exporter defines, for one document."""
    body, small, colors = layout.body, layout.small, layout.colors
    headings = layout.theme.headings
    styles = [
        _style(
            "paragraph",
            "Normal",
            default=True,
            quick=True,
            paragraph=ppr(line=layout.line) if not layout.theme.line_grid else ppr(),
            run=rpr(
                font=layout.body_font, color=colors.text, size=body, spacing=layout.char_spacing
            ),
        ),
        _style(
            "paragraph",
            "Body Text",
            based_on="Normal",
            next_style="BodyText",
            priority=1,
            quick=True,
            paragraph=ppr(
                after=layout.theme.text.paragraph_spacing_pt,
                indent=Indent(
                    first_line=layout.first_line_indent,
                    first_line_chars=layout.theme.text.first_line_indent_chars,
                ),
                align=layout.align,
            ),
        ),
        _style(
            "paragraph",
            "Title",
            based_on="Normal",
            next_style="BodyText",
            priority=10,
            quick=True,
            paragraph=ppr(
                keep_next=True,
                keep_lines=True,
                before=mm(layout.theme.title_space_before_mm),
                after=0 if has_author else title_after,
                **_leading(layout, layout.theme.headings.title_size_pt * 1.45),
                align="center",
            ),
            run=rpr(
                font=layout.face(headings.title_face),
                bold=headings.title_bold,
                size=headings.title_size_pt,
            ),
        ),
        _style(
            "paragraph",
            "Author",
            based_on="Normal",
            next_style="BodyText",
            priority=11,
            quick=True,
            custom=True,
            paragraph=ppr(
                keep_next=True,
                before=0 if layout.theme.line_grid else 0.8 * layout.author,
                after=title_after,
                align="center",
            ),
            run=rpr(font=layout.face(headings.author_face), color=colors.muted, size=layout.author),
        ),
    ]
    for level in range(1, 10):
        size = layout.theme.heading_size_pt(level)
        before, after = layout.theme.heading_space_pt(level)
        styles.append(
            _style(
                "paragraph",
                f"heading {level}",
                ident=heading_style(level),
                based_on="Normal",
                next_style="BodyText",
                priority=9,
                quick=True,
                paragraph=ppr(
                    keep_next=True,
                    keep_lines=True,
                    before=before,
                    after=after,
                    **_leading(layout, size * 1.5),
                    indent=Indent(
                        first_line=layout.theme.heading_indent_pt(level),
                        first_line_chars=layout.theme.heading_indent_chars(level),
                    )
                    if layout.theme.heading_indent_chars(level)
                    else None,
                    align="left",
                    outline_level=level - 1,
                ),
                run=rpr(
                    font=layout.face(layout.theme.heading_face(level)),
                    bold=layout.theme.heading_bold(level),
                    size=size,
                ),
            )
        )
    for level in range(LIST_STYLE_LEVELS):
        items = Indent(left=layout.list_indent(level), hanging=layout.list_hanging)
        for name, num_id in (("List Bullet", BULLET_NUM_ID), ("List Number", ORDERED_NUM_ID)):
            styles.append(
                _style(
                    "paragraph",
                    name + level_suffix(level),
                    based_on="Normal",
                    priority=99,
                    paragraph=ppr(numbering=(num_id, level), indent=items, align=layout.align),
                )
            )
        styles.append(
            _style(
                "paragraph",
                "List Continue" + level_suffix(level),
                based_on="Normal",
                priority=99,
                paragraph=ppr(indent=Indent(left=layout.list_indent(level)), align=layout.align),
            )
        )
    styles += [
        _style(
            "paragraph",
            "Quote",
            based_on="BodyText",
            next_style="BodyText",
            priority=29,
            quick=True,
            paragraph=ppr(
                borders={"left": Border(1.5, colors.quote_rule, 0.8 * body)},
                before=0.5 * body,
                after=layout.block_space,
                indent=Indent(
                    left=2 * body,
                    right=2 * body,
                    first_line=layout.first_line_indent,
                    first_line_chars=layout.theme.text.first_line_indent_chars,
                ),
                contextual=True,
            ),
            run=rpr(color=colors.muted),
        ),
        _style(
            "paragraph",
            "Figure",
            based_on="Normal",
            next_style="BodyText",
            priority=34,
            custom=True,
            paragraph=ppr(
                keep_lines=True,
                before=0.8 * body,
                after=layout.block_space,
                line=1,
                line_rule="auto",
                align="center",
            ),
        ),
        _style(
            "paragraph",
            "Captioned Figure",
            based_on="Figure",
            next_style="Caption",
            priority=34,
            custom=True,
            paragraph=ppr(keep_next=True, after=0),
        ),
        _style(
            "paragraph",
            "caption",
            ident="Caption",
            based_on="Normal",
            next_style="BodyText",
            priority=35,
            quick=True,
            paragraph=ppr(
                before=0.5 * small, after=layout.block_space, line=1.5 * small, align="center"
            ),
            run=rpr(font=layout.heading_font, color=colors.muted, size=small),
        ),
        _style(
            "paragraph",
            "Table Text",
            based_on="Normal",
            priority=36,
            custom=True,
            paragraph=ppr(after=0, line=1.5 * small, align="left"),
            run=rpr(size=small),
        ),
        _style(
            "paragraph",
            "Table Heading",
            based_on="TableText",
            priority=36,
            custom=True,
            paragraph=ppr(keep_next=True),
            run=rpr(font=layout.heading_font, bold=True),
        ),
        _style(
            "paragraph",
            "Thematic Break",
            based_on="Normal",
            next_style="BodyText",
            priority=37,
            custom=True,
            paragraph=ppr(
                borders={"top": Border(0.5, colors.rule)},
                before=body,
                after=body,
                line=1,
                line_rule="exact",
                indent=Indent(left=layout.text_width * 0.35, right=layout.text_width * 0.35),
            ),
            run=rpr(size=1),
        ),
        _style(
            "paragraph",
            "footnote text",
            ident="FootnoteText",
            based_on="Normal",
            priority=99,
            paragraph=ppr(after=0, line=1.5 * layout.note, align=layout.align),
            run=rpr(size=layout.note),
        ),
        _style(
            "paragraph",
            "header",
            ident="Header",
            based_on="Normal",
            priority=99,
            paragraph=ppr(
                borders={"bottom": Border(0.5, colors.rule, mm(2.5))},
                line=1.3 * layout.chrome,
                align="center",
            ),
            run=rpr(font=layout.face("chrome"), color=colors.chrome, size=layout.chrome),
        ),
        _style(
            "paragraph",
            "footer",
            ident="Footer",
            based_on="Normal",
            priority=99,
            paragraph=ppr(line=1.3 * layout.page_number_size, align="center"),
            run=rpr(font=layout.face("chrome"), color=colors.chrome, size=layout.page_number_size),
        ),
        _style(
            "paragraph",
            "TOC Heading",
            based_on="Normal",
            next_style="BodyText",
            priority=39,
            quick=True,
            paragraph=ppr(
                keep_next=True,
                before=layout.theme.heading_space_pt(1)[0],
                after=layout.theme.heading_space_pt(1)[1],
                line=1.5 * layout.theme.heading_size_pt(1),
                align="center",
                # Not an entry of the outline: it must not list itself.
                outline_level=9,
            ),
            run=rpr(font=layout.heading_font, bold=True, size=layout.theme.heading_size_pt(1)),
        ),
    ]
    for level in range(1, CONTENTS_LEVELS + 1):
        styles.append(
            _style(
                "paragraph",
                f"toc {level}",
                ident=toc_style(level),
                based_on="Normal",
                next_style="BodyText",
                priority=39,
                paragraph=ppr(
                    tabs=(("right", layout.text_width, "dot"),),
                    indent=Indent(left=2 * body * (level - 1)),
                ),
            )
        )
    styles += [
        _style("character", "Strong", priority=22, quick=True, run=rpr(bold=True)),
        # Chinese faces have no italics: emphasis is set in the heading (sans) face, as
        # Chinese print sets 强调 in 黑体 and as the PDF does.
        _style("character", "Emphasis", priority=20, quick=True, run=rpr(font=layout.heading_font)),
        _style(
            "character",
            "HTML Code",
            priority=99,
            run=rpr(
                font=layout.mono_font, size=round(body * 0.88 * 2) / 2, shade=colors.code_background
            ),
        ),
        _style("character", "Hyperlink", priority=99, run=rpr(color=colors.link)),
        _style(
            "character",
            "footnote reference",
            ident="FootnoteReference",
            priority=99,
            run=rpr(superscript=True),
        ),
        _table_style(layout),
    ]
    if layout.theme.headings.numbering:
        # A heading's number in the theme's scheme: set as the heading is, told apart (in
        # Word's style list and by the import) as a number the exporter wrote.
        styles.append(_style("character", "Heading Number", custom=True, priority=99))
    return styles


def _table_style(layout: Layout) -> Element:
    """The theme's table rules (``[tables]``), as the PDF draws them: a three-line table
    (rules above and below, a thin one under the header row, none between cells) or a grid."""
    colors, tables = layout.colors, layout.theme.tables
    outer, inner = (
        Border(tables.outer_rule_pt, colors.table_rule),
        Border(tables.inner_rule_pt, colors.table_rule),
    )
    grid = tables.rules == "grid"
    borders = el(
        "w:tblBorders",
        None,
        outer.element("top"),
        outer.element("left") if grid else el("w:left", {"w:val": "nil"}),
        outer.element("bottom"),
        outer.element("right") if grid else el("w:right", {"w:val": "nil"}),
        inner.element("insideH") if grid else el("w:insideH", {"w:val": "nil"}),
        inner.element("insideV") if grid else el("w:insideV", {"w:val": "nil"}),
    )
    block, inline = CELL_PADDING_PT
    margins = el(
        "w:tblCellMar",
        None,
        el("w:top", {"w:w": twips(block), "w:type": "dxa"}),
        el("w:left", {"w:w": twips(inline), "w:type": "dxa"}),
        el("w:bottom", {"w:w": twips(block), "w:type": "dxa"}),
        el("w:right", {"w:w": twips(inline), "w:type": "dxa"}),
    )
    table = el("w:tblPr", None, val("w:tblStyleRowBandSize", "1"), borders, margins)
    header = el(
        "w:tblStylePr",
        {"w:type": "firstRow"},
        el(
            "w:tcPr",
            None,
            el("w:tcBorders", None, inner.element("bottom")),
        ),
    )
    return _style(
        "table",
        "Report Table",
        based_on="TableNormal",
        priority=59,
        custom=True,
        extra=(table, el("w:tcPr", None, val("w:vAlign", "top")), header),
    )


def install(
    styles_element: Element,
    layout: Layout,
    lang: tuple[str, str],
    *,
    has_author: bool,
    title_after: float,
) -> list[str]:
    """Replace the template's defaults and our styles' namesakes with ours; our style ids."""
    ours = build_styles(layout, has_author=has_author, title_after=title_after)
    ids = {style.get(qn("w:styleId")) for style in ours}
    for old in styles_element.findall(qn("w:style")):
        if old.get(qn("w:styleId")) in ids:
            styles_element.remove(old)
    defaults = styles_element.find(qn("w:docDefaults"))
    if defaults is not None:
        defaults.addprevious(doc_defaults(layout, lang))
        styles_element.remove(defaults)
    for style in ours:
        styles_element.append(style)
    return [ident or "" for ident in ids]


def prune(styles_element: Element, parts: Iterable[Element], keep: Iterable[str]) -> None:
    """Remove every style nothing uses: not referenced from ``parts``, not in ``keep``, not a
    default, and not a base, successor or link of one that stays."""
    by_id = {s.get(qn("w:styleId")) or "": s for s in styles_element.findall(qn("w:style"))}
    wanted = set(keep)
    for part in parts:
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            wanted.update(e.get(qn("w:val")) or "" for e in part.iter(qn(tag)))
    wanted.update(ident for ident, s in by_id.items() if s.get(qn("w:default")) == "1")
    pending = [ident for ident in wanted if ident in by_id]
    while pending:
        style = by_id[pending.pop()]
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = style.find(qn(tag))
            target = (ref.get(qn("w:val")) or "") if ref is not None else ""
            if target in by_id and target not in wanted:
                wanted.add(target)
                pending.append(target)
    for ident, style in by_id.items():
        if ident not in wanted:
            styles_element.remove(style)
