"""The Dask side of a batch: a cluster to run on, the plugin that keeps its workers warm and
the recycler that keeps their memory bounded.

With no scheduler address a ``LocalCluster`` runs on this machine: process workers (WeasyPrint
is not a library to render with in two threads of one process), one thread each, one a core.
With ``tcp://HOST:PORT`` the same tasks go to an existing cluster (``dask scheduler`` and
``dask worker`` elsewhere); its workers must see the sources and the output folder at the same
paths as this machine (a shared file system) and have report-export installed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Iterator, Sequence

from distributed import Client, LocalCluster, Worker, WorkerPlugin

from ..errors import ReportExportError
from ..warm import warm_up

WARM_UP = "report-export-warm-up"


class WarmUp(WorkerPlugin):
    """A worker plugin: each worker renders ``warm.SAMPLE`` in every format of the batch once
    as it starts, so that no document pays WeasyPrint's import or the font lookups.

    The warm-up runs on the worker's own task thread, ahead of any task, which keeps the
    event loop free for the scheduler's heartbeats.
    """

    name = WARM_UP

    def __init__(self, formats: Sequence[str], theme: str) -> None:
        self.formats = tuple(formats)
        self.theme = theme
        self.warm = False
        """Set once the warm-up is over (the worker counts as running before)."""

    async def setup(self, worker: Worker) -> None:
        import asyncio

        executor = worker.executors["default"]
        await asyncio.get_running_loop().run_in_executor(
            executor, warm_up, self.formats, self.theme
        )
        self.warm = True


def _warm(dask_worker: Worker) -> bool:
    plugin = dask_worker.plugins.get(WARM_UP)
    return isinstance(plugin, WarmUp) and plugin.warm


MARGIN = 128 * 2**20
"""What a memory bound must leave above a fresh, warmed-up worker: its first reports take it
~70-130 MB up (measured: 186 MB warm, 257 and 313 MB after one and two reports), and a bound
below that would retire every worker after every task."""

RECHECK = 60.0
"""Seconds after which a retirement that has not come back (refused by the scheduler, or the
worker never replaced) stops holding up the next."""


def fresh_memory(client: Client) -> int:
    """The largest resident memory of the cluster's workers, each just warmed up."""
    return max(client.run(_resident).values(), default=0)


def _resident() -> int:
    import psutil

    rss: int = psutil.Process().memory_info().rss
    return rss


def _pause(dask_worker: Worker) -> None:
    """Run on a worker: take no new task (the scheduler sends it none); the one it runs ends.

    The worker's own memory monitor resumes a paused worker whose memory is below its pause
    fraction, within 100 ms: it is told not to pause or resume this one until ``_retire``.
    """
    from distributed.core import Status

    dask_worker.memory_manager.memory_pause_fraction = False
    if dask_worker.status == Status.running:
        dask_worker.status = Status.paused


def _executing(dask_worker: Worker) -> int:
    count: int = dask_worker.state.executing_count
    return count


async def _retire(reason: str, dask_worker: Worker) -> None:
    """Run on a worker: hand its results and queue to the others (the scheduler's
    ``retire_workers``), then close, leaving its nanny to start a fresh one; when the
    scheduler refuses (nobody else could take its results), work on.

    ``Worker.close_gracefully`` does the same but closes even when the scheduler refused (no
    other worker to take its results), losing them: that, with every worker over the bound at
    once, was a batch that never ended.
    """
    import dask
    from distributed.core import Status

    retired = await dask_worker.scheduler.retire_workers(
        workers=[dask_worker.address],
        close_workers=False,
        remove=True,
        stimulus_id=f"report-export-recycle-{time.time()}",
    )
    if dask_worker.address in retired:
        await dask_worker.close(nanny=False, reason=reason)
        return
    dask_worker.memory_manager.memory_pause_fraction = dask.config.get(
        "distributed.worker.memory.pause"
    )
    if dask_worker.status == Status.paused:
        dask_worker.status = Status.running


