"""An edited DOCX -> what it now says, paragraph by paragraph, with its revisions and comments.

python-docx has no model of revisions, so the body is read with lxml: each paragraph's text and
formatting as it stands once its tracked changes are accepted or rejected (``w:ins``, ``w:del``,
``w:moveFrom``/``w:moveTo``, ``w:rPrChange``, ``w:pPrChange``), the block mark our exporter
wrote (``writer.block_mark``), and every revision and comment, with author and date.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path
from typing import Literal

from lxml import etree

from ..errors import ReportExportError
from ..heading_numbers import typed_number
from ..typography import script_breaks

Mode = Literal["accept", "reject"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MARK = re.compile(r"^_rx_(.+)$")
_HEADING = re.compile(r"^heading\s*(\d)$")
# What is no body text: our title page and table of contents, and the metadata paragraphs other
# writers (pandoc) open a document with.
_SKIPPED_STYLES = ("title", "subtitle", "author", "date", "abstract", "toc", "contents")
_VML = "urn:schemas-microsoft-com:vml"
_OFFICE = "urn:schemas-microsoft-com:office:office"
_A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
_WP_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
DIGEST_PROPERTY = "report-export source sha256"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of text with one formatting: marks among strong/emph/code, a link, a note."""

    text: str
    marks: frozenset[str] = frozenset()
    link: str | None = None
    note: str | None = None
    """A footnote reference: the note's key (``n<index>`` for ours, ``new<id>`` for Word's)."""


@dataclass(frozen=True, slots=True)
class Revision:
    """One tracked change: what kind, by whom, when, and the text it touches."""

    kind: str
    author: str
    date: str
    text: str


@dataclass(slots=True)
class EditedParagraph:
    """A paragraph of the edited DOCX as it stands in one mode."""

    mark: str | None
    kind: str
    """``text``, ``heading N``, ``bullet``, ``number``, ``cell``, ``figure`` or ``break``."""
    segments: list[Segment]
    revisions: list[Revision] = field(default_factory=list)
    in_note: str | None = None
    """The note key for a paragraph of a footnote."""
    level: int = 0
    """A list item's level (``w:ilvl``), 0 at the outside."""
    cell: tuple[int, int, int] | None = None
    """A table cell's paragraph: (table, row, column), tables counted from 0 in the body."""
    align: str = ""
    """The paragraph's alignment (``w:jc``) as a table cell's: "", left, center or right."""
    images: list[tuple[str, str]] = field(default_factory=list)
    """The pictures in the paragraph: (the part they are stored in, their description)."""
    element: etree._Element | None = field(default=None, repr=False, compare=False)
    """The ``w:p`` it was read from, while the document is being read."""
    number: str = ""
    """A heading's number that our exporter set in the theme's scheme (in a run of the
    Heading Number style), which ``segments`` leave out: not the source's words."""

    def shown(self) -> list[Segment]:
        """The segments as the DOCX shows them: a heading's number first."""
        return [Segment(self.number), *self.segments] if self.number else self.segments


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment: author, date, its text, the text it is anchored on, its replies."""

    ident: str
    author: str
    date: str
    text: str
    anchor: str
    mark: str | None
    replies: tuple[Comment, ...] = ()
    line: int | None = None
    """The line of the source, as the import wrote it, of the block the comment is on."""
    paragraph: int | None = None
    """The index, among the body's paragraphs, of the one the comment is on (what places it
    when the DOCX has no marks)."""


@dataclass(slots=True)
class EditedDocument:
    """The paragraphs of the body and the footnotes, the comments, and the source digest."""

    body: list[EditedParagraph]
    notes: dict[str, list[EditedParagraph]]
    comments: list[Comment]
    digest: str
    title: str
    author: str = ""
    lang: str = ""
    """The document's default language (``w:lang`` of the style defaults)."""
    east_asian_lang: str = ""
    """Its default language for East Asian text (``w:lang/@w:eastAsia``)."""
    media: dict[str, bytes] = field(default_factory=dict)
    """The bytes of each picture part the paragraphs show."""


