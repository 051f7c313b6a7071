"""The package around the text: page, header and footer, settings, properties, fonts, and
the python-docx template's leftovers taken out.

python-docx starts every document from a template made on a Japanese-configured Mac in 2013:
its settings ask for Japanese fallback fonts, its properties name python-docx as author, and it
carries a thumbnail of an empty page, a bibliography stub and a second copy of the styles.
"""

from __future__ import annotations

import datetime
import math
import string
from typing import Any, cast

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from docx.shared import Twips
from lxml import etree

from ... import __version__
from ...model import Document
from ...theme import PT_PER_MM
from .layout import Layout, mm
from .ooxml import (
    TWIPS_PER_PT,
    W15,
    Element,
    Indent,
    el,
    field,
    insert_in_order,
    paragraph,
    ppr,
    text_runs,
    twips,
    val,
)

_DROPPED_PACKAGE_RELS = {RT.THUMBNAIL}
_DROPPED_DOCUMENT_RELS = {
    RT.CUSTOM_XML,
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
}

SETTINGS_ORDER = (
    "w:writeProtection",
    "w:view",
    "w:zoom",
    "w:removePersonalInformation",
    "w:removeDateAndTime",
    "w:doNotDisplayPageBoundaries",
    "w:displayBackgroundShape",
    "w:printPostScriptOverText",
    "w:printFractionalCharacterWidth",
    "w:printFormsData",
    "w:embedTrueTypeFonts",
    "w:embedSystemFonts",
    "w:saveSubsetFonts",
    "w:saveFormsData",
    "w:mirrorMargins",
    "w:alignBordersAndEdges",
    "w:bordersDoNotSurroundHeader",
    "w:bordersDoNotSurroundFooter",
    "w:gutterAtTop",
    "w:hideSpellingErrors",
    "w:hideGrammaticalErrors",
    "w:activeWritingStyle",
    "w:proofState",
    "w:formsDesign",
    "w:attachedTemplate",
    "w:linkStyles",
    "w:stylePaneFormatFilter",
    "w:stylePaneSortMethod",
    "w:documentType",
    "w:mailMerge",
    "w:revisionView",
    "w:trackRevisions",
    "w:doNotTrackMoves",
    "w:doNotTrackFormatting",
    "w:documentProtection",
    "w:autoFormatOverride",
    "w:styleLockTheme",
    "w:styleLockQFSet",
    "w:defaultTabStop",
    "w:autoHyphenation",
    "w:consecutiveHyphenLimit",
    "w:hyphenationZone",
    "w:doNotHyphenateCaps",
    "w:showEnvelope",
    "w:summaryLength",
    "w:clickAndTypeStyle",
    "w:defaultTableStyle",
    "w:evenAndOddHeaders",
    "w:bookFoldRevPrinting",
    "w:bookFoldPrinting",
    "w:bookFoldPrintingSheets",
    "w:drawingGridHorizontalSpacing",
    "w:drawingGridVerticalSpacing",
    "w:displayHorizontalDrawingGridEvery",
    "w:displayVerticalDrawingGridEvery",
    "w:doNotUseMarginsForDrawingGridOrigin",
    "w:drawingGridHorizontalOrigin",
    "w:drawingGridVerticalOrigin",
    "w:doNotShadeFormData",
    "w:noPunctuationKerning",
    "w:characterSpacingControl",
    "w:printTwoOnOne",
    "w:strictFirstAndLastChars",
    "w:noLineBreaksAfter",
    "w:noLineBreaksBefore",
    "w:savePreviewPicture",
    "w:doNotValidateAgainstSchema",
    "w:saveInvalidXml",
    "w:ignoreMixedContent",
    "w:alwaysShowPlaceholderText",
    "w:doNotDemarcateInvalidXml",
    "w:saveXmlDataOnly",
    "w:useXSLTWhenSaving",
    "w:saveThroughXslt",
    "w:showXMLTags",
    "w:alwaysMergeEmptyNamespace",
    "w:updateFields",
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)
"""The children of ``w:settings`` in schema order (CT_Settings is a sequence): new ones go in
their place. python-docx holds the same tuple while it builds its element class, then deletes
it: a test reads it from python-docx's source and holds this one to it."""

_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/main"
_EXTENDED = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
SOURCE_DIGEST_PROPERTY = "report-export source sha256"
"""The custom property naming the source version a DOCX was built from (its SHA-256)."""


