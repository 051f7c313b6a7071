"""The PDF, read back as a reader would: pypdf for text, outline and metadata, poppler for fonts
and line positions. Two documents: the real report (built through the command line, as a user
does) and a sample with everything the report lacks (footnotes, a table, lists, a quote, code,
links, a figure), rendered in-process so WeasyPrint's log can be watched.
"""

from __future__ import annotations

import gc
import io
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tinycss2
from lxml import etree
from pypdf import PdfReader
from pypdf.generic import ContentStream

from report_export import layout_engine
from report_export.assets import asset_roots
from report_export.css import css_font_stack, css_string
from report_export.errors import ReportExportError
from report_export.exporters.pdf import PdfExporter, PdfOptions, render_html
from report_export.model import (
    Block,
    BlockQuote,
    BulletList,
    Document,
    FootnoteRef,
    Heading,
    Image,
    Inline,
    OrderedList,
    Paragraph,
    Table,
    ThematicBreak,
    headings,
    inline_text,
    walk_blocks,
)
from report_export.reader import read_file
from report_export.reproducible import build_timestamp, document_date
from report_export.resources import styles_dir
from report_export.theme import Theme, load_theme
from report_export.typography import balanced_lines

from .conftest import SOURCE, make_sample, run_cli, tool

# What pypdf's lines are joined without a space across (the reader joins soft breaks alike).
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018\u2019\u201c\u201d]")
PAGE_NUMBER = re.compile(r"^第 \d+ 页 / 共 \d+ 页$")
NO_LINE_START = "，。、；：？！）》”’"
A4 = (595.276, 841.89)


@dataclass(frozen=True)
class Built:
    """A PDF and the document it was made from."""

    path: Path
    data: bytes
    document: Document
    theme: Theme

    @property
    def reader(self) -> PdfReader:
        return PdfReader(io.BytesIO(self.data))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """source/report.md through ``report-export build --to pdf``."""
    assert SOURCE.is_file(), f"{SOURCE} is missing"
    out = tmp_path_factory.mktemp("report-pdf")
    result = run_cli("build", SOURCE, "--to", "pdf", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "fontTools" not in result.stderr and "HarfBuzz" not in result.stderr, result.stderr
    path = out / "report.pdf"
    return Built(path, path.read_bytes(), read_file(SOURCE), load_theme())


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


def render_logged(document: Document, theme: Theme) -> tuple[bytes, tuple[str, ...]]:
    """The PDF of ``document`` and the warnings WeasyPrint and the exporter logged meanwhile
    (taken at WeasyPrint's own logger, before the exporter's once-a-process filter)."""
    records = _Records()
    loggers = [logging.getLogger("weasyprint"), logging.getLogger("report_export")]
    assert all(logger.isEnabledFor(logging.WARNING) for logger in loggers)
    for logger in loggers:
        logger.addHandler(records)
    try:
        data = PdfExporter().render(document, theme, PdfOptions())
    finally:
        for logger in loggers:
            logger.removeHandler(records)
    return data, tuple(records.messages)


@pytest.fixture(scope="module")
def sample_rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, tuple[str, ...]]:
    """The sample PDF, and what was logged while it rendered."""
    source = make_sample(tmp_path_factory.mktemp("sample") / "source")
    document, theme = read_file(source), load_theme()
    data, log = render_logged(document, theme)
    path = source.parent / "report.pdf"
    path.write_bytes(data)
    return Built(path, data, document, theme), log


@pytest.fixture(scope="module")
def sample(sample_rendered: tuple[Built, tuple[str, ...]]) -> Built:
    return sample_rendered[0]


@pytest.fixture(params=["report", "sample"])
def built(request: pytest.FixtureRequest) -> Built:
    value: Built = request.getfixturevalue(request.param)
    return value


# --- reading the text back --------------------------------------------------------------


def page_lines(built: Built) -> list[list[str]]:
    """Each page's text lines, running head and page number dropped (pypdf puts the margin
    boxes' text last on a page)."""
    pages = []
    for number, page in enumerate(built.reader.pages, start=1):
        lines = [line.strip() for line in page.extract_text().split("\n") if line.strip()]
        while lines and (
            PAGE_NUMBER.match(lines[-1]) or (number > 1 and lines[-1] == built.document.meta.title)
        ):
            lines.pop()
        pages.append(lines)
    return pages


