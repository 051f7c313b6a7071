"""Entry points by group: what is installed under a name, and loading it.

The registry knows no kind of plugin: the exporters (group ``report_export.exporters``) and
the verifiers (``report_export.verifiers``) each load their own through it, so it imports
neither and listing formats stays light.

The entry points are read the way ``importlib.metadata.entry_points`` reads them (the same
folders, the same first-on-``sys.path``-wins rule for a distribution installed twice, the same
``entry_points.txt`` syntax), but without importing ``importlib.metadata``: that import (it
pulls in the email package to parse metadata) and its scan cost ~100 M instructions, more than
a text build's own work, on every build. What the scan leaves out is what Python's own finder
reads inside zip files on ``sys.path`` (zipped eggs). ``importlib.metadata`` is still what
reads a third party's metadata (``distribution_label``), where it is needed.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ReportExportError

EXPORTERS = "report_export.exporters"
VERIFIERS = "report_export.verifiers"
OWN_DISTRIBUTION = "report_export"
"""Our distribution's name, normalised (PEP 503, dashes as underscores)."""

_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
"""An entry point's value, ``package.module:object.attribute [extras]`` (importlib.metadata's
syntax, as lenient about spaces)."""


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """One entry point: ``name = value`` in ``group`` of the distribution at ``dist``."""

    name: str
    value: str
    group: str
    dist: Path
    """The distribution's metadata folder (``*.dist-info`` or ``*.egg-info``)."""

    @property
    def distribution(self) -> str:
        """The distribution's name, normalised."""
        return _distribution_name(self.dist.name)

    def load(self) -> Any:
        """The module, or the object in it, that the value names."""
        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"not a module or module:object reference: {self.value!r}")
        target: Any = importlib.import_module(match["module"])
        for attr in filter(None, (match["attr"] or "").split(".")):
            target = getattr(target, attr)
        return target


def _distribution_name(folder: str) -> str:
    """``Foo.Bar-1.0.dist-info`` -> ``foo_bar``, as importlib.metadata normalises it."""
    name = folder.lower().rpartition(".")[0].partition("-")[0]
    return re.sub(r"[-_.]+", "_", name)


def _all_entry_points() -> tuple[EntryPoint, ...]:
    """Every entry point of every distribution on ``sys.path``, each distribution once."""
    return _scan(tuple(sys.path))


@functools.cache  # a build asks several times; a changed sys.path is scanned again
def _scan(path: tuple[str, ...]) -> tuple[EntryPoint, ...]:
    seen: set[str] = set()
    found: list[EntryPoint] = []
    for entry in path:
        try:
            children = os.listdir(entry or ".")
        except OSError:  # a zip file, or a folder that is gone
            continue
        for child in children:
            if not child.lower().endswith((".dist-info", ".egg-info")):
                continue
            name = _distribution_name(child)
            if name in seen:
                continue
            seen.add(name)
            folder = Path(entry, child)
            try:
                text = (folder / "entry_points.txt").read_text(encoding="utf-8")
            except OSError:
                continue
            found.extend(_parse(text, folder))
    return tuple(found)


def _parse(text: str, folder: Path) -> list[EntryPoint]:
    """The entries of an ``entry_points.txt``: ``[group]`` lines, then ``name = value`` lines
    (blank lines and ``#`` comments skipped; a line without ``=`` is malformed, as
    importlib.metadata has it)."""
    points: list[EntryPoint] = []
    group: str | None = None
    for line in (raw.strip() for raw in text.splitlines()):
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line.strip("[]")
        elif group is not None:
            name, sep, value = line.partition("=")
            if not sep:
                raise ReportExportError(f"malformed entry point {line!r}", folder)
            points.append(EntryPoint(name.strip(), value.strip(), group, folder))
    return points


def registered(group: str) -> dict[str, EntryPoint]:
    """Every entry point of ``group`` by name; a name claimed by two packages is an error."""
    found: dict[str, EntryPoint] = {}
    for point in _all_entry_points():
        if point.group != group:
            continue
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


def distribution_label(point: EntryPoint) -> str:
    """A third party's distribution as its metadata names it: name, version and the RECORD of
    its files' hashes (what changes when it is upgraded or reinstalled)."""
    from importlib.metadata import Distribution

    dist = Distribution.at(point.dist)
    return f"{dist.name} {dist.version}\n{dist.read_text('RECORD') or ''}"


def load_class(point: EntryPoint, base: type[object], kind: str) -> type[Any]:
    """The class ``point`` names, which must derive from ``base`` (a ``kind``, for messages)."""
    try:
        loaded = point.load()
    except Exception as err:  # a broken plugin is reported, not a traceback
        raise ReportExportError(f"{point.name!r} ({point.value}) failed to load: {err}") from err
    if not (isinstance(loaded, type) and issubclass(loaded, base)):
        raise ReportExportError(f"entry point {point.value} for {point.name!r} is not {kind}")
    return loaded
