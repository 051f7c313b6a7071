"""Reads a DOCX back with python-docx: the body's paragraphs and tables in order, the
footnotes part and the core properties."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from ..heading_numbers import number_headings
from ..model import Document, heading_label
from ..outline import contents_entries
from ..theme import Theme
from ..typography import join_scripts
from . import (
    CELL_SEPARATOR,
    Expected,
    Found,
    Verifier,
    check_equal,
    compare_sequence,
    expected_body,
    expected_footnotes,
    normalise,
    zip_problems,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
FOOTNOTES_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
# Styles of the document's own furniture: the title block and (TOC…) a table of contents.
TITLE_STYLES = {"Title"}
FURNITURE_STYLES = {"Author"}


class DocxVerifier(Verifier):
    """The DOCX: the title paragraph first, then every text in order (a reference to a
    footnote is a mark, not text); footnotes as Word footnotes."""

    name = "docx"

    def check(self, path: Path, document: Document, theme: Theme) -> list[str]:
        document = number_headings(document, theme.heading_scheme)  # as the format shows them
        if refused := zip_problems(path):
            return refused
        try:
            word = docx.Document(str(path))
        except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as err:
            return [f"not a readable DOCX: {err}"]
        problems: list[str] = []
        found: list[Found] = []
        titles: list[str] = []
        for number, item in enumerate(word.iter_inner_content(), start=1):
            where = f"word/document.xml, body element {number}"
            if isinstance(item, DocxTable):
                found += _rows(item, where)
                continue
            style = item.style.name if item.style is not None else ""
            text = normalise(join_scripts(item.text))
            if style in TITLE_STYLES:
                titles.append(text)
            elif (
                style in FURNITURE_STYLES or style.upper().startswith("TOC") or _is_field_only(item)
            ):
                continue
            elif text:
                found.append(Found(text, f"{where} ({style})"))
        problems += check_equal("title paragraph", normalise(document.meta.title), _first(titles))
        problems += _contents(word.element, document)
        note = _NoteMarks(document)
        problems += compare_sequence(expected_body(document, note), found)
        problems += compare_sequence(expected_footnotes(document, note), _footnotes(word))
        properties = word.core_properties
        problems += check_equal("core property title", document.meta.title, properties.title)
        problems += check_equal("core property language", document.meta.lang, properties.language)
        return problems


class _NoteMarks:
    """How a footnote reference reads in Word: the first is a footnote mark (no text); Word
    cannot call one footnote twice, so a later reference shows its number as text."""

    def __init__(self, document: Document) -> None:
        self.numbers = document.footnote_numbers()
        self.seen: set[str] = set()

    def __call__(self, label: str) -> str:
        if label in self.seen:
            return str(self.numbers[label])
        self.seen.add(label)
        return ""


def _first(items: list[str]) -> str | None:
    return items[0] if items else None


def _rows(table: DocxTable, where: str) -> list[Found]:
    rows = []
    for number, row in enumerate(table.rows, start=1):
        cells = [normalise(join_scripts(cell.text)) for cell in row.cells]
        rows.append(Found(normalise(CELL_SEPARATOR.join(cells)), f"{where}, row {number}"))
    return rows


def _contents(root: etree._Element, document: Document) -> list[str]:
    """Each version of the contents list there is (Word's TOC field, LibreOffice's page
    references, which ``mc:AlternateContent`` holds side by side): every heading of levels
    1-3 in order, its text up to the tab before the page number."""
    versions: dict[str, list[Found]] = {}
    for number, p in enumerate(root.iter(f"{{{W}}}p"), start=1):
        style = p.find(f"{{{W}}}pPr/{{{W}}}pStyle")
        if style is None or not re.fullmatch(r"TOC\d", style.get(f"{{{W}}}val") or ""):
            continue
        title = ""
        for node in p.iter(f"{{{W}}}t", f"{{{W}}}tab"):
            if node.tag == f"{{{W}}}tab":
                break
            title += node.text or ""
        if not title:
            continue  # a TOC field with no entries yet, which Word fills in
        version = next(
            (etree.QName(a).localname for a in p.iterancestors() if etree.QName(a).namespace == MC),
            "contents",
        )
        where = f"word/document.xml, paragraph {number} ({version})"
        versions.setdefault(version, []).append(Found(normalise(join_scripts(title)), where))
    expected = [
        Expected(f"contents entry {h.id}", normalise(heading_label(h)))
        for h in contents_entries(document)
    ]
    return [p for found in versions.values() for p in compare_sequence(expected, found)]


def _is_field_only(paragraph: DocxParagraph) -> bool:
    """A paragraph that holds only a field (a TOC placeholder, a page break)."""
    instructions = paragraph._p.findall(f".//{{{W}}}instrText")
    return bool(instructions) and any("TOC" in (i.text or "") for i in instructions)


def _footnotes(word: docx.document.Document) -> list[Found]:
    """The text of every real footnote (ids 1 and up; -1 and 0 are Word's separators)."""
    part = next(
        (rel.target_part for rel in word.part.rels.values() if rel.reltype == FOOTNOTES_TYPE),
        None,
    )
    if part is None:
        return []
    root = etree.fromstring(part.blob)
    found = []
    for note in root.iterfind(f"{{{W}}}footnote"):
        if note.get(f"{{{W}}}type") in ("separator", "continuationSeparator"):
            continue
        paragraphs = [
            "".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in note.iter(f"{{{W}}}p")
        ]
        number = note.get(f"{{{W}}}id")
        found.append(
            Found(
                normalise(join_scripts(" ".join(paragraphs))), f"word/footnotes.xml, note {number}"
            )
        )
    return found
