"""Themes: one TOML file of design tokens that every format reads.

A theme is a TOML file, given by path or by name: ``NAME`` is ``styles/NAME.toml`` in the
source's folder if there is one (a project's own themes), else a built-in theme. A theme may
name extra CSS (``css = "file.css"``, beside the theme) that HTML-based formats add on top of
what they generate from the tokens. This module alone reads and validates a theme: a wrong key
or value is an error naming the theme file.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

from .errors import ReportExportError
from .list_markers import OrderedMarker, parse_marker
from .resources import styles_dir

PT_PER_MM = 72 / 25.4


@dataclass(frozen=True, slots=True)
class PageTokens:
    """Page size and margins; the side margins follow from the character grid."""

    width_mm: float
    height_mm: float
    margin_top_mm: float
    margin_bottom_mm: float
    chars_per_line: int


@dataclass(frozen=True, slots=True)
class FontTokens:
    """Font stacks, Simplified Chinese faces first."""

    body: tuple[str, ...]
    heading: tuple[str, ...]
    mono: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TextTokens:
    """Body text: size, leading, indent, spacing and alignment."""

    size_pt: float
    line_height: float
    first_line_indent_chars: float
    paragraph_spacing_pt: float
    align: str


@dataclass(frozen=True, slots=True)
class HeadingTokens:
    """Title and heading sizes and spacing; index 0 is level 1."""

    title_size_pt: float
    sizes_pt: tuple[float, ...]
    faces: tuple[str, ...]
    """Each level's face: "heading" (the heading stack) or "body" (the body stack), bold."""
    space_before_pt: tuple[float, ...]
    space_after_pt: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class ListTokens:
    """The list scheme, level by level (0 the outermost; deeper levels take the last given).

    A level of ``ordered`` is the marker of its first item, one counter glyph between
    punctuation: "1.", "(1)", "①", "一、", "（一）", "a)", "i." (see ``list_markers``). A list's
    level counts every list around it, bulleted or ordered."""

    ordered: tuple[str, ...]
    bullets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TableTokens:
    """How tables are ruled, the same in every format."""

    rules: str
    """"three-line" (a rule above and below the table and one under its header, as Chinese
    reports set them) or "grid" (every cell framed)."""
    outer_rule_pt: float
    """The rules above and below the table (its frame, in a grid)."""
    inner_rule_pt: float
    """The rule under the header (and between cells, in a grid)."""


@dataclass(frozen=True, slots=True)
class HeaderTokens:
    """The running head: "title" shows the document title from page 2 on, "" shows none."""

    running_head: str


@dataclass(frozen=True, slots=True)
class FooterTokens:
    """The footer: a page number format with {page} and {pages}."""

    page_number: str


@dataclass(frozen=True, slots=True)
class ColorTokens:
    """Colours, as CSS hex (``#rgb`` or ``#rrggbb``); every format sets the same ones."""

    text: str
    """Body text and footnotes."""
    muted: str
    """The author line, quotations and captions."""
    chrome: str
    """The running head and the page number."""
    rule: str
    """Thin rules: under the running head, the thematic break, above the footnotes (DOCX)."""
    note_rule: str
    """The short rule above a page's footnotes (PDF)."""
    screen_rule: str
    """Rules on a screen (EPUB, web page): table borders, the thematic break, the contents'
    frame."""
    link: str
    code_background: str
    table_rule: str
    """The three rules of a table."""
    quote_rule: str
    """The bar beside a quotation."""
    # The web page's own colours. Each has a default, so a theme written before them holds.
    paper: str = "#ffffff"
    """The background of a page on a screen (paper is white)."""
    table_head: str = "#f2f2f2"
    """The background of a table's header cells on a screen."""
    highlight: str = "#fff2b3"
    """The note, or the call of a note, that a link has just led to."""
    dark_text: str = "#e4e4e4"
    """Body text when the reader's screen asks for dark colours (``prefers-color-scheme``)."""
    dark_muted: str = "#c8c8c8"
    dark_paper: str = "#161616"
    dark_link: str = "#8cb4ff"
    dark_rule: str = "#555555"
    dark_table_head: str = "#262626"
    dark_highlight: str = "#4a4020"