def drop_template_leftovers(docx_document: Any) -> None:
    """Take out the thumbnail, the bibliography stub and stylesWithEffects (a second copy of
    the template's styles that Word 2010 would read instead of ours)."""
    package = docx_document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype in _DROPPED_PACKAGE_RELS:
            del package.rels[rid]
    for rid, rel in list(docx_document.part.rels.items()):
        if rel.reltype in _DROPPED_DOCUMENT_RELS:
            del docx_document.part.rels[rid]


def page_setup(section: Any, layout: Layout, title_page: bool) -> None:
    """A4 (or the theme's page), the theme's margins, header and footer where the PDF has
    its running head and page number."""
    page = layout.theme.page
    sect_pr = section._sectPr
    for name in list(sect_pr.attrib):
        sect_pr.attrib.pop(name)  # the template's revision ids
    theme = layout.theme
    chrome_line = 1.3 * layout.chrome
    # The PDF sets the running head 6 mm + 2.5 mm above the text block and the page number
    # the theme's distance below it; Word measures both from the paper's edge (the footer's
    # foot).
    header = mm(page.margin_top_mm) - mm(8.5) - chrome_line
    number_line = 1.3 * layout.page_number_size
    footer = mm(page.margin_bottom_mm) - mm(theme.footer.distance_mm) - number_line
    section.page_width = _length(page.width_mm * PT_PER_MM)
    section.page_height = _length(page.height_mm * PT_PER_MM)
    section.top_margin = _length(mm(page.margin_top_mm))
    section.right_margin = _length(theme.margin_right_pt)
    section.bottom_margin = _length(mm(page.margin_bottom_mm))
    section.left_margin = _length(theme.margin_left_pt)
    section.header_distance = _length(max(header, 0))
    section.footer_distance = _length(max(footer, 0))
    section.gutter = Twips(0)
    section.different_first_page_header_footer = title_page
    # python-docx has no API for the columns and the document grid; its template has both.
    for new in (
        el("w:cols", {"w:space": "425"}),
        _doc_grid(layout),
    ):
        old = sect_pr.find(new.tag)
        if old is None:
            sect_pr.append(new)
        else:
            sect_pr.replace(old, new)


def _doc_grid(layout: Layout) -> Element:
    """Word's document grid: on a line grid, the theme's lines a page (``w:type="lines"``, the
    pitch rounded down: a twip more and LibreOffice sets a line less a page), and the pitch of
    the theme's characters a line in ``w:charSpace`` (ECMA-376 17.6.5: what the pitch is more
    than the Normal style's size, in 4096ths of a point), which Word's Page Setup offers when
    its character grid is turned on. The text holds its characters a line itself, by its
    character spacing (``Layout.char_spacing``): LibreOffice gives a character wider than a
    grid cell two cells (``linesAndChars`` or ``snapToChars``, 14 a line), and 28 characters
    of 16 pt are wider than 156 mm."""
    theme = layout.theme
    if theme.line_grid:
        pitch = math.floor(theme.line_pitch_pt * TWIPS_PER_PT)
        chars = theme.page.chars_per_line
        extra = math.floor((theme.text_width_pt / chars - layout.body) * 4096)
        return el(
            "w:docGrid",
            {"w:type": "lines", "w:linePitch": str(pitch), "w:charSpace": str(extra)},
        )
    return el("w:docGrid", {"w:linePitch": twips(layout.line)})


def _length(points: float) -> Twips:
    """A length in points, rounded to Word's unit (a twentieth of a point) as ``twips`` is."""
    return Twips(round(points * TWIPS_PER_PT))


def declare_w15(docx_document: Any) -> None:
    """Declare Word 2013's namespace on the document element, where Word looks up the prefix
    an ``mc:Choice Requires`` names (python-docx's template declares w14 at most)."""
    part = docx_document.part
    old = part._element
    new = etree.Element(old.tag, dict(old.attrib), nsmap={**old.nsmap, "w15": W15})
    new.extend(list(old))
    part._element = new


def header_footer(docx_document: Any, document: Document, layout: Layout) -> list[Element]:
    """The running head (the title, from page 2 on) and the page number on every page, odd and
    even pages apart when the theme sets it on the outside; the root elements of the headers
    and footers written."""
    section = docx_document.sections[0]
    running_head = layout.theme.header.running_head == "title"
    page_setup(section, layout, title_page=running_head)
    outside = layout.theme.footer.placement == "outside"
    odd = "right" if outside else None
    roots = [_fill(section.footer, [_number_paragraph(layout, odd)])]
    if outside:
        docx_document.settings.odd_and_even_pages_header_footer = True
        roots.append(_fill(section.even_page_footer, [_number_paragraph(layout, "left")]))
    if running_head:
        roots.append(_fill(section.header, [paragraph("Header", text_runs(document.meta.title))]))
        if outside:
            title = paragraph("Header", text_runs(document.meta.title))
            roots.append(_fill(section.even_page_header, [title]))
        # Page 1 opens with the title itself: its header stays empty, and without the rule.
        empty = paragraph("Header", [], ppr(borders={"bottom": None}))
        roots.append(_fill(section.first_page_header, [empty]))
        roots.append(_fill(section.first_page_footer, [_number_paragraph(layout, odd)]))
    return roots


