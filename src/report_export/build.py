"""The build: one source read once, each stale format rendered (in parallel), written atomically.

Nothing is written unless every requested format rendered, and then all of them are written
as one set (``output.write_set``); a format whose inputs are unchanged since its last build is
not rendered at all (see ``cache.py``). The output folder is checked and locked before any
rendering, and no output may land on an input. Heavy modules (the parser, the exporters,
WeasyPrint) are imported only once there is something to build. Who renders is a ``Renderer``:
by default fresh workers for this build; ``warm.WarmBuilder`` keeps them from build to build.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .cache import BuildCache, data_hash, file_hash, format_key, inputs_digest
from .errors import ReportExportError
from .output import OutputFolder, write_set
from .registry import EntryPoint, available_formats, entry_point
from .reproducible import source_date_epoch
from .theme import load_theme, resolve_theme

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .exporters import Exporter, Rendered
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
    name: str = ""
    """The outputs' file name without extension (default: the source's stem)."""


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
    """``DIR/<name>.<ext>``, the name being the source's stem unless the request gives one."""
    return request.out_dir / f"{request.name or request.source.stem}.{exporter.extension}"


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


@dataclass(frozen=True, slots=True)
class Plan:
    """What a build of one request has to do: each format's cache key, and which are fresh."""

    request: BuildRequest
    keys: Mapping[str, str]
    """The content hash of every input of each format (``cache.format_key``)."""
    fresh: Mapping[str, BuildResult]
    """The formats whose output is up to date, by name."""
    stale: tuple[str, ...]
    """The formats to render, in the requested order."""

    @property
    def names(self) -> tuple[str, ...]:
        """Every requested format, in order."""
        return tuple(self.keys)


def plan(request: BuildRequest, cache: BuildCache) -> Plan:
    """Check the request (formats, source, theme) and find what is already up to date."""
    return _plan(request, cache, *_check_request(request))


def _check_request(request: BuildRequest) -> tuple[dict[str, EntryPoint], Path]:
    """Each requested format's entry point and the theme's file; nothing is written first."""
    names = list(dict.fromkeys(request.formats)) or available_formats()
    points = {name: entry_point(name) for name in names}
    if not request.source.is_file():
        raise ReportExportError("no such file", request.source)
    source_date_epoch()  # a bad value is an error now, not in a worker
    theme_file = resolve_theme(request.theme, request.source.parent)
    if not theme_file.is_file():
        raise ReportExportError("no such theme", theme_file)
    return points, theme_file


def _plan(
    request: BuildRequest, cache: BuildCache, points: dict[str, EntryPoint], theme_file: Path
) -> Plan:
    inputs = inputs_digest(request.source, theme_file, request.out_dir)
    keys = {name: format_key(inputs, point, request.options) for name, point in points.items()}
    fresh: dict[str, BuildResult] = {}
    for name in points:
        path = None if request.force else cache.fresh(request.source, name, keys[name])
        if path is not None:
            fresh[name] = BuildResult(name, path, rebuilt=False)
    stale = tuple(name for name in points if name not in fresh)
    return Plan(request, keys, fresh, stale)


class Renderer(Protocol):
    """Renders the stale formats of a request: by default afresh in this build's processes
    (``render_stale``); ``warm.WarmBuilder`` keeps processes and their libraries loaded from
    build to build. It returns the output of every format of ``names``."""

    def __call__(
        self, request: BuildRequest, names: list[str], progress: Progress
    ) -> dict[str, Rendered]: ...


