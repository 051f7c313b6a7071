"""Which characters are Chinese: one definition, which the reader, the importer and the
verifiers all use."""

from __future__ import annotations

import pytest

from report_export.typography import (
    CLOSING,
    OPENING,
    balanced_lines,
    char_width,
    display_width,
    is_cjk,
    is_han,
)


@pytest.mark.parametrize(
    ("char", "han", "cjk"),
    [
        ("中", True, True),
        ("㐀", True, True),  # Extension A
        ("﨑", True, True),  # a compatibility ideograph
        ("。", False, True),
        ("，", False, True),  # full-width forms
        ("“", False, True),
        ("—", False, True),
        ("あ", False, True),
        ("a", False, False),
        ("1", False, False),
        (" ", False, False),
        ("", False, False),
    ],
)
def test_han_and_cjk_characters(char: str, han: bool, cjk: bool) -> None:
    assert (is_han(char), is_cjk(char)) == (han, cjk)


@pytest.mark.parametrize(
    ("text", "lang", "width"),
    [
        ("中文", "zh-CN", 4),
        ("a\u200bb", "zh-CN", 2),  # a zero-width space takes no column
        ("e\u0301", "", 1),  # nor does a combining mark
        ("Ｅ", "", 2),  # full-width forms
        # East Asian ambiguous punctuation: wide in Chinese text (a CJK face sets it so),
        # narrow elsewhere (a Western terminal's convention).
        ("——“”‘’…·", "zh-CN", 16),
        ("——“”‘’…·", "zh-Hant-TW", 16),
        ("——“”‘’…·", "ja", 16),
        ("——“”‘’…·", "en", 8),
        ("——“”‘’…·", "", 8),
    ],
)
def test_display_width_comes_from_wcwidth(text: str, lang: str, width: int) -> None:
    assert display_width(text, lang) == width
    assert sum(char_width(char, lang) for char in text) == width


RICH_TITLE = "城市更新中的社区治理——基于三个街道“微更新”项目的调查研究报告"


@pytest.mark.parametrize("measure", [m / 2 for m in range(10, 80)])
def test_a_title_with_a_dash_breaks_into_balanced_lines(measure: float) -> None:
    lines = balanced_lines(RICH_TITLE, measure, "zh-CN")
    columns = int(measure * 2)
    widths = [display_width(line, "zh-CN") for line in lines]
    assert "".join(lines) == RICH_TITLE
    assert max(widths) <= columns, lines
    # As few lines as the width allows (one more where no break gives that many) ...
    assert len(lines) - -(-display_width(RICH_TITLE, "zh-CN") // columns) in (0, 1), lines
    # ... about as long as each other: a dash, a quote or a character never alone.
    assert max(widths) - min(widths) <= 6, lines
    assert all(line.strip("—“”") for line in lines) and min(map(len, lines)) > 2, lines
    assert not any(line[0] in CLOSING or line[-1] in OPENING for line in lines), lines


def test_the_balancer_counts_chinese_punctuation_full_width() -> None:
    # The title is 32 characters, 64 columns with "——" and the quotes full-width. At 15 ems
    # (30 columns) it takes three lines; counted one column each, the dash and quotes would
    # make it 60 columns, two lines of 30 that run long when set.
    assert balanced_lines(RICH_TITLE, 15, "zh-CN") == [
        "城市更新中的社区治理——",
        "基于三个街道“微更",
        "新”项目的调查研究报告",
    ]
    assert len(balanced_lines(RICH_TITLE, 15, "en")) == 2
    assert balanced_lines(RICH_TITLE, 16, "zh-CN") == [
        "城市更新中的社区治理——基于三个",
        "街道“微更新”项目的调查研究报告",
    ]
