"""CSS values from the theme, shared by the HTML-based formats (PDF, EPUB).

The stylesheets live in ``styles/`` as ``string.Template`` files; this module writes the values
that fill them (strings, font stacks, the headings' sizes and spaces) and fills a template, the
same way for every format. Only the unit differs: the PDF sets points, the EPUB ems of the
reader's text size.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from pathlib import Path

from .errors import ReportExportError
from .html import heading_tag
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
    from the theme, in points, written as the stylesheet wants them by ``length``."""
    tokens: dict[str, str] = {}
    for level in HEADING_LEVELS:
        tag = heading_tag(level)
        before, after = theme.heading_space_pt(level)
        tokens[f"{tag}_size"] = length(theme.heading_size_pt(level))
        tokens[f"{tag}_before"] = length(before)
        tokens[f"{tag}_after"] = length(after)
    return tokens


def color_tokens(theme: Theme) -> dict[str, str]:
    """``color_text``, ``color_link`` …: each colour of the theme's ``[colors]``, as written."""
    return {f"color_{spec.name}": getattr(theme.colors, spec.name) for spec in fields(theme.colors)}


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
