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
    """Page size, margins and the grid of the text block."""

    width_mm: float
    height_mm: float
    margin_top_mm: float
    margin_bottom_mm: float
    margin_left_mm: float
    """The binding side's margin; 0 shares what the text block leaves equally on both sides."""
    text_width_mm: float
    """The text block's width; 0 makes it exactly ``chars_per_line`` body characters."""
    chars_per_line: int
    """Body characters a full line holds: a narrower block sets them closer than their size."""
    lines_per_page: int
    """Body lines a full page holds (a line grid, as GB/T 9704's 22); 0 for no grid, the
    lines then ``[text].line_height`` apart."""


@dataclass(frozen=True, slots=True)
class FontTokens:
    """Font stacks, Simplified Chinese faces first, by name: the five every theme has, and any
    more of the theme's own naming (``kai = [...]``) that a face token may name."""

    body: tuple[str, ...]
    heading: tuple[str, ...]
    """Headings by default; emphasis, captions and table headers always."""
    mono: tuple[str, ...]
    title: tuple[str, ...]
    chrome: tuple[str, ...]
    """The page number and the running head."""
    more: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The theme's further stacks, (name, stack)."""
    packages: tuple[tuple[str, str], ...] = ()
    """(font family, where it comes from): what a missing font's message names
    (``[fonts.packages]``)."""
    office: tuple[tuple[str, str], ...] = ()
    """(font family, the name Word on a Chinese Windows knows a face of its kind by): the
    DOCX's alternate name for the font (``[fonts.office]``)."""

    def names(self) -> tuple[str, ...]:
        """Every stack's name."""
        return (*FIXED_STACKS, *(name for name, _ in self.more))

    def stack(self, name: str) -> tuple[str, ...]:
        """The stack called ``name`` (one of ``names()``)."""
        if name in FIXED_STACKS:
            stack: tuple[str, ...] = getattr(self, name)
            return stack
        return dict(self.more)[name]

    def package(self, family: str) -> str | None:
        """Where ``family`` comes from, if the theme says."""
        return dict(self.packages).get(family)

    def office_name(self, family: str) -> str | None:
        """The face an office's Windows has in place of ``family``, if the theme says."""
        return dict(self.office).get(family)


