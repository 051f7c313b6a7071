"""The Markdown reader: every construct of the model, and the errors it raises."""

from __future__ import annotations

from pathlib import Path

import pytest

from report_export.errors import ReportExportError
from report_export.model import (
    BlockQuote,
    BulletList,
    Code,
    Emph,
    Footnote,
    FootnoteRef,
    Heading,
    Image,
    LineBreak,
    Link,
    OrderedList,
    Paragraph,
    Strong,
    Table,
    TableCell,
    Text,
    ThematicBreak,
    headings,
)
from report_export.reader import read_file, read_text

from .conftest import SOURCE

FRONT = "---\ntitle: 测试报告\nlang: zh-CN\n---\n"


def read(body: str, front: str = FRONT) -> tuple[object, ...]:
    return read_text(front + body, Path("t.md")).blocks


def test_front_matter_becomes_metadata() -> None:
    doc = read_text(
        "---\ntitle: 标题\nlang: zh-CN\nauthor: 作者\ndescription: 说明\n"
        "keywords: [甲, 乙]\nprovenance:\n  site: 某站\n  uploaded: 2022-04-29\n---\n正文\n",
        Path("x/t.md"),
    )
    meta = doc.meta
    assert (meta.title, meta.lang, meta.author, meta.description) == (
        "标题",
        "zh-CN",
        "作者",
        "说明",
    )
    assert meta.keywords == ("甲", "乙")
    assert meta.provenance == (("site", "某站"), ("uploaded", "2022-04-29"))
    assert doc.base_dir == Path("x")


def test_headings_get_levels_and_stable_outline_ids() -> None:
    blocks = read("# 一、甲\n\n## 1、乙\n\n## 2、丙\n\n# 二、丁\n\n### 深\n")
    assert [(b.level, b.id) for b in blocks if isinstance(b, Heading)] == [
        (1, "sec-1"),
        (2, "sec-1-1"),
        (2, "sec-1-2"),
        (1, "sec-2"),
        (3, "sec-2-0-1"),
    ]


def test_inlines() -> None:
    (para,) = read(
        '有*强调*、**加粗**、`代码`、[链接](https://example.org "题")和换行\\\n第二行。\n'
    )
    assert para == Paragraph(
        (
            Text("有"),
            Emph((Text("强调"),)),
            Text("、"),
            Strong((Text("加粗"),)),
            Text("、"),
            Code("代码"),
            Text("、"),
            Link((Text("链接"),), "https://example.org", "题"),
            Text("和换行"),
            LineBreak(),
            Text("第二行。"),
        )
    )


def test_soft_breaks_join_chinese_without_space_and_latin_with_one() -> None:
    (para,) = read("中文一行\n接着一行，English\nwords here.\n")
    assert para == Paragraph((Text("中文一行接着一行，English words here."),))


def test_lists_quote_table_image_and_break() -> None:
    blocks = read(
        "- 甲\n- 乙\n  1. 子一\n  2. 子二\n\n3. 丙\n\n> 引文。\n\n"
        '| 左 | 右 |\n|:--|--:|\n| 1 | 2 |\n\n![替代文字](fig.png "图题")\n\n---\n'
    )
    bullet, numbered, quote, table, image, rule = blocks
    assert bullet == BulletList(
        (
            (Paragraph((Text("甲"),)),),
            (
                Paragraph((Text("乙"),)),
                OrderedList(((Paragraph((Text("子一"),)),), (Paragraph((Text("子二"),)),)), 1),
            ),
        )
    )
    assert numbered == OrderedList(((Paragraph((Text("丙"),)),),), 3)
    assert quote == BlockQuote((Paragraph((Text("引文。"),)),))
    assert table == Table(
        header=(TableCell((Text("左"),), "left"), TableCell((Text("右"),), "right")),
        rows=((TableCell((Text("1"),), "left"), TableCell((Text("2"),), "right")),),
    )
    assert image == Image("fig.png", "替代文字", "图题")
    assert rule == ThematicBreak()


