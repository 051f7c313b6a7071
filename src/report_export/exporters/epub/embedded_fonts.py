"""The theme's fonts inside the book (``--embed-fonts``): every face the stylesheet names for
text the book has (body, each heading level's face, the title's, table heads), each cut to
the characters it sets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ...errors import ReportExportError
from ...fonts import FontMatch, embeddable_family, subset_font
from ...synthetic_bold import bold_face
from ...theme import Theme

XHTML_NS = "http://www.w3.org/1999/xhtml"

# Readers draw list numbers and the like in the text's font too.
_ALWAYS_EMBEDDED = "".join(chr(c) for c in range(0x20, 0x7F))
_EXTENSIONS = {"woff2": ".woff2", "opentype": ".otf", "truetype": ".ttf"}

FaceUse = tuple[str, bool]
"""A face of the theme ("body", "heading", "kai", "title" …) and whether it is set bold."""


@dataclass(frozen=True, slots=True)
class EmbeddedFont:
    """A subset font file inside the book and the CSS family name it goes by."""

    faces: tuple[str, ...]
    """The theme's faces whose CSS stacks it goes in front of."""
    css_family: str
    weight: str
    """The ``@font-face`` weight: "bold" only for a real bold face. A face with no bold (仿宋,
    楷体) set bold is its regular file, which the reader emboldens."""
    file_name: str
    media_type: str
    css_format: str
    data: bytes


def face_texts(pages: Iterable[str], nav_text: str, theme: Theme) -> dict[FaceUse, str]:
    """The text each face sets in XHTML ``pages`` and the navigation, as ``styles/epub.css``
    gives the faces: the body everything, h2-h6 their level's face, the title its own, and
    other h1 and table heads the bold heading face."""
    texts: dict[FaceUse, list[str]] = {("body", False): [nav_text], ("heading", True): [nav_text]}
    for page in pages:
        root = etree.fromstring(page.encode("utf-8"))
        texts["body", False].extend(str(text) for text in root.itertext())
        for element in root.iter(*(f"{{{XHTML_NS}}}{tag}" for tag in _FACE_TAGS)):
            use = _element_face(element, theme)
            texts.setdefault(use, []).extend(str(text) for text in element.itertext())
    return {use: "".join(parts) for use, parts in texts.items()}


_FACE_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "th")


def _element_face(element: etree._Element, theme: Theme) -> FaceUse:
    tag = etree.QName(element).localname
    if tag == "h1" and "title" in str(element.get("class", "")).split():
        return theme.headings.title_face, theme.headings.title_bold
    if tag in ("h1", "th"):
        return "heading", True
    # A model heading of level L is <h{L+1}>.
    level = int(tag[1]) - 1
    return theme.heading_face(level), theme.heading_bold(level)


@dataclass(slots=True)
class _File:
    """One installed face and what the book sets in it."""

    family: str
    weight: str
    name: str
    faces: list[str] = field(default_factory=list)
    chars: set[str] = field(default_factory=set)


def embedded_fonts(
    pages: Sequence[str], nav_text: str, theme: Theme, lang: str
) -> list[EmbeddedFont]:
    """Each installed face the book's text is set in, cut to the characters it sets in
    ``pages`` and the navigation (``nav_text``); faces that come to the same font file share
    it."""
    files: dict[tuple[Path, int], _File] = {}
    for (face, bold), text in face_texts(pages, nav_text, theme).items():
        family, match = _installed(theme, face, bold, lang)
        weight = "bold" if bold and _is_bold(match) else "normal"
        found = files.setdefault(
            (match.path, match.index),
            _File(family, weight, face if weight == "normal" else f"{face}-bold"),
        )
        if face not in found.faces:
            found.faces.append(face)
        found.chars.update(text)
    fonts = []
    for (path, index), found in files.items():
        data, media_type, css_format = subset_font(
            path, index, "".join(sorted(found.chars)) + _ALWAYS_EMBEDDED
        )
        fonts.append(
            EmbeddedFont(
                faces=tuple(found.faces),
                css_family=f"{found.family} Subset",
                weight=found.weight,
                file_name=f"fonts/{found.name}{_EXTENSIONS[css_format]}",
                media_type=media_type,
                css_format=css_format,
                data=data,
            )
        )
    return fonts


def _installed(theme: Theme, face: str, bold: bool, lang: str) -> tuple[str, FontMatch]:
    try:
        return embeddable_family(theme.face_stack(face), bold, lang.lower())
    except ReportExportError as err:
        raise ReportExportError(f"--embed-fonts: {err.message}", theme.path) from None


def _is_bold(match: FontMatch) -> bool:
    return bold_face(match.path.read_bytes(), match.index)
