"""Synthetic bold for WeasyPrint: a face with no bold of its own, set bold, is emboldened.

仿宋 and 楷体 have no bold, and GB/T 9704 asks for bold 仿宋 (level-3 headings). Pango picks the
regular face for ``font-weight: bold`` and WeasyPrint 70 draws its outlines as they are (it
names the font "…-Bold" but has no ``font-synthesis``): the bold is lost without a word. Word,
LibreOffice and Pango on screen embolden such a face; so does this, the PDF way: the glyphs are
filled and stroked (text rendering mode 2) in the fill colour with a line ``EMBOLDEN`` of the
font size wide and round joins, which widens every stroke as FreeType's emboldening does (an
em/24). The text stays the text (the same glyphs, the same advances): only its ink is heavier.

``install`` wraps WeasyPrint's ``Stream.set_font_size`` and ``Stream.set_color``; a PDF whose
faces all have the weights asked for is byte-identical. Upstream: WeasyPrint could synthesise
bold where Pango reports a face lighter than the weight asked for.
"""

from __future__ import annotations

import io
import struct
from typing import Any

EMBOLDEN = 1 / 24
"""The stroke width, in ems: the glyphs grow by it (half on each side), as FreeType's
``FT_GlyphSlot_Embolden`` widens them."""
BOLD = 600
"""The weight from which a face counts as bold (CSS: 600 and over are bold)."""
_FILL_MODE, _STROKE_MODE = 0, 2
_STATE = "_rx_bold_state"
_FILL = "_rx_fill"
# Offsets in the OpenType tables (the OS/2 fields are where every version has them).
_OS2_WEIGHT, _OS2_SELECTION, _OS2_BOLD = 4, 62, 0x20
_HEAD_MAC_STYLE, _MAC_BOLD = 44, 1


def install() -> None:
    """Make WeasyPrint embolden faces set bolder than they are (once a process, at import)."""
    from weasyprint.pdf.stream import Stream

    set_color = Stream.set_color
    set_font_size = Stream.set_font_size

    def remember_fill(self: Any, color: Any, stroke: bool = False) -> None:
        if not stroke:
            self.__dict__[_FILL] = color
        set_color(self, color, stroke)

    def embolden(self: Any, font: str, size: float) -> None:
        set_font_size(self, font, size)
        synthetic = _synthetic(self, font)
        if synthetic:
            fill = self.__dict__.get(_FILL)
            if fill is not None:
                set_color(self, fill, True)
            self.set_line_width(round(size * EMBOLDEN, 3))
            self.set_line_join(1)
            self.set_text_rendering(_STROKE_MODE)
            self.__dict__[_STATE] = True
        elif self.__dict__.get(_STATE):
            self.set_text_rendering(_FILL_MODE)
            self.__dict__[_STATE] = False

    Stream.set_color = remember_fill
    Stream.set_font_size = embolden


def _synthetic(stream: Any, font_hash: str) -> bool:
    """Whether the font WeasyPrint calls ``font_hash`` is set bolder than its face is."""
    for font in stream._fonts.values():
        if font.hash == font_hash:
            known = font.__dict__.get("_rx_synthetic")
            if known is None:
                # From the face's two tables: reading ``file_content`` would copy the whole
                # font file (see font_files).
                known = font.__dict__["_rx_synthetic"] = font.weight >= BOLD and not bold_tables(
                    _face_table(font.hb_face, b"OS/2"), _face_table(font.hb_face, b"head") or b""
                )
            return bool(known)
    return False


def _face_table(face: Any, tag: bytes) -> bytes | None:
    """A table of a HarfBuzz face, or None where the face has none."""
    from weasyprint.text.ffi import ffi, harfbuzz

    blob = harfbuzz.hb_face_reference_table(face, harfbuzz.hb_tag_from_string(tag, -1))
    try:
        with ffi.new("unsigned int *") as length:
            data = harfbuzz.hb_blob_get_data(blob, length)
            table: bytes | None = None if data == ffi.NULL else ffi.unpack(data, int(length[0]))
    finally:
        harfbuzz.hb_blob_destroy(blob)
    return table or None


def bold_face(data: bytes, index: int) -> bool:
    """Whether face ``index`` of a font file's bytes is a bold face (see ``bold_tables``)."""
    from fontTools.ttLib import TTFont

    number = index if data[:4] == b"ttcf" else -1
    font = TTFont(io.BytesIO(data), fontNumber=number, lazy=True)
    try:
        tables = font.reader  # the tables' bytes, as a face's blobs are
        return bold_tables(tables["OS/2"] if tables.has_key("OS/2") else None, tables["head"])
    finally:
        font.close()


def bold_tables(os2: bytes | None, head: bytes) -> bool:
    """Whether a face is bold, from its ``OS/2`` and ``head`` tables: its weight class says so,
    or its style bits do (the Fandol bolds give weight 400 and the bold bits)."""
    if os2 is not None and len(os2) >= _OS2_SELECTION + 2:
        (weight,) = struct.unpack_from(">H", os2, _OS2_WEIGHT)
        (selection,) = struct.unpack_from(">H", os2, _OS2_SELECTION)
        if weight >= BOLD or selection & _OS2_BOLD:
            return True
    return len(head) >= _HEAD_MAC_STYLE + 2 and bool(
        struct.unpack_from(">H", head, _HEAD_MAC_STYLE)[0] & _MAC_BOLD
    )
