"""Semantic HTML5 from the model, shared by every HTML-based format (PDF, EPUB).

The markup is polyglot (well-formed XML as well as HTML) so EPUB can use it as XHTML. It holds
no presentation: print concerns live in the PDF's CSS, reading concerns in the EPUB's.
The document title is ``<h1 class="title">``; a model heading of level L is ``<h{L+1}>``.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from html import escape
from typing import assert_never

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
)


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


class HtmlRenderer:
    """Renders model nodes to HTML strings.

    ``note_href`` maps a footnote label to the link target of its reference (another file's
    fragment in a multi-file EPUB); ``epub`` adds ``epub:type`` semantics for e-readers;
    ``image_href`` maps an image's ``src`` to where the output keeps the file (an EPUB's
    manifest path), by default the ``src`` itself; ``link_href`` maps a link's target to the
    ``href`` written (``#sec-2`` to the file that holds that heading, in an EPUB), by default
    the target itself.
    """

    def __init__(
        self,
        document: Document,
        note_href: Callable[[str], str] | None = None,
        epub: bool = False,
        image_href: Callable[[str], str] | None = None,
        link_href: Callable[[str], str] | None = None,
    ) -> None:
        self.document = document
        self.numbers = {note.label: n for n, note in enumerate(document.footnotes, start=1)}
        self.note_href = note_href or (lambda label: "#" + footnote_id(label))
        self.epub = epub
        self.image_href = image_href or (lambda src: src)
        self.link_href = link_href or (lambda target: target)
        self.referenced: set[str] = set()

    # --- blocks ---------------------------------------------------------------------------

    def blocks(self, blocks: Sequence[Block]) -> str:
        """HTML for a run of blocks, one element a line."""
        return "\n".join(self.block(block) for block in blocks)

    def block(self, block: Block) -> str:
        match block:
            case Heading(level=level, children=children, id=ident):
                tag = heading_tag(level)
                return f'<{tag} id="{ident}">{self.inlines(children)}</{tag}>'
            case Paragraph(children=children):
                return f"<p>{self.inlines(children)}</p>"
            case BulletList(items=items):
                return f"<ul>\n{self.items(items)}\n</ul>"
            case OrderedList(items=items, start=start):
                start_attr = f' start="{start}"' if start != 1 else ""
                return f"<ol{start_attr}>\n{self.items(items)}\n</ol>"
            case BlockQuote(children=children):
                return f"<blockquote>\n{self.blocks(children)}\n</blockquote>"
            case Table(header=header, rows=rows):
                head = self.row(header, "th")
                body = "\n".join(self.row(row, "td") for row in rows)
                return f"<table>\n<thead>\n{head}\n</thead>\n<tbody>\n{body}\n</tbody>\n</table>"
            case Image(src=src, alt=alt, title=title):
                caption = f"\n<figcaption>{escape(title)}</figcaption>" if title else ""
                img = f'<img src="{escape(self.image_href(src))}" alt="{escape(alt)}"/>'
                return f"<figure>\n{img}{caption}\n</figure>"
            case ThematicBreak():
                return "<hr/>"
            case _:
                assert_never(block)

    def items(self, items: tuple[tuple[Block, ...], ...]) -> str:
        return "\n".join(f"<li>{self.item(item)}</li>" for item in items)

    def item(self, blocks: tuple[Block, ...]) -> str:
        # A one-paragraph item is a tight item: its text goes straight into the <li>.
        if len(blocks) == 1 and isinstance(blocks[0], Paragraph):
            return self.inlines(blocks[0].children)
        return "\n" + self.blocks(blocks) + "\n"

    def row(self, cells: tuple[TableCell, ...], tag: str) -> str:
        rendered = []
        for cell in cells:
            style = f' class="align-{cell.align}"' if cell.align else ""
            rendered.append(f"<{tag}{style}>{self.inlines(cell.children)}</{tag}>")
        return "<tr>" + "".join(rendered) + "</tr>"

    # --- inlines --------------------------------------------------------------------------

    def inlines(self, inlines: Sequence[Inline]) -> str:
        return "".join(self.inline(inline) for inline in inlines)

    def inline(self, inline: Inline) -> str:
        match inline:
            case Text(text=text):
                return escape(text, quote=False)
            case Emph(children=children):
                return f"<em>{self.inlines(children)}</em>"
            case Strong(children=children):
                return f"<strong>{self.inlines(children)}</strong>"
            case Code(text=text):
                return f"<code>{escape(text, quote=False)}</code>"
            case Link(children=children, target=target, title=title):
                title_attr = f' title="{escape(title)}"' if title else ""
                href = escape(self.link_href(target))
                return f'<a href="{href}"{title_attr}>{self.inlines(children)}</a>'
            case FootnoteRef(label=label):
                return self.footnote_ref(label)
            case LineBreak():
                return "<br/>"
            case _:
                assert_never(inline)

    def footnote_ref(self, label: str) -> str:
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

    # --- whole parts ----------------------------------------------------------------------

    def title_block(self) -> str:
        """The title (and author, where the metadata gives one) that opens the document."""
        meta = self.document.meta
        author = f'\n<p class="author">{escape(meta.author)}</p>' if meta.author else ""
        title = f'<h1 class="title">{escape(meta.title)}</h1>'
        return f'<header class="title-block">\n{title}{author}\n</header>'

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
        )
        if value
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n<!DOCTYPE html>\n"
        f'<html xmlns="http://www.w3.org/1999/xhtml"{namespaces} lang="{lang}" xml:lang="{lang}">\n'
        f'<head>\n<meta charset="utf-8"/>\n<title>{escape(title or meta.title)}</title>'
        f"{head_meta}{links}\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
