"""The build: one source read once, each stale format rendered (in parallel), written atomically.

Nothing is written unless every requested format rendered; a format whose inputs are unchanged
since its last build is not rendered at all (see ``cache.py``). Heavy modules (the parser, the
exporters, WeasyPrint) are imported only once there is something to build.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .cache import BuildCache, format_key, inputs_digest
from .errors import ReportExportError
from .output import write_atomic
from .registry import available_formats, entry_point
from .theme import resolve_theme

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .exporters import Exporter
    from .model import Document
    from .theme import Theme


@dataclass(frozen=True, slots=True)
class BuildRequest:
    """What to build: the source, the formats (empty: every installed one), where, how."""

    source: Path
    out_dir: Path
    formats: tuple[str, ...] = ()
    theme: str = "default"
    options: Mapping[str, str] = field(default_factory=dict)
    """Exporter options by name; each goes to every selected format whose options have it."""
    force: bool = False
    """Rebuild even the formats whose inputs are unchanged."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    """One format's output, and whether this build wrote it or found it up to date."""

    format: str
    path: Path
    rebuilt: bool


class Progress:
    """What a build reports as it goes; the default reports nothing."""

    def started(self, formats: Sequence[str]) -> None:
        """Rendering of ``formats`` begins."""

    def tick(self) -> None:
        """Called a few times a second while formats render."""

    def finished(self, fmt: str) -> None:
        """``fmt`` has rendered."""

    def done(self) -> None:
        """All formats have rendered (or the build failed)."""


def output_path(request: BuildRequest, exporter: type[Exporter[object]]) -> Path:
    """``DIR/<source stem>.<ext>``."""
    return request.out_dir / f"{request.source.stem}.{exporter.extension}"


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


class Renderer(Protocol):
    """Renders the stale formats of a request: by default afresh in this build's processes;
    ``warm.WarmBuilder`` keeps processes and their libraries loaded from build to build."""

    def __call__(
        self, request: BuildRequest, names: list[str], progress: Progress
    ) -> dict[str, bytes]: ...


def build(
    request: BuildRequest, progress: Progress | None = None, renderer: Renderer | None = None
) -> list[BuildResult]:
    """Build every requested format that is not up to date."""
    progress = progress or Progress()
    renderer = renderer or render_stale
    names = list(dict.fromkeys(request.formats)) or available_formats()
    points = {name: entry_point(name) for name in names}
    if not request.source.is_file():
        raise ReportExportError("no such file", request.source)
    theme_file = resolve_theme(request.theme, request.source.parent)
    if not theme_file.is_file():
        raise ReportExportError("no such theme", theme_file)
    cache = BuildCache(request.out_dir)
    inputs = inputs_digest(request.source, theme_file, request.out_dir)
    keys = {name: format_key(inputs, point, request.options) for name, point in points.items()}
    results: dict[str, BuildResult] = {}
    for name in names:
        path = None if request.force else cache.fresh(request.source, name, keys[name])
        if path is not None:
            results[name] = BuildResult(name, path, rebuilt=False)
    stale = [name for name in names if name not in results]
    if stale:
        rendered = renderer(request, stale, progress)
        for name in stale:
            path, data = output_path(request, _load_exporters([name])[0]), rendered[name]
            write_atomic(path, data)
            cache.record(request.source, name, keys[name], path, data)
            results[name] = BuildResult(name, path, rebuilt=True)
        cache.save()
    return [results[name] for name in names]


def render_stale(request: BuildRequest, names: list[str], progress: Progress) -> dict[str, bytes]:
    """The formats ``names`` rendered in this process and fresh workers forked for the build."""
    workers = min(len(names), os.cpu_count() or 1)
    if workers > 1:
        return _render_parallel(request, names, workers, progress)
    exporters = _load_exporters(names)
    options = split_options(exporters, request.options)
    document, theme = read_request(request)
    progress.started(names)
    rendered: dict[str, bytes] = {}
    for exporter in exporters:
        rendered[exporter.name] = render(exporter, document, theme, options[exporter.name])
        progress.finished(exporter.name)
    progress.done()
    return rendered


def _load_exporters(names: Sequence[str]) -> list[type[Exporter[object]]]:
    from .exporters import load_exporter  # the base pulls in the model: not for a cached build

    return [load_exporter(name) for name in names]


def read_request(request: BuildRequest) -> tuple[Document, Theme]:
    """The request's source and theme, read and checked."""
    from .reader import read_file
    from .theme import load_theme

    theme = load_theme(request.theme, request.source.parent)
    return read_file(request.source), theme


def render(
    exporter: type[Exporter[object]], document: Document, theme: Theme, options: object
) -> bytes:
    """One format's bytes."""
    return exporter().render(document, theme, options)


def _prepare_rank(names: list[str], rank: int) -> None:
    """Load the exporters and prepare the ``rank``-th costliest: the one this worker gets."""
    by_cost(names)[rank].prepare()


def by_cost(names: Sequence[str]) -> list[type[Exporter[object]]]:
    """The exporters of ``names``, costliest first."""
    return sorted(_load_exporters(names), key=_cost, reverse=True)


def _cost(exporter: type[Exporter[object]]) -> int:
    return exporter.cost


def _render_parallel(
    request: BuildRequest, names: list[str], workers: int, progress: Progress
) -> dict[str, bytes]:
    """The costliest formats in worker processes, one a core, the rest in this process.

    The workers start first and each loads the heavy library of the format it will render
    (``Exporter.prepare``) while this process reads the source; they are forked, so they share
    what is already imported. This process keeps a core for itself and renders the quick
    formats meanwhile: a worker that also loaded WeasyPrint would only take CPU from the PDF.
    A fresh pool a build also keeps WeasyPrint's growth in a long process (PITFALLS) out of
    the caller.
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("fork")
    out: dict[str, bytes] = {}
    helpers = workers - 1
    with ProcessPoolExecutor(max_workers=helpers, mp_context=context) as pool:
        # One warm-up a worker: each submission starts a worker while none is idle.
        warm_ups = [pool.submit(_prepare_rank, names, rank) for rank in range(helpers)]
        try:
            exporters = _load_exporters(names)
            options = split_options(exporters, request.options)
            document, theme = read_request(request)
        except ReportExportError:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        for warm_up in warm_ups:
            warm_up.result()
        progress.started(names)
        ordered = sorted(exporters, key=_cost, reverse=True)
        pending: dict[Future[bytes], str] = {
            pool.submit(render, e, document, theme, options[e.name]): e.name
            for e in ordered[:helpers]
        }
        try:
            for exporter in ordered[helpers:]:
                out[exporter.name] = render(exporter, document, theme, options[exporter.name])
                progress.finished(exporter.name)
            while pending:
                finished, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                for future in finished:
                    name = pending.pop(future)
                    out[name] = future.result()
                    progress.finished(name)
                progress.tick()
        finally:
            progress.done()
    return out
