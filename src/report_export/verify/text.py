"""Reads plain text back: blocks between blank lines, list markers and quote marks dropped,
wrapped lines joined."""

from __future__ import annotations

import re
from pathlib import Path

from ..model import Document, Image
from ..theme import Theme
from ..typography import join_lines
from . import Found, Verifier, check_equal, compare_sequence, expected_body, expected_footnotes
from . import normalise as norm

_MARKER = re.compile(r"^(?:- |\d+\.\s+)")
_QUOTE = re.compile(r"^(?:> ?)+")
_NOTE = re.compile(r"^\[(\d+)\] ")
_FIGURE = re.compile(r"^\[图：(.*)\]$")
NOTES_HEADING = "注释"


class TextVerifier(Verifier):
    """The text format: the title, then one block a heading or paragraph, notes at the end."""

    name = "text"

    def check(self, path: Path, document: Document, theme: Theme) -> list[str]:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            return [f"not valid UTF-8 at byte {err.start}"]
        blocks = [block for block in text.split("\n\n") if block.strip()]
        if not blocks:
            return ["the file is empty"]
        problems = check_equal("title (first line)", document.meta.title, norm(blocks[0]))
        notes = {label: f"[{n}]" for label, n in document.footnote_numbers().items()}
        body, footnotes = _split_notes(blocks[1:], bool(document.footnotes))
        found = [item for index, block in body for item in _items(block, index)]
        expected = expected_body(document, notes.__getitem__, caption=_caption)
        problems += compare_sequence(expected, found)
        found_notes = [_note(block, index) for index, block in _group_notes(footnotes)]
        problems += compare_sequence(expected_footnotes(document, notes.__getitem__), found_notes)
        return problems


def _split_notes(
    blocks: list[str], has_notes: bool
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    numbered = list(enumerate(blocks, start=2))
    if has_notes:
        for position in range(len(numbered) - 1, -1, -1):
            if numbered[position][1].strip() == NOTES_HEADING:
                return numbered[:position], numbered[position + 1 :]
    return numbered, []


def _items(block: str, index: int) -> list[Found]:
    """The texts of one block: a list block holds one text an item, a table one a row."""
    if block.strip() == "* * *":
        return []
    if figure := _FIGURE.match(block.strip()):
        return [Found(norm(figure.group(1)), f"block {index}")]
    items: list[list[str]] = []
    new_paragraph = True
    for line in block.split("\n"):
        stripped = _QUOTE.sub("", line).strip()
        if not stripped:
            new_paragraph = True  # the empty ">" line between quoted paragraphs
            continue
        starts_item = bool(_MARKER.match(stripped)) or " | " in stripped
        if starts_item or new_paragraph:
            items.append([stripped])
        else:
            items[-1].append(stripped)
        new_paragraph = False
    where = f"block {index}"
    return [
        Found(norm(join_lines(lines)), where, norm(_MARKER.sub("", join_lines(lines))))
        for lines in items
    ]


def _caption(image: Image) -> str:
    return image.title or image.alt


def _group_notes(blocks: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """One text a note: a note's further blocks (a list, a second paragraph) are indented."""
    notes: list[tuple[int, str]] = []
    for index, block in blocks:
        if notes and not _NOTE.match(block):
            notes[-1] = (notes[-1][0], notes[-1][1] + "\n" + block)
        else:
            notes.append((index, block))
    return notes


def _note(block: str, index: int) -> Found:
    lines = [_NOTE.sub("", line.strip()) for line in block.split("\n") if line.strip()]
    bare = [_MARKER.sub("", line) for line in lines]
    return Found(norm(join_lines(lines)), f"note block {index}", norm(join_lines(bare)))