def _number_paragraph(layout: Layout, side: str | None) -> Element:
    """The page number's paragraph: centred (``side`` None), or set to ``side`` with the
    theme's space at the text block's edge."""
    number = page_number_runs(layout.theme.footer.page_number)
    if side is None:
        return paragraph("Footer", number)
    edge = layout.theme.footer.edge_space_chars * layout.page_number_size
    indent = Indent(right=edge) if side == "right" else Indent(left=edge)
    return paragraph("Footer", number, ppr(indent=indent, align=side))


def page_number_runs(template: str) -> list[Element]:
    """ "第 {page} 页 / 共 {pages} 页" as text runs and PAGE / NUMPAGES fields."""
    out: list[Element] = []
    for literal, name, _, _ in string.Formatter().parse(template):
        if literal:
            out += text_runs(literal)
        if name == "page":
            out += field("PAGE", "1")
        elif name == "pages":
            out += field("NUMPAGES", "1")
    return out


def _fill(header_or_footer: Any, paragraphs: list[Element]) -> Element:
    header_or_footer.is_linked_to_previous = False
    root: Element = header_or_footer.part.element
    for child in list(root):
        root.remove(child)
    for p in paragraphs:
        root.append(p)
    return root


def settings(
    settings_element: Element,
    layout: Layout,
    lang: tuple[str, str],
    *,
    update_fields: bool,
    footnotes: bool,
) -> None:
    """Chinese, not Japanese, theme-font language; Word 2013+ layout; no stale proofing,
    revision ids or preview picture; fields updated on opening when there is a TOC."""
    for tag in ("w:proofState", "w:savePreviewPicture", "w:rsids", "w:attachedTemplate"):
        for old in settings_element.findall(qn(tag)):
            settings_element.remove(old)
    for old in settings_element.findall(f"{{{_W14}}}docId"):
        settings_element.remove(old)
    wanted = [
        val("w:defaultTabStop", twips(2 * layout.body)),
        el("w:themeFontLang", {"w:val": lang[0], "w:eastAsia": lang[1]}),
        val("w:updateFields", "true") if update_fields else None,
        el(
            "w:footnotePr",
            None,
            el("w:footnote", {"w:id": "-1"}),
            el("w:footnote", {"w:id": "0"}),
        )
        if footnotes
        else None,
    ]
    for setting in wanted:
        if setting is not None:
            insert_in_order(settings_element, setting, SETTINGS_ORDER)
    compat = settings_element.find(qn("w:compat"))
    if compat is not None:
        # A justified line ending in a line break is not stretched across the line (Word
        # and LibreOffice both do otherwise by default; the PDF does not).
        if compat.find(qn("w:doNotExpandShiftReturn")) is None:
            compat.insert(0, el("w:doNotExpandShiftReturn"))
        for setting in compat.findall(qn("w:compatSetting")):
            if setting.get(qn("w:name")) == "compatibilityMode":
                setting.set(qn("w:val"), "15")


def core_properties(
    docx_document: Any, document: Document, created: datetime.datetime, modified: datetime.datetime
) -> None:
    """Every core property set from the front matter, none left from the template; created
    on the document's date, modified at the build's time (``reproducible``)."""
    meta = document.meta
    props = docx_document.core_properties
    texts = {
        "title": meta.title,
        "creator": meta.author,
        "lastModifiedBy": meta.author,
        "subject": meta.description,
        "keywords": "; ".join(meta.keywords),
        "language": meta.lang,
        # The template's "generated by python-docx".
        "description": "",
    }
    element = props._element
    for name, text in texts.items():
        # Written on the element: python-docx's setters refuse more than 255 characters,
        # which the format does not limit and a description may well exceed.
        element._get_or_add(name).text = text
    props.revision = 1
    props.created = created.astimezone(datetime.UTC).replace(tzinfo=None)
    props.modified = modified.astimezone(datetime.UTC).replace(tzinfo=None)
    # Empty properties (the template's category and the like, or no author) are left out.
    for child in list(element):
        if not (child.text or "").strip():
            element.remove(child)


