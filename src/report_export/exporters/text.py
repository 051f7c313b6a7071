"""Clean plain text: UTF-8, LF, NFC; the title between rules and the byline first, one blank
line between blocks, footnotes last.

Widths are display columns (``typography.display_width``, in the document's language: a
Chinese character and, in Chinese text, “”‘’…—· take two). Headings are underlined (``=``,
``-``, ``~``, ``^`` by level) as wide as their text; a link keeps its target after its text
(``typography.link_in_text``); a table is a pipe table padded to its columns' widths.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import assert_never

from ..errors import ReportExportError
from ..labels import labels_for
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
from ..theme import Theme
from ..typography import balanced_lines, display_width, link_in_text, wrap_line
from . import Exporter

TITLE_RULE = "="
"""The rule above and below the title."""
UNDERLINES = "=-~^"
"""The underline of a heading of level 1, 2, 3 and 4 (and deeper)."""


@dataclass(frozen=True, slots=True)
class TextOptions:
    """Options of the text format."""

    wrap: int = 0
    """Wrap lines at this many columns (East Asian wide characters count two); 0: no wrapping."""

    def __post_init__(self) -> None:
        if self.wrap != 0 and not MIN_WRAP <= self.wrap <= MAX_WRAP:
            raise ReportExportError(
                f"text: option 'wrap' wants 0 (no wrapping) or {MIN_WRAP} to {MAX_WRAP} columns,"
                f" not {self.wrap}"
            )


MIN_WRAP = 20
"""The narrowest wrap: list markers and quote marks need room beside the text."""
MAX_WRAP = 10_000


class TextExporter(Exporter[TextOptions]):
    """Plain text a person reads: headings on their own lines, lists and quotes as text."""

    name = "text"
    extension = "txt"
    description = "clean plain text (UTF-8, LF)"
    options_type = TextOptions

    def render(self, document: Document, theme: Theme, options: TextOptions) -> bytes:
        numbers = document.footnote_numbers()
        meta = document.meta
        writer = _TextWriter(options.wrap, lambda label: f"[{numbers[label]}]", meta.lang)
        parts = [writer.title(meta.title)]
        parts.append("\n".join(writer.lines(line, "") for line in (meta.author, meta.date) if line))
        parts += [writer.block(block, "") for block in document.blocks]
        if document.footnotes:
            parts.append(writer.ruled([labels_for(meta.lang).notes], UNDERLINES[0]))
            for note in document.footnotes:
                body = "\n\n".join(writer.block(block, "    ") for block in note.children)
                parts.append(f"[{numbers[note.label]}] " + body.removeprefix("    "))
        text = "\n\n".join(part for part in parts if part) + "\n"
        return unicodedata.normalize("NFC", text).encode("utf-8")


class _TextWriter:
    def __init__(self, wrap: int, note: Callable[[str], str], lang: str) -> None:
        self.wrap = wrap
        self.note = note
        self.lang = lang

    def width(self, text: str) -> int:
        return display_width(text, self.lang)

    def text(self, inlines: tuple[Inline, ...]) -> str:
        return inline_text(inlines, self.note, self.link)

    def link(self, link: Link, text: str) -> str:
        return link_in_text(text, link.target, self.lang)

    def title(self, title: str) -> str:
        """The title between rules; when wrapping, in balanced lines, as the PDF sets it."""
        lines = title.split("\n")
        if self.wrap > 0:
            lines = [
                part for line in lines for part in balanced_lines(line, self.wrap / 2, self.lang)
            ]
        return self.ruled(lines, TITLE_RULE, above=True)

    def ruled(self, lines: list[str], rule: str, above: bool = False, prefix: str = "") -> str:
        """``lines`` with a rule as wide as the widest under them (and above)."""
        width = max(self.width(line) for line in lines) - self.width(prefix)
        line = prefix + rule * max(1, width)
        return "\n".join([line, *lines, line] if above else [*lines, line])

    def lines(self, text: str, prefix: str, first_prefix: str | None = None) -> str:
        """``text`` with every line prefixed (the first by ``first_prefix``), wrapped if asked."""
        first = prefix if first_prefix is None else first_prefix
        out: list[str] = []
        for source_line in text.split("\n"):
            width = self.wrap - self.width(first if not out else prefix)
            pieces = wrap_line(source_line, width, self.lang) if self.wrap > 0 else [source_line]
            for piece in pieces:
                out.append((first if not out else prefix) + piece)
        return "\n".join(out)

    def block(self, block: Block, prefix: str) -> str:
        match block:
            case Heading(level=level, children=children):
                rule = UNDERLINES[min(level, len(UNDERLINES)) - 1]
                lines = self.lines(self.text(children), prefix).split("\n")
                return self.ruled(lines, rule, prefix=prefix)
            case Paragraph(children=children):
                return self.lines(self.text(children), prefix)
            case BulletList(items=items):
                return "\n".join(self.item(item, prefix, "- ") for item in items)
            case OrderedList(items=items, start=start):
                width = len(str(start + len(items) - 1)) + 2
                return "\n".join(
                    self.item(item, prefix, f"{n}.".ljust(width))
                    for n, item in enumerate(items, start=start)
                )
            case BlockQuote(children=children):
                return f"\n{prefix}>\n".join(self.block(child, prefix + "> ") for child in children)
            case Table():
                return self.table(block, prefix)
            case Image(alt=alt, title=title):
                return self.lines(f"[图：{title or alt}]", prefix)
            case ThematicBreak():
                return prefix + "* * *"
            case _:
                assert_never(block)

    def item(self, blocks: tuple[Block, ...], prefix: str, marker: str) -> str:
        inner = prefix + " " * len(marker)
        rendered = [self.block(block, inner) for block in blocks]
        if not rendered:
            return prefix + marker.rstrip()  # an empty item keeps its marker
        rendered[0] = prefix + marker + rendered[0][len(inner) :]
        return "\n".join(rendered)

    def table(self, table: Table, prefix: str) -> str:
        """A pipe table, every column padded to its widest cell (in display columns) and
        aligned as the source's delimiter row says; never wrapped: a table wider than the
        wrap overflows it, as a long word does."""
        rows = [
            [self.text(cell.children).replace("\n", " ") for cell in row]
            for row in (table.header, *table.rows)
        ]
        widths = [max(3, *(self.width(row[i]) for row in rows)) for i in range(len(table.header))]
        aligns = [cell.align for cell in table.header]
        rule = [_rule(width, align) for width, align in zip(widths, aligns, strict=True)]
        lines = [self.cells(row, widths, aligns) for row in rows]
        lines.insert(1, "|" + "|".join(rule) + "|")
        return "\n".join(prefix + line for line in lines)

    def cells(self, row: list[str], widths: list[int], aligns: list[str]) -> str:
        padded = []
        for text, width, align in zip(row, widths, aligns, strict=True):
            room = width - self.width(text)
            before = room if align == "right" else room // 2 if align == "center" else 0
            padded.append(" " * before + text + " " * (room - before))
        return "| " + " | ".join(padded) + " |"


def _rule(width: int, align: str) -> str:
    """A column's part of the rule under the header: ``:`` marks the side it is aligned to."""
    left = ":" if align in ("left", "center") else "-"
    right = ":" if align in ("right", "center") else "-"
    return left + "-" * width + right
