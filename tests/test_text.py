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

from .conftest import SOURCE


def render(source: Path, wrap: int = 0) -> str:
    return TextExporter().render(read_file(source), load_theme(), TextOptions(wrap)).decode()


def test_every_heading_and_paragraph_of_the_report_in_order() -> None:
    # The expectation comes from the Markdown file itself, not from the model: the report's
    # blocks are plain paragraphs and "#" headings, so each block of the source, its heading
    # marker taken off, is one block of the text, and the title comes first.
    front, body = SOURCE.read_text(encoding="utf-8").removeprefix("---\n").split("\n---\n", 1)
    blocks = [block.strip() for block in body.split("\n\n") if block.strip()]
    assert len(blocks) > 20 and not any("\n" in block for block in blocks)
    expected = [yaml.safe_load(front)["title"]] + [re.sub(r"^#+ ", "", b) for b in blocks]
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
    # Unwrapping (joining lines inside a block) gives the unwrapped text back.
    unwrapped = "\n\n".join(block.replace("\n", "") for block in wrapped.split("\n\n"))
    assert unwrapped + "\n" == plain


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
        "题\n\n正文[1]。\n\n- 甲\n- 乙\n  1. 子\n\n> 引一。\n>\n> 引二。\n\n"
        "列一 | 列二\n甲 | 乙\n\n* * *\n\n注释\n\n[1] 注文。\n"
    )


def test_an_empty_list_item_keeps_its_marker() -> None:
    doc = read_text("---\ntitle: 题\n---\n- 一\n-\n- 三\n", Path("t.md"))
    text = TextExporter().render(doc, load_theme(), TextOptions()).decode()
    assert text == "题\n\n- 一\n-\n- 三\n"
