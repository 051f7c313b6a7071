"""EPUB 3 for e-readers: reflowable XHTML from the shared HTML renderer, packed with ebooklib.

The book is a title page, the navigation document, one XHTML document for each level-1
section of the report (text before the first one gets a document of its own) and the notes as
endnotes in a document of their own, linked both ways. Every heading is in the navigation
document, nested by level, and in an NCX for older readers. The identifier and every date are
derived from the source, and the archive is rewritten without clock noise: the same source
gives the same bytes.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from ebooklib import epub
from lxml import etree

from ..css import css_escape, css_font_stack, fill_template, heading_tokens
from ..errors import ReportExportError
from ..fetch import asset_roots, image_type, resolve_asset
from ..fonts import GENERIC_FAMILIES, match_font
from ..html import HtmlRenderer, footnote_id, footnote_ref_id, html_page
from ..model import (
    Block,
    Document,
    FootnoteRef,
    Heading,
    Image,
    inline_text,
    walk_blocks,
    walk_inlines,
)
from ..reproducible import build_timestamp, normalize_zip
from ..resources import styles_dir
from ..theme import Theme
from . import Exporter

CSS_TEMPLATE = styles_dir() / "epub.css"
"""The stylesheet, a ``string.Template`` filled from the theme's tokens."""
FONT_FACE_TEMPLATE = styles_dir() / "epub-font-face.css"
"""One ``@font-face`` rule of an embedded font, a ``string.Template``."""

XHTML_NS = "http://www.w3.org/1999/xhtml"
TITLE_FILE = "title.xhtml"
NAV_FILE = "nav.xhtml"
NOTES_FILE = "notes.xhtml"
CSS_FILE = "style/book.css"

# An identifier is a name-based UUID: the same title, author and provenance, the same book.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/report-export/epub")

# Media types the EPUB 3.2 specification lets a reading system show without a fallback (WebP
# came with 3.3: epubcheck 4.2 rejects it, and older readers cannot show it).
_EPUB_IMAGE_TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/svg+xml": ".svg",
}

# Apple Books shows embedded fonts by default only when the book says it specifies its fonts.
_APPLE_DISPLAY_OPTIONS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<display_options>\n"
    '  <platform name="*">\n'
    '    <option name="specified-fonts">true</option>\n'
    "  </platform>\n"
    "</display_options>\n"
)


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
        return _BookBuilder(document, theme, options).build()


# --- words the book adds itself -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Labels:
    """Text the EPUB adds around the report's own, in the report's language."""

    contents: str
    landmarks: str
    notes: str
    summary: str
    images: str


_LABELS = {
    "zh": Labels(
        contents="目录",
        landmarks="导览",
        notes="注释",
        summary=(
            "本书为可重排的文字电子书，可调整字号与版式。目录收录全部各级标题，"
            "阅读顺序与原文一致；注释作为尾注集中于书末，正文与注释之间可双向跳转。"
            "不含闪烁、声音或动画等可能引起不适的内容。"
        ),
        images="图片均附有替代文字。",
    ),
    "en": Labels(
        contents="Contents",
        landmarks="Landmarks",
        notes="Notes",
        summary=(
            "A reflowable text e-book: text size and layout follow the reader's settings. "
            "The table of contents lists every heading, the reading order is the original's, "
            "and the notes are endnotes at the end of the book, linked both ways. "
            "No flashing, sound or motion."
        ),
        images="Every image has a text alternative.",
    ),
}


def labels_for(lang: str) -> Labels:
    """The labels for a BCP 47 language tag (English for a language without its own)."""
    return _LABELS.get(lang.split("-")[0].lower(), _LABELS["en"])


# --- the parts of the book ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Part:
    """One XHTML document of the book: its manifest id, file name and title."""

    uid: str
    file_name: str
    title: str


@dataclass(frozen=True, slots=True)
class Chapter:
    """One XHTML document of the body: a level-1 section, or the text before the first one."""

    file_name: str
    title: str
    blocks: tuple[Block, ...]
    opens_with_heading: bool


def split_chapters(document: Document) -> list[Chapter]:
    """The body cut before every top-level level-1 heading, in reading order."""
    parts: list[list[Block]] = []
    for block in document.blocks:
        if not parts or (isinstance(block, Heading) and block.level == 1 and parts[-1]):
            parts.append([])
        parts[-1].append(block)
    width = max(2, len(str(len(parts))))
    chapters = []
    for number, blocks in enumerate(parts, start=1):
        first = blocks[0]
        opens = isinstance(first, Heading) and first.level == 1
        title = heading_label(first) if isinstance(first, Heading) and opens else ""
        chapters.append(
            Chapter(
                file_name=f"chapter-{number:0{width}d}.xhtml",
                title=title or document.meta.title,
                blocks=tuple(blocks),
                opens_with_heading=opens,
            )
        )
    return chapters


