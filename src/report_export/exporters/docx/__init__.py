"""An editable DOCX, styled by the theme as the PDF is: the document a skilled Word user makes.

Real styles rather than direct formatting (Title, Heading 1-9 in the outline, Body Text with
its first-line indent, list styles over real numbering, Quote, caption, a table style), the
theme's Simplified Chinese faces named for East Asian text with zh-CN as its language, Chinese
line breaking, A4 with the theme's margins, page numbers as fields, real Word footnotes,
hyperlinks, embedded images, complete document properties, and the same bytes every build.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, cast

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import OxmlElement
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.parts.story import StoryPart
from lxml import etree

from ...heading_numbers import heading_numbers, renumber
from ...labels import labels_for
from ...model import Document, heading_label
from ...outline import CONTENTS_LEVELS, contents_entries
from ...reproducible import build_timestamp, document_date, normalize_zip
from ...theme import Theme
from ...typography import balanced_lines
from .. import Exporter
from . import package, styles
from .layout import Layout
from .numbering import Numbering
from .ooxml import (
    MC,
    Element,
    el,
    field,
    field_begin,
    field_end,
    paragraph,
    ppr,
    run,
    separate_scripts_in,
    text_runs,
    val,
)
from .styles import toc_style
from .writer import Context, Scope, StoryWriter

TOC_PAGE_PLACEHOLDER = "1"
"""The page number cached in a contents entry's PAGEREF field, which Word and LibreOffice
replace with the heading's page as they lay the document out."""


@dataclass(frozen=True, slots=True)
class DocxOptions:
    """Options of the DOCX format."""

    toc: bool = False
    """A contents list after the title: headings of levels 1-3 with dot leaders and page
    numbers (PAGEREF fields, which Word and LibreOffice compute)."""


class DocxExporter(Exporter[DocxOptions]):
    """Word's own constructs for everything the model holds, styled by the theme."""

    name = "docx"
    extension = "docx"
    description = "editable Word document (styles, outline, footnotes)"
    options_type = DocxOptions

    def render(self, document: Document, theme: Theme, options: DocxOptions) -> bytes:
        numbers = heading_numbers(document, theme.heading_scheme)
        document = renumber(document, numbers)
        layout = Layout(theme)
        lang = languages(document.meta.lang)
        word: Any = docx.Document()
        package.drop_template_leftovers(word)
        ours = styles.install(
            word.styles.element,
            layout,
            lang,
            has_author=bool(document.meta.author),
            title_after=layout.title_space_after,
        )
        numbering = Numbering(word.part.numbering_part.element, layout)
        context = Context.create(document, layout, numbering, numbers)
        stories = [write_body(word, document, context, toc=options.toc)]
        if context.notes.ids:
            stories.append(write_footnotes(word, context))
        stories += package.header_footer(word, document, layout)
        for story in stories:
            separate_scripts_in(story)
        package.settings(
            word.settings.element,
            layout,
            lang,
            update_fields=options.toc,
            footnotes=bool(context.notes.ids),
        )
        package.core_properties(word, document, document_date(document), build_timestamp(document))
        package.app_properties(word, document)
        package.custom_properties(word, document)
        package.font_table(word, layout)
        package.theme_fonts(word, layout)
        package.number_drawings(stories)
        styles.prune(word.styles.element, [*stories, numbering.element], ours)
        if options.toc:
            package.declare_w15(word)  # last: python-docx's objects hold the old element
        buffer = io.BytesIO()
        word.save(buffer)
        return normalize_zip(buffer.getvalue(), first="[Content_Types].xml")


def write_body(word: Any, document: Document, context: Context, *, toc: bool) -> Element:
    """The title block, the table of contents if asked for, and the text, into the body
    (which keeps only its section properties from the template)."""
    content = title_block(document, context.layout)
    if toc:
        content += table_of_contents(document, context)
    content += StoryWriter(context, word.part).blocks(document.blocks, Scope())
    body: Element = word.element.body
    section_properties = body.find(qn("w:sectPr"))
    assert section_properties is not None  # python-docx's template has one
    for child in list(body):
        if child is not section_properties:
            body.remove(child)
    for element in content:
        section_properties.addprevious(element)
    return body


def write_footnotes(word: Any, context: Context) -> Element:
    """Every note the body referenced, into a new footnotes part."""
    part = footnotes_part(word)
    writer = StoryWriter(context, part)
    for ident, note in context.notes.referenced():
        part.element.append(writer.note(ident, note))
    root: Element = part.element
    return root