FIXED_STACKS = ("body", "heading", "mono", "title", "chrome")
"""The stacks every theme names."""


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
    """Each level's face: the name of a ``[fonts]`` stack ("heading", "body", …)."""
    bold: tuple[bool, ...]
    """Whether each level is bold (a face without a bold is emboldened)."""
    title_face: str
    title_bold: bool
    author_face: str
    space_before_pt: tuple[float, ...]
    space_after_pt: tuple[float, ...]
    indent_chars: tuple[float, ...] = ()
    """Each level's first-line indent in characters of its own size (公文 sets a heading in
    from the margin as a paragraph is: 左空二字, 回行顶格). Empty: flush."""
    numbering: tuple[str, ...] = ()
    """The laid-out formats' heading numbers, level 1 first, each written as the marker of a
    first item is in ``[lists].ordered`` ("一、", "（一）"): a heading the author numbered at
    a level it covers shows its number in place of the typed one (``heading_numbers``).
    Empty: every heading as the author typed it."""


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
    """The footer: a page number format with {page} and {pages}, and where it stands."""

    page_number: str
    size_pt: float
    distance_mm: float
    """From the foot of the text block to the top of the page number's line."""
    placement: str
    """"center" on every page, or "outside": right on odd pages, left on even ones."""
    edge_space_chars: float
    """Space (in characters of the page number's size) between an outside page number and
    the edge of the text block."""


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
        """Width of the text block: the theme's, or a whole number of body characters."""
        if self.page.text_width_mm:
            return self.page.text_width_mm * PT_PER_MM
        return self.page.chars_per_line * self.text.size_pt

    @property
    def title_measure_em(self) -> float:
        """The text block's width in ems of the title's size: the measure the title's lines
        are balanced for (``typography.balanced_lines``), in every format."""
        return self.text_width_pt / self.headings.title_size_pt

    @property
    def margin_left_pt(self) -> float:
        """The left (binding) margin: the theme's, or half of what the text block leaves."""
        if self.page.margin_left_mm:
            return self.page.margin_left_mm * PT_PER_MM
        return (self.page.width_mm * PT_PER_MM - self.text_width_pt) / 2

    @property
    def margin_right_pt(self) -> float:
        """The right margin: what the left margin and the text block leave of the page."""
        if not self.page.margin_left_mm:
            return self.margin_left_pt
        return self.page.width_mm * PT_PER_MM - self.margin_left_pt - self.text_width_pt

    @property
    def letter_spacing_pt(self) -> float:
        """Space added between body characters (negative: taken away) so that a full line of
        ``chars_per_line`` fills the text block: its last character ends at the edge. Rounded
        away from zero to a thousandth of a point, so that the line never comes out a hair too
        long to hold them all."""
        chars = self.page.chars_per_line
        slack = self.text_width_pt - chars * self.text.size_pt
        if chars < 2 or abs(slack) < 1e-9:
            return 0.0
        return math.floor(slack / (chars - 1) * 1000) / 1000

    @property
    def char_pitch_pt(self) -> float:
        """From one body character to the next on a full line."""
        return self.text.size_pt + self.letter_spacing_pt

    @property
    def first_line_indent_pt(self) -> float:
        """The first-line indent of a paragraph: whole characters of the grid."""
        return self.text.first_line_indent_chars * self.char_pitch_pt

    @property
    def line_grid(self) -> bool:
        """Whether lines sit on a grid of ``lines_per_page`` a page."""
        return self.page.lines_per_page > 0

    @property
    def line_pitch_pt(self) -> float:
        """From one body line to the next: the grid's pitch, rounded down to a thousandth of a
        point (a hair more and a full page holds a line less), or the body's leading."""
        if self.line_grid:
            return math.floor(self.text_height_pt / self.page.lines_per_page * 1000) / 1000
        return self.text.size_pt * self.text.line_height

    def grid_lines_pt(self, size_pt: float, leading: float) -> float:
        """The height of a line of type ``size_pt``: whole grid lines, as many as its natural
        height (``leading`` x size) needs but at least one, on a grid; else that height."""
        natural = size_pt * leading
        if not self.line_grid:
            return natural
        pitch = self.line_pitch_pt
        return pitch * max(1, math.ceil(natural / pitch - 1e-9))

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
        """The running head."""
        return 9.0

    @property
    def block_space_pt(self) -> float:
        """Space after a block that is not a paragraph (table, figure, quotation)."""
        return max(self.text.paragraph_spacing_pt, self.text.size_pt * 0.6)

    @property
    def title_space_after_pt(self) -> float:
        """Space between the title block and the text: one empty line on a grid (GB/T 9704's
        标题下空一行), else one and a half title sizes."""
        if self.line_grid:
            return self.line_pitch_pt
        return self.headings.title_size_pt * 1.5

    @property
    def title_space_before_mm(self) -> float:
        """Space above the title: none on a grid (the title takes the first line)."""
        return 0.0 if self.line_grid else 6.0

    @property
    def title_line_pt(self) -> float:
        """The height of a line of the title."""
        return self.grid_lines_pt(self.headings.title_size_pt, 1.45)

    def heading_line_pt(self, level: int) -> float:
        """The height of a line of a heading of ``level``."""
        return self.grid_lines_pt(self.heading_size_pt(level), 1.5)

    def heading_bold(self, level: int) -> bool:
        """Whether a heading of ``level`` is bold."""
        bold = self.headings.bold
        return bold[min(level, len(bold)) - 1]

    def face_stack(self, face: str) -> tuple[str, ...]:
        """The font stack a face token names."""
        return self.fonts.stack(face)

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

    @property
    def heading_scheme(self) -> tuple[OrderedMarker, ...]:
        """The heading numbers of ``[headings].numbering``, level 1 first (none: as typed)."""
        return tuple(parse_marker(sample) for sample in self.headings.numbering)

    def bullet(self, level: int) -> str:
        """The bullet of list ``level`` (0: outermost)."""
        bullets = self.lists.bullets
        return bullets[min(level, len(bullets) - 1)]

    def heading_indent_chars(self, level: int) -> float:
        """The first-line indent of a heading of ``level``, in characters of its size."""
        indents = self.headings.indent_chars
        return indents[min(level, len(indents)) - 1] if indents else 0.0

    def heading_indent_pt(self, level: int) -> float:
        """The first-line indent of a heading of ``level``: its characters set at the body's
        pitch scaled to the heading's size, so that a heading the body's size starts where
        an indented paragraph does."""
        scale = self.heading_size_pt(level) / self.text.size_pt
        return self.heading_indent_chars(level) * self.char_pitch_pt * scale

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
_PLACEMENTS = ("center", "outside")
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
        if section == "fonts":
            sections[section] = _font_tokens(table, fail)
        else:
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
            css_text = css_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise fail(f"css file {css!r} not found beside the theme") from None
        except (OSError, UnicodeDecodeError) as err:
            raise fail(f"css file {css!r} cannot be read: {err}") from None
        _check_css_fetches_nothing(css_text, css_path)
    theme = Theme(name=str(data.get("name", path.stem)), path=path, css=css_path, **sections)
    _check(theme, fail)
    return theme