def join_lines(lines: list[str]) -> str:
    """Lines as one text: no space where a line wrap fell between two CJK characters."""
    text = ""
    for line in lines:
        if text and not (CJK.match(text[-1]) and CJK.match(line[0])):
            text += " "
        text += line
    return normalize(text)


def normalize(text: str) -> str:
    return " ".join(text.split())


def expected_texts(document: Document) -> Iterator[str]:
    """What the PDF shows of the body, in reading order: the title, the author, each heading,
    paragraph, list item, table cell and caption, footnote calls as their numbers."""
    numbers = {note.label: str(n) for n, note in enumerate(document.footnotes, start=1)}

    def text(inlines: tuple[Inline, ...]) -> str:
        return normalize(inline_text(inlines, numbers.__getitem__))

    def blocks(items: tuple[Block, ...]) -> Iterator[str]:
        for block in items:
            match block:
                case Heading(children=children) | Paragraph(children=children):
                    yield text(children)
                case BulletList(items=list_items) | OrderedList(items=list_items):
                    for item in list_items:
                        yield from blocks(item)
                case BlockQuote(children=children):
                    yield from blocks(children)
                case Table(header=header, rows=rows):
                    for row in (header, *rows):
                        yield from (text(cell.children) for cell in row)
                case Image(title=title):
                    if title:
                        yield normalize(title)
                case ThematicBreak():
                    pass

    yield normalize(document.meta.title)
    if document.meta.author:
        yield normalize(document.meta.author)
    yield from blocks(document.blocks)


def note_texts(document: Document) -> list[str]:
    """Each footnote as the page shows it: its number, then its text (list items numbered)."""
    notes = []
    for number, note in enumerate(document.footnotes, start=1):
        parts = [str(number)]
        for block in note.children:
            if isinstance(block, Paragraph):
                parts.append(inline_text(block.children))
            elif isinstance(block, OrderedList):
                for n, item in enumerate(block.items, start=block.start):
                    texts = (inline_text(b.children) for b in item if isinstance(b, Paragraph))
                    parts.append(f"{n}. " + " ".join(texts))
        notes.append(normalize(" ".join(parts)))
    return notes


def body_text(built: Built) -> str:
    """The whole body as one text, every footnote cut out of its page."""
    notes = note_texts(built.document)
    pages = []
    for lines in page_lines(built):
        page = join_lines(lines)
        for note in notes:
            page = page.replace(note, " ")
        pages.append(normalize(page))
    # A paragraph that runs on to the next page joins across it like across a line.
    return join_lines([page for page in pages if page])


def test_every_paragraph_is_there_in_order(built: Built) -> None:
    text = body_text(built)
    at = 0
    for expected in expected_texts(built.document):
        found = text.find(expected, at)
        assert found >= 0, f"not found after position {at}: {expected!r}\n{text[at : at + 200]!r}"
        at = found + len(expected)


def test_footnotes_are_at_the_foot_of_the_page_that_calls_them(sample: Built) -> None:
    document = sample.document
    pages = [join_lines(lines) for lines in page_lines(sample)]
    notes = note_texts(document)
    assert len(notes) == 2
    for note, text in zip(document.footnotes, notes, strict=True):
        where = [n for n, page in enumerate(pages) if text in page]
        assert len(where) == 1, f"footnote {text!r} on pages {where} (once, not per call)"
        caller = next(
            block
            for block in walk_blocks(document.blocks)
            if isinstance(block, Heading | Paragraph)
            and any(isinstance(i, FootnoteRef) and i.label == note.label for i in block.children)
        )
        start = normalize(inline_text(caller.children))[:12]
        assert start in pages[where[0]], f"footnote {text!r} is not on its caller's page"


def test_no_line_starts_with_closing_punctuation(built: Built) -> None:
    for lines in page_lines(built):
        for line in lines:
            assert line[0] not in NO_LINE_START, line