def read_edited(path: Path, mode: Mode) -> EditedDocument:
    """Read the DOCX at ``path`` with its tracked changes accepted or rejected; a file that is
    no DOCX is a one-line ``ReportExportError``."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ReportExportError(f"cannot read: {err.strerror}", path) from None
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReportExportError("password-protected or legacy .doc file; save it as DOCX", path)
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        names = set(archive.namelist())
        if "word/document.xml" not in names:
            raise ReportExportError("not a DOCX (no word/document.xml)", path)

        def part(name: str) -> etree._Element | None:
            if name not in names:
                return None
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            return etree.fromstring(archive.read(name), parser)

        document = part("word/document.xml")
        notes_root = part("word/footnotes.xml")
        comments_root = part("word/comments.xml")
        extended = part("word/commentsExtended.xml")
        custom = part("docProps/custom.xml")
        core = part("docProps/core.xml")
    except zipfile.BadZipFile:
        raise ReportExportError("not a DOCX (not a zip file)", path) from None
    except etree.XMLSyntaxError as err:
        raise ReportExportError(f"not a DOCX (broken XML: {err.msg})", path) from None
    assert document is not None
    body = document.find(w("body"))
    if body is None:
        raise ReportExportError("a DOCX with no body", path)
    styles_root = part("word/styles.xml")
    rels = part("word/_rels/document.xml.rels")
    reader = _Reader(mode, _Styles(styles_root), _list_formats(part("word/numbering.xml")))
    if rels is not None:
        reader.targets = {r.get("Id", ""): r.get("Target", "") for r in rels}
    reader.note_refs = _note_ref_bookmarks(body)
    notes_by_id: dict[str, list[EditedParagraph]] = {}
    if notes_root is not None:
        for note in notes_root.iter(w("footnote")):
            if note.get(w("type")) in ("separator", "continuationSeparator"):
                continue
            paragraphs = [p for p in (reader.paragraph(x) for x in note.iter(w("p"))) if p]
            if paragraphs and paragraphs[0].segments:
                # The en space our exporter sets after the note's number.
                first = paragraphs[0].segments[0]
                paragraphs[0].segments[0] = Segment(first.text.lstrip("\u2002"), first.marks)
            notes_by_id[note.get(w("id"), "")] = paragraphs
    reader.note_keys = {
        ident: _note_key(ident, paragraphs) for ident, paragraphs in notes_by_id.items()
    }
    paragraphs = [p for p in (reader.paragraph(x) for x in body.iter(w("p"))) if p is not None]
    index_of = {id(p.element): index for index, p in enumerate(paragraphs)}
    comments = _comments(comments_root, extended, document, index_of)
    _place_cells(body, paragraphs)
    notes = {reader.note_keys[i]: ps for i, ps in notes_by_id.items()}
    for key, ps in notes.items():
        for p in ps:
            p.in_note = key
    media: dict[str, bytes] = {}
    for p in paragraphs:
        for target, _ in p.images:
            if target in names:
                media[target] = archive.read(target)
    return EditedDocument(
        body=paragraphs,
        notes=notes,
        comments=comments,
        digest=_custom_property(custom, DIGEST_PROPERTY),
        title=_core_field(core, "http://purl.org/dc/elements/1.1/}title"),
        author=_core_field(core, "http://purl.org/dc/elements/1.1/}creator"),
        lang=_default_lang(styles_root, "val"),
        east_asian_lang=_default_lang(styles_root, "eastAsia"),
        media=media,
    )


def _place_cells(body: etree._Element, paragraphs: list[EditedParagraph]) -> None:
    """Give each paragraph read from a table cell of the body its (table, row, column)."""
    by_element = {id(p.element): p for p in paragraphs if p.element is not None}
    for t_index, table in enumerate(
        t for t in body.iter(w("tbl")) if not any(a.tag == w("tbl") for a in t.iterancestors())
    ):
        for r_index, row in enumerate(table.iterchildren(w("tr"))):
            for c_index, cell in enumerate(row.iterchildren(w("tc"))):
                for x in cell.iter(w("p")):
                    if (found := by_element.get(id(x))) is not None:
                        found.cell = (t_index, r_index, c_index)
    for p in paragraphs:
        p.element = None


def _note_ref_bookmarks(body: etree._Element) -> dict[str, str]:
    """``_RefNoteN`` bookmark -> the id of the footnote reference it holds (NOTEREF fields
    point at the bookmark, and the bookmark at the note)."""
    out: dict[str, str] = {}
    open_marks: dict[str, str] = {}
    for node in body.iter(w("bookmarkStart"), w("bookmarkEnd"), w("footnoteReference")):
        if node.tag == w("bookmarkStart") and node.get(w("name"), "").startswith("_RefNote"):
            open_marks[node.get(w("id"), "")] = node.get(w("name"), "")
        elif node.tag == w("bookmarkEnd"):
            open_marks.pop(node.get(w("id"), ""), None)
        elif node.tag == w("footnoteReference"):
            for name in open_marks.values():
                out.setdefault(name, node.get(w("id"), ""))
    return out


def _note_key(ident: str, paragraphs: list[EditedParagraph]) -> str:
    for p in paragraphs:
        if p.mark is not None and p.mark.startswith("n_"):
            return "n" + p.mark.split("_")[1]
    return f"new{ident}"


class _Styles:
    """The paragraph styles: each one's name, lower case without spaces ("Heading 2" ->
    "heading2"), and the outline level it gives (``w:outlineLvl``, inherited through
    ``w:basedOn``), which is what makes a paragraph a heading in a DOCX that names its styles
    otherwise."""

    def __init__(self, root: etree._Element | None) -> None:
        self.names: dict[str, str] = {}
        self.outline: dict[str, int] = {}
        based_on: dict[str, str] = {}
        for style in root.iter(w("style")) if root is not None else ():
            ident = style.get(w("styleId"), "")
            name = style.find(w("name"))
            label = name.get(w("val"), "") if name is not None else ident
            self.names[ident] = label.lower().replace(" ", "")
            if (outline := style.find(f"{w('pPr')}/{w('outlineLvl')}")) is not None:
                self.outline[ident] = int(outline.get(w("val"), "9") or 9)
            if (base := style.find(w("basedOn"))) is not None:
                based_on[ident] = base.get(w("val"), "")
        for ident in self.names:
            seen = {ident}
            parent = based_on.get(ident)
            while ident not in self.outline and parent and parent not in seen:
                if parent in self.outline:
                    self.outline[ident] = self.outline[parent]
                seen.add(parent)
                parent = based_on.get(parent)

    def name(self, ident: str) -> str:
        return self.names.get(ident, ident.lower())


def _list_formats(root: etree._Element | None) -> dict[tuple[str, int], str]:
    """(``w:numId``, level) -> the level's ``w:numFmt`` (``bullet``, ``decimal``, ...)."""
    if root is None:
        return {}
    abstract: dict[str, dict[int, str]] = {}
    for node in root.iter(w("abstractNum")):
        levels = abstract.setdefault(node.get(w("abstractNumId"), ""), {})
        for lvl in node.iter(w("lvl")):
            fmt = lvl.find(w("numFmt"))
            levels[int(lvl.get(w("ilvl"), "0"))] = (
                fmt.get(w("val"), "decimal") if fmt is not None else "decimal"
            )
    out: dict[tuple[str, int], str] = {}
    for num in root.iter(w("num")):
        ref = num.find(w("abstractNumId"))
        levels = abstract.get(ref.get(w("val"), "") if ref is not None else "", {})
        for number, number_format in levels.items():
            out[(num.get(w("numId"), ""), number)] = number_format
    return out


