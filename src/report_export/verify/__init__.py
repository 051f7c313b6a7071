"""Verification: every output read back by a reader independent of its exporter, and held
against the source model.

Each format has a ``Verifier`` (one module a format, registered under the entry-point group
``report_export.verifiers`` like the exporters). A verifier reads the file back into a sequence
of texts (``Found``) and returns the differences from what the model says must be there; this
module holds what they share: the expected sequence, text normalisation and the comparison.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, assert_never

from ..model import (
    Block,
    BlockQuote,
    BulletList,
    Document,
    Heading,
    Image,
    Inline,
    Link,
    OrderedList,
    Paragraph,
    Table,
    ThematicBreak,
    inline_text,
)
from ..registry import VERIFIERS, load_class, registered
from ..theme import Theme
from ..typography import CJK

CELL_SEPARATOR = " | "
"""How a verifier joins the cells of a table row into one text."""

ListMarker = Callable[[BulletList | OrderedList, int, int], str]
"""The marker a format shows as text before an item: given the list, its level (0: outermost,
counting lists of either kind around it) and the item's index in the list."""


@dataclass(frozen=True, slots=True)
class Expected:
    """One text the output must hold: what it is (for messages) and its text."""

    what: str
    text: str


@dataclass(frozen=True, slots=True)
class Found:
    """One text read back from an output, and where it was found."""

    text: str
    where: str
    bare: str | None = None
    """The text without a leading list marker, where plain text cannot tell a marker from
    the text (a heading "1. 评估指标" and a list item "1. 评估指标" look alike)."""

    def matches(self, text: str) -> bool:
        return text in (self.text, self.bare)


@dataclass(frozen=True, slots=True)
class Report:
    """The verdict on one output: ``problems`` empty means it holds."""

    format: str
    path: Path
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


class Verifier(ABC):
    """Reads one format back and lists where it departs from the document."""

    name: ClassVar[str]
    """The format it verifies (the exporter's name)."""

    @abstractmethod
    def check(self, path: Path, document: Document, theme: Theme) -> list[str]:
        """The problems found, most important first; empty when the output holds."""


# --- archives read with a cap ------------------------------------------------------------

MAX_ZIP_MEMBERS = 10_000
"""Members a DOCX or EPUB may hold for ``verify`` to read it."""
MAX_ZIP_INFLATED = 512 * 1024 * 1024
"""Bytes a DOCX's or EPUB's members may inflate to, together (a zip bomb stops here)."""


def zip_problems(path: Path) -> list[str]:
    """Why the archive at ``path`` is refused before anything inflates it: not a zip, too many
    members, or more inflated bytes than ``MAX_ZIP_INFLATED``. A member never inflates past
    the size its header declares (``zipfile`` stops there), so the headers are the cap."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        return [f"not a readable zip archive: {err}"]
    if len(infos) > MAX_ZIP_MEMBERS:
        return [f"refused: {len(infos):,} archive members (at most {MAX_ZIP_MEMBERS:,})"]
    inflated = sum(info.file_size for info in infos)
    if inflated > MAX_ZIP_INFLATED:
        return [
            f"refused: the archive inflates to {inflated:,} bytes "
            f"(at most {MAX_ZIP_INFLATED:,}; a zip bomb?)"
        ]
    return []


def load_verifier(name: str) -> type[Verifier] | None:
    """The verifier registered for format ``name``, or None when the format has none."""
    point = registered(VERIFIERS).get(name)
    return None if point is None else load_class(point, Verifier, "a Verifier class")


# --- what the source says must be there ----------------------------------------------------


def expected_body(
    document: Document,
    note: Callable[[str], str],
    cells: str = CELL_SEPARATOR,
    caption: Callable[[Image], str] = lambda image: image.title,
    link: Callable[[Link, str], str] = lambda _, text: text,
    marker: ListMarker | None = None,
) -> list[Expected]:
    """Every heading, paragraph, list item, quoted paragraph, table row and figure caption of
    the body, in reading order. ``note`` is how the format writes a footnote reference in
    running text, ``cells`` what stands between the cells of a row, ``caption`` the text it
    shows for an image (none when empty), ``link`` what it shows for a link, given the text
    of the link's children (that text), ``marker`` the marker it shows before each list item
    as a text of its own (none when None: a format whose markers are not text)."""
    collector = _Expectations(note, cells, caption, link, marker)
    for block in document.blocks:
        collector.block(block)
    return collector.items


def footnote_parts(
    document: Document,
    note: Callable[[str], str],
    link: Callable[[Link, str], str] = lambda _, text: text,
    marker: ListMarker | None = None,
) -> list[list[str]]:
    """Each footnote's texts (a paragraph, a list item, …), in order, one list a footnote;
    with ``marker``, each list item's marker before it (a list's level counts from the note)."""
    out = []
    for footnote in document.footnotes:
        collector = _Expectations(note, link=link, marker=marker)
        for block in footnote.children:
            collector.block(block)
        out.append([item.text for item in collector.items])
    return out


def expected_footnotes(
    document: Document,
    note: Callable[[str], str],
    link: Callable[[Link, str], str] = lambda _, text: text,
) -> list[Expected]:
    """The text of every footnote, in order, one item a footnote."""
    return [
        Expected(f"footnote {number}", normalise(" ".join(parts)))
        for number, parts in enumerate(footnote_parts(document, note, link), start=1)
    ]


class _Expectations:
    def __init__(
        self,
        note: Callable[[str], str],
        cells: str = CELL_SEPARATOR,
        caption: Callable[[Image], str] = lambda image: image.title,
        link: Callable[[Link, str], str] = lambda _, text: text,
        marker: ListMarker | None = None,
    ) -> None:
        self.note = note
        self.cells = cells
        self.caption = caption
        self.link = link
        self.marker = marker
        self.items: list[Expected] = []
        self.heading = ""
        self.paragraphs = 0
        self.list_depth = 0

    def text(self, inlines: Sequence[Inline]) -> str:
        return normalise(inline_text(tuple(inlines), self.note, self.link))

    def add(self, kind: str, text: str) -> None:
        under = f" under {self.heading[:24]!r}" if self.heading else ""
        if kind == "heading":
            self.heading = text
            what = f"heading {text[:30]!r}"
        elif kind == "list marker":  # not counted: the item's text that follows is
            what = f"the list marker before paragraph {self.paragraphs + 1}{under}"
        else:
            self.paragraphs += 1
            what = f"{kind} {self.paragraphs}{under}"
        self.items.append(Expected(what, text))

    def block(self, block: Block) -> None:
        match block:
            case Heading(children=children):
                self.add("heading", self.text(children))
            case Paragraph(children=children):
                self.add("paragraph", self.text(children))
            case BulletList(items=items) | OrderedList(items=items):
                for index, item in enumerate(items):
                    if self.marker is not None:
                        self.add(
                            "list marker", normalise(self.marker(block, self.list_depth, index))
                        )
                    self.list_depth += 1
                    for child in item:
                        self.block(child)
                    self.list_depth -= 1
            case BlockQuote(children=children):
                for child in children:
                    self.block(child)
            case Table(header=header, rows=rows):
                for row in (header, *rows):
                    cells = [self.text(cell.children) for cell in row]
                    self.add("table row", normalise(self.cells.join(cells)))
            case Image():
                if text := normalise(self.caption(block)):
                    self.add("caption", text)
            case ThematicBreak():
                pass
            case _:
                assert_never(block)


# --- text normalisation --------------------------------------------------------------------

_SPACE_IN_CJK = re.compile(f"(?<=[{CJK}]) (?=[{CJK}])")
_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Undo what a format may add: NFC, whitespace runs as one space, no space between CJK
    characters (a PDF's line ends inside a paragraph), none at the ends. Nothing else."""
    text = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return _SPACE_IN_CJK.sub("", text)


