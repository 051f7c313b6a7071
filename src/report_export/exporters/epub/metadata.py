"""What the package document says about the book: Dublin Core from the front matter, a stable
identifier, and the accessibility metadata (EPUB Accessibility 1.1)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from ...labels import Labels
from ...model import Document, Image, provenance_text, walk_blocks
from .parts import all_blocks

# An identifier is a name-based UUID: the same title, author and date, the same book.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/report-export/epub")

_W3CDTF = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def book_identifier(document: Document) -> str:
    """``urn:uuid:`` of a name-based UUID over title, author and date (the document's own
    metadata, not where a copy of it was found): stable across builds and edits of the text,
    different for a different report."""
    meta = document.meta
    key = "\n".join([meta.title, meta.author, meta.date])
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, key)}"


def add_metadata(book: Any, document: Document, labels: Labels) -> None:
    """The front matter's metadata on ebooklib's ``book``, then the accessibility metadata."""
    meta = document.meta
    book.set_identifier(book_identifier(document))
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
    if source := provenance_text(meta):
        book.add_metadata("DC", "source", source)
    add_accessibility(book, document, labels)


def add_accessibility(book: Any, document: Document, labels: Labels) -> None:
    """schema.org accessibility metadata (EPUB Accessibility 1.1), claiming only what the
    book does: images make it visual too, and only alt text makes text sufficient."""
    images = [block for block in walk_blocks(all_blocks(document)) if isinstance(block, Image)]
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
    summary = labels.summary + (labels.images if images and all_alt else "")
    properties = [
        *(("schema:accessMode", mode) for mode in modes),
        *(("schema:accessModeSufficient", value) for value in sufficient),
        *(("schema:accessibilityFeature", feature) for feature in features),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", summary),
    ]
    for prop, value in properties:
        book.add_metadata(None, "meta", value, {"property": prop})
