"""The table of contents: every heading nested by level, for the navigation document and NCX."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ebooklib import epub

from ...model import Document, Heading, walk_blocks
from ...outline import TocNode, nest_toc
from .parts import NOTES_FILE, TITLE_FILE, Chapter, toc_label


def table_of_contents(
    document: Document, chapters: Sequence[Chapter], notes_title: str
) -> list[TocNode]:
    """The title page, every heading nested by level, and the notes.

    The title page and the notes stand beside the headings, never above them: the headings
    of text before the first level-1 section are not the title page's children."""
    headings = [
        (
            block.level,
            epub.Link(f"{chapter.file_name}#{block.id}", toc_label(block), f"toc-{block.id}"),
        )
        for chapter in chapters
        for block in walk_blocks(chapter.blocks)
        if isinstance(block, Heading)
    ]
    title = TocNode(0, epub.Link(TITLE_FILE, document.meta.title, "toc-title"))
    notes = TocNode(0, epub.Link(NOTES_FILE, notes_title, "toc-notes"))
    return [title, *nest_toc(headings), *([notes] if document.footnotes else [])]


def ebooklib_toc(nodes: Sequence[TocNode]) -> list[Any]:
    """The tree in ebooklib's shape: a leaf is a Link, a branch a (Link, [children]) pair."""
    return [(n.link, ebooklib_toc(n.children)) if n.children else n.link for n in nodes]


def toc_titles(nodes: Sequence[TocNode]) -> Iterator[str]:
    """Every entry's title, depth first."""
    for node in nodes:
        yield node.link.title
        yield from toc_titles(node.children)
