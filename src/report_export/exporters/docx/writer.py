"""Model blocks and inlines -> WordprocessingML, for the body and for footnotes alike.

Every node type is matched explicitly and ends in ``assert_never``: a node type added to the
model fails here, loudly, instead of vanishing from the DOCX.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, assert_never

from docx.image.exceptions import (
    InvalidImageStreamError,
    UnexpectedEndOfFileError,
    UnrecognizedImageError,
)
from docx.image.image import Image as DocxImage
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from ...assets import read_image
from ...errors import ReportExportError
from ...heading_numbers import HeadingNumber
from ...model import (
    Block,
    BlockQuote,
    BulletList,
    Code,
    Document,
    Emph,
    Footnote,
    FootnoteRef,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    OrderedList,
    Paragraph,
    Strong,
    Table,
    TableCell,
    Text,
    ThematicBreak,
    headings,
    walk_inlines,
)
from ...table_layout import SHORT_TABLE_ROWS, column_count, column_shares
from .layout import LIST_STYLE_LEVELS, Layout
from .numbering import LEVELS, Numbering
from .ooxml import (
    EMU_PER_PT,
    Element,
    Indent,
    bookmark,
    el,
    paragraph,
    ppr,
    rpr,
    run,
    text_el,
    text_runs,
    twips,
    val,
)
from .ooxml import field as field_runs
from .styles import bullet_style, continue_style, heading_style, number_style


def block_mark(path: tuple[int | str, ...]) -> str:
    """The bookmark that marks the paragraph written for the model block at ``path`` (indices
    into blocks, list items and their blocks, or a table's ``r``ow and ``c``ell; a footnote's
    path starts with ``n`` and the note's index): ``(3, 1, 0)`` -> ``_rx_3_1_0``. An import
    of the edited DOCX maps each paragraph back to its source block by it; zero-width at the
    paragraph's start, it survives editing in Word and LibreOffice and shows in no dialog."""
    return "_rx_" + "_".join(str(step) for step in path)


# Character styles, and what each means as direct formatting when a run sits inside another
# (a run has one character style: the innermost; the outer ones are added directly).
STRONG, EMPHASIS, CODE, HYPERLINK, NOTE_REFERENCE = (
    "Strong",
    "Emphasis",
    "HTMLCode",
    "Hyperlink",
    "FootnoteReference",
)
HEADING_NUMBER = "HeadingNumber"
"""The character style of a heading's number in the theme's scheme (``heading_numbers``):
the import knows the run as ours and gives back the number the source typed."""

CSS_PX_PT = 0.75
"""A CSS pixel in points."""

# Formats Word shows and python-docx measures; WebP is converted to PNG, SVG is refused.
_DOCX_IMAGES = {"image/png", "image/jpeg", "image/gif"}


def bookmark_name(ident: str, taken: set[str]) -> str:
    """A Word bookmark name for a heading id: letters, digits and _, at most 40 characters
    (``sec-2-3`` -> ``_sec_2_3``). The leading _ makes it hidden, as Word's own _Toc marks
    are: links and the TOC reach it, the Bookmark dialog does not list it."""
    name = "_" + re.sub(r"[^0-9A-Za-z_]", "_", ident)
    name = name[:40]
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        suffix = f"_{n}"
        candidate = name[: 40 - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


class Notes:
    """Footnote numbering: ids in order of first reference from the body (Word numbers
    footnotes by position, so id n is the note numbered n), and bookmarks on the first
    reference of notes referred to more than once."""

    def __init__(self, document: Document) -> None:
        self.document = document
        counts = Counter(
            inline.label
            for blocks in (document.blocks, *(note.children for note in document.footnotes))
            for inline in walk_inlines(tuple(blocks))
            if isinstance(inline, FootnoteRef)
        )
        self.shared = {label for label, count in counts.items() if count > 1}
        self.ids: dict[str, int] = {}
        self.position = {note.label: i for i, note in enumerate(document.footnotes)}
        """Each note's place in the model's ``footnotes`` (by label: ``tuple.index`` would
        compare whole notes, a scan of every note for each, quadratic at 10,000)."""

    def first_reference(self, label: str) -> int | None:
        """The new note id if ``label`` was not referenced before, else None."""
        if label in self.ids:
            return None
        self.ids[label] = len(self.ids) + 1
        return self.ids[label]

    def bookmark(self, label: str) -> str | None:
        """The bookmark on the first reference, for a note referenced again (NOTEREF)."""
        if label not in self.shared or label not in self.ids:
            return None
        return f"_RefNote{self.ids[label]}"

    def referenced(self) -> list[tuple[int, Footnote]]:
        """(id, note) of every note the body references, in id order."""
        notes = self.document.footnotes
        return [(ident, notes[self.position[label]]) for label, ident in self.ids.items()]


@dataclass
class Context:
    """What every story of one document shares: numbering, notes, bookmarks, images."""

    document: Document
    layout: Layout
    numbering: Numbering
    notes: Notes
    heading_bookmarks: dict[str, str] = field(default_factory=dict)
    heading_numbers: Mapping[str, HeadingNumber] = field(default_factory=dict)
    """The headings numbered in the theme's scheme, by id."""
    next_bookmark_id: int = 0

    @classmethod
    def create(
        cls,
        document: Document,
        layout: Layout,
        numbering: Numbering,
        heading_numbers: Mapping[str, HeadingNumber],
    ) -> Context:
        taken: set[str] = set()
        marks = {h.id: bookmark_name(h.id, taken) for h in headings(document)}
        return cls(document, layout, numbering, Notes(document), marks, heading_numbers)

    def bookmark_id(self) -> int:
        self.next_bookmark_id += 1
        return self.next_bookmark_id


@dataclass(frozen=True, slots=True)
class Scope:
    """Where blocks are being written: the style of running text there, the level a list
    would take, how deep in quotes."""

    text_style: str = "BodyText"
    list_level: int = 0
    quote_depth: int = 0
    in_note: bool = False
    path: tuple[int | str, ...] = ()
    """Where the block being written sits in the model (see ``block_mark``)."""


class StoryWriter:
    """Writes model blocks into one story (the body, or the footnotes) of ``part``."""

    def __init__(self, context: Context, part: Any) -> None:
        self.context = context
        self.layout = context.layout
        self.part = part

    # --- blocks ---------------------------------------------------------------------------

    def blocks(self, blocks: Sequence[Block], scope: Scope, first: int = 0) -> list[Element]:
        out: list[Element] = []
        for index, block in enumerate(blocks, start=first):
            out += self.block(block, replace(scope, path=(*scope.path, index)))
        return out

    def marked(self, p: Element, path: tuple[int | str, ...]) -> Element:
        """``p`` opened by the bookmark of the model block at ``path`` (after its properties)."""
        ident = str(self.context.bookmark_id())
        start = el("w:bookmarkStart", {"w:id": ident, "w:name": block_mark(path)})
        position = 1 if p.find(qn("w:pPr")) is not None else 0
        p.insert(position, start)
        p.insert(position + 1, el("w:bookmarkEnd", {"w:id": ident}))
        return p

    def block(self, block: Block, scope: Scope) -> list[Element]:
        match block:
            case Heading(level=level, children=children, id=ident):
                if scope.in_note:
                    # A heading in a footnote is no part of the outline: a bold line.
                    bold = self.inlines(children, scope, (STRONG,))
                    return [self.marked(paragraph(scope.text_style, bold), scope.path)]
                number = self.context.heading_numbers.get(ident)
                if number is None:
                    content = self.inlines(children, scope)
                else:
                    label = text_runs(number.label, HEADING_NUMBER)
                    content = [*label, *self.inlines(number.rest, scope)]
                name = self.context.heading_bookmarks.get(ident)
                if name is not None:
                    content = bookmark(self.context.bookmark_id(), name, content)
                return [self.marked(paragraph(heading_style(level), content), scope.path)]
            case Paragraph(children=children):
                return [self.marked(self.text_paragraph(children, scope), scope.path)]
            case BulletList(items=items):
                return self.list_blocks(items, None, scope)
            case OrderedList(items=items, start=start):
                return self.list_blocks(items, start, scope)
            case BlockQuote(children=children):
                return self.blocks(children, self.quoted(scope))
            case Table():
                return [self.table(block, scope)]
            case Image():
                figure = self.figure(block)
                self.marked(figure[0], scope.path)
                return figure
            case ThematicBreak():
                return [self.marked(paragraph("ThematicBreak", []), scope.path)]
            case _:
                assert_never(block)

    def text_paragraph(self, children: Sequence[Inline], scope: Scope) -> Element:
        extra: list[Element] = []
        if scope.quote_depth > 1 or (scope.in_note and scope.quote_depth):
            # Word has one Quote style; a quote inside a quote steps in by direct indent.
            extra = ppr(indent=self.quote_indent(scope))
        return paragraph(scope.text_style, self.inlines(children, scope), extra)

    def quoted(self, scope: Scope) -> Scope:
        style = scope.text_style if scope.in_note else "Quote"
        return replace(scope, text_style=style, quote_depth=scope.quote_depth + 1)

    def quote_indent(self, scope: Scope) -> Indent:
        body = self.layout.body
        if scope.in_note:
            return Indent(left=body * scope.quote_depth)
        return Indent(
            left=2 * body * scope.quote_depth,
            right=2 * body,
            first_line=self.layout.first_line_indent,
            first_line_chars=self.layout.theme.text.first_line_indent_chars,
        )

    def list_blocks(
        self, items: tuple[tuple[Block, ...], ...], start: int | None, scope: Scope
    ) -> list[Element]:
        level = min(scope.list_level, LEVELS - 1)
        numbering = self.context.numbering
        if start is None:
            num_id, style = numbering.bullets(), bullet_style(level)
        else:
            num_id, style = numbering.numbered(start, level), number_style(level)
        extra: list[Element] = []
        if level >= LIST_STYLE_LEVELS:
            # Past Word's five list styles the level's own indent is given directly.
            indent = Indent(left=self.layout.list_indent(level), hanging=self.layout.list_hanging)
            extra = [indent.element()]
        inner = replace(scope, text_style=continue_style(level), list_level=level + 1)
        out: list[Element] = []
        for number, item in enumerate(items):
            at = (*scope.path, number)
            first = item[0] if item and isinstance(item[0], Paragraph) else None
            content = self.inlines(first.children, scope) if first is not None else []
            p = paragraph(style, content, [*ppr(numbering=(num_id, level)), *extra])
            # An item that opens with another block has an empty numbered paragraph: unmarked.
            out.append(self.marked(p, (*at, 0)) if first is not None else p)
            rest = item[1:] if first is not None else item
            out += self.blocks(rest, replace(inner, path=at), first=len(item) - len(rest))
        return out

    def table(self, table: Table, scope: Scope) -> Element:
        columns = column_count(table)
        widths = self.column_widths(table)
        look = {
            "w:val": "0620",
            "w:firstRow": "1",
            "w:lastRow": "0",
            "w:firstColumn": "0",
            "w:lastColumn": "0",
            "w:noHBand": "1",
            "w:noVBand": "1",
        }
        element = el(
            "w:tbl",
            None,
            el(
                "w:tblPr",
                None,
                val("w:tblStyle", "ReportTable"),
                el("w:tblW", {"w:w": twips(sum(widths)), "w:type": "dxa"}),
                el("w:tblLayout", {"w:type": "fixed"}),
                el("w:tblLook", look),
            ),
            el("w:tblGrid", None, *(el("w:gridCol", {"w:w": twips(w)}) for w in widths)),
        )
        body_rows = len(table.rows)
        for index, row in enumerate((table.header, *table.rows)):
            header = index == 0
            # Two body rows after a page break: the last but one keeps with the last; a
            # table of three rows or fewer keeps whole. (The header keeps with the first
            # row by its style; keeping the first body row with the second as well makes
            # LibreOffice 7.4 break the table half a page early, after moving it.)
            keep = (
                not header
                and index < body_rows
                and (index == body_rows - 1 or body_rows <= SHORT_TABLE_ROWS)
            )
            row_path = (*scope.path, f"r{index}")
            real = len(row)
            cells = list(row) + [TableCell(())] * (columns - len(row))
            row_properties = el(
                "w:trPr", None, el("w:cantSplit"), el("w:tblHeader") if header else None
            )
            tr = el("w:tr", None, row_properties)
            for column, (cell, width) in enumerate(zip(cells, widths, strict=True)):
                align = {"left": "left", "center": "center", "right": "right"}.get(cell.align)
                content = paragraph(
                    "TableHeading" if header else "TableText",
                    self.inlines(cell.children, scope),
                    ppr(align=align, keep_next=keep),
                )
                if column < real:
                    self.marked(content, (*row_path, f"c{column}"))
                tc_properties = el(
                    "w:tcPr", None, el("w:tcW", {"w:w": twips(width), "w:type": "dxa"})
                )
                tr.append(el("w:tc", None, tc_properties, content))
            element.append(tr)
        return element

    def column_widths(self, table: Table) -> list[float]:
        """Column widths filling the text block, as the PDF's (``table_layout``)."""
        width = self.layout.text_width
        return [share * width for share in column_shares(table, width, self.layout.small)]

    def figure(self, image: Image) -> list[Element]:
        document = self.context.document
        picture_file = read_image(document, image.src)
        path, kind, blob = picture_file.path, picture_file.media_type, picture_file.data
        if kind == "image/webp":
            blob = _webp_to_png(image.src, blob)
        elif kind not in _DOCX_IMAGES:
            raise ReportExportError(
                f"image {image.src!r}: a DOCX cannot show {kind}; use PNG or JPEG",
                document.base_dir / image.src,
            )
        try:
            picture_info = DocxImage.from_blob(blob)
        except (UnrecognizedImageError, UnexpectedEndOfFileError, InvalidImageStreamError):
            raise ReportExportError(
                f"image {image.src!r}: the file is damaged or not the image it claims", path
            ) from None
        width, height = self.figure_size(picture_info)
        inline = self.part.new_pic_inline(io.BytesIO(blob), width, height)
        doc_pr = inline.find(qn("wp:docPr"))
        doc_pr.set("descr", image.alt or image.title)
        if image.title:
            doc_pr.set("title", image.title)
        picture = paragraph(
            "CaptionedFigure" if image.title else "Figure",
            [run([el("w:drawing", None, inline)])],
        )
        if not image.title:
            return [picture]
        return [picture, paragraph("Caption", text_runs(image.title))]

    def figure_size(self, image: Any) -> tuple[int, int]:
        """The image's size as the PDF sets it (a pixel is a CSS pixel, 0.75 pt, whatever
        resolution the file claims), shrunk to fit the text block and leave room for a
        caption (``Theme.figure_max_height_pt``, as in the PDF), in EMU."""
        width = image.px_width * CSS_PX_PT * EMU_PER_PT
        height = image.px_height * CSS_PX_PT * EMU_PER_PT
        limit_w = self.layout.text_width * EMU_PER_PT
        limit_h = self.layout.theme.figure_max_height_pt * EMU_PER_PT
        scale = min(1.0, limit_w / width, limit_h / height)
        return round(width * scale), round(height * scale)

    # --- inlines --------------------------------------------------------------------------

    def inlines(
        self, inlines: Sequence[Inline], scope: Scope, marks: tuple[str, ...] = ()
    ) -> list[Element]:
        out: list[Element] = []
        for inline in inlines:
            match inline:
                case Text(text=text):
                    out += text_runs(text, *self.format(marks))
                case Emph(children=children):
                    out += self.inlines(children, scope, (*marks, EMPHASIS))
                case Strong(children=children):
                    out += self.inlines(children, scope, (*marks, STRONG))
                case Code(text=text):
                    out += text_runs(text, *self.format((*marks, CODE)))
                case Link(children=children, target=target, title=title):
                    out += self.link(children, target, title, scope, marks)
                case FootnoteRef(label=label):
                    out += self.footnote_reference(label, scope)
                case LineBreak():
                    out.append(run([el("w:br")], *self.format(marks)))
                case _:
                    assert_never(inline)
        return out

    def format(self, marks: tuple[str, ...]) -> tuple[str | None, Element | None]:
        """The character style of a run inside ``marks`` (the innermost) and the direct
        formatting that carries the outer ones, where the inner style does not override."""
        if not marks:
            return None, None
        layout = self.layout
        meaning: dict[str, dict[str, Any]] = {
            STRONG: {"bold": True},
            EMPHASIS: {"font": layout.heading_font},
            CODE: {"font": layout.mono_font},
            HYPERLINK: {"color": layout.colors.link},
        }
        inner = marks[-1]
        direct: dict[str, Any] = {}
        for mark in marks[:-1]:
            direct.update(meaning[mark])
        for key in meaning[inner]:
            direct.pop(key, None)
        return inner, (rpr(**direct) if direct else None)

    def link(
        self,
        children: Sequence[Inline],
        target: str,
        title: str,
        scope: Scope,
        marks: tuple[str, ...],
    ) -> list[Element]:
        content = self.inlines(children, scope, (*marks, HYPERLINK))
        if not target:
            return content
        attrs = {"w:history": "1"}
        if target.startswith("#"):
            fragment = target[1:]
            attrs["w:anchor"] = self.context.heading_bookmarks.get(fragment, fragment)
        else:
            attrs["r:id"] = self.part.relate_to(target, RT.HYPERLINK, is_external=True)
        if title:
            attrs["w:tooltip"] = title
        return [el("w:hyperlink", attrs, *content)]

    def footnote_reference(self, label: str, scope: Scope) -> list[Element]:
        notes = self.context.notes
        ident = None if scope.in_note else notes.first_reference(label)
        if ident is not None:
            reference = run([el("w:footnoteReference", {"w:id": str(ident)})], NOTE_REFERENCE)
            name = notes.bookmark(label)
            if name is None:
                return [reference]
            return bookmark(self.context.bookmark_id(), name, [reference])
        name = notes.bookmark(label)
        number = str(notes.ids.get(label, ""))
        if name is None:
            # A note's call inside another note (the body calls it once; the reader refuses a
            # note no body text calls): Word has no footnote in a footnote, so the call is the
            # note's number, set as a reference mark.
            return [run([text_el(number)], NOTE_REFERENCE)]
        # A second reference to a note: Word's cross-reference to a footnote number, which
        # follows renumbering (\f formats it as a footnote reference, \h links it).
        return field_runs(f"NOTEREF {name} \\f \\h", number, NOTE_REFERENCE)

    def note(self, ident: int, note: Footnote) -> Element:
        """A ``w:footnote``: the note's blocks, the first paragraph opened by its number."""
        index = self.context.notes.position[note.label]
        scope = Scope(text_style="FootnoteText", in_note=True, path=("n", index))
        blocks = self.blocks(note.children, scope)
        mark = [
            # The number in the note itself is full size, followed by an en space, as in
            # the PDF; in the text it is a superscript (the Footnote Reference style).
            run([el("w:footnoteRef")], rpr=el("w:rPr", None, val("w:vertAlign", "baseline"))),
            run([text_el("\u2002")]),
        ]
        first = blocks[0] if blocks else None
        if first is None or first.tag != qn("w:p") or _style_of(first) != "FootnoteText":
            first = paragraph("FootnoteText", [])
            blocks.insert(0, first)
        properties = first.find(qn("w:pPr"))
        position = 1 if properties is not None else 0
        for offset, element in enumerate(mark):
            first.insert(position + offset, element)
        return el("w:footnote", {"w:id": str(ident)}, *blocks)


def _style_of(p: Element) -> str | None:
    style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return style.get(qn("w:val")) if style is not None else None


def _webp_to_png(src: str, blob: bytes) -> bytes:
    """WebP, which Word 2016 and LibreOffice 7.4 cannot show, as PNG."""
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(blob)) as picture:
            out = io.BytesIO()
            picture.save(out, format="PNG", optimize=False)
    except OSError as err:
        raise ReportExportError(f"image {src!r}: not a readable WebP file ({err})") from None
    return out.getvalue()