class _Reader:
    def __init__(
        self, mode: Mode, styles: _Styles, list_formats: dict[tuple[str, int], str]
    ) -> None:
        self.mode = mode
        self.styles = styles
        self.list_formats = list_formats
        self.note_keys: dict[str, str] = {}
        self.targets: dict[str, str] = {}
        self.note_refs: dict[str, str] = {}
        self.field: list[str] | None = None
        """The instruction of the complex field being read (its result is skipped)."""

    def kind(self, p: etree._Element) -> tuple[str, int] | None:
        """The paragraph's kind (see ``EditedParagraph.kind``) and list level; None for what
        is no body text."""
        props = p.find(w("pPr"))
        if props is not None and self.mode == "reject":
            change = props.find(w("pPrChange"))
            old = change.find(w("pPr")) if change is not None else None
            props = old if old is not None else props
        style_id = ""
        outline: int | None = None
        num: tuple[str, int] | None = None
        if props is not None:
            if (style := props.find(w("pStyle"))) is not None:
                style_id = style.get(w("val"), "")
            if (outline_lvl := props.find(w("outlineLvl"))) is not None:
                outline = int(outline_lvl.get(w("val"), "9") or 9)
            if (numbered := props.find(w("numPr"))) is not None:
                ident, ilvl = numbered.find(w("numId")), numbered.find(w("ilvl"))
                num = (
                    ident.get(w("val"), "") if ident is not None else "",
                    int(ilvl.get(w("val"), "0")) if ilvl is not None else 0,
                )
        name = self.styles.name(style_id)
        level = num[1] if num else 0
        if heading := _HEADING.match(name):
            return f"heading {heading.group(1)}", 0
        if outline is None:
            outline = self.styles.outline.get(style_id)
        if outline is not None and outline < 6:
            return f"heading {outline + 1}", 0
        if name.startswith(_SKIPPED_STYLES):
            return None
        if name.startswith("listbullet"):
            return "bullet", level
        if name.startswith("listnumber"):
            return "number", level
        if name.startswith("table"):
            return "cell", 0
        if name in ("figure", "captionedfigure"):
            return "figure", 0
        if name in ("caption", "imagecaption", "tablecaption"):
            return "caption", 0
        if (
            name == "thematicbreak"
            or p.find(f".//{{{_VML}}}rect[@{{{_OFFICE}}}hr='t']") is not None
        ):
            return "break", 0  # ours, or a VML horizontal rule (pandoc's, Word's old one)
        if name in ("quote", "blocktext", "intensequote"):
            return "quote", 0
        if num is not None and num[0] not in ("", "0"):
            # A list item styled as body text (as pandoc and most writers do): its kind is
            # its level's number format.
            fmt = self.list_formats.get(num, "decimal")
            return ("bullet" if fmt == "bullet" else "number"), level
        return "text", 0

    def paragraph(self, p: etree._Element) -> EditedParagraph | None:
        found_kind = self.kind(p)
        if found_kind is None:
            return None
        kind, level = found_kind
        mark = None
        for start in p.iter(w("bookmarkStart")):
            if found := _MARK.match(start.get(w("name"), "")):
                mark = found.group(1)
                break
        out = EditedParagraph(mark, kind, [], level=level, element=p, align=_alignment(p))
        for blip in p.iter(_A_BLIP):
            target = self.targets.get(blip.get(_R_EMBED, ""), "")
            described = next(
                (a for a in blip.iterancestors() if a.find(_WP_DOCPR) is not None), None
            )
            doc_pr = described.find(_WP_DOCPR) if described is not None else None
            alt = (doc_pr.get("descr") or doc_pr.get("title") or "") if doc_pr is not None else ""
            if target:
                out.images.append(("word/" + target.removeprefix("/word/"), alt))
        self.content(p, out, frozenset(), None, dropped=False)
        _drop_script_breaks(out.segments)
        mark_rpr = p.find(f"{w('pPr')}/{w('rPr')}")
        text = "".join(s.text for s in out.segments)
        if mark_rpr is not None and not text.strip():
            # A paragraph whose mark was inserted (and is rejected) or deleted (and is
            # accepted) is gone with its (empty) content.
            gone = "ins" if self.mode == "reject" else "del"
            if mark_rpr.find(w(gone)) is not None:
                return EditedParagraph(mark, "gone", [], out.revisions, element=p)
        change = p.find(f"{w('pPr')}/{w('pPrChange')}")
        if change is not None:
            out.revisions.append(_revision("paragraph format", change, ""))
        return out

    def content(
        self,
        parent: etree._Element,
        out: EditedParagraph,
        marks: frozenset[str],
        link: str | None,
        *,
        dropped: bool,
    ) -> None:
        for child in parent:
            tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if tag in ("ins", "moveTo", "del", "moveFrom"):
                kept = (tag in ("ins", "moveTo")) == (self.mode == "accept")
                label = {"ins": "insertion", "del": "deletion"}.get(tag, "move")
                out.revisions.append(_revision(label, child, _plain(child)))
                self.content(child, out, marks, link, dropped=dropped or not kept)
            elif tag == "hyperlink":
                anchor = child.get(w("anchor"))
                target = f"#{anchor}" if anchor else self.targets.get(child.get(_R_ID, ""), "")
                if title := child.get(w("tooltip"), ""):
                    target += ' "' + title.replace('"', '\\"') + '"'
                self.content(child, out, marks, target, dropped=dropped)
            elif tag in ("smartTag", "sdt", "sdtContent", "customXml", "fldSimple"):
                self.content(child, out, marks, link, dropped=dropped)
            elif tag == "r" and not dropped:
                self.run(child, out, marks, link)

    def run(
        self, r: etree._Element, out: EditedParagraph, marks: frozenset[str], link: str | None
    ) -> None:
        props = r.find(w("rPr"))
        change = props.find(w("rPrChange")) if props is not None else None
        if change is not None:
            out.revisions.append(_revision("format", change, _plain(r)))
            if self.mode == "reject":
                props = change.find(w("rPr"))
        marks = marks | _run_marks(props)
        # Our heading number opens its heading; what Word typed into its run after it (text
        # typed at a run's end takes the run's style) is the heading's own text.
        number = _style_name(props) == "headingnumber" and not out.segments and not out.number
        for child in r:
            tag = etree.QName(child).localname
            if tag == "fldChar":
                kind = child.get(w("fldCharType"))
                if kind == "begin":
                    self.field = []
                elif kind == "separate" and self.field is not None:
                    instruction = "".join(self.field).split()
                    if instruction[:1] == ["NOTEREF"] and len(instruction) > 1:
                        ident = self.note_refs.get(instruction[1], "")
                        out.segments.append(Segment("", marks, link, self.note_keys.get(ident)))
                elif kind == "end":
                    self.field = None
            elif tag == "instrText" and self.field is not None:
                self.field.append(child.text or "")
            elif self.field is not None:
                continue
            elif tag in ("t", "delText"):
                text = child.text or ""
                if number:
                    out.number, number = typed_number(text), False
                    text = text[len(out.number) :]
                out.segments.append(Segment(text, marks, link))
            elif tag == "tab":
                out.segments.append(Segment("\t", marks, link))
            elif tag == "footnoteReference":
                key = self.note_keys.get(child.get(w("id"), ""), "")
                out.segments.append(Segment("", marks - {"note"}, link, key))


