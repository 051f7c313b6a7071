"""Reads the web page back with lxml's HTML parser (as a browser parses it, not as the exporter
wrote it): language, title, the text in order and the notes, and that every note is linked
both ways, and that every image is inside the page or a file beside it."""

from __future__ import annotations

from pathlib import Path

import lxml.html
from lxml import etree

from ..heading_numbers import number_headings
from ..model import Document
from ..theme import Theme
from . import Verifier, check_equal, compare_sequence, expected_body, expected_footnotes
from .epub import XHTML, note_texts, text_of, texts

# The reading of body texts is the EPUB verifier's: the page is the same markup, as HTML.


class HtmlVerifier(Verifier):
    """The web page: ``lang``, ``<title>`` and the title heading, the text inside ``<main>``
    in order, the notes at its end, each note and its first call linked both ways."""

    name = "html"

    def check(self, path: Path, document: Document, theme: Theme) -> list[str]:
        document = number_headings(document, theme.heading_scheme)  # as the format shows them
        try:
            root = lxml.html.fromstring(path.read_bytes())
        except (etree.ParserError, ValueError) as err:
            return [f"not a readable HTML page: {err}"]
        for element in root.iter():
            if isinstance(element.tag, str):
                element.tag = XHTML + element.tag
        problems = check_equal("lang", document.meta.lang, root.get("lang"))
        title = root.find(f".//{XHTML}title")
        problems += check_equal(
            "<title>", document.meta.title, title.text if title is not None else None
        )
        heading = root.find(f".//{XHTML}h1")
        problems += check_equal(
            "title heading", document.meta.title, text_of(heading) if heading is not None else None
        )
        main = root.find(f".//{XHTML}main")
        if main is None:
            return [*problems, "no <main> element"]
        notes_section = main.find(f"{XHTML}section")
        furniture = {notes_section} if notes_section is not None else set()
        numbers = {note.label: str(n) for n, note in enumerate(document.footnotes, start=1)}
        problems += compare_sequence(
            expected_body(document, numbers.__getitem__), texts(main, "main", furniture)
        )
        found_notes = note_texts(notes_section, "notes") if notes_section is not None else []
        problems += compare_sequence(expected_footnotes(document, numbers.__getitem__), found_notes)
        return problems + _links(root) + _images(root, path.parent)


def _links(root: etree._Element) -> list[str]:
    """Every in-page link leads to an element of the page."""
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    return [
        f"link {href!r} leads nowhere in the page"
        for link in root.iter(f"{XHTML}a")
        if (href := link.get("href", "")).startswith("#") and href[1:] not in ids
    ][:1]


def _images(root: etree._Element, folder: Path) -> list[str]:
    """Every image is inside the page (a data: URI) or a file beside it (``images=beside``)."""
    return [
        f"image {src!r} is neither inside the page nor a file beside it"
        for image in root.iter(f"{XHTML}img")
        if not (src := image.get("src", "")).startswith("data:")
        and (Path(src).name != src or not (folder / src).is_file())
    ][:1]
