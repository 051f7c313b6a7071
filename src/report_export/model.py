"""The document model: the one tree every reader ends in and every exporter starts from.

Small, typed and immutable (frozen, slotted dataclasses), after pandoc's ``Definition.hs``.
It knows no format: no Markdown, no HTML, no page. One ``Document`` feeds every exporter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

# --- inlines -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A run of plain text."""

    text: str


@dataclass(frozen=True, slots=True)
class Emph:
    """Emphasised inlines (rendered as italic or 着重号, per format)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strong:
    """Strongly emphasised inlines (bold)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Code:
    """Inline code, verbatim."""

    text: str


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink around inlines."""

    children: tuple[Inline, ...]
    target: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class FootnoteRef:
    """A reference to the footnote ``Document.footnotes`` holds under ``label``."""

    label: str


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A hard line break inside a block."""


Inline: TypeAlias = Text | Emph | Strong | Code | Link | FootnoteRef | LineBreak

# --- blocks --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heading:
    """A section heading; level 1 is a part of the report, 2 an item within it, and so on."""

    level: int
    children: tuple[Inline, ...]
    id: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of running text."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class BulletList:
    """An unordered list; each item is a sequence of blocks."""

    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True, slots=True)
class OrderedList:
    """A numbered list starting at ``start``; each item is a sequence of blocks."""

    items: tuple[tuple[Block, ...], ...]
    start: int = 1


@dataclass(frozen=True, slots=True)
class BlockQuote:
    """Quoted blocks."""

    children: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class TableCell:
    """One cell of a table: inlines and the column's alignment ("", "left", "center", "right")."""

    children: tuple[Inline, ...]
    align: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    """A table with one header row and body rows of cells."""

    header: tuple[TableCell, ...]
    rows: tuple[tuple[TableCell, ...], ...]


@dataclass(frozen=True, slots=True)
class Image:
    """A figure: an image file relative to ``Document.base_dir``, its alt text and caption."""

    src: str
    alt: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class ThematicBreak:
    """A break between runs of text (a scene break)."""


Block: TypeAlias = (
    Heading | Paragraph | BulletList | OrderedList | BlockQuote | Table | Image | ThematicBreak
)

# --- the document --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Footnote:
    """A footnote's content, referenced from the text by ``label``."""

    label: str
    children: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the source's front matter says about the document."""

    title: str
    lang: str
    author: str = ""
    description: str = ""
    keywords: tuple[str, ...] = ()
    date: str = ""
    publisher: str = ""
    provenance: tuple[tuple[str, str], ...] = ()
    """Where the text was recovered from (site, document number, …), as ordered key/value pairs:
    the source's record, never published unless ``publish_provenance`` names the key."""
    publish_provenance: tuple[str, ...] = ()
    """The keys of ``provenance`` the source asks the outputs to carry (none by default)."""

    def published_provenance(self) -> tuple[tuple[str, str], ...]:
        """The provenance entries the outputs carry: those the source asked to publish."""
        return tuple(entry for entry in self.provenance if entry[0] in self.publish_provenance)


@dataclass(frozen=True, slots=True)
class Document:
    """A whole document: metadata, body blocks and footnotes in order of first reference."""

    meta: Metadata
    blocks: tuple[Block, ...]
    footnotes: tuple[Footnote, ...] = ()
    base_dir: Path = field(default=Path("."))
    """The folder the source lives in: images and other assets resolve against it."""
    source: Path | None = field(default=None, compare=False)
    """The file this document was read from (None when built in code): a format that finds
    fault with the text later (a character no font has) names it, and the line."""
    source_digest: str = field(default="", compare=False)
    """The SHA-256 of the source text this document was read from ("" when built in code): an
    edited copy of an output names the version of the source it was made from."""

    def footnote_numbers(self) -> dict[str, int]:
        """Each footnote's label -> its number: 1, 2, … in the order ``footnotes`` holds them,
        the number every format shows for it."""
        return {note.label: number for number, note in enumerate(self.footnotes, start=1)}


