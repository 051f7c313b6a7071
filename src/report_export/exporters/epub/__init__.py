"""EPUB 3 for e-readers: reflowable XHTML from the shared HTML renderer, packed with ebooklib.

The book is a title page, the navigation document, one XHTML document for each level-1
section of the report (text before the first one gets a document of its own) and the notes as
endnotes in a document of their own, linked both ways. Every heading is in the navigation
document, nested by level, and in an NCX for older readers. The identifier and every date are
derived from the source, and the archive is rewritten without clock noise: the same source
gives the same bytes.

One module a part of the job: ``parts`` cuts the report into the book's documents, ``images``
and ``embedded_fonts`` gather the files it carries, ``navigation`` and ``metadata`` describe
it, ``stylesheet`` writes its CSS and ``book`` puts it all together.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...heading_numbers import number_headings
from ...model import Document
from ...theme import Theme
from .. import Exporter


@dataclass(frozen=True, slots=True)
class EpubOptions:
    """Options of the EPUB format."""

    embed_fonts: bool = False
    """Embed the theme's body and heading fonts, subset to the characters the book uses."""


class EpubExporter(Exporter[EpubOptions]):
    """EPUB 3 (with an NCX for EPUB 2 readers) that epubcheck passes without a warning."""

    name = "epub"
    extension = "epub"
    description = "EPUB 3 e-book, reflowable (--embed-fonts: subset CJK fonts inside)"
    options_type = EpubOptions

    def render(self, document: Document, theme: Theme, options: EpubOptions) -> bytes:
        from .book import BookBuilder

        numbered = number_headings(document, theme.heading_scheme)
        return BookBuilder(numbered, theme, embed_fonts=options.embed_fonts).build()
