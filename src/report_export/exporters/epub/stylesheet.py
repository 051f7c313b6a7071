"""The book's CSS: ``styles/epub.css`` filled from the theme, in ems of the reader's text size."""

from __future__ import annotations

from collections.abc import Sequence

from ...css import (
    NOTE_LIST_ROOTS,
    color_tokens,
    css_escape,
    css_font_stack,
    fill_template,
    heading_face_tokens,
    heading_tokens,
    list_rules,
    table_rules,
)
from ...resources import styles_dir
from ...theme import Theme
from .embedded_fonts import EmbeddedFont

CSS_TEMPLATE = styles_dir() / "epub.css"
"""The stylesheet, a ``string.Template`` filled from the theme's tokens."""
FONT_FACE_TEMPLATE = styles_dir() / "epub-font-face.css"
"""One ``@font-face`` rule of an embedded font, a ``string.Template``."""


def _em(points: float, body_pt: float) -> str:
    return f"{points / body_pt:.4g}"


def stylesheet(theme: Theme, fonts: Sequence[EmbeddedFont] = ()) -> str:
    """The book's CSS: ``styles/epub.css`` filled from the theme, then the theme's own CSS."""
    size = theme.text.size_pt
    body_stack = [*(f.css_family for f in fonts if f.role == "body"), *theme.fonts.body]
    heading_stack = [*(f.css_family for f in fonts if f.role == "heading"), *theme.fonts.heading]
    faces = "\n".join(
        fill_template(
            FONT_FACE_TEMPLATE,
            {
                # The template quotes the name.
                "family": css_escape(font.css_family),
                "weight": font.weight,
                "href": "../" + font.file_name,
                "format": font.css_format,
            },
        )
        for font in fonts
    )
    body_fonts, heading_fonts = css_font_stack(body_stack), css_font_stack(heading_stack)
    tokens: dict[str, str] = {
        "font_faces": faces,
        "body_fonts": body_fonts,
        "heading_fonts": heading_fonts,
        "mono_fonts": css_font_stack(theme.fonts.mono),
        "line_height": f"{theme.text.line_height:g}",
        "text_align": theme.text.align,
        "text_indent": f"{theme.text.first_line_indent_chars:g}",
        "paragraph_spacing": _em(theme.text.paragraph_spacing_pt, size),
        "title_size": _em(theme.headings.title_size_pt, size),
        "table_size": _em(theme.small_size_pt, size),
        "list_rules": list_rules(theme, NOTE_LIST_ROOTS),
        "table_rules": table_rules(theme),
        **heading_tokens(theme, lambda points: _em(points, size)),
        **heading_face_tokens(theme, {"heading": heading_fonts, "body": body_fonts}),
        **color_tokens(theme),
    }
    css = fill_template(CSS_TEMPLATE, tokens)
    if theme.css is not None:
        css += "\n/* The theme's own CSS */\n" + theme.css.read_text(encoding="utf-8")
    return css