# --- generic queries -----------------------------------------------------------------------


def child_blocks(block: Block) -> Iterator[Block]:
    """The blocks directly inside ``block`` (list items flattened), in reading order."""
    match block:
        case BulletList(items=items) | OrderedList(items=items):
            for item in items:
                yield from item
        case BlockQuote(children=children):
            yield from children
        case _:
            return


def walk_blocks(blocks: tuple[Block, ...]) -> Iterator[Block]:
    """Every block in ``blocks``, depth first, parents before children."""
    for block in blocks:
        yield block
        yield from walk_blocks(tuple(child_blocks(block)))


def map_blocks(blocks: tuple[Block, ...], change: Callable[[Block], Block]) -> tuple[Block, ...]:
    """``blocks`` rebuilt with ``change`` applied to every block, depth first (a block's
    children are changed before it is): the one walk of a transform, which makes a new
    model and leaves the old one as it was."""
    out: list[Block] = []
    for block in blocks:
        match block:
            case BulletList(items=items):
                block = BulletList(tuple(map_blocks(item, change) for item in items))
            case OrderedList(items=items, start=start):
                block = OrderedList(tuple(map_blocks(item, change) for item in items), start)
            case BlockQuote(children=children):
                block = BlockQuote(map_blocks(children, change))
        out.append(change(block))
    return tuple(out)


def block_inlines(block: Block) -> Iterator[tuple[Inline, ...]]:
    """The runs of inlines directly inside ``block`` (a heading's, a paragraph's, each cell's)."""
    match block:
        case Heading(children=children) | Paragraph(children=children):
            yield children
        case Table(header=header, rows=rows):
            for row in (header, *rows):
                for cell in row:
                    yield cell.children
        case _:
            return


def iter_inlines(inlines: tuple[Inline, ...]) -> Iterator[Inline]:
    """Every inline of ``inlines``, parents before the inlines they hold."""
    for inline in inlines:
        yield inline
        if isinstance(inline, Emph | Strong | Link):
            yield from iter_inlines(inline.children)


def walk_inlines(blocks: tuple[Block, ...]) -> Iterator[Inline]:
    """Every inline in ``blocks``, nested ones included, in reading order."""
    for block in walk_blocks(blocks):
        for run in block_inlines(block):
            yield from iter_inlines(run)


def inline_text(
    inlines: tuple[Inline, ...],
    note: Callable[[str], str] = lambda _: "",
    link: Callable[[Link, str], str] = lambda _, text: text,
) -> str:
    """The plain text of ``inlines``; ``note`` maps a footnote label to what stands for it,
    ``link`` a link and the text of its children to what stands for the link (its text)."""
    parts: list[str] = []
    for inline in inlines:
        match inline:
            case Text(text=text) | Code(text=text):
                parts.append(text)
            case Emph(children=children) | Strong(children=children):
                parts.append(inline_text(children, note, link))
            case Link(children=children):
                parts.append(link(inline, inline_text(children, note, link)))
            case FootnoteRef(label=label):
                parts.append(note(label))
            case LineBreak():
                parts.append("\n")
    return "".join(parts)


def provenance_text(meta: Metadata) -> str:
    """The provenance the source asks to publish, as one line ("site: …; number: …"): what a
    format's one source field (Dublin Core's ``source``) holds; "" when there is none."""
    return "; ".join(f"{key}: {value}" for key, value in meta.published_provenance())


def heading_label(heading: Heading) -> str:
    """A heading's text on one line, notes left out: what an outline or a table of contents
    shows for it."""
    return " ".join(inline_text(heading.children).split())


def headings(document: Document) -> list[Heading]:
    """Every heading of the body, in order."""
    return [block for block in walk_blocks(document.blocks) if isinstance(block, Heading)]
