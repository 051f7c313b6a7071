"""The DOCX, read back as Word and LibreOffice would: python-docx for paragraphs, styles and
properties, the package's XML for what python-docx does not model (numbering, footnotes, fields,
East Asian fonts), and LibreOffice itself, converting it to a PDF whose page size, fonts and
glyphs are checked. Two documents: the real report (built through the command line, as a user
does) and a sample holding every construct of the model, built with ``--toc``.
"""

from __future__ import annotations

import ast
import inspect
import io
import itertools
import json
import re
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import docx
import docx.oxml.settings
import docx.oxml.text.parfmt
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from fontTools.pens.boundsPen import BoundsPen
from fontTools.t1Lib import T1Font
from fontTools.ttLib import TTCollection
from lxml import etree
from PIL import Image as PillowImage
from pypdf import PdfReader

from report_export.errors import ReportExportError
from report_export.exporters.docx import TOC_PAGE_PLACEHOLDER, DocxExporter, DocxOptions
from report_export.exporters.docx.ooxml import PPR_ORDER, Indent, paragraph, ppr
from report_export.exporters.docx.package import SETTINGS_ORDER
from report_export.labels import labels_for
from report_export.model import (
    Block,
    BlockQuote,
    BulletList,
    Document,
    Heading,
    Image,
    Inline,
    OrderedList,
    Paragraph,
    Table,
    ThematicBreak,
    heading_label,
    inline_text,
)
from report_export.outline import contents_entries
from report_export.reader import read_file, read_text
from report_export.reproducible import build_timestamp, document_date
from report_export.theme import PT_PER_MM, load_theme
from report_export.typography import join_scripts

from .conftest import RICH, SOURCE, run_cli, run_uno_script, tool

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}
A4_TWIPS = (11906, 16838)
A4_PT = (595.28, 841.89)

SAMPLE = """\
---
title: 全部构件的测试文档
lang: zh-CN
author: 测试课题组
description: 覆盖模型中每一种构件的测试文档。
keywords: [测试, 构件]
date: 2024-03-05
publisher: 测试出版社
provenance:
  site: 示例站点
  document_number: "42"
---

# 第一部分 段落与行内

正文段落，含*强调文字*、**加粗文字**、`code span`
与[外部链接](https://example.org/path?q=1 "示例标题")，以及[内部链接](#sec-2)。
这里有一个脚注[^a]，另一个脚注[^b]。

再次引用第一个脚注[^a]。第一行\\
第二行（硬换行之后）。

## 1、列表

- 第一项
- 第二项
  - 嵌套第一项
  - 嵌套第二项
- 第三项

1. 步骤一
2. 步骤二
   1. 子步骤甲
   2. 子步骤乙
3. 步骤三

另起一个从五开始的列表：

5. 从五开始
6. 第六

> 引用的第一段文字，说明引用块的样式。
>
> 引用的第二段文字。

| 项目 | 数量 | 说明 |
|:-----|-----:|:----:|
| 甲 | 12 | 居中说明 |
| 乙 | 3,456 | **加粗** |

![示意图的替代文字](chart.png "图 1　示意图")

* * *

# 第二部分 结尾

最后一段。

[^a]: 第一个脚注的内容，包含[链接](https://example.com)。
[^b]: 第二个脚注。

    第二个脚注的第二段。
"""


@dataclass(frozen=True)
class Built:
    """A DOCX and the document it was made from."""

    path: Path
    document: Document

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()

    def open(self) -> Any:
        return docx.Document(str(self.path))

    def xml(self, name: str) -> etree._Element:
        with zipfile.ZipFile(self.path) as archive:
            return etree.fromstring(archive.read(name))

    def names(self) -> list[str]:
        with zipfile.ZipFile(self.path) as archive:
            return archive.namelist()


def build(source: Path, out: Path, *extra: str) -> Built:
    result = run_cli("build", source, "--to", "docx", "--out", out, *extra)
    assert result.returncode == 0, result.stderr
    path = out / f"{source.stem}.docx"
    assert result.stdout.strip().splitlines() == [str(path)]
    return Built(path, read_file(source))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(SOURCE, tmp_path_factory.mktemp("docx-report"))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("docx-sample")
    source = folder / "all.md"
    source.write_text(SAMPLE, encoding="utf-8")
    picture = PillowImage.new("RGB", (800, 400), "#dde8f4")
    picture.save(folder / "chart.png")
    return build(source, folder / "out", "--toc")


