"""WeasyPrint's font embedding (``weasyprint/pdf/fonts.py``, version 70) without its copies.

Two fixes, each leaving the PDF byte-identical and each belonging upstream:

- **The whole font file, copied for nothing.** ``Font.__init__`` copies the file of each face
  it draws with into Python bytes (``get_hb_object_data``): the whole collection, 19-27 MB a
  Noto CJK ``.ttc`` — 66 MB for the report's three faces, read page by page out of the file's
  mapping, so the mapped file joins the process's memory as well (peak RSS of a build 220 ->
  144 MB). A build only needs that copy where a font is embedded whole (``full_fonts``, a form
  field's font), for a variable or colour font, or for the fontTools fallback; otherwise the
  subset replaces it and only its first four bytes (``Font.type``) were ever read. Here the
  face's blob is referenced (no copy) and copied out the first time ``file_content`` is read,
  which is every one of those paths. Upstream: ``file_content`` could be a lazy property, and
  ``type`` read four bytes of the blob.
- **The subset's glyph arrays.** ``_harfbuzz_subset`` builds each glyph array with
  ``ffi.new(f'hb_codepoint_t[{n}]', values)``: each length is a C type of its own, which cffi
  parses with pycparser (~3.5 ms each, two or three a font), and the second pass's array of every
  glyph id up to the last one used (59,000 for a CJK face) is converted from a tuple one Python
  int at a time (~4 ms). Here every array is ``hb_codepoint_t[]`` (parsed once) over an
  ``array('I')`` built in C. The same glyph sets reach HarfBuzz, so the subset is the same.
  The two HarfBuzz passes themselves (~75 % of the subset's time) are kept: one pass with both
  passes' flags gives other bytes (for TrueType faces a larger font: the first pass's closure
  adds glyphs past the last used one, and the second pass cuts them). Upstream: the same
  arrays, or ``hb_set_add_range`` for the second pass (not in WeasyPrint's ``cdef``).

A warm process (``report-export watch``, a batch worker) keeps the last ``SUBSETS_KEPT``
subsets it made: a rebuild after a one-paragraph change draws the same glyphs of the same faces,
and HarfBuzz's two passes were 0.12 s of the report's 0.31 s warm render. A subset is known by
its face (a reference to it is kept with the subset, so no other face takes its address), the
glyphs and the two flags that vary: the same inputs, so the same bytes.
"""

from __future__ import annotations

import array
from functools import cache
from typing import Any

from .last_used import LastUsed

_CONTENT = "_rx_file_content"

SUBSETS_KEPT = 8
"""How many subsets a process keeps: the faces of a theme or two (the report's PDF uses three)."""


def install() -> None:
    """Make WeasyPrint read font files only when needed and build glyph arrays in C (once a
    process, at import)."""
    from weasyprint.pdf import fonts

    fonts.get_hb_object_data = _face_data
    fonts.Font.file_content = property(_file_content, _set_file_content)
    fonts.Font.type = property(_type)
    fonts.Font._harfbuzz_subset = _harfbuzz_subset


class _FaceFile:
    """A HarfBuzz face's file (its blob, referenced), copied into bytes when first read."""

    __slots__ = ("_blob",)

    def __init__(self, face: Any) -> None:
        from weasyprint.text.ffi import ffi, harfbuzz

        # For a subset face this is where HarfBuzz serialises the font, as it was before.
        self._blob = ffi.gc(harfbuzz.hb_face_reference_blob(face), harfbuzz.hb_blob_destroy)

    def read(self, size: int | None = None) -> bytes | None:
        """The file's bytes (its first ``size`` ones), or None where HarfBuzz has no data,
        as ``get_hb_object_data`` answers."""
        from weasyprint.text.ffi import ffi, harfbuzz

        with ffi.new("unsigned int *") as length:
            data = harfbuzz.hb_blob_get_data(self._blob, length)
            if data == ffi.NULL:
                return None
            whole = int(length[0])
            content: bytes = ffi.unpack(data, whole if size is None else min(size, whole))
            return content

    def __bool__(self) -> bool:
        # ``_harfbuzz_subset`` keeps a subset only if its data is truthy (not None nor empty).
        return bool(self.read(1))


def _face_data(hb_object: Any, ot_color: str | None = None, glyph: int | None = None) -> Any:
    """``get_hb_object_data`` as ``pdf/fonts.py`` sees it: a face's whole file is left unread
    until asked for (its two calls store it in ``file_content``); glyph images are read."""
    if ot_color is None:
        return _FaceFile(hb_object)
    from weasyprint.text.fonts import get_hb_object_data

    return get_hb_object_data(hb_object, ot_color, glyph)