def all_blocks(document: Document) -> tuple[Block, ...]:
    """The body's blocks, then the footnotes'."""
    return (*document.blocks, *(block for note in document.footnotes for block in note.children))


def heading_label(heading: Heading) -> str:
    """A heading's text as the table of contents shows it (notes left out, one line)."""
    text = " ".join(inline_text(heading.children).split())
    return text or heading.id


def note_labels(blocks: Iterable[Block]) -> Iterator[str]:
    """The footnote labels ``blocks`` refer to, in reading order (repeats included)."""
    for inline in walk_inlines(tuple(blocks)):
        if isinstance(inline, FootnoteRef):
            yield inline.label


@dataclass(slots=True)
class TocNode:
    """An entry of the table of contents and the entries nested under it."""

    level: int
    link: Any  # ebooklib's epub.Link
    children: list[TocNode] = field(default_factory=list)


def nest_toc(entries: Iterable[tuple[int, Any]]) -> list[TocNode]:
    """(level, link) pairs in reading order -> a tree: each entry under the last shallower one
    (a skipped level nests one step, not two)."""
    roots: list[TocNode] = []
    open_nodes: list[TocNode] = []
    for level, link in entries:
        node = TocNode(level, link)
        while open_nodes and open_nodes[-1].level >= level:
            open_nodes.pop()
        (open_nodes[-1].children if open_nodes else roots).append(node)
        open_nodes.append(node)
    return roots


def _ebooklib_toc(nodes: Sequence[TocNode]) -> list[Any]:
    # ebooklib's shape: a leaf is a Link, a branch a (Link, [children]) pair.
    return [(n.link, _ebooklib_toc(n.children)) if n.children else n.link for n in nodes]


@dataclass(frozen=True, slots=True)
class BookImage:
    """An image file of the book."""

    src: str
    file_name: str
    media_type: str
    data: bytes


def sniff_image(data: bytes) -> str | None:
    """The media type a file's first bytes show, for the image types EPUB takes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and re.search(rb"<svg[\s>]", head):
        return "image/svg+xml"
    return None


def collect_images(document: Document, roots: Sequence[Path]) -> dict[str, BookImage]:
    """Every image of the document by ``src``, read through ``fetch`` from under ``roots``
    only, its type checked against its content."""
    images: dict[str, BookImage] = {}
    for block in walk_blocks(all_blocks(document)):
        if not isinstance(block, Image) or block.src in images:
            continue
        path = resolve_asset(document, block.src, roots)
        declared = image_type(block.src, path)
        data = path.read_bytes()
        found = sniff_image(data)
        if found != declared:
            what = found or "not an image format EPUB knows"
            raise ReportExportError(f"image {block.src!r}: named as {declared}, but is {what}")
        extension = _EPUB_IMAGE_TYPES.get(declared)
        if extension is None:
            known = ", ".join(sorted(_EPUB_IMAGE_TYPES))
            raise ReportExportError(
                f"image {block.src!r}: {declared} is not an EPUB 3.2 core type (use {known})"
            )
        number = len(images) + 1
        images[block.src] = BookImage(
            block.src, f"images/image-{number:02d}{extension}", declared, data
        )
    return images


# --- fonts --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmbeddedFont:
    """A subset font file inside the book and the CSS family name it goes by."""

    role: str
    """"body" or "heading": the theme stack it goes in front of."""
    css_family: str
    weight: str
    file_name: str
    media_type: str
    css_format: str
    data: bytes


def installed_family(
    stack: Sequence[str], bold: bool, lang: str, theme: Theme
) -> tuple[str, Path, int]:
    """The first family of a theme font stack installed here, with its file and face index
    (a generic family is the reader's choice, not a font to embed)."""
    for family in stack:
        if family.casefold() in GENERIC_FAMILIES:
            continue
        found = match_font(family, bold, lang.lower())
        if found.is_family(family):
            return family, found.path, found.index
    raise ReportExportError(
        f"--embed-fonts: none of the fonts {', '.join(stack)} is installed", theme.path
    )


def subset_font(path: Path, index: int, characters: Iterable[str]) -> tuple[bytes, str, str]:
    """A face of a font file cut down to ``characters``: (data, media type, CSS format)."""
    # fontTools is heavy: only builds that embed fonts pay for the import.
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # Keep the font's own date: recalculating it writes the clock into the book.
    font = TTFont(str(path), fontNumber=index, lazy=True, recalcTimestamp=False)
    options = subset.Options()
    # 'locl' swaps in the Japanese, Korean and Traditional forms of a CJK collection: it doubles
    # the glyph count, and this face already maps every character to its Simplified form.
    options.layout_features = [f for f in options.layout_features if f != "locl"]
    # Copyright, names, and the licence with its URL (names 13, 14), which the OFL asks to
    # travel with every copy of the font.
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.hinting = False  # e-readers rasterise CJK unhinted; hints only add bytes
    options.desubroutinize = True  # smaller once compressed, and faster to write
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({ord(c) for c in characters}))
    subsetter.subset(font)
    out = io.BytesIO()
    try:
        font.flavor = "woff2"
        font.save(out)
        return out.getvalue(), "font/woff2", "woff2"
    except ImportError:  # WOFF2 needs brotli; a plain OpenType file is larger but as good
        font.flavor = None
        out = io.BytesIO()
        font.save(out)
        if "CFF " in font or "CFF2" in font:
            return out.getvalue(), "font/otf", "opentype"
        return out.getvalue(), "font/ttf", "truetype"


