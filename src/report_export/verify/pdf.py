"""Reads a PDF back with pypdf: the text of every page in reading order, the outline, the
fonts and the metadata."""

from __future__ import annotations

import re
from bisect import bisect_right
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from ..heading_numbers import number_headings
from ..labels import labels_for
from ..list_markers import marker_pattern
from ..model import (
    BulletList,
    Document,
    OrderedList,
    Table,
    heading_label,
    headings,
    inline_text,
    walk_blocks,
)
from ..outline import contents_entries
from ..theme import Theme
from ..typography import CJK, is_cjk
from . import (
    Expected,
    Found,
    ListMarker,
    Stream,
    Verifier,
    check_equal,
    compare_sequence,
    compare_stream,
    expected_body,
    footnote_parts,
    normalise,
)


def _item_marker(theme: Theme) -> ListMarker:
    """The marker the theme's scheme gives an item: what the page shows before its text."""

    def marker(block: BulletList | OrderedList, level: int, index: int) -> str:
        if isinstance(block, OrderedList):
            return theme.ordered_marker(level).text(block.start + index)
        return theme.bullet(level)

    return marker


def _markers(theme: Theme) -> str:
    """A regular expression of any list marker of the theme's scheme, at any level."""
    levels = max(len(theme.lists.ordered), len(theme.lists.bullets))
    patterns = {marker_pattern(theme.ordered_marker(level)) for level in range(levels)}
    patterns |= {re.escape(theme.bullet(level)) for level in range(levels)}
    return "|".join(sorted(patterns))


# A contents entry as pypdf reads it: the heading, the leader's dots, the page number.
_LEADER_LINE = re.compile(r"^(.*?)\s*\.{3,}\s*(\d+)\s*$", re.MULTILINE)

# A line end between a Chinese character and a Latin letter or digit (1,260 | 份, 用 | Python)
# is read back as a line break whether or not the source has a space there: the space at a
# line's end is not drawn. Such a break is read as a soft space, which the expected text may
# have or not. A break anywhere else, and every space inside a line, is read as it is.
_SOFT = "\x00"  # the reader refuses C0 controls: no source text holds it
# So is a line end after a slash or a hyphen before a letter or digit: where a web address or
# a hyphenated word breaks (https:// | example.org, micro- | renewal), as the line breaker
# may break it.
_MIXED_BREAK = re.compile(
    rf"(?<=[{CJK}/-])[ \t]*\n\s*(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])[ \t]*\n\s*(?=[{CJK}])"
)
_MIXED_BOUNDARY = re.compile(rf"(?<=[{CJK}/-]) ?(?=[A-Za-z0-9])|(?<=[A-Za-z0-9]) ?(?=[{CJK}])")


