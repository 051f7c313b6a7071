"""Every measure and colour the DOCX takes from the theme, in points and Word's form, in one
place.

The theme holds the facts (its tokens, and the sizes derived from them); the PDF's stylesheet
and this module each write them in their format's terms, so the DOCX opens as the PDF's twin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from ...theme import PT_PER_MM, ColorTokens, Theme

ALIGN = {"left": "left", "justify": "both", "center": "center", "right": "right"}
"""Theme alignments as ``w:jc`` values."""

LIST_STYLE_LEVELS = 5
"""Word's built-in list styles go to level 5 (List Bullet 5, List Number 5, List Continue 5)."""


@dataclass(frozen=True, slots=True)
class Layout:
    """The theme's tokens as the DOCX uses them (lengths in points)."""

    theme: Theme

    @property
    def body(self) -> float:
        return self.theme.text.size_pt

    @property
    def line(self) -> float:
        """Body leading as a line height in points (CSS line-height x font size)."""
        return self.theme.text.line_height * self.body

    def leading(self, points: float) -> tuple[float, str]:
        """A paragraph's line spacing (``line``, ``line_rule`` of ``ooxml.ppr``): at least
        ``points``, or single on a line grid, where Word and LibreOffice give each line as many
        grid lines as it needs (more than single stretches a 3号 line over two)."""
        return (1, "auto") if self.theme.line_grid else (points, "atLeast")

    @property
    def char_spacing(self) -> int:
        """Character spacing of the text in twentieths of a point (``w:spacing``), so that a
        full line of ``chars_per_line`` fits the text block: 0, or the whole twentieths that
        take away at least what the block is too narrow for. (Word's character grid,
        ``linesAndChars`` with a negative ``w:charSpace``, would say it in Word, but
        LibreOffice 7.4 gives every character wider than a grid cell two cells: 14 characters
        a line; see ``package._doc_grid``.)"""
        theme = self.theme
        chars = theme.page.chars_per_line
        slack = theme.text_width_pt - chars * self.body
        if slack >= 0:
            return 0
        return math.floor(slack / chars * 20)

    @property
    def first_line_indent(self) -> float:
        return self.theme.first_line_indent_pt

    @property
    def small(self) -> float:
        """Tables and captions."""
        return _half_points(self.theme.small_size_pt)

    @property
    def note(self) -> float:
        """Footnotes."""
        return _half_points(self.theme.note_size_pt)

    @property
    def chrome(self) -> float:
        """The running head."""
        return _half_points(self.theme.chrome_size_pt)

    @property
    def page_number_size(self) -> float:
        return _half_points(self.theme.footer.size_pt)

    @property
    def author(self) -> float:
        return self.body

    @property
    def block_space(self) -> float:
        """Space after a block that is not a paragraph (table, figure, quote)."""
        return self.theme.block_space_pt

    @property
    def title_space_after(self) -> float:
        return self.theme.title_space_after_pt

    @property
    def colors(self) -> ColorTokens:
        """The theme's colours as Word writes them (``RRGGBB``)."""
        colors = self.theme.colors
        return ColorTokens(
            **{spec.name: word_color(getattr(colors, spec.name)) for spec in fields(colors)}
        )

    @property
    def align(self) -> str:
        return ALIGN[self.theme.text.align]

    @property
    def body_font(self) -> str:
        return self.theme.fonts.body[0]

    @property
    def heading_font(self) -> str:
        return self.theme.fonts.heading[0]

    def face(self, face: str) -> str:
        """The font of one of the theme's faces ("heading", "body", "kai" …): its first."""
        return self.theme.face_stack(face)[0]

    @property
    def mono_font(self) -> str:
        return self.theme.fonts.mono[0]

    @property
    def text_width(self) -> float:
        return self.theme.text_width_pt

    @property
    def list_hanging(self) -> float:
        """Room for a list marker ("10." included) left of the item's text."""
        return 1.5 * self.body

    def list_indent(self, level: int) -> float:
        """Where the text of a list item at ``level`` (0: outermost) starts: 2em a level."""
        return 2 * self.body * (level + 1)


def _half_points(value: float) -> float:
    """A size Word can hold: font sizes are whole half-points."""
    return round(value * 2) / 2


def word_color(css: str) -> str:
    """A CSS hex colour (``#rgb``, ``#rrggbb``) as Word writes it: ``RRGGBB``."""
    digits = css.removeprefix("#")
    if len(digits) == 3:
        digits = "".join(2 * digit for digit in digits)
    return digits.upper()


def mm(value: float) -> float:
    """Millimetres in points."""
    return value * PT_PER_MM
