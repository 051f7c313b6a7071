"""The package around the text: page, header and footer, settings, properties, fonts, and
the python-docx template's leftovers taken out.

python-docx starts every document from a template made on a Japanese-configured Mac in 2013:
its settings ask for Japanese fallback fonts, its properties name python-docx as author, and it
carries a thumbnail of an empty page, a bibliography stub and a second copy of the styles.
"""

from __future__ import annotations

import datetime
import string
from typing import Any
from xml.sax.saxutils import escape

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from lxml import etree

from ... import __version__
from ...model import Document
from ...theme import PT_PER_MM
from .layout import Layout, mm
from .ooxml import Element, el, field, paragraph, ppr, text_runs, twips, val

_DROPPED_PACKAGE_RELS = {RT.THUMBNAIL}
_DROPPED_DOCUMENT_RELS = {
    RT.CUSTOM_XML,
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
}

# w:settings children in schema order (CT_Settings is a sequence): new ones go in their place.
_SETTINGS_ORDER = (
    "writeProtection",
    "view",
    "zoom",
    "removePersonalInformation",
    "removeDateAndTime",
    "doNotDisplayPageBoundaries",
    "displayBackgroundShape",
    "printPostScriptOverText",
    "printFractionalCharacterWidth",
    "printFormsData",
    "embedTrueTypeFonts",
    "embedSystemFonts",
    "saveSubsetFonts",
    "saveFormsData",
    "mirrorMargins",
    "alignBordersAndEdges",
    "bordersDoNotSurroundHeader",
    "bordersDoNotSurroundFooter",
    "gutterAtTop",
    "hideSpellingErrors",
    "hideGrammaticalErrors",
    "activeWritingStyle",
    "proofState",
    "formsDesign",
    "attachedTemplate",
    "linkStyles",
    "stylePaneFormatFilter",
    "stylePaneSortMethod",
    "documentType",
    "mailMerge",
    "revisionView",
    "trackRevisions",
    "doNotTrackMoves",
    "doNotTrackFormatting",
    "documentProtection",
    "autoFormatOverride",
    "styleLockTheme",
    "styleLockQFSet",
    "defaultTabStop",
    "autoHyphenation",
    "consecutiveHyphenLimit",
    "hyphenationZone",
    "doNotHyphenateCaps",
    "showEnvelope",
    "summaryLength",
    "clickAndTypeStyle",
    "defaultTableStyle",
    "evenAndOddHeaders",
    "bookFoldRevPrinting",
    "bookFoldPrinting",
    "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing",
    "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery",
    "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin",
    "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin",
    "doNotShadeFormData",
    "noPunctuationKerning",
    "characterSpacingControl",
    "printTwoOnOne",
    "strictFirstAndLastChars",
    "noLineBreaksAfter",
    "noLineBreaksBefore",
    "savePreviewPicture",
    "doNotValidateAgainstSchema",
    "saveInvalidXml",
    "ignoreMixedContent",
    "alwaysShowPlaceholderText",
    "doNotDemarcateInvalidXml",
    "saveXmlDataOnly",
    "useXSLTWhenSaving",
    "saveThroughXslt",
    "showXMLTags",
    "alwaysMergeEmptyNamespace",
    "updateFields",
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
)

_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/main"
_CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


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
    for tag in ("w:pgSz", "w:pgMar", "w:cols", "w:titlePg", "w:docGrid"):
        for old in sect_pr.findall(qn(tag)):
            sect_pr.remove(old)
    chrome_line = 1.3 * layout.chrome
    # The PDF sets the running head 6 mm + 2.5 mm above the text block and the page number
    # 8 mm below it; Word measures both from the paper's edge.
    header = mm(page.margin_top_mm) - mm(8.5) - chrome_line
    footer = mm(page.margin_bottom_mm) - mm(8) - chrome_line
    side = layout.theme.side_margin_pt
    new = [
        el(
            "w:pgSz",
            {"w:w": twips(page.width_mm * PT_PER_MM), "w:h": twips(page.height_mm * PT_PER_MM)},
        ),
        el(
            "w:pgMar",
            {
                "w:top": twips(mm(page.margin_top_mm)),
                "w:right": twips(side),
                "w:bottom": twips(mm(page.margin_bottom_mm)),
                "w:left": twips(side),
                "w:header": twips(max(header, 0)),
                "w:footer": twips(max(footer, 0)),
                "w:gutter": "0",
            },
        ),
        el("w:cols", {"w:space": "425"}),
        el("w:titlePg") if title_page else None,
        el("w:docGrid", {"w:linePitch": twips(layout.line)}),
    ]
    # After the header/footer references, which python-docx keeps first.
    for element in new:
        if element is not None:
            sect_pr.append(element)


