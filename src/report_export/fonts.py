"""The theme's fonts on this machine: which files fontconfig picks, and which characters they have.

Every format that draws text with the theme's fonts (PDF, an EPUB with embedded fonts) asks
here, so "no tofu" means the same thing everywhere: each character of the document is in some
font of the stack it is set in, or the build stops and says where.
"""

from __future__ import annotations

import array
import bisect
import io
import itertools
import operator
import struct
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import assert_never

from . import fontconfig
from .css import GENERIC_FAMILIES
from .errors import ReportExportError
from .model import (
    Block,
    BlockQuote,
    BulletList,
    Code,
    Document,
    Emph,
    FootnoteRef,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    OrderedList,
    Paragraph,
    Strong,
    Table,
    Text,
    ThematicBreak,
    inline_text,
)
from .theme import Theme

FONTCONFIG_CHOICES = GENERIC_FAMILIES | {"sans", "mono"}
"""Names fontconfig answers with a face of its own choice, which is what renderers draw with:
CSS's generic families and fontconfig's own aliases."""

Role = str
"""Which font stack of the theme a run of text is set in: a face of the theme ("body",
"heading", "mono", "chrome" …), or the place whose face the theme chooses: "title",
"author", "h1" … (a heading of that level); see ``role_stack``."""

# Characters that take no glyph of their own: controls, format characters (ZWSP, ZWJ, soft
# hyphen, BOM) and variation selectors, which select a glyph of the character before them.
_NO_GLYPH_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _no_glyph(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) in _NO_GLYPH_CATEGORIES
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
    )


# --- fontconfig -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FontMatch:
    """What fontconfig answers for a family name: the file, the face in it, its family names."""

    path: Path
    index: int
    families: tuple[str, ...]

    def is_family(self, family: str) -> bool:
        """Whether this face really is ``family`` (fontconfig answers every name with something)."""
        wanted = family.casefold()
        return any(name.casefold() == wanted for name in self.families)


@lru_cache(maxsize=256)
def match_font(family: str, bold: bool = False, lang: str = "zh-cn") -> FontMatch:
    """fontconfig's best face for ``family`` (its answer for a generic name or an alias too).

    ``lang`` takes part in the match as it does when a renderer sets text of that language:
    without it the CJK fonts answer with their Japanese face.
    """
    weight = ":weight=bold" if bold else ""
    # A family name may hold a colon or a dash that fontconfig's pattern syntax would read.
    escaped = family.replace("\\", "\\\\").replace("-", "\\-").replace(":", "\\:")
    found = fontconfig.match(f"{escaped}:lang={lang}{weight}")
    if found is None:
        raise ReportExportError(f"fontconfig found no font for {family!r}")
    return FontMatch(path=found.file, index=found.index, families=found.families)


def installed_face(family: str, bold: bool = False, lang: str = "zh-cn") -> FontMatch | None:
    """The face of ``family`` installed here, or None: fontconfig answers every name with some
    font, which is not the family asked for. A generic name (serif, sans-serif) counts as the
    face fontconfig picks for it."""
    found = match_font(family, bold, lang)
    if family.casefold() in FONTCONFIG_CHOICES or found.is_family(family):
        return found
    return None


def font_file(family: str, bold: bool = False, lang: str = "zh-cn") -> tuple[Path, int]:
    """The font file of ``family`` and the face's index in it (a .ttc holds several faces).

    A named family that is not installed is an error rather than fontconfig's stand-in, so a
    caller that embeds or subsets the font gets the face it asked for or nothing.
    """
    found = installed_face(family, bold, lang)
    if found is None:
        offered = ", ".join(match_font(family, bold, lang).families)
        raise ReportExportError(f"font {family!r} is not installed (fontconfig offers {offered})")
    return found.path, found.index


def stack_faces(stack: Sequence[str], bold: bool = False, lang: str = "zh-cn") -> list[FontMatch]:
    """The installed faces of a font stack, in order, each once (see ``installed_face``)."""
    answers = [installed_face(family, bold, lang) for family in stack]
    faces: list[FontMatch] = []
    for found in answers:
        if found is not None and all((f.path, f.index) != (found.path, found.index) for f in faces):
            faces.append(found)
    return faces


def embeddable_family(stack: Sequence[str], bold: bool, lang: str) -> tuple[str, FontMatch]:
    """The first named family of a font stack installed here, and its face: what a format that
    carries its fonts embeds (a generic name is the reader's choice, not a font to embed)."""
    for family in stack:
        if family.casefold() not in FONTCONFIG_CHOICES:
            found = installed_face(family, bold, lang)
            if found is not None:
                return family, found
    raise ReportExportError(f"none of the fonts {', '.join(stack)} is installed")