@dataclass(frozen=True, slots=True)
class Theme:
    """A validated theme."""

    name: str
    path: Path
    page: PageTokens
    fonts: FontTokens
    text: TextTokens
    headings: HeadingTokens
    header: HeaderTokens
    footer: FooterTokens
    colors: ColorTokens
    lists: ListTokens
    tables: TableTokens
    css: Path | None = None
    """Extra CSS for HTML-based formats, added after the generated CSS."""

    @property
    def text_width_pt(self) -> float:
        """Width of the text block: a whole number of body characters."""
        return self.page.chars_per_line * self.text.size_pt

    @property
    def side_margin_pt(self) -> float:
        """Left and right margins, equal, from the page width and the character grid."""
        return (self.page.width_mm * PT_PER_MM - self.text_width_pt) / 2

    @property
    def text_height_pt(self) -> float:
        """Height of the text block: the page less its top and bottom margins."""
        page = self.page
        return (page.height_mm - page.margin_top_mm - page.margin_bottom_mm) * PT_PER_MM

    @property
    def figure_max_height_pt(self) -> float:
        """The tallest an image may be set: the text block, less room for a two-line caption
        and the figure's spaces, so a figure never runs past its page."""
        return self.text_height_pt - 4 * self.text.size_pt * max(self.text.line_height, 1.0)

    @property
    def small_size_pt(self) -> float:
        """Tables and captions: 五号 beside a 小四 body."""
        return self.text.size_pt * 0.875

    @property
    def note_size_pt(self) -> float:
        """Footnotes: 小五 beside a 小四 body."""
        return self.text.size_pt * 0.75

    @property
    def chrome_size_pt(self) -> float:
        """The running head and the page number."""
        return 9.0

    @property
    def block_space_pt(self) -> float:
        """Space after a block that is not a paragraph (table, figure, quotation)."""
        return max(self.text.paragraph_spacing_pt, self.text.size_pt * 0.6)

    @property
    def title_space_after_pt(self) -> float:
        """Space between the title block and the text."""
        return self.headings.title_size_pt * 1.5

    def heading_size_pt(self, level: int) -> float:
        """Font size of a heading of ``level`` (deeper levels take the last size given)."""
        sizes = self.headings.sizes_pt
        return sizes[min(level, len(sizes)) - 1]

    def heading_face(self, level: int) -> str:
        """The face of a heading of ``level``: "heading" or "body"."""
        faces = self.headings.faces
        return faces[min(level, len(faces)) - 1]

    def ordered_marker(self, level: int) -> OrderedMarker:
        """The ordered-list marker of list ``level`` (0: outermost)."""
        scheme = self.lists.ordered
        return parse_marker(scheme[min(level, len(scheme) - 1)])

    def bullet(self, level: int) -> str:
        """The bullet of list ``level`` (0: outermost)."""
        bullets = self.lists.bullets
        return bullets[min(level, len(bullets) - 1)]

    def heading_space_pt(self, level: int) -> tuple[float, float]:
        """Space before and after a heading of ``level``."""
        before, after = self.headings.space_before_pt, self.headings.space_after_pt
        return before[min(level, len(before)) - 1], after[min(level, len(after)) - 1]


_SECTIONS: dict[str, type] = {
    "page": PageTokens,
    "fonts": FontTokens,
    "text": TextTokens,
    "headings": HeadingTokens,
    "header": HeaderTokens,
    "footer": FooterTokens,
    "colors": ColorTokens,
    "lists": ListTokens,
    "tables": TableTokens,
}
_ALIGNMENTS = ("left", "justify", "center", "right")
MAX_TOKEN = 2000.0
"""The largest number a theme may give (a page of 2 m, a font of 2,000 pt)."""
MIN_LINES = 5
"""Body lines the text block of a page must hold at least."""
_FACES = ("heading", "body")
_TABLE_RULES = ("three-line", "grid")
MAX_BULLET = 3
"""The most characters a bullet may have."""
_CSS_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


def _theme_folders(source_dir: Path | None) -> list[Path]:
    """Where a theme name is looked up, first to last."""
    local = [source_dir / "styles"] if source_dir is not None else []
    return [*local, styles_dir()]


def resolve_theme(name_or_path: str, source_dir: Path | None = None) -> Path:
    """A theme name or a path to a theme file -> the theme file.

    A name is looked up in ``source_dir/styles/`` first (when given), then among the built-in
    themes; a name found in neither resolves to the built-in folder, for the error to name.
    """
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.parent != Path("."):
        return candidate
    folders = _theme_folders(source_dir)
    found = (folder / f"{name_or_path}.toml" for folder in folders)
    return next((path for path in found if path.is_file()), folders[-1] / f"{name_or_path}.toml")