# --- structure and metadata ----------------------------------------------------------------


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every outline entry, in order; depth 1 is the top."""
    entries: list[tuple[int, str, int]] = []

    def visit(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                visit(item, depth + 1)
            else:
                page = reader.get_destination_page_number(item)
                assert page is not None, f"outline entry {item.title!r} points nowhere"
                entries.append((depth, str(item.title), page))

    visit(reader.outline, 1)
    return entries


def test_the_outline_lists_every_heading_nested_by_level(built: Built) -> None:
    entries = outline(built.reader)
    expected = [(h.level, normalize(inline_text(h.children))) for h in headings(built.document)]
    assert [(depth, title) for depth, title, _ in entries] == expected
    pages = [page for _, _, page in entries]
    assert pages == sorted(pages), "outline entries must point at pages in reading order"
    assert pages[-1] >= 1


def test_metadata(built: Built) -> None:
    reader = built.reader
    meta = built.document.meta
    info = reader.metadata
    assert info is not None
    assert info.title == meta.title
    assert info.author == meta.author
    assert info.subject == meta.description
    assert str(info["/Keywords"]) == ", ".join(meta.keywords)
    assert str(info["/Creator"]) == "report-export"
    stamp = "D:%Y%m%d%H%M%S+00'00"
    assert str(info["/CreationDate"]) == document_date(built.document).strftime(stamp)
    assert str(info["/ModDate"]) == build_timestamp(built.document).strftime(stamp)
    root: Any = reader.trailer["/Root"]
    assert str(root["/Lang"]) == "zh-CN"
    assert root["/MarkInfo"]["/Marked"], "the PDF is tagged"


def test_dates_come_from_the_source_not_the_clock(sample: Built, report: Built) -> None:
    def created(built: Built) -> str:
        info = built.reader.metadata
        assert info is not None
        return str(info["/CreationDate"])

    if os.environ.get("SOURCE_DATE_EPOCH"):  # the reproducible-builds convention wins
        assert created(sample) == created(report)
        return
    assert created(sample) == "D:20240315000000+00'00"  # the front matter's date
    # The report has no date: a fixed one stands in, never its provenance's upload date.
    assert created(report) == "D:20000101000000+00'00"


def test_every_page_is_a4(built: Built) -> None:
    for page in built.reader.pages:
        box = page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=0.01)


def test_fonts_are_embedded_subset_simplified_chinese_faces(built: Built) -> None:
    listing = subprocess.run(
        [tool("pdffonts"), built.path], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert listing, "no fonts in the PDF"
    names = []
    for row in listing:
        name, *_, emb, sub, _uni, _obj, _gen = row.split()
        assert (emb, sub) == ("yes", "yes"), row
        names.append(name.split("+", 1)[1])
    for name in names:
        assert re.search(r"CJK-?SC", name, re.I), f"{name} is not a Simplified Chinese face"
        assert not re.search(r"CJK-?(JP|KR|TC|HK)", name, re.I), name
    assert any("Serif" in name for name in names) and any("Sans" in name for name in names)


def test_weasyprint_logged_nothing(
    sample_rendered: tuple[Built, tuple[str, ...]], tmp_path: Path
) -> None:
    # Among what it would log: "Using fontTools instead of HarfBuzz-Subset" (~20x slower).
    _, log = sample_rendered
    assert log == ()
    # What WeasyPrint does log is caught: a theme's CSS with a property it does not know.
    theme_file = tmp_path / "theme.toml"
    default = (styles_dir() / "default.toml").read_text(encoding="utf-8")
    theme_file.write_text('css = "extra.css"\n' + default, encoding="utf-8")
    (tmp_path / "extra.css").write_text("p { no-such-property: 1 }", encoding="utf-8")
    document = read_file(_source(tmp_path, "# 一、标题\n\n正文。"))
    _, logged = render_logged(document, load_theme(str(theme_file)))
    assert any("no-such-property" in message for message in logged), logged


# --- the page ----------------------------------------------------------------------------


def bbox_lines(path: Path, page: int) -> list[tuple[float, float, str]]:
    """(xMin, xMax, text) of each line of ``page`` as poppler lays it out."""
    xml = subprocess.run(
        [tool("pdftotext"), "-bbox-layout", "-f", str(page), "-l", str(page), path, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.finditer(
        r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>(.*?)</line>', xml, re.S
    )
    return [
        (float(m[1]), float(m[2]), "".join(re.findall(r">([^<]*)</word>", m[3]))) for m in found
    ]


def test_text_sits_on_the_character_grid(report: Built) -> None:
    theme = report.theme
    left = theme.margin_left_pt
    right = left + theme.text_width_pt
    indent = left + theme.text.first_line_indent_chars * theme.text.size_pt
    lines = [line for page in (2, 3) for line in bbox_lines(report.path, page)]
    body = [(x0, x1) for x0, x1, text in lines if text != report.document.meta.title]
    assert all(x1 <= right + 0.01 for _, x1 in body), "a line runs past the text block"
    flush = [x1 for x0, x1 in body if x1 == pytest.approx(right, abs=0.01)]
    assert len(flush) >= 30, "all-Chinese lines should end flush on the grid"
    starts = {round(x0, 2) for x0, _ in body}
    assert round(left, 2) in starts and round(indent, 2) in starts


def test_running_head_from_page_two_and_page_numbers_on_every_page(report: Built) -> None:
    pages = report.reader.pages
    total = len(pages)
    assert total >= 2
    title = report.document.meta.title
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.extract_text().split("\n") if line.strip()]
        assert lines[-1] == f"第 {number} 页 / 共 {total} 页"
        has_head = lines[-2] == title
        assert has_head == (number > 1), f"running head on page {number}: {has_head}"


def test_the_title_opens_page_one(report: Built) -> None:
    first = page_lines(report)[0]
    title = report.document.meta.title
    measure = report.theme.text_width_pt / report.theme.headings.title_size_pt
    lines = balanced_lines(title, measure, report.document.meta.lang)
    assert first[: len(lines)] == lines
    assert first[len(lines)] == report.document.meta.author


def image_widths(reader: PdfReader) -> list[float]:
    """The drawn width, in points, of every image XObject on every page."""
    widths = []
    for page in reader.pages:
        resources: Any = page["/Resources"]
        images = {
            name
            for name, xobject in resources.get("/XObject", {}).items()
            if xobject.get_object()["/Subtype"] == "/Image"
        }
        matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
        stack = []
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"q":
                stack.append(matrix)
            elif operator == b"Q":
                matrix = stack.pop()
            elif operator == b"cm":
                a, b, c, d, e, f = (float(v) for v in operands)
                m = matrix
                matrix = [
                    a * m[0] + b * m[2],
                    a * m[1] + b * m[3],
                    c * m[0] + d * m[2],
                    c * m[1] + d * m[3],
                    e * m[0] + f * m[2] + m[4],
                    e * m[1] + f * m[3] + m[5],
                ]
            elif operator == b"Do" and operands[0] in images:
                widths.append(abs(matrix[0]))
    return widths


def test_a_wide_figure_is_scaled_to_the_text_width(sample: Built) -> None:
    widths = image_widths(sample.reader)
    assert len(widths) == 1
    assert widths[0] == pytest.approx(sample.theme.text_width_pt, abs=0.05)


def test_links_keep_their_targets(sample: Built) -> None:
    uris = [
        annotation.get_object()["/A"]["/URI"]
        for page in sample.reader.pages
        for annotation in page.get("/Annots", [])
        if "/URI" in annotation.get_object().get("/A", {})
    ]
    assert "https://example.org/open" in uris


def test_footnote_labels_of_any_characters_make_valid_ids(tmp_path: Path) -> None:
    source = _source(
        tmp_path,
        '正文[^x&y"]，再引[^x&y"]，以及[^a.b][^a_2E_b]。\n\n'
        '[^x&y"]: 注一。\n[^a.b]: 注二。\n[^a_2E_b]: 注三。',
    )
    document, theme = read_file(source), load_theme()
    html = render_html(document, theme, asset_roots(document))
    root = etree.fromstring(html.encode("utf-8"))  # the markup is polyglot: well-formed XML
    x = "{http://www.w3.org/1999/xhtml}"
    notes = [str(span.get("id")) for span in root.iter(f"{x}span") if span.get("role") == "note"]
    assert notes == ["fn-x.26y.22", "fn-a.2Eb", "fn-a_2E_b"]
    # The second call of a note is a link to it.
    assert [str(a.get("href")) for a in root.iter(f"{x}a")] == ["#fn-x.26y.22"]
    reader = PdfReader(io.BytesIO(PdfExporter().render(document, theme, PdfOptions())))
    assert "fn-x.26y.22" in reader.named_destinations


def test_css_strings_hold_any_character() -> None:
    for text in ("plain", 'a "quote"', "back\\slash", "line\nbreak\tand\x7f", "注\\释"):
        (token,) = tinycss2.parse_component_value_list(css_string(text))
        assert (token.type, token.value) == ("string", text)
    # CSS reads its generic keywords in any case; fontconfig's "sans" and "mono" are names.
    stack = ["Serif", "SANS-SERIF", "monospace", "sans", "mono", "\u017ferif", "Noto Serif CJK SC"]
    assert css_font_stack(stack) == (
        'serif, sans-serif, monospace, "sans", "mono", "\u017ferif", "Noto Serif CJK SC"'
    )


# --- reproducibility -----------------------------------------------------------------------


def test_two_builds_are_byte_identical(report: Built, tmp_path: Path) -> None:
    result = run_cli("build", SOURCE, "--to", "pdf", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "report.pdf").read_bytes() == report.data


def test_the_bytes_do_not_depend_on_where_the_source_is(sample: Built, tmp_path: Path) -> None:
    source = make_sample(tmp_path / "elsewhere" / "deeper")
    data = PdfExporter().render(read_file(source), load_theme(), PdfOptions())
    assert data == sample.data
    assert str(tmp_path).encode() not in data


# --- failing inputs ---------------------------------------------------------------------


def _source(folder: Path, body: str) -> Path:
    source = folder / "report.md"
    source.write_text(f"---\ntitle: 失败的输入\nlang: zh-CN\n---\n\n{body}\n", encoding="utf-8")
    return source


def test_a_character_no_theme_font_has_fails_the_build(tmp_path: Path) -> None:
    source = _source(tmp_path, "# 一、标题\n\n第一段。\n\n第二段里有一个泰文字母ก，印不出来。")
    result = run_cli("build", source, "--to", "pdf", "--out", tmp_path / "out")
    assert result.returncode == 2
    message = result.stderr.strip()
    assert "U+0E01" in message and "'ก'" in message
    assert "paragraph 2 of section sec-1" in message
    assert "泰文字母ก，印不出" in message
    assert not (tmp_path / "out" / "report.pdf").exists()


def test_a_heading_character_is_checked_against_the_heading_fonts(tmp_path: Path) -> None:
    source = _source(tmp_path, "# 一、标题 😀\n\n正文。")
    with pytest.raises(ReportExportError, match=r"U\+1F600 .* h1 fonts .*section sec-1"):
        PdfExporter().render(read_file(source), load_theme(), PdfOptions())


@pytest.mark.parametrize(
    "src",
    [
        "http://report-export.invalid/logo.png",
        "../../../../../../../etc/passwd",
        "/etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
    ],
)
def test_an_image_outside_the_source_folder_fails_the_build(tmp_path: Path, src: str) -> None:
    source = _source(tmp_path, f"正文。\n\n![图]({src})")
    result = run_cli("build", source, "--to", "pdf", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "refused" in result.stderr and src in result.stderr
    assert not (tmp_path / "out" / "report.pdf").exists()


@pytest.mark.parametrize(
    ("css", "url"),
    [
        (
            '@import url("http://report-export.invalid/x.css");',
            "http://report-export.invalid/x.css",
        ),
        ("h2 { background: url(file:///etc/hostname) }", "file:///etc/hostname"),
        (
            '@font-face { font-family: X; src: url("https://report-export.invalid/f.woff2") }'
            "\nh2 { font-family: X }",
            "https://report-export.invalid/f.woff2",
        ),
    ],
)
def test_theme_css_reaching_outside_is_refused(tmp_path: Path, css: str, url: str) -> None:
    theme_file = tmp_path / "theme.toml"
    default = (styles_dir() / "default.toml").read_text(encoding="utf-8")
    theme_file.write_text('css = "extra.css"\n' + default, encoding="utf-8")
    (tmp_path / "extra.css").write_text(css, encoding="utf-8")
    (tmp_path / "source").mkdir()
    source = _source(tmp_path / "source", "# 一、标题\n\n正文。")
    with pytest.raises(ReportExportError, match="refused") as caught:
        PdfExporter().render(read_file(source), load_theme(str(theme_file)), PdfOptions())
    assert url in str(caught.value)


def test_weasyprint_is_imported_only_to_render_a_pdf() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from report_export.cli import main\n"
        "from report_export.exporters import load_exporter\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['formats'])\n"
        "load_exporter('pdf')\n"
        "assert 'weasyprint' not in sys.modules, 'weasyprint was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_render_pauses_the_cyclic_collector_and_gives_it_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The collector is off while WeasyPrint lays out and writes (each collection would walk
    every box again), and on again once the render is over, failed or not: a long-lived
    process (watch, a batch worker) collects as before."""
    weasyprint = layout_engine.load()
    document, theme = read_file(SOURCE), load_theme()
    seen: list[bool] = []
    for cls, name in ((weasyprint.HTML, "render"), (weasyprint.Document, "write_pdf")):
        method = getattr(cls, name)

        def watched(*args: Any, _method: Any = method, **kwargs: Any) -> Any:
            seen.append(gc.isenabled())
            return _method(*args, **kwargs)

        monkeypatch.setattr(cls, name, watched)
    assert gc.isenabled()
    PdfExporter().render(document, theme, PdfOptions())
    assert seen == [False, False] and gc.isenabled()
    monkeypatch.setattr(weasyprint.HTML, "render", _fails)
    with pytest.raises(RuntimeError):
        PdfExporter().render(document, theme, PdfOptions())
    assert gc.isenabled()


