"""The batch: every job planned against the build cache, the stale formats run on Dask, each
result recorded in the cache as it arrives.

The task graph has one parse task a source and one task a (source, format) that takes the
parsed model, so a source is read once however many formats need it and a large PDF and many
small texts share the workers. Only this process writes the cache, after a worker has written
the output atomically: an interrupted batch leaves every stamp true, and its rerun builds only
what is missing or stale (``build.plan`` decides, exactly as for ``build``).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from distributed import Client, Future, as_completed

from ..build import BuildRequest, Plan, check_outputs, output_path, plan, split_options
from ..cache import BuildCache
from ..errors import ReportExportError
from ..exporters import load_exporter
from ..output import OutputFolder, remove_temporaries
from ..progress import DocumentProgress
from ..registry import available_formats, entry_point
from ..theme import load_theme, resolve_theme
from .cluster import MARGIN, WARM_UP, Recycler, WarmUp, connect, fresh_memory
from .sources import Job
from .tasks import Outcome, build_format, parse

SAVE_EVERY = 1.0
"""Seconds between saves of the cache while a batch runs (it is saved at the end too)."""


@dataclass(frozen=True, slots=True)
class BatchRequest:
    """A batch: its jobs, where the outputs go, the defaults each job may override, and
    where it runs."""

    jobs: tuple[Job, ...]
    out_dir: Path
    formats: tuple[str, ...] = ()
    theme: str = "default"
    options: Mapping[str, str] = field(default_factory=dict)
    force: bool = False
    verify: bool = False
    scheduler: str = ""
    """A Dask scheduler's address; empty: a LocalCluster on this machine."""
    workers: int = 1
    """The LocalCluster's worker processes."""
    worker_memory: int = 1200 * 2**20
    """Bytes past which a worker is retired and started afresh (raised to a fresh worker's
    memory and ``cluster.MARGIN`` when below)."""


@dataclass(slots=True)
class DocumentResult:
    """One source of the batch: what became of each of its formats."""

    job: Job
    request: BuildRequest
    formats: tuple[str, ...]
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    up_to_date: dict[str, Path] = field(default_factory=dict)
    """The formats whose outputs were already up to date, with their paths."""
    error: str = ""
    """Why nothing of it could be tried (its inputs could not be hashed), else empty."""

    @property
    def finished(self) -> bool:
        return bool(self.error) or len(self.outcomes) + len(self.up_to_date) == len(self.formats)

    @property
    def ok(self) -> bool:
        return not self.error and all(o.ok for o in self.outcomes.values())

    @property
    def status(self) -> str:
        """built, up to date, failed, or not run (the batch was interrupted first)."""
        if not self.finished:
            return "not run"
        if not self.ok:
            return "failed"
        return "built" if self.outcomes else "up to date"

    @property
    def failure(self) -> str:
        """The first thing that went wrong, one line ("" when all went well)."""
        if self.error:
            return self.error
        for outcome in self.outcomes.values():
            if outcome.error:
                return outcome.error
            if outcome.problems:
                return f"{outcome.path}: verify: {outcome.problems[0]}"
        return ""


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Every document of the batch, in the order given, and the batch's wall time."""

    documents: tuple[DocumentResult, ...]
    seconds: float
    interrupted: bool = False
    recycled: int = 0
    """Workers retired past the memory bound (and replaced) while it ran."""

    @property
    def failed(self) -> list[DocumentResult]:
        return [d for d in self.documents if d.finished and not d.ok]


def build_requests(batch: BatchRequest) -> list[BuildRequest]:
    """Each job as the ``build`` request it stands for; a format, theme or option that is
    wrong for any job is an error before anything runs."""
    requests = []
    checked: set[tuple[tuple[str, ...], str, Path]] = set()
    for job in batch.jobs:
        request = BuildRequest(
            source=job.source,
            out_dir=batch.out_dir / job.out_dir,
            formats=job.formats or batch.formats or tuple(available_formats()),
            theme=job.theme or batch.theme,
            options=batch.options,
            force=batch.force,
            name=job.stem,
        )
        place = (request.formats, request.theme, request.source.parent)
        if place not in checked:
            for name in request.formats:
                entry_point(name)
            theme_file = resolve_theme(request.theme, request.source.parent)
            if not theme_file.is_file():
                raise ReportExportError("no such theme", theme_file)
            checked.add(place)
        requests.append(request)
    return requests


