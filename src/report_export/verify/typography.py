"""The PDF's typography read back: what a print shop would send back, counted and placed.

pdfminer.six gives every glyph with its position; the PDF's structure tree (a tagged PDF, as
every build makes) says which paragraph, list item, footnote, heading or table cell each glyph
belongs to, through the marked-content ids it is drawn under. From those, per line:

- a justified line that is not its paragraph's last must end at the measure (within
  ``FLUSH_PT``): the text block's right edge, or a block quote's, its longest line;
- two adjacent punctuation marks that clreq compresses (``，“``, ``）。``) must stand at most
  ``PAIR_EM`` apart;
- a paragraph's last line must hold more than one character (punctuation does not count);
- no line starts with closing or ends with opening punctuation (禁则);
- a table split over pages leaves at least two body rows on each page.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTChar, LTPage, LTTextContainer, LTTextLine
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import PSLiteral

from ..adjacent_punctuation import compressed_pair
from ..errors import ReportExportError
from ..theme import PT_PER_MM, Theme

FLUSH_PT = 0.5
"""How far short of the measure a justified line may end."""
PAIR_EM = 0.75
"""The most two compressed punctuation marks may stand apart (1.0 uncompressed, 0.5 set)."""

LINE_START_FORBIDDEN = frozenset("，。、；：？！”’）》」』】〕〉〗〙,.;:?!)]}")
"""Closing punctuation: never at a line's start."""
LINE_END_FORBIDDEN = frozenset("“‘（《「『【〔〈〖〘([{")
"""Opening punctuation: never at a line's end."""

KINDS = (
    "justified lines short of the measure",
    "uncompressed punctuation pairs",
    "single-character last lines",
    "lines starting with closing punctuation",
    "lines ending with opening punctuation",
    "table splits leaving fewer than two body rows",
)
"""What the check counts, in the order it reports them."""

_PARAGRAPHS = frozenset({"P", "LBody"})
_BLOCKS = _PARAGRAPHS | {"H1", "H2", "H3", "H4", "H5", "H6", "TD", "TH", "Caption", "Lbl"}
_NOTE = "NonStruct"
"""A footnote (its call, marker and text) is a NonStruct inside the paragraph that calls it."""


@dataclass(frozen=True, slots=True)
class Glyph:
    char: str
    x0: float
    x1: float
    size: float


@dataclass(slots=True)
class Block:
    """A structure element that holds lines of text (a paragraph, a cell, a footnote)."""

    kind: str
    parent: Block | None
    quote: int | None
    """The block quote it is in (an id), if any."""
    lines: list[Line] = field(default_factory=list)

    @property
    def justified(self) -> bool:
        return self.kind in _PARAGRAPHS or self.kind == _NOTE


@dataclass(slots=True)
class Line:
    page: int
    top: float
    glyphs: list[Glyph]
    calls: int = 0
    """Glyphs of a footnote call on the line (not characters of the text)."""

    @property
    def text(self) -> str:
        return "".join(glyph.char for glyph in self.glyphs)

    @property
    def end(self) -> float:
        ink = [glyph for glyph in self.glyphs if not glyph.char.isspace()]
        return ink[-1].x1 if ink else self.glyphs[-1].x1

    def place(self) -> str:
        text = self.text.strip()
        excerpt = text if len(text) <= 14 else text[:6] + "…" + text[-7:]
        return f"page {self.page}: «{excerpt}»"


@dataclass(frozen=True, slots=True)
class Typography:
    """The counts and the places of each kind of fault, in ``KINDS`` order."""

    places: dict[str, list[str]]

    @property
    def ok(self) -> bool:
        return not any(self.places.values())

    def lines(self) -> list[str]:
        """One line a kind: its count and its first places."""
        out = []
        for kind in KINDS:
            found = self.places[kind]
            shown = "; ".join(found[:5]) + (f"; +{len(found) - 5} more" if len(found) > 5 else "")
            out.append(f"{len(found):4}  {kind}" + (f": {shown}" if found else ""))
        return out


