"""The ``import`` command: a scraped copy in, a Markdown source (and a review page) out.

    report-export import SCRAPED -o SOURCE.md [--site NAME] [--review REVIEW.html] [--force]

It checks the targets, runs the pipeline (``scraped``), reads the source back, and writes the
source and the review page (``review``) each whole or not at all.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..errors import ReportExportError
from ..output import write_atomic
from ..reader import read_text
from .changes import KINDS
from .review import render_review
from .scraped import import_file
from .sites import load_site


def run_import(
    scraped: Path, output: Path, review: Path | None, force: bool, site: str | None = None
) -> list[str]:
    """The ``import`` command: write the source (and the review page); the lines to print."""
    targets = [output] + ([review] if review is not None else [])
    if review is not None and review.resolve() == output.resolve():
        raise ReportExportError("the review page and the source cannot be the same file", review)
    for target in targets:
        if target.resolve() == scraped.resolve():
            raise ReportExportError("refusing to write over the scraped copy", target)
        if target.exists() and not force:
            raise ReportExportError("exists; pass --force to overwrite it", target)
    if site is not None:
        load_site(site)  # an unknown profile is an error before anything is read
    result = import_file(scraped, site)
    # The source must read back: an import that the reader refuses is a bug, not an output.
    read_text(result.markdown, output)
    page = None if review is None else render_review(result, output.name)
    write_atomic(output, result.markdown.encode("utf-8"))
    lines = [str(output)]
    if review is not None and page is not None:
        write_atomic(review, page.encode("utf-8"))
        lines.append(str(review))
    counts = Counter(item.kind for item in result.changes)
    summary = ", ".join(f"{counts[kind]} {kind}" for kind in KINDS if counts[kind])
    lines.append(f"{len(result.changes)} changes ({summary}); {len(result.flags)} flags to review")
    return lines


__all__ = ["run_import"]