def header_footer(docx_document: Any, document: Document, layout: Layout) -> list[Element]:
    """The running head (the title, from page 2 on) and the page number on every page; the
    root elements of the headers and footers written."""
    section = docx_document.sections[0]
    running_head = layout.theme.header.running_head == "title"
    page_setup(section, layout, title_page=running_head)
    number = page_number_runs(layout.theme.footer.page_number)
    roots = [_fill(section.footer, [paragraph("Footer", number)])]
    if running_head:
        section.different_first_page_header_footer = True
        roots.append(_fill(section.header, [paragraph("Header", text_runs(document.meta.title))]))
        # Page 1 opens with the title itself: its header stays empty, and without the rule.
        empty = paragraph("Header", [], ppr(borders={"bottom": None}))
        roots.append(_fill(section.first_page_header, [empty]))
        again = page_number_runs(layout.theme.footer.page_number)
        roots.append(_fill(section.first_page_footer, [paragraph("Footer", again)]))
    return roots


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
    _set(settings_element, val("w:defaultTabStop", twips(2 * layout.body)))
    _set(settings_element, el("w:themeFontLang", {"w:val": lang[0], "w:eastAsia": lang[1]}))
    if update_fields:
        _set(settings_element, val("w:updateFields", "true"))
    if footnotes:
        _set(
            settings_element,
            el(
                "w:footnotePr",
                None,
                el("w:footnote", {"w:id": "-1"}),
                el("w:footnote", {"w:id": "0"}),
            ),
        )
    compat = settings_element.find(qn("w:compat"))
    if compat is not None:
        # A justified line ending in a line break is not stretched across the line (Word
        # and LibreOffice both do otherwise by default; the PDF does not).
        if compat.find(qn("w:doNotExpandShiftReturn")) is None:
            compat.insert(0, el("w:doNotExpandShiftReturn"))
        for setting in compat.findall(qn("w:compatSetting")):
            if setting.get(qn("w:name")) == "compatibilityMode":
                setting.set(qn("w:val"), "15")


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _set(parent: Element, child: Element) -> None:
    """Put ``child`` into ``parent`` in schema order, replacing one of the same name."""
    local = etree.QName(child).localname
    for old in parent.findall(child.tag):
        parent.remove(old)
    rank = _SETTINGS_ORDER.index(local)
    for index, existing in enumerate(parent):
        name = etree.QName(existing).localname
        if name in _SETTINGS_ORDER and _SETTINGS_ORDER.index(name) > rank:
            parent.insert(index, child)
            return
    parent.append(child)


def core_properties(docx_document: Any, document: Document, when: datetime.datetime) -> None:
    """Every core property set from the front matter, none left from the template."""
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
    naive = when.astimezone(datetime.UTC).replace(tzinfo=None)
    props.created = naive
    props.modified = naive
    # Empty properties (the template's category and the like, or no author) are left out.
    for child in list(element):
        if not (child.text or "").strip():
            element.remove(child)


def app_properties(docx_document: Any, document: Document) -> None:
    """docProps/app.xml: this program, the publisher as company; no stale page counts."""
    part = docx_document.part.package.part_related_by(RT.EXTENDED_PROPERTIES)
    publisher = document.meta.publisher
    company = f"<Company>{escape(publisher)}</Company>" if publisher else ""
    part._blob = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
        '2006/docPropsVTypes">'
        f"<Application>report-export {escape(__version__)}</Application>"
        "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
        f"{company}<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
    ).encode()


def custom_properties(docx_document: Any, document: Document) -> None:
    """Where the text was recovered from (the front matter's provenance) as custom document
    properties, which Word shows under File > Properties > Custom."""
    entries = list(document.meta.provenance)
    if document.meta.date:
        entries.insert(0, ("date", document.meta.date))
    if not entries:
        return
    properties = "".join(
        f'<property fmtid="{_CUSTOM_FMTID}" pid="{pid}" name="{_attr(name)}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(entries, start=2)
    )
    blob = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/docPropsVTypes">{properties}</Properties>'
    ).encode()
    package = docx_document.part.package
    part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, blob, package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def font_table(docx_document: Any, layout: Layout) -> None:
    """The theme's faces with their character set (GB2312) and family, so Word on a machine
    without them substitutes a Simplified Chinese face of the same kind, not MS Mincho."""
    part = docx_document.part.part_related_by(RT.FONT_TABLE)
    faces = [
        (layout.body_font, "roman"),
        (layout.heading_font, "swiss"),
        (layout.mono_font, "modern"),
    ]
    entries = "".join(
        f'<w:font w:name="{_attr(name)}"><w:charset w:val="86"/><w:family w:val="{family}"/>'
        f'<w:pitch w:val="{"fixed" if family == "modern" else "variable"}"/></w:font>'
        for name, family in dict.fromkeys(faces)
    )
    part._blob = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"{entries}</w:fonts>"
    ).encode()


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
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def number_drawings(elements: list[Element]) -> None:
    """Give every drawing a document-wide unique id (python-docx numbers them per story)."""
    ident = 0
    for root in elements:
        for doc_pr in root.iter(qn("wp:docPr")):
            ident += 1
            doc_pr.set("id", str(ident))
            doc_pr.set("name", f"Picture {ident}")