class NotTagged(ValueError):
    """The PDF has no structure tree: the check cannot tell paragraphs apart."""


def typography_report(source: Path, out_dir: Path, theme_name: str = "default") -> list[str]:
    """``report-export typography``: the counts of the PDF built from ``source`` into
    ``out_dir``, one line a kind after a heading line that says where the PDF is."""
    from ..build import BuildRequest, output_path
    from ..exporters import load_exporter
    from ..theme import load_theme

    path = output_path(BuildRequest(source, out_dir), load_exporter("pdf"))
    if not path.is_file():
        raise ReportExportError(f"{path}: no such PDF (build it first)")
    theme = load_theme(theme_name, source.parent)
    try:
        found = check_typography(path, theme)
    except NotTagged as err:
        raise ReportExportError(f"{path}: {err}") from None
    verdict = "ok" if found.ok else "FAULTS"
    return [f"typography {verdict}  {path}", *found.lines()]


def check_typography(path: Path, theme: Theme) -> Typography:
    """Read the PDF at ``path`` back and count its faults of typesetting (see the module)."""
    blocks, tables = _read(path)
    places: dict[str, list[str]] = {kind: [] for kind in KINDS}
    right = theme.page.width_mm * PT_PER_MM - theme.side_margin_pt
    quote_edges: dict[int, float] = {}
    for block in blocks:
        if block.quote is not None and block.lines:
            edge = max(line.end for line in block.lines)
            quote_edges[block.quote] = max(quote_edges.get(block.quote, 0.0), edge)
    for block in blocks:
        edge = quote_edges[block.quote] if block.quote is not None else right
        _check_block(block, edge, theme.text.align == "justify", places)
    places[KINDS[5]] = _table_splits(tables)
    return Typography(places)


def _check_block(block: Block, edge: float, justify: bool, places: dict[str, list[str]]) -> None:
    lines = [line for line in block.lines if line.text.strip()]
    for index, line in enumerate(lines):
        text = line.text.strip()
        if text[0] in LINE_START_FORBIDDEN:
            places[KINDS[3]].append(line.place())
        if text[-1] in LINE_END_FORBIDDEN:
            places[KINDS[4]].append(line.place())
        for a, b in itertools.pairwise(line.glyphs):
            if compressed_pair(a.char, b.char) and b.x0 - a.x0 > PAIR_EM * a.size:
                places[KINDS[1]].append(f"{line.place()} at «{a.char}{b.char}»")
        if not block.justified:
            continue
        last = index == len(lines) - 1
        if not last and justify and line.end < edge - FLUSH_PT:
            places[KINDS[0]].append(f"{line.place()} ends {edge - line.end:.1f} pt short")
        if last and len(lines) > 1 and _characters(line) == 1:
            places[KINDS[2]].append(line.place())


def _characters(line: Line) -> int:
    """Characters of the text on a line: not punctuation, spaces or a footnote call."""
    counted = sum(
        1
        for glyph in line.glyphs
        if not glyph.char.isspace() and unicodedata.category(glyph.char)[0] not in "PZ"
    )
    return counted - line.calls


# --- tables ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Table:
    head: str
    rows: list[int]
    """The page of each body row."""


def _table_splits(tables: list[Table]) -> list[str]:
    """A table continues in the next Table element when that repeats its header on the next
    page (WeasyPrint starts a new one on each page); each page's part needs two body rows."""
    places = []
    merged: list[Table] = []
    for table in tables:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.rows
            and table.rows
            and table.head == previous.head
            and table.rows[0] == previous.rows[-1] + 1
        ):
            previous.rows += table.rows
        else:
            merged.append(Table(table.head, list(table.rows)))
    for table in merged:
        pages = sorted(set(table.rows))
        if len(pages) < 2:
            continue
        for page in pages:
            count = table.rows.count(page)
            if count < 2:
                head = table.head[:12] + ("…" if len(table.head) > 12 else "")
                places.append(f"page {page}: {count} body row of the table «{head}»")
    return places