class PdfVerifier(Verifier):
    """The PDF: title block first, then every text in order; a running head (from page 2)
    and a page number on every page are the only other text."""

    name = "pdf"

    def check(self, path: Path, document: Document, theme: Theme) -> list[str]:
        document = number_headings(document, theme.heading_scheme)  # as the format shows them
        try:
            reader = PdfReader(path)
            pages = [page.extract_text() or "" for page in reader.pages]
        except (PyPdfError, OSError, ValueError) as err:  # pypdf caps each stream at 75 MB
            return [f"not a readable PDF: {err}"]
        numbers = {label: str(n) for label, n in document.footnote_numbers().items()}
        # The text comes first in the report: a lost page shows as the paragraph it cut, which
        # says more than the page count it also upsets.
        outline = _outline(reader)
        contents = labels_for(document.meta.lang).contents
        # A contents page (--toc): its heading opens the outline, before the report's own.
        has_contents = bool(outline) and outline[0][1] == normalise(contents)
        headers = _table_headers(document)
        catalog: Any = reader.trailer["/Root"]
        # A tagged PDF's markers are read with their items (the finisher paints them in the tag
        # tree's order); an untagged one's are painted after the page's text, each on a line
        # of its own: furniture.
        tagged = "/StructTreeRoot" in catalog
        marker = _item_marker(theme)
        page_problems: list[str] = []
        bodies: list[str] = []
        for number, text in enumerate(pages, start=1):
            body, furniture_problems = _strip_furniture(
                text, number, len(pages), document, theme, markers=not tagged
            )
            page_problems += furniture_problems
            if has_contents:  # before the line ends go: a leader line ends at its number
                body = _LEADER_LINE.sub(r"\1 \2", body)
            if number > 1:
                body = _strip_repeated_header(body, headers, pages[number - 2])
            bodies.append(_MIXED_BREAK.sub(_SOFT, body))
        # A note is one span, its lists' markers written out in it, tagged or not.
        problems = _cut_footnotes(
            bodies, footnote_parts(document, numbers.__getitem__, marker=marker)
        )
        furniture = [Expected("title", normalise(document.meta.title))]
        if document.meta.author:
            furniture.append(Expected("author line", normalise(document.meta.author)))
        if has_contents:
            furniture += _contents(document, contents, outline[1:])
        # Cells are set apart by space on the page, not by a mark.
        expected = furniture + expected_body(
            document, numbers.__getitem__, cells=" ", marker=marker if tagged else None
        )
        problems = compare_stream(expected, _stream(bodies)) + problems + page_problems
        problems += _check_outline(outline, document, contents if has_contents else None)
        problems += _check_fonts(reader)
        info = reader.metadata
        problems += check_equal("metadata title", document.meta.title, info.title if info else None)
        lang = catalog.get("/Lang")
        found_lang = str(lang) if lang is not None else None
        problems += check_equal("document language (/Lang)", document.meta.lang, found_lang)
        return problems


def _strip_furniture(
    text: str, number: int, total: int, document: Document, theme: Theme, markers: bool
) -> tuple[str, list[str]]:
    """The page's text without its page number, running head and, with ``markers``,
    marker-only lines."""
    lines = text.split("\n")
    if markers:
        # Drawn apart from their items, and put after the page's text by pypdf.
        marker_line = re.compile(rf"^\s*(?:{_markers(theme)})\s*$")
        lines = [line for line in lines if not marker_line.match(line)]
    problems = []
    footer = re.escape(theme.footer.page_number).replace(r"\{page\}", r"(?P<page>\d+)")
    footer = footer.replace(r"\{pages\}", r"(?P<pages>\d+)").replace(r"\ ", r"\s*")
    folio = next(
        (i for i in range(len(lines) - 1, -1, -1) if re.fullmatch(footer, lines[i].strip())),
        None,
    )
    if folio is None:
        problems.append(f"page {number}: no page number in the footer")
    else:
        shown = re.fullmatch(footer, lines.pop(folio).strip())
        fields = shown.groupdict() if shown else {}
        if fields.get("page", str(number)) != str(number):
            problems.append(f"page {number}: the footer says page {fields['page']}")
        if fields.get("pages", str(total)) != str(total):
            problems.append(f"page {number}: the footer says {fields['pages']} pages in all")
    if theme.header.running_head == "title" and number > 1:
        title = normalise(document.meta.title)
        head = next((i for i, line in enumerate(lines) if normalise(line) == title), None)
        if head is None:
            problems.append(f"page {number}: no running head")
        else:
            del lines[head]
    return "\n".join(lines), problems


def _table_headers(document: Document) -> list[str]:
    """Each table's header row as the page shows it, spaces aside."""
    return [
        "".join("".join(inline_text(cell.children).split()) for cell in block.header)
        for block in walk_blocks(document.blocks)
        if isinstance(block, Table) and block.header
    ]


def _strip_repeated_header(body: str, headers: list[str], previous: str) -> str:
    """``body`` without the header row a table broken over the page repeats at its top (the
    source has it once), when the page begins with one that the page before (``previous``,
    its text as read) holds too: a table that begins at the top of a page begins there."""
    before = "".join(previous.split())
    for header in (header for header in headers if header in before):
        at = 0
        for char in header:
            while at < len(body) and body[at].isspace():
                at += 1
            if at == len(body) or body[at] != char:
                break
            at += 1
        else:
            return body[at:].lstrip()
    return body


