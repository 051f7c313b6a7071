"""Reads an EPUB back with lxml straight from the archive: the spine's documents in order,
their texts, the notes and the package metadata; epubcheck where it is installed."""

from __future__ import annotations

import posixpath
import shutil
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

from ..heading_numbers import number_headings
from ..model import Document
from ..theme import Theme
from . import (
    CELL_SEPARATOR,
    Found,
    Verifier,
    check_equal,
    compare_sequence,
    expected_body,
    expected_footnotes,
    normalise,
    zip_problems,
)

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")
XHTML = _X = "{http://www.w3.org/1999/xhtml}"
_TEXT_BLOCKS = {
    f"{_X}{tag}" for tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "figcaption")
}
_BLOCK_CHILDREN = {f"{_X}{tag}" for tag in ("p", "ul", "ol", "blockquote", "table", "figure")}
_EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


class EpubVerifier(Verifier):
    """The EPUB: a title page, the navigation, then the body's texts in spine order, notes
    last; what epubcheck says, where it is installed."""

    name = "epub"

    def check(self, path: Path, document: Document, theme: Theme) -> list[str]:
        document = number_headings(document, theme.heading_scheme)  # as the format shows them
        if refused := zip_problems(path):
            return refused
        try:
            with zipfile.ZipFile(path) as book:
                problems, body, notes = _read(book, document)
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError) as err:
            return [f"not a readable EPUB: {err}"]
        numbers = {label: str(n) for label, n in document.footnote_numbers().items()}
        problems += compare_sequence(expected_body(document, numbers.__getitem__), body)
        problems += compare_sequence(expected_footnotes(document, numbers.__getitem__), notes)
        return problems + _epubcheck(path)


def _read(book: zipfile.ZipFile, document: Document) -> tuple[list[str], list[Found], list[Found]]:
    problems: list[str] = []
    if book.namelist()[0] != "mimetype" or book.read("mimetype") != b"application/epub+zip":
        problems.append("the archive does not open with the mimetype entry")
    container = etree.fromstring(book.read("META-INF/container.xml"))
    rootfile = container.find(".//c:rootfile", NS)
    opf_path = rootfile.get("full-path", "") if rootfile is not None else ""
    opf = etree.fromstring(book.read(opf_path))
    base = posixpath.dirname(opf_path)

    def meta(path: str) -> str | None:
        element = opf.find(path, NS)
        return element.text.strip() if element is not None and element.text else None

    problems += check_equal("dc:title", document.meta.title, meta(".//dc:title"))
    problems += check_equal("dc:language", document.meta.lang, meta(".//dc:language"))
    if not meta(".//dc:identifier"):
        problems.append("no dc:identifier")
    manifest = {item.get("id"): item for item in opf.findall(".//opf:manifest/opf:item", NS)}
    body: list[Found] = []
    notes: list[Found] = []
    for ref in opf.findall(".//opf:spine/opf:itemref", NS):
        item = manifest[ref.get("idref")]
        if "nav" in (item.get("properties") or "").split():
            continue  # the navigation is the format's furniture
        href = posixpath.join(base, item.get("href", ""))
        root = etree.fromstring(book.read(href))
        furniture: set[etree._Element] = set()
        for section in root.iter(f"{_X}section"):
            kinds = (section.get(_EPUB_TYPE) or "").split()
            if "titlepage" in kinds:
                heading = section.find(f".//{_X}h1")
                title = text_of(heading) if heading is not None else None
                problems += check_equal("title page", document.meta.title, title)
                furniture.add(section)
            elif "endnotes" in kinds or "footnotes" in (section.get("class") or "").split():
                notes += note_texts(section, href)
                furniture.add(section)
        body += texts(root, href, furniture)
    return problems, body, notes


def text_of(element: etree._Element) -> str:
    """An element's text without the notes' back-links."""
    parts: list[str] = []

    def collect(node: etree._Element, top: bool) -> None:
        if "footnote-back" not in (node.get("class") or "").split():
            parts.append(node.text or "")
            for child in node:
                collect(child, False)
        if not top:
            parts.append(node.tail or "")

    collect(element, True)
    return normalise("".join(parts))


def texts(root: etree._Element, href: str, furniture: set[etree._Element]) -> list[Found]:
    found = []
    count = 0
    for element in root.iter(*_TEXT_BLOCKS):
        if any(ancestor in furniture for ancestor in element.iterancestors()):
            continue
        if element.tag == f"{_X}li" and any(child.tag in _BLOCK_CHILDREN for child in element):
            continue  # a loose item: its paragraphs speak for it
        if element.tag == f"{_X}p" and _inside(element, "tr"):
            continue
        count += 1
        if element.tag == f"{_X}tr":
            cells = [text_of(cell) for cell in element if cell.tag in (f"{_X}th", f"{_X}td")]
            text = normalise(CELL_SEPARATOR.join(cells))
        else:
            text = text_of(element)
        found.append(Found(text, f"{href}, text {count}"))
    return found


def _inside(element: etree._Element, tag: str) -> bool:
    return any(parent.tag == f"{_X}{tag}" for parent in element.iterancestors())


def note_texts(section: etree._Element, href: str) -> list[Found]:
    listing = section.find(f".//{_X}ol")
    items = listing.findall(f"{_X}li") if listing is not None else []
    return [Found(text_of(li), f"{href}, note {n}") for n, li in enumerate(items, start=1)]


def _epubcheck(path: Path) -> list[str]:
    java = shutil.which("java")
    if java is None or not EPUBCHECK_JAR.is_file():
        return []  # verify checks with epubcheck where it is installed; the tests install it
    result = subprocess.run(
        [
            java,
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-jar",
            str(EPUBCHECK_JAR),
            "--quiet",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return []
    messages = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    return [f"epubcheck: {messages[0] if messages else 'failed'}"]