def load_theme(name_or_path: str = "default", source_dir: Path | None = None) -> Theme:
    """Load and validate a theme by name (see ``resolve_theme``) or path."""
    path = resolve_theme(name_or_path, source_dir)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        names = {p.stem for folder in _theme_folders(source_dir) for p in folder.glob("*.toml")}
        raise ReportExportError(
            f"no such theme (themes: {', '.join(sorted(names))})", path
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ReportExportError(f"invalid theme: {err}", path) from None
    except OSError as err:
        raise ReportExportError(f"cannot read the theme: {err.strerror}", path) from None
    return _build(data, path)


def _build(data: dict[str, Any], path: Path) -> Theme:
    def fail(message: str) -> ReportExportError:
        return ReportExportError(f"theme: {message}", path)

    known = {"name", "css", *_SECTIONS}
    for key in data:
        if key not in known:
            raise fail(f"unknown key {key!r} (known: {', '.join(sorted(known))})")
    sections: dict[str, Any] = {}
    for section, cls in _SECTIONS.items():
        table = data.get(section)
        if not isinstance(table, dict):
            raise fail(f"missing table [{section}]")
        sections[section] = _tokens(cls, table, section, fail)
    css = data.get("css")
    if css is not None and not isinstance(css, str):
        raise fail("'css' must be a file name")
    css_path = (path.parent / css) if css else None
    if css_path is not None:
        # A theme is data someone else may have written: its CSS may come from its own folder
        # or our styles/, never from elsewhere on the machine (it is copied into outputs).
        inside = (path.parent.resolve(), styles_dir().resolve())
        if not any(css_path.resolve().is_relative_to(root) for root in inside):
            raise fail(f"css file {css!r} is outside the theme's folder")
        # Read once here so that every format can rely on it being readable UTF-8.
        try:
            css_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise fail(f"css file {css!r} not found beside the theme") from None
        except (OSError, UnicodeDecodeError) as err:
            raise fail(f"css file {css!r} cannot be read: {err}") from None
    theme = Theme(name=str(data.get("name", path.stem)), path=path, css=css_path, **sections)
    _check(theme, fail)
    return theme


def _tokens(cls: type, table: dict[str, Any], section: str, fail: Any) -> Any:
    names = {f.name: f for f in fields(cls)}
    for key in table:
        if key not in names:
            raise fail(f"unknown key [{section}].{key} (known: {', '.join(names)})")
    values: dict[str, Any] = {}
    for name, spec in names.items():
        if name not in table:
            if spec.default is not MISSING:  # a token added since: the theme need not say it
                continue
            raise fail(f"missing [{section}].{name}")
        value = table[name]
        kind = str(spec.type)
        if kind.startswith("tuple"):
            if not isinstance(value, list) or not value:
                raise fail(f"[{section}].{name} must be a non-empty list")
            item_type = str if "str" in kind else (int, float)
            if not all(isinstance(v, item_type) and not isinstance(v, bool) for v in value):
                raise fail(f"[{section}].{name}: every item must be a {kind[6:-6]}")
            values[name] = tuple(value)
        elif kind == "str":
            if not isinstance(value, str):
                raise fail(f"[{section}].{name} must be a string")
            values[name] = value
        else:
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or not 0 <= value <= MAX_TOKEN
            ):
                raise fail(f"[{section}].{name} must be a number from 0 to {MAX_TOKEN:g}")
            values[name] = int(value) if kind == "int" else float(value)
    return cls(**values)


def _check(theme: Theme, fail: Any) -> None:
    if theme.text.align not in _ALIGNMENTS:
        raise fail(f"[text].align must be one of {', '.join(_ALIGNMENTS)}")
    if theme.text.size_pt <= 0 or theme.page.chars_per_line <= 0:
        raise fail("[text].size_pt and [page].chars_per_line must be positive")
    if theme.side_margin_pt < 18:
        raise fail("[page].chars_per_line x [text].size_pt is wider than the page allows")
    if theme.text_height_pt < MIN_LINES * theme.text.size_pt * max(theme.text.line_height, 1.0):
        raise fail(f"[page] leaves room for fewer than {MIN_LINES} lines of text")
    if theme.header.running_head not in ("title", ""):
        raise fail('[header].running_head must be "title" or ""')
    for spec in fields(theme.colors):
        if not _CSS_HEX_COLOR.fullmatch(getattr(theme.colors, spec.name)):
            raise fail(f"[colors].{spec.name} must be a colour as #rgb or #rrggbb")
    if not all(face in _FACES for face in theme.headings.faces):
        raise fail(f"[headings].faces: every face must be one of {', '.join(_FACES)}")
    for sample in theme.lists.ordered:
        try:
            parse_marker(sample)
        except ValueError as err:
            raise fail(f"[lists].ordered: {err}") from None
    for bullet in theme.lists.bullets:
        if not 1 <= len(bullet) <= MAX_BULLET or any(c.isspace() for c in bullet):
            raise fail(f"[lists].bullets: {bullet!r} must be 1 to {MAX_BULLET} visible characters")
    if theme.tables.rules not in _TABLE_RULES:
        raise fail(f"[tables].rules must be one of {', '.join(_TABLE_RULES)}")
    try:
        theme.footer.page_number.format(page=1, pages=1)
    except (KeyError, IndexError, ValueError):
        raise fail("[footer].page_number may use only {page} and {pages}") from None
