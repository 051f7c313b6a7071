"""The EPUB exporter, read back as an e-reader would: the archive, the package document, the
navigation (EPUB 3 nav and NCX), the text of every chapter against the model, the notes' links
both ways, images, CSS, embedded fonts, and epubcheck's verdict."""

from __future__ import annotations

import dataclasses
import io
import re
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import ebooklib
import pytest
import tinycss2
from ebooklib import epub as ebooklib_epub
from fontTools.ttLib import TTFont
from lxml import etree

from report_export.errors import ReportExportError
from report_export.exporters.epub import EpubExporter, EpubOptions
from report_export.exporters.epub.metadata import book_identifier
from report_export.exporters.epub.stylesheet import stylesheet
from report_export.exporters.pdf import print_css
from report_export.fonts import font_charset, font_file
from report_export.html import footnote_id, heading_tag
from report_export.model import (
    BlockQuote,
    BulletList,
    Document,
    Heading,
    OrderedList,
    Paragraph,
    inline_text,
    walk_blocks,
)
from report_export.reader import read_file, read_text
from report_export.reproducible import build_timestamp
from report_export.resources import styles_dir
from report_export.theme import FontTokens, load_theme

from .conftest import SOURCE, run_cli, tool

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"

# Every construct of the model: text before the first level-1 heading, a skipped heading
# level, emphasis, code, a link, a hard break, lists (nested, numbered from 3, loose), a quote,
# a rule, a table with alignments, two images, notes referenced twice, from a list, a table and
# from another note (the reader wants every note called from the text as well).
RICH = """\
---
title: 全要素测试文档
lang: zh-CN
author: 测试作者
description: 一份覆盖文档模型全部结构的测试文档。
keywords: [测试, 电子书]
publisher: 测试出版社
date: "2024-05-06"
provenance:
  site: 测试站
  document_number: "42"
---

开篇之前的导言段落，位于第一个一级标题之前。[^intro]

## 导言中的小节

导言小节的正文。

# 第一章 基本结构

第一段，含*强调*、**加粗**、`代码`与[链接](https://example.com "示例")，以及脚注。[^a]

第二段换行：第一行\\
第二行。

- 无序一
- 无序二[^b]
  - 嵌套无序

3. 有序三
4. 有序四

   有序四的第二段。

> 引用段落一。
>
> 引用段落二[^a]。

***

## 第一节 表格

| 名称 | 数量 | 说明 |
|:-----|-----:|:----:|
| 甲 | 1 | 左 |
| 乙 | 22 | 右[^c] |

### 第一小节 更深

更深一层的正文。

##### 跳级的标题

跳级标题下的正文。

# 第二章 图片

![示意图一](figure.png "图 1　示意图")

![矢量图](chart.svg)

最后一段，另见[^e]。[^d]

[^intro]: 导言的注释。
[^a]: 第一条注释，含**加粗**。
[^b]: 列表中的注释。

    注释的第二段。
[^c]: 表格中的注释，引用另一条注释[^e]。
[^d]: 正文最后的注释。
[^e]: 只在注释中被引用的注释。
"""

# Links between chapters (a Markdown file is one page, the book is many), and footnote labels
# no id may hold as they are, with two that would share an id if "." were kept.
LINKS = """\
---
title: 链接测试
lang: zh-CN
---

# 第一部分

见[第二部分](#sec-2)，或[本部分](#sec-1)，或[外部](https://example.com/a#b)。注[^x&y"]与注[^注]。

# 第二部分

回到[第一部分](#sec-1)。再注[^x&y"]，以及[^a.b][^a_2E_b]。

[^x&y"]: 标签含 & 与引号的注释。
[^注]: 中文标签的注释。
[^a.b]: 含点号的标签。
[^a_2E_b]: 像点号编码的标签。
"""

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20">'
    '<rect width="40" height="20" fill="#cccccc"/></svg>\n'
)