def _drop_script_breaks(segments: list[Segment]) -> None:
    """Take out the zero-width spaces our DOCX puts between Chinese and Latin letters or
    digits (``typography.SCRIPT_BREAK``), which may stand at a run's edge."""
    breaks = set(script_breaks("".join(s.text for s in segments)))
    start = 0
    for index, segment in enumerate(segments):
        end = start + len(segment.text)
        if any(start <= b < end for b in breaks):
            kept = "".join(c for i, c in enumerate(segment.text, start) if i not in breaks)
            segments[index] = replace(segment, text=kept)
        start = end


def _alignment(p: etree._Element) -> str:
    jc = p.find(f"{w('pPr')}/{w('jc')}")
    value = jc.get(w("val"), "") if jc is not None else ""
    return {"left": "left", "start": "left", "center": "center"}.get(
        value, "right" if value in ("right", "end") else ""
    )


def _run_marks(props: etree._Element | None) -> frozenset[str]:
    if props is None:
        return frozenset()
    marks: set[str] = set()
    name = _style_name(props)
    if name == "strong" or _on(props.find(w("b"))):
        marks.add("strong")
    if name == "emphasis" or _on(props.find(w("i"))):
        marks.add("emph")
    if name in ("htmlcode", "sourcetext"):
        marks.add("code")
    return frozenset(marks)


