"""Warming a process up to render: every first-use cost paid once, before real work arrives.

A fresh process pays for more than imports on its first render: WeasyPrint's import (~1 s) and
its cffi declarations (~0.3 s on first use), fontconfig's lookups of the theme's faces, the
glyph coverage of each font stack (``fonts.py`` caches), HarfBuzz subsetting, the parser. The
one sure way to pay all of it, whatever a format needs, is to render a small document of the
same kind in every format once and throw the bytes away. A long-lived process (a batch
worker, a server) calls ``warm_up`` when it starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .exporters import load_exporter

SAMPLE = """---
title: 预热文档
lang: zh-CN
author: report-export
---

# 一、标题

正文段落，含“引号”、English words 与数字 2026。[^1]

- 列表项

| 列 | 值 |
|---|---|
| 甲 | 1 |

[^1]: 脚注。
"""
"""A report in little: title, heading, paragraph, footnote, list and table in Chinese."""


def warm_up(formats: Iterable[str], theme_name: str = "default") -> None:
    """Load each format's exporter and render ``SAMPLE`` with it once, with ``theme_name``."""
    from .build import render
    from .reader import read_text
    from .theme import load_theme

    theme = load_theme(theme_name)
    # The sample has no assets: a folder of its own would only be hashed and searched.
    document = read_text(SAMPLE, Path("/nonexistent/warm-up.md"))
    for name in formats:
        exporter = load_exporter(name)
        exporter.prepare()
        render(exporter, document, theme, exporter.parse_options({}))