def app_properties(docx_document: Any, document: Document) -> None:
    """docProps/app.xml: this program, the publisher as company; no stale page counts."""
    part = docx_document.part.package.part_related_by(RT.EXTENDED_PROPERTIES)
    values = {
        "Application": f"report-export {__version__}",
        "DocSecurity": "0",
        "ScaleCrop": "false",
        "Company": document.meta.publisher,
        "LinksUpToDate": "false",
        "SharedDoc": "false",
        "HyperlinksChanged": "false",
    }
    root = _properties(_EXTENDED)
    for name, text in values.items():
        if text:
            etree.SubElement(root, f"{{{_EXTENDED}}}{name}").text = text
    part._blob = _xml(root)


def custom_properties(docx_document: Any, document: Document) -> None:
    """The document's date as written, the provenance entries the source asks to publish
    (``publish_provenance``; none by default: where a copy was found is the source's record,
    not the document's) and the digest of the source it was built from, as custom document
    properties, which Word shows under File > Properties > Custom."""
    entries = list(document.meta.published_provenance())
    if document.meta.date:
        entries.insert(0, ("date", document.meta.date))
    if document.source_digest:
        entries.append((SOURCE_DIGEST_PROPERTY, document.source_digest))
    if not entries:
        return
    root = _properties(_CUSTOM)
    # Property ids 0 and 1 are reserved; the format numbers the rest from 2.
    for pid, (name, value) in enumerate(entries, start=2):
        attrs = {"fmtid": _CUSTOM_FMTID, "pid": str(pid), "name": name}
        prop = etree.SubElement(root, f"{{{_CUSTOM}}}property", attrs)
        etree.SubElement(prop, f"{{{_VT}}}lpwstr").text = value
    package = docx_document.part.package
    part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, _xml(root), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def _properties(namespace: str) -> Element:
    """An empty ``Properties`` root of a docProps part: ``namespace`` the default one, with
    the variant types (``vt:``) its values are written in."""
    # lxml names the default namespace None, where lxml-stubs types every prefix as str.
    nsmap = cast(dict[str, str], {None: namespace, "vt": _VT})
    return etree.Element(f"{{{namespace}}}Properties", nsmap=nsmap)


def font_table(docx_document: Any, layout: Layout) -> None:
    """Every face the theme's stacks open with, its character set (GB2312), its kind and the
    name an office's Windows knows a face of that kind by (``[fonts.office]``: Word looks a
    font up by its ``w:altName`` when the font itself is missing, so an office without Fandol
    gets its own 仿宋, not MS Mincho)."""
    part = docx_document.part.part_related_by(RT.FONT_TABLE)
    fonts = layout.theme.fonts
    faces = {
        fonts.stack(name)[0]: _FAMILY.get(fonts.stack(name)[-1], "auto") for name in fonts.names()
    }
    root = el(
        "w:fonts",
        None,
        *(
            el(
                "w:font",
                {"w:name": name},
                val("w:altName", alt) if (alt := fonts.office_name(name)) else None,
                val("w:charset", "86"),
                val("w:family", family),
                val("w:pitch", "fixed" if family == "modern" else "variable"),
            )
            for name, family in faces.items()
        ),
    )
    part._blob = _xml(root)


_FAMILY = {"serif": "roman", "sans-serif": "swiss", "monospace": "modern"}
"""A stack's generic last name as the font family Word substitutes within."""


def _xml(root: Element) -> bytes:
    """A part's bytes, with the declaration python-docx writes for its own parts."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def theme_fonts(docx_document: Any, layout: Layout) -> None:
    """The Office theme's heading and body fonts set to the theme's faces, Latin and East
    Asian, so Word's "+Headings"/"+Body" choices give the same faces as our styles."""
    part = docx_document.part.part_related_by(RT.THEME)
    root = etree.fromstring(part.blob)
    for scheme, face in (("majorFont", layout.heading_font), ("minorFont", layout.body_font)):
        fonts = root.find(f".//{{{_DRAWING}}}{scheme}")
        if fonts is None:
            continue
        for tag in ("latin", "ea"):
            node = fonts.find(f"{{{_DRAWING}}}{tag}")
            if node is not None:
                node.set("typeface", face)
        for node in fonts.findall(f"{{{_DRAWING}}}font"):
            if node.get("script") == "Hans":
                node.set("typeface", face)
    part._blob = _xml(root)


def number_drawings(elements: list[Element]) -> None:
    """Give every drawing a document-wide unique id (python-docx numbers them per story)."""
    ident = 0
    for root in elements:
        for doc_pr in root.iter(qn("wp:docPr")):
            ident += 1
            doc_pr.set("id", str(ident))
            doc_pr.set("name", f"Picture {ident}")
