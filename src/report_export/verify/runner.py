"""``report-export verify``: find each format's output and hand it to the format's verifier."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..build import BuildRequest, output_path
from ..exporters import load_exporter
from ..reader import read_file
from ..registry import available_formats
from ..theme import load_theme
from . import Report, load_verifier


def verify_outputs(
    source: Path, out_dir: Path, formats: Sequence[str] = (), theme_name: str = "default"
) -> list[Report]:
    """A report per format (every installed one when ``formats`` is empty)."""
    names = list(dict.fromkeys(formats)) or available_formats()
    exporters = [load_exporter(name) for name in names]
    document = read_file(source)
    theme = load_theme(theme_name, source.parent)
    request = BuildRequest(source, out_dir)
    reports = []
    for exporter in exporters:
        path = output_path(request, exporter)
        verifier = load_verifier(exporter.name)
        if verifier is None:
            problems: tuple[str, ...] = (f"no verifier is installed for {exporter.name!r}",)
        elif not path.is_file():
            problems = ("missing: the output does not exist",)
        else:
            problems = tuple(verifier().check(path, document, theme))
        reports.append(Report(exporter.name, path, problems))
    return reports


def format_report(report: Report) -> str:
    """One line: the format, ok or failed, and for a failure the first difference."""
    if report.ok:
        return f"{report.format:6} ok      {report.path}"
    more = f" (+{len(report.problems) - 1} more)" if len(report.problems) > 1 else ""
    return f"{report.format:6} FAILED  {report.path}: {report.problems[0]}{more}"