def page_text(pages: Iterable[str]) -> tuple[str, str]:
    """All text of XHTML pages, and the text they set in the heading font (h1-h6, th)."""
    everything: list[str] = []
    headings: list[str] = []
    for page in pages:
        root = etree.fromstring(page.encode("utf-8"))
        everything.extend(str(text) for text in root.itertext())
        for element in root.iter(*(f"{{{XHTML_NS}}}{tag}" for tag in _HEADING_FONT_TAGS)):
            headings.extend(str(text) for text in element.itertext())
    return "".join(everything), "".join(headings)


_HEADING_FONT_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "th")
# Readers draw list numbers and the like in the text's font too.
_ALWAYS_EMBEDDED = "".join(chr(c) for c in range(0x20, 0x7F))


# --- CSS ----------------------------------------------------------------------------------


def _em(points: float, body_pt: float) -> str:
    return f"{points / body_pt:.4g}"


def stylesheet(theme: Theme, fonts: Sequence[EmbeddedFont] = ()) -> str:
    """The book's CSS: ``styles/epub.css`` filled from the theme, then the theme's own CSS."""
    size = theme.text.size_pt
    body_stack = [*(f.css_family for f in fonts if f.role == "body"), *theme.fonts.body]
    heading_stack = [*(f.css_family for f in fonts if f.role == "heading"), *theme.fonts.heading]
    faces = "\n".join(
        fill_template(
            FONT_FACE_TEMPLATE,
            {
                # The template quotes the name.
                "family": css_escape(font.css_family),
                "weight": font.weight,
                "href": "../" + font.file_name,
                "format": font.css_format,
            },
        )
        for font in fonts
    )
    tokens: dict[str, str] = {
        "font_faces": faces,
        "body_fonts": css_font_stack(body_stack),
        "heading_fonts": css_font_stack(heading_stack),
        "mono_fonts": css_font_stack(theme.fonts.mono),
        "line_height": f"{theme.text.line_height:g}",
        "text_align": theme.text.align,
        "text_indent": f"{theme.text.first_line_indent_chars:g}",
        "paragraph_spacing": _em(theme.text.paragraph_spacing_pt, size),
        "title_size": _em(theme.headings.title_size_pt, size),
        **heading_tokens(theme, lambda points: _em(points, size)),
    }
    css = fill_template(CSS_TEMPLATE, tokens)
    if theme.css is not None:
        css += "\n/* The theme's own CSS */\n" + theme.css.read_text(encoding="utf-8")
    return css


# --- the book -----------------------------------------------------------------------------


def book_identifier(document: Document) -> str:
    """``urn:uuid:`` of a name-based UUID over title, author and provenance: stable across
    builds and edits of the text, different for a different report."""
    meta = document.meta
    key = "\n".join([meta.title, meta.author, *(f"{k}={v}" for k, v in meta.provenance)])
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, key)}"