def _cut_footnotes(bodies: list[str], notes: list[list[str]]) -> list[str]:
    """Remove each footnote ("N text" at the foot of a page) from the page text; a footnote
    that is not found is a problem."""
    problems = []
    between = rf"[\s{_SOFT}]*"
    for number, parts in enumerate(notes, start=1):
        # A note's number after a Chinese line end is read as a soft space: it goes with it.
        texts = between.join(_soft_pattern(part) for part in parts)
        pattern = re.compile(rf"{between}{number}\s*{texts}")
        for index, body in enumerate(bodies):
            flat = normalise(body)
            match = pattern.search(flat)
            if match:
                bodies[index] = flat[: match.start()] + " " + flat[match.end() :]
                break
        else:
            text = normalise(" ".join(parts))
            problems.append(f"footnote {number} is missing: expected «{text[:16]}…» on some page")
    return problems


def _soft_pattern(text: str) -> str:
    """A regular expression for ``text`` in which each boundary between Chinese and a Latin
    letter or digit may be a soft space (``_MIXED_BREAK``) instead of its space or nothing."""
    parts: list[str] = []
    last = 0
    for boundary in _MIXED_BOUNDARY.finditer(text):
        parts.append(re.escape(text[last : boundary.start()]))
        parts.append(f"[ {_SOFT}]" if boundary.group() else f"{_SOFT}?")
        last = boundary.end()
    return "".join(parts) + re.escape(text[last:])


def _stream(bodies: list[str]) -> Stream:
    """All pages as one normalised text; a paragraph that runs on to the next page joins
    without a space between CJK characters."""
    text = ""
    starts: list[int] = []
    for body in bodies:
        page = normalise(body)
        if text and page and not (is_cjk(text[-1]) and is_cjk(page[0])):
            text += " "
        starts.append(len(text))
        text += page
    soft = frozenset(offset for offset, char in enumerate(text) if char == _SOFT)
    text = text.replace(_SOFT, " ")
    return Stream(text, lambda offset: f"page {bisect_right(starts, offset)}", soft)


def _outline(reader: PdfReader) -> list[tuple[int, str, int | None]]:
    """The outline, flattened: (depth, normalised title, page index) of each entry."""
    entries: list[tuple[int, str, int | None]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                page = reader.get_destination_page_number(item)
                entries.append((depth, normalise(item.title or ""), page))

    walk(reader.outline, 1)
    return entries


def _contents(
    document: Document, title: str, outline: list[tuple[int, str, int | None]]
) -> list[Expected]:
    """The contents page: its heading, then each entry with the page its heading is on (as
    the outline has it; a wrong outline is reported by the outline's own check)."""
    pages = {
        heading.id: entry[2] for heading, entry in zip(headings(document), outline, strict=False)
    }
    expected = [Expected("contents heading", normalise(title))]
    for heading in contents_entries(document):
        page = pages.get(heading.id)
        number = str(page + 1) if page is not None else "?"
        label = normalise(heading_label(heading))
        expected.append(Expected(f"contents entry {heading.id}", f"{label} {number}"))
    return expected


def _check_outline(
    outline: list[tuple[int, str, int | None]], document: Document, contents: str | None
) -> list[str]:
    found = [
        Found(f"{depth} {title}", f"outline, page {page + 1 if page is not None else '?'}")
        for depth, title, page in outline
    ]
    expected = [
        Expected(f"outline entry {h.id}", f"{h.level} {normalise(inline_text(h.children))}")
        for h in headings(document)
    ]
    if contents is not None:
        expected.insert(0, Expected("outline entry of the contents", f"1 {normalise(contents)}"))
    return compare_sequence(expected, found)


def _check_fonts(reader: PdfReader) -> list[str]:
    """Every font a page uses carries its font program."""
    problems = []
    seen: set[str] = set()
    for number, page in enumerate(reader.pages, start=1):
        resources: Any = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        fonts: Any = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else {}  # a page with no text
        for font in (ref.get_object() for ref in fonts.values()):
            name = str(font.get("/BaseFont", "?"))
            if name in seen or font.get("/Subtype") == "/Type3":
                continue
            seen.add(name)
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                problems.append(f"font {name} is not embedded (first used on page {number})")
    return problems