@pytest.fixture(scope="module")
def rendered(
    report: Built, sample: Built, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Both documents converted to PDF by LibreOffice, in one run with a profile of its own."""
    soffice = tool("soffice")
    out = tmp_path_factory.mktemp("docx-lo")
    profile = tmp_path_factory.mktemp("docx-lo-profile")
    result = subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(report.path),
            str(sample.path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdfs = {"report": out / "report.pdf", "sample": out / "all.pdf"}
    assert all(p.is_file() for p in pdfs.values()), result.stdout + result.stderr
    return pdfs


# --- what the model says each document should hold -----------------------------------------


def level_suffix(level: int) -> str:
    return f" {min(level, 4) + 1}" if level else ""


def expected_paragraphs(document: Document, toc: bool = False) -> list[tuple[str, str]]:
    """(style name, text) of every body paragraph, in order, from the model alone."""
    seen: set[str] = set()
    numbers = {note.label: n for n, note in enumerate(document.footnotes, start=1)}

    def text(inlines: tuple[Inline, ...]) -> str:
        def note(label: str) -> str:
            # A first reference is a footnote mark (no text); a later one a NOTEREF field
            # whose result is the note's number.
            if label in seen:
                return str(numbers[label])
            seen.add(label)
            return ""

        return inline_text(inlines, note)

    def blocks(items: Sequence[Block], level: int, style: str) -> Iterator[tuple[str, str]]:
        for block in items:
            match block:
                case Heading():
                    yield f"Heading {block.level}", text(block.children)
                case Paragraph():
                    yield style, text(block.children)
                case BulletList() | OrderedList():
                    kind = "List Bullet" if isinstance(block, BulletList) else "List Number"
                    for item in block.items:
                        first, rest = item[0], item[1:]
                        assert isinstance(first, Paragraph)
                        yield kind + level_suffix(level), text(first.children)
                        yield from blocks(rest, level + 1, "List Continue" + level_suffix(level))
                case BlockQuote():
                    yield from blocks(block.children, level, "Quote")
                case Table():
                    for row in (block.header, *block.rows):
                        for cell in row:
                            text(cell.children)  # cells are not body paragraphs
                case Image():
                    yield ("Captioned Figure" if block.title else "Figure"), ""
                    if block.title:
                        yield "Caption", block.title
                case ThematicBreak():
                    yield "Thematic Break", ""

    meta = document.meta
    out = [("Title", meta.title)]
    if meta.author:
        out.append(("Author", meta.author))
    if toc:
        out.append(("TOC Heading", "目录"))
        # Each entry: the heading, the leader's tab and its PAGEREF field's placeholder page.
        out += [
            (f"toc {b.level}", f"{inline_text(b.children)}\t{TOC_PAGE_PLACEHOLDER}")
            for b in document.blocks
            if isinstance(b, Heading) and b.level <= 3
        ]
    out += list(blocks(document.blocks, 0, "Body Text"))
    return out


MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"


def as_read_by(data: bytes, branch: str, *, unwrap: bool = False) -> bytes:
    """The DOCX as a reader sees it that takes ``branch`` ("Choice" as Word 2013+ does,
    "Fallback" as LibreOffice does) of each ``mc:AlternateContent``; with ``unwrap`` the
    content controls' paragraphs stand in the body (python-docx lists only those)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            content = old.read(item)
            if item.filename == "word/document.xml":
                root = etree.fromstring(content)
                for alternate in list(root.iter(f"{{{MC}}}AlternateContent")):
                    (taken,) = alternate.iterfind(f"mc:{branch}", {"mc": MC})
                    replace_by_children(alternate, taken)
                for sdt in list(root.iter(f"{{{W}}}sdt")) if unwrap else ():
                    replace_by_children(sdt, sdt.find("w:sdtContent", NS))
                content = etree.tostring(root, xml_declaration=True, standalone=True)
            new.writestr(item, content)
    return out.getvalue()


def replace_by_children(element: etree._Element, holder: etree._Element | None) -> None:
    assert holder is not None
    for child in list(holder):
        element.addprevious(child)
    element.getparent().remove(element)  # type: ignore[union-attr]


def paragraphs(built: Built, branch: str = "Fallback") -> list[tuple[str, str]]:
    # The title may be broken into balanced lines (as the PDF breaks it): compare it whole.
    seen = docx.Document(io.BytesIO(as_read_by(built.data, branch, unwrap=True)))
    out = [(p.style.name, join_scripts(p.text)) for p in seen.paragraphs]
    return [(out[0][0], out[0][1].replace("\n", "")), *out[1:]]


# --- the report ------------------------------------------------------------------------------


def test_every_paragraph_has_the_models_style_and_text_in_order(report: Built) -> None:
    assert paragraphs(report) == expected_paragraphs(report.document)
    styles = {style for style, _ in paragraphs(report)}
    assert {"Title", "Heading 1", "Heading 2", "Body Text"} <= styles
    assert "Normal" not in styles  # nothing is left in the catch-all style


def test_core_properties_come_from_the_front_matter(report: Built) -> None:
    meta = report.document.meta
    props = report.open().core_properties
    assert props.title == meta.title
    assert props.author == meta.author == "上海市建设交通工作党委课题组"
    assert props.subject == meta.description
    assert props.keywords == "; ".join(meta.keywords)
    assert props.language == "zh-CN"
    assert props.last_modified_by == meta.author
    assert props.revision == 1
    # The source's date, else SOURCE_DATE_EPOCH, else a fixed date; never the clock.
    assert props.created == document_date(report.document)
    assert props.modified == build_timestamp(report.document)
    assert props.comments == ""


def test_no_trace_of_the_python_docx_template(report: Built) -> None:
    with zipfile.ZipFile(report.path) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            assert b"python-docx" not in data, name
            assert b"ja-JP" not in data, name
    names = report.names()
    assert not [n for n in names if "thumbnail" in n or "stylesWithEffects" in n]
    assert not [n for n in names if n.startswith("customXml/")]


def test_east_asian_fonts_and_chinese_language_in_the_xml(report: Built) -> None:
    styles = report.xml("word/styles.xml")
    defaults = styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert defaults is not None
    fonts = defaults.find("w:rFonts", NS)
    assert fonts is not None
    assert fonts.get(f"{{{W}}}eastAsia") == fonts.get(f"{{{W}}}ascii") == "Noto Serif CJK SC"
    lang = defaults.find("w:lang", NS)
    assert lang is not None and lang.get(f"{{{W}}}eastAsia") == "zh-CN"
    theme_lang = report.xml("word/settings.xml").find("w:themeFontLang", NS)
    assert theme_lang is not None and theme_lang.get(f"{{{W}}}eastAsia") == "zh-CN"
    # Theme-font attributes would win over the names: none anywhere.
    for part in ("word/styles.xml", "word/document.xml", "word/numbering.xml"):
        for element in report.xml(part).iter(f"{{{W}}}rFonts"):
            assert not [a for a in map(str, element.attrib) if a.lower().endswith("theme")]
    for level in (1, 2):
        heading = style(styles, f"Heading{level}")
        face = heading.find("w:rPr/w:rFonts", NS)
        assert face is not None and face.get(f"{{{W}}}eastAsia") == "Noto Sans CJK SC"
        outline = heading.find("w:pPr/w:outlineLvl", NS)
        assert outline is not None and outline.get(f"{{{W}}}val") == str(level - 1)
    assert style(styles, "Title").find("w:pPr/w:outlineLvl", NS) is None
    rules = styles.find("w:docDefaults/w:pPrDefault/w:pPr", NS)
    assert rules is not None
    # No automatic space between Chinese and Latin letters or digits (the PDF and the EPUB
    # add none either): Word obeys; LibreOffice 7.4 ignores both switches (docs/pitfalls.md).
    for name, value in (("kinsoku", "1"), ("autoSpaceDE", "0"), ("autoSpaceDN", "0")):
        switch = rules.find(f"w:{name}", NS)
        assert switch is not None and switch.get(f"{{{W}}}val") == value


def test_body_text_has_first_line_indent_both_ways_and_normal_none(report: Built) -> None:
    styles = report.xml("word/styles.xml")
    indent = style(styles, "BodyText").find("w:pPr/w:ind", NS)
    assert indent is not None
    assert indent.get(f"{{{W}}}firstLineChars") == "200"
    assert indent.get(f"{{{W}}}firstLine") == str(2 * 12 * 20)
    assert style(styles, "Normal").find("w:pPr/w:ind", NS) is None
    normal = style(styles, "Normal").find("w:rPr/w:sz", NS)
    assert normal is not None and normal.get(f"{{{W}}}val") == "24"


def test_page_is_a4_with_the_themes_margins(report: Built) -> None:
    theme = load_theme()
    section = report.open().sections[0]
    assert (section.page_width.twips, section.page_height.twips) == A4_TWIPS
    assert section.top_margin.twips == round(theme.page.margin_top_mm * PT_PER_MM * 20)
    assert section.bottom_margin.twips == round(theme.page.margin_bottom_mm * PT_PER_MM * 20)
    side = round(theme.margin_left_pt * 20)
    assert section.left_margin.twips == section.right_margin.twips == side
    # 34 characters of 12 pt make the text block: a whole number of characters wide.
    assert A4_TWIPS[0] - 2 * side in range(34 * 240 - 1, 34 * 240 + 2)


def test_footer_numbers_pages_with_fields_and_header_runs_the_title(report: Built) -> None:
    section = report.open().sections[0]
    assert section.different_first_page_header_footer
    for footer in (section.footer, section.first_page_footer):
        (p,) = footer.paragraphs
        assert p.style.name == "Footer"
        instructions = [t.text.strip() for t in p._p.iter(f"{{{W}}}instrText")]
        assert instructions == ["PAGE", "NUMPAGES"]
        assert p.text == "第 1 页 / 共 1 页"  # the fields' cached results between the words
    assert [p.text for p in section.header.paragraphs] == [report.document.meta.title]
    assert [p.text for p in section.first_page_header.paragraphs] == [""]


def test_two_builds_are_byte_identical(report: Built, tmp_path: Path) -> None:
    again = build(SOURCE, tmp_path)
    assert again.data == report.data
    with zipfile.ZipFile(report.path) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}


