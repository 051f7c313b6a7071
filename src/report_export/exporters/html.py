"""One accessible web page: the shared HTML renderer's markup, the theme's tokens in
``styles/web.css`` inlined, images as data: URIs (one self-contained file) or, with
``-O images=beside``, as files next to the page.

The title, a skip link, the table of contents (every heading, nested by level), the text, and
the notes at its end, linked both ways; ``lang`` from the source; responsive from a phone to a
desktop, with a print stylesheet for the theme's page. The renderer writes polyglot XHTML; the
page is serialised as HTML (lxml's HTML serialiser), the same bytes on every build.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html import escape
from typing import Any, Literal

from lxml import etree

from ..assets import ImageFile, asset_roots, data_uri, read_image
from ..css import css_font_stack, em, fill_template, screen_tokens
from ..heading_numbers import number_headings
from ..html import HtmlRenderer, footnote_ref_id, html_page
from ..labels import labels_for
from ..model import Document, Heading, Table, inline_text, walk_blocks
from ..outline import TocNode, nest_toc
from ..resources import styles_dir
from ..theme import Theme
from . import Exporter, Rendered

_XHTML = "{http://www.w3.org/1999/xhtml}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True, slots=True)
class HtmlOptions:
    """Options of the web page."""

    toc: bool = True
    """A table of contents after the title (on a wide screen, a column beside the text)."""
    images: Literal["embed", "beside"] = "embed"
    """``embed``: each image inside the page, a data: URI (one file that needs nothing beside
    it); ``beside``: each image a file next to the page, named by its own name and its bytes
    (``portrait-1a2b3c4d5e6f.png``: the same image, the same name; a changed one, a new name a
    browser's cache cannot confuse with the old)."""


class HtmlExporter(Exporter[HtmlOptions]):
    """One HTML file, its styles inside; its images inside too, or files beside it."""

    name = "html"
    extension = "html"
    description = "one accessible web page (contents, notes, print styles), images inside or beside"
    options_type = HtmlOptions

    def render(self, document: Document, theme: Theme, options: HtmlOptions) -> bytes:
        """The page alone (with ``images=beside``, ``render_files`` has the images too)."""
        return self.render_files(document, theme, options).data

    def render_files(self, document: Document, theme: Theme, options: HtmlOptions) -> Rendered:
        document = number_headings(document, theme.heading_scheme)
        roots = asset_roots(document, theme.path.parent)
        beside: dict[str, bytes] = {}

        def image_href(src: str) -> str:
            if options.images == "embed":
                return data_uri(document, src, roots)
            image = read_image(document, src, roots)
            name = beside_name(image)
            beside[name] = image.data
            return name

        labels = labels_for(document.meta.lang)
        renderer = WebRenderer(
            document, labels.table, image_href=image_href, title_em=theme.title_measure_em
        )
        main = renderer.blocks(document.blocks)
        notes = renderer.footnotes(
            document.footnotes, lambda label: "#" + footnote_ref_id(label), labels.notes
        )
        parts = [
            f'<a class="skip-link" href="#main">{escape(labels.skip_to_text)}</a>',
            renderer.title_block(),
            contents(document, labels.contents) if options.toc else "",
            f'<main id="main">\n{main}\n{notes}\n</main>',
        ]
        page = html_page(document.meta, "\n".join(part for part in parts if part))
        return Rendered(as_html(page, stylesheet(theme)).encode("utf-8"), beside)


class WebRenderer(HtmlRenderer):
    """The shared renderer, a table in a frame of its own: on a narrow screen a wide table
    scrolls inside it and the page never scrolls sideways. A keyboard reaches the frame
    (``tabindex``) to scroll it, and a screen reader names it (``table_label``)."""

    def __init__(self, document: Document, table_label: str, **rules: Any) -> None:
        super().__init__(document, **rules)
        self.table_label = table_label

    def table(self, table: Table) -> str:
        label = escape(self.table_label)
        return (
            f'<div class="table-frame" role="region" tabindex="0" aria-label="{label}">\n'
            f"{super().table(table)}\n</div>"
        )


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def beside_name(image: ImageFile) -> str:
    """The file name of an image kept beside the page: its own name's stem in characters a URL
    needs no escaping for (``image`` when none is left), then the first 12 hex digits of its
    bytes' SHA-256, then its extension."""
    stem = _UNSAFE.sub("-", image.path.stem).strip("-")[:48] or "image"
    digest = hashlib.sha256(image.data).hexdigest()[:12]
    return f"{stem}-{digest}{image.path.suffix.lower()}"


def contents(document: Document, title: str) -> str:
    """The table of contents: every heading of the text, nested by level."""
    headings = [
        (block.level, block) for block in walk_blocks(document.blocks) if isinstance(block, Heading)
    ]
    if not headings:
        return ""
    return (
        f'<nav class="toc" aria-labelledby="toc-title">\n'
        f'<h2 id="toc-title">{escape(title)}</h2>\n{_toc_list(nest_toc(headings))}\n</nav>'
    )


def _toc_list(nodes: list[TocNode]) -> str:
    items = []
    for node in nodes:
        heading: Heading = node.link
        label = escape(" ".join(inline_text(heading.children).split()))
        nested = f"\n{_toc_list(node.children)}" if node.children else ""
        items.append(f'<li><a href="#{heading.id}">{label}</a>{nested}</li>')
    return "<ol>\n" + "\n".join(items) + "\n</ol>"


def stylesheet(theme: Theme) -> str:
    """``styles/web.css`` filled from the theme, then the theme's own CSS."""
    size = theme.text.size_pt
    title = theme.headings.title_size_pt
    tokens = {
        "body_size_pt": f"{size:g}",
        # The browser's default text is 16px, 12pt: the theme's size as a share of it.
        "root_size": f"{size / 12 * 100:.4g}",
        "chars_per_line": str(theme.page.chars_per_line),
        "title_size_narrow": em(min(title, size * 1.5), size),
        "page_width": f"{theme.page.width_mm:g}",
        "page_height": f"{theme.page.height_mm:g}",
        "margin_top": f"{theme.page.margin_top_mm:g}",
        "margin_bottom": f"{theme.page.margin_bottom_mm:g}",
        "margin_left": f"{theme.margin_left_pt:.3f}",
        "margin_right": f"{theme.margin_right_pt:.3f}",
        "figure_max_height": f"{theme.figure_max_height_pt:.1f}",
        **screen_tokens(theme, lambda face: css_font_stack(theme.face_stack(face))),
    }
    css = fill_template(styles_dir() / "web.css", tokens)
    if theme.css is not None:
        css += "\n/* The theme's own CSS */\n" + theme.css.read_text(encoding="utf-8")
    return css


def as_html(page: str, css: str) -> str:
    """The renderer's polyglot XHTML page as an HTML document: no XML declaration or
    namespaces, a viewport for phones, the stylesheet inline."""
    root = etree.fromstring(page.encode("utf-8"))
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith(_XHTML):
            element.tag = element.tag[len(_XHTML) :]
    if _XML_LANG in root.attrib:
        del root.attrib[_XML_LANG]
    etree.cleanup_namespaces(root)
    head = root.find("head")
    assert head is not None
    charset = head.find("meta")
    viewport = etree.Element("meta", name="viewport", content="width=device-width, initial-scale=1")
    generator = etree.Element("meta", name="generator", content="report-export")
    style = etree.Element("style")
    style.text = "\n" + css
    position = list(head).index(charset) + 1 if charset is not None else 0
    for offset, element in enumerate((viewport, generator)):
        head.insert(position + offset, element)
    head.append(style)
    return "<!DOCTYPE html>\n" + etree.tostring(root, method="html", encoding="unicode") + "\n"