# --- reading the PDF ---------------------------------------------------------------------------


def _read(path: Path) -> tuple[list[Block], list[Table]]:

    with path.open("rb") as file:
        document = PDFDocument(PDFParser(file))
        pages = list(PDFPage.create_pages(document))
        page_numbers: dict[Any, int] = {
            page.pageid: number for number, page in enumerate(pages, start=1)
        }
        root = resolve1(document.catalog.get("StructTreeRoot"))
        if not isinstance(root, dict):
            raise NotTagged("not a tagged PDF: the typography check reads its structure")
        tree = _Tree(page_numbers)
        tree.walk(root, None, None, None)
        resources = PDFResourceManager()
        # Large margins: a line is every glyph on one baseline, however far apart.
        device = _MarkedGlyphs(resources, LAParams(char_margin=1000, line_margin=0.2))
        interpreter = PDFPageInterpreter(resources, device)
        for number, page in enumerate(pages, start=1):
            device.page_number = number
            interpreter.process_page(page)
    for page_number, layout in enumerate(device.layouts, start=1):
        _assign_lines(page_number, layout, tree, device.glyph_marks)
    for block in tree.blocks:
        block.lines.sort(key=lambda line: (line.page, -line.top))
    return tree.blocks, tree.tables(device.chars_of)


def _marked_content_id(props: Any) -> int | None:

    props = resolve1(props)
    if isinstance(props, dict):
        value = resolve1(props.get("MCID"))
        return value if isinstance(value, int) else None
    return None


class _Tree:
    """The structure tree: which block each marked-content id (per page) belongs to."""

    def __init__(self, page_numbers: dict[Any, int]) -> None:
        self.page_numbers = page_numbers
        self.blocks: list[Block] = []
        self.owner: dict[tuple[int, int], Block] = {}
        self.quotes = 0
        self.table_rows: list[tuple[list[tuple[int, int]], list[list[tuple[int, int]]]]] = []

    def walk(
        self, element: Any, block: Block | None, page: int | None, quote: int | None
    ) -> list[tuple[int, int]]:
        """Walk ``element``'s kids; returns the (page, id) of every marked content under it."""

        kind = _kind(element)
        page_ref = element.get("Pg")
        if page_ref is not None and hasattr(page_ref, "objid"):
            page = self.page_numbers.get(page_ref.objid, page)
        if kind == "BlockQuote":
            self.quotes += 1
            quote = self.quotes
        if kind in _BLOCKS or (kind == _NOTE and block is not None and block.kind in _PARAGRAPHS):
            block = Block(kind, block, quote)
            self.blocks.append(block)
        if kind == "Table":
            return self.walk_table(element, block, page, quote)
        found: list[tuple[int, int]] = []
        kids = resolve1(element.get("K"))
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = resolve1(kid)
            if isinstance(kid, int) and page is not None:
                found.append((page, kid))
                if block is not None:
                    self.owner[(page, kid)] = block
            elif isinstance(kid, dict) and "MCID" in kid:
                kid_page = page
                ref = kid.get("Pg")
                if ref is not None and hasattr(ref, "objid"):
                    kid_page = self.page_numbers.get(ref.objid, page)
                mcid = resolve1(kid["MCID"])
                if kid_page is not None and isinstance(mcid, int):
                    found.append((kid_page, mcid))
                    if block is not None:
                        self.owner[(kid_page, mcid)] = block
            elif isinstance(kid, dict) and "S" in kid:
                found += self.walk(kid, block, page, quote)
        return found

    def walk_table(
        self, element: Any, block: Block | None, page: int | None, quote: int | None
    ) -> list[tuple[int, int]]:

        head: list[tuple[int, int]] = []
        rows: list[list[tuple[int, int]]] = []
        found: list[tuple[int, int]] = []

        def rows_of(part: Any, in_head: bool) -> None:
            kids = resolve1(part.get("K"))
            for kid in kids if isinstance(kids, list) else [kids]:
                kid = resolve1(kid)
                if not isinstance(kid, dict):
                    continue
                name = _kind(kid)
                if name in ("THead", "TBody", "TFoot"):
                    rows_of(kid, name == "THead")
                elif name == "TR":
                    marks = self.walk(kid, block, page, quote)
                    found.extend(marks)
                    is_head = in_head or all(_kind(resolve1(cell)) == "TH" for cell in _kids(kid))
                    if is_head:
                        head.extend(marks)
                    else:
                        rows.append(marks)

        rows_of(element, False)
        self.table_rows.append((head, rows))
        return found

    def tables(self, chars_of: dict[tuple[int, int], str]) -> list[Table]:
        out = []
        for head, rows in self.table_rows:
            text = "".join(chars_of.get(mark, "") for mark in head)
            pages = [min(page for page, _ in row) for row in rows if row]
            out.append(Table(text, pages))
        return out


