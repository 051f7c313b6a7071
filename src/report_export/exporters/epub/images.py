"""The book's image files, read under the asset policy and held to EPUB's core media types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ...assets import read_image
from ...errors import ReportExportError
from ...model import Document, Image, walk_blocks
from .parts import all_blocks

# Media types the EPUB 3.2 specification lets a reading system show without a fallback (WebP
# came with 3.3: epubcheck 4.2 rejects it, and older readers cannot show it).
_EPUB_IMAGE_TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/svg+xml": ".svg",
}


@dataclass(frozen=True, slots=True)
class BookImage:
    """An image file of the book."""

    src: str
    file_name: str
    media_type: str
    data: bytes


def collect_images(document: Document, roots: Sequence[Path]) -> dict[str, BookImage]:
    """Every image of the document by ``src``, read from under ``roots`` only, its type
    checked against its content."""
    images: dict[str, BookImage] = {}
    for block in walk_blocks(all_blocks(document)):
        if not isinstance(block, Image) or block.src in images:
            continue
        image = read_image(document, block.src, roots)
        extension = _EPUB_IMAGE_TYPES.get(image.media_type)
        if extension is None:
            known = ", ".join(sorted(_EPUB_IMAGE_TYPES))
            raise ReportExportError(
                f"image {block.src!r}: {image.media_type} is not an EPUB 3.2 core type "
                f"(use {known})"
            )
        number = len(images) + 1
        images[block.src] = BookImage(
            block.src, f"images/image-{number:02d}{extension}", image.media_type, image.data
        )
    return images
