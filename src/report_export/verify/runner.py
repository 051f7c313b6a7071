"""``report-export verify``: find each format's output and hand it to the format's verifier."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..build import BuildRequest, output_path
from ..exporters import Exporter, load_exporter
from ..model import Document
from ..reader import read_file
from ..registry import available_formats
from ..theme import Theme, load_theme
from . import Report, Verifier, load_verifier


def verify_outputs(
    source: Path, out_dir: Path, formats: Sequence[str] = (), theme_name: str = "default"
) -> list[Report]:
    """A report per format (every installed one when ``formats`` is empty)."""
    names = list(dict.fromkeys(formats)) or available_formats()
    exporters = [load_exporter(name) for name in names]
    document = read_file(source)
    theme = load_theme(theme_name, source.parent)
    request = BuildRequest(source, out_dir)
    return [
        check_output(exporter, output_path(request, exporter), document, theme)
        for exporter in exporters
    ]


def check_output(
    exporter: type[Exporter[object]], path: Path, document: Document, theme: Theme
) -> Report:
    """The report on one output: its format's verifier holds it against the document."""
    verifier = load_verifier(exporter.name)
    if verifier is None:
        problems: tuple[str, ...] = (f"no verifier is installed for {exporter.name!r}",)
    elif not path.is_file():
        problems = ("missing: the output does not exist",)
    else:
        problems = _check(verifier(), path, document, theme)
    return Report(exporter.name, path, problems)


def _check(verifier: Verifier, path: Path, document: Document, theme: Theme) -> tuple[str, ...]:
    """The verifier's problems. The file is not ours to trust (it may be damaged or made to
    hurt): whatever its reader fails with is a problem reported for it, never a traceback."""
    try:
        return tuple(verifier.check(path, document, theme))
    except Exception as err:
        return (f"cannot be read back: {type(err).__name__}: {err}",)


def format_report(report: Report) -> str:
    """One line: the format, ok or failed, and for a failure the first difference."""
    if report.ok:
        return f"{report.format:6} ok      {report.path}"
    more = f" (+{len(report.problems) - 1} more)" if len(report.problems) > 1 else ""
    return f"{report.format:6} FAILED  {report.path}: {report.problems[0]}{more}"