def test_footnotes_live_on_the_document_in_reference_order() -> None:
    doc = read_text(FRONT + "甲[^b]乙[^a]。\n\n[^a]: 注一。\n[^b]: 注二。\n", Path("t.md"))
    assert doc.blocks == (
        Paragraph((Text("甲"), FootnoteRef("b"), Text("乙"), FootnoteRef("a"), Text("。"))),
    )
    assert doc.footnotes == (
        Footnote("b", (Paragraph((Text("注二。"),)),)),
        Footnote("a", (Paragraph((Text("注一。"),)),)),
    )


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("正文\n\n<div>块</div>\n", 7, "raw HTML"),
        ("正文<b>粗</b>\n", 5, "raw HTML"),
        ("```\ncode\n```\n", 5, "code blocks"),
        ("文字 ![图](a.png) 文字\n", 5, "image must stand alone"),
        ("# \n", 5, "empty heading"),
    ],
)
def test_constructs_the_model_cannot_hold_name_the_line(body: str, line: int, message: str) -> None:
    with pytest.raises(ReportExportError) as caught:
        read(body)
    assert str(caught.value).startswith(f"t.md:{line}: ")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("正文\n", 1, "no YAML front matter"),
        ("---\ntitle: [未闭合\n---\n", 2, "front matter"),
        ("---\nlang: zh-CN\n---\n", 1, "'title'"),
        ("---\ntitle: 甲\ntitel: 乙\n---\n", 1, "unknown key 'titel'"),
        ("---\n- a\n---\n", 1, "mapping"),
    ],
)
def test_front_matter_errors(source: str, line: int, message: str) -> None:
    with pytest.raises(ReportExportError) as caught:
        read_text(source, Path("t.md"))
    assert str(caught.value).startswith(f"t.md:{line}: ")
    assert message in str(caught.value)


def test_missing_file_and_bad_utf8(tmp_path: Path) -> None:
    with pytest.raises(ReportExportError, match=r"nope\.md: no such file"):
        read_file(tmp_path / "nope.md")
    bad = tmp_path / "bad.md"
    bad.write_bytes(FRONT.encode() + "正文\n".encode() + b"\xff\xfe\n")
    with pytest.raises(ReportExportError, match=r"bad\.md:6: not valid UTF-8"):
        read_file(bad)


def test_the_report_reads_as_its_outline() -> None:
    doc = read_file(SOURCE)
    assert doc.meta.title == "建设交通系统党的工作覆盖行业模式研究报告"
    assert doc.meta.lang == "zh-CN"
    assert [h.level for h in headings(doc)] == [1, 1, 2, 2, 2, 2, 2, 1, 2, 2, 2]
    texts = [h.children[0].text for h in headings(doc) if isinstance(h.children[0], Text)]
    assert texts[0] == "一、选题的由来"
    assert texts[-1] == "3、与时俱进，创新理念，不断拓展加强基层党建的新思路"
    paragraphs = [b for b in doc.blocks if isinstance(b, Paragraph)]
    assert len(paragraphs) == 20


def test_a_footnote_called_only_from_another_footnote_is_refused() -> None:
    source = FRONT + "正文[^a]。\n\n[^a]: 注一[^b]。\n\n[^b]: 注二。\n"
    with pytest.raises(ReportExportError) as caught:
        read_text(source, Path("t.md"))
    assert str(caught.value).startswith("t.md:9: footnote [^b] is called only from another")


def test_control_characters_are_refused_with_their_line() -> None:
    with pytest.raises(ReportExportError, match=r"t\.md:2: character U\+0001 \(a C0 control\)"):
        read_text("---\ntitle: 题\x01\n---\n正文\n", Path("t.md"))
    with pytest.raises(ReportExportError, match=r"t\.md:5: character U\+001B"):
        read_text(FRONT + "正\x1b文\n", Path("t.md"))
