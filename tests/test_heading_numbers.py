"""Heading numbers in a theme's scheme (``heading_numbers``): which typed numbers are taken
for numbers, how the scheme counts, and that the model is left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from report_export.heading_numbers import heading_numbers, number_headings, split_typed
from report_export.list_markers import parse_marker
from report_export.model import BlockQuote, Emph, Text, heading_label, headings
from report_export.reader import read_text
from report_export.theme import load_theme

GONGWEN = load_theme("gongwen").heading_scheme


def labels(markdown: str) -> list[str]:
    document = read_text(markdown, Path("report.md"))
    return [heading_label(h) for h in headings(number_headings(document, GONGWEN))]


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("一、", "一、"),
        ("十二、", "十二、"),
        ("（一）", "（一）"),
        ("(一)", "(一)"),
        ("1、", "1、"),
        ("1. ", "1. "),
        ("1．", "1．"),
        ("（1）", "（1）"),
        ("(12) ", "(12) "),
        ("①", "①"),
    ],
)
def test_each_typed_form_is_a_number(typed: str, number: str) -> None:
    assert split_typed((Text(typed + "概况"),)) == (number, (Text("概况"),))


@pytest.mark.parametrize(
    "text", ["1.5 倍的增长", "2026 年工作要点", "一、", "（一） ", "第一部分", "一二三", "A. 附录"]
)
def test_text_that_only_looks_numbered_is_not(text: str) -> None:
    assert split_typed((Text(text),)) is None


def test_a_number_followed_by_emphasis_keeps_it() -> None:
    typed = split_typed((Text("1、"), Emph((Text("重点"),))))
    assert typed == ("1、", (Emph((Text("重点"),)),))


def test_each_level_counts_under_its_parent_and_unnumbered_headings_stay() -> None:
    source = """---
title: 报告
lang: zh-CN
---

# 前言

# 一、总体要求

## 1、指导思想

## 小结

## 2. 工作目标

### 1．第一阶段

#### (1) 准备

#### ② 实施

##### 1、第五级不在方案中

# 二、主要任务

## 3、重点任务

# 参考文献
"""
    assert labels(source) == [
        "前言",
        "一、总体要求",
        "（一）指导思想",
        "小结",
        "（二）工作目标",
        "1.第一阶段",
        "（1）准备",
        "（2）实施",
        "1、第五级不在方案中",
        "二、主要任务",
        "（一）重点任务",
        "参考文献",
    ]


def test_the_model_is_new_and_the_old_one_unchanged() -> None:
    source = "---\ntitle: 报告\nlang: zh-CN\n---\n\n# 1、概况\n\n> ## 2、引文中的标题\n"
    document = read_text(source, Path("report.md"))
    before = headings(document)
    numbered = number_headings(document, GONGWEN)
    assert headings(document) == before
    assert [heading_label(h) for h in headings(numbered)] == ["一、概况", "（一）引文中的标题"]
    assert isinstance(numbered.blocks[1], BlockQuote)
    assert [h.id for h in headings(numbered)] == [h.id for h in before]


def test_no_scheme_is_the_same_document() -> None:
    document = read_text("---\ntitle: 报告\nlang: zh-CN\n---\n\n# 1、概况\n", Path("r.md"))
    assert number_headings(document, ()) is document
    assert number_headings(document, load_theme("default").heading_scheme) is document


def test_the_numbers_say_what_they_replace() -> None:
    document = read_text("---\ntitle: 报告\nlang: zh-CN\n---\n\n# 1. 概况\n", Path("r.md"))
    (number,) = heading_numbers(document, (parse_marker("一、"),)).values()
    assert (number.label, number.typed, number.rest) == ("一、", "1. ", (Text("概况"),))