def subset_font(path: Path, index: int, characters: Iterable[str]) -> tuple[bytes, str, str]:
    """A face of a font file cut down to ``characters``: (data, media type, CSS format)."""
    # fontTools is heavy: only builds that embed fonts pay for the import.
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # Keep the font's own date: recalculating it writes the clock into the output.
    font = TTFont(str(path), fontNumber=index, lazy=True, recalcTimestamp=False)
    options = subset.Options()
    # 'locl' swaps in the Japanese, Korean and Traditional forms of a CJK collection: it doubles
    # the glyph count, and this face already maps every character to its Simplified form.
    options.layout_features = [f for f in options.layout_features if f != "locl"]
    # Copyright, names, and the licence with its URL (names 13, 14), which the OFL asks to
    # travel with every copy of the font.
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.hinting = False  # e-readers rasterise CJK unhinted; hints only add bytes
    options.desubroutinize = True  # smaller once compressed, and faster to write
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({ord(c) for c in characters}))
    subsetter.subset(font)
    out = io.BytesIO()
    try:
        font.flavor = "woff2"
        font.save(out)
        return out.getvalue(), "font/woff2", "woff2"
    except ImportError:  # WOFF2 needs brotli; a plain OpenType file is larger but as good
        font.flavor = None
        out = io.BytesIO()
        font.save(out)
        if "CFF " in font or "CFF2" in font:
            return out.getvalue(), "font/otf", "opentype"
        return out.getvalue(), "font/ttf", "truetype"


# --- character maps ---------------------------------------------------------------------


class CodeRanges(AbstractSet[int]):
    """Code points as sorted, disjoint ranges (a face's 'cmap' is a few thousand of them): the
    tofu check asks it about a few hundred characters, where a set of every code point a CJK
    face maps (~45,000) took ~7 ms to build."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, starts: Sequence[int], ends: Sequence[int]) -> None:
        self._starts = starts
        self._ends = ends  # inclusive

    @classmethod
    def of(cls, codes: Iterable[int]) -> CodeRanges:
        """The ranges of any code points."""
        starts: list[int] = []
        ends: list[int] = []
        for code in sorted(set(codes)):
            if ends and code == ends[-1] + 1:
                ends[-1] = code
            else:
                starts.append(code)
                ends.append(code)
        return cls(starts, ends)

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, int):
            return False
        at = bisect.bisect_right(self._starts, code) - 1
        return at >= 0 and code <= self._ends[at]

    def __iter__(self) -> Iterator[int]:
        return itertools.chain.from_iterable(map(range, self._starts, (e + 1 for e in self._ends)))

    def __len__(self) -> int:
        return sum(self._ends) - sum(self._starts) + len(self._starts)

    def __bool__(self) -> bool:
        return bool(self._starts)


class StackCharset(AbstractSet[int]):
    """The code points some face of a font stack has: the union of the faces' ranges."""

    __slots__ = ("_faces",)

    def __init__(self, faces: Sequence[CodeRanges]) -> None:
        self._faces = faces

    def __contains__(self, code: object) -> bool:
        return any(code in face for face in self._faces)

    def __iter__(self) -> Iterator[int]:
        return iter(sorted(set(itertools.chain.from_iterable(self._faces))))

    def __len__(self) -> int:
        return len(set(itertools.chain.from_iterable(self._faces)))

    def __bool__(self) -> bool:  # without counting the union
        return any(self._faces)


@lru_cache(maxsize=32)
def font_charset(path: Path, index: int = 0) -> CodeRanges:
    """The code points face ``index`` of the font file at ``path`` maps to a glyph.

    Only the 'cmap' table is read, and its format 12/4 subtables are decoded directly: a CJK
    collection is ~20 MB, and letting fontTools build glyph names costs a quarter second a face.
    """
    # fontTools is heavy: only the builds that check fonts pay for the import.
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(str(path), fontNumber=index, lazy=True)
        try:
            raw = font.reader["cmap"]
            charset = _decode_cmap(raw)
            if charset is None:  # an unusual subtable format: let fontTools decode it
                charset = CodeRanges.of(font.getBestCmap() or {})
        finally:
            font.close()
    except (OSError, KeyError, struct.error, ValueError, TTLibError) as err:
        raise ReportExportError(
            f"cannot read the character map of {path} (face {index}): {err}"
        ) from None
    return charset