def _file_content(font: Any) -> bytes | None:
    content = font.__dict__[_CONTENT]
    if isinstance(content, _FaceFile):
        content = font.__dict__[_CONTENT] = content.read()
    return content  # type: ignore[no-any-return]


def _set_file_content(font: Any, content: Any) -> None:
    font.__dict__[_CONTENT] = content


def _type(font: Any) -> str:
    """``Font.type``: from the file's first four bytes, without reading the rest."""
    content = font.__dict__[_CONTENT]
    head = content.read(4) if isinstance(content, _FaceFile) else content[:4]
    return "otf" if head == b"OTTO" else "ttf"


@cache
def _codepoint_array() -> Any:
    from weasyprint.text.ffi import ffi

    codepoints = ffi.typeof("hb_codepoint_t[]")
    # array('I') is the C unsigned int; HarfBuzz reads the buffer as uint32_t.
    if ffi.sizeof(codepoints.item) != array.array("I").itemsize:
        raise RuntimeError("hb_codepoint_t is not the size of a C unsigned int here")
    return codepoints


def _codepoints(values: Any) -> Any:
    """A C array of ``hb_codepoint_t`` holding ``values`` (it keeps the buffer alive)."""
    from weasyprint.text.ffi import ffi

    return ffi.from_buffer(_codepoint_array(), array.array("I", values))


_DROP_TABLES = (
    b"BASE",
    b"DSIG",
    b"EBDT",
    b"EBLC",
    b"EBSC",
    b"GPOS",
    b"GSUB",
    b"JSTF",
    b"LTSH",
    b"PCLT",
    b"SVG ",
)


_subsets: LastUsed[tuple[int, tuple[int, ...], bool, bool], tuple[Any, _FaceFile | None]] = (
    LastUsed(SUBSETS_KEPT)
)
"""The subsets made last, by (face address, glyph ids, hinting, any glyph missing): the
face's reference beside each subset (None where HarfBuzz could not subset)."""


def _harfbuzz_subset(font: Any, to_unicode: dict[int, str], hinting: bool) -> None:
    """``Font._harfbuzz_subset``: the subset made before for the same face and glyphs, or a
    new one (``_new_subset``)."""
    from weasyprint.logger import LOGGER
    from weasyprint.text.ffi import ffi, harfbuzz

    key = (
        int(ffi.cast("uintptr_t", font.hb_face)),
        tuple(sorted(to_unicode)),
        hinting,
        bool(font.missing),
    )
    kept = _subsets.get(key)
    if kept is None:
        face = ffi.gc(harfbuzz.hb_face_reference(font.hb_face), harfbuzz.hb_face_destroy)
        kept = _subsets.put(key, (face, _new_subset(font, to_unicode, hinting)))
    if kept[1] is not None:
        font.file_content = kept[1]
        return
    LOGGER.warning('Unable to subset "%s" with HarfBuzz', font.family)


def _new_subset(font: Any, to_unicode: dict[int, str], hinting: bool) -> _FaceFile | None:
    """WeasyPrint 70's ``Font._harfbuzz_subset`` step for step (the same glyph sets, flags,
    tables and passes), with its arrays made by ``_codepoints``: the subset's file, or None."""
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    hb_subset = ffi.gc(
        harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy
    )

    # Only the glyphs used, their ids kept.
    gid_set = harfbuzz_subset.hb_subset_input_glyph_set(hb_subset)
    gid_array = _codepoints(sorted(to_unicode))
    harfbuzz.hb_set_add_sorted_array(gid_set, gid_array, len(to_unicode))
    flags = (
        harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS
        | harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
        | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    )
    if font.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(hb_subset, flags)
    drop_set = harfbuzz_subset.hb_subset_input_set(
        hb_subset, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG
    )
    drop_tables = _codepoints(harfbuzz.hb_tag_from_string(name, -1) for name in _DROP_TABLES)
    harfbuzz.hb_set_add_sorted_array(drop_set, drop_tables, len(_DROP_TABLES))
    hb_face = ffi.gc(
        harfbuzz_subset.hb_subset_or_fail(font.hb_face, hb_subset), harfbuzz.hb_face_destroy
    )

    # Then every glyph up to the last one used: what the first pass's closure added past it goes.
    gid_set = harfbuzz_subset.hb_subset_input_glyph_set(hb_subset)
    keep = max(to_unicode) + 1
    harfbuzz.hb_set_add_sorted_array(gid_set, _codepoints(range(keep)), keep)
    flags = (
        harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
        | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    )
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if font.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(hb_subset, flags)
    hb_face = ffi.gc(
        harfbuzz_subset.hb_subset_or_fail(hb_face, hb_subset), harfbuzz.hb_face_destroy
    )

    if hb_face:
        file_content = _FaceFile(hb_face)
        if file_content:
            return file_content
    return None
