"""The theme's body and heading fonts inside the book (``--embed-fonts``), each subset to the
characters it sets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from ...errors import ReportExportError
from ...theme import Theme

XHTML_NS = "http://www.w3.org/1999/xhtml"

_HEADING_FONT_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "th")
# Readers draw list numbers and the like in the text's font too.
_ALWAYS_EMBEDDED = "".join(chr(c) for c in range(0x20, 0x7F))
_EXTENSIONS = {"woff2": ".woff2", "opentype": ".otf", "truetype": ".ttf"}


@dataclass(frozen=True, slots=True)
class EmbeddedFont:
    """A subset font file inside the book and the CSS family name it goes by."""

    role: str
    """"body" or "heading": the theme stack it goes in front of."""
    css_family: str
    weight: str
    file_name: str
    media_type: str
    css_format: str
    data: bytes


def page_text(pages: Iterable[str]) -> tuple[str, str]:
    """All text of XHTML pages, and the text they set in the heading font (h1-h6, th)."""
    everything: list[str] = []
    headings: list[str] = []
    for page in pages:
        root = etree.fromstring(page.encode("utf-8"))
        everything.extend(str(text) for text in root.itertext())
        for element in root.iter(*(f"{{{XHTML_NS}}}{tag}" for tag in _HEADING_FONT_TAGS)):
            headings.extend(str(text) for text in element.itertext())
    return "".join(everything), "".join(headings)


def embedded_fonts(
    pages: Sequence[str], nav_text: str, theme: Theme, lang: str
) -> list[EmbeddedFont]:
    """The theme's body font and (bold) heading font, each cut to the characters it sets in
    ``pages`` and the navigation (``nav_text``)."""
    # Here, not at the top: fontconfig's bindings (ctypes) and fontTools are only for a book
    # that embeds its fonts, not for every EPUB build.
    from ...fonts import embeddable_family, subset_font

    text, heading_text = page_text(pages)
    fonts = []
    for role, stack, weight, chars in (
        ("body", theme.fonts.body, "normal", text + nav_text),
        ("heading", theme.fonts.heading, "bold", heading_text + nav_text),
    ):
        try:
            family, face = embeddable_family(stack, weight == "bold", lang.lower())
        except ReportExportError as err:
            raise ReportExportError(f"--embed-fonts: {err.message}", theme.path) from None
        data, media_type, css_format = subset_font(face.path, face.index, chars + _ALWAYS_EMBEDDED)
        fonts.append(
            EmbeddedFont(
                role=role,
                css_family=f"{family} {role.title()} Subset",
                weight=weight,
                file_name=f"fonts/{role}{_EXTENSIONS[css_format]}",
                media_type=media_type,
                css_format=css_format,
                data=data,
            )
        )
    return fonts