def _decode_cmap(raw: bytes) -> CodeRanges | None:
    """The code points of a Unicode 'cmap' subtable of format 12 or 4, or None for others."""
    _, count = struct.unpack_from(">HH", raw, 0)
    records = [struct.unpack_from(">HHI", raw, 4 + 8 * i) for i in range(count)]
    offsets = {(platform, encoding): offset for platform, encoding, offset in records}
    # Full-repertoire subtables first, as fontTools' getBestCmap prefers them.
    for key in ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3)):
        offset = offsets.get(key)
        if offset is None:
            continue
        (fmt,) = struct.unpack_from(">H", raw, offset)
        if fmt == 12:
            return _cmap_format12(raw, offset)
        if fmt == 4:
            return CodeRanges.of(_cmap_format4(raw, offset))
    return None


def _cmap_format12(raw: bytes, offset: int) -> CodeRanges:
    (groups,) = struct.unpack_from(">I", raw, offset + 12)
    # The groups' (start, end, first glyph) as C integers, unpacked and split without a loop.
    fields = array.array("I", raw[offset + 16 : offset + 16 + 12 * groups])
    if sys.byteorder == "little":
        fields.byteswap()
    starts, ends, glyphs = fields[0::3], fields[1::3], fields[2::3]
    if 0 in glyphs:
        # A group starting at glyph 0 maps its first character to .notdef: not a glyph.
        starts = array.array("I", (s + (g == 0) for s, g in zip(starts, glyphs, strict=True)))
    in_order = all(map(operator.le, starts, ends)) and all(map(operator.lt, ends, starts[1:]))
    if not in_order:  # groups out of order or overlapping (the format forbids it)
        return CodeRanges.of(
            itertools.chain.from_iterable(map(range, starts, (e + 1 for e in ends)))
        )
    return CodeRanges(starts, ends)


def _cmap_format4(raw: bytes, offset: int) -> set[int]:
    (seg_x2,) = struct.unpack_from(">H", raw, offset + 6)
    segs = seg_x2 // 2
    ends_at = offset + 14
    starts_at = ends_at + seg_x2 + 2  # past the reserved pad
    deltas_at = starts_at + seg_x2
    ranges_at = deltas_at + seg_x2
    codes: set[int] = set()
    for i in range(segs):
        (end,) = struct.unpack_from(">H", raw, ends_at + 2 * i)
        (start,) = struct.unpack_from(">H", raw, starts_at + 2 * i)
        (delta,) = struct.unpack_from(">h", raw, deltas_at + 2 * i)
        (range_offset,) = struct.unpack_from(">H", raw, ranges_at + 2 * i)
        for code in range(start, end + 1):
            if code == 0xFFFF:
                continue
            if range_offset == 0:
                glyph = (code + delta) & 0xFFFF
            else:
                where = ranges_at + 2 * i + range_offset + 2 * (code - start)
                (glyph,) = struct.unpack_from(">H", raw, where)
                if glyph:
                    glyph = (glyph + delta) & 0xFFFF
            if glyph:
                codes.add(code)
    return codes


def stack_charset(stack: Sequence[str], lang: str = "zh-cn") -> StackCharset:
    """Every code point some installed face of ``stack`` has (faces chosen as for ``lang``)."""
    return _stack_charset(tuple(stack), lang.lower())


@lru_cache(maxsize=16)
def _stack_charset(stack: tuple[str, ...], lang: str) -> StackCharset:
    return StackCharset(
        tuple(font_charset(face.path, face.index) for face in stack_faces(stack, lang=lang))
    )


# --- the document's characters ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextRun:
    """A piece of text the output draws: where it is (for messages), and in which font stack."""

    where: str
    role: Role
    text: str
    from_theme: bool = False
    """Text the theme gives (a page number format), not the source: a message names the theme."""


def document_runs(document: Document) -> Iterator[TextRun]:
    """Every piece of text a typeset document shows, in reading order, with its location.

    Locations name a heading by its text and count paragraphs, list items, table cells and
    footnotes, so a message leads the author to the spot.
    """
    yield TextRun("the title", "title", document.meta.title)
    if document.meta.author:
        yield TextRun("the author line", "author", document.meta.author)
    walker = _RunWalker()
    yield from walker.blocks(document.blocks)
    for number, note in enumerate(document.footnotes, start=1):
        walker.counts["paragraph"] = 0
        walker.place = f"footnote {number}"
        yield from walker.blocks(note.children)