def _font_tokens(table: dict[str, Any], fail: Any) -> FontTokens:
    """``[fonts]``: the fixed stacks, the theme's own further ones, ``[fonts.packages]`` and
    ``[fonts.office]``."""
    table = dict(table)
    packages = table.pop("packages", {})
    if not isinstance(packages, dict) or not all(isinstance(v, str) for v in packages.values()):
        raise fail("[fonts.packages] must map font names to package names")
    office = table.pop("office", {})
    # Word keeps an alternate font name of at most 31 characters, and one name, not a list.
    if not isinstance(office, dict) or not all(
        isinstance(v, str) and 0 < len(v) <= 31 and "," not in v for v in office.values()
    ):
        raise fail("[fonts.office] must map font names to one font name of 1-31 characters")
    more = {key: value for key, value in table.items() if key not in FIXED_STACKS}
    for key in more:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise fail(f"[fonts].{key}: a stack's name is lower-case letters, digits and _")
    fixed = _tokens(
        FontTokens, {k: v for k, v in table.items() if k in FIXED_STACKS}, "fonts", fail
    )
    # The further stacks are checked as the fixed ones are: a non-empty list of names each.
    stacks = tuple(
        (key, _tokens(_Stacks, {"stack": value}, f"fonts].[{key}", fail).stack)
        for key, value in more.items()
    )
    return FontTokens(
        **{name: getattr(fixed, name) for name in FIXED_STACKS},
        more=stacks,
        packages=tuple(sorted(packages.items())),
        office=tuple(sorted(office.items())),
    )


@dataclass(frozen=True, slots=True)
class _Stacks:
    stack: tuple[str, ...]


_FETCHING_FUNCTIONS = frozenset({"url", "src", "image", "image-set", "-webkit-image-set"})


def _check_css_fetches_nothing(css: str, path: Path) -> None:
    """A theme's CSS may reference no file or URL (``url()``, ``@import``, ``image-set()``):
    the PDF would fetch it under the asset policy, but HTML and EPUB copy the CSS as text and
    could not carry it (an EPUB naming a missing file fails its check), so every format refuses
    alike. Fonts are named in ``[fonts]``. Read as CSS is tokenised (escapes, comments)."""
    import tinycss2

    def walk(nodes: Any) -> Any:
        for at, node in enumerate(nodes):
            kind = node.type
            if kind == "url" or (kind == "function" and node.lower_name in _FETCHING_FUNCTIONS):
                yield node.source_line, tinycss2.serialize([node])
            elif kind == "at-keyword" and node.lower_value == "import":
                what = next((n for n in nodes[at + 1 :] if n.type != "whitespace"), None)
                yield node.source_line, "@import " + tinycss2.serialize([what] if what else [])
            elif kind == "() block" or kind == "[] block" or kind == "{} block":
                yield from walk(node.content)
            if kind == "function":
                yield from walk(node.arguments)

    first = next(walk(tinycss2.parse_component_value_list(css, skip_comments=True)), None)
    if first is not None:
        line, found = first
        raise ReportExportError(
            f"theme CSS: refused {found}: a theme's CSS may fetch no file or URL "
            "(url(), @import); name fonts in the theme's [fonts]",
            path,
            line,
        )
    if "</style" in css.lower():
        raise ReportExportError("theme CSS: '</style' would end the HTML page's <style>", path)