def _style_name(props: etree._Element | None) -> str:
    """A run's character style, lower case ("strong", "headingnumber"); "" for none."""
    style = props.find(w("rStyle")) if props is not None else None
    return (style.get(w("val"), "") if style is not None else "").lower()


def _on(toggle: etree._Element | None) -> bool:
    return toggle is not None and toggle.get(w("val"), "true") not in ("0", "false", "off")


def _plain(element: etree._Element) -> str:
    return "".join(
        t.text or "" for t in element.iter() if t.tag in (w("t"), w("delText")) and t.text
    )


def _revision(kind: str, element: etree._Element, text: str) -> Revision:
    return Revision(kind, element.get(w("author"), ""), element.get(w("date"), ""), text)


def _custom_property(root: etree._Element | None, name: str) -> str:
    if root is None:
        return ""
    for prop in root.iter(f"{{{_CUSTOM}}}property"):
        if prop.get("name") == name:
            return "".join(str(t) for t in prop.itertext()).strip()
    return ""


def _core_field(root: etree._Element | None, tag: str) -> str:
    """A core property (``docProps/core.xml``) by its tag, without the opening brace."""
    if root is None:
        return ""
    node = root.find("{" + tag)
    return (node.text or "").strip() if node is not None else ""


def _default_lang(root: etree._Element | None, which: str) -> str:
    lang = root.find(f"{w('docDefaults')}//{w('lang')}") if root is not None else None
    return (lang.get(w(which)) or "") if lang is not None else ""