def run_batch(
    batch: BatchRequest, progress: DocumentProgress, warn: Callable[[str], None]
) -> BatchResult:
    """Build every job's stale formats on the cluster; never raises for a document's fault.
    ``warn`` is given a line when the memory bound has to be raised.

    Every output folder is held for the whole batch, as ``build`` holds its one: a build or
    another batch into any of them waits (the folders are taken in one order, so two batches
    never hold one each and wait for the other)."""
    start = time.monotonic()
    requests = build_requests(batch)
    options = _parsed_options(requests, batch.options)
    with contextlib.ExitStack() as held:
        for folder in sorted({request.out_dir for request in requests}):
            held.enter_context(OutputFolder(folder))
        return _run(batch, requests, options, progress, warn, start)


def _run(
    batch: BatchRequest,
    requests: Sequence[BuildRequest],
    options: Mapping[tuple[str, ...], Mapping[str, object]],
    progress: DocumentProgress,
    warn: Callable[[str], None],
    start: float,
) -> BatchResult:
    caches: dict[Path, BuildCache] = {}
    documents: list[DocumentResult] = []
    plans: list[Plan] = []
    for job, request in zip(batch.jobs, requests, strict=True):
        cache = caches.setdefault(request.out_dir, BuildCache(request.out_dir))
        document = DocumentResult(job, request, request.formats)
        documents.append(document)
        try:
            todo = plan(request, cache)
            if todo.stale:  # no output may land on an input, as in ``build``
                theme = load_theme(request.theme, request.source.parent)
                outputs = [output_path(request, load_exporter(name)) for name in todo.stale]
                check_outputs(request.source, theme, outputs)
        except ReportExportError as err:  # its inputs cannot be read: its own fault
            document.error = str(err)
            continue
        document.up_to_date = {name: r.path for name, r in todo.fresh.items()}
        plans.append(todo)
    progress.started(len(documents))
    for document in documents:
        if document.finished:
            progress.finished(document.ok)
    interrupted = False
    recycled = 0
    try:
        if any(todo.stale for todo in plans):
            stale = _stale_documents(documents, plans)
            with connect(batch.scheduler, batch.workers) as client:
                formats = sorted({name for todo in plans for name in todo.stale})
                # A theme the sources' own styles/ folders hold is not the workers' to find.
                shared = resolve_theme(batch.theme).is_file()
                warm = WarmUp(formats, batch.theme if shared else "default")
                client.register_plugin(warm, name=WARM_UP)
                recycler = Recycler(client, _memory_bound(client, batch.worker_memory, warn))
                futures = _submit(client, stale, options, batch.verify)
                try:
                    _collect(futures, caches, progress, recycler)
                except KeyboardInterrupt:
                    interrupted = True
                    client.cancel(list(futures))
                recycled = len(recycler.retired)
            # Every task has ended: a worker killed while writing left its temporary file.
            written = {
                output_path(todo.request, load_exporter(name)).parent
                for todo in plans
                for name in todo.stale
            }
            for folder in written:
                if folder.is_dir():
                    remove_temporaries(folder)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        for cache in caches.values():
            cache.save()
        progress.done()
    return BatchResult(tuple(documents), time.monotonic() - start, interrupted, recycled)


def _memory_bound(client: Client, asked: int, warn: Callable[[str], None]) -> int:
    """``asked``, or the floor when it is below: the memory of a fresh worker just warmed up
    (``register_plugin`` returns once every worker has run ``WarmUp``) and ``MARGIN``."""
    floor = fresh_memory(client) + MARGIN
    if asked >= floor:
        return asked
    warn(
        f"--worker-memory {asked // 2**20} MB is below a fresh worker's memory and "
        f"{MARGIN // 2**20} MB: raised to {floor // 2**20} MB"
    )
    return floor


def _parsed_options(
    requests: Sequence[BuildRequest], raw: Mapping[str, str]
) -> dict[tuple[str, ...], dict[str, object]]:
    """Each format list's parsed options (``build.split_options``: an option no selected
    format takes is an error)."""
    parsed: dict[tuple[str, ...], dict[str, object]] = {}
    for request in requests:
        if request.formats not in parsed:
            exporters = [load_exporter(name) for name in request.formats]
            parsed[request.formats] = split_options(exporters, raw)
    return parsed