def png(width: int, height: int) -> bytes:
    """A small valid RGB PNG (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(
        b"\x00" + b"".join(bytes([x * 40 % 256, y * 60 % 256, 128]) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# --- reading an EPUB back ------------------------------------------------------------------


@dataclass
class Book:
    """An EPUB file opened for inspection."""

    path: Path

    @cached_property
    def data(self) -> bytes:
        return self.path.read_bytes()

    @cached_property
    def archive(self) -> zipfile.ZipFile:
        return zipfile.ZipFile(self.path)

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.archive.read(name))

    @cached_property
    def opf_path(self) -> str:
        container = self.xml("META-INF/container.xml")
        rootfile = container.find(".//{urn:oasis:names:tc:opendocument:xmlns:container}rootfile")
        assert rootfile is not None
        return str(rootfile.get("full-path"))

    @cached_property
    def opf(self) -> etree._Element:
        return self.xml(self.opf_path)

    def resolve(self, href: str) -> str:
        """A path relative to the package document -> its name in the archive."""
        return str(Path(self.opf_path).parent / href.partition("#")[0])

    @cached_property
    def manifest(self) -> dict[str, etree._Element]:
        return {
            str(item.get("id")): item for item in self.opf.iterfind("opf:manifest/opf:item", NS)
        }

    @cached_property
    def spine(self) -> list[str]:
        """The hrefs of the spine, in reading order."""
        return [
            str(self.manifest[str(ref.get("idref"))].get("href"))
            for ref in self.opf.iterfind("opf:spine/opf:itemref", NS)
        ]

    def document(self, href: str) -> etree._Element:
        return self.xml(self.resolve(href))

    def dc(self, name: str) -> list[str]:
        return [el.text or "" for el in self.opf.iterfind(f"opf:metadata/dc:{name}", NS)]

    def meta(self, prop: str) -> list[str]:
        found = self.opf.iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)
        return [el.text or "" for el in found]

    def nav_href(self) -> str:
        (nav,) = [i for i in self.manifest.values() if "nav" in (i.get("properties") or "")]
        return str(nav.get("href"))

    @cached_property
    def chapters(self) -> list[str]:
        """The spine's body documents: everything but the title page, contents and notes."""
        return [h for h in self.spine if h not in ("title.xhtml", self.nav_href(), "notes.xhtml")]


def plain_text(element: etree._Element) -> str:
    """An element's text without the note references' numbers."""
    parts = [element.text or ""]
    for child in element:
        if child.get("class") != "footnote-ref":
            parts.append(plain_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def model_text(inlines: tuple[object, ...]) -> str:
    # <br/> has no text of its own in XHTML.
    return inline_text(inlines).replace("\n", "")  # type: ignore[arg-type]


Tree = list[tuple[str, str, "Tree"]]


def nav_tree(ol: etree._Element | None) -> Tree:
    """(label, href, children) of a nav's <ol>."""
    if ol is None:
        return []
    tree: Tree = []
    for li in ol.iterfind("x:li", NS):
        link = li.find("x:a", NS)
        assert link is not None
        tree.append(
            ("".join(link.itertext()), str(link.get("href")), nav_tree(li.find("x:ol", NS)))
        )
    return tree


def ncx_tree(parent: etree._Element) -> Tree:
    tree: Tree = []
    for point in parent.iterfind("ncx:navPoint", NS):
        label = point.findtext("ncx:navLabel/ncx:text", namespaces=NS) or ""
        content = point.find("ncx:content", NS)
        assert content is not None
        tree.append((label, str(content.get("src")), ncx_tree(point)))
    return tree


def expected_headings(document: Document) -> list[tuple[str, str, list[object]]]:
    """(label, id, children) of every heading, each nested under the last shallower one."""
    flat = [
        (h.level, " ".join(inline_text(h.children).split()), h.id)
        for h in walk_blocks(document.blocks)
        if isinstance(h, Heading)
    ]

    def nest(items: list[tuple[int, str, str]]) -> list[tuple[str, str, list[object]]]:
        out: list[tuple[str, str, list[object]]] = []
        i = 0
        while i < len(items):
            level, label, ident = items[i]
            j = i + 1
            while j < len(items) and items[j][0] > level:
                j += 1
            out.append((label, ident, nest(items[i + 1 : j])))  # type: ignore[arg-type]
            i = j
        return out

    return nest(flat)


def strip_hrefs(tree: Tree) -> list[tuple[str, str, list[object]]]:
    """Nav entries as (label, fragment id, children) for comparison with the model."""
    return [(label, href.partition("#")[2], strip_hrefs(kids)) for label, href, kids in tree]  # type: ignore[misc]


def flatten(tree: Tree) -> Iterator[tuple[str, str]]:
    for label, href, kids in tree:
        yield label, href
        yield from flatten(kids)


# --- building once per module --------------------------------------------------------------


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("epub")


@pytest.fixture(scope="module")
def report(out_dir: Path) -> Book:
    result = run_cli("build", SOURCE, "--to", "epub", "--out", out_dir / "a")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out_dir / "a" / "report.epub")
    return Book(out_dir / "a" / "report.epub")