def _fails(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("a render that fails")


def test_fonttools_parts_weasyprint_imports_for_other_fonts_still_work() -> None:
    """The subsetter and the variable-font instancer are imported when WeasyPrint first uses
    them (a PDF of ours never does): then they are fontTools' own, and a later import of
    them is the real module."""
    code = """
import sys
from report_export import layout_engine
layout_engine.load()
from weasyprint.pdf import fonts
print("fontTools.subset" in sys.modules, "fontTools.varLib.instancer" in sys.modules)
from fontTools.ttLib import TTFont
try:
    fonts.instantiateVariableFont(TTFont(), {})
except ValueError as err:
    print(err)
import fontTools.subset
print(fonts.subset.Subsetter is fontTools.subset.Subsetter)
import fontTools.varLib.instancer as instancer
print(type(instancer).__name__)
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.splitlines() == [
        "False False",
        "Missing required table fvar",
        "True",
        "module",
    ]


RENDER_AND_REPORT = """
import sys
from report_export.exporters.pdf import PdfExporter, PdfOptions
from report_export.reader import read_file
from report_export.theme import load_theme
data = PdfExporter().render(read_file(__import__("pathlib").Path(sys.argv[1])), load_theme(),
                            PdfOptions())
sys.stdout.buffer.write(data)
sys.stderr.write("pycparser" if "pycparser" in sys.modules else "no parser")
"""


def render_with_cache(cache: Path) -> tuple[bytes, str]:
    """A PDF of the report rendered in a new process with ``cache`` as XDG_CACHE_HOME, and
    whether that process imported pycparser."""
    done = subprocess.run(
        [sys.executable, "-c", RENDER_AND_REPORT, str(SOURCE)],
        capture_output=True, check=True, timeout=300,
        env={**os.environ, "XDG_CACHE_HOME": str(cache)},
    )  # fmt: skip
    return done.stdout, done.stderr.decode()[-20:]


def test_weasyprints_declarations_are_parsed_once_a_machine(tmp_path: Path) -> None:
    """The first process parses WeasyPrint's C declarations and keeps them as an out-of-line
    module; the next loads them without pycparser; the PDF is the same bytes either way, with
    a cache folder that cannot be written, and with a damaged module (written anew)."""
    from report_export import precompiled_ffi

    cache = tmp_path / "cache"
    first, parsed = render_with_cache(cache)
    (module,) = (cache / "report-export").glob(f"{precompiled_ffi.MODULE_PREFIX}*.py")
    second, loaded = render_with_cache(cache)
    assert (parsed, loaded) == ("pycparser", "no parser")
    assert second == first
    module.write_text("ffi = (", encoding="utf-8")  # damaged
    assert render_with_cache(cache) == (first, "pycparser")
    assert render_with_cache(cache) == (first, "no parser")
    unwritable = tmp_path / "a-file"
    unwritable.write_text("", encoding="utf-8")
    assert render_with_cache(unwritable) == (first, "pycparser")
    assert precompiled_ffi.module_name("int f(void);") != precompiled_ffi.module_name(
        "int g(void);"
    )


def test_color_profiles_weasyprint_imports_for_other_documents_still_work() -> None:
    """Pillow's colour management is imported when a stylesheet's ``@color-profile`` first
    needs it (ours never has one): WeasyPrint then reads the profile with Pillow's own class."""
    code = """
import io, sys
from report_export import layout_engine
layout_engine.load()
print("PIL.ImageCms" in sys.modules)
from weasyprint import css
from PIL import ImageCms
srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
profile = css.ImageCmsProfile(io.BytesIO(srgb))
print(type(profile) is ImageCms.ImageCmsProfile, profile.tobytes() == srgb)
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.splitlines() == ["False", "True True"]
