"""A print-ready PDF: the shared HTML, the theme's print stylesheet, WeasyPrint.

A4 on a character grid, page footnotes, a running head from page 2 on, "第 N 页 / 共 M 页",
an outline of every heading, fonts embedded and subset, and the same bytes on every build.
Before anything is drawn, every character is checked against the theme's fonts (no tofu) and
every file the renderer would read is checked against the folders it may read from.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import math
import string
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import layout_engine
from ..adjacent_punctuation import halted
from ..assets import asset_roots, data_uri, media_type, resolve_url
from ..css import (
    color_tokens,
    css_font_stack,
    css_string,
    fill_template,
    heading_face_tokens,
    heading_tokens,
    list_rules,
    table_rules,
)
from ..errors import ReportExportError
from ..fonts import TextRun, check_coverage
from ..heading_numbers import number_headings
from ..html import HtmlRenderer, footnote_id, heading_tag, html_page
from ..labels import labels_for
from ..model import (
    Block,
    BlockQuote,
    BulletList,
    Code,
    Document,
    FootnoteRef,
    Heading,
    Image,
    OrderedList,
    Paragraph,
    Table,
    ThematicBreak,
    block_inlines,
    heading_label,
    inline_text,
    provenance_text,
    walk_blocks,
)
from ..outline import contents_entries
from ..pdf_standards import WEASYPRINT_VARIANTS, PdfVariant, finisher
from ..reproducible import build_timestamp, document_date
from ..resources import styles_dir
from ..table_layout import CELL_PADDING_PT, SHORT_TABLE_ROWS, column_shares
from ..theme import Theme
from ..typography import balanced_lines, display_width
from . import Exporter

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcherResponse

LOG = logging.getLogger(__name__)

PRINT_CSS = styles_dir() / "print.css"
"""The print stylesheet template, filled from the theme's tokens."""

FONTTOOLS_FALLBACK = "Using fontTools instead of HarfBuzz-Subset"
"""What WeasyPrint logs when HarfBuzz' subsetter is missing: CJK builds become ~20x slower."""

_warned: set[str] = set()

# Past these a PDF takes WeasyPrint minutes, and for a long paragraph or many pages its time
# grows faster than the document (bench/scaling.py; README, limits). Each is half a minute to
# a minute of CPU here at its limit, two to three times the largest report bench/run.py builds
# (200 times source/report.md: 6,200 blocks, 730,000 characters); a document over one is
# refused before any format renders.
MAX_BLOCKS = 20_000
"""Blocks (paragraphs, headings, list items, table rows), notes' included: ~1.5 ms each here,
and more with every page, as WeasyPrint styles each page by a scan of every page before it
(``set_page_type_computed_styles``)."""
MAX_FOOTNOTES = 2_000
"""Footnotes: each is laid out in the page's footnote area, ~11 ms a note here."""
MAX_PARAGRAPH = 100_000
"""Characters in one paragraph (or heading, or table cell): WeasyPrint encodes the whole
paragraph again for every line it sets, so its cost grows with the square of its length
(52,000 characters: 2.4 s; 525,000: 59 s)."""
MAX_CHARACTERS = 1_500_000
"""Characters of text in all: about 2,000 pages, an estimated 40-60 s here (27-46 µs a
character in the report x100 and the long-line runs)."""


@dataclass(frozen=True, slots=True)
class PdfOptions:
    """Options of the PDF format."""

    tagged: bool = True
    """Write a tagged PDF: headings, paragraphs, lists and tables marked for screen readers and
    reflow (about 1% larger, no slower)."""
    pdf_variant: PdfVariant = "ua-1"
    """The standard the PDF claims: PDF/UA-1 (accessible; 0.2% larger, no slower), PDF/A-2b or
    PDF/A-3b (archives; they claim PDF/UA-1 as well), or none."""
    toc: bool = False
    """A contents page after the title: headings of levels 1-3, each with dot leaders to its
    page number and linked to its page; the contents heading is in the outline too."""