@pytest.fixture(scope="module")
def report_again(out_dir: Path) -> Book:
    result = run_cli("build", SOURCE, "--to", "epub", "--out", out_dir / "b")
    assert result.returncode == 0, result.stderr
    return Book(out_dir / "b" / "report.epub")


@pytest.fixture(scope="module")
def rich_source(out_dir: Path) -> Path:
    folder = out_dir / "rich"
    folder.mkdir()
    (folder / "figure.png").write_bytes(png(6, 4))
    (folder / "chart.svg").write_text(SVG, encoding="utf-8")
    source = folder / "rich.md"
    source.write_text(RICH, encoding="utf-8")
    return source


@pytest.fixture(scope="module")
def rich_document(rich_source: Path) -> Document:
    return read_file(rich_source)


@pytest.fixture(scope="module")
def rich(rich_source: Path, out_dir: Path) -> Book:
    result = run_cli("build", rich_source, "--to", "epub", "--out", out_dir / "rich-plain")
    assert result.returncode == 0, result.stderr
    return Book(out_dir / "rich-plain" / "rich.epub")


@pytest.fixture(scope="module")
def rich_fonts(rich_source: Path, out_dir: Path) -> Book:
    out = out_dir / "rich-fonts"
    result = run_cli("build", rich_source, "--to", "epub", "--embed-fonts", "--out", out)
    assert result.returncode == 0, result.stderr
    return Book(out / "rich.epub")


@pytest.fixture(scope="module")
def links(out_dir: Path) -> Book:
    """LINKS with fonts embedded: embedding parses every page as XML."""
    folder = out_dir / "links"
    folder.mkdir()
    (folder / "links.md").write_text(LINKS, encoding="utf-8")
    out = out_dir / "links-fonts"
    result = run_cli("build", folder / "links.md", "--to", "epub", "--embed-fonts", "--out", out)
    assert result.returncode == 0, result.stderr
    return Book(out / "links.epub")


