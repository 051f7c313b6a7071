"""CSS values from the theme, shared by the HTML-based formats (PDF, EPUB).

The stylesheets live in ``styles/`` as ``string.Template`` files; this module writes the values
that fill them (strings, font stacks, the headings' sizes and spaces) and fills a template, the
same way for every format. Only the unit differs: the PDF sets points, the EPUB ems of the
reader's text size.
"""

from __future__ import annotations

import itertools
import re
import string
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from pathlib import Path

from .errors import ReportExportError
from .html import heading_tag
from .list_markers import fixed_symbols
from .resources import styles_dir
from .theme import Theme

GENERIC_FAMILIES = frozenset(
    {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}
)
"""CSS's generic font family keywords: written bare (quoted, each would name a font).

fontconfig's own aliases ``sans`` and ``mono`` are not among them: in CSS they are family names.
"""

HEADING_LEVELS = range(1, 6)
"""The model heading levels the stylesheets size one by one: h2 to h6 (deeper ones are h6)."""


def css_escape(text: str) -> str:
    """``text`` as the inside of a double-quoted CSS string: quotes, backslashes and control
    characters (which would end or break the string) written as hex escapes."""
    return "".join(
        f"\\{ord(c):x} " if c in '"\\' or ord(c) < 0x20 or c == "\x7f" else c for c in text
    )


def css_string(text: str) -> str:
    """``text`` as a CSS string literal."""
    return f'"{css_escape(text)}"'


def css_font_stack(stack: Sequence[str]) -> str:
    """A CSS ``font-family`` value: generic keywords bare (lower-cased; CSS reads them in any
    case), every other name quoted."""
    return ", ".join(
        name.lower() if name.isascii() and name.lower() in GENERIC_FAMILIES else css_string(name)
        for name in stack
    )


def heading_tokens(theme: Theme, length: Callable[[float], str]) -> dict[str, str]:
    """``h2_size``, ``h2_before``, ``h2_after`` … ``h6_after``: each heading's size and spaces
    from the theme, in points, written as the stylesheet wants them by ``length``, and
    ``h2_indent`` … ``h6_indent``, its first-line indent (``h2_indent_chars`` …: the same in
    characters, for a stylesheet with no character grid to keep)."""
    tokens: dict[str, str] = {}
    for level in HEADING_LEVELS:
        tag = heading_tag(level)
        before, after = theme.heading_space_pt(level)
        tokens[f"{tag}_size"] = length(theme.heading_size_pt(level))
        tokens[f"{tag}_before"] = length(before)
        tokens[f"{tag}_after"] = length(after)
        tokens[f"{tag}_line"] = length(theme.heading_line_pt(level))
        tokens[f"{tag}_indent"] = length(theme.heading_indent_pt(level))
        tokens[f"{tag}_indent_chars"] = f"{theme.heading_indent_chars(level):g}"
    return tokens


def heading_face_tokens(theme: Theme, stack: Callable[[str], str]) -> dict[str, str]:
    """``h2_font``, ``h2_weight`` … ``h6_weight``: each heading's font stack and weight, and
    ``title_fonts``, ``title_weight``, ``author_fonts`` for the title block; ``stack`` writes
    a face of the theme ("heading", "body", "kai" …) as the format's CSS stack."""
    tokens: dict[str, str] = {}
    for level in HEADING_LEVELS:
        tag = heading_tag(level)
        tokens[f"{tag}_font"] = stack(theme.heading_face(level))
        tokens[f"{tag}_weight"] = "bold" if theme.heading_bold(level) else "normal"
    headings = theme.headings
    tokens["title_fonts"] = stack(headings.title_face)
    tokens["title_weight"] = "bold" if headings.title_bold else "normal"
    tokens["author_fonts"] = stack(headings.author_face)
    return tokens


_PREDEFINED = {
    "decimal": "decimal",
    "lower-latin": "lower-alpha",
    "upper-latin": "upper-alpha",
    "lower-roman": "lower-roman",
    "upper-roman": "upper-roman",
}
"""The list counters CSS predefines, by our name (``list_markers.COUNTERS``)."""
_LISTS = ("ol", "ul")
NOTE_LIST_ROOTS = ("", "section.footnotes li")
"""Where a list's depth counts from in a format with a notes list (``HtmlRenderer.footnotes``):
the text, and each note."""


def _marker_gap(suffix: str) -> str:
    """A space after a marker, unless it ends in a full-width mark ("、", "）") whose own
    half-em of white already sets it off."""
    if suffix and unicodedata.east_asian_width(suffix[-1]) in ("F", "W"):
        return ""
    return " "