class PdfExporter(Exporter[PdfOptions]):
    """A4 print PDF through WeasyPrint, set in the theme's Simplified Chinese faces."""

    name = "pdf"
    extension = "pdf"
    description = "print-ready PDF (A4, outline, page footnotes, embedded subset fonts)"
    options_type = PdfOptions
    cost = 10

    @classmethod
    def prepare(cls) -> None:
        layout_engine.load()  # 0.5 s: worth starting before the source is read

    @classmethod
    def check_size(cls, document: Document) -> None:
        notes = len(document.footnotes)
        if notes > MAX_FOOTNOTES:
            raise _too_large(document, f"{MAX_FOOTNOTES:,} footnotes", f"{notes:,}")
        blocks = characters = longest = 0
        for block in walk_blocks(
            (*document.blocks, *(b for note in document.footnotes for b in note.children))
        ):
            blocks += 1 + (len(block.rows) if isinstance(block, Table) else 0)
            for run in block_inlines(block):
                length = len(inline_text(run))
                characters += length
                longest = max(longest, length)
        if blocks > MAX_BLOCKS:
            raise _too_large(document, f"{MAX_BLOCKS:,} blocks", f"{blocks:,}")
        if longest > MAX_PARAGRAPH:
            raise _too_large(
                document, f"{MAX_PARAGRAPH:,} characters a paragraph", f"one of {longest:,}"
            )
        if characters > MAX_CHARACTERS:
            raise _too_large(document, f"{MAX_CHARACTERS:,} characters", f"{characters:,}")

    def render(self, document: Document, theme: Theme, options: PdfOptions) -> bytes:
        if options.pdf_variant != "none" and not options.tagged:
            raise ReportExportError(
                f"pdf: pdf-variant={options.pdf_variant} needs a tagged PDF (not tagged=no)"
            )
        with layout_engine.no_cyclic_gc():
            return self._render(document, theme, options)

    def _render(self, document: Document, theme: Theme, options: PdfOptions) -> bytes:
        document = number_headings(document, theme.heading_scheme)
        check_coverage(document, theme, [*margin_texts(document, theme), *marker_texts(theme)])
        roots = asset_roots(document, theme.path.parent)
        html = render_html(document, theme, roots, toc=options.toc)
        css = print_css(theme)
        extra_css = theme.css.read_text(encoding="utf-8") if theme.css is not None else ""
        return _write_pdf(document, theme, html, css, extra_css, roots, options)


def _too_large(document: Document, limit: str, found: str) -> ReportExportError:
    return ReportExportError(
        f"pdf: a PDF takes at most {limit}; this source has {found}"
        " (past it WeasyPrint takes minutes; see README, limits)",
        document.source,
    )


# --- what the page adds to the text ----------------------------------------------------------


def margin_texts(document: Document, theme: Theme) -> list[TextRun]:
    """The text the page-margin boxes show: checked for tofu with the document's own text."""
    # The format's fields become digits on the page, its braces never do.
    numbers = theme.footer.page_number.format(page=1234567890, pages=1234567890)
    runs = [TextRun("the page number format of the theme", "chrome", numbers, True)]
    if theme.header.running_head == "title":
        runs.append(TextRun("the running head (the title)", "chrome", document.meta.title))
    return runs


def marker_texts(theme: Theme) -> list[TextRun]:
    """The list markers of the theme's scheme (its first numbers), checked for tofu too."""
    levels = max(len(theme.lists.ordered), len(theme.lists.bullets))
    markers = "".join(
        theme.bullet(level) + "".join(theme.ordered_marker(level).text(n) for n in range(1, 13))
        for level in range(levels)
    )
    return [TextRun("the list markers of the theme", "body", markers)]


def page_number_content(fmt: str) -> str:
    """A CSS ``content`` value for a page number format with ``{page}`` and ``{pages}``."""
    parts: list[str] = []
    for literal, field, _, _ in string.Formatter().parse(fmt):
        if literal:
            parts.append(css_string(literal))
        if field == "page":
            parts.append("counter(page)")
        elif field == "pages":
            parts.append("counter(pages)")
        elif field is not None:  # theme.py validates the format; this is a programming error
            raise ReportExportError(f"page number format: unknown field {{{field}}}")
    return " ".join(parts) or "none"