@pytest.fixture(scope="module")
def epubcheck(report: Book, rich_fonts: Book, links: Book) -> dict[str, tuple[int, str]]:
    """epubcheck's exit code and report for the report (no fonts embedded), for the document
    of every construct and for the links between files (fonts embedded in both), the runs in
    parallel.

    The JVM flags (the quick compiler, the serial collector) halve a run's time and memory:
    epubcheck's ~3 s are mostly start-up.
    """
    java = tool("java")
    jar = Path("/usr/share/java/epubcheck.jar")
    assert jar.is_file(), "epubcheck is not installed: run `make test`, which installs it"
    flags = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
    runs = {
        name: subprocess.Popen(
            [java, *flags, "-jar", str(jar), str(book.path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, book in (("report", report), ("rich-fonts", rich_fonts), ("links", links))
    }
    return {name: (run.wait(), run.communicate()[0]) for name, run in runs.items()}


# --- the command line and the archive ------------------------------------------------------


@pytest.mark.parametrize("name", ["report", "rich-fonts", "links"])
def test_epubcheck_finds_nothing(epubcheck: dict[str, tuple[int, str]], name: str) -> None:
    code, output = epubcheck[name]
    counts = re.search(r"Messages: (\d+) fatals / (\d+) errors / (\d+) warnings", output)
    assert counts is not None, output
    assert counts.groups() == ("0", "0", "0"), output
    assert code == 0, output


def test_archive_mimetype_first_stored_and_no_clock(report: Book, rich_fonts: Book) -> None:
    for book in (report, rich_fonts):
        infos = book.archive.infolist()
        first = infos[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert first.extra == b""
        assert book.archive.read("mimetype") == b"application/epub+zip"
        # The mimetype's bytes sit at a fixed offset, as readers that sniff the file expect.
        assert book.data[30:38] == b"mimetype" and book.data[38:58] == b"application/epub+zip"
        assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_two_builds_are_byte_identical(report: Book, report_again: Book) -> None:
    assert report.data == report_again.data


def test_two_builds_with_embedded_fonts_are_byte_identical(
    rich_fonts: Book, rich_document: Document
) -> None:
    again = EpubExporter().render(rich_document, load_theme(), EpubOptions(embed_fonts=True))
    assert again == rich_fonts.data


def test_ebooklib_reads_it_back(report: Book, rich: Book) -> None:
    for book in (report, rich):
        read = ebooklib_epub.read_epub(str(book.path), {"ignore_ncx": True})
        assert read.get_metadata("DC", "title")[0][0] == book.dc("title")[0]
        documents = [
            item.file_name for item in read.get_items() if item.get_type() == ebooklib.ITEM_DOCUMENT
        ]
        assert set(book.spine) <= set(documents)
        assert read.toc, "ebooklib found no table of contents"


# --- structure -----------------------------------------------------------------------------


def test_one_document_per_level_1_section_plus_title_page(report: Book) -> None:
    document = read_file(SOURCE)
    parts = [b for b in document.blocks if isinstance(b, Heading) and b.level == 1]
    assert report.spine[:2] == ["title.xhtml", report.nav_href()]
    assert len(report.chapters) == len(parts)
    for href, heading in zip(report.chapters, parts, strict=True):
        body = report.document(href).find("x:body", NS)
        assert body is not None
        first = body.find(".//x:h2", NS)
        assert first is not None and first.get("id") == heading.id
        assert plain_text(first) == inline_text(heading.children)
        # Exactly one level-1 section a document.
        assert len(body.findall(".//x:h2", NS)) == 1
        title = report.document(href).findtext("x:head/x:title", namespaces=NS)
        assert title == inline_text(heading.children)


def test_text_before_the_first_section_has_its_own_document(rich: Book) -> None:
    assert rich.chapters == ["chapter-01.xhtml", "chapter-02.xhtml", "chapter-03.xhtml"]
    assert rich.spine[-1] == "notes.xhtml"
    preamble = rich.document("chapter-01.xhtml")
    assert preamble.find(".//x:h2", NS) is None
    assert "开篇之前的导言段落" in plain_text(preamble)
    assert preamble.findtext("x:head/x:title", namespaces=NS) == "全要素测试文档"


def test_title_page(rich: Book) -> None:
    page = rich.document("title.xhtml")
    section = page.find(".//x:section", NS)
    assert section is not None and section.get(EPUB_TYPE) == "titlepage"
    assert plain_text(page.find(".//x:h1", NS)) == "全要素测试文档"  # type: ignore[arg-type]
    texts = [plain_text(p) for p in page.iterfind(".//x:p", NS)]
    assert texts == ["测试作者", "测试出版社　2024-05-06", "一份覆盖文档模型全部结构的测试文档。"]


@pytest.mark.parametrize("name", ["report", "rich"])
def test_nav_and_ncx_list_every_heading_nested_by_level(
    name: str, report: Book, rich: Book, rich_document: Document
) -> None:
    book = report if name == "report" else rich
    document = read_file(SOURCE) if name == "report" else rich_document
    nav_doc = book.document(book.nav_href())
    (toc,) = [n for n in nav_doc.iterfind(".//x:nav", NS) if n.get(EPUB_TYPE) == "toc"]
    nav = nav_tree(toc.find("x:ol", NS))
    ncx_item = [
        i for i in book.manifest.values() if i.get("media-type") == "application/x-dtbncx+xml"
    ]
    assert len(ncx_item) == 1
    spine = book.opf.find("opf:spine", NS)
    assert spine is not None and spine.get("toc") == ncx_item[0].get("id")
    nav_map = book.document(str(ncx_item[0].get("href"))).find("ncx:navMap", NS)
    assert nav_map is not None
    assert ncx_tree(nav_map) == nav

    assert nav[0] == (document.meta.title, "title.xhtml", [])
    headings = nav[1:-1] if document.footnotes else nav[1:]
    assert strip_hrefs(headings) == expected_headings(document)
    if document.footnotes:
        assert nav[-1] == ("注释", "notes.xhtml", [])
    # Each entry leads to its heading, and the entries follow the spine's reading order.
    positions = []
    for label, href in flatten(headings):
        file_name, _, ident = href.partition("#")
        target = book.document(file_name).find(f".//*[@id='{ident}']", NS)
        assert target is not None, href
        assert target.tag.startswith("{http://www.w3.org/1999/xhtml}h")
        assert plain_text(target) == label
        positions.append(book.spine.index(file_name))
    assert positions == sorted(positions)


def test_skipped_heading_level_nests_one_step(rich: Book) -> None:
    nav = nav_tree(
        rich.document(rich.nav_href()).find(".//x:nav/x:ol", NS)  # the toc nav comes first
    )
    chapter = next(entry for entry in nav if entry[0] == "第一章 基本结构")
    section = chapter[2][0]
    assert section[0] == "第一节 表格"
    assert [(e[0], [k[0] for k in e[2]]) for e in section[2]] == [("第一小节 更深", ["跳级的标题"])]
    # The heading itself keeps its level: a level-5 heading is an <h6>.
    target = rich.document("chapter-02.xhtml").find(".//x:h6", NS)
    assert target is not None and plain_text(target) == "跳级的标题"


def test_report_text_in_order(report: Book) -> None:
    document = read_file(SOURCE)
    expected = [
        (heading_tag(b.level), model_text(b.children))
        if isinstance(b, Heading)
        else ("p", model_text(b.children))
        for b in document.blocks
        if isinstance(b, Heading | Paragraph)
    ]
    found = []
    for href in report.chapters:
        section = report.document(href).find("x:body/x:section", NS)
        assert section is not None
        for element in section:
            tag = etree.QName(element).localname
            if tag == "p" or re.fullmatch("h[2-6]", tag):
                found.append((tag, plain_text(element)))
    assert found == expected


def test_every_paragraph_of_the_rich_document_in_order(rich: Book, rich_document: Document) -> None:
    text = "".join(plain_text(rich.document(href)) for href in rich.chapters)
    at = 0
    for block in walk_blocks(rich_document.blocks):
        if isinstance(block, Paragraph):
            found = text.find(model_text(block.children), at)
            assert found >= 0, model_text(block.children)
            at = found
    kinds = {type(b) for b in walk_blocks(rich_document.blocks)}
    assert {BulletList, OrderedList, BlockQuote} <= kinds


def test_notes_link_both_ways(rich: Book, rich_document: Document) -> None:
    notes = rich.document("notes.xhtml")
    entries = {
        li.get("id"): li for li in notes.iterfind(".//x:li", NS) if li.get(EPUB_TYPE) == "endnote"
    }
    assert list(entries) == [f"fn-{note.label}" for note in rich_document.footnotes]
    section = notes.find(".//x:section", NS)
    assert section is not None and section.get(EPUB_TYPE) == "endnotes"
    refs = []
    for href in [*rich.chapters, "notes.xhtml"]:
        for link in rich.document(href).iterfind(".//x:a", NS):
            if link.get(EPUB_TYPE) == "noteref":
                refs.append((href, link))
    assert len(refs) == 8  # intro, a twice, b, c, e from note c and from the text, d
    for _, link in refs:
        file_name, _, ident = str(link.get("href")).partition("#")
        assert file_name == "notes.xhtml" and ident in entries
        assert "".join(link.itertext()) == entries[ident].get("value")
    for ident, entry in entries.items():
        back = entry.find("x:a[@role='doc-backlink']", NS)
        assert back is not None
        file_name, _, target_id = str(back.get("href")).partition("#")
        target = rich.document(file_name).find(f".//*[@id='{target_id}']", NS)
        assert target is not None and target.get(EPUB_TYPE) == "noteref"
        assert target.get("href") == f"notes.xhtml#{ident}"
    # Note e is called from the last chapter before note c's call of it is rendered (the
    # notes come last), so its back-link leads to the chapter.
    back_e = entries["fn-e"].find("x:a[@role='doc-backlink']", NS)
    assert back_e is not None and back_e.get("href") == "chapter-03.xhtml#fnref-e"


def test_links_to_a_heading_lead_into_the_file_that_holds_it(links: Book) -> None:
    hrefs = {
        href: [
            str(a.get("href"))
            for a in links.document(href).iterfind(".//x:a", NS)
            if a.get(EPUB_TYPE) != "noteref"
        ]
        for href in links.chapters
    }
    assert hrefs == {
        "chapter-01.xhtml": [
            "chapter-02.xhtml#sec-2",
            "chapter-01.xhtml#sec-1",
            "https://example.com/a#b",  # not the book's: left alone
        ],
        "chapter-02.xhtml": ["chapter-01.xhtml#sec-1"],
    }
    for file_name, ident in (("chapter-02.xhtml", "sec-2"), ("chapter-01.xhtml", "sec-1")):
        target = links.document(file_name).find(f".//*[@id='{ident}']", NS)
        assert target is not None and target.tag == f"{{{NS['x']}}}h2"


def test_footnote_labels_become_valid_distinct_ids(links: Book) -> None:
    # Letters, digits, "_" and "-" stay; every other UTF-8 byte is ".XX" (never a kept "."):
    # the same label always has the same id, and two labels never share one.
    assert footnote_id('x&y"') == "fn-x.26y.22"
    assert footnote_id("注") == "fn-.E6.B3.A8"
    assert footnote_id("a.b") != footnote_id("a_2E_b")
    notes = links.document("notes.xhtml")  # parsing it is the first check
    entries = {
        str(li.get("id")): li
        for li in notes.iterfind(".//x:li", NS)
        if li.get(EPUB_TYPE) == "endnote"
    }
    assert list(entries) == ["fn-x.26y.22", "fn-.E6.B3.A8", "fn-a.2Eb", "fn-a_2E_b"]
    refs = [
        link
        for href in links.chapters
        for link in links.document(href).iterfind(".//x:a", NS)
        if link.get(EPUB_TYPE) == "noteref"
    ]
    assert [str(link.get("href")) for link in refs] == [
        f"notes.xhtml#{ident}" for ident in ("fn-x.26y.22", "fn-.E6.B3.A8", "fn-x.26y.22")
    ] + ["notes.xhtml#fn-a.2Eb", "notes.xhtml#fn-a_2E_b"]
    for ident, entry in entries.items():
        back = entry.find("x:a[@role='doc-backlink']", NS)
        assert back is not None
        file_name, _, target_id = str(back.get("href")).partition("#")
        target = links.document(file_name).find(f".//*[@id='{target_id}']", NS)
        assert target is not None and target.get("href") == f"notes.xhtml#{ident}"


def test_images_are_in_the_book_with_their_media_types(rich: Book, rich_source: Path) -> None:
    images = {
        str(i.get("href")): str(i.get("media-type"))
        for i in rich.manifest.values()
        if str(i.get("media-type")).startswith("image/")
    }
    assert images == {"images/image-01.png": "image/png", "images/image-02.svg": "image/svg+xml"}
    chapter = rich.document("chapter-03.xhtml")
    figures = chapter.findall(".//x:figure", NS)
    assert [f.find("x:img", NS).get("src") for f in figures] == list(images)  # type: ignore[union-attr]
    assert [f.find("x:img", NS).get("alt") for f in figures] == ["示意图一", "矢量图"]  # type: ignore[union-attr]
    assert figures[0].findtext("x:figcaption", namespaces=NS) == "图 1　示意图"
    folder = rich_source.parent
    assert (
        rich.archive.read(rich.resolve("images/image-01.png"))
        == (folder / "figure.png").read_bytes()
    )
    assert (
        rich.archive.read(rich.resolve("images/image-02.svg"))
        == (folder / "chart.svg").read_bytes()
    )


# --- metadata ------------------------------------------------------------------------------


def test_metadata(report: Book, rich: Book, rich_document: Document) -> None:
    document = read_file(SOURCE)
    meta = document.meta
    assert report.dc("title") == [meta.title]
    assert report.dc("language") == ["zh-CN"]
    assert report.dc("creator") == [meta.author]
    assert report.dc("description") == [meta.description]
    assert report.dc("subject") == list(meta.keywords)
    modified = build_timestamp(document).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert report.meta("dcterms:modified") == [modified]
    # The identifier is the package's unique identifier, the NCX's too, and the model's.
    unique = report.opf.get("unique-identifier")
    (identifier,) = report.opf.iterfind(f"opf:metadata/dc:identifier[@id='{unique}']", NS)
    assert identifier.text == book_identifier(document)
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", identifier.text or "")
    ncx = report.xml(report.resolve("toc.ncx"))
    assert ncx.find("ncx:head/ncx:meta[@name='dtb:uid']", NS).get("content") == identifier.text  # type: ignore[union-attr]
    assert rich.dc("publisher") == ["测试出版社"]
    assert rich.dc("date") == ["2024-05-06"]
    assert rich.meta("dcterms:modified") == ["2024-05-06T00:00:00Z"]
    assert rich.dc("identifier") != report.dc("identifier")


def test_identifier_is_derived_from_the_source(rich_document: Document) -> None:
    same_text_edited = dataclasses.replace(rich_document, blocks=rich_document.blocks[:3])
    other_title = dataclasses.replace(
        rich_document, meta=dataclasses.replace(rich_document.meta, title="另一份报告")
    )
    assert book_identifier(same_text_edited) == book_identifier(rich_document)
    assert book_identifier(other_title) != book_identifier(rich_document)


def test_accessibility_metadata(report: Book, rich: Book) -> None:
    for book in (report, rich):
        features = book.meta("schema:accessibilityFeature")
        assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= set(features)
        assert book.meta("schema:accessibilityHazard") == ["none"]
        assert book.meta("schema:accessModeSufficient") == ["textual"]
        (summary,) = book.meta("schema:accessibilitySummary")
        assert "目录" in summary
    assert report.meta("schema:accessMode") == ["textual"]
    # The rich document shows images, each with alt text.
    assert rich.meta("schema:accessMode") == ["textual", "visual"]
    assert "alternativeText" in rich.meta("schema:accessibilityFeature")


def test_modified_follows_source_date_epoch(
    rich_document: Document, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = tmp_path / "x.epub"
    path.write_bytes(EpubExporter().render(rich_document, load_theme(), EpubOptions()))
    assert Book(path).meta("dcterms:modified") == ["2023-11-14T22:13:20Z"]


# --- CSS and fonts -------------------------------------------------------------------------


def test_css_for_reflowable_reading(report: Book) -> None:
    css_items = [i for i in report.manifest.values() if i.get("media-type") == "text/css"]
    assert len(css_items) == 1
    href = str(css_items[0].get("href"))
    css = report.archive.read(report.resolve(href)).decode("utf-8")
    assert "@page" not in css and not re.search(r"[\s;{]size\s*:", css)
    assert "${" not in css  # every token of the template filled
    rule = re.search(r"\np \{([^}]*)\}", css)
    assert rule is not None
    assert "text-indent: 2em" in rule.group(1)
    body = re.search(r"\nbody \{([^}]*)\}", css)
    assert body is not None
    assert "text-align: justify" in body.group(1)
    assert "line-height: 1.8" in body.group(1)
    stack = re.search(r"font-family: ([^;]*);", body.group(1))
    assert stack is not None
    assert stack.group(1).startswith('"Noto Serif CJK SC"') and stack.group(1).endswith(", serif")
    assert "Songti SC" in stack.group(1)
    for file_name in report.spine:
        links = report.document(file_name).iterfind("x:head/x:link[@rel='stylesheet']", NS)
        hrefs = [str(Path(file_name).parent / str(link.get("href"))) for link in links]
        assert hrefs == [href], file_name


def test_embedded_fonts_cover_the_text(rich_fonts: Book) -> None:
    """Each face the stylesheet sets text in travels with the book, cut to that text: the
    body, the bold headings (h2-h4, table heads) and the bold body face of h5-h6."""
    fonts = {
        str(i.get("href")): str(i.get("media-type"))
        for i in rich_fonts.manifest.values()
        if str(i.get("media-type")).startswith("font/")
    }
    css = rich_fonts.archive.read(rich_fonts.resolve("style/book.css")).decode("utf-8")
    faces = re.findall(r'@font-face \{[^}]*src: url\("\.\./([^"]+)"\) format\("woff2"\)', css)
    assert sorted(faces) == sorted(fonts)

    def text(*tags: str) -> str:
        return "".join(
            plain_text(element)
            for href in rich_fonts.spine
            for element in rich_fonts.document(href).iter(*(f"{{{NS['x']}}}{t}" for t in tags))
        )

    theme = load_theme()
    expected = {
        "fonts/body.woff2": (text("body"), font_file(theme.fonts.body[0])),
        "fonts/heading-bold.woff2": (
            text("h2", "h3", "h4", "th"),
            font_file(theme.fonts.heading[0], bold=True),
        ),
        "fonts/body-bold.woff2": (text("h5", "h6"), font_file(theme.fonts.body[0], bold=True)),
    }
    assert fonts == dict.fromkeys(expected, "font/woff2")
    for href, (covered, source) in expected.items():
        data = rich_fonts.archive.read(rich_fonts.resolve(href))
        assert len(data) < 100_000, f"{href}: {len(data)} bytes, not a subset"
        font = TTFont(io.BytesIO(data))
        assert font.flavor == "woff2"
        assert "SC" in font["name"].getDebugName(4)
        assert "Open Font License" in (font["name"].getDebugName(13) or "")
        cmap = font.getBestCmap()
        # What the theme's font has, the subset has (the rest falls back, as without it).
        has = font_charset(*source)
        missing = {c for c in covered if ord(c) in has and ord(c) not in cmap}
        assert not missing, f"{href} lacks {sorted(missing)}"


def test_font_stacks_are_written_as_the_pdf_writes_them() -> None:
    """Generic keywords bare in any case, every other name a CSS string, escaped to survive a
    quote, a backslash or a control character: in the EPUB's CSS as in the PDF's."""
    stacks = {
        "body": ("Noto Serif CJK SC", 'A "quoted" \\ name', "tab\tand\x7fdel", "Serif"),
        "heading": ("Noto Sans CJK SC", "sans", "SANS-SERIF"),
        # "\u017ferif" (a long s) casefolds to "serif" but is no CSS keyword.
        "mono": ("mono", "\u017ferif", "Monospace"),
        "title": ("Noto Serif CJK SC", "Fantasy"),
        # The page's chrome (page numbers) is print's alone: the heading stack's, to compare.
        "chrome": ("Noto Sans CJK SC", "sans", "SANS-SERIF"),
    }
    theme = dataclasses.replace(load_theme(), fonts=FontTokens(**stacks))
    found = {
        name: set(re.findall(r"font-family: ([^;]*);", css))
        for name, css in (("epub", stylesheet(theme)), ("pdf", print_css(theme)))
    }
    assert found["epub"] == found["pdf"]
    parsed = set()
    for value in found["epub"]:
        tokens = [
            (token.type, token.value)
            for token in tinycss2.parse_component_value_list(value)
            if token.type not in ("whitespace", "literal")  # the commas
        ]
        parsed.add(tuple(tokens))
    assert parsed == {
        (
            ("string", "Noto Serif CJK SC"),
            ("string", 'A "quoted" \\ name'),
            ("string", "tab\tand\x7fdel"),
            ("ident", "serif"),
        ),
        (("string", "Noto Sans CJK SC"), ("string", "sans"), ("ident", "sans-serif")),
        (("string", "mono"), ("string", "\u017ferif"), ("ident", "monospace")),
        (("string", "Noto Serif CJK SC"), ("ident", "fantasy")),
    }


def test_plain_build_embeds_no_font(rich: Book) -> None:
    assert not [i for i in rich.manifest.values() if str(i.get("media-type")).startswith("font/")]
    css = rich.archive.read(rich.resolve("style/book.css")).decode("utf-8")
    assert "@font-face {" not in css


# --- refused input -------------------------------------------------------------------------


def write_doc(folder: Path, image: str) -> Document:
    text = f"---\ntitle: 图\nlang: zh-CN\n---\n# 一\n\n![图]({image})\n"
    return read_text(text, folder / "doc.md")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.png", None, "no such file"),
        ("fake.png", b"not a png at all", "named as image/png, but is not an image format"),
        ("photo.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", "not an EPUB 3.2 core type"),
        ("../outside.png", png(1, 1), "refused"),
        ("https://example.com/x.png", None, "refused"),
    ],
)
def test_bad_images_are_errors(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    if content is not None:
        (folder / name).write_bytes(content)
    document = write_doc(folder, name)
    with pytest.raises(ReportExportError, match=re.escape(message)):
        EpubExporter().render(document, load_theme(), EpubOptions())


def test_images_may_come_from_the_themes_folder_as_in_the_pdf(tmp_path: Path) -> None:
    theme_dir = tmp_path / "theme"
    theme_dir.mkdir()
    theme_file = theme_dir / "theme.toml"
    theme_file.write_text((styles_dir() / "default.toml").read_text(encoding="utf-8"), "utf-8")
    logo = png(3, 2)
    (theme_dir / "logo.png").write_bytes(logo)
    folder = tmp_path / "src"
    folder.mkdir()
    document = write_doc(folder, str(theme_dir / "logo.png"))
    path = tmp_path / "x.epub"
    path.write_bytes(EpubExporter().render(document, load_theme(str(theme_file)), EpubOptions()))
    assert Book(path).archive.read(Book(path).resolve("images/image-01.png")) == logo
    # With another theme, the folder is none of the allowed ones.
    with pytest.raises(ReportExportError, match="refused"):
        EpubExporter().render(document, load_theme(), EpubOptions())


def test_a_document_without_headings_still_has_a_table_of_contents(tmp_path: Path) -> None:
    document = read_text("---\ntitle: 无标题\n---\n只有一段。\n", tmp_path / "doc.md")
    path = tmp_path / "x.epub"
    path.write_bytes(EpubExporter().render(document, load_theme(), EpubOptions()))
    book = Book(path)
    assert book.chapters == ["chapter-01.xhtml"]
    nav = nav_tree(book.document(book.nav_href()).find(".//x:nav/x:ol", NS))
    assert nav == [("无标题", "title.xhtml", [])]
    titles = [book.document(h).findtext("x:head/x:title", namespaces=NS) for h in book.spine]
    assert all(titles)
    assert book.dc("language") == ["zh-CN"]
