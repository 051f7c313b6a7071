"""The plain-text exporter: every block of the source in order, and the wrapping rules."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from report_export.exporters.text import TextExporter, TextOptions
from report_export.reader import read_file, read_text
from report_export.theme import load_theme
from report_export.typography import CLOSING, OPENING, display_width, wrap_line

from .conftest import FIXTURES, SOURCE

RICH = FIXTURES / "rich" / "report.md"


def render(source: Path, wrap: int = 0) -> str:
    return TextExporter().render(read_file(source), load_theme(), TextOptions(wrap)).decode()


def test_every_heading_and_paragraph_of_the_report_in_order() -> None:
    # The expectation comes from the Markdown file itself, not from the model: the report's
    # blocks are plain paragraphs and "#" headings, so each block of the source, its heading
    # marker taken off and an underline of its level put under it, is one block of the text;
    # the title between rules and the byline come first.
    front, body = SOURCE.read_text(encoding="utf-8").removeprefix("---\n").split("\n---\n", 1)
    meta = yaml.safe_load(front)
    blocks = [block.strip() for block in body.split("\n\n") if block.strip()]
    assert len(blocks) > 20 and not any("\n" in block for block in blocks)

    def ruled(text: str, rule: str) -> str:
        return f"{text}\n{rule * display_width(text, 'zh')}"

    expected = [f"{'=' * 40}\n{meta['title']}\n{'=' * 40}", meta["author"]]
    for block in blocks:
        marks = re.match(r"^(#+) ", block)
        underline = "=-~^"[len(marks[1]) - 1] if marks else ""
        expected.append(ruled(block[len(marks[0]) :], underline) if marks else block)
    assert render(SOURCE).split("\n\n") == [*expected[:-1], expected[-1] + "\n"]


def test_utf8_lf_nfc() -> None:
    data = TextExporter().render(read_file(SOURCE), load_theme(), TextOptions())
    text = data.decode("utf-8")
    assert "\r" not in text
    assert unicodedata.normalize("NFC", text) == text
    assert text.endswith("。\n") and not text.endswith("\n\n")


def test_wrapped_report_keeps_every_character_and_the_rules() -> None:
    plain = render(SOURCE)
    wrapped = render(SOURCE, wrap=40)
    for line in wrapped.splitlines():
        assert display_width(line) <= 40, line
        assert not line or line[0] not in CLOSING, line
        assert not line or line[-1] not in OPENING, line

    # Unwrapping (joining the lines inside a block, rules and underlines left out) gives the
    # unwrapped text back.
    def unwrap(text: str) -> list[str]:
        rule = re.compile(r"^([=~^-])\1*$")
        return [
            "".join(line for line in block.split("\n") if not rule.match(line))
            for block in text.split("\n\n")
        ]

    assert unwrap(wrapped) == unwrap(plain)


@pytest.mark.parametrize(
    ("line", "width", "expected"),
    [
        # A closing mark that would start a line pulls the character before it down.
        ("一二三四，五六", 8, ["一二三", "四，五六"]),
        # An opening quote never ends a line.
        ("一二三“四五”", 8, ["一二三", "“四五”"]),
        # Latin words break at spaces, never inside.
        ("中文 English words 文字", 12, ["中文 English", "words 文字"]),
        # A word longer than the line overflows it: joined again, the lines are the text.
        ("abcdefghij", 4, ["abcdefghij"]),
        ("ab abcdefghij cd", 4, ["ab", "abcdefghij", "cd"]),
        # Never between a Chinese character and a Latin one (the reader would add a space).
        ("中文中文English", 8, ["中文中", "文English"]),
        ("短", 10, ["短"]),
    ],
)
def test_wrap_line(line: str, width: int, expected: list[str]) -> None:
    assert wrap_line(line, width) == expected


def test_lists_quotes_tables_and_footnotes_read_as_text() -> None:
    doc = read_text(
        "---\ntitle: 题\n---\n正文[^1]。\n\n- 甲\n- 乙\n  1. 子\n\n> 引一。\n>\n> 引二。\n\n"
        "| 列一 | 列二 |\n|---|---|\n| 甲 | 乙 |\n\n---\n\n[^1]: 注文。\n",
        Path("t.md"),
    )
    text = TextExporter().render(doc, load_theme(), TextOptions()).decode()
    assert text == (
        "==\n题\n==\n\n正文[1]。\n\n- 甲\n- 乙\n  1. 子\n\n> 引一。\n>\n> 引二。\n\n"
        "| 列一 | 列二 |\n|------|------|\n| 甲   | 乙   |\n\n* * *\n\n注释\n====\n\n[1] 注文。\n"
    )


def test_byline_headings_links_and_tables_are_set_off() -> None:
    doc = read_text(
        "---\ntitle: 题目\nauthor: 课题组\ndate: 2025-06-18\n---\n"
        "# 一、总则\n\n## 1、范围\n\n### （一）对象\n\n#### 1. 细则\n\n"
        "见[数据页](https://example.org/d)、[第一节](#sec-1)和 <https://example.org/a>。\n\n"
        "| 项目 | “数” | 说明 |\n|:--|--:|:-:|\n| 甲 | 1,260 | a |\n| 乙乙乙 | 7 | 中文 |\n",
        Path("t.md"),
    )
    text = TextExporter().render(doc, load_theme(), TextOptions()).decode()
    assert text == (
        "====\n题目\n====\n\n课题组\n2025-06-18\n\n"
        "一、总则\n========\n\n1、范围\n-------\n\n（一）对象\n~~~~~~~~~~\n\n1. 细则\n^^^^^^^\n\n"
        "见数据页（https://example.org/d）、第一节和 https://example.org/a。\n\n"
        # Columns padded to their widest cell in display columns: a Chinese character and, in
        # Chinese text, a curly quote take two; the rule marks each column's alignment.
        "| 项目   | “数” | 说明 |\n"
        "|:-------|-------:|:----:|\n"
        "| 甲     |  1,260 |  a   |\n"
        "| 乙乙乙 |      7 | 中文 |\n"
    )


def test_a_link_outside_chinese_text_takes_ascii_parentheses() -> None:
    doc = read_text(
        "---\ntitle: Title\nlang: en\n---\nSee [the data](https://example.org/d).\n", Path("t.md")
    )
    text = TextExporter().render(doc, load_theme(), TextOptions()).decode()
    assert text == "=====\nTitle\n=====\n\nSee the data (https://example.org/d).\n"


def test_an_empty_list_item_keeps_its_marker() -> None:
    doc = read_text("---\ntitle: 题\n---\n- 一\n-\n- 三\n", Path("t.md"))
    text = TextExporter().render(doc, load_theme(), TextOptions()).decode()
    assert text == "==\n题\n==\n\n- 一\n-\n- 三\n"


@pytest.mark.parametrize("wrap", [24, 40])
def test_wrapped_lines_with_quotes_and_dashes_never_run_long(wrap: int) -> None:
    # The rich report's lines are full of “”, —— and …: in Chinese text each takes two
    # columns, as the CJK face sets it. Only a table (never wrapped) and a run with no place
    # to break (a URL in its parentheses) may overflow.
    text = render(RICH, wrap=wrap)
    lines = [
        line
        for line in text.splitlines()
        if not line.lstrip(" >").startswith("|") and "://" not in line
    ]
    assert any("“" in line for line in lines)
    assert max(display_width(line, "zh-CN") for line in lines) <= wrap
