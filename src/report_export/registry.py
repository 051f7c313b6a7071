"""Finds the installed exporters (entry-point group ``report_export.exporters``) and the
verifiers that read their outputs back (``report_export.verifiers``)."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from .errors import ReportExportError

if TYPE_CHECKING:  # the exporter base pulls in the model; listing formats must stay light
    from .exporters import Exporter
    from .verify import Verifier

GROUP = "report_export.exporters"
VERIFIERS = "report_export.verifiers"


def _entry_points(group: str = GROUP) -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for point in entry_points(group=group):
        if point.name in found and found[point.name].value != point.value:
            # Two packages claim one format name: refuse rather than let the last one win.
            raise ReportExportError(
                f"format {point.name!r} is registered twice: "
                f"{found[point.name].value} and {point.value}"
            )
        found[point.name] = point
    return found


def available_formats() -> list[str]:
    """Names of every installed format, sorted."""
    return sorted(_entry_points())


def entry_point(name: str) -> EntryPoint:
    """The entry point registered as ``name``, not yet loaded."""
    points = _entry_points()
    point = points.get(name)
    if point is None:
        known = ", ".join(sorted(points)) or "none installed"
        raise ReportExportError(f"unknown format {name!r} (installed: {known})")
    return point


def load_exporter(name: str) -> type[Exporter[object]]:
    """The exporter class registered as ``name``; loading imports only that format's module."""
    from .exporters import Exporter

    point = entry_point(name)
    exporter = _load(point)
    if not (isinstance(exporter, type) and issubclass(exporter, Exporter)):
        raise ReportExportError(f"entry point {point.value} for {name!r} is not an Exporter class")
    if exporter.name != name:
        raise ReportExportError(
            f"entry point {name!r} loads an exporter named {exporter.name!r} ({point.value})"
        )
    return exporter


def load_verifier(name: str) -> type[Verifier] | None:
    """The verifier registered for format ``name``, or None when the format has none."""
    from .verify import Verifier

    point = _entry_points(VERIFIERS).get(name)
    if point is None:
        return None
    verifier = _load(point)
    if not (isinstance(verifier, type) and issubclass(verifier, Verifier)):
        raise ReportExportError(f"entry point {point.value} for {name!r} is not a Verifier class")
    return verifier


def _load(point: EntryPoint) -> object:
    try:
        return point.load()
    except Exception as err:  # a broken plugin is reported, not a traceback
        raise ReportExportError(f"{point.name!r} ({point.value}) failed to load: {err}") from err