def build(
    request: BuildRequest, progress: Progress | None = None, renderer: Renderer | None = None
) -> list[BuildResult]:
    """Build every requested format that is not up to date, in the locked output folder."""
    progress = progress or Progress()
    checked = _check_request(request)  # before the output folder is created and locked
    with OutputFolder(request.out_dir):
        cache = BuildCache(request.out_dir)
        todo = _plan(request, cache, *checked)
        results = dict(todo.fresh)
        if todo.stale:
            theme = load_theme(request.theme, request.source.parent)
            exporters = _load_exporters(todo.stale)
            paths = {e.name: output_path(request, e) for e in exporters}
            check_outputs(request.source, theme, paths.values())
            if renderer is None:
                rendered = _render_stale(request, theme, exporters, progress)
            else:
                rendered = renderer(request, list(todo.stale), progress)
            missing = [name for name in todo.stale if name not in rendered]
            if missing:
                raise ReportExportError(f"{missing[0]}: the renderer returned no output")
            outputs = {paths[name]: rendered[name] for name in todo.stale}
            write_set(output_files(outputs, cache))
            for name in todo.stale:
                out = rendered[name]
                beside = {key: data_hash(data) for key, data in out.beside.items()}
                cache.record(
                    request.source, name, todo.keys[name], paths[name], data_hash(out.data), beside
                )
                results[name] = BuildResult(name, paths[name], rebuilt=True)
            cache.remove_dropped()
            cache.save()
        return [results[name] for name in todo.names]


def check_outputs(source: Path, theme: Theme, outputs: Iterable[Path]) -> None:
    """No output may overwrite an input: the source, the theme or its CSS, under any name (a
    link, another path). Images are inputs too, but an output named by its format's extension
    is never an image, and a file kept beside an output is checked by ``output_files``."""
    inputs = [source, theme.path, *([theme.css] if theme.css else [])]
    for output in outputs:
        for item in inputs:
            if _same_file(output, item):
                raise ReportExportError(f"the output {output} would overwrite this input", item)


def output_files(rendered: Mapping[Path, Rendered], cache: BuildCache) -> dict[Path, bytes]:
    """Every file a build writes: each output, and the files it keeps beside it.

    A file beside an output has a plain name (no folder, not hidden) that no other file of the
    build takes. It replaces a file of that name only when the file holds the same bytes or a
    build wrote it: the output folder may be the source's, whose images are inputs.
    """
    files: dict[Path, bytes] = {path: out.data for path, out in rendered.items()}
    for path, out in rendered.items():
        for name, data in out.beside.items():
            target = beside_path(path, name)
            if target in files:
                raise ReportExportError(f"cannot keep {name!r} beside the output", path)
            if (
                target.exists()
                and file_hash(target) != data_hash(data)
                and not cache.wrote_beside(target)
            ):
                raise ReportExportError(
                    f"the file {name} to be kept beside {path.name} would replace this one,"
                    " which no build wrote",
                    target,
                )
            files[target] = data
    return files


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def beside_path(output: Path, name: str) -> Path:
    """Where a file an output keeps beside it goes: a plain name (no folder, not hidden) in
    the output's folder."""
    if not name or Path(name).name != name or name.startswith(".") or "\\" in name:
        raise ReportExportError(f"cannot keep {name!r} beside the output", output)
    return output.parent / name


def render_stale(
    request: BuildRequest, names: list[str], progress: Progress
) -> dict[str, Rendered]:
    """The default ``Renderer``: ``names`` rendered in this process and fresh workers forked
    for the build."""
    theme = load_theme(request.theme, request.source.parent)
    return _render_stale(request, theme, _load_exporters(names), progress)


def _render_stale(
    request: BuildRequest,
    theme: Theme,
    exporters: list[type[Exporter[object]]],
    progress: Progress,
) -> dict[str, Rendered]:
    workers = min(len(exporters), os.cpu_count() or 1)
    if workers > 1:
        return _render_parallel(request, theme, exporters, workers, progress)
    options = split_options(exporters, request.options)
    document = _read(request)
    check_sizes(exporters, document)
    progress.started([e.name for e in exporters])
    rendered = {}
    try:
        for exporter in exporters:
            rendered[exporter.name] = render(exporter, document, theme, options[exporter.name])
            progress.finished(exporter.name)
    finally:
        progress.done()
    return rendered


def _load_exporters(names: Sequence[str]) -> list[type[Exporter[object]]]:
    from .exporters import load_exporter  # the base pulls in the model: not for a cached build

    return [load_exporter(name) for name in names]


