"""Block-level typesetting in every format (issue #12), read back from the outputs: headings
that differ level by level, the theme's list scheme, tables ruled by the theme that break
with two rows on each side and repeat their header, images no taller than the page or the
screen, a contents page with leaders and right page numbers, no punctuation in the margin.

Two documents, each built once through the command line with ``--toc``: the real report and
the rich fixture; the DOCX is read through LibreOffice's PDF of it, the EPUB through Chromium
at a phone's width. Measurements use PyMuPDF (glyph boxes, fonts, drawings, images).
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from lxml import etree

from report_export.css import list_rules, table_rules
from report_export.exporters.pdf import PdfExporter, PdfOptions
from report_export.list_markers import parse_marker
from report_export.model import (
    Block,
    BlockQuote,
    BulletList,
    Document,
    OrderedList,
    Paragraph,
    Table,
    TableCell,
    heading_label,
    headings,
    inline_text,
)
from report_export.outline import contents_entries
from report_export.reader import read_file, read_text
from report_export.resources import styles_dir
from report_export.theme import Theme, load_theme
from report_export.typography import is_cjk, is_han

from .conftest import FIXTURES, SOURCE, Case, headless_chromium, run_cli, tool
from .conftest import built as built_output

RICH = FIXTURES / "rich" / "report.md"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
FORMATS = "pdf,docx,epub,html"
PUNCTUATION_AT_LINE_END = "、，。；：？！"


@dataclass(frozen=True)
class Built:
    """One source built into every format with --toc, and LibreOffice's PDF of its DOCX."""

    out: Path
    document: Document
    theme: Theme

    @property
    def pdf(self) -> Path:
        return self.out / "report.pdf"

    @property
    def docx(self) -> Path:
        return self.out / "report.docx"

    @property
    def epub(self) -> Path:
        return self.out / "report.epub"

    @property
    def html(self) -> Path:
        return self.out / "report.html"

    @property
    def docx_pdf(self) -> Path:
        return self.out / "lo" / "report.pdf"


def _build(source: Path, out: Path, profile: Path, *options: str) -> Built:
    result = run_cli("build", source, "--to", FORMATS, "--out", out, "--toc", *options)
    assert result.returncode == 0, result.stderr
    converted = subprocess.run(
        [
            tool("soffice"), "--headless", f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to", "pdf", "--outdir", str(out / "lo"), str(out / "report.docx"),
        ],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert (out / "lo" / "report.pdf").is_file(), converted.stdout + converted.stderr
    return Built(out, read_file(source), load_theme())


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("blocks-lo-profile")


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory, profile: Path) -> Built:
    return _build(RICH, tmp_path_factory.mktemp("blocks-rich"), profile)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, profile: Path) -> Built:
    return _build(SOURCE, tmp_path_factory.mktemp("blocks-report"), profile)


@pytest.fixture(params=["report", "rich"])
def built(request: pytest.FixtureRequest) -> Built:
    value: Built = request.getfixturevalue(request.param)
    return value


# --- reading PDFs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    page: int
    """1-based."""
    text: str
    """Without spaces: pypdf and LibreOffice space CJK text differently."""
    x0: float
    x1: float
    y0: float
    y1: float
    font: str
    size: float
    last_char_x1: float


