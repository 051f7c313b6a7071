"""Markdown (CommonMark + YAML front matter, footnotes, tables) -> the document model.

markdown-it-py does the parsing; this module only maps its syntax tree onto ``model``.
A construct the model cannot hold (raw HTML, code blocks, inline images, …) is an error that
names the file and line: it never vanishes silently from the outputs.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from .assets import image_type, resolve_asset
from .errors import ReportExportError
from .images import check_image
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
    "publish_provenance",
)

_SOFT_BREAK = "\x00"
# C0 and C1 controls (XML cannot hold the first, every format shows the second as garbage),
# the bidirectional embeddings, overrides and isolates (they reorder what a reader sees, not
# what verify reads: the "Trojan Source" trick), and the Unicode noncharacters.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
    "\ufdd0-\ufdef\ufffe\uffff\U0001fffe\U0001ffff\U0002fffe\U0002ffff"
    "\U0003fffe\U0003ffff\U0010fffe\U0010ffff]"
)

MAX_NESTING = 8
"""How deep lists and quotes may nest in one another, and inlines (emphasis, links) too."""
MAX_FRONT_MATTER_DEPTH = 4
"""How deep front matter values may nest (``provenance`` is a mapping: depth 2)."""
MAX_TITLE = 255
"""Characters in the title (and every other front matter field but the description): what
DOCX core properties and most readers' library views hold."""
MAX_TABLE_COLUMNS = 30
"""Columns a table may have: more cannot be set on any page or screen."""
MAX_LIST_START = 1_000_000
"""The largest number an ordered list may start at."""
MAX_TEXT_BYTES = 10 << 20
"""The largest source (and scraped copy) read: the reader parses ~0.3-3 MB a second here
(more for long paragraphs, less for many short ones) and every format's cost grows with it, so
10 MiB is a build of about two minutes at worst (bench/scaling.py); refused before more of the
file is read."""
# markdown-it stops parsing (and drops the rest of the document) at its own nesting limit:
# set it well above ours so that ours is always met first and refused with a line.
_PARSER_NESTING = 4 * MAX_NESTING + 4

# RFC 5646 (BCP 47) well-formed language tags: language-extlang-script-region-variant-
# extension-privateuse, or a private-use tag alone.
_ALNUM = "[A-Za-z0-9]"
_LANG_TAG = re.compile(
    rf"""(?:[A-Za-z]{{2,3}}(?:-[A-Za-z]{{3}}){{0,3}}|[A-Za-z]{{4,8}})
    (?:-[A-Za-z]{{4}})?
    (?:-(?:[A-Za-z]{{2}}|[0-9]{{3}}))?
    (?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*
    (?:-[0-9A-WYZa-wyz](?:-{_ALNUM}{{2,8}})+)*
    (?:-[xX](?:-{_ALNUM}{{1,8}})+)?
    |[xX](?:-{_ALNUM}{{1,8}})+""",
    re.VERBOSE,
)
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
# Link targets a reader's viewer would run rather than open.
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
_UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader with dates left as text: the reader checks them itself, so that a
    date that is no date (2024-13-45) is a message with its line, not a crash in PyYAML."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# The same loader over LibYAML's parser, where PyYAML was built with it (its wheels are): the
# pure-Python parser takes ~7 ms over the report's ten lines of front matter, read twice.
_FAST_LOADER: type[Any] | None = (
    type(
        "_FastFrontMatterLoader",
        (yaml.CSafeLoader,),
        {"yaml_implicit_resolvers": _FrontMatterLoader.yaml_implicit_resolvers},
    )
    if yaml.__with_libyaml__
    else None
)


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"maxNesting": _PARSER_NESTING})
    # markdown-it turns a link or image to a refused scheme (file:, javascript:, …) into
    # literal text, silently; accept every one here and refuse what we refuse with a line.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md.enable("table").use(front_matter_plugin).use(footnote_plugin)


def read_file(path: Path) -> Document:
    """Read the Markdown source at ``path``; any problem is a ``ReportExportError``."""
    return read_text(read_utf8(path), path, check_files=True)


