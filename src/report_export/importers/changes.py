"""What an import stage records: the edits it made and the spots it could not settle.

Every stage of an importer is a pure function from text to a ``Stage``: its output text plus the
``Change``s that turned its input into that output and the ``Flag``s it raises. Positions are
offsets into the stage's *input*; ``Stage`` keeps the mapping to its output, so a spot can be
followed from the scraped file to the imported source and back (the review page shows both).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

Kind = Literal["chrome", "page", "join", "structure", "punctuation", "spun word", "quote"]
"""What a change or flag is about; the review page labels and colours them by kind."""

KINDS: tuple[Kind, ...] = get_args(Kind)

_HEADING_MARKS = re.compile(r"#+ ")


class StageError(ValueError):
    """A stage's changes do not fit its input (they overlap, or do not match): an importer bug."""


@dataclass(frozen=True, slots=True)
class Change:
    """One edit: ``before`` (the input's ``[start, end)``) became ``after``."""

    kind: Kind
    start: int
    end: int
    before: str
    after: str
    note: str = ""
    """Why, in a few words (the rule that fired), shown to the reviewer."""


@dataclass(frozen=True, slots=True)
class Flag:
    """A spot left as it is because no rule was sure: the reviewer decides."""

    kind: Kind
    start: int
    end: int
    """The input's ``[start, end)`` the doubt covers (every suggested reading lies inside it)."""
    message: str
    suggestion: str


def change(kind: Kind, text: str, start: int, end: int, after: str, note: str = "") -> Change:
    """A ``Change`` of ``text[start:end]`` into ``after`` (records ``before`` from ``text``)."""
    return Change(kind, start, end, text[start:end], after, note)


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage's work: input, output, and what it changed and flagged."""

    name: str
    before: str
    text: str
    changes: tuple[Change, ...]
    flags: tuple[Flag, ...]

    @classmethod
    def apply(
        cls, name: str, before: str, changes: Iterable[Change], flags: Iterable[Flag] = ()
    ) -> Stage:
        """Apply ``changes`` (non-overlapping) to ``before``; the result's text is the output.

        Changes that overlap or do not match ``before`` are a ``StageError``.
        """
        ordered = tuple(sorted(changes, key=lambda c: (c.start, c.end)))
        parts: list[str] = []
        at = 0
        previous: Change | None = None
        for item in ordered:
            if item.start < at or item.end < item.start or item.end > len(before):
                raise StageError(f"{name}: overlapping or out-of-range change {_where(item)}")
            if previous is not None and previous.start == previous.end == item.start == item.end:
                raise StageError(f"{name}: two insertions at {item.start}")
            if before[item.start : item.end] != item.before:
                raise StageError(f"{name}: change {_where(item)} does not match its input")
            parts.append(before[at : item.start])
            parts.append(item.after)
            at = item.end
            previous = item
        parts.append(before[at:])
        return cls(name, before, "".join(parts), ordered, tuple(flags))

    def spans(self) -> list[tuple[int, int, int, int]]:
        """For each change: its ``(start, end)`` in the input and ``(start, end)`` in the output."""
        out: list[tuple[int, int, int, int]] = []
        delta = 0
        for item in self.changes:
            new_start = item.start + delta
            out.append((item.start, item.end, new_start, new_start + len(item.after)))
            delta += len(item.after) - (item.end - item.start)
        return out


def _where(item: Change) -> str:
    """A change, in a few words on one line, for an error message."""
    return f"[{item.start}, {item.end}) ({item.kind}: {item.note or 'no note'})"


@dataclass(frozen=True, slots=True)
class BodyLine:
    """One line of a Markdown body (one block a line), with where its text starts."""

    start: int
    """The line's offset in the body."""
    text: str
    """The whole line, heading marks included."""
    content: int
    """Where the line's own text starts in ``text``: past a heading's ``#`` marks and space."""

    @property
    def heading(self) -> bool:
        """Is the line a heading (``# …``)?"""
        return self.content > 0


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of a text, with where it starts and ends (without its newline)."""

    start: int
    end: int
    text: str

    @property
    def content(self) -> str:
        """The line without the spaces around it."""
        return self.text.strip()


def text_lines(text: str) -> list[TextLine]:
    """Every line of ``text`` (split at newlines), with its offsets."""
    out: list[TextLine] = []
    at = 0
    for raw in text.split("\n"):
        out.append(TextLine(at, at + len(raw), raw))
        at += len(raw) + 1
    return out


def heading_marks(line: str) -> int:
    """The length of the ``#`` marks and the space that open a heading line; 0 for other lines."""
    marks = _HEADING_MARKS.match(line)
    return marks.end() if marks else 0


def body_lines(text: str, start: int = 0) -> Iterator[BodyLine]:
    """The lines of the Markdown body ``text`` from offset ``start`` on, with their offsets."""
    at = start
    for line in text[start:].split("\n"):
        yield BodyLine(at, line, heading_marks(line))
        at += len(line) + 1


class PositionMap:
    """Follows offsets through a chain of stages, forwards (input -> output) and backwards.

    Each stage's edits are kept as sorted tables, so one offset maps in O(log n) a stage.
    """

    def __init__(self, stages: Sequence[Stage]) -> None:
        self._forward = [_Edits(stage.spans()) for stage in stages]
        self._backward = [
            _Edits([(b0, b1, a0, a1) for a0, a1, b0, b1 in stage.spans()]) for stage in stages
        ]

    def forward(self, start: int, end: int, first: int, last: int | None = None) -> tuple[int, int]:
        """The span ``[start, end)`` of stage ``first``'s input, in stage ``last``'s output."""
        stop = len(self._forward) - 1 if last is None else last
        for edits in self._forward[first : stop + 1]:
            start, end = edits.map(start, start=True), edits.map(end, start=False)
            end = max(start, end)
        return start, end

    def backward(self, start: int, end: int, last: int, first: int = 0) -> tuple[int, int]:
        """The span ``[start, end)`` of stage ``last``'s output, in stage ``first``'s input."""
        for index in range(last, first - 1, -1):
            edits = self._backward[index]
            start, end = edits.map(start, start=True), edits.map(end, start=False)
            end = max(start, end)
        return start, end

    def backward_point(self, pos: int, last: int, *, start: bool) -> int:
        """Offset ``pos`` of stage ``last``'s output, in the first stage's input.

        Where text was deleted at ``pos``, ``start=True`` lands after the deleted text and
        ``start=False`` before it.
        """
        for index in range(last, -1, -1):
            pos = self._backward[index].map(pos, start=start)
        return pos


class _Edits:
    """One stage's edits ``(a0, a1) -> (b0, b1)``, sorted, for mapping offsets of side a."""

    def __init__(self, spans: list[tuple[int, int, int, int]]) -> None:
        self.spans = spans
        self.ends = [a1 for _, a1, _, _ in spans]

    def map(self, pos: int, *, start: bool) -> int:
        """Map ``pos`` through the edits.

        A range start that falls inside an edit takes the whole edit in; so does a range end.
        An insertion exactly at a range's start or end stays outside the range.
        """
        count = bisect_right(self.ends, pos)  # the edits that end at or before pos
        if count:
            a0, a1, b0, b1 = self.spans[count - 1]
            if a0 == a1 == pos and not start:
                return b0  # an insertion at a range's end: the range stops before it
        if count < len(self.spans):
            a0, a1, b0, b1 = self.spans[count]
            if a0 < pos < a1:
                return b0 if start else b1
        if not count:
            return pos
        _, a1, _, b1 = self.spans[count - 1]
        return pos + b1 - a1
