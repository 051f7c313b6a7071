"""Reads plain text back: blocks between blank lines, list markers and quote marks dropped,
wrapped lines joined; the title's rules, headings' underlines and a table's header rule are
furniture, a table row is its cells."""

from __future__ import annotations

import re
from pathlib import Path

from ..labels import labels_for
from ..model import Document, Image, Link, headings, inline_text
from ..theme import Theme
from ..typography import join_lines, link_in_text
from . import (
    Expected,
    Found,
    Verifier,
    check_equal,
    compare_sequence,
    expected_body,
    expected_footnotes,
)
from . import normalise as norm

_MARKER = re.compile(r"^(?:- |\d+\.\s+)")
_QUOTE = re.compile(r"^(?:> ?)+")
_NOTE = re.compile(r"^\[(\d+)\] ")
_FIGURE = re.compile(r"^\[图：(.*)\]$")
UNDERLINES = "=-~^"
"""The underline of a heading of level 1, 2, 3 and 4 (and deeper)."""
_UNDERLINE = re.compile(r"^([=~^-])\1*$")
"""A heading's underline (or the title's rule)."""
_TABLE_RULE = re.compile(r"^\|(?::?-+:?\|)+$")


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
        meta = document.meta
        problems = check_equal("title (between rules)", meta.title, _ruled_title(blocks[0]))
        first = 1
        if byline := " ".join(line for line in (meta.author, meta.date) if line):
            found = norm(blocks[1]) if len(blocks) > 1 else None
            problems += check_equal("byline (author, date)", norm(byline), found)
            first = 2
        notes = {label: f"[{n}]" for label, n in document.footnote_numbers().items()}

        def link(link: Link, text: str) -> str:
            return link_in_text(text, link.target, meta.lang)

        notes_heading = labels_for(meta.lang).notes
        body, footnotes = _split_notes(
            blocks[first:], first, bool(document.footnotes), notes_heading
        )
        read = [_items(block, index) for index, block in body]
        expected = expected_body(document, notes.__getitem__, caption=_caption, link=link)
        problems += compare_sequence(expected, [item for texts, _ in read for item in texts])
        # Each heading is set off by the underline of its level.
        expected_headings = [
            Expected(
                f"the underline of heading {heading.id}",
                f"{min(heading.level, len(UNDERLINES))} "
                + norm(inline_text(heading.children, notes.__getitem__, link)),
            )
            for heading in headings(document)
        ]
        problems += compare_sequence(expected_headings, [h for _, found in read for h in found])
        found_notes = [_note(block, index) for index, block in _group_notes(footnotes)]
        problems += compare_sequence(
            expected_footnotes(document, notes.__getitem__, link), found_notes
        )
        return problems


def _ruled_title(block: str) -> str | None:
    """The title between its rules, None when the block is not ruled above and below."""
    lines = block.split("\n")
    ruled = len(lines) >= 3 and all(_UNDERLINE.match(lines[i]) for i in (0, -1))
    return norm(join_lines(lines[1:-1])) if ruled else None


def _split_notes(
    blocks: list[str], first: int, has_notes: bool, heading: str
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    numbered = list(enumerate(blocks, start=first + 1))
    if has_notes:
        for position in range(len(numbered) - 1, -1, -1):
            lines = numbered[position][1].strip().split("\n")
            if lines[0] == heading and len(lines) == 2 and _UNDERLINE.match(lines[1]):
                return numbered[:position], numbered[position + 1 :]
    return numbered, []


def _items(block: str, index: int) -> tuple[list[Found], list[Found]]:
    """The texts of one block (a list block holds one text an item, a table one a row), and
    the headings among them ("level text", the level told by the underline)."""
    if block.strip() == "* * *":
        return [], []
    if figure := _FIGURE.match(block.strip()):
        return [Found(norm(figure.group(1)), f"block {index}")], []
    items: list[list[str]] = []
    levels: dict[int, int] = {}
    new_paragraph = True
    for line in block.split("\n"):
        stripped = _QUOTE.sub("", line).strip()
        if (underline := _UNDERLINE.match(stripped)) and items and not new_paragraph:
            levels[len(items) - 1] = UNDERLINES.index(underline.group(1)) + 1
        if not stripped or underline or _TABLE_RULE.match(stripped):
            # The empty ">" line between quoted paragraphs, a heading's underline, the rule
            # under a table's header: what follows is a new text.
            new_paragraph = True
            continue
        row = stripped.startswith("| ") and stripped.endswith(" |")
        if row:
            stripped = stripped[2:-2]
        if row or new_paragraph or _MARKER.match(stripped):
            items.append([stripped])
        else:
            items[-1].append(stripped)
        new_paragraph = row
    where = f"block {index}"
    texts = [
        Found(norm(join_lines(lines)), where, norm(_MARKER.sub("", join_lines(lines))))
        for lines in items
    ]
    return texts, [Found(f"{level} {texts[at].text}", where) for at, level in levels.items()]


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
