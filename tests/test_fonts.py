"""The theme's fonts on this machine: fontconfig's files, their character maps, the tofu check."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from report_export.errors import ReportExportError
from report_export.fonts import (
    check_coverage,
    font_charset,
    font_file,
    stack_charset,
    stack_faces,
)
from report_export.model import Paragraph, inline_text
from report_export.reader import read_text
from report_export.theme import load_theme


def test_font_file_finds_the_simplified_chinese_face_of_a_collection() -> None:
    for family in ("Noto Serif CJK SC", "Noto Sans CJK SC"):
        path, index = font_file(family)
        font = TTFont(str(path), fontNumber=index, lazy=True)
        assert font["name"].getDebugName(1) == family
    bold, _ = font_file("Noto Sans CJK SC", bold=True)
    assert "Bold" in bold.name


def test_a_font_that_is_not_installed_is_an_error_not_a_stand_in() -> None:
    with pytest.raises(ReportExportError, match="'No Such Font Sans' is not installed"):
        font_file("No Such Font Sans")
    theme = load_theme()
    # In a stack, a missing family is skipped and the generic name resolves to the SC face.
    faces = stack_faces(["No Such Font Sans", *theme.fonts.heading])
    assert [face.families[0] for face in faces] == ["Noto Sans CJK SC"]


def test_the_character_map_is_the_one_fonttools_reads() -> None:
    path, index = font_file("Noto Serif CJK SC")
    font = TTFont(str(path), fontNumber=index, lazy=True)
    assert font_charset(path, index) == frozenset(font.getBestCmap())
    charset = stack_charset(load_theme().fonts.body)
    assert {ord(c) for c in "中文，。“”ABC123"} <= charset
    assert ord("ก") not in charset and 0x1F600 not in charset


def _document(body: str) -> str:
    return f"---\ntitle: 标题\n---\n\n# 一、概述\n\n{body}\n"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("第一段。\n\n第二段有ก。", "paragraph 2 of section sec-1"),
        (
            "| 甲 | 乙 |\n|---|---|\n| 一 | 二ก |",
            'table 1 of section sec-1 "一、概述", row 1, column 2',
        ),
        ("- 一\n- 二ก", "list item 2 of section sec-1"),
        ("正文[^n]。\n\n[^n]: 注释ก。", "paragraph 1 of footnote 1"),
        ('![图](a.png "图一ก")', "the caption of figure 1"),
    ],
)
def test_the_tofu_check_names_the_place(tmp_path: Path, body: str, where: str) -> None:
    document = read_text(_document(body), tmp_path / "report.md")
    with pytest.raises(ReportExportError, match="U\\+0E01") as caught:
        check_coverage(document, load_theme())
    assert where in str(caught.value)


def test_control_and_format_characters_need_no_glyph(tmp_path: Path) -> None:
    theme = load_theme()
    # A tab (a control) and the zero-width space, non-joiner, joiner, word joiner and
    # left-to-right mark (format characters): no face of the theme has a glyph for any.
    invisible = "\t\u200b\u200c\u200d\u2060\u200e"
    assert not {ord(c) for c in invisible} & stack_charset(theme.fonts.body)
    document = read_text(_document(f"零宽{invisible}字符。"), tmp_path / "report.md")
    paragraph = document.blocks[1]
    assert isinstance(paragraph, Paragraph) and invisible in inline_text(paragraph.children)
    check_coverage(document, theme)
    # The check does look at that paragraph: one character that needs a glyph is refused.
    seen = read_text(_document(f"零宽{invisible}ก。"), tmp_path / "report.md")
    with pytest.raises(ReportExportError, match="U\\+0E01"):
        check_coverage(seen, theme)
