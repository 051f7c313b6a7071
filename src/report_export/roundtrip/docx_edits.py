"""An edited DOCX -> what it now says, paragraph by paragraph, with its revisions and comments.

python-docx has no model of revisions, so the body is read with lxml: each paragraph's text and
formatting as it stands once its tracked changes are accepted or rejected (``w:ins``, ``w:del``,
``w:moveFrom``/``w:moveTo``, ``w:rPrChange``, ``w:pPrChange``), the block mark our exporter
wrote (``writer.block_mark``), and every revision and comment, with author and date.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Literal

from lxml import etree

from ..errors import ReportExportError

Mode = Literal["accept", "reject"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MARK = re.compile(r"^_rx_(.+)$")
_HEADING = re.compile(r"^heading\s*(\d)$")
_SKIPPED_STYLES = ("title", "author", "toc", "contents", "tocheading")
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


@dataclass(slots=True)
class EditedDocument:
    """The paragraphs of the body and the footnotes, the comments, and the source digest."""

    body: list[EditedParagraph]
    notes: dict[str, list[EditedParagraph]]
    comments: list[Comment]
    digest: str
    title: str


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
    styles = _style_names(archive, names)
    rels = part("word/_rels/document.xml.rels")
    reader = _Reader(mode, styles)
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
    notes = {reader.note_keys[i]: ps for i, ps in notes_by_id.items()}
    for key, ps in notes.items():
        for p in ps:
            p.in_note = key
    return EditedDocument(
        body=paragraphs,
        notes=notes,
        comments=_comments(comments_root, extended, document),
        digest=_custom_property(custom, DIGEST_PROPERTY),
        title=_core_title(core),
    )


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


def _style_names(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Style id -> its name, lower case without spaces ("Heading 2" -> "heading2")."""
    if "word/styles.xml" not in names:
        return {}
    root = etree.fromstring(archive.read("word/styles.xml"))
    out: dict[str, str] = {}
    for style in root.iter(w("style")):
        name = style.find(w("name"))
        label = name.get(w("val"), "") if name is not None else style.get(w("styleId"), "")
        out[style.get(w("styleId"), "")] = label.lower().replace(" ", "")
    return out


class _Reader:
    def __init__(self, mode: Mode, styles: dict[str, str]) -> None:
        self.mode = mode
        self.styles = styles
        self.note_keys: dict[str, str] = {}
        self.targets: dict[str, str] = {}
        self.note_refs: dict[str, str] = {}
        self.field: list[str] | None = None
        """The instruction of the complex field being read (its result is skipped)."""

    def kind(self, p: etree._Element) -> str | None:
        props = p.find(w("pPr"))
        style_id = ""
        if props is not None:
            style = props.find(w("pStyle"))
            change = props.find(w("pPrChange"))
            if self.mode == "reject" and change is not None:
                old = change.find(f"{w('pPr')}/{w('pStyle')}")
                style = old if old is not None else None
            if style is not None:
                style_id = style.get(w("val"), "")
        name = self.styles.get(style_id, style_id.lower())
        if heading := _HEADING.match(name):
            return f"heading {heading.group(1)}"
        if name.startswith(_SKIPPED_STYLES):
            return None
        if name.startswith("listbullet"):
            return "bullet"
        if name.startswith("listnumber"):
            return "number"
        if name.startswith("table"):
            return "cell"
        if name in ("figure", "captionedfigure", "caption"):
            return "figure"
        if name == "thematicbreak":
            return "break"
        return "text"

    def paragraph(self, p: etree._Element) -> EditedParagraph | None:
        kind = self.kind(p)
        if kind is None:
            return None
        mark = None
        for start in p.iter(w("bookmarkStart")):
            if found := _MARK.match(start.get(w("name"), "")):
                mark = found.group(1)
                break
        out = EditedParagraph(mark, kind, [])
        self.content(p, out, frozenset(), None, dropped=False)
        mark_rpr = p.find(f"{w('pPr')}/{w('rPr')}")
        text = "".join(s.text for s in out.segments)
        if mark_rpr is not None and not text.strip():
            # A paragraph whose mark was inserted (and is rejected) or deleted (and is
            # accepted) is gone with its (empty) content.
            gone = "ins" if self.mode == "reject" else "del"
            if mark_rpr.find(w(gone)) is not None:
                return EditedParagraph(None, "gone", [], out.revisions)
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
                out.segments.append(Segment(child.text or "", marks, link))
            elif tag == "tab":
                out.segments.append(Segment("\t", marks, link))
            elif tag == "footnoteReference":
                key = self.note_keys.get(child.get(w("id"), ""), "")
                out.segments.append(Segment("", marks - {"note"}, link, key))


def _run_marks(props: etree._Element | None) -> frozenset[str]:
    if props is None:
        return frozenset()
    marks: set[str] = set()
    style = props.find(w("rStyle"))
    name = (style.get(w("val"), "") if style is not None else "").lower()
    if name == "strong" or _on(props.find(w("b"))):
        marks.add("strong")
    if name == "emphasis" or _on(props.find(w("i"))):
        marks.add("emph")
    if name in ("htmlcode", "sourcetext"):
        marks.add("code")
    return frozenset(marks)


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


def _core_title(root: etree._Element | None) -> str:
    if root is None:
        return ""
    node = root.find("{http://purl.org/dc/elements/1.1/}title")
    return (node.text or "").strip() if node is not None else ""


def _comments(
    root: etree._Element | None, extended: etree._Element | None, document: etree._Element
) -> list[Comment]:
    """The comments with their anchored text and mark; replies (commentsExtended's
    ``paraIdParent``) under the comment they answer."""
    if root is None:
        return []
    anchors: dict[str, list[str]] = {}
    marks: dict[str, str | None] = {}
    open_ids: set[str] = set()
    current_mark: str | None = None
    for node in document.iter():
        if node.tag == w("p"):
            current_mark = None
        elif node.tag == w("bookmarkStart") and (m := _MARK.match(node.get(w("name"), ""))):
            current_mark = m.group(1)
        elif node.tag == w("commentRangeStart"):
            ident = node.get(w("id"), "")
            open_ids.add(ident)
            anchors.setdefault(ident, [])
            marks.setdefault(ident, current_mark)
        elif node.tag == w("commentRangeEnd"):
            open_ids.discard(node.get(w("id"), ""))
        elif node.tag == w("commentReference"):
            marks.setdefault(node.get(w("id"), ""), current_mark)
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
            c = flat[ident]
            out.append(
                Comment(
                    c.ident,
                    c.author,
                    c.date,
                    c.text,
                    c.anchor,
                    c.mark,
                    tuple(replies.get(ident, [])),
                )
            )
    return out
