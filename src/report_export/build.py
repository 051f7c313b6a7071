"""The build: one source read once, rendered into each requested format, written atomically."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import ReportExportError
from .exporters import Exporter
from .model import Document
from .output import write_atomic
from .reader import read_file
from .registry import available_formats, load_exporter
from .theme import Theme, load_theme


@dataclass(frozen=True, slots=True)
class BuildRequest:
    """What to build: the source, the formats (empty: every installed one), where, how."""

    source: Path
    out_dir: Path
    formats: tuple[str, ...] = ()
    theme: str = "default"
    options: Mapping[str, str] | None = None
    """Exporter options by name; each goes to every selected format whose options have it."""


def output_path(request: BuildRequest, exporter: type[Exporter[object]]) -> Path:
    """``DIR/<source stem>.<ext>``."""
    return request.out_dir / f"{request.source.stem}.{exporter.extension}"


def select_exporters(formats: Sequence[str]) -> list[type[Exporter[object]]]:
    """The exporter classes for ``formats`` (every installed one when empty), checked first."""
    names = list(formats) or available_formats()
    return [load_exporter(name) for name in dict.fromkeys(names)]


def split_options(
    exporters: Sequence[type[Exporter[object]]], raw: Mapping[str, str]
) -> dict[str, object]:
    """Each exporter's parsed options; an option no selected exporter takes is an error."""
    taken: set[str] = set()
    parsed: dict[str, object] = {}
    for exporter in exporters:
        names = {f.name for f in fields(exporter.options_type)}
        mine = {k: v for k, v in raw.items() if k.replace("-", "_") in names}
        taken |= set(mine)
        parsed[exporter.name] = exporter.parse_options(mine)
    unknown = sorted(set(raw) - taken)
    if unknown:
        selected = ", ".join(e.name for e in exporters)
        raise ReportExportError(f"option {unknown[0]!r} is taken by none of: {selected}")
    return parsed


def build(request: BuildRequest) -> list[Path]:
    """Build every requested format; nothing is written unless every format rendered."""
    exporters = select_exporters(request.formats)
    options = split_options(exporters, request.options or {})
    theme = load_theme(request.theme)
    document = read_file(request.source)
    rendered = [
        (output_path(request, exporter), render(exporter, document, theme, options[exporter.name]))
        for exporter in exporters
    ]
    for path, data in rendered:
        write_atomic(path, data)
    return [path for path, _ in rendered]


def render(
    exporter: type[Exporter[object]], document: Document, theme: Theme, options: object
) -> bytes:
    """One format's bytes."""
    return exporter().render(document, theme, options)