def pdf_lines(path: Path) -> list[Line]:
    """Every visual line of every page, top to bottom: the text PyMuPDF reads on one
    baseline, joined left to right (it reads a list marker, a leader, a table cell, each
    drawn apart, as lines of their own)."""
    pieces = []
    with pymupdf.open(path) as pdf:
        for number, page in enumerate(pdf, start=1):
            for block in page.get_text("rawdict")["blocks"]:
                for line in block.get("lines", []):
                    chars = [c for span in line["spans"] for c in span["chars"]]
                    text = "".join(c["c"] for c in chars).replace(" ", "")
                    if not text:
                        continue
                    span = max(line["spans"], key=lambda s: len(s["chars"]))
                    x0, y0, x1, y1 = line["bbox"]
                    last = chars[-1]["bbox"][2]
                    piece = Line(number, text, x0, x1, y0, y1, span["font"], span["size"], last)
                    pieces.append(piece)
    pieces.sort(key=lambda line: (line.page, (line.y0 + line.y1) / 2, line.x0))
    rows: list[list[Line]] = []
    for piece in pieces:
        middle = (piece.y0 + piece.y1) / 2
        row = rows[-1] if rows else None
        if row and row[0].page == piece.page and abs((row[0].y0 + row[0].y1) / 2 - middle) < 3:
            row.append(piece)
        else:
            rows.append([piece])
    lines = []
    for row in rows:
        row.sort(key=lambda line: line.x0)
        main = max(row, key=lambda line: len(line.text))
        lines.append(
            Line(
                row[0].page,
                "".join(line.text for line in row),
                row[0].x0,
                row[-1].x1,
                min(line.y0 for line in row),
                max(line.y1 for line in row),
                main.font,
                main.size,
                row[-1].last_char_x1,
            )
        )
    return lines


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def text_block(theme: Theme) -> tuple[float, float]:
    """Left and right edges of the text block, in points."""
    return theme.margin_left_pt, theme.margin_left_pt + theme.text_width_pt


# --- 1. headings --------------------------------------------------------------------------------


def first_line_of(lines: list[Line], text: str) -> Line:
    start = squeeze(text)[:6]
    found = [line for line in lines if line.text.startswith(start)]
    assert found, f"no line starts with {start!r}"
    return found[-1]  # the heading itself, after its contents entry


def test_headings_of_levels_one_to_four_differ_in_size_or_face(rich: Built) -> None:
    lines = pdf_lines(rich.pdf)
    looks: dict[int, tuple[str, float]] = {}
    for heading in headings(rich.document):
        line = first_line_of(lines, heading_label(heading))
        looks.setdefault(heading.level, (line.font, round(line.size, 1)))
    body = next(b for b in rich.document.blocks if isinstance(b, Paragraph))
    body_line = first_line_of(lines, inline_text(body.children))
    assert sorted(looks) == [1, 2, 3, 4]
    styles = [*looks.values(), (body_line.font, round(body_line.size, 1))]
    assert len(set(styles)) == len(styles), styles


def test_docx_heading_styles_differ_from_each_other_and_the_body(rich: Built) -> None:
    styles = etree.fromstring(zipfile.ZipFile(rich.docx).read("word/styles.xml"))

    def look(ident: str) -> tuple[str | None, ...]:
        (style,) = styles.iterfind(f"w:style[@w:styleId='{ident}']", NS)
        fonts, size = style.find("w:rPr/w:rFonts", NS), style.find("w:rPr/w:sz", NS)
        return (
            fonts.get(f"{{{W}}}eastAsia") if fonts is not None else None,
            size.get(f"{{{W}}}val") if size is not None else None,
            "bold" if style.find("w:rPr/w:b", NS) is not None else None,
        )

    looks = [look(f"Heading{level}") for level in range(1, 5)] + [look("BodyText")]
    assert len(set(looks)) == len(looks), looks


@pytest.mark.parametrize("stylesheet", ["epub", "html"])
def test_screen_heading_rules_differ_level_by_level(rich: Built, stylesheet: str) -> None:
    if stylesheet == "epub":
        css = zipfile.ZipFile(rich.epub).read("EPUB/style/book.css").decode()
    else:
        css = rich.html.read_text(encoding="utf-8")
    rules = {tag: re.search(rf"(?m)^{tag} \{{([^}}]*)\}}", css) for tag in ("h2", "h3", "h4", "h5")}
    bodies = [" ".join(match.group(1).split()) for match in rules.values() if match]
    assert len(bodies) == 4 and len(set(bodies)) == 4, bodies


# --- 2. lists ------------------------------------------------------------------------------------


def list_items(
    blocks: tuple[Block, ...], theme: Theme, level: int = 0
) -> Iterator[tuple[str, str]]:
    """(marker, item text) of every list item, from the model and the theme alone."""
    for block in blocks:
        if isinstance(block, OrderedList | BulletList):
            for number, item in enumerate(block.items):
                if isinstance(block, OrderedList):
                    marker = theme.ordered_marker(level).text(block.start + number)
                else:
                    marker = theme.bullet(level)
                if item and isinstance(item[0], Paragraph):
                    yield marker, inline_text(item[0].children)
                yield from list_items(item, theme, level + 1)
        elif isinstance(block, BlockQuote):
            yield from list_items(block.children, theme, level)


