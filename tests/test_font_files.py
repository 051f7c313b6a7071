"""WeasyPrint's font embedding with the font file read only when needed: the paths that read the
whole file still get all of it, the synthetic bold decides from the face's tables."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from report_export import layout_engine
from report_export.fonts import font_file
from report_export.synthetic_bold import bold_face, bold_tables

DEJAVU = "DejaVu Sans"


def _pdf(html: str, **options: object) -> bytes:
    weasyprint = layout_engine.load()
    data = weasyprint.HTML(string=html).write_pdf(**options)
    assert isinstance(data, bytes)
    return data


def _page(family: str, text: str, weight: str = "normal") -> str:
    return (
        '<html lang="zh-CN"><body style="font-family: '
        f"'{family}'; font-weight: {weight}\">{text}</body></html>"
    )


def _font_files(data: bytes) -> list[bytes]:
    """The embedded font programs of a PDF, decompressed."""
    reader = PdfReader(io.BytesIO(data))
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            for key in ("/FontFile2", "/FontFile3"):
                if key in descriptor:
                    found.append(descriptor[key].get_object().get_data())
    return found


def test_a_whole_font_is_embedded_byte_for_byte() -> None:
    """full_fonts reads ``file_content`` unsubset: the face's file, all of it."""
    path, _ = font_file(DEJAVU)
    data = _pdf(_page(DEJAVU, "Whole font"), full_fonts=True)
    assert _font_files(data) == [path.read_bytes()]


def test_the_fonttools_fallback_subsets_from_the_whole_file(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Without HarfBuzz's subsetter WeasyPrint subsets with fontTools from ``file_content``."""
    layout_engine.load()
    from weasyprint.pdf import fonts

    monkeypatch.setattr(fonts, "harfbuzz_subset", None)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = _pdf(_page("Noto Sans CJK SC", "中文字体子集 subset"))
    assert any("Using fontTools instead of HarfBuzz-Subset" in r.message for r in caplog.records)
    (program,) = _font_files(data)
    path, index = font_file("Noto Sans CJK SC")
    face = TTFont(str(path), fontNumber=index, lazy=True)
    subset = TTFont(io.BytesIO(program))  # one face, parsed whole: not a fragment of the .ttc
    assert "GSUB" not in subset and "GSUB" in face  # fontTools' subset, as WeasyPrint asks it
    glyph = face.getBestCmap()[ord("字")]
    assert subset.getGlyphID(glyph) == face.getGlyphID(glyph)  # ids kept (retain_gids)
    assert subset["maxp"].numGlyphs < face["maxp"].numGlyphs
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "中文字体子集" in text and "subset" in text


def test_the_harfbuzz_subset_keeps_the_glyphs_drawn() -> None:
    data = _pdf(_page("Noto Serif CJK SC", "宋体的子集 glyphs"))
    (program,) = _font_files(data)
    assert program[:4] == b"OTTO" and len(program) < 2_000_000  # the subset, not the .ttc
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "宋体的子集" in text and "glyphs" in text


def test_a_warm_process_subsets_a_face_once_for_the_same_glyphs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A subset (and its deflated stream) made before is reused only for the same face and
    glyphs: each PDF is the one a process with nothing kept makes."""
    from report_export import font_files

    made: list[int] = []
    new_subset = font_files._new_subset

    def counted(font: object, to_unicode: dict[int, str], hinting: bool) -> object:
        made.append(len(to_unicode))
        return new_subset(font, to_unicode, hinting)

    monkeypatch.setattr(font_files, "_new_subset", counted)
    layout_engine.load()
    from weasyprint.text.fonts import FontConfiguration

    warm = FontConfiguration()  # as a warm process keeps it: the same faces from PDF to PDF
    first, other = (
        _page("Noto Serif CJK SC", "宋体的子集"),
        _page("Noto Serif CJK SC", "另一段文字"),
    )

    def afresh(html: str) -> bytes:
        font_files._subsets.clear()
        layout_engine._deflated.clear()
        return _pdf(html)

    expected_first, expected_other = afresh(first), afresh(other)
    font_files._subsets.clear()
    layout_engine._deflated.clear()
    made.clear()
    assert _pdf(first, font_config=warm) == expected_first
    assert _pdf(other, font_config=warm) == expected_other  # other glyphs: a subset of its own
    assert _pdf(first, font_config=warm) == expected_first
    assert len(made) == 2  # the second PDF of the first text made no subset
    assert len(layout_engine._deflated) == 2
    assert "另一段文字" in PdfReader(io.BytesIO(expected_other)).pages[0].extract_text()


def _text_rendering_modes(data: bytes) -> set[bytes]:
    modes: set[bytes] = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        modes.update(re.findall(rb"\b([0-7]) Tr\b", page.get_contents().get_data()))
    return modes


def test_a_face_without_bold_is_emboldened_and_a_bold_face_is_not() -> None:
    # FandolFang has no bold: fontconfig gives its regular for bold, which is emboldened.
    fang = _pdf(_page("FandolFang", "仿宋加粗", weight="bold"))
    assert b"2" in _text_rendering_modes(fang)
    # Noto Sans CJK SC Bold is a bold face (weight class 700): drawn as it is.
    sans = _pdf(_page("Noto Sans CJK SC", "黑体加粗", weight="bold"))
    assert b"2" not in _text_rendering_modes(sans)
    # FandolHei-Bold says weight 400 but sets the bold bits: a bold face too.
    path, index = font_file("FandolHei", bold=True)
    assert path.name == "FandolHei-Bold.otf"
    assert bold_face(path.read_bytes(), index)


@pytest.mark.parametrize(
    ("family", "bold"),
    [("FandolFang", False), ("FandolHei", True), ("Noto Sans CJK SC", True), (DEJAVU, True)],
)
def test_bold_from_the_tables_is_fonttools_reading(family: str, bold: bool) -> None:
    path, index = font_file(family, bold=bold)
    font = TTFont(str(path), fontNumber=index, lazy=True)
    os2, head = font["OS/2"], font["head"]
    expected = os2.usWeightClass >= 600 or bool(os2.fsSelection & 0x20) or bool(head.macStyle & 1)
    assert bold_tables(font.reader["OS/2"], font.reader["head"]) is expected
    assert bold_face(Path(path).read_bytes(), index) is expected
    assert bold_tables(None, font.reader["head"]) is bool(head.macStyle & 1)