class Recycler:
    """Bounds WeasyPrint's memory growth in long-lived workers (PITFALLS): a worker whose
    memory passed ``limit`` finishes the task it runs, then is retired through the scheduler
    and its nanny starts a fresh one (warmed up again by ``WarmUp``), one worker at a time.

    The client decides, from the memory the workers report to the scheduler, so two workers
    never retire at once and lose each other's results. The worker is paused first (it takes
    no new task) and retired once it runs none: retired mid-task, a document whose render
    alone passes the bound went from worker to worker, each retired in turn, and never ended.
    The next waits until the last is replaced by a warm worker (else, on two workers, the
    second retires while the first's replacement is still warming up, and nobody works). A
    worker with no nanny is left alone; so is the only worker holding results (the scheduler
    refuses it, as nothing could take them: it works on).
    """

    def __init__(self, client: Client, limit: int) -> None:
        self.client = client
        self.limit = limit
        self.retired: list[str] = []
        """The workers retired so far (each replaced by a fresh one)."""
        self._retiring = ""
        self._asked = False
        """Whether the paused worker was asked to retire (it had finished its task)."""
        self._running = 0
        """Running workers when the retirement in flight began."""
        self._since = 0.0

    def check(self) -> None:
        """Pause the largest worker past the bound, unless a retirement is in flight; retire
        the paused worker once it runs no task."""
        workers = self.client.scheduler_info(n_workers=-1)["workers"]
        running = {a: w for a, w in workers.items() if w["status"] == "running"}
        if self._retiring:
            if self._retiring not in workers and self._retiring not in self.retired:
                self.retired.append(self._retiring)
            if not self._asked:
                # However long its task runs (a pause does not time out); a worker gone
                # meanwhile is replaced by its nanny as a retired one is.
                if self._retiring in workers:
                    if not self._idle(self._retiring):
                        return
                    reason = f"report-export: memory past {self.limit // 2**20} MB"
                    # A worker gone since the scheduler answered has nothing left to retire.
                    self.client.run(
                        _retire, reason, workers=[self._retiring], wait=False, on_error="ignore"
                    )
                self._asked, self._since = True, time.monotonic()
                return
            replaced = (
                self._retiring in self.retired
                and len(running) >= self._running
                and self._all_warm(list(running))
            )
            if not replaced and time.monotonic() - self._since < RECHECK:
                return
            self._retiring = ""
        over = [
            (w["metrics"]["memory"], a)
            for a, w in running.items()
            if w.get("nanny") and w["metrics"]["memory"] > self.limit
        ]
        if not over:
            return
        _, address = max(over)
        self.client.run(_pause, workers=[address], on_error="ignore")
        self._retiring, self._asked = address, False
        self._running, self._since = len(running), time.monotonic()

    def _idle(self, address: str) -> bool:
        answers = self.client.run(_executing, workers=[address], on_error="return")
        return bool(answers.get(address) == 0)

    def _all_warm(self, workers: list[str]) -> bool:
        answers = self.client.run(_warm, workers=workers, on_error="return")
        return all(answer is True for answer in answers.values())


@contextlib.contextmanager
def connect(scheduler: str, workers: int) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a new ``LocalCluster`` of ``workers``
    processes when ``scheduler`` is empty; closed (and the local cluster stopped) on exit."""
    if scheduler:
        try:
            client = Client(scheduler, timeout="5s")
        except (OSError, TimeoutError) as err:
            raise ReportExportError(f"cannot reach the scheduler: {err}", scheduler) from None
        with client:
            yield client
        return
    # Ctrl-C goes to the whole process group: the workers ignore it (the disposition is
    # inherited across exec) and this process alone stops the batch, in order.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # The batch reports every failure in its own line (a document's error, a worker
            # that kept dying); distributed's errors would add tracebacks, some for nothing
            # wrong (a worker retired on purpose logs its nanny's stop queue closing).
            silence_logs=logging.CRITICAL,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    with cluster, Client(cluster) as client:
        yield client


def default_workers() -> int:
    """One worker a core."""
    return os.cpu_count() or 1