@pytest.mark.parametrize("reader", ["pdf", "docx"])
def test_every_list_item_has_its_levels_marker(rich: Built, reader: str) -> None:
    lines = pdf_lines(rich.pdf if reader == "pdf" else rich.docx_pdf)
    items = list(list_items(rich.document.blocks, rich.theme))
    assert {marker for marker, _ in items} >= {"1.", "(1)", "①", "●", "○"}
    texts = [line.text for line in lines]
    for marker, text in items:
        wanted = squeeze(marker) + squeeze(text)[:5]
        assert any(wanted in line for line in texts), f"no line holds {wanted!r}"


def test_the_pdf_and_docx_bullet_is_not_a_tiny_dot(rich: Built) -> None:
    for path in (rich.pdf, rich.docx_pdf):
        with pymupdf.open(path) as pdf:
            boxes = [
                c["bbox"]
                for page in pdf
                for block in page.get_text("rawdict")["blocks"]
                for line in block.get("lines", [])
                for span in line["spans"]
                for c in span["chars"]
                if c["c"] == "●"
            ]
        assert boxes, path
        # The glyph's box, not its ink: an em-wide circle, not a 间隔号-sized dot.
        assert all(box[2] - box[0] >= 0.5 * rich.theme.text.size_pt for box in boxes)


CHINESE_SCHEME = ["一、", "（一）", "1.", "（1）"]


