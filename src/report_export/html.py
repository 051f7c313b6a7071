"""Semantic HTML5 from the model, shared by every HTML-based format (PDF, EPUB).

The markup is polyglot (well-formed XML as well as HTML) so EPUB can use it as XHTML. It holds
no presentation: print concerns live in the PDF's CSS, reading concerns in the EPUB's.
The document title is ``<h1 class="title">``; a model heading of level L is ``<h{L+1}>``.

Two marks of Chinese typesetting are made in the markup, for every format's stylesheet to set:
a punctuation mark set half-width beside the next (``<span class="halt">``: clreq's adjacent
punctuation, which the font's ``halt`` feature does, as Noto CJK has no contextual ``chws``),
and the last characters of a paragraph kept on one line (``<span class="keep">``), so that its
last line never holds one character alone.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from html import escape

from .adjacent_punctuation import halted
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
    inline_text,
    provenance_text,
)
from .typography import CJK, balanced_lines, is_cjk


def heading_tag(level: int) -> str:
    """The HTML element of a model heading of ``level`` (the title alone is h1)."""
    return f"h{min(level + 1, 6)}"


_ID_CHARS = frozenset(string.ascii_letters + string.digits + "_-")
"""Characters a footnote label keeps in an id (``id_safe`` encodes the rest)."""


def id_safe(label: str) -> str:
    """``label`` as id characters: ASCII letters, digits, ``_`` and ``-`` kept, every other
    UTF-8 byte written ``.XX`` (``x&y`` -> ``x.26y``).

    A footnote label is whatever the Markdown says (``[^x&y"]``, ``[^注]``); an id made of it
    must be a valid XML name part and a URL fragment that needs no escaping. The dot is never
    kept, so two labels never share an id, and the same label always gets the same one.
    """
    return "".join(
        char if char in _ID_CHARS else "".join(f".{byte:02X}" for byte in char.encode("utf-8"))
        for char in label
    )


def footnote_id(label: str) -> str:
    """The id of a footnote's entry in the notes list (or of the note itself, in print)."""
    return f"fn-{id_safe(label)}"


def footnote_ref_id(label: str) -> str:
    """The id of the (first) reference to a footnote, the back-link's target."""
    return f"fnref-{id_safe(label)}"


BLOCK_RULES: Mapping[type[Block], str] = {
    Heading: "heading",
    Paragraph: "paragraph",
    BulletList: "bullet_list",
    OrderedList: "ordered_list",
    BlockQuote: "block_quote",
    Table: "table",
    Image: "image",
    ThematicBreak: "thematic_break",
}
"""The renderer's method (its rule) for each kind of block."""

INLINE_RULES: Mapping[type[Inline], str] = {
    Text: "text",
    Emph: "emph",
    Strong: "strong",
    Code: "code",
    Link: "link",
    FootnoteRef: "footnote_ref",
    LineBreak: "line_break",
}
"""The renderer's method (its rule) for each kind of inline."""


class HtmlRenderer:
    """Renders model nodes to HTML strings, one method (a rule) for each kind of node.

    ``block`` and ``inline`` dispatch by the node's type through ``BLOCK_RULES`` and
    ``INLINE_RULES``, as markdown-it-py's ``RendererHTML`` does by token type, so a format
    changes how one kind of node looks by overriding that one rule; a node with no rule is an
    error, never silently dropped.

    ``note_href`` maps a footnote label to the link target of its reference (another file's
    fragment in a multi-file EPUB); ``epub`` adds ``epub:type`` semantics for e-readers;
    ``image_href`` maps an image's ``src`` to where the output keeps the file (an EPUB's
    manifest path, a PDF's data: URI), by default the ``src`` itself; ``link_href`` maps a
    link's target to the ``href`` written (``#sec-2`` to the file that holds that heading, in an
    EPUB), by default the target itself; ``title_em`` is the measure, in ems of the title's
    size, the title is balanced for (the PDF's), 0 for none.

    Inside emphasis, a run of Latin letters or digits is ``<span class="latin">``: Chinese
    emphasis is 着重号 (dots under each character), which Latin text does not take.
    """

    def __init__(
        self,
        document: Document,
        note_href: Callable[[str], str] | None = None,
        epub: bool = False,
        image_href: Callable[[str], str] | None = None,
        link_href: Callable[[str], str] | None = None,
        title_em: float = 0,
    ) -> None:
        self.document = document
        self.numbers = document.footnote_numbers()
        self.note_href = note_href or (lambda label: "#" + footnote_id(label))
        self.epub = epub
        self.image_href = image_href or (lambda src: src)
        self.link_href = link_href or (lambda target: target)
        self.referenced: set[str] = set()
        self.following = ""
        """The character after the inline being rendered, within its block ("" at its end)."""
        self.keep_end = False
        """Whether the block being rendered keeps its last characters on one line."""
        self.title_em = title_em
        self.emphasis = 0
        """How deep the inline being rendered is inside emphasis."""

    # --- dispatch -------------------------------------------------------------------------

    def block(self, block: Block) -> str:
        """A block through the rule for its kind."""
        rule: Callable[[Block], str] = getattr(self, _rule(BLOCK_RULES, block))
        return rule(block)

    def inline(self, inline: Inline) -> str:
        """An inline through the rule for its kind."""
        rule: Callable[[Inline], str] = getattr(self, _rule(INLINE_RULES, inline))
        return rule(inline)

    def blocks(self, blocks: Sequence[Block]) -> str:
        """HTML for a run of blocks, one element a line."""
        return "\n".join(self.block(block) for block in blocks)

    def inlines(self, inlines: Sequence[Inline]) -> str:
        outer = self.following
        # The first character after each inline, filled from the end (linear in the inlines).
        after = [outer] * (len(inlines) + 1)
        for index in range(len(inlines) - 1, -1, -1):
            after[index] = inline_text((inlines[index],))[:1] or after[index + 1]
        parts = []
        for index, inline in enumerate(inlines):
            self.following = after[index + 1]
            parts.append(self.inline(inline))
        self.following = outer
        return "".join(parts)

    def block_inlines(self, inlines: Sequence[Inline]) -> str:
        """The inlines of a paragraph (or a tight list item): its last characters kept."""
        called = _note_called_at_end(inlines)
        if called is not None:
            # "…解散³。": the run after the call is too short to keep, so the two characters
            # before the call, the call and that run are kept as one.
            head, last, ref, tail = called
            self.following = last
            body = self.inlines((*inlines[:-3], head) if head.text else inlines[:-3])
            return body + self.keep_with_note(last, ref, tail.text)
        self.keep_end, self.following = True, ""
        try:
            return self.inlines(inlines)
        finally:
            self.keep_end = False

    def keep_with_note(self, last: str, ref: FootnoteRef, tail: str) -> str:
        """A paragraph's last two characters, the note called after them and the punctuation
        that ends the paragraph, on one line."""
        self.following = tail[:1]
        call = self.footnote_ref(ref)
        self.following = ""
        return self.kept_group((self.keep(last, ""), call, self.keep(tail, "")))

    def kept_group(self, parts: tuple[str, ...]) -> str:
        """HTML pieces kept on one line."""
        return f'<span class="keep">{"".join(parts)}</span>'

    # --- block rules ----------------------------------------------------------------------

    def heading(self, heading: Heading) -> str:
        tag = heading_tag(heading.level)
        return f'<{tag} id="{heading.id}">{self.inlines(heading.children)}</{tag}>'

    def paragraph(self, paragraph: Paragraph) -> str:
        return f"<p>{self.block_inlines(paragraph.children)}</p>"

    def bullet_list(self, bullets: BulletList) -> str:
        return f"<ul>\n{self.items(bullets.items)}\n</ul>"

    def ordered_list(self, numbered: OrderedList) -> str:
        start = f' start="{numbered.start}"' if numbered.start != 1 else ""
        return f"<ol{start}>\n{self.items(numbered.items)}\n</ol>"

    def block_quote(self, quote: BlockQuote) -> str:
        return f"<blockquote>\n{self.blocks(quote.children)}\n</blockquote>"

    def table(self, table: Table) -> str:
        head = self.row(table.header, "th")
        body = "\n".join(self.row(row, "td") for row in table.rows)
        return f"<table>\n<thead>\n{head}\n</thead>\n<tbody>\n{body}\n</tbody>\n</table>"

    def image(self, image: Image) -> str:
        caption = f"\n<figcaption>{escape(image.title)}</figcaption>" if image.title else ""
        return f"<figure>\n{self.img(image)}{caption}\n</figure>"

    def thematic_break(self, _: ThematicBreak) -> str:
        return "<hr/>"

    # --- parts of blocks ------------------------------------------------------------------

    def items(self, items: tuple[tuple[Block, ...], ...]) -> str:
        return "\n".join(f"<li>{self.item(item)}</li>" for item in items)

    def item(self, blocks: tuple[Block, ...]) -> str:
        # A one-paragraph item is a tight item: its text goes straight into the <li>.
        if len(blocks) == 1 and isinstance(blocks[0], Paragraph):
            return self.block_inlines(blocks[0].children)
        return "\n" + self.blocks(blocks) + "\n"

    def row(self, cells: tuple[TableCell, ...], tag: str) -> str:
        rendered = []
        for cell in cells:
            style = f' class="align-{cell.align}"' if cell.align else ""
            rendered.append(f"<{tag}{style}>{self.inlines(cell.children)}</{tag}>")
        return "<tr>" + "".join(rendered) + "</tr>"

    def img(self, image: Image) -> str:
        """The ``<img>`` element of an image."""
        return f'<img src="{escape(self.image_href(image.src))}" alt="{escape(image.alt)}"/>'

    # --- inline rules ---------------------------------------------------------------------

    def text(self, text: Text) -> str:
        if not self.emphasis:
            return self.text_run(text.text, self.following, self.keep_end)
        # Inside emphasis, split at CJK runs (the pieces at odd places are Chinese, the others
        # are not): Latin letters and digits take italic, not emphasis dots.
        pieces = _cjk_runs().split(text.text)
        out = []
        for index, piece in enumerate(pieces):
            rest = "".join(pieces[index + 1 :])
            marked = self.text_run(piece, rest[:1] or self.following, self.keep_end and not rest)
            latin = index % 2 == 0 and _LATIN.search(piece)
            out.append(f'<span class="latin">{marked}</span>' if latin else marked)
        return "".join(out)

    # --- text runs ------------------------------------------------------------------------

    def text_run(self, text: str, following: str = "", keep_end: bool = False) -> str:
        """HTML of a run of text (``following`` is the character after it): adjacent
        punctuation marked, and with ``keep_end`` at the end of
        a paragraph its last two characters and their punctuation kept together."""
        kept = _kept_from(text) if keep_end and not following else len(text)
        head = self.marked(text[:kept], text[kept : kept + 1] or following)
        return head + (self.keep(text[kept:], following) if kept < len(text) else "")

    def marked(self, text: str, following: str) -> str:
        """``text`` with each mark that gives up half its width in a ``halt`` span."""
        cuts = halted(text, following)
        if not cuts:
            return escape(text, quote=False)
        parts = []
        start = 0
        for index in cuts:
            parts.append(escape(text[start:index], quote=False))
            parts.append(self.halt(escape(text[index], quote=False)))
            start = index + 1
        parts.append(escape(text[start:], quote=False))
        return "".join(parts)

    def halt(self, mark: str) -> str:
        """A punctuation mark (as HTML) set half-width beside the next."""
        return f'<span class="halt">{mark}</span>'

    def keep(self, text: str, following: str) -> str:
        """The last characters of a paragraph, kept on one line."""
        return f'<span class="keep">{self.marked(text, following)}</span>'

    def emph(self, emph: Emph) -> str:
        self.emphasis += 1
        try:
            return f"<em>{self.inlines(emph.children)}</em>"
        finally:
            self.emphasis -= 1

    def strong(self, strong: Strong) -> str:
        return f"<strong>{self.inlines(strong.children)}</strong>"

    def code(self, code: Code) -> str:
        return f"<code>{escape(code.text, quote=False)}</code>"

    def link(self, link: Link) -> str:
        title = f' title="{escape(link.title)}"' if link.title else ""
        href = escape(self.link_href(link.target))
        # A link that shows its own address (a bare URL): one long word, which a stylesheet
        # lets break anywhere rather than leave the line before it loose.
        shown = ' class="url"' if inline_text(link.children) == link.target else ""
        return f'<a{shown} href="{href}"{title}>{self.inlines(link.children)}</a>'

    def footnote_ref(self, ref: FootnoteRef) -> str:
        label = ref.label
        first = label not in self.referenced
        self.referenced.add(label)
        ident = f' id="{footnote_ref_id(label)}"' if first else ""
        kind = ' epub:type="noteref"' if self.epub else ""
        href = escape(self.note_href(label))
        number = self.numbers[label]
        return (
            f'<a class="footnote-ref" href="{href}"{ident} role="doc-noteref"{kind}>'
            f"<sup>{number}</sup></a>"
        )

    def line_break(self, _: LineBreak) -> str:
        return "<br/>"

    # --- whole parts ----------------------------------------------------------------------

    def title_block(self) -> str:
        """The title (and author, where the metadata gives one) that opens the document."""
        meta = self.document.meta
        author = f'\n<p class="author">{escape(meta.author)}</p>' if meta.author else ""
        title = f'<h1 class="title">{self.title()}</h1>'
        return f'<header class="title-block">\n{title}{author}\n</header>'

    def title(self) -> str:
        """The document title, as the content of its ``<h1>``: with a ``title_em``, its
        balanced lines (the PDF's), each a ``<span class="line">`` that a screen narrower than
        the PDF's line breaks again inside."""
        meta = self.document.meta
        if not self.title_em:
            return escape(meta.title)
        lines = balanced_lines(meta.title, self.title_em, meta.lang)
        if len(lines) == 1:
            return escape(meta.title)
        parts: list[str] = []
        end = 0
        for line in lines:
            start = meta.title.index(line, end)
            parts.append(escape(meta.title[end:start]))  # the space a break took, if any
            parts.append(f'<span class="line">{escape(line)}</span>')
            end = start + len(line)
        return "".join(parts)

    def footnotes(
        self,
        notes: Sequence[Footnote],
        backlink_href: Callable[[str], str],
        heading: str = "",
    ) -> str:
        """The notes list; ``backlink_href`` maps a label to its reference's location.

        With a ``heading`` (notes in a document of their own, as in an EPUB) the list opens
        with it as a level-1 heading instead of the rule that sets notes apart from the text.
        """
        if not notes:
            return ""
        kind = ' epub:type="endnotes"' if self.epub else ""
        note_kind = ' epub:type="endnote"' if self.epub else ""
        tag = heading_tag(1)
        opener = f"<{tag}>{escape(heading, quote=False)}</{tag}>" if heading else "<hr/>"
        entries = []
        for note in notes:
            back = escape(backlink_href(note.label))
            number = self.numbers[note.label]
            entries.append(
                f'<li id="{footnote_id(note.label)}" value="{number}"{note_kind}>'
                f"{self.item(note.children)}"
                f' <a class="footnote-back" href="{back}" role="doc-backlink">↩</a></li>'
            )
        items = "\n".join(entries)
        return (
            f'<section class="footnotes" role="doc-endnotes"{kind}>\n'
            f"{opener}\n<ol>\n{items}\n</ol>\n</section>"
        )


KEPT_MOST = 8
"""The most characters a paragraph's kept end holds (two characters and their punctuation)."""


def _kept_from(text: str) -> int:
    """Where the last two characters of a paragraph's text begin (with the punctuation between
    and after them), or the run's length when the last is not Chinese or a space comes first:
    a Latin word already holds together, and a break at a space is one the line may take."""
    index = len(text)
    found = 0
    while index and found < 2:
        index -= 1
        char = text[index]
        if char.isspace() or (found == 0 and _counts(char) and not is_cjk(char)):
            return len(text)
        found += _counts(char)
    return index if found == 2 and len(text) - index <= KEPT_MOST else len(text)


def _note_called_at_end(inlines: Sequence[Inline]) -> tuple[Text, str, FootnoteRef, Text] | None:
    """A paragraph that ends "…解散[^n]。": the text before its last two characters, those
    characters, the call and the closing run (punctuation only, which keeps nothing itself)."""
    if len(inlines) < 3:
        return None
    before, ref, tail = inlines[-3:]
    if not (isinstance(before, Text) and isinstance(ref, FootnoteRef) and isinstance(tail, Text)):
        return None
    text = before.text
    kept = _kept_from(text)
    if kept == len(text) or not tail.text or len(tail.text) > KEPT_MOST:
        return None
    if any(_counts(char) or char.isspace() for char in tail.text):
        return None
    return Text(text[:kept]), text[kept:], ref, tail


def _counts(char: str) -> bool:
    """Whether ``char`` counts as a character of a line (not punctuation, not a space)."""
    return not char.isspace() and unicodedata.category(char)[0] not in "PZ"


@functools.cache
def _cjk_runs() -> re.Pattern[str]:
    # Compiled on first use: ``re`` takes ~3 ms to build a class as wide as ``CJK``, which a
    # document without emphasis never needs.
    return re.compile(f"([{CJK}]+)")


_LATIN = re.compile(r"[^\W_]")  # a letter or digit


def _rule(rules: Mapping[type, str], node: object) -> str:
    try:
        return rules[type(node)]
    except KeyError:
        raise TypeError(f"the HTML renderer has no rule for {type(node).__name__}") from None


def html_page(
    meta: Metadata,
    body: str,
    stylesheets: Sequence[str] = (),
    title: str | None = None,
    epub: bool = False,
) -> str:
    """A complete, well-formed HTML document around ``body``; ``lang`` from the metadata."""
    lang = escape(meta.lang)
    namespaces = ' xmlns:epub="http://www.idpf.org/2007/ops"' if epub else ""
    links = "".join(f'\n<link rel="stylesheet" href="{escape(href)}"/>' for href in stylesheets)
    head_meta = "".join(
        f'\n<meta name="{name}" content="{escape(value)}"/>'
        for name, value in (
            ("author", meta.author),
            ("description", meta.description),
            ("keywords", ", ".join(meta.keywords)),
            # Dublin Core in HTML (the names are registered meta extensions): the document's
            # own date, and the provenance only where the source asks to publish it.
            ("dcterms.date", meta.date),
            ("dcterms.source", provenance_text(meta)),
        )
        if value
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n<!DOCTYPE html>\n"
        f'<html xmlns="http://www.w3.org/1999/xhtml"{namespaces} lang="{lang}" xml:lang="{lang}">\n'
        f'<head>\n<meta charset="utf-8"/>\n<title>{escape(title or meta.title)}</title>'
        f"{head_meta}{links}\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