def read_utf8(path: Path, not_text: str = "not valid UTF-8") -> str:
    """The text of the file at ``path``; a missing, unreadable, non-UTF-8 or too large file
    (``MAX_TEXT_BYTES``) is a ``ReportExportError`` naming it (and the line of the first bad
    byte)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_TEXT_BYTES + 1)
    except FileNotFoundError:
        raise ReportExportError("no such file", path) from None
    except OSError as err:
        raise ReportExportError(f"cannot read: {err.strerror}", path) from None
    if len(raw) > MAX_TEXT_BYTES:
        raise ReportExportError(
            f"larger than {MAX_TEXT_BYTES >> 20} MiB, the most a source or a copy to import may be",
            path,
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ReportExportError(f"{not_text} (byte {err.start})", path, line) from None


def read_text(text: str, path: Path, check_files: bool = False) -> Document:
    """Parse Markdown ``text`` that came from ``path`` (used for messages and ``base_dir``);
    with ``check_files``, every image it shows must be a file the outputs may hold."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    if control := _CONTROL.search(text):
        # XML (DOCX, EPUB) cannot hold C0 controls: refuse them here, not deep in a writer.
        line = text.count("\n", 0, control.start()) + 1
        code = ord(control.group())
        raise ReportExportError(
            f"character U+{code:04X} ({_kind_of_control(code)}) is not allowed", path, line
        )
    env: dict[str, Any] = {}
    tokens = _markdown().parse(text, env)
    _check_nesting(tokens, path)
    builder = _DocumentBuilder(path)
    document = replace(builder.build(SyntaxTreeNode(tokens)), source=path, source_digest=digest)
    if check_files:
        _check_images(document, builder.images, path)
    _check_unused_notes(env, text, path)
    return document


def _check_images(document: Document, images: list[tuple[Image, int | None]], path: Path) -> None:
    """Every image through the asset policy and the image checks, here rather than in each
    format: all formats refuse alike, and the message names the source's line."""
    for image, line in images:
        try:
            check_image(image.src, resolve_asset(document, image.src))
            image_type(image.src, Path(image.src))
        except ReportExportError as err:
            raise ReportExportError(err.message, path, line) from None


def _kind_of_control(code: int) -> str:
    if code < 0x20 or code == 0x7F:
        return "a C0 control"
    if code < 0xA0:
        return "a C1 control"
    if 0x202A <= code <= 0x206F:
        return "a bidirectional control"
    return "a noncharacter"


def _check_nesting(tokens: list[Token], path: Path) -> None:
    """Refuse blocks or inlines nested deeper than ``MAX_NESTING``, before anything recurses
    over the tree (Python's recursion limit would be met at ~1,000)."""
    blocks = 0
    for token in tokens:
        if token.type in _CONTAINERS:
            blocks += token.nesting
            if blocks > MAX_NESTING:
                where = token.map[0] + 1 if token.map else None
                raise ReportExportError(
                    f"lists and quotes nest more than {MAX_NESTING} deep", path, where
                )
        inlines = 0
        for child in token.children or ():
            inlines += child.nesting
            if inlines > MAX_NESTING:
                where = token.map[0] + 1 if token.map else None
                raise ReportExportError(
                    f"emphasis and links nest more than {MAX_NESTING} deep", path, where
                )


_CONTAINERS = {
    f"{kind}_{edge}"
    for kind in ("bullet_list", "ordered_list", "blockquote")
    for edge in ("open", "close")
}


def _check_unused_notes(env: dict[str, Any], text: str, path: Path) -> None:
    """A footnote defined and never called would vanish from every output: refuse it."""
    for key, ident in env.get("footnotes", {}).get("refs", {}).items():
        if ident == -1:
            label = key.removeprefix(":")
            found = re.search(rf"^ {{0,3}}\[\^{re.escape(label)}\]:", text, re.MULTILINE)
            line = text.count("\n", 0, found.start()) + 1 if found else None
            raise ReportExportError(f"footnote [^{label}] is defined but never called", path, line)


