"""fontconfig's answer for a font pattern, asked in process rather than through ``fc-match``.

The system's own ``libfontconfig.so.1`` (the library Pango and so WeasyPrint ask) is called
through ctypes with the steps ``fc-match`` takes: parse the pattern, apply the configuration's
substitutions and the defaults, match. A process a family cost ~10 ms; a match here is
~0.1 ms once the configuration is loaded. Hand-written because the PyPI bindings either bundle
a fontconfig of their own (which could answer differently from the renderer's) or compile
against the development headers; six functions of a stable C API are all this needs.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import ReportExportError

_MATCH_PATTERN = 0  # FcMatchPattern
_RESULT_MATCH = 0  # FcResultMatch


@dataclass(frozen=True, slots=True)
class Match:
    """The face fontconfig picks: its file, its index in the file, its family names."""

    file: Path
    index: int
    families: tuple[str, ...]


class _Library:
    def __init__(self) -> None:
        try:
            lib = ctypes.CDLL("libfontconfig.so.1")
        except OSError as err:
            raise ReportExportError(
                f"fontconfig (libfontconfig.so.1) is not installed; it finds the theme's fonts: "
                f"{err}"
            ) from None
        pattern = ctypes.c_void_p
        lib.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
        lib.FcNameParse.restype = pattern
        lib.FcNameParse.argtypes = [ctypes.c_char_p]
        lib.FcConfigSubstitute.argtypes = [ctypes.c_void_p, pattern, ctypes.c_int]
        lib.FcDefaultSubstitute.argtypes = [pattern]
        lib.FcFontMatch.restype = pattern
        lib.FcFontMatch.argtypes = [ctypes.c_void_p, pattern, ctypes.POINTER(ctypes.c_int)]
        lib.FcPatternGetString.argtypes = [
            pattern,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_char_p),
        ]
        lib.FcPatternGetInteger.argtypes = [
            pattern,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_int),
        ]
        lib.FcPatternDestroy.argtypes = [pattern]
        self.lib = lib
        # One configuration for the process, as fc-match loads one for its run; fontconfig's
        # calls on one configuration are not safe from several threads at once.
        self.config = lib.FcInitLoadConfigAndFonts()
        self.lock = threading.Lock()

    def match(self, pattern_text: str) -> Match | None:
        lib = self.lib
        with self.lock:
            pattern = lib.FcNameParse(pattern_text.encode("utf-8"))
            if not pattern:
                return None
            try:
                lib.FcConfigSubstitute(self.config, pattern, _MATCH_PATTERN)
                lib.FcDefaultSubstitute(pattern)
                result = ctypes.c_int()
                found = lib.FcFontMatch(self.config, pattern, ctypes.byref(result))
            finally:
                lib.FcPatternDestroy(pattern)
            if not found:
                return None
            try:
                return self._read(found)
            finally:
                lib.FcPatternDestroy(found)

    def _read(self, found: int) -> Match | None:
        lib = self.lib
        text = ctypes.c_char_p()
        if lib.FcPatternGetString(found, b"file", 0, ctypes.byref(text)) != _RESULT_MATCH:
            return None
        file = Path((text.value or b"").decode("utf-8", "surrogateescape"))
        number = ctypes.c_int()
        has_index = lib.FcPatternGetInteger(found, b"index", 0, ctypes.byref(number))
        families: list[str] = []
        while lib.FcPatternGetString(found, b"family", len(families), ctypes.byref(text)) == 0:
            families.append((text.value or b"").decode("utf-8", "replace"))
        index = number.value if has_index == _RESULT_MATCH else 0
        return Match(file, index, tuple(families))


@cache
def _library() -> _Library:
    return _Library()


def match(pattern: str) -> Match | None:
    """fontconfig's best face for a pattern in its syntax (``Noto Serif CJK SC:lang=zh-cn``),
    as ``fc-match PATTERN`` answers it; None when nothing matches."""
    return _library().match(pattern)
