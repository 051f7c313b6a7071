"""A preview PDF in: its text layer in reading order, and the marks of the site's watermark.

A site's preview PDF has the document's text on every page, and over it the site's watermark:
its name or address, drawn rotated, in a light colour, on every page. pypdf reads the text
layer in reading order (its own extraction: lines as the page set them, so hard-wrapped); a
visitor of the same pass notes which pieces of text are drawn rotated or light, which is what
tells a watermark from the text. The ``watermark`` stage drops the lines made of those pieces,
and the lines of the site's name or address that recur on most pages; the layout stages then
drop the running titles and page markers and join the wrapped lines, as for any copy.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pypdf import PageObject, PdfReader, mult
from pypdf.errors import PyPdfError

from ..errors import ReportExportError
from .changes import Change, Stage, change
from .sites import Site

# A piece of text turned further than this from the horizontal is not the document's.
_MAX_TILT = 2.0
# A fill this light (every component of the colour at least this) is a watermark's.
_LIGHT = 0.7
# The share of pages a line of the site's name must be on to be taken for its watermark.
_MOST_PAGES = 0.5
_MAX_MARK = 60
# A line that is part of a watermark's text (pypdf may split it over lines), not a stray "1".
_MIN_PART = 4
_FILL_OPERATORS = {b"g": 1, b"rg": 3, b"k": 4}


@dataclass(frozen=True, slots=True)
class TextLayer:
    """The text of a PDF's pages, and what the watermark drew."""

    text: str
    """The pages' text in reading order, page after page (each page's lines, then a newline)."""
    pages: int
    marked: tuple[tuple[str, str], ...]
    """Each piece of text drawn rotated or light (squashed) and why: "rotated 35°", "light"."""


def read_text_layer(data: bytes, where: Path) -> TextLayer:
    """The text layer of the PDF ``data`` (read from ``where``, named in errors)."""
    # pypdf logs the damage it reads past ("EOF marker not found") to stderr: the command's
    # output is its own one line, so the logger is quiet while it reads.
    logger, quiet = logging.getLogger("pypdf"), logging.NullHandler()
    logger.addHandler(quiet)
    was_propagating, logger.propagate = logger.propagate, False
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ReportExportError("the PDF is encrypted: cannot read its text", where)
        pages: list[str] = []
        marked: dict[str, str] = {}
        for page in reader.pages:
            pages.append(_page_text(page, marked))
    except (PyPdfError, ValueError, KeyError, TypeError) as err:
        raise ReportExportError(f"not a readable PDF: {err}", where) from None
    finally:
        logger.removeHandler(quiet)
        logger.propagate = was_propagating
    text = "".join(page if page.endswith("\n") else page + "\n" for page in pages)
    return TextLayer(text, len(pages), tuple(marked.items()))


def _page_text(page: PageObject, marked: dict[str, str]) -> str:
    fill: list[float] = [0.0]
    pieces: list[tuple[str, str]] = []

    def before(operator: bytes, args: list[object], cm: object, tm: object) -> None:
        count = _FILL_OPERATORS.get(operator)
        if count is not None and len(args) == count:
            values = [float(a) for a in args if isinstance(a, int | float)]
            if operator == b"k":  # CMYK: light when little ink
                values = [1 - v for v in values]
            fill[:] = values or [0.0]

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: object) -> None:
        squashed = _squash(text)
        if not squashed:
            return
        matrix = mult(tm, cm)
        tilt = math.degrees(math.atan2(matrix[1], matrix[0]))
        if abs(tilt) > _MAX_TILT:
            pieces.append((squashed, f"rotated {round(abs(tilt))}°"))
        elif min(fill) >= _LIGHT:
            pieces.append((squashed, "light"))

    text = page.extract_text(visitor_operand_before=before, visitor_text=visit)
    # A watermark drawn in several pieces is one line of the text: join consecutive pieces.
    joined, reason = "", ""
    for squashed, why in [*pieces, ("", "")]:
        if why and why == reason:
            joined += squashed
            continue
        if joined:
            marked.setdefault(joined, reason)
        joined, reason = squashed, why
    return text


def drop_watermark(text: str, layer: TextLayer, site: Site) -> Stage:
    """Drop the lines the watermark drew (rotated, light), and the site's name or address
    where it recurs on most pages (a watermark drawn plainly)."""
    lines = text.split("\n")
    counts = Counter(_squash(line) for line in lines if line.strip())
    changes: list[Change] = []
    at = 0
    for index, line in enumerate(lines):
        end = at + len(line) + (1 if index + 1 < len(lines) else 0)
        why = _why(_squash(line), layer, site, counts)
        if why:
            changes.append(change("page", text, at, end, "", f"watermark: {why}"))
        at = end
    return Stage.apply("watermark", text, changes)


def _why(line: str, layer: TextLayer, site: Site, counts: Counter[str]) -> str:
    if not line or len(line) > _MAX_MARK:
        return ""
    for piece, reason in layer.marked:
        if line == piece or (len(line) >= _MIN_PART and line in piece):
            return reason
    if counts[line] >= max(2, _MOST_PAGES * layer.pages) and any(
        pattern.search(line) for pattern in site.detect
    ):
        return f"the site's name, on {counts[line]} of {layer.pages} pages"
    return ""


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