class _DocumentBuilder:
    """Walks markdown-it's syntax tree once and builds the model."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.heading_counters: list[int] = []
        self.footnote_labels: dict[int, str] = {}
        self.footnote_lines: dict[str, int | None] = {}
        self.images: list[tuple[Image, int | None]] = []

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
        data = self.front_matter(node.content)
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
            raise self.key_error("title", "must be a non-empty string", node)
        keywords = data.get("keywords", ())
        if isinstance(keywords, str):
            keywords = [k.strip() for k in re.split(r"[,，、;；]", keywords) if k.strip()]
        if not isinstance(keywords, list | tuple):
            raise self.fail("front matter: 'keywords' must be a list or a string", node)
        provenance = data.get("provenance", {})
        if not isinstance(provenance, dict):
            raise self.fail("front matter: 'provenance' must be a mapping", node)
        provenance_keys = [self.text(k, "provenance", node) for k in provenance]
        meta = Metadata(
            publish_provenance=self.published(
                data.get("publish_provenance"), provenance_keys, node
            ),
            title=self.scalar(data, "title", node),
            lang=self.scalar(data, "lang", node) or "zh-CN",
            author=self.scalar(data, "author", node),
            description=self.scalar(data, "description", node, limit=None),
            keywords=tuple(self.text(k, "keywords", node) for k in keywords),
            date=self.scalar(data, "date", node),
            publisher=self.scalar(data, "publisher", node),
            provenance=tuple(
                (self.text(k, "provenance", node), self.text(v, "provenance", node))
                for k, v in provenance.items()
            ),
        )
        if not _LANG_TAG.fullmatch(meta.lang):
            raise self.key_error("lang", f"{meta.lang!r} is not a BCP 47 language tag", node)
        if meta.date and not _is_date(meta.date):
            raise self.key_error(
                "date", f"{meta.date!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)", node
            )
        return meta

    def published(self, value: object, keys: list[str], node: SyntaxTreeNode) -> tuple[str, ...]:
        """``publish_provenance``: ``true`` (every provenance key), ``false`` or absent (none),
        or a list of provenance keys."""
        if value is None or value is False:
            return ()
        if value is True:
            return tuple(keys)
        if not isinstance(value, list):
            raise self.key_error(
                "publish_provenance", "must be true, false or a list of provenance keys", node
            )
        named = tuple(self.text(key, "publish_provenance", node) for key in value)
        unknown = [key for key in named if key not in keys]
        if unknown:
            raise self.key_error(
                "publish_provenance", f"{unknown[0]!r} is not a key of 'provenance'", node
            )
        return named

    def front_matter(self, content: str) -> object:
        """The front matter's values, its shape checked first (``check_yaml_shape``).

        Front matter that LibYAML refuses is read again by PyYAML's own parser, whose message
        and line are the ones reported: LibYAML words its errors differently and stops at a
        nesting limit of its own before ours is checked."""
        if _FAST_LOADER is not None:
            with contextlib.suppress(yaml.YAMLError):
                return self.load_yaml(content, _FAST_LOADER)
        try:
            return self.load_yaml(content, _FrontMatterLoader)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            line = mark.line + 2 if mark is not None else 1  # +1 for the opening ---
            problem = getattr(err, "problem", None) or "invalid YAML"
            raise ReportExportError(f"front matter: {problem}", self.path, line) from None

    def load_yaml(self, content: str, loader: type[Any]) -> object:
        self.check_yaml_shape(content, loader)
        return yaml.load(content, Loader=loader)  # a safe loader

    def check_yaml_shape(self, content: str, loader: type[Any]) -> None:
        """Refuse aliases (a few hundred bytes of them expand to gigabytes) and values nested
        deeper than ``MAX_FRONT_MATTER_DEPTH``, reading YAML's event stream (which does not
        recurse) before anything builds the values (which does)."""
        depth = 0
        for event in yaml.parse(content, Loader=loader):
            line = event.start_mark.line + 2 if event.start_mark else 1
            if isinstance(event, yaml.AliasEvent):
                raise ReportExportError(
                    "front matter: YAML aliases are not allowed", self.path, line
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_FRONT_MATTER_DEPTH:
                    raise ReportExportError(
                        f"front matter: values nest more than {MAX_FRONT_MATTER_DEPTH} deep",
                        self.path,
                        line,
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1

    def key_error(self, key: str, message: str, node: SyntaxTreeNode) -> ReportExportError:
        """An error at the line of ``key`` in the front matter."""
        found = re.search(rf"^{re.escape(key)}\s*:", node.content, re.MULTILINE)
        line = node.content.count("\n", 0, found.start()) + 2 if found else _line(node)
        return ReportExportError(f"front matter: {key!r}: {message}", self.path, line)

    def scalar(
        self, data: dict[str, Any], key: str, node: SyntaxTreeNode, limit: int | None = MAX_TITLE
    ) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if isinstance(value, dict | list):
            raise self.key_error(key, "must be a single value", node)
        return self.text(value, key, node, limit).strip()

    def text(
        self, value: object, key: str, node: SyntaxTreeNode, limit: int | None = MAX_TITLE
    ) -> str:
        """A front matter value as text: a scalar, within ``limit`` characters."""
        if isinstance(value, dict | list | bytes):
            raise self.key_error(key, "must hold text, not a nested value", node)
        text = _scalar_text(value)
        if limit is not None and len(text) > limit:
            raise self.key_error(key, f"longer than {limit} characters", node)
        return text

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
                if start > MAX_LIST_START:
                    raise self.fail(f"a list may start at {MAX_LIST_START:,} at most", node)
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
            figure = Image(
                src=str(image.attrs.get("src", "")),
                alt=_plain(image),
                title=str(image.attrs.get("title", "") or ""),
            )
            self.images.append((figure, _line(node)))
            return figure
        return Paragraph(self.inline_children(node))

    def table(self, node: SyntaxTreeNode) -> Table:
        rows: list[tuple[TableCell, ...]] = []
        for section in node.children:  # thead, tbody
            for row in section.children:
                if len(row.children) > MAX_TABLE_COLUMNS:
                    raise self.fail(f"a table may have {MAX_TABLE_COLUMNS} columns at most", row)
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

    def inlines(
        self, nodes: Iterable[SyntaxTreeNode], block: SyntaxTreeNode, *, in_link: bool = False
    ) -> list[Inline]:
        out: list[Inline] = []
        for node in nodes:
            match node.type:
                case "text":
                    if called := _UNDEFINED_NOTE.search(node.content):
                        raise self.fail(
                            f"footnote [^{called.group(1)}] is called but never defined", block
                        )
                    out.extend([Text(node.content)] if in_link else _bare_urls(node.content))
                case "softbreak":
                    out.append(Text(_SOFT_BREAK))
                case "hardbreak":
                    out.append(LineBreak())
                case "em":
                    out.append(
                        Emph(_merge_text(self.inlines(node.children, block, in_link=in_link)))
                    )
                case "strong":
                    out.append(
                        Strong(_merge_text(self.inlines(node.children, block, in_link=in_link)))
                    )
                case "code_inline":
                    out.append(Code(node.content))
                case "link":
                    target = str(node.attrs.get("href", ""))
                    if target.lower().lstrip().startswith(_SCRIPT_SCHEMES):
                        raise self.fail(f"a link to {target[:40]!r} is not allowed", block)
                    out.append(
                        Link(
                            _merge_text(self.inlines(node.children, block, in_link=True)),
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


_BARE_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
"""A web address written as text. Only ASCII URL characters: in Chinese text the address
ends where the Chinese (or a full-width mark) begins, which linkify-it does not know (it runs
``https://example.org/x，供同行复核`` into one link)."""


def _bare_urls(text: str) -> list[Inline]:
    """``text`` with each web address in it made a link to itself, as GFM's extended
    autolinks do: a reader expects to follow it, and an accessible PDF must link what reads as
    an address (outloud's LNK-010), however the line breaks it."""
    out: list[Inline] = []
    at = 0
    for found in _BARE_URL.finditer(text):
        url = found.group().rstrip("?!.,:*_~'\"")
        # A closing parenthesis belongs to the address only when it closes one in it.
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip("?!.,:*_~'\"")
        if url.endswith("://"):
            continue
        out.append(Text(text[at : found.start()]))
        out.append(Link((Text(url),), url))
        at = found.start() + len(url)
    out.append(Text(text[at:]))
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


def _is_date(text: str) -> bool:
    """A real calendar date written YYYY-MM-DD, YYYY-MM or YYYY, from 1583 on (the
    Gregorian calendar: what EPUB, DOCX and PDF dates mean)."""
    if not _DATE.fullmatch(text):
        return False
    year, month, day = (int(part) for part in (text + "-01-01")[:10].split("-"))
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return year >= 1583


def _scalar_text(value: object) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
