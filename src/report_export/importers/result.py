"""What an import produces: the Markdown source, and every change and flag located on both sides.

The pipeline (``scraped``) makes an ``ImportResult``; the review page (``review``) and the
``import`` command (``command``) read it. Neither of those is imported from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .changes import Kind
from .chrome import ProvenanceValue


@dataclass(frozen=True, slots=True)
class LocatedChange:
    """A change, with where it is in the scraped text and in the imported body."""

    kind: Kind
    stage: str
    before: str
    after: str
    note: str
    source: tuple[int, int]
    result: tuple[int, int]


@dataclass(frozen=True, slots=True)
class LocatedFlag:
    """A flag, with where it is in the scraped text and in the imported body."""

    kind: Kind
    stage: str
    message: str
    suggestion: str
    source: tuple[int, int]
    result: tuple[int, int]
    context: str
    """The imported text around the spot, the spot itself between 【 and 】."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    """A finished import: the Markdown source, and every change and flag that made it."""

    path: Path
    scraped: str
    """The scraped text as read (BOM dropped, line ends and Unicode normalized)."""
    title: str
    provenance: tuple[tuple[str, ProvenanceValue], ...]
    front_matter: str
    body: str
    changes: tuple[LocatedChange, ...]
    flags: tuple[LocatedFlag, ...]
    stages: tuple[str, ...]
    """The names of the stages the copy went through, in order (they depend on its layout)."""
    blocks: tuple[tuple[tuple[int, int], tuple[int, int]], ...]
    """Each body block (heading or paragraph): its span in the scraped text and in the body.
    The scraped spans follow each other; what lies before the first is the site's header."""

    @property
    def markdown(self) -> str:
        """The whole source file: front matter, a blank line, the body."""
        return f"{self.front_matter}\n{self.body}\n"


__all__ = ["ImportResult", "LocatedChange", "LocatedFlag"]