# --- every construct of the model --------------------------------------------------------------


def test_sample_paragraphs_follow_the_model(sample: Built) -> None:
    """The same paragraphs whichever version of the contents a reader takes."""
    for branch in ("Choice", "Fallback"):
        assert paragraphs(sample, branch) == expected_paragraphs(sample.document, toc=True)


def test_lists_are_numbered_by_real_definitions_restarting_per_list(sample: Built) -> None:
    body = sample.xml("word/document.xml")
    numbering = sample.xml("word/numbering.xml")
    items = [
        (pstyle(p) or "", num_pr(p), text_of(p))
        for p in body.iter(f"{{{W}}}p")
        if (pstyle(p) or "").startswith("List")
    ]
    bullets = [(s, n) for s, n, _ in items if s.startswith("ListBullet")]
    assert [s for s, _ in bullets] == ["ListBullet"] * 2 + ["ListBullet2"] * 2 + ["ListBullet"]
    assert [level for _, (_, level) in bullets] == [0, 0, 1, 1, 0]
    numbered = [(s, n, t) for s, n, t in items if s.startswith("ListNumber")]
    assert [t for _, _, t in numbered] == ["步骤一", "步骤二", "子步骤甲", "子步骤乙", "步骤三",
                                           "从五开始", "第六"]  # fmt: skip
    ids = [n[0] for _, n, _ in numbered]
    # Outer list, inner list, the outer list again, and a new list: three instances.
    assert ids[0] == ids[1] == ids[4] and ids[2] == ids[3] and ids[5] == ids[6]
    assert len({ids[0], ids[2], ids[5]}) == 3
    starts = {n: start_override(numbering, n) for n in (ids[0], ids[2], ids[5])}
    assert starts == {ids[0]: (0, 1), ids[2]: (1, 1), ids[5]: (0, 5)}
    # Each instance is a w:num of the one decimal definition, its levels linked to the styles.
    abstract = abstract_of(numbering, ids[0])
    assert {abstract_of(numbering, n) for n in ids} == {abstract}
    level0 = abstract.find("w:lvl[@w:ilvl='0']", NS)
    assert level0 is not None
    assert level0.find("w:numFmt", NS).get(f"{{{W}}}val") == "decimal"  # type: ignore[union-attr]
    assert level0.find("w:pStyle", NS).get(f"{{{W}}}val") == "ListNumber"  # type: ignore[union-attr]