# --- comparison ----------------------------------------------------------------------------


def _excerpt(text: str, at: int, width: int = 16) -> str:
    start = max(0, at - width // 2)
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(text) else ""
    return f"«{prefix}{text[start : start + width]}{suffix}»"


def _first_difference(a: str, b: str) -> int:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return min(len(a), len(b))


def describe(expected: Expected, found: str, where: str) -> str:
    """A message that points at the first character where ``found`` departs from ``expected``."""
    at = _first_difference(expected.text, found)
    return (
        f"{expected.what}: expected {_excerpt(expected.text, at)} "
        f"but found {_excerpt(found, at)} ({where}, character {at + 1})"
    )


def compare_sequence(expected: Sequence[Expected], found: Sequence[Found]) -> list[str]:
    """Item by item; the first difference only (later ones are usually its echo)."""
    for index, item in enumerate(expected):
        if index >= len(found):
            where = found[-1].where if found else "the file"
            return [f"{item.what} is missing: expected {_excerpt(item.text, 0)} after {where}"]
        got = found[index]
        if got.matches(item.text):
            continue
        following = expected[index + 1] if index + 1 < len(expected) else None
        if following is not None and got.matches(following.text):
            return [f"{item.what} is missing: expected {_excerpt(item.text, 0)} before {got.where}"]
        return [describe(item, got.text, got.where)]
    if len(found) > len(expected):
        extra = found[len(expected)]
        return [f"unexpected text {_excerpt(extra.text, 0)} at {extra.where}"]
    return []


@dataclass(frozen=True, slots=True)
class Stream:
    """A format's text as one normalised run (a PDF's), with a location for every character."""

    text: str
    where: Callable[[int], str]
    soft: frozenset[int] = frozenset()
    """Offsets of spaces that may stand for nothing: a line break the format cannot tell
    from a space (a PDF's line end between Chinese and Latin letters or digits)."""


def _match(expected: str, stream: Stream, cursor: int) -> tuple[int, int]:
    """How far ``expected`` matches ``stream.text`` from ``cursor``: (characters of
    ``expected`` matched, the stream's offset after them). A soft space the expected text
    does not have is passed over."""
    at, offset = 0, cursor
    text = stream.text
    while at < len(expected) and offset < len(text):
        if text[offset] == expected[at]:
            at, offset = at + 1, offset + 1
        elif offset in stream.soft:
            offset += 1
        else:
            break
    return at, offset


def compare_stream(expected: Sequence[Expected], stream: Stream) -> list[str]:
    """Each expected text must follow the last, separated by at most one space; nothing may
    be left over."""
    cursor = 0
    for item in expected:
        if stream.text.startswith(" ", cursor):
            cursor += 1
        at, offset = _match(item.text, stream, cursor)
        if at == len(item.text):
            cursor = offset
            continue
        if cursor >= len(stream.text):
            return [f"{item.what} is missing: expected {_excerpt(item.text, 0)} at the end"]
        found = item.text[:at] + stream.text[offset : offset + len(item.text) - at + 8]
        return [
            f"{item.what}: expected {_excerpt(item.text, at)} but found {_excerpt(found, at)} "
            f"({stream.where(offset)}, character {at + 1})"
        ]
    rest = stream.text[cursor:].strip()
    if rest:
        offset = stream.text.index(rest, cursor)
        return [f"unexpected text {_excerpt(rest, 0)} at {stream.where(offset)}"]
    return []


def check_equal(what: str, expected: str, found: str | None) -> list[str]:
    """One metadata field: a one-item problem list when it differs."""
    return [] if found == expected else [f"{what}: expected {expected!r}, found {found!r}"]
