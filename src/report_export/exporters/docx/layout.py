"""Every measure the DOCX takes from the theme, in points, in one place.

The PDF is the reference: its stylesheet (styles/print.css) turns the same tokens into sizes,
spacing and colours, and the values derived here follow it so the DOCX opens as the PDF's twin.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...theme import PT_PER_MM, Theme

# The PDF stylesheet's colours: the theme has no colour tokens, print.css sets these.
TEXT = "1A1A1A"
MUTED = "333333"
CHROME = "555555"
RULE = "999999"
LINK = "1D4F91"
CODE_BACKGROUND = "F2F2F2"
TABLE_RULE = "222222"
QUOTE_RULE = "C8C8C8"

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

    @property
    def first_line_indent(self) -> float:
        return self.theme.text.first_line_indent_chars * self.body

    @property
    def small(self) -> float:
        """Tables and captions (五号 beside a 小四 body)."""
        return _half_points(self.body * 0.875)

    @property
    def note(self) -> float:
        """Footnotes (小五 beside a 小四 body)."""
        return _half_points(self.body * 0.75)

    @property
    def chrome(self) -> float:
        """The running head and the page number."""
        return 9.0

    @property
    def author(self) -> float:
        return self.body

    @property
    def block_space(self) -> float:
        """Space after a block that is not a paragraph (table, figure, quote)."""
        return max(self.theme.text.paragraph_spacing_pt, self.body * 0.6)

    @property
    def title_space_after(self) -> float:
        return self.theme.headings.title_size_pt * 1.5

    @property
    def align(self) -> str:
        return ALIGN[self.theme.text.align]

    @property
    def body_font(self) -> str:
        return self.theme.fonts.body[0]

    @property
    def heading_font(self) -> str:
        return self.theme.fonts.heading[0]

    @property
    def mono_font(self) -> str:
        return self.theme.fonts.mono[0]

    @property
    def text_width(self) -> float:
        return self.theme.text_width_pt

    @property
    def text_height(self) -> float:
        page = self.theme.page
        return (page.height_mm - page.margin_top_mm - page.margin_bottom_mm) * PT_PER_MM

    @property
    def list_hanging(self) -> float:
        """Room for a list marker ("10." included) left of the item's text."""
        return 1.5 * self.body

    def list_indent(self, level: int) -> float:
        """Where the text of a list item at ``level`` (0: outermost) starts: 2em a level."""
        return 2 * self.body * (level + 1)

    @property
    def figure_max_height(self) -> float:
        """The tallest a figure may be and still leave room for its caption on the page."""
        return min(170 * PT_PER_MM, self.text_height - 4 * self.line)


def _half_points(value: float) -> float:
    """A size Word can hold: font sizes are whole half-points."""
    return round(value * 2) / 2


def mm(value: float) -> float:
    """Millimetres in points."""
    return value * PT_PER_MM
