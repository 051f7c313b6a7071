"""The whole book: the XHTML pages rendered in reading order, packed with ebooklib, the archive
rewritten without clock noise."""

from __future__ import annotations

import io
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ebooklib import epub
from lxml import etree

from ...assets import asset_roots
from ...html import HtmlRenderer, footnote_id, footnote_ref_id, html_page
from ...labels import labels_for
from ...model import Document, Heading, walk_blocks
from ...reproducible import build_timestamp, normalize_zip
from ...theme import Theme
from .images import collect_images
from .metadata import add_metadata
from .navigation import ebooklib_toc, table_of_contents, toc_titles
from .parts import (
    CSS_FILE,
    NAV_FILE,
    NOTES_FILE,
    TITLE_FILE,
    Chapter,
    Part,
    note_labels,
    split_chapters,
)
from .stylesheet import stylesheet

if TYPE_CHECKING:
    from .embedded_fonts import EmbeddedFont

# Apple Books shows embedded fonts by default only when the book says it specifies its fonts.
_APPLE_DISPLAY_OPTIONS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<display_options>\n"
    '  <platform name="*">\n'
    '    <option name="specified-fonts">true</option>\n'
    "  </platform>\n"
    "</display_options>\n"
)


class BookBuilder:
    """Builds one book; holds what the parts share (the renderer numbers notes as it goes)."""

    def __init__(self, document: Document, theme: Theme, embed_fonts: bool = False) -> None:
        self.document = document
        self.theme = theme
        self.embed_fonts = embed_fonts
        self.labels = labels_for(document.meta.lang)
        self.chapters = split_chapters(document)
        # The folders the PDF may read from too: the same source builds in every format.
        self.images = collect_images(document, asset_roots(document, theme.path.parent))
        self.first_ref = self._first_references()
        self.heading_files = self._heading_files()
        self.renderer = HtmlRenderer(
            document,
            note_href=lambda label: f"{NOTES_FILE}#{footnote_id(label)}",
            epub=True,
            image_href=lambda src: self.images[src].file_name,
            link_href=self.link_href,
            title_em=theme.title_measure_em,
        )

    def _first_references(self) -> dict[str, str]:
        """Each footnote label -> the file that holds its first reference (the back-link's
        target), in the order the renderer meets them: chapters, then the notes themselves."""
        first: dict[str, str] = {}
        for chapter in self.chapters:
            for label in note_labels(chapter.blocks):
                first.setdefault(label, chapter.file_name)
        for note in self.document.footnotes:
            for label in note_labels(note.children):
                first.setdefault(label, NOTES_FILE)
        return first

    def _heading_files(self) -> dict[str, str]:
        """Each heading's id -> the file that holds the heading."""
        files: dict[str, str] = {}
        for chapter in self.chapters:
            for block in walk_blocks(chapter.blocks):
                if isinstance(block, Heading):
                    files[block.id] = chapter.file_name
        for note in self.document.footnotes:
            for block in walk_blocks(note.children):
                if isinstance(block, Heading):
                    files[block.id] = NOTES_FILE
        return files

    def link_href(self, target: str) -> str:
        """A link's ``href``: ``#id`` of a heading leads into the file that holds it (the book
        is many files, the Markdown one); every other target is left as it is."""
        if target.startswith("#") and target[1:] in self.heading_files:
            return f"{self.heading_files[target[1:]]}#{target[1:]}"
        return target

    # --- XHTML pages --------------------------------------------------------------------

    def page(self, body: str, title: str) -> str:
        return html_page(self.document.meta, body, title=title, epub=True)

    def title_page(self) -> str:
        meta = self.document.meta
        parts = [self.renderer.title_block()]
        imprint = "　".join(part for part in (meta.publisher, meta.date) if part)
        if imprint:
            parts.append(f'<p class="imprint">{escape(imprint, quote=False)}</p>')
        if meta.description:
            parts.append(f'<p class="description">{escape(meta.description, quote=False)}</p>')
        inner = "\n".join(parts)
        return self.page(
            f'<section class="titlepage" epub:type="titlepage">\n{inner}\n</section>', meta.title
        )

    def chapter_page(self, chapter: Chapter) -> str:
        kind = (
            'epub:type="chapter" role="doc-chapter"'
            if chapter.opens_with_heading
            else 'epub:type="preamble"'
        )
        body = self.renderer.blocks(chapter.blocks)
        return self.page(f"<section {kind}>\n{body}\n</section>", chapter.title)

    def notes_page(self) -> str:
        notes = self.renderer.footnotes(
            self.document.footnotes,
            lambda label: f"{self.first_ref[label]}#{footnote_ref_id(label)}",
            heading=self.labels.notes,
        )
        return self.page(notes, self.labels.notes)

    # --- the whole ----------------------------------------------------------------------

    def build(self) -> bytes:
        # Render in reading order: the renderer marks each note's first reference as it goes.
        pages = [
            (Part("titlepage", TITLE_FILE, self.document.meta.title), self.title_page()),
            *(
                (Part(f"chapter-{n}", chapter.file_name, chapter.title), self.chapter_page(chapter))
                for n, chapter in enumerate(self.chapters, start=1)
            ),
        ]
        if self.document.footnotes:
            pages.append((Part("notes", NOTES_FILE, self.labels.notes), self.notes_page()))
        toc = table_of_contents(self.document, self.chapters, self.labels.notes)
        fonts = []
        if self.embed_fonts:
            # Here, not at the top: the font tools (fontconfig's bindings, fontTools) are for
            # a book that embeds its fonts, not for every EPUB build.
            from .embedded_fonts import embedded_fonts

            nav_text = self.labels.contents + self.labels.landmarks + "".join(toc_titles(toc))
            fonts = embedded_fonts(
                [page for _, page in pages], nav_text, self.theme, self.document.meta.lang
            )

        book = epub.EpubBook()
        add_metadata(book, self.document, self.labels)
        css = epub.EpubItem(
            uid="style",
            file_name=CSS_FILE,
            media_type="text/css",
            content=stylesheet(self.theme, fonts).encode("utf-8"),
        )
        book.add_item(css)
        documents = []
        for part, page in pages:
            item = epub.EpubHtml(
                uid=part.uid,
                file_name=part.file_name,
                title=part.title,
                lang=self.document.meta.lang,
                content=page.encode("utf-8"),
            )
            item.add_item(css)
            book.add_item(item)
            documents.append(item)
        nav = epub.EpubNav(title=self.labels.contents)
        nav.add_item(css)
        book.add_item(epub.EpubNcx())
        book.add_item(nav)
        self.add_resources(book, fonts)

        # The title page, then the contents as a page of their own, then the text.
        book.spine = [documents[0], nav, *documents[1:]]
        book.toc = ebooklib_toc(toc)
        book.guide = [{"href": NAV_FILE, "title": self.labels.contents, "type": "toc"}]
        if self.chapters:
            first = self.chapters[0]
            book.guide.append({"href": first.file_name, "title": first.title, "type": "text"})

        out = io.BytesIO()
        epub.write_epub(
            out,
            book,
            {
                # ebooklib's default is the local clock, labelled UTC.
                "mtime": build_timestamp(self.document),
                "raise_exceptions": True,
                "epub3_pages": False,
                "landmark_title": self.labels.landmarks,
            },
        )
        # ebooklib stamps every entry with the current time: rewrite the archive.
        return normalize_zip(
            out.getvalue(),
            first="mimetype",
            stored={"mimetype"},
            edits={PACKAGE_FILE: lambda opf: package_language(opf, self.document.meta.lang)},
        )

    def add_resources(self, book: Any, fonts: Sequence[EmbeddedFont]) -> None:
        """Images and embedded fonts."""
        for number, image in enumerate(self.images.values(), start=1):
            book.add_item(
                epub.EpubImage(
                    uid=f"image-{number}",
                    file_name=image.file_name,
                    media_type=image.media_type,
                    content=image.data,
                )
            )
        for font in fonts:
            book.add_item(
                epub.EpubItem(
                    uid="font-" + Path(font.file_name).stem,
                    file_name=font.file_name,
                    media_type=font.media_type,
                    content=font.data,
                )
            )
        if fonts:
            book.add_item(
                epub.EpubItem(
                    file_name="META-INF/com.apple.ibooks.display-options.xml",
                    content=_APPLE_DISPLAY_OPTIONS.encode("utf-8"),
                    manifest=False,
                )
            )


PACKAGE_FILE = "EPUB/content.opf"
"""Where ebooklib writes the package document."""
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def package_language(opf: bytes, lang: str) -> bytes:
    """The package document with ``xml:lang`` on its root: ebooklib writes none, and reading
    systems (and DAISY Ace) take the language of the package's own text, its title and
    metadata, from there."""
    root = etree.fromstring(opf)
    root.set(XML_LANG, lang)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)
