"""The book's CSS: ``styles/epub.css`` filled from the theme, in ems of the reader's text size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ...css import css_escape, css_font_stack, fill_template, screen_tokens
from ...resources import styles_dir
from ...theme import Theme

if TYPE_CHECKING:
    from .embedded_fonts import EmbeddedFont

CSS_TEMPLATE = styles_dir() / "epub.css"
"""The stylesheet, a ``string.Template`` filled from the theme's tokens."""
FONT_FACE_TEMPLATE = styles_dir() / "epub-font-face.css"
"""One ``@font-face`` rule of an embedded font, a ``string.Template``."""


def stylesheet(theme: Theme, fonts: Sequence[EmbeddedFont] = ()) -> str:
    """The book's CSS: ``styles/epub.css`` filled from the theme, then the theme's own CSS."""

    def stack(face: str) -> str:
        """A face's CSS stack, its embedded subset (if any) first."""
        embedded = list(dict.fromkeys(f.css_family for f in fonts if face in f.faces))
        return css_font_stack([*embedded, *theme.face_stack(face)])

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
    tokens = {"font_faces": faces, **screen_tokens(theme, stack)}
    css = fill_template(CSS_TEMPLATE, tokens)
    if theme.css is not None:
        css += "\n/* The theme's own CSS */\n" + theme.css.read_text(encoding="utf-8")
    return css