def languages(lang: str) -> tuple[str, str]:
    """(Latin, East Asian) language tags for ``w:lang``: a Chinese document's Latin words are
    checked as English, its Chinese as ``lang``; any other document has Chinese as its East
    Asian language, never the template's Japanese."""
    primary, _, rest = lang.partition("-")
    primary = primary.lower()
    if primary == "zh":
        region = rest.upper()
        if region in ("", "HANS"):
            return "en-US", "zh-CN"
        if region == "HANT":
            return "en-US", "zh-TW"
        return "en-US", lang
    if primary in ("ja", "ko"):
        return "en-US", lang
    return lang, "zh-CN"


def title_block(document: Document, layout: Layout) -> list[Element]:
    """The title, and the author under it, opening the document. A title longer than a line
    is broken where the PDF breaks it, into lines of about equal length."""
    meta = document.meta
    measure = layout.text_width / layout.theme.headings.title_size_pt
    lines: list[Element] = []
    for index, line in enumerate(balanced_lines(meta.title, measure, meta.lang)):
        if index:
            lines.append(run([el("w:br")]))
        lines += text_runs(line)
    out = [paragraph("Title", lines)]
    if meta.author:
        out.append(paragraph("Author", text_runs(meta.author)))
    return out


def table_of_contents(document: Document, context: Context) -> list[Element]:
    """The contents after a "目录" heading: each heading of levels 1-3, linked to it, then a
    tab (the TOC styles' right tab with dot leaders) and a PAGEREF field to its bookmark.

    Two versions of it, as markup compatibility allows (``mc:AlternateContent``): Word
    2013 and later take the choice, a real TOC field in Word's contents block, which "Update
    Table" rebuilds (the cached page numbers are placeholders, updated on opening: the
    settings ask for it). Any reader that does not know Word 2012's namespace takes the
    fallback, the same entries outside a TOC field; LibreOffice (whose writerfilter takes a
    choice of wps, wpg, w14 or wpc only) is one, and it must be: it shows a TOC field's
    cached result as it is, page numbers included, where a PAGEREF outside one it computes
    from its own layout. A document without headings gets an empty TOC field, which Word
    fills in.
    """
    heading_text = labels_for(document.meta.lang).contents
    instruction = f'TOC \\o "1-{CONTENTS_LEVELS}" \\h \\z \\u'
    entries = contents_entries(document)
    if not entries:
        begin = field_begin(instruction)
        return [
            paragraph("TOCHeading", text_runs(heading_text)),
            paragraph(toc_style(1), [*begin, field_end()]),
        ]

    def contents() -> list[Element]:
        out = [paragraph("TOCHeading", text_runs(heading_text))]
        for heading in entries:
            name = context.heading_bookmarks[heading.id]
            link = el(
                "w:hyperlink",
                {"w:anchor": name, "w:history": "1"},
                *text_runs(heading_label(heading)),
                run([el("w:tab")]),
                *field(f"PAGEREF {name} \\h", TOC_PAGE_PLACEHOLDER),
            )
            out.append(paragraph(toc_style(heading.level), [link]))
        return out

    in_field = contents()
    first, last = in_field[1], in_field[-1]
    # The field opens after the first entry's properties and closes at the last's end.
    for offset, begin_run in enumerate(field_begin(instruction), start=1):
        first.insert(offset, begin_run)
    last.append(field_end())
    gallery = el(
        "w:docPartObj",
        None,
        val("w:docPartGallery", "Table of Contents"),
        el("w:docPartUnique"),
    )
    block = el("w:sdt", None, el("w:sdtPr", None, gallery), el("w:sdtContent", None, *in_field))
    choice = etree.Element(f"{{{MC}}}Choice", Requires="w15")
    choice.append(block)
    fallback = etree.Element(f"{{{MC}}}Fallback")
    fallback.extend(contents())
    alternate = etree.Element(f"{{{MC}}}AlternateContent")
    alternate.extend([choice, fallback])
    return [alternate]


def footnotes_part(word: Any) -> Any:
    """/word/footnotes.xml with Word's two separator notes (ids -1 and 0), related to the
    document; python-docx 1.2 has no footnotes of its own."""
    # Word's own separators: a paragraph of single line spacing holding the separator mark.
    root = OxmlElement("w:footnotes", nsdecls={p: nsmap[p] for p in ("w", "r", "wp", "a", "pic")})
    for ident, kind in ((-1, "separator"), (0, "continuationSeparator")):
        line = ppr(after=0, line=1, line_rule="auto")
        mark = paragraph(None, [run([el(f"w:{kind}")])], line)
        root.append(el("w:footnote", {"w:type": kind, "w:id": str(ident)}, mark))
    # python-docx types a part's root as its own element class; this one is a plain element.
    element = cast(BaseOxmlElement, root)
    part = StoryPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, element, word.part.package)
    word.part.relate_to(part, RT.FOOTNOTES)
    return part