def _tokens(cls: type, table: dict[str, Any], section: str, fail: Any) -> Any:
    names = {f.name: f for f in fields(cls) if f.name not in ("more", "packages", "office")}
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
            # A list that may be left out may be empty too: it says "none".
            if not isinstance(value, list) or not (value or spec.default is not MISSING):
                raise fail(f"[{section}].{name} must be a non-empty list")
            item_kind = kind[6:-6]
            if not all(_is_kind(v, item_kind) for v in value):
                raise fail(f"[{section}].{name}: every item must be a {item_kind}")
            if item_kind == "float" and not all(_in_range(v) for v in value):
                raise fail(f"[{section}].{name}: every item must be from 0 to {MAX_TOKEN:g}")
            values[name] = tuple(value)
        elif kind in ("str", "bool"):
            if not _is_kind(value, kind):
                what = "string" if kind == "str" else "boolean"
                raise fail(f"[{section}].{name} must be a {what}")
            values[name] = value
        else:
            if not _is_kind(value, "float") or not _in_range(value):
                raise fail(f"[{section}].{name} must be a number from 0 to {MAX_TOKEN:g}")
            values[name] = int(value) if kind == "int" else float(value)
    return cls(**values)


def _in_range(value: float) -> bool:
    """Whether a number token is one a length or size may be (TOML also has nan and inf)."""
    return math.isfinite(value) and 0 <= value <= MAX_TOKEN


def _is_kind(value: object, kind: str) -> bool:
    """Whether a TOML value is of a token's item type ("str", "bool", "float" or "int")."""
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check(theme: Theme, fail: Any) -> None:
    if theme.text.align not in _ALIGNMENTS:
        raise fail(f"[text].align must be one of {', '.join(_ALIGNMENTS)}")
    if theme.text.size_pt <= 0 or theme.page.chars_per_line <= 0:
        raise fail("[text].size_pt and [page].chars_per_line must be positive")
    if min(theme.margin_left_pt, theme.margin_right_pt) < 18:
        raise fail("[page]: the text block is wider than the page allows")
    if theme.char_pitch_pt < theme.text.size_pt * 0.9:
        raise fail("[page].chars_per_line characters are set over 10% closer than their size")
    if theme.line_grid and theme.line_pitch_pt < theme.text.size_pt:
        raise fail("[page].lines_per_page lines do not fit the text block at [text].size_pt")
    if theme.text_height_pt < MIN_LINES * theme.text.size_pt * max(theme.text.line_height, 1.0):
        raise fail(f"[page] leaves room for fewer than {MIN_LINES} lines of text")
    if theme.header.running_head not in ("title", ""):
        raise fail('[header].running_head must be "title" or ""')
    for spec in fields(theme.colors):
        if not _CSS_HEX_COLOR.fullmatch(getattr(theme.colors, spec.name)):
            raise fail(f"[colors].{spec.name} must be a colour as #rgb or #rrggbb")
    faces = theme.fonts.names()
    headings = theme.headings
    for face in (*headings.faces, headings.title_face, headings.author_face):
        if face not in faces:
            raise fail(f"[headings]: face {face!r} is no stack of [fonts] ({', '.join(faces)})")
    if theme.footer.placement not in _PLACEMENTS:
        raise fail(f"[footer].placement must be one of {', '.join(_PLACEMENTS)}")
    schemes = {"[lists].ordered": theme.lists.ordered, "[headings].numbering": headings.numbering}
    for token, samples in schemes.items():
        for sample in samples:
            try:
                parse_marker(sample)
            except ValueError as err:
                raise fail(f"{token}: {err}") from None
    for bullet in theme.lists.bullets:
        if not 1 <= len(bullet) <= MAX_BULLET or any(c.isspace() for c in bullet):
            raise fail(f"[lists].bullets: {bullet!r} must be 1 to {MAX_BULLET} visible characters")
    if theme.tables.rules not in _TABLE_RULES:
        raise fail(f"[tables].rules must be one of {', '.join(_TABLE_RULES)}")
    try:
        theme.footer.page_number.format(page=1, pages=1)
    except (KeyError, IndexError, ValueError):
        raise fail("[footer].page_number may use only {page} and {pages}") from None
