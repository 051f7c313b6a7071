"""Heading numbers: a theme's scheme (GB/T 9704's 一、 → （一） → 1. → （1）) in place of the
numbers the author typed.

A source numbers its headings by hand, in whatever forms its author used ("一、", "1、",
"（一）", "1. "); a theme whose ``[headings].numbering`` names a scheme has the laid-out
formats (PDF, DOCX, EPUB, HTML) show the scheme's numbers instead, and the text output
keeps the source's. The scheme's levels are written as ``[lists].ordered``'s are (the marker
of a first item, see ``list_markers``), and ``list_markers`` formats them.

The rule: a heading at a level the scheme covers whose text opens with a typed number
(``TYPED_FORMS``, any number in them) followed by text loses that number, and the space
after it, for the scheme's number of its level, counted among the numbered headings of that
level under the same parent (a level-2 count starts again under each level-1 heading). A
heading the author did not number stays unnumbered and is not counted: "参考文献", "附录" or
a title-like heading are numbered by no one in a report, and a number we made up for them
would be a number nobody wrote. The typed number is only looked for in the heading's first
run of plain text (not inside emphasis or a link).

Pure functions of the model, which they never change: ``number_headings`` gives a new
``Document``; ``heading_numbers`` says, heading by heading, what it would change (the DOCX
sets the scheme's number in a run of its own, and the import gives back the typed one).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache

from .list_markers import OrderedMarker, marker_pattern, parse_marker
from .model import Block, Document, Heading, Inline, Text, headings, inline_text, map_blocks

TYPED_FORMS = ("一、", "（一）", "(一)", "1、", "1.", "1．", "（1）", "(1)", "①")
"""The forms of a typed heading number that are recognised, as first-item markers."""


@cache
def _typed() -> re.Pattern[str]:
    """The typed forms as one pattern, compiled on first use (1 ms a build that numbers no
    heading need not spend)."""
    forms = (marker_pattern(parse_marker(form), past_limit=False) for form in TYPED_FORMS)
    # "1.5 倍" opens with a decimal number, not a heading number.
    return re.compile("(?:" + "|".join(forms) + r")(?![\d.．])\s*")


@dataclass(frozen=True, slots=True)
class HeadingNumber:
    """A heading's number in the scheme, and the typed number it stands in place of."""

    label: str
    """The scheme's number: "（一）"."""
    typed: str
    """The number the source's heading opens with, with the space after it: "1、", "1. "."""
    rest: tuple[Inline, ...]
    """The heading's inlines after the typed number."""


def typed_number(text: str) -> str:
    """The heading number ``text`` opens with, in one of ``TYPED_FORMS``, and the space
    after it; "" when it opens with none."""
    found = _typed().match(text)
    return found.group() if found is not None else ""


def split_typed(inlines: tuple[Inline, ...]) -> tuple[str, tuple[Inline, ...]] | None:
    """The typed number ``inlines`` open with (and the space after it) and the inlines after
    it; None when they open with none, or when no text follows it."""
    first = inlines[0] if inlines else None
    typed = typed_number(first.text) if isinstance(first, Text) else ""
    if not typed or not isinstance(first, Text):
        return None
    after = first.text[len(typed) :]
    rest = ((Text(after),) if after else ()) + inlines[1:]
    if not inline_text(rest).strip():
        return None
    return typed, rest


def heading_numbers(
    document: Document, scheme: Sequence[OrderedMarker]
) -> dict[str, HeadingNumber]:
    """Each heading to renumber, by id, with its number in ``scheme`` (level 1 first)."""
    counts: list[int] = []
    out: dict[str, HeadingNumber] = {}
    for heading in headings(document):
        level = heading.level
        del counts[level:]
        counts.extend([0] * (level - len(counts)))
        split = split_typed(heading.children) if level <= len(scheme) else None
        if split is None:
            continue
        counts[level - 1] += 1
        out[heading.id] = HeadingNumber(scheme[level - 1].text(counts[level - 1]), *split)
    return out


def numbered_inlines(number: HeadingNumber) -> tuple[Inline, ...]:
    """A renumbered heading's inlines: the scheme's number, then the heading's text."""
    first = number.rest[0]
    if isinstance(first, Text):
        return (Text(number.label + first.text), *number.rest[1:])
    return (Text(number.label), *number.rest)


def renumber(document: Document, numbers: Mapping[str, HeadingNumber]) -> Document:
    """``document`` with the headings of ``numbers`` numbered as it says; the document
    itself when there are none (a theme without a scheme changes no byte of any output)."""
    if not numbers:
        return document

    def change(block: Block) -> Block:
        if isinstance(block, Heading) and (number := numbers.get(block.id)) is not None:
            return replace(block, children=numbered_inlines(number))
        return block

    return replace(document, blocks=map_blocks(document.blocks, change))


def number_headings(document: Document, scheme: Sequence[OrderedMarker]) -> Document:
    """``document`` with its typed heading numbers replaced by ``scheme``'s (see above)."""
    return renumber(document, heading_numbers(document, scheme))
