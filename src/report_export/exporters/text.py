"""Clean plain text: UTF-8, LF, NFC; title first, one blank line between blocks, footnotes last."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import assert_never

from ..errors import ReportExportError
from ..model import (
    Block,
    BlockQuote,
    BulletList,
    Document,
    Heading,
    Image,
    Inline,
    OrderedList,
    Paragraph,
    Table,
    TableCell,
    ThematicBreak,
    inline_text,
)
from ..theme import Theme
from ..typography import display_width, wrap_line
from . import Exporter


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
        writer = _TextWriter(options.wrap, lambda label: f"[{numbers[label]}]")
        parts = [writer.lines(document.meta.title, "")]
        parts += [writer.block(block, "") for block in document.blocks]
        if document.footnotes:
            parts.append("注释")
            for note in document.footnotes:
                body = "\n\n".join(writer.block(block, "    ") for block in note.children)
                parts.append(f"[{numbers[note.label]}] " + body.removeprefix("    "))
        text = "\n\n".join(part for part in parts if part) + "\n"
        return unicodedata.normalize("NFC", text).encode("utf-8")


class _TextWriter:
    def __init__(self, wrap: int, note: object) -> None:
        self.wrap = wrap
        self.note = note

    def text(self, inlines: tuple[Inline, ...]) -> str:
        return inline_text(inlines, self.note)  # type: ignore[arg-type]

    def lines(self, text: str, prefix: str, first_prefix: str | None = None) -> str:
        """``text`` with every line prefixed (the first by ``first_prefix``), wrapped if asked."""
        first = prefix if first_prefix is None else first_prefix
        out: list[str] = []
        for source_line in text.split("\n"):
            width = self.wrap - display_width(first if not out else prefix)
            pieces = wrap_line(source_line, width) if self.wrap > 0 else [source_line]
            for piece in pieces:
                out.append((first if not out else prefix) + piece)
        return "\n".join(out)

    def block(self, block: Block, prefix: str) -> str:
        match block:
            case Heading(children=children) | Paragraph(children=children):
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
            case Table(header=header, rows=rows):
                return "\n".join(self.row(row, prefix) for row in (header, *rows))
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

    def row(self, row: tuple[TableCell, ...], prefix: str) -> str:
        return self.lines(" | ".join(self.text(cell.children) for cell in row), prefix)