@pytest.fixture(scope="module")
def chinese_scheme(tmp_path_factory: pytest.TempPathFactory, profile: Path) -> Built:
    """The rich fixture in a theme numbering 一、 → （一） → 1. → （1）."""
    folder = tmp_path_factory.mktemp("blocks-scheme")
    theme = folder / "scheme.toml"
    default = (styles_dir() / "default.toml").read_text(encoding="utf-8")
    scheme = ", ".join(f'"{marker}"' for marker in CHINESE_SCHEME)
    theme.write_text(re.sub(r"(?m)^ordered = .*$", f"ordered = [{scheme}]", default), "utf-8")
    result = run_cli("build", RICH, "--to", "pdf,docx,html", "--out", folder, "--theme", theme)
    assert result.returncode == 0, result.stderr
    converted = subprocess.run(
        [
            tool("soffice"), "--headless", f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to", "pdf", "--outdir", str(folder / "lo"), str(folder / "report.docx"),
        ],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert (folder / "lo" / "report.pdf").is_file(), converted.stderr
    return Built(folder, read_file(RICH), load_theme(str(theme)))


@pytest.mark.parametrize("reader", ["pdf", "docx"])
def test_a_theme_chooses_the_chinese_numbering_scheme(chinese_scheme: Built, reader: str) -> None:
    path = chinese_scheme.pdf if reader == "pdf" else chinese_scheme.docx_pdf
    texts = [line.text for line in pdf_lines(path)]
    items = list(list_items(chinese_scheme.document.blocks, chinese_scheme.theme))
    assert {"一、", "（一）", "1."} <= {marker for marker, _ in items}
    for marker, text in items:
        wanted = squeeze(marker) + squeeze(text)[:5]
        assert any(wanted in line for line in texts), f"no line holds {wanted!r}"


def test_docx_numbering_levels_come_from_the_theme(chinese_scheme: Built) -> None:
    numbering = etree.fromstring(zipfile.ZipFile(chinese_scheme.docx).read("word/numbering.xml"))
    ordered = numbering.find("w:abstractNum[@w:abstractNumId='2']", NS)
    assert ordered is not None
    levels = [
        (lvl.find("w:numFmt", NS).get(f"{{{W}}}val"), lvl.find("w:lvlText", NS).get(f"{{{W}}}val"))
        for lvl in ordered.iterfind("w:lvl", NS)
    ][:4]
    assert levels == [
        ("chineseCountingThousand", "%1、"),
        ("chineseCountingThousand", "（%2）"),
        ("decimal", "%3."),
        ("decimal", "（%4）"),
    ]


def test_the_web_page_and_the_book_count_lists_with_the_theme(
    chinese_scheme: Built, rich: Built, tmp_path: Path
) -> None:
    """Chromium's print of the web page holds the scheme's markers (CSS counter styles)."""
    for built, markers in ((rich, ("(1)", "①", "●")), (chinese_scheme, ("一、", "（一）"))):
        pdf = tmp_path / f"{built.out.name}.pdf"
        headless_chromium(
            tmp_path / "profile",
            [f"--print-to-pdf={pdf}", "--no-pdf-header-footer", built.html.as_uri()],
        )
        text = squeeze(
            subprocess.run(
                ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
            ).stdout
        )
        for marker, item in list_items(built.document.blocks, built.theme):
            if marker in markers:
                assert squeeze(marker) + squeeze(item)[:4] in text, (marker, item)


def test_list_markers_count_past_their_glyphs() -> None:
    assert [parse_marker("一、").text(n) for n in (1, 10, 11, 20, 99, 100)] == [
        "一、", "十、", "十一、", "二十、", "九十九、", "100、",
    ]  # fmt: skip
    assert [parse_marker("①").text(n) for n in (1, 20, 21, 50, 51)] == ["①", "⑳", "㉑", "㊿", "51"]
    assert parse_marker("a)").text(28) == "ab)"
    assert parse_marker("I.").text(14) == "XIV."
    for bad in ("1.1", "x", "(1) ", "%1"):
        with pytest.raises(ValueError):
            parse_marker(bad)


def test_the_css_scheme_counts_deeper_lists_with_the_last_level() -> None:
    css = list_rules(load_theme())
    assert '@counter-style rx-ordered-3 { system: fixed; symbols: "①"' in css
    assert "ol ol ol, ol ul ol, ul ol ol, ul ul ol { list-style-type: rx-ordered-3; }" in css
    assert "rx-ordered-4" not in css


# --- 3. tables -----------------------------------------------------------------------------------


def the_table(document: Document) -> Table:
    return next(b for b in document.blocks if isinstance(b, Table))


def cell_text(cell: TableCell) -> str:
    return squeeze(inline_text(cell.children))


def table_pages(path: Path, table: Table, theme: Theme) -> dict[int, list[Line]]:
    """Per page: the lines that open a body row of ``table`` (by its first cell's text)."""
    left, _ = text_block(theme)
    # A narrow first column wraps its cells: a row's first line holds the cell's first two.
    firsts = {cell_text(row[0])[:2] for row in table.rows}
    pages: dict[int, list[Line]] = {}
    lines = pdf_lines(path)
    header = squeeze("".join(inline_text(c.children) for c in table.header[:2]))
    for line in lines:
        if line.text[:2] in firsts and line.x0 < left + 2 * theme.text.size_pt:
            pages.setdefault(line.page, []).append(line)
    for page in pages:
        page_text = "".join(line.text for line in lines if line.page == page)
        assert header[:4] in page_text, f"page {page}: no header row"
    return pages


def rules_on(path: Path, page: int, width: float) -> list[float]:
    """The y of every horizontal rule ``width`` points thick on ``page``: WeasyPrint fills a
    box's border as the space between two rectangles, the border box and the padding box."""
    ys = []
    with pymupdf.open(path) as pdf:
        for drawing in pdf[page - 1].get_drawings():
            boxes = [item[1] for item in drawing["items"] if item[0] == "re"]
            if drawing["type"] != "f" or len(boxes) != 2:
                continue
            inner, outer = sorted(boxes, key=lambda box: box.height)
            for top, bottom in ((outer.y0, inner.y0), (inner.y1, outer.y1)):
                if abs(bottom - top - width) < 0.05:
                    ys.append(round((top + bottom) / 2, 1))
    return sorted(set(ys))


def test_a_table_breaks_with_two_rows_each_side_its_header_and_rules(rich: Built) -> None:
    table = the_table(rich.document)
    pages = table_pages(rich.pdf, table, rich.theme)
    assert len(pages) >= 2, "the fixture's table no longer breaks: the test would hold vacuously"
    tables = rich.theme.tables
    for page, rows in pages.items():
        assert len(rows) >= 2, f"page {page}: {len(rows)} body row(s)"
        outer = rules_on(rich.pdf, page, tables.outer_rule_pt)
        # A top and a bottom rule on every part, the bottom one just under the part's rows.
        assert len(outer) == 2, (page, outer)
        assert 0 < max(outer) - rows[-1].y1 < 2 * rich.theme.text.size_pt, (page, outer, rows[-1])
        assert rules_on(rich.pdf, page, tables.inner_rule_pt), f"page {page}: no header rule"


def lone_characters(pdf: Path) -> list[tuple[int, str]]:
    """Every line of ``pdf`` that is one Han character alone, with its page (PyMuPDF reads
    each line of a table cell as a line of its own)."""
    found = []
    with pymupdf.open(pdf) as document:
        for number, page in enumerate(document, start=1):
            for block in page.get_text("rawdict")["blocks"]:
                for line in block.get("lines", []):
                    text = "".join(c["c"] for s in line["spans"] for c in s["chars"]).strip()
                    if len(text) == 1 and is_han(text):
                        found.append((number, text))
    return found


@pytest.mark.parametrize("theme", ["default", "gongwen"])
def test_no_table_cell_leaves_a_character_alone(
    every_output: dict[Case, Path], theme: str, tmp_path: Path
) -> None:
    """The rich fixture's table in both paged formats: in gongwen's larger table text, columns
    shared after their text alone broke "常住人 / 口 / （人）" and "甲街道一 / 居" (24 lines)."""
    docx = built_output(every_output, ("rich", theme), "docx")
    subprocess.run(
        [
            tool("soffice"), "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx),
        ],
        capture_output=True, check=True, timeout=180,
    )  # fmt: skip
    for pdf in (built_output(every_output, ("rich", theme), "pdf"), tmp_path / "report.pdf"):
        assert not lone_characters(pdf), pdf


def _long_table(padding: int, rows: int) -> str:
    body = "\n".join(f"| 第{n}行 | {n} |" for n in range(1, rows + 1))
    text = "\n\n".join("这是一段用来把表格推到页底的正文。" * 3 for _ in range(padding))
    return f"---\ntitle: 分页\nlang: zh-CN\n---\n\n{text}\n\n| 项目 | 数 |\n|---|---:|\n{body}\n"


@pytest.mark.parametrize("padding", range(11, 17))
def test_no_table_break_leaves_a_row_alone(tmp_path: Path, padding: int) -> None:
    """The table starts lower and lower on page 1 (and ends near a page's foot in some)."""
    source = tmp_path / "t.md"
    source.write_text(_long_table(padding, 30 + padding), encoding="utf-8")
    document, theme = read_text(source.read_text("utf-8"), source), load_theme()
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(PdfExporter().render(document, theme, PdfOptions()))
    counts: dict[int, int] = {}
    for line in pdf_lines(pdf):
        if re.fullmatch(r"第(\d+)行\1", line.text):
            counts[line.page] = counts.get(line.page, 0) + 1
    assert sum(counts.values()) == 30 + padding
    assert all(count >= 2 for count in counts.values()), counts


def test_libreoffice_leaves_no_row_alone_after_a_table_break(tmp_path: Path, profile: Path) -> None:
    """Tables ending just past a page's foot: the last page of each holds two rows or more.

    (Before a break LibreOffice may leave one row: keeping the first body row with the
    second makes it break the table half a page early, so the DOCX does not ask it.)"""
    docs = []
    for rows in (34, 35, 36):
        folder = tmp_path / str(rows)
        folder.mkdir()
        (folder / "t.md").write_text(_long_table(10, rows), encoding="utf-8")
        result = run_cli("build", folder / "t.md", "--to", "docx", "--out", tmp_path / "docx")
        assert result.returncode == 0, result.stderr
        docs.append((tmp_path / "docx" / "t.docx").rename(tmp_path / "docx" / f"t{rows}.docx"))
    subprocess.run(
        [
            tool("soffice"), "--headless", f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to", "pdf", "--outdir", str(tmp_path / "lo"), *map(str, docs),
        ],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    lasts = []
    for doc in docs:
        counts: dict[int, int] = {}
        for line in pdf_lines(tmp_path / "lo" / f"{doc.stem}.pdf"):
            if re.fullmatch(r"第(\d+)行\1", line.text):
                counts[line.page] = counts.get(line.page, 0) + 1
        assert len(counts) >= 2, counts  # the table breaks
        lasts.append(counts[max(counts)])
    assert min(lasts) >= 2, lasts


def test_every_format_rules_tables_as_the_theme_says(rich: Built) -> None:
    rules = table_rules(rich.theme)
    assert "border-collapse: separate" in rules and "1.2pt solid #222" in rules
    book = zipfile.ZipFile(rich.epub).read("EPUB/style/book.css").decode()
    assert rules in book and rules in rich.html.read_text(encoding="utf-8")
    assert "border: 1px solid" not in book  # the grid the book had
    docx = zipfile.ZipFile(rich.docx)
    styles = etree.fromstring(docx.read("word/styles.xml"))
    (style,) = styles.iterfind("w:style[@w:styleId='ReportTable']", NS)
    borders = style.find("w:tblPr/w:tblBorders", NS)
    assert borders is not None
    sides = {
        child.tag.split("}")[1]: child.get(f"{{{W}}}sz") or child.get(f"{{{W}}}val")
        for child in borders
    }
    assert sides == {
        "top": "10",
        "bottom": "10",
        "left": "nil",
        "right": "nil",
        "insideH": "nil",
        "insideV": "nil",
    }
    body = etree.fromstring(docx.read("word/document.xml"))
    first_rows = [tbl.find("w:tr", NS) for tbl in body.iter(f"{{{W}}}tbl")]
    assert all(row.find("w:trPr/w:tblHeader", NS) is not None for row in first_rows)


def test_a_grid_theme_frames_every_cell_in_every_format(tmp_path: Path) -> None:
    theme_file = tmp_path / "grid.toml"
    default = (styles_dir() / "default.toml").read_text(encoding="utf-8")
    theme_file.write_text(default.replace('rules = "three-line"', 'rules = "grid"'), "utf-8")
    rules = table_rules(load_theme(str(theme_file)))
    assert "td + td" in rules and "tbody td" in rules
    result = run_cli("build", RICH, "--to", "docx,epub", "--out", tmp_path, "--theme", theme_file)
    assert result.returncode == 0, result.stderr
    assert rules in zipfile.ZipFile(tmp_path / "report.epub").read("EPUB/style/book.css").decode()
    styles = etree.fromstring(zipfile.ZipFile(tmp_path / "report.docx").read("word/styles.xml"))
    (style,) = styles.iterfind("w:style[@w:styleId='ReportTable']", NS)
    inside = style.find("w:tblPr/w:tblBorders/w:insideV", NS)
    assert inside is not None and inside.get(f"{{{W}}}val") == "single"


# --- 4. images -----------------------------------------------------------------------------------


def test_no_pdf_or_docx_image_is_taller_than_the_text_block(built: Built) -> None:
    limit = built.theme.figure_max_height_pt
    assert limit < built.theme.text_height_pt
    for path in (built.pdf, built.docx_pdf):
        with pymupdf.open(path) as pdf:
            heights = [
                info["bbox"][3] - info["bbox"][1] for page in pdf for info in page.get_image_info()
            ]
        if built.document.meta.title.startswith("城市更新"):
            assert heights and max(heights) > 0.9 * limit, heights  # the portrait is at the limit
        assert all(height <= limit + 0.5 for height in heights), (path, heights)


PHONE = (390, 844)
"""A phone's screen in CSS pixels (Chromium's headless window is at least 500 wide: the
chapter is shown in a frame of this size)."""


def on_a_phone(page: Path, measure: str, profile: Path) -> Any:
    """What the script ``measure`` returns (as JSON) about ``page`` shown in a frame of a
    phone's size; the script sees the frame's window as ``w`` and its document as ``d``."""
    probe = page.with_name("probe.html")
    probe.write_text(
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe id="f" src="{page.name}" style="width:{PHONE[0]}px;height:{PHONE[1]}px;'
        'border:0"></iframe><script>document.getElementById("f").addEventListener("load",'
        " function () { var w = this.contentWindow, d = this.contentDocument;"
        ' document.body.setAttribute("data-found",'
        f" JSON.stringify((function () {{ {measure} }})()));"
        " });</script></body></html>",
        "utf-8",
    )
    dom = headless_chromium(
        profile,
        [
            "--allow-file-access-from-files",
            "--virtual-time-budget=3000",
            "--dump-dom",
            probe.as_uri(),
        ],
    ).stdout
    found = re.search(r'data-found="([^"]+)"', dom)
    assert found, dom[:400]
    return json.loads(found.group(1).replace("&quot;", '"'))


def test_the_book_fits_a_portrait_image_on_a_phone_screen(rich: Built, tmp_path: Path) -> None:
    """Every figure of the book no wider than a phone's screen and no taller than 90% of it."""
    book = tmp_path / "book"
    zipfile.ZipFile(rich.epub).extractall(book)
    pages = [p for p in sorted((book / "EPUB").glob("*.xhtml")) if b"<img" in p.read_bytes()]
    assert pages
    sizes = []
    for page in pages:
        measure = (
            "return [w.innerWidth, w.innerHeight, [].map.call(d.images, function (i) {"
            " var r = i.getBoundingClientRect(); return [r.width, r.height]; })];"
        )
        width, height, images = on_a_phone(page, measure, tmp_path / "profile")
        assert (width, height) == PHONE
        sizes += images
    assert len(sizes) == 2  # the landscape and the portrait figure
    assert all(w <= PHONE[0] and h <= 0.9 * PHONE[1] + 0.5 for w, h in sizes), sizes
    assert max(h for _, h in sizes) > 0.8 * PHONE[1]  # the portrait one scaled by its height


def test_a_bare_url_breaks_where_it_starts_and_leaves_the_line_before_tight(
    rich: Built, tmp_path: Path
) -> None:
    """On a phone, the address in the rich report's first chapter starts on the line that
    holds the text before it and breaks at that line's end; neither that line nor the one
    before is justified with more than a fifth of an em after any Chinese character."""
    book = tmp_path / "book"
    zipfile.ZipFile(rich.epub).extractall(book)
    (page,) = [
        p for p in (book / "EPUB").glob("chapter-*.xhtml") if b'class="url"' in p.read_bytes()
    ]
    measure = (
        "var a = d.querySelector('a.url'), p = a.closest('p'), out = [];"
        " var size = parseFloat(getComputedStyle(p).fontSize);"
        " var walk = d.createTreeWalker(p, NodeFilter.SHOW_TEXT), n;"
        " while ((n = walk.nextNode())) { for (var i = 0; i < n.length; i++) {"
        " var r = d.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);"
        " var b = r.getBoundingClientRect(); if (b.width)"
        " out.push([n.data[i], b.left / size, b.right / size, b.top / size,"
        " a.contains(n)]); } } return out;"
    )
    chars = on_a_phone(page, measure, tmp_path / "profile")
    # Lines by where characters stand: a Latin glyph's box starts lower than a Chinese one's.
    line, top = 0, chars[0][3]
    for char in chars:
        if char[3] > top + 0.5:
            line, top = line + 1, char[3]
        char[3] = line
    first = next(i for i, c in enumerate(chars) if c[4])
    url_lines = sorted({c[3] for c in chars if c[4]})
    assert len(url_lines) == 2 and chars[first - 1][3] == url_lines[0]  # starts, then breaks
    for number in (url_lines[0] - 1, url_lines[0]):  # the line above, the line it starts on
        shown = [c for c in chars[: first + 1] if c[3] == number]  # with the address's first
        # A Chinese character advances one em; what a justified line adds shows as more.
        gaps = [b[1] - a[1] - 1 for a, b in itertools.pairwise(shown) if is_cjk(a[0])]
        assert max(gaps, default=0.0) < 0.2, ("".join(c[0] for c in shown), gaps)


# --- 5. contents ---------------------------------------------------------------------------------


def contents_lines(path: Path, document: Document) -> list[tuple[Line, str, int]]:
    """(last line, entry text, page number shown) of each entry of a printed contents page,
    in order; an entry too long for one line runs on to the next."""
    lines = pdf_lines(path)
    start = next(i for i, line in enumerate(lines) if line.text == "目录")
    found = []
    text = ""
    for line in lines[start + 1 :]:
        text += line.text
        match = re.fullmatch(r"(.+?)[.·…]{5,}(\d+)", text)
        if match:
            found.append((line, match.group(1), int(match.group(2))))
            text = ""
        if len(found) == len(contents_entries(document)):
            break
    labels = [squeeze(heading_label(heading)) for heading in contents_entries(document)]
    assert [label for _, label, _ in found] == labels
    return found


def _runs_as(lines: list[Line], label: str) -> bool:
    """Whether the first of ``lines`` (and the next, for a heading of two lines) read ``label``."""
    text = ""
    for line in lines[:3]:
        text += line.text
        if text == label:
            return True
        if not label.startswith(text):
            return False
    return False


def heading_pages(path: Path, document: Document, contents_end: Line) -> dict[str, int]:
    """The page each heading of the contents is set on (after the contents' last line)."""
    lines = pdf_lines(path)
    lines = lines[lines.index(contents_end) + 1 :]
    pages = {}
    for heading in contents_entries(document):
        label = squeeze(heading_label(heading))
        at = next(i for i in range(len(lines)) if _runs_as(lines[i:], label))
        pages[label] = lines[at].page
        lines = lines[at + 1 :]
    return pages


@pytest.mark.parametrize("reader", ["pdf", "docx"])
def test_the_contents_shows_leaders_and_the_right_page_numbers(built: Built, reader: str) -> None:
    path = built.pdf if reader == "pdf" else built.docx_pdf
    entries = contents_lines(path, built.document)
    pages = heading_pages(path, built.document, entries[-1][0])
    assert {label: shown for _, label, shown in entries} == pages
    _, right = text_block(built.theme)
    # The numbers stand at the right edge of the text block, one under the other.
    assert all(abs(line.last_char_x1 - right) < 1.5 for line, _, _ in entries), [
        (label, line.last_char_x1) for line, label, _ in entries
    ]


def test_the_pdf_contents_page_is_in_the_outline_and_the_text_starts_after_it(rich: Built) -> None:
    with pymupdf.open(rich.pdf) as pdf:
        toc = pdf.get_toc()
    assert toc[0][:3] == [1, "目录", 1]
    first = headings(rich.document)[0]
    assert toc[1][1] == heading_label(first) and toc[1][2] == 2
    result = run_cli("verify", RICH, "--out", rich.out, "--to", "docx,epub,html")
    assert result.returncode == 0, result.stdout


def test_verify_reads_the_report_with_its_contents(report: Built) -> None:
    result = run_cli("verify", SOURCE, "--out", report.out, "--to", FORMATS)
    assert result.returncode == 0, result.stdout


def test_verify_catches_a_wrong_contents_page_number(report: Built, tmp_path: Path) -> None:
    """The contents page of a PDF built without its last page reads wrong numbers."""
    damaged = tmp_path / "report.pdf"
    with pymupdf.open(report.pdf) as pdf:
        pdf.delete_page(1)  # every heading now sits a page earlier than the contents says
        pdf.save(damaged)
    result = run_cli("verify", SOURCE, "--out", tmp_path, "--to", "pdf")
    assert result.returncode == 1 and "contents entry" in result.stdout, result.stdout


# --- 6. punctuation in the DOCX -------------------------------------------------------------------


def test_libreoffice_hangs_no_punctuation_in_the_margin(built: Built) -> None:
    _, right = text_block(built.theme)
    hanging = [
        (line.page, line.text[-6:])
        for line in pdf_lines(built.docx_pdf)
        if line.text[-1] in PUNCTUATION_AT_LINE_END and line.last_char_x1 > right + 0.5
    ]
    assert not hanging
    ends = [line for line in pdf_lines(built.docx_pdf) if line.text[-1] in "、，"]
    assert ends, "no line ends in 、 or ，: the test would hold vacuously"