def _comments(
    root: etree._Element | None,
    extended: etree._Element | None,
    document: etree._Element,
    index_of: dict[int, int],
) -> list[Comment]:
    """The comments with their anchored text, mark and paragraph (``index_of``: a ``w:p``'s
    id -> its index among the body's paragraphs); replies (commentsExtended's
    ``paraIdParent``) under the comment they answer."""
    if root is None:
        return []
    anchors: dict[str, list[str]] = {}
    marks: dict[str, str | None] = {}
    places: dict[str, int | None] = {}
    open_ids: set[str] = set()
    current_mark: str | None = None
    current: int | None = None
    for node in document.iter():
        if node.tag == w("p"):
            current_mark, current = None, index_of.get(id(node))
        elif node.tag == w("bookmarkStart") and (m := _MARK.match(node.get(w("name"), ""))):
            current_mark = m.group(1)
        elif node.tag == w("commentRangeStart"):
            ident = node.get(w("id"), "")
            open_ids.add(ident)
            anchors.setdefault(ident, [])
            marks.setdefault(ident, current_mark)
            places.setdefault(ident, current)
        elif node.tag == w("commentRangeEnd"):
            open_ids.discard(node.get(w("id"), ""))
        elif node.tag == w("commentReference"):
            marks.setdefault(node.get(w("id"), ""), current_mark)
            places.setdefault(node.get(w("id"), ""), current)
        elif node.tag in (w("t"), w("delText")) and node.text:
            for ident in open_ids:
                anchors[ident].append(node.text)
    parents: dict[str, str] = {}
    if extended is not None:
        for ex in extended.iter(f"{{{W15}}}commentEx"):
            parent = ex.get(f"{{{W15}}}paraIdParent")
            if parent:
                parents[ex.get(f"{{{W15}}}paraId", "")] = parent
    by_para: dict[str, str] = {}
    flat: dict[str, Comment] = {}
    order: list[str] = []
    for comment in root.iter(w("comment")):
        ident = comment.get(w("id"), "")
        for p in comment.iter(w("p")):
            para_id = p.get(f"{{{W14}}}paraId")
            if para_id:
                by_para[para_id] = ident
        flat[ident] = Comment(
            ident,
            comment.get(w("author"), ""),
            comment.get(w("date"), ""),
            "\n".join("".join(t.text or "" for t in p.iter(w("t"))) for p in comment.iter(w("p"))),
            "".join(anchors.get(ident, [])),
            marks.get(ident),
            paragraph=places.get(ident),
        )
        order.append(ident)
    parent_of = {
        by_para[c]: by_para[p] for c, p in parents.items() if c in by_para and p in by_para
    }
    replies: dict[str, list[Comment]] = {}
    for ident in order:
        if ident in parent_of:
            replies.setdefault(parent_of[ident], []).append(flat[ident])
    out = []
    for ident in order:
        if ident not in parent_of:
            out.append(replace(flat[ident], replies=tuple(replies.get(ident, []))))
    return out
