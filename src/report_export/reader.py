"""Markdown (CommonMark + YAML front matter, footnotes, tables) -> the document model.

markdown-it-py does the parsing; this module only maps its syntax tree onto ``model``.
A construct the model cannot hold (raw HTML, code blocks, inline images, …) is an error that
names the file and line: it never vanishes silently from the outputs.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from .errors import ReportExportError
from .model import (
    Block,
    BlockQuote,
    BulletList,
    Code,
    Document,
    Emph,
    Footnote,
    FootnoteRef,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    Metadata,
    OrderedList,
    Paragraph,
    Strong,
    Table,
    TableCell,
    Text,
    ThematicBreak,
    walk_inlines,
)
from .typography import is_cjk

FRONT_MATTER_KEYS = (
    "title",
    "lang",
    "author",
    "description",
    "keywords",
    "date",
    "publisher",
    "provenance",
)

_SOFT_BREAK = "\x00"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").use(front_matter_plugin).use(footnote_plugin)


def read_file(path: Path) -> Document:
    """Read the Markdown source at ``path``; any problem is a ``ReportExportError``."""
    return read_text(read_utf8(path), path)


def read_utf8(path: Path, not_text: str = "not valid UTF-8") -> str:
    """The text of the file at ``path``; a missing, unreadable or non-UTF-8 file is a
    ``ReportExportError`` naming it (and the line of the first bad byte)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ReportExportError("no such file", path) from None
    except OSError as err:
        raise ReportExportError(f"cannot read: {err.strerror}", path) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ReportExportError(f"{not_text} (byte {err.start})", path, line) from None


def read_text(text: str, path: Path) -> Document:
    """Parse Markdown ``text`` that came from ``path`` (used for messages and ``base_dir``)."""
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    if control := _CONTROL.search(text):
        # XML (DOCX, EPUB) cannot hold C0 controls: refuse them here, not deep in a writer.
        line = text.count("\n", 0, control.start()) + 1
        raise ReportExportError(f"control character U+{ord(control.group()):04X}", path, line)
    tree = SyntaxTreeNode(_markdown().parse(text))
    return _DocumentBuilder(path).build(tree)