class _RunWalker:
    def __init__(self) -> None:
        self.place = "the body"
        self.counts: dict[str, int] = {}

    def count(self, kind: str) -> str:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return f"{kind} {self.counts[kind]} of {self.place}"

    def blocks(self, blocks: Iterable[Block]) -> Iterator[TextRun]:
        for block in blocks:
            yield from self.block(block)

    def block(self, block: Block) -> Iterator[TextRun]:
        match block:
            case Heading(children=children, id=ident, level=level):
                text = inline_text(children)
                self.place = f'section {ident} "{text[:20]}"'
                self.counts = {}
                yield from self.inlines(f"the heading of section {ident}", f"h{level}", children)
            case Paragraph(children=children):
                yield from self.inlines(self.count("paragraph"), "body", children)
            case BulletList(items=items) | OrderedList(items=items):
                for item in items:
                    where = self.count("list item")
                    for child in item:
                        if isinstance(child, Paragraph):
                            yield from self.inlines(where, "body", child.children)
                        else:
                            yield from self.block(child)
            case BlockQuote(children=children):
                yield from self.blocks(children)
            case Table(header=header, rows=rows):
                table = self.count("table")
                for row_number, row in enumerate((header, *rows)):
                    line = f"row {row_number}" if row_number else "the header row"
                    for column, cell in enumerate(row, start=1):
                        where = f"{table}, {line}, column {column}"
                        yield from self.inlines(where, "body", cell.children)
            case Image(title=title):
                if title:
                    yield TextRun(f"the caption of {self.count('figure')}", "body", title)
            case ThematicBreak():
                return
            case _:
                assert_never(block)

    def inlines(self, where: str, role: Role, inlines: Sequence[Inline]) -> Iterator[TextRun]:
        for inline in inlines:
            match inline:
                case Text(text=text):
                    yield TextRun(where, role, text)
                case Code(text=text):
                    yield TextRun(where, "mono", text)
                case Emph(children=children) | Strong(children=children) | Link(children=children):
                    yield from self.inlines(where, role, children)
                case FootnoteRef() | LineBreak():
                    continue
                case _:
                    assert_never(inline)


def role_stack(theme: Theme, role: Role) -> tuple[str, ...]:
    """The theme's font stack for text of ``role``."""
    headings = theme.headings
    if role == "title":
        return theme.face_stack(headings.title_face)
    if role == "author":
        return theme.face_stack(headings.author_face)
    if role.startswith("h") and role[1:].isdigit():
        return theme.face_stack(theme.heading_face(int(role[1:])))
    return theme.face_stack(role)


def check_first_font(theme: Theme, stack: Sequence[str], lang: str) -> None:
    """Fail when the first font a theme's stack names is not installed: the fonts after it are
    there for the characters it lacks, never to stand in for it unsaid."""
    family = next((f for f in stack if f.casefold() not in FONTCONFIG_CHOICES), None)
    if family is None or installed_face(family, lang=lang) is not None:
        return
    package = theme.fonts.package(family)
    source = f" (install {package})" if package else ""
    raise ReportExportError(f"font {family!r} of the theme is not installed{source}", theme.path)


def check_coverage(document: Document, theme: Theme, extra: Iterable[TextRun] = ()) -> None:
    """Fail on the first character no installed font of its stack has (it would print as tofu).

    ``extra`` is text the format adds itself (running heads, page number formats, labels).
    """
    lang = document.meta.lang.lower()
    charsets: dict[Role, StackCharset] = {}
    # The characters of each role found in its fonts: a long report repeats the same few
    # thousand, and a set lookup is cheaper than the ranges' search.
    passed: dict[Role, set[str]] = {}
    for run in (*document_runs(document), *extra):
        charset = charsets.get(run.role)
        if charset is None:
            stack = role_stack(theme, run.role)
            check_first_font(theme, stack, lang)
            charset = charsets[run.role] = stack_charset(stack, lang)
            if not charset:
                raise ReportExportError(
                    f"none of the {run.role} fonts of the theme is installed: {', '.join(stack)}",
                    theme.path,
                )
        seen = passed.setdefault(run.role, set())
        fresh = set(run.text) - seen
        if all(ord(char) in charset or _no_glyph(char) for char in fresh):
            seen |= fresh
            continue
        for at, char in enumerate(run.text):
            if ord(char) in charset or _no_glyph(char):
                continue
            context = run.text[max(0, at - 8) : at + 9].replace("\n", " ")
            faces = stack_faces(role_stack(theme, run.role), lang=lang)
            names = ", ".join(face.families[0] for face in faces)
            path = theme.path if run.from_theme else document.source
            raise ReportExportError(
                f"U+{ord(char):04X} {char!r} ({unicodedata.name(char, 'unnamed')}) is in none "
                f"of the theme's {run.role} fonts ({names}): in {run.where}: “{context}”",
                path,
                None if path is None else first_line_with(path, char),
            )


def first_line_with(path: Path, char: str) -> int | None:
    """The number of the first line of the file at ``path`` that holds ``char`` (after the
    reader's NFC), or None. The model keeps no source lines; a character no font has is rare
    enough to look for in the file again when one is found."""
    try:
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    at = text.find(char)
    return None if at < 0 else text.count("\n", 0, at) + 1
