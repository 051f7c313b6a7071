"""Entry points by group: what is installed under a name, and loading it.

The registry knows no kind of plugin: the exporters (group ``report_export.exporters``) and
the verifiers (``report_export.verifiers``) each load their own through it, so it imports
neither and listing formats stays light.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Any

from .errors import ReportExportError

EXPORTERS = "report_export.exporters"
VERIFIERS = "report_export.verifiers"


def registered(group: str) -> dict[str, EntryPoint]:
    """Every entry point of ``group`` by name; a name claimed by two packages is an error."""
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
    return sorted(registered(EXPORTERS))


def entry_point(name: str) -> EntryPoint:
    """The exporter entry point registered as ``name``, not yet loaded."""
    points = registered(EXPORTERS)
    point = points.get(name)
    if point is None:
        known = ", ".join(sorted(points)) or "none installed"
        raise ReportExportError(f"unknown format {name!r} (installed: {known})")
    return point


def load_class(point: EntryPoint, base: type[object], kind: str) -> type[Any]:
    """The class ``point`` names, which must derive from ``base`` (a ``kind``, for messages)."""
    try:
        loaded = point.load()
    except Exception as err:  # a broken plugin is reported, not a traceback
        raise ReportExportError(f"{point.name!r} ({point.value}) failed to load: {err}") from err
    if not (isinstance(loaded, type) and issubclass(loaded, base)):
        raise ReportExportError(f"entry point {point.value} for {point.name!r} is not {kind}")
    return loaded