def list_rules(theme: Theme, roots: Sequence[str] = ("",)) -> str:
    """The theme's list scheme as CSS: a ``@counter-style`` for each level's marker, and the
    selectors that give a list at each depth (counting the lists around it, bulleted or
    ordered) its style. Deeper lists than the scheme has levels take the last level's: its
    selector matches them and a deeper one, more specific, never does.

    Each of ``roots`` is a selector the depth counts from ("" for the document itself;
    "section.footnotes li" makes a list inside a note count from the note).
    """
    levels = max(len(theme.lists.ordered), len(theme.lists.bullets))
    rules: list[str] = []
    for level in range(levels):
        marker = theme.ordered_marker(level)
        suffix = marker.suffix + _marker_gap(marker.suffix)
        symbols = fixed_symbols(marker.counter)
        if symbols is None:
            system = f"extends {_PREDEFINED[marker.counter]}"
        else:
            # Past the last symbol the fallback, decimal, counts on.
            system = "fixed; symbols: " + " ".join(css_string(symbol) for symbol in symbols)
        rules.append(
            f"@counter-style rx-ordered-{level + 1} {{ system: {system};"
            f" prefix: {css_string(marker.prefix)}; suffix: {css_string(suffix)}; }}"
        )
        bullet = theme.bullet(level)
        rules.append(
            f"@counter-style rx-bullet-{level + 1} {{ system: cyclic;"
            f" symbols: {css_string(bullet)}; suffix: {css_string(_marker_gap(bullet))}; }}"
        )
    for level in range(levels):
        for tag, style in zip(_LISTS, ("ordered", "bullet"), strict=True):
            selectors = [
                " ".join(filter(None, (root, *outer, tag)))
                for root in roots
                for outer in itertools.product(_LISTS, repeat=level)
            ]
            rules.append(f"{', '.join(selectors)} {{ list-style-type: rx-{style}-{level + 1}; }}")
    return "\n".join(rules)


def table_rules(theme: Theme) -> str:
    """The theme's table rules as CSS, the same in every format.

    The separated border model and cloned decoration give each page's part of a table its
    own rules (WeasyPrint draws collapsed borders once, leaving the first part without its
    bottom rule); the header row repeats on each page (``thead``). Where a table may break is
    each format's own (its stylesheet): WeasyPrint needs row groups where browsers take
    ``break-after`` on rows.
    """
    tables = theme.tables
    color = theme.colors.table_rule
    outer = f"{tables.outer_rule_pt:g}pt solid {color}"
    inner = f"{tables.inner_rule_pt:g}pt solid {color}"
    rules = [
        "table { border-collapse: separate; border-spacing: 0;"
        " -webkit-box-decoration-break: clone; box-decoration-break: clone; }",
        "th, td { border: 0; }",
    ]
    if tables.rules == "three-line":
        rules += [
            f"table {{ border-top: {outer}; border-bottom: {outer}; }}",
            f"thead th {{ border-bottom: {inner}; }}",
        ]
    else:  # grid
        rules += [
            # Rules left of and above cells, never below: a page's part ends in the frame alone.
            f"table {{ border: {outer}; }}",
            f"th + th, td + td {{ border-left: {inner}; }}",
            f"tbody td {{ border-top: {inner}; }}",
        ]
    return "\n".join(rules)


def color_tokens(theme: Theme) -> dict[str, str]:
    """``color_text``, ``color_link`` …: each colour of the theme's ``[colors]``, as written."""
    return {f"color_{spec.name}": getattr(theme.colors, spec.name) for spec in fields(theme.colors)}


def em(points: float, body_pt: float) -> str:
    """A length in points as ems of the body text, for the screen stylesheets."""
    return f"{points / body_pt:.4g}"


def screen_tokens(theme: Theme, stack: Callable[[str], str]) -> dict[str, str]:
    """The tokens the screen stylesheets (EPUB and web page) share: fonts (``stack`` turns a
    face token into its CSS stack), text, headings, lists, tables and colours, in ems."""
    size = theme.text.size_pt
    return {
        "body_fonts": stack("body"),
        "heading_fonts": stack("heading"),
        "mono_fonts": css_font_stack(theme.fonts.mono),
        "line_height": f"{theme.text.line_height:g}",
        "text_align": theme.text.align,
        "text_indent": f"{theme.text.first_line_indent_chars:g}",
        "paragraph_spacing": em(theme.text.paragraph_spacing_pt, size),
        "title_size": em(theme.headings.title_size_pt, size),
        "table_size": em(theme.small_size_pt, size),
        "list_rules": list_rules(theme, NOTE_LIST_ROOTS),
        "table_rules": table_rules(theme),
        **heading_tokens(theme, lambda points: em(points, size)),
        **heading_face_tokens(theme, stack),
        **color_tokens(theme),
    }


def fill_template(template: Path, tokens: Mapping[str, str]) -> str:
    """The ``string.Template`` stylesheet at ``template`` filled from ``tokens``.

    Rules that more than one format's stylesheet sets alike have one home, a part in
    ``styles/parts/``: ``${part_note_calls}`` in a template stands for ``note-calls.css``
    there, itself filled from the same tokens.
    """
    parts = {
        f"part_{part.stem.replace('-', '_')}": _fill(part, tokens).rstrip("\n")
        for part in sorted((styles_dir() / "parts").glob("*.css"))
    }
    return _fill(template, {**parts, **tokens})


def _fill(template: Path, tokens: Mapping[str, str]) -> str:
    try:
        return string.Template(template.read_text(encoding="utf-8")).substitute(tokens)
    except KeyError as err:  # the template and the exporter's tokens went out of step
        raise ReportExportError(f"placeholder {err} has no value", template) from None
    except ValueError as err:  # a stray "$" in the template
        raise ReportExportError(f"invalid template: {err}", template) from None


_FETCHES = re.compile(r"@import|url\(|</style", re.IGNORECASE)


def self_contained_css(path: Path, page: str) -> str:
    """The stylesheet at ``path``, for copying into ``page`` (a self-contained HTML file):
    one that would fetch anything (``@import``, ``url(``) or close its ``<style>`` is an error."""
    try:
        css = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) else "not valid UTF-8"
        raise ReportExportError(f"cannot read {page}'s stylesheet: {reason}", path) from err
    found = _FETCHES.search(css)
    if found:
        raise ReportExportError(
            f"{page}'s stylesheet has {found.group()!r}: the page must be one self-contained file",
            path,
        )
    return css