def read_source(request: BuildRequest) -> tuple[Document, Theme]:
    """The request's source parsed, and its theme loaded (a batch task's or a warm
    renderer's read)."""
    return _read(request), load_theme(request.theme, request.source.parent)


def _read(request: BuildRequest) -> Document:
    from .reader import read_file

    return read_file(request.source)


def check_sizes(exporters: Iterable[type[Exporter[object]]], document: Document) -> None:
    """Every format's size limits, before any of them renders: a document one format refuses
    costs no other format's render first."""
    for exporter in exporters:
        exporter.check_size(document)


def render(
    exporter: type[Exporter[object]], document: Document, theme: Theme, options: object
) -> Rendered:
    """One format's output (its bytes, and the files it keeps beside it); a document over the
    format's size limits is refused here too, for the callers that render one format alone
    (a batch task, a warm worker)."""
    exporter.check_size(document)
    return exporter().render_files(document, theme, options)


def _prepare_rank(names: list[str], rank: int) -> None:
    """Load the exporters and prepare the ``rank``-th costliest: the one this worker gets."""
    by_cost(names)[rank].prepare()


def by_cost(names: Sequence[str]) -> list[type[Exporter[object]]]:
    """The exporters of ``names``, costliest first."""
    return sorted(_load_exporters(names), key=_cost, reverse=True)


def _cost(exporter: type[Exporter[object]]) -> int:
    return exporter.cost


def _render_parallel(
    request: BuildRequest,
    theme: Theme,
    exporters: list[type[Exporter[object]]],
    workers: int,
    progress: Progress,
) -> dict[str, Rendered]:
    """The costliest formats in worker processes, one a core, the rest in this process.

    The workers start first and each loads the heavy library of the format it will render
    (``Exporter.prepare``) while this process reads the source; they are forked, so they share
    what is already imported. This process keeps a core for itself and renders the quick
    formats meanwhile: a worker that also loaded WeasyPrint would only take CPU from the PDF.
    A fresh pool a build also keeps WeasyPrint's growth in a long process (PITFALLS) out of
    the caller. Workers die with this process (``_worker_start``), and are killed when it is
    interrupted or fails.
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    names = [e.name for e in exporters]
    context = multiprocessing.get_context("fork")
    out: dict[str, Rendered] = {}
    helpers = workers - 1
    pool = ProcessPoolExecutor(
        max_workers=helpers, mp_context=context, initializer=_worker_start, initargs=(os.getpid(),)
    )
    try:
        # One warm-up a worker: each submission starts a worker while none is idle.
        warm_ups = [pool.submit(_prepare_rank, names, rank) for rank in range(helpers)]
        options = split_options(exporters, request.options)
        document = _read(request)
        check_sizes(exporters, document)
        for warm_up in warm_ups:
            warm_up.result()
        progress.started(names)
        ordered = sorted(exporters, key=_cost, reverse=True)
        pending: dict[Future[Rendered], str] = {
            pool.submit(render, e, document, theme, options[e.name]): e.name
            for e in ordered[:helpers]
        }
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
    except BrokenProcessPool:
        raise ReportExportError(
            "a rendering worker process died (killed, or out of memory)"
        ) from None
    except BaseException:
        _kill_workers(pool)
        raise
    finally:
        progress.done()
        pool.shutdown(wait=True, cancel_futures=True)
    return out


def _worker_start(parent: int) -> None:
    """In each worker: die with the parent, even one killed with SIGKILL, and leave Ctrl-C to
    the parent (which then ends the workers itself and says so in one line)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the request above took hold
        os._exit(1)


def _die_with_parent() -> None:
    """Linux's ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills this process when its
    parent ends. Elsewhere a no-op (the pool's own pipes end idle workers there)."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass


_PR_SET_PDEATHSIG = 1


def _kill_workers(pool: object) -> None:
    # The executor has no public way to stop a task that is running; its worker processes
    # are in ``_processes`` (CPython 3.8 to 3.13).
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        process.kill()