def test_quote_table_figure_and_break_are_word_constructs(sample: Built) -> None:
    word = sample.open()
    (table,) = word.tables
    assert table.style.name == "Report Table"
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [["项目", "数量", "说明"], ["甲", "12", "居中说明"], ["乙", "3,456", "加粗"]]
    header = table.rows[0]._tr
    assert header.find("w:trPr/w:tblHeader", NS) is not None
    assert table.rows[1]._tr.find("w:trPr/w:tblHeader", NS) is None
    aligns = [cell.paragraphs[0].alignment for cell in table.rows[1].cells]
    assert [str(a).split(" ")[0] for a in aligns] == ["LEFT", "RIGHT", "CENTER"]
    assert table.rows[0].cells[0].paragraphs[0].style.name == "Table Heading"
    bold = table.rows[2].cells[2].paragraphs[0].runs[0]
    assert bold.style.name == "Strong"

    (shape,) = word.inline_shapes
    blip = shape._inline.graphic.graphicData.pic.blipFill.blip
    image_part = word.part.related_parts[blip.embed]
    assert image_part.blob == (sample.path.parent.parent / "chart.png").read_bytes()
    assert shape._inline.docPr.get("descr") == "示意图的替代文字"
    assert shape.width.pt == pytest.approx(408, abs=0.1)  # 800 CSS px, shrunk to the text width

    quotes = [p for p in word.paragraphs if p.style.name == "Quote"]
    assert len(quotes) == 2


def test_inline_styles_links_and_line_breaks(sample: Built) -> None:
    word = sample.open()
    first = next(p for p in word.paragraphs if p.text.startswith("正文段落"))
    styles = [(run.text, run.style.name) for run in first.runs]
    styled = {text: name for text, name in styles if name != "Default Paragraph Font"}
    # The two footnote marks have no text, only their style.
    assert styled == {
        "强调文字": "Emphasis",
        "加粗文字": "Strong",
        "code span": "HTML Code",
        "": "footnote reference",
    }
    assert [text for text, name in styles if name == "footnote reference"] == ["", ""]
    links = first._p.findall("w:hyperlink", NS)
    assert len(links) == 2
    external, internal = links
    rel = word.part.rels[external.get(f"{{{R}}}id")]
    assert rel.is_external and rel.reltype == RT.HYPERLINK
    assert rel.target_ref == "https://example.org/path?q=1"
    assert external.get(f"{{{W}}}tooltip") == "示例标题"
    anchor = internal.get(f"{{{W}}}anchor")
    target = next(
        p for p in word.paragraphs if p.text == "第二部分 结尾" and p.style.name == "Heading 1"
    )
    marks = [b.get(f"{{{W}}}name") for b in target._p.iter(f"{{{W}}}bookmarkStart")]
    assert anchor in marks
    link_runs = [r for link in links for r in link.iter(f"{{{W}}}rStyle")]
    assert {r.get(f"{{{W}}}val") for r in link_runs} == {"Hyperlink"}
    second = next(p for p in word.paragraphs if p.text.startswith("再次引用"))
    assert len(second._p.findall(".//w:br", NS)) == 1


def test_footnotes_are_real_word_footnotes(sample: Built) -> None:
    word = sample.open()
    notes_part = word.part.part_related_by(RT.FOOTNOTES)
    assert str(notes_part.partname) == "/word/footnotes.xml"
    assert notes_part.content_type.endswith("wordprocessingml.footnotes+xml")
    notes = etree.fromstring(notes_part.blob)
    kinds = {n.get(f"{{{W}}}id"): n.get(f"{{{W}}}type") for n in notes.findall("w:footnote", NS)}
    assert kinds == {"-1": "separator", "0": "continuationSeparator", "1": None, "2": None}

    def note_text(ident: str) -> list[str]:
        note = notes.find(f"w:footnote[@w:id='{ident}']", NS)
        assert note is not None
        return [text_of(p).strip() for p in note.findall("w:p", NS)]

    # The note's own number is Word's footnoteRef (no text), then an en space, as in the PDF.
    assert note_text("1") == ["第一个脚注的内容，包含链接。"]
    assert note_text("2") == ["第二个脚注。", "第二个脚注的第二段。"]
    first_note = notes.find("w:footnote[@w:id='1']/w:p", NS)
    assert first_note is not None and first_note.find(".//w:footnoteRef", NS) is not None
    assert pstyle(first_note) == "FootnoteText"
    # The link inside a note is related from the footnotes part.
    (link,) = first_note.findall("w:hyperlink", NS)
    assert notes_part.rels[link.get(f"{{{R}}}id")].target_ref == "https://example.com"

    body = sample.xml("word/document.xml")
    references = body.findall(".//w:r/w:footnoteReference", NS)
    assert [r.get(f"{{{W}}}id") for r in references] == ["1", "2"]
    for reference in references:
        run_style = reference.getparent().find("w:rPr/w:rStyle", NS)  # type: ignore[union-attr]
        assert run_style is not None and run_style.get(f"{{{W}}}val") == "FootnoteReference"
    # The second reference to note 1 is a cross-reference to its number (NOTEREF).
    (instruction,) = [
        t.text or "" for t in body.iter(f"{{{W}}}instrText") if "NOTEREF" in text_of(t)
    ]
    bookmark = instruction.split()[1]
    starts = [b.get(f"{{{W}}}name") for b in body.iter(f"{{{W}}}bookmarkStart")]
    assert bookmark in starts
    settings = sample.xml("word/settings.xml")
    assert settings.find("w:footnotePr", NS) is not None