def _kids(element: dict[str, Any]) -> list[Any]:

    kids = resolve1(element.get("K"))
    return kids if isinstance(kids, list) else [kids]


def _kind(element: Any) -> str:
    if not isinstance(element, dict):
        return ""
    name = resolve1(element.get("S"))
    return str(name.name) if isinstance(name, PSLiteral) else ""


class _MarkedGlyphs(PDFPageAggregator):
    """Keeps each page's layout, and the marked-content id each glyph is drawn under."""

    def __init__(self, resources: PDFResourceManager, laparams: LAParams) -> None:
        super().__init__(resources, laparams=laparams)
        self.page_number = 0
        self.marks: list[int | None] = []
        self.layouts: list[LTPage] = []
        self.glyph_marks: dict[int, tuple[int, int]] = {}
        """The (page, marked-content id) of each glyph, by ``id()`` of its LTChar."""
        self.chars_of: dict[tuple[int, int], str] = {}

    def begin_tag(self, tag: Any, props: Any = None) -> None:
        self.marks.append(_marked_content_id(props))

    def end_tag(self) -> None:
        if self.marks:
            self.marks.pop()

    def render_char(self, *args: Any, **kwargs: Any) -> float:
        advance: float = super().render_char(*args, **kwargs)
        mark = next((m for m in reversed(self.marks) if m is not None), None)
        glyph = self.cur_item._objs[-1]
        if mark is not None and isinstance(glyph, LTChar):
            key = (self.page_number, mark)
            self.glyph_marks[id(glyph)] = key
            self.chars_of[key] = self.chars_of.get(key, "") + glyph.get_text()
        return advance

    def receive_layout(self, ltpage: LTPage) -> None:
        self.layouts.append(ltpage)


def _assign_lines(
    page: int, layout: LTPage, tree: _Tree, marks: dict[int, tuple[int, int]]
) -> None:
    """Each text line of the page, split by the block each glyph belongs to; a footnote call
    goes with the paragraph line it stands in."""

    def text_lines(item: Any) -> Iterator[Any]:
        for child in item:
            if isinstance(child, LTTextLine):
                yield child
            elif isinstance(child, LTTextContainer):
                yield from text_lines(child)

    for row in text_lines(layout):
        parts: dict[int, tuple[Block, list[Any]]] = {}
        for glyph in row:
            if not isinstance(glyph, LTChar):
                continue
            block = tree.owner.get(marks.get(id(glyph), (0, -1)))
            if block is None:
                continue  # page furniture: the running head, the page number
            parts.setdefault(id(block), (block, []))[1].append(glyph)
        for block, glyphs in list(parts.values()):
            parent = block.parent
            if block.kind == _NOTE and parent is not None and id(parent) in parts:
                parts[id(parent)][1].extend(glyphs)
                parts.pop(id(block))
        for block, glyphs in parts.values():
            glyphs.sort(key=lambda g: g.x0)
            calls = sum(1 for g in glyphs if tree.owner.get(marks.get(id(g), (0, -1))) is not block)
            block.lines.append(
                Line(
                    page,
                    row.y1,
                    [Glyph(g.get_text(), g.x0, g.x1, g.size) for g in glyphs],
                    calls,
                )
            )
