"""The XHTML documents of the book: the report cut into chapters, and the files they live in."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ...model import Block, Document, FootnoteRef, Heading, heading_label, walk_inlines

TITLE_FILE = "title.xhtml"
NAV_FILE = "nav.xhtml"
NOTES_FILE = "notes.xhtml"
CSS_FILE = "style/book.css"


@dataclass(frozen=True, slots=True)
class Part:
    """One XHTML document of the book: its manifest id, file name and title."""

    uid: str
    file_name: str
    title: str


@dataclass(frozen=True, slots=True)
class Chapter:
    """One XHTML document of the body: a level-1 section, or the text before the first one."""

    file_name: str
    title: str
    blocks: tuple[Block, ...]
    opens_with_heading: bool


def split_chapters(document: Document) -> list[Chapter]:
    """The body cut before every top-level level-1 heading, in reading order."""
    parts: list[list[Block]] = []
    for block in document.blocks:
        if not parts or (isinstance(block, Heading) and block.level == 1 and parts[-1]):
            parts.append([])
        parts[-1].append(block)
    width = max(2, len(str(len(parts))))
    chapters = []
    for number, blocks in enumerate(parts, start=1):
        first = blocks[0]
        opens = isinstance(first, Heading) and first.level == 1
        title = toc_label(first) if isinstance(first, Heading) and opens else ""
        chapters.append(
            Chapter(
                file_name=f"chapter-{number:0{width}d}.xhtml",
                title=title or document.meta.title,
                blocks=tuple(blocks),
                opens_with_heading=opens,
            )
        )
    return chapters


def all_blocks(document: Document) -> tuple[Block, ...]:
    """The body's blocks, then the footnotes'."""
    return (*document.blocks, *(block for note in document.footnotes for block in note.children))


def toc_label(heading: Heading) -> str:
    """A heading's entry in the table of contents: its label, or its id when it has no text
    (an empty entry is an error to epubcheck)."""
    return heading_label(heading) or heading.id


def note_labels(blocks: Iterable[Block]) -> Iterator[str]:
    """The footnote labels ``blocks`` refer to, in reading order (repeats included)."""
    for inline in walk_inlines(tuple(blocks)):
        if isinstance(inline, FootnoteRef):
            yield inline.label