def contents_entries_of(root: etree._Element) -> list[etree._Element]:
    return [
        p
        for p in root.iter(f"{{{W}}}p")
        if (style := p.find("w:pPr/w:pStyle", NS)) is not None
        and re.fullmatch(r"TOC\d", style.get(f"{{{W}}}val") or "")
    ]


def test_contents_are_a_toc_field_for_word_and_page_references_for_libreoffice(
    sample: Built, report: Built
) -> None:
    body = sample.xml("word/document.xml")
    marks = {b.get(f"{{{W}}}name") for b in body.iter(f"{{{W}}}bookmarkStart")}
    (alternate,) = body.iter(f"{{{MC}}}AlternateContent")
    (choice,) = alternate.iterfind("mc:Choice", {"mc": MC})
    (fallback,) = alternate.iterfind("mc:Fallback", {"mc": MC})
    assert choice.get("Requires") == "w15" and body.nsmap["w15"] == W15
    # Word: Word's contents block holding one TOC field over every entry.
    (block,) = choice
    gallery = block.find("w:sdtPr/w:docPartObj/w:docPartGallery", NS)
    assert gallery is not None and gallery.get(f"{{{W}}}val") == "Table of Contents"
    in_field = contents_entries_of(choice)
    kinds = [c.get(f"{{{W}}}fldCharType") for c in in_field[0].iterfind("w:r/w:fldChar", NS)]
    assert kinds == ["begin", "separate"]
    instruction = in_field[0].find("w:r/w:instrText", NS)
    assert instruction is not None and instruction.text == ' TOC \\o "1-3" \\h \\z \\u '
    (end,) = in_field[-1].iterfind("w:r/w:fldChar", NS)
    assert end.get(f"{{{W}}}fldCharType") == "end"
    # LibreOffice: the same entries, outside a TOC field.
    outside = contents_entries_of(fallback)
    shown = [["".join(t.itertext()) for t in p.iter(f"{{{W}}}t")] for p in outside]
    assert shown == [["".join(t.itertext()) for t in p.iter(f"{{{W}}}t")] for p in in_field]
    assert not [t for t in fallback.iter(f"{{{W}}}instrText") if "TOC" in (t.text or "")]
    for entry in [*in_field, *outside]:
        (link,) = entry.iterfind("w:hyperlink", NS)
        anchor = link.get(f"{{{W}}}anchor")
        assert anchor in marks and link.find("w:r/w:tab", NS) is not None
        (reference,) = [t.text.strip() for t in link.iter(f"{{{W}}}instrText") if t.text]
        assert reference == f"PAGEREF {anchor} \\h"
    update = sample.xml("word/settings.xml").find("w:updateFields", NS)
    assert update is not None and update.get(f"{{{W}}}val") == "true"
    # Without --toc: no field, no update, no Word 2013 namespace.
    assert report.xml("word/settings.xml").find("w:updateFields", NS) is None
    assert not [t for t in report.xml("word/document.xml").iter(f"{{{W}}}instrText")]
    assert "w15" not in report.xml("word/document.xml").nsmap