_W3CDTF = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class _BookBuilder:
    """Builds one book; holds what the parts share (the renderer numbers notes as it goes)."""

    def __init__(self, document: Document, theme: Theme, options: EpubOptions) -> None:
        self.document = document
        self.theme = theme
        self.options = options
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

    # --- navigation ---------------------------------------------------------------------

    def toc(self) -> list[TocNode]:
        """The title page, every heading nested by level, and the notes.

        The title page and the notes stand beside the headings, never above them: the headings
        of text before the first level-1 section are not the title page's children."""
        headings = [
            (
                block.level,
                epub.Link(
                    f"{chapter.file_name}#{block.id}", heading_label(block), f"toc-{block.id}"
                ),
            )
            for chapter in self.chapters
            for block in walk_blocks(chapter.blocks)
            if isinstance(block, Heading)
        ]
        title = TocNode(0, epub.Link(TITLE_FILE, self.document.meta.title, "toc-title"))
        notes = TocNode(0, epub.Link(NOTES_FILE, self.labels.notes, "toc-notes"))
        return [title, *nest_toc(headings), *([notes] if self.document.footnotes else [])]

    # --- metadata -----------------------------------------------------------------------

    def metadata(self, book: Any) -> None:
        meta = self.document.meta
        book.set_identifier(book_identifier(self.document))
        book.set_title(meta.title)
        book.set_language(meta.lang)
        if meta.author:
            book.add_author(meta.author)
        if meta.publisher:
            book.add_metadata("DC", "publisher", meta.publisher)
        if meta.description:
            book.add_metadata("DC", "description", meta.description)
        for keyword in meta.keywords:
            book.add_metadata("DC", "subject", keyword)
        if _W3CDTF.match(meta.date):
            book.add_metadata("DC", "date", meta.date)
        if meta.provenance:
            source = "; ".join(f"{key}: {value}" for key, value in meta.provenance)
            book.add_metadata("DC", "source", source)
        self.accessibility(book)

    def accessibility(self, book: Any) -> None:
        """schema.org accessibility metadata (EPUB Accessibility 1.1), claiming only what the
        book does: images make it visual too, and only alt text makes text sufficient."""
        images = [
            block for block in walk_blocks(all_blocks(self.document)) if isinstance(block, Image)
        ]
        all_alt = all(image.alt.strip() for image in images)
        modes = ["textual", *(["visual"] if images else [])]
        sufficient = ["textual"] if all_alt else ["textual,visual"]
        features = [
            "structuralNavigation",
            "tableOfContents",
            "readingOrder",
            "displayTransformability",
        ]
        if images and all_alt:
            features.append("alternativeText")
        summary = self.labels.summary + (self.labels.images if images and all_alt else "")
        properties = [
            *(("schema:accessMode", mode) for mode in modes),
            *(("schema:accessModeSufficient", value) for value in sufficient),
            *(("schema:accessibilityFeature", feature) for feature in features),
            ("schema:accessibilityHazard", "none"),
            ("schema:accessibilitySummary", summary),
        ]
        for prop, value in properties:
            book.add_metadata(None, "meta", value, {"property": prop})

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
        toc = self.toc()
        fonts = (
            self.embedded_fonts([page for _, page in pages], toc)
            if self.options.embed_fonts
            else []
        )

        book = epub.EpubBook()
        self.metadata(book)
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
        book.toc = _ebooklib_toc(toc)
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
        return normalize_zip(out.getvalue(), first="mimetype", stored={"mimetype"})

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

    def embedded_fonts(self, pages: Sequence[str], toc: Sequence[TocNode]) -> list[EmbeddedFont]:
        """The theme's body font and (bold) heading font, each cut to the characters it sets."""
        text, heading_text = page_text(pages)
        nav_text = self.labels.contents + self.labels.landmarks + "".join(_toc_titles(toc))
        fonts = []
        for role, stack, weight, chars in (
            ("body", self.theme.fonts.body, "normal", text + nav_text),
            ("heading", self.theme.fonts.heading, "bold", heading_text + nav_text),
        ):
            bold = weight == "bold"
            lang = self.document.meta.lang
            family, path, index = installed_family(stack, bold, lang, self.theme)
            data, media_type, css_format = subset_font(path, index, chars + _ALWAYS_EMBEDDED)
            extension = {"woff2": ".woff2", "opentype": ".otf", "truetype": ".ttf"}[css_format]
            fonts.append(
                EmbeddedFont(
                    role=role,
                    css_family=f"{family} {role.title()} Subset",
                    weight=weight,
                    file_name=f"fonts/{role}{extension}",
                    media_type=media_type,
                    css_format=css_format,
                    data=data,
                )
            )
        return fonts


def _toc_titles(nodes: Sequence[TocNode]) -> Iterator[str]:
    for node in nodes:
        yield node.link.title
        yield from _toc_titles(node.children)