def _stale_documents(
    documents: Sequence[DocumentResult], plans: Sequence[Plan]
) -> list[tuple[DocumentResult, Plan]]:
    by_request = {id(todo.request): todo for todo in plans}
    return [
        (document, by_request[id(document.request)])
        for document in documents
        if id(document.request) in by_request and by_request[id(document.request)].stale
    ]


Submitted = dict[Future[Outcome], tuple[DocumentResult, str, str]]
"""Each format task's future: its document, format and cache key."""


def _submit(
    client: Client,
    stale: Sequence[tuple[DocumentResult, Plan]],
    options: Mapping[tuple[str, ...], Mapping[str, object]],
    verify: bool,
) -> Submitted:
    """One parse task a source and one task a stale format, costliest format first.

    A format task outranks every parse task, so a worker finishes the formats of the sources
    already read before it reads another: few parsed models are held at once.
    """
    run = uuid.uuid4().hex[:8]  # keys of one run never meet a former run's on the scheduler
    futures: Submitted = {}
    for index, (document, todo) in enumerate(stale):
        request = todo.request
        label = f"{request.name or request.source.stem}-{run}-{index}"
        parsed = client.submit(parse, request, key=f"parse-{label}", priority=0)
        costs = {name: load_exporter(name).cost for name in todo.stale}
        for name in sorted(todo.stale, key=lambda n: -costs[n]):
            future = client.submit(
                build_format,
                parsed,
                request,
                name,
                options[request.formats][name],
                verify,
                key=f"{name}-{label}",
                priority=costs[name],
            )
            futures[future] = (document, name, todo.keys[name])
    return futures


def _collect(
    futures: Submitted,
    caches: Mapping[Path, BuildCache],
    progress: DocumentProgress,
    recycler: Recycler,
) -> None:
    """Record each outcome as it arrives; save the caches and look at the workers' memory
    every ``SAVE_EVERY`` seconds.

    A future is dropped once recorded, which frees its result on the worker: a worker holds
    only what is still to be collected, and one retiring has little to hand over.
    """
    saved = time.monotonic()
    for future, outcome in _outcomes(futures, progress, recycler):
        document, name, key = futures.pop(future)
        document.outcomes[name] = outcome
        if not outcome.error:
            caches[document.request.out_dir].record(
                document.request.source, name, key, Path(outcome.path), outcome.output
            )
        if document.finished:
            progress.finished(document.ok)
        if time.monotonic() - saved > SAVE_EVERY:
            for cache in caches.values():
                cache.save()
            saved = time.monotonic()


def _outcomes(
    futures: Submitted, progress: DocumentProgress, recycler: Recycler
) -> Iterator[tuple[Future[Outcome], Outcome]]:
    """Each future with its outcome as it finishes; meanwhile the progress display ticks and,
    every ``SAVE_EVERY`` seconds, the recycler looks at the workers."""
    pending = as_completed(futures)
    checked = time.monotonic()
    while not pending.is_empty():
        if time.monotonic() - checked > SAVE_EVERY:
            recycler.check()
            checked = time.monotonic()
        batch = pending.next_batch(block=False)
        if not batch:
            progress.tick()
            time.sleep(0.1)
            continue
        for future in batch:
            yield future, _outcome(future, futures[future][0], futures[future][1])


def _outcome(future: Future[Outcome], document: DocumentResult, name: str) -> Outcome:
    """The task's own outcome, or the cluster's error (a worker that kept dying) as one."""
    # Not the status alone: a result whose worker then died goes back to pending, and is
    # computed again (the result call waits for it); a task itself never raises.
    reason = str(future.status)
    if reason != "cancelled":
        try:
            outcome = future.result()
        except Exception as err:
            reason = f"{type(err).__name__}: {err}".splitlines()[0]
        else:
            assert isinstance(outcome, Outcome)
            return outcome
    path = document.request.out_dir / f"{document.request.name}"
    return Outcome(name, str(path), f"{document.request.source}: {name}: {reason}")