@pytest.fixture(scope="module")
def rich_contents(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The rich fixture's DOCX with --toc, and LibreOffice's PDF of it."""
    folder = tmp_path_factory.mktemp("docx-rich-toc")
    built = build(RICH, folder, "--toc")
    result = subprocess.run(
        [
            tool("soffice"),
            "--headless",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(built.path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = folder / "report.pdf"
    assert pdf.is_file(), result.stdout + result.stderr
    return built.path, pdf


def test_libreoffice_shows_the_contents_with_leaders_and_each_headings_page(
    rich_contents: tuple[Path, Path],
) -> None:
    """Without any update: the entries LibreOffice takes (the fallback) show dot leaders and
    the page each heading is on in its own layout."""
    _, pdf = rich_contents
    pages = subprocess.run(
        [tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    entries = re.findall(r"^\s*(\S.*?)\.{5,}(\d+)$", pages[0], re.M)
    document = read_file(RICH)
    wanted = contents_entries(document)
    assert [title for title, _ in entries] == [heading_label(h) for h in wanted]
    for title, number in entries:
        # The heading stands on that page (page 1 holds the contents list too).
        page = re.sub(r"\s+", "", pages[int(number) - 1])
        assert page.count(re.sub(r"\s+", "", title)) >= (2 if number == "1" else 1), title
    assert len({n for _, n in entries}) >= 4  # the rich report spreads over pages


def test_word_takes_a_toc_field_libreoffice_would_read_as_an_updatable_index(
    rich_contents: tuple[Path, Path], tmp_path: Path
) -> None:
    """The choice Word takes, given to LibreOffice alone: its import makes a content index of
    it (so "Update index" works, the nearest proof here that Word's "Update Table" does),
    which it shows as cached (the placeholder numbers, the reason for the fallback) and
    which, updated, lists the headings with the pages the fallback shows."""
    docx_path, pdf = rich_contents
    word_view = tmp_path / "word-view.docx"
    word_view.write_bytes(as_read_by(docx_path.read_bytes(), "Choice"))
    seen = json.loads(run_uno_script("contents.py", tmp_path, word_view))
    assert seen["indexes"] == 1 and "com.sun.star.text.ContentIndex" in seen["services"]
    heading = labels_for("zh-CN").contents
    document = read_file(RICH)
    titles = [heading_label(h) for h in contents_entries(document)]
    assert seen["imported"].split("\n") == [
        heading,
        *(f"{title}\t{TOC_PAGE_PLACEHOLDER}" for title in titles),
    ]
    shown = subprocess.run(
        [tool("pdftotext"), "-layout", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    numbers = [n for _, n in re.findall(r"^\s*(\S.*?)\.{5,}(\d+)$", shown, re.M)]
    assert seen["updated"].split("\n") == [
        heading,
        *(f"{t}\t{n}" for t, n in zip(titles, numbers, strict=True)),
    ]


def test_custom_and_app_properties_carry_the_date_and_publisher_not_provenance(
    sample: Built,
) -> None:
    custom = sample.xml("docProps/custom.xml")
    values = {p.get("name"): text_of(p) for p in custom}
    digest = values.pop("report-export source sha256")
    # The provenance (示例站点, 42) is the source's record: not asked to be published.
    assert values == {"date": "2024-03-05"}
    assert len(digest) == 64 and int(digest, 16) >= 0
    app = sample.xml("docProps/app.xml")
    assert text_of(app).count("测试出版社") == 1


def prefixed(element: etree._Element) -> str:
    return f"{element.prefix}:{etree.QName(element).localname}"


def test_every_property_list_is_in_schema_order(sample: Built, report: Built) -> None:
    """Word refuses a file whose pPr or settings children are out of order."""
    for built in (sample, report):
        parts = [n for n in built.names() if n.startswith("word/") and n.endswith(".xml")]
        checked = 0
        for name in parts:
            for properties in built.xml(name).iter(f"{{{W}}}pPr"):
                tags = [prefixed(child) for child in properties]
                assert tags == sorted(tags, key=PPR_ORDER.index), (name, tags)
                checked += 1
        assert checked > 20
        settings = [prefixed(c) for c in built.xml("word/settings.xml") if c.prefix != "w14"]
        assert "w:defaultTabStop" in settings and "w:themeFontLang" in settings
        assert settings == sorted(settings, key=SETTINGS_ORDER.index)
    sample_settings = [prefixed(c) for c in sample.xml("word/settings.xml")]
    assert {"w:updateFields", "w:footnotePr"} <= set(sample_settings)


def python_docx_sequence(module: Any, class_name: str) -> tuple[str, ...]:
    """The ``_tag_seq`` tuple a python-docx element class is built from, read from its source:
    python-docx deletes the attribute once the class is built, so it cannot be imported."""
    tree = ast.parse(inspect.getsource(module))
    (cls,) = (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name)
    for statement in cls.body:
        if isinstance(statement, ast.Assign) and ast.unparse(statement.targets[0]) == "_tag_seq":
            return tuple(ast.literal_eval(statement.value))
    raise AssertionError(f"{class_name} has no _tag_seq")


def test_schema_orders_are_python_docxs() -> None:
    assert python_docx_sequence(docx.oxml.text.parfmt, "CT_PPr") == PPR_ORDER
    assert python_docx_sequence(docx.oxml.settings, "CT_Settings") == SETTINGS_ORDER


def test_paragraph_properties_find_their_place_whatever_the_order_given() -> None:
    given = [*ppr(align="center", outline_level=0), *ppr(keep_next=True, indent=Indent(left=6))]
    given += ppr(cjk_breaking=True, before=3, borders={"bottom": None})
    built = paragraph("Heading1", [], given)
    tags = [prefixed(child) for child in built.find(f"{{{W}}}pPr")]
    assert tags[0] == "w:pStyle" and len(tags) == 12
    assert tags == sorted(tags, key=PPR_ORDER.index)
    again = paragraph(None, [], [*ppr(align="left"), *ppr(align="right")])
    assert [c.get(f"{{{W}}}val") for c in again.find(f"{{{W}}}pPr")] == ["right"]


def test_unsafe_or_unshowable_images_are_refused(tmp_path: Path) -> None:
    theme = load_theme()
    (tmp_path / "pic.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    front = "---\ntitle: 图\nlang: zh-CN\n---\n\n"
    for src, message in (
        ("../outside.png", "refused"),
        ("https://example.org/x.png", "never fetched"),
        ("pic.svg", "cannot show"),
        ("missing.png", "no such file"),
    ):
        document = read_text(front + f"![x]({src})\n", tmp_path / "in.md")
        with pytest.raises(ReportExportError, match=message):
            DocxExporter().render(document, theme, DocxOptions())


# --- LibreOffice's reading -------------------------------------------------------------------


def test_libreoffice_lays_it_out_on_a4(rendered: dict[str, Path]) -> None:
    for pdf in rendered.values():
        for page in PdfReader(pdf).pages:
            box = page.mediabox
            assert float(box.width) == pytest.approx(A4_PT[0], abs=0.5)
            assert float(box.height) == pytest.approx(A4_PT[1], abs=0.5)


def test_libreoffice_text_shows_title_headings_and_page_numbers(
    rendered: dict[str, Path], report: Built
) -> None:
    text = subprocess.run(
        [tool("pdftotext"), "-layout", str(rendered["report"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        # pdftotext drops the narrow spaces around the numbers.
        assert f"第{number}页/共{len(pages)}页" in re.sub(r"\s+", "", page)
    flat = re.sub(r"\s+", "", text)
    position = 0
    for block in report.document.blocks:
        if isinstance(block, Heading):
            found = flat.find(re.sub(r"\s+", "", inline_text(block.children)), position)
            assert found >= 0, inline_text(block.children)
            position = found


def test_libreoffice_indents_every_body_paragraphs_first_line(
    rendered: dict[str, Path], report: Built
) -> None:
    """LibreOffice reads w:firstLine (not w:firstLineChars): one line a paragraph starts two
    characters in, and no other line does."""
    layout = subprocess.run(
        [tool("pdftotext"), "-bbox-layout", str(rendered["report"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    starts = [float(x) for x in re.findall(r'<line xMin="([0-9.]+)"', layout)]
    margin = load_theme().margin_left_pt
    indented = [x for x in starts if abs(x - (margin + 24)) < 1]
    flush = [x for x in starts if abs(x - margin) < 1]
    body = [s for s, _ in expected_paragraphs(report.document) if s == "Body Text"]
    assert len(indented) == len(body)
    assert len(flush) > len(body)  # continuation lines and headings start at the margin


def test_libreoffice_adds_no_space_between_chinese_and_latin_or_digits(
    rendered: dict[str, Path],
) -> None:
    """As in the PDF and the EPUB, the only space between Chinese and a digit or Latin letter
    is the source's own. LibreOffice's own 0.2 em there (2.4 pt at 12 pt, which pdftotext
    reads as a word break) is held off by the zero-width spaces of our DOCX."""
    layout = subprocess.run(
        [tool("pdftotext"), "-bbox-layout", str(rendered["report"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    boundary = re.compile(r"[\u4e00-\u9fff][0-9A-Za-z]|[0-9A-Za-z][\u4e00-\u9fff]")
    source = SOURCE.read_text("utf-8")
    joined, spaced = 0, []
    for line in re.findall(r"<line [^>]*>(.*?)</line>", layout, re.S):
        words = [
            (float(x0), float(x1), text)
            for x0, x1, text in re.findall(
                r'<word xMin="([0-9.]+)" [^>]*xMax="([0-9.]+)" [^>]*>([^<]*)</word>', line
            )
        ]
        joined += sum(len(boundary.findall(text)) for _, _, text in words)
        for (_, end, before), (start, _, after) in itertools.pairwise(words):
            # A gap the source has no space in: LibreOffice's own.
            if boundary.fullmatch(before[-1] + after[0]) and before[-2:] + after[:2] in source:
                spaced.append((before, after, round(start - end, 2)))
    assert joined >= 3  # 本市130多个, 单位2000多家, 近20万 are set solid
    assert spaced == []


def test_libreoffice_uses_only_simplified_chinese_faces(rendered: dict[str, Path]) -> None:
    """pdffonts names only Noto CJK faces; and every glyph drawn is the Simplified Chinese one.

    LibreOffice names an embedded Noto CJK face after the CFF table the .ttc's regional faces
    share ("NotoSerifCJKjp-Regular" for the SC face as well), so the name cannot tell SC from
    JP: each glyph's outline is compared with the SC and JP faces' glyphs for its character.
    """
    listing = subprocess.run(
        [tool("pdffonts"), str(rendered["report"])], capture_output=True, text=True, check=True
    ).stdout
    names = [line.split()[0] for line in listing.splitlines()[2:]]
    assert names and all(
        re.fullmatch(r"[A-Z]{6}\+Noto(Serif|Sans)CJK\w\w(-\w+)+", n) for n in names
    )
    for pdf in rendered.values():
        distinct = 0
        for char, font, bounds in pdf_glyphs(pdf):
            matches = {face for face, other in candidate_bounds(font, char).items()
                       if close(bounds, other)}  # fmt: skip
            assert matches, f"{char!r} in {font} is drawn by no Noto CJK face"
            assert any(face.endswith(" SC") for face in matches), (char, font, matches)
            if not any(face.endswith(" JP") for face in matches):
                distinct += 1
        # Characters whose Chinese and Japanese glyphs differ were drawn, all Chinese.
        assert distinct >= (20 if pdf == rendered["report"] else 5)


# --- helpers -----------------------------------------------------------------------------------


def text_of(element: etree._Element) -> str:
    return etree.tostring(element, method="text", encoding="unicode")


def style(styles: etree._Element, ident: str) -> etree._Element:
    found = styles.find(f"w:style[@w:styleId='{ident}']", NS)
    assert found is not None, ident
    return found


def pstyle(p: etree._Element) -> str | None:
    found = p.find("w:pPr/w:pStyle", NS)
    return found.get(f"{{{W}}}val") if found is not None else None


def num_pr(p: etree._Element) -> tuple[str, int]:
    num = p.find("w:pPr/w:numPr", NS)
    assert num is not None
    ident = num.find("w:numId", NS)
    level = num.find("w:ilvl", NS)
    assert ident is not None and level is not None
    return ident.get(f"{{{W}}}val") or "", int(level.get(f"{{{W}}}val") or 0)


def start_override(numbering: etree._Element, num_id: str) -> tuple[int, int]:
    override = numbering.find(f"w:num[@w:numId='{num_id}']/w:lvlOverride", NS)
    assert override is not None
    start = override.find("w:startOverride", NS)
    assert start is not None
    return int(override.get(f"{{{W}}}ilvl") or 0), int(start.get(f"{{{W}}}val") or 0)


def abstract_of(numbering: etree._Element, num_id: str) -> etree._Element:
    ref = numbering.find(f"w:num[@w:numId='{num_id}']/w:abstractNumId", NS)
    assert ref is not None
    found = numbering.find(f"w:abstractNum[@w:abstractNumId='{ref.get(f'{{{W}}}val')}']", NS)
    assert found is not None
    return found


Bounds = tuple[float, float, float, float] | None


def close(a: Bounds, b: Bounds) -> bool:
    return (
        a is not None and b is not None and all(abs(x - y) <= 2 for x, y in zip(a, b, strict=True))
    )


def pdf_glyphs(pdf: Path) -> Iterator[tuple[str, str, Bounds]]:
    """(character, font name, outline bounds) of every glyph of every embedded font."""
    seen: set[int] = set()
    for page in PdfReader(pdf).pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font = ref.get_object()
            if id(font) in seen:
                continue
            seen.add(id(font))
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile" in descriptor, f"{font['/BaseFont']}: not an embedded Type 1 font"
            stream = descriptor["/FontFile"].get_object()
            t1 = type1(stream)
            encoding, glyphs = t1["Encoding"], t1["CharStrings"]
            for code, char in to_unicode(font["/ToUnicode"].get_object().get_data()).items():
                if not ("\u3400" <= char <= "\u9fff"):
                    continue
                pen = BoundsPen(None)
                glyphs[encoding[code]].draw(pen)
                yield char, str(font["/BaseFont"]), pen.bounds


def type1(stream: Any) -> Any:
    """A PDF's embedded Type 1 font program, parsed (wrapped as the PFB file it came from)."""
    data = stream.get_data()
    lengths = [int(stream[f"/Length{n}"]) for n in (1, 2, 3)]
    segments, at = [], 0
    for kind, length in zip((1, 2, 1), lengths, strict=True):
        chunk = data[at : at + length]
        segments.append(bytes([0x80, kind]) + len(chunk).to_bytes(4, "little") + chunk)
        at += length
    pfb = b"".join(segments) + b"\x80\x03"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "font.pfb"
        path.write_bytes(pfb)
        parsed = T1Font(str(path))
        parsed.parse()
        return parsed.font


def to_unicode(cmap: bytes) -> dict[int, str]:
    text = cmap.decode("latin-1")
    out: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(code, 16)] = bytes.fromhex(target).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, first in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                out[code] = chr(int(first, 16) + offset)
    return out


def candidate_bounds(font: str, char: str) -> dict[str, Bounds]:
    """The outline bounds of ``char`` in every SC and JP face of the collection ``font`` (a
    LibreOffice font name such as ``BAAAAA+NotoSansCJKjp-Bold-VKana``) comes from."""
    serif = "Serif" in font
    weight = "Bold" if "Bold" in font else "Regular"
    out: dict[str, Bounds] = {}
    for face in collection("Serif" if serif else "Sans", weight):
        out[face.family] = face.bounds(char)
    return out


@dataclass
class Face:
    family: str
    font: Any

    def bounds(self, char: str) -> Bounds:
        name = self.font.getBestCmap().get(ord(char))
        if name is None:
            return None
        glyphs = self.font.getGlyphSet()
        pen = BoundsPen(glyphs)
        glyphs[name].draw(pen)
        return pen.bounds  # type: ignore[no-any-return]


@cache
def collection(kind: str, weight: str) -> list[Face]:
    family = f"Noto {kind} CJK SC:{weight.lower()}"
    path = subprocess.run(
        [tool("fc-match"), "-f", "%{file}", family], capture_output=True, text=True, check=True
    ).stdout
    assert path.endswith(".ttc"), path
    faces = []
    for font in TTCollection(path).fonts:
        name = font["name"].getDebugName(1)
        if name.endswith((" SC", " JP")):
            faces.append(Face(name, font))
    return faces


def test_helpers_tell_chinese_from_japanese_glyphs() -> None:
    """The glyph check can fail: 骨 differs between the SC and JP faces."""
    bounds = candidate_bounds("NotoSerifCJKjp-Regular", "骨")
    assert not close(bounds["Noto Serif CJK SC"], bounds["Noto Serif CJK JP"])


def test_a_damaged_image_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "fig.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    source = tmp_path / "doc.md"
    source.write_text("---\ntitle: 题\n---\n![图](fig.png)\n", encoding="utf-8")
    result = run_cli("build", source, "--to", "docx", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "fig.png" in result.stderr and "damaged" in result.stderr
    assert result.stderr.count("\n") == 1
