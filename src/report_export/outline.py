"""The headings of a report as a tree, for a table of contents (the EPUB's navigation, the web
page's contents); and which headings a printed contents list shows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .model import Document, Heading, headings

CONTENTS_LEVELS = 3
"""Heading levels a printed contents list shows (the PDF's contents page, the DOCX's TOC
field ``\\o "1-3"``): deeper headings are in the outline, not on the page."""


def contents_entries(document: Document) -> list[Heading]:
    """The headings a printed contents list shows, in order."""
    return [heading for heading in headings(document) if heading.level <= CONTENTS_LEVELS]


@dataclass(slots=True)
class TocNode:
    """An entry of the table of contents and the entries nested under it."""

    level: int
    link: Any
    children: list[TocNode] = field(default_factory=list)


def nest_toc(entries: Iterable[tuple[int, Any]]) -> list[TocNode]:
    """(level, link) pairs in reading order -> a tree: each entry under the last shallower one
    (a skipped level nests one step, not two)."""
    roots: list[TocNode] = []
    open_nodes: list[TocNode] = []
    for level, link in entries:
        node = TocNode(level, link)
        while open_nodes and open_nodes[-1].level >= level:
            open_nodes.pop()
        (open_nodes[-1].children if open_nodes else roots).append(node)
        open_nodes.append(node)
    return roots