def _pt(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "pt"


def _mm(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "mm"


def print_css(theme: Theme) -> str:
    """The print stylesheet, its template filled from the theme's tokens."""
    size = theme.text.size_pt
    footer = theme.footer
    sides = {"center": ("center", "center"), "outside": ("right", "left")}[footer.placement]

    def stack(face: str) -> str:
        return css_font_stack(theme.face_stack(face))

    tokens: dict[str, str] = {
        "page_width": _mm(theme.page.width_mm),
        "page_height": _mm(theme.page.height_mm),
        "margin_top": _mm(theme.page.margin_top_mm),
        "margin_bottom": _mm(theme.page.margin_bottom_mm),
        # Rounded down: a text block a hair narrower than the grid holds one character less.
        "margin_left": _pt(math.floor(theme.margin_left_pt * 1000) / 1000),
        "margin_right": _pt(math.floor(theme.margin_right_pt * 1000) / 1000),
        "running_head": "string(report-title)" if theme.header.running_head == "title" else "none",
        "page_number": page_number_content(footer.page_number),
        "page_number_font": stack("chrome"),
        "page_number_size": _pt(footer.size_pt),
        "page_number_distance": _mm(footer.distance_mm),
        # Margin boxes inherit the root's leading: on a line grid that would drop the number
        # by half a grid line's leading, so its line is its own there (the distance is then
        # to the top of its glyphs).
        "page_number_line": "normal" if theme.line_grid else f"{theme.text.line_height:g}",
        "page_number_edge": _pt(footer.edge_space_chars * footer.size_pt),
        "number_side_right": sides[0],
        "number_side_left": sides[1],
        "body_font": stack("body"),
        "heading_font": stack("heading"),
        "mono_font": stack("mono"),
        "title_font": stack(theme.headings.title_face),
        "title_weight": "bold" if theme.headings.title_bold else "normal",
        "title_line": _pt(theme.title_line_pt),
        "title_space_before": _mm(theme.title_space_before_mm),
        "author_font": stack(theme.headings.author_face),
        "author_space_before": "0" if theme.line_grid else "0.8em",
        "body_size": _pt(size),
        "line_height": _pt(theme.line_pitch_pt)
        if theme.line_grid
        else f"{theme.text.line_height:g}",
        "letter_spacing": _pt(theme.letter_spacing_pt) if theme.letter_spacing_pt else "normal",
        "first_line_indent": _pt(theme.first_line_indent_pt),
        "paragraph_spacing": _pt(theme.text.paragraph_spacing_pt),
        "align": theme.text.align,
        "title_size": _pt(theme.headings.title_size_pt),
        "title_space_after": _pt(theme.title_space_after_pt),
        "author_size": _pt(size),
        "small_size": _pt(theme.small_size_pt),
        "cell_padding": " ".join(map(_pt, CELL_PADDING_PT)),
        "note_size": _pt(theme.note_size_pt),
        "chrome_size": _pt(theme.chrome_size_pt),
        "block_space": _pt(theme.block_space_pt),
        "figure_max_height": _pt(theme.figure_max_height_pt),
        "list_rules": list_rules(theme),
        "table_rules": table_rules(theme),
        **heading_tokens(theme, _pt),
        **heading_face_tokens(theme, stack),
        **color_tokens(theme),
    }
    return fill_template(PRINT_CSS, tokens)


# --- the HTML ----------------------------------------------------------------------------------


class PrintHtmlRenderer(HtmlRenderer):
    """The shared HTML, with footnotes where they are called (WeasyPrint moves each to the foot
    of its page) and images inlined as data: URIs, so the renderer reads no file itself."""

    def __init__(self, document: Document, theme: Theme, roots: Sequence[Path]) -> None:
        super().__init__(document, image_href=self.data_uri)
        self.theme = theme
        self.roots = tuple(roots)
        self.notes = {note.label: note for note in document.footnotes}

    def data_uri(self, src: str) -> str:
        """An image file as a data: URI, read from under the roots only."""
        return data_uri(self.document, src, self.roots)

    def title(self) -> str:
        meta = self.document.meta
        lines = balanced_lines(meta.title, self.theme.title_measure_em, meta.lang)
        return "<br/>".join(escape(line) for line in lines)

    def heading(self, heading: Heading) -> str:
        # The outline entry is the heading's text alone: by default it would also hold
        # the number of a footnote called in the heading.
        tag = heading_tag(heading.level)
        return (
            f'<{tag} id="{heading.id}" data-label="{escape(heading_label(heading))}">'
            f"{self.inlines(heading.children)}</{tag}>"
        )

    def image(self, image: Image) -> str:
        return f"<figure>\n{self.img(image)}{self.caption(image, 'figcaption')}\n</figure>"

    def table(self, table: Table) -> str:
        # Row groups for where a page may break (see print.css): the last two rows alone.
        # Columns shared by their text's width, as the DOCX's (``table_layout``).
        shares = column_shares(table, self.theme.text_width_pt, self.theme.small_size_pt)
        columns = "".join(f'<col style="width: {share * 100:.2f}%"/>' for share in shares)
        head = self.row(table.header, "th")
        rows = [self.row(row, "td") for row in table.rows]
        short = len(rows) <= SHORT_TABLE_ROWS
        if short:
            body = "<tbody>\n" + "\n".join(rows) + "\n</tbody>"
        else:
            body = (
                "<tbody>\n" + "\n".join(rows[:-2]) + "\n</tbody>\n"
                '<tbody class="last-rows">\n' + "\n".join(rows[-2:]) + "\n</tbody>"
            )
        opening = '<table class="short">' if short else "<table>"
        return (
            f"{opening}\n<colgroup>{columns}</colgroup>\n<thead>\n{head}\n</thead>\n"
            f"{body}\n</table>"
        )

    def caption(self, image: Image, tag: str) -> str:
        return f'<{tag} class="caption">{escape(image.title)}</{tag}>' if image.title else ""

    def keep(self, text: str, following: str) -> str:
        # Word joiners rather than a nowrap span: no box of their own, nothing drawn, and
        # nothing in the text read back.
        halts = set(halted(text, following))
        return "\u2060".join(
            self.halt(escape(char, quote=False)) if index in halts else escape(char, quote=False)
            for index, char in enumerate(text)
        )

    def kept_group(self, parts: tuple[str, ...]) -> str:
        # Word joiners between the pieces, as ``keep`` joins characters.
        return "\u2060".join(parts)

    def code(self, code: Code) -> str:
        if display_width(code.text, self.document.meta.lang) <= self.theme.page.chars_per_line:
            # Short code stays on one line: justification would stretch its spaces.
            return f'<code class="unbroken">{escape(code.text, quote=False)}</code>'
        return super().code(code)

    def footnote_ref(self, ref: FootnoteRef) -> str:
        if ref.label in self.referenced:
            return self.note_link(ref.label)
        self.referenced.add(ref.label)
        body = self.note_renderer.note_blocks(self.notes[ref.label].children)
        return (
            f'<span class="footnote" id="{footnote_id(ref.label)}"'
            f' data-n="{self.numbers[ref.label]}" role="note">{body}</span>'
        )

    @cached_property
    def note_renderer(self) -> PrintNoteRenderer:
        """One renderer for every note's blocks (one a note made 10,000 notes quadratic)."""
        return PrintNoteRenderer(self.document, self.theme, self.roots)

    def note_link(self, label: str) -> str:
        """A second call of a note, or a call inside a note: the number, linked to the note."""
        href = escape("#" + footnote_id(label))
        return f'<a class="footnote-ref" href="{href}"><sup>{self.numbers[label]}</sup></a>'


class PrintNoteRenderer(PrintHtmlRenderer):
    """The blocks of a footnote as phrasing content: a note sits inside a sentence, where a
    <p> or <ul> would end the paragraph around it."""

    def footnote_ref(self, ref: FootnoteRef) -> str:
        return self.note_link(ref.label)

    def blocks(self, blocks: Sequence[Block]) -> str:
        return "".join(self.block(block) for block in blocks)

    def note_blocks(self, blocks: tuple[Block, ...]) -> str:
        """Blocks of a note or of a list item in one: a first paragraph runs on from the
        number or marker before it, the rest stack below."""
        first = ""
        if blocks and isinstance(blocks[0], Paragraph):
            first, blocks = self.block_inlines(blocks[0].children), blocks[1:]
        return first + self.blocks(blocks)

    def paragraph(self, paragraph: Paragraph) -> str:
        return f'<span class="fn-p">{self.block_inlines(paragraph.children)}</span>'

    def heading(self, heading: Heading) -> str:
        return f'<span class="fn-heading">{self.inlines(heading.children)}</span>'

    list_depth = 0
    """How many lists the blocks being written sit in: the level of a list written now."""

    def bullet_list(self, bullets: BulletList) -> str:
        bullet = self.theme.bullet(self.list_depth)
        return self.note_list(bullets.items, lambda _: bullet)

    def ordered_list(self, numbered: OrderedList) -> str:
        marker = self.theme.ordered_marker(self.list_depth)
        return self.note_list(numbered.items, lambda n: marker.text(numbered.start + n))

    def note_list(self, items: tuple[tuple[Block, ...], ...], marker: Callable[[int], str]) -> str:
        # The theme's markers, as the body's lists have them, written out: a note is a span.
        self.list_depth += 1
        rendered = "".join(
            f'<span class="fn-li">{escape(marker(n))}\u2002{self.note_blocks(item)}</span>'
            for n, item in enumerate(items)
        )
        self.list_depth -= 1
        return f'<span class="fn-list">{rendered}</span>'

    def block_quote(self, quote: BlockQuote) -> str:
        return f'<span class="fn-quote">{self.blocks(quote.children)}</span>'

    def table(self, table: Table) -> str:
        body = "".join(
            '<span class="fn-tr">'
            + "".join(f'<span class="fn-td">{self.inlines(cell.children)}</span>' for cell in row)
            + "</span>"
            for row in (table.header, *table.rows)
        )
        return f'<span class="fn-table">{body}</span>'

    def image(self, image: Image) -> str:
        return f'<span class="fn-figure">{self.img(image)}{self.caption(image, "span")}</span>'

    def thematic_break(self, _: ThematicBreak) -> str:
        return '<span class="fn-hr"></span>'


def render_html(
    document: Document, theme: Theme, roots: Sequence[Path], *, toc: bool = False
) -> str:
    """The document as one HTML page for print: title block, the contents if asked for, body
    with its footnotes."""
    renderer = PrintHtmlRenderer(document, theme, roots)
    contents = contents_page(document, renderer) if toc else ""
    body = renderer.title_block() + "\n" + contents + renderer.blocks(document.blocks)
    return html_page(document.meta, body)


def contents_page(document: Document, renderer: PrintHtmlRenderer) -> str:
    """The printed contents: its heading (an outline entry of its own, so a reader of the
    outline finds the contents page) and one entry a heading, whose dot leader and page
    number the stylesheet draws (``leader()``, ``target-counter()``); an entry's adjacent
    punctuation is compressed as in the heading (``renderer.marked``)."""
    entries = contents_entries(document)
    if not entries:
        return ""
    title = escape(labels_for(document.meta.lang).contents)
    items = "\n".join(
        f'<li class="contents-{heading.level}"><a href="#{heading.id}">'
        f"{renderer.marked(heading_label(heading), '')}</a></li>"
        for heading in entries
    )
    return (
        f'<nav class="contents" role="doc-toc" aria-labelledby="contents-title">\n'
        f'<h2 id="contents-title" data-label="{title}">{title}</h2>\n<ol>\n{items}\n</ol>\n'
        "</nav>\n"
    )


# --- WeasyPrint ------------------------------------------------------------------------------


def _write_pdf(
    document: Document,
    theme: Theme,
    html: str,
    css: str,
    extra_css: str,
    roots: Sequence[Path],
    options: PdfOptions,
) -> bytes:
    # Imported here: WeasyPrint takes ~0.5 s to import, and text builds or
    # `report-export formats` must not pay for it.
    weasyprint = layout_engine.load()
    from weasyprint.urls import FatalURLFetchingError

    identifier = hashlib.sha256(
        "\0".join((weasyprint.__version__, html, css, extra_css)).encode("utf-8")
    ).hexdigest()[:32]
    created, modified = (
        when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        for when in (document_date(document), build_timestamp(document))
    )
    sources = [layout_engine.StylesheetSource(css)]
    if theme.css is not None:
        base = theme.css.parent.resolve().as_uri() + "/"
        sources.append(layout_engine.StylesheetSource(extra_css, base))
    with _weasyprint_log() as problems:
        try:
            # Stylesheets fetch their @import and url() through the fetcher as they parse.
            styles = layout_engine.styles(sources, roots, lambda read: _url_fetcher(roots, read))
            # No base URL: images arrive inlined, and a relative link stays relative rather
            # than turning into this machine's path.
            variant = WEASYPRINT_VARIANTS[options.pdf_variant]
            rendered = weasyprint.HTML(string=html, url_fetcher=_url_fetcher(roots)).render(
                stylesheets=styles.stylesheets,
                font_config=styles.font_config,
                counter_style=styles.counter_style,
                pdf_tags=options.tagged,
                pdf_variant=variant,
            )
            rendered.metadata.created = created
            rendered.metadata.modified = modified
            rendered.metadata.generator = "report-export"
            pdf = rendered.write_pdf(
                pdf_identifier=identifier.encode("ascii"),
                pdf_tags=options.tagged,
                pdf_variant=variant,
                finisher=finisher(
                    options.pdf_variant, options.tagged, provenance_text(document.meta)
                ),
            )
        except FatalURLFetchingError as err:
            cause = err.__cause__
            if isinstance(cause, ReportExportError):
                raise cause from None
            raise ReportExportError(f"PDF: {err}: {cause}") from None
    if problems:
        raise ReportExportError("PDF: WeasyPrint: " + "; ".join(problems))
    assert isinstance(pdf, bytes)
    return pdf


def _url_fetcher(roots: Sequence[Path], read: list[Path] | None = None) -> Any:
    """A WeasyPrint URL fetcher that reads files under ``roots`` and data: URIs, and refuses
    everything else (http, ftp, other files), stopping the build with the refused URL. Each
    file it reads is appended to ``read``."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class _Fetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)  # decoded in memory by urllib
            path = resolve_url(url, roots)
            if read is not None:
                read.append(path)
            return URLFetcherResponse(
                url, path.read_bytes(), {"Content-Type": media_type(path)}, status=200
            )

    # data: alone at urllib's level as well, and no redirects: should fetch() above ever
    # hand a URL on, nothing but data: would be opened.
    return _Fetcher(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=True)


class _Collect(logging.Handler):
    """Keeps WeasyPrint's errors; passes its warnings on (the fontTools one once a process)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            self.errors.append(message)
        elif message.startswith(FONTTOOLS_FALLBACK):
            if FONTTOOLS_FALLBACK not in _warned:
                _warned.add(FONTTOOLS_FALLBACK)
                LOG.warning(
                    "WeasyPrint subsets fonts with fontTools (HarfBuzz-Subset missing): "
                    "install libharfbuzz-subset0, CJK PDFs build ~20x slower without it"
                )
        elif message not in _warned:
            _warned.add(message)
            LOG.warning("WeasyPrint: %s", message)


@contextmanager
def _weasyprint_log() -> Iterator[list[str]]:
    """WeasyPrint's log while it renders; yields the list its errors (an image it could not
    load, a stylesheet it could not parse) are collected in, to fail the build with."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        yield handler.errors
    finally:
        logger.removeHandler(handler)