class _DocumentBuilder:
    """Walks markdown-it's syntax tree once and builds the model."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.heading_counters: list[int] = []
        self.footnote_labels: dict[int, str] = {}
        self.footnote_lines: dict[str, int | None] = {}

    def fail(self, message: str, node: SyntaxTreeNode | None) -> ReportExportError:
        return ReportExportError(message, self.path, _line(node))

    def build(self, tree: SyntaxTreeNode) -> Document:
        meta: Metadata | None = None
        blocks: list[Block] = []
        footnotes: list[Footnote] = []
        for node in tree.children:
            if node.type == "front_matter":
                meta = self.metadata(node)
            elif node.type == "footnote_block":
                footnotes = [self.footnote(child) for child in node.children]
            else:
                blocks.append(self.block(node))
        if meta is None:
            raise ReportExportError("no YAML front matter (a --- block with a title)", self.path, 1)
        self.check_footnotes(tuple(blocks), footnotes)
        return Document(
            meta=meta,
            blocks=tuple(blocks),
            footnotes=tuple(footnotes),
            base_dir=self.path.parent,
        )

    # --- front matter ---------------------------------------------------------------------

    def metadata(self, node: SyntaxTreeNode) -> Metadata:
        try:
            data = yaml.safe_load(node.content)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            line = mark.line + 2 if mark is not None else 1  # +1 for the opening ---
            problem = getattr(err, "problem", None) or "invalid YAML"
            raise ReportExportError(f"front matter: {problem}", self.path, line) from None
        if not isinstance(data, dict):
            raise self.fail("front matter must be a mapping of keys to values", node)
        unknown = sorted(set(map(str, data)) - set(FRONT_MATTER_KEYS))
        if unknown:
            raise self.fail(
                f"front matter: unknown key {unknown[0]!r} (known: {', '.join(FRONT_MATTER_KEYS)})",
                node,
            )
        title = data.get("title")
        if not isinstance(title, str) or not title.strip():
            raise self.fail("front matter: 'title' must be a non-empty string", node)
        keywords = data.get("keywords", ())
        if isinstance(keywords, str):
            keywords = [k.strip() for k in re.split(r"[,，、;；]", keywords) if k.strip()]
        if not isinstance(keywords, list | tuple):
            raise self.fail("front matter: 'keywords' must be a list or a string", node)
        provenance = data.get("provenance", {})
        if not isinstance(provenance, dict):
            raise self.fail("front matter: 'provenance' must be a mapping", node)
        return Metadata(
            title=title.strip(),
            lang=self.scalar(data, "lang", node) or "zh-CN",
            author=self.scalar(data, "author", node),
            description=self.scalar(data, "description", node),
            keywords=tuple(_scalar_text(k) for k in keywords),
            date=self.scalar(data, "date", node),
            publisher=self.scalar(data, "publisher", node),
            provenance=tuple((str(k), _scalar_text(v)) for k, v in provenance.items()),
        )

    def scalar(self, data: dict[str, Any], key: str, node: SyntaxTreeNode) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if isinstance(value, dict | list):
            raise self.fail(f"front matter: {key!r} must be a single value", node)
        return _scalar_text(value).strip()

    # --- blocks ---------------------------------------------------------------------------

    def blocks(self, nodes: Iterable[SyntaxTreeNode]) -> tuple[Block, ...]:
        return tuple(self.block(node) for node in nodes)

    def block(self, node: SyntaxTreeNode) -> Block:
        match node.type:
            case "heading":
                return self.heading(node)
            case "paragraph":
                return self.paragraph(node)
            case "bullet_list":
                return BulletList(tuple(self.blocks(item.children) for item in node.children))
            case "ordered_list":
                start = int(node.attrs.get("start", 1))
                items = tuple(self.blocks(item.children) for item in node.children)
                return OrderedList(items, start)
            case "blockquote":
                return BlockQuote(self.blocks(node.children))
            case "table":
                return self.table(node)
            case "hr":
                return ThematicBreak()
            case "html_block":
                raise self.fail("raw HTML is not supported; write it in Markdown", node)
            case "code_block" | "fence":
                raise self.fail("code blocks are not supported in a report", node)
            case "front_matter":
                raise self.fail("a second front matter block", node)
            case other:
                raise self.fail(f"unsupported Markdown construct ({other})", node)

    def heading(self, node: SyntaxTreeNode) -> Heading:
        level = int(node.tag[1:])
        # Stable ids from the heading's position in the outline: sec-2-3 is item 3 of part 2.
        del self.heading_counters[level:]
        self.heading_counters.extend([0] * (level - len(self.heading_counters)))
        self.heading_counters[level - 1] += 1
        ident = "sec-" + "-".join(str(n) for n in self.heading_counters)
        children = self.inline_children(node)
        if not children:
            raise self.fail("empty heading", node)
        return Heading(level, children, ident)

    def paragraph(self, node: SyntaxTreeNode) -> Paragraph | Image:
        inline = node.children[0]
        parts = [child for child in inline.children if not _is_blank(child)]
        if len(parts) == 1 and parts[0].type == "image":
            image = parts[0]
            return Image(
                src=str(image.attrs.get("src", "")),
                alt=_plain(image),
                title=str(image.attrs.get("title", "") or ""),
            )
        return Paragraph(self.inline_children(node))

    def table(self, node: SyntaxTreeNode) -> Table:
        rows: list[tuple[TableCell, ...]] = []
        for section in node.children:  # thead, tbody
            for row in section.children:
                rows.append(tuple(self.cell(cell) for cell in row.children))
        return Table(header=rows[0], rows=tuple(rows[1:]))

    def cell(self, node: SyntaxTreeNode) -> TableCell:
        style = str(node.attrs.get("style", ""))
        align = style.removeprefix("text-align:").strip() if style else ""
        return TableCell(self.inline_children(node), align)

    def check_footnotes(self, blocks: tuple[Block, ...], footnotes: list[Footnote]) -> None:
        """Every footnote is called from the body: a note called only from another note has
        no place in a paged format (Word cannot hold it, a page has no spot for it)."""
        called = {i.label for i in walk_inlines(blocks) if isinstance(i, FootnoteRef)}
        for note in footnotes:
            if note.label not in called:
                raise ReportExportError(
                    f"footnote [^{note.label}] is called only from another footnote; "
                    "call it from the text or merge it into that note",
                    self.path,
                    self.footnote_lines.get(note.label),
                )

    def footnote(self, node: SyntaxTreeNode) -> Footnote:
        label = self.footnote_label(node.meta)
        # The plugin gives a footnote no line of its own; its first block has one.
        self.footnote_lines[label] = _line(node.children[0] if node.children else node)
        # A note that ends in a list (not a paragraph) carries the plugin's back-link as a
        # block of its own.
        blocks = (child for child in node.children if child.type != "footnote_anchor")
        return Footnote(label, self.blocks(blocks))

    def footnote_label(self, meta: dict[str, Any]) -> str:
        ident = int(meta["id"])
        return self.footnote_labels.setdefault(ident, str(meta.get("label") or ident + 1))

    # --- inlines --------------------------------------------------------------------------

    def inline_children(self, node: SyntaxTreeNode) -> tuple[Inline, ...]:
        children = node.children[0].children if node.children else []
        return _merge_text(self.inlines(children, node))

    def inlines(self, nodes: Iterable[SyntaxTreeNode], block: SyntaxTreeNode) -> list[Inline]:
        out: list[Inline] = []
        for node in nodes:
            match node.type:
                case "text":
                    out.append(Text(node.content))
                case "softbreak":
                    out.append(Text(_SOFT_BREAK))
                case "hardbreak":
                    out.append(LineBreak())
                case "em":
                    out.append(Emph(_merge_text(self.inlines(node.children, block))))
                case "strong":
                    out.append(Strong(_merge_text(self.inlines(node.children, block))))
                case "code_inline":
                    out.append(Code(node.content))
                case "link":
                    out.append(
                        Link(
                            _merge_text(self.inlines(node.children, block)),
                            str(node.attrs.get("href", "")),
                            str(node.attrs.get("title", "") or ""),
                        )
                    )
                case "footnote_ref":
                    out.append(FootnoteRef(self.footnote_label(node.meta)))
                case "footnote_anchor":
                    continue  # the back-link the plugin adds inside a footnote's text
                case "image":
                    raise self.fail("an image must stand alone in its own paragraph", block)
                case "html_inline":
                    raise self.fail(f"raw HTML is not supported: {node.content}", block)
                case other:
                    raise self.fail(f"unsupported inline Markdown ({other})", block)
        return out


def _merge_text(inlines: list[Inline]) -> tuple[Inline, ...]:
    """Join adjacent text runs and resolve soft breaks: none between CJK, a space elsewhere."""
    merged: list[Inline] = []
    for inline in inlines:
        if isinstance(inline, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + inline.text)
        else:
            merged.append(inline)
    return tuple(
        Text(_resolve_soft_breaks(inline.text)) if isinstance(inline, Text) else inline
        for inline in merged
        if not (isinstance(inline, Text) and inline.text == "")
    )


def _resolve_soft_breaks(text: str) -> str:
    def joiner(match: re.Match[str]) -> str:
        at, end = match.start(), match.end()
        # CJK text has no spaces: a soft break between two CJK characters joins without one.
        cjk_both = at > 0 and end < len(text) and is_cjk(text[at - 1]) and is_cjk(text[end])
        return "" if cjk_both else " "

    return re.sub(_SOFT_BREAK, joiner, text)


def _is_blank(node: SyntaxTreeNode) -> bool:
    return node.type in ("softbreak",) or (node.type == "text" and not node.content.strip())


def _plain(node: SyntaxTreeNode) -> str:
    return "".join(child.content for child in node.children) or node.content


def _line(node: SyntaxTreeNode | None) -> int | None:
    while node is not None and not node.is_root:
        if node.map:
            return node.map[0] + 1
        node = node.parent
    return None


def _scalar_text(value: object) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
