"""The Dask side of a batch: a cluster to run on, and the plugins that keep its workers warm
and bounded.

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
from collections.abc import Iterator, Sequence

from distributed import Client, LocalCluster, Worker, WorkerPlugin

from ..errors import ReportExportError
from ..warm import warm_up

WARM_UP = "report-export-warm-up"
RECYCLE = "report-export-recycle"


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

    async def setup(self, worker: Worker) -> None:
        import asyncio

        executor = worker.executors["default"]
        await asyncio.get_running_loop().run_in_executor(
            executor, warm_up, self.formats, self.theme
        )


class Recycle(WorkerPlugin):
    """A worker plugin: a worker whose memory passed ``limit`` bytes after a task retires
    itself and its nanny starts a fresh one (warmed up again).

    WeasyPrint's memory grows in a long process (PITFALLS); retiring between tasks, after the
    scheduler has moved the worker's results and queue elsewhere, bounds it without killing a
    task halfway as the nanny's own memory limit would. A worker with no nanny is left alone.
    """

    name = RECYCLE

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.worker: Worker | None = None
        self.retiring = False

    def setup(self, worker: Worker) -> None:
        self.worker = worker

    def transition(self, key: object, start: str, finish: str, **kwargs: object) -> None:
        worker = self.worker
        if finish != "memory" or self.retiring or worker is None or worker.nanny is None:
            return
        import psutil

        if psutil.Process().memory_info().rss > self.limit:
            self.retiring = True
            reason = f"report-export: memory past {self.limit // 2**20} MB"
            worker.loop.add_callback(worker.close_gracefully, restart=True, reason=reason)


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
            silence_logs=logging.ERROR,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    with cluster, Client(cluster) as client:
        yield client


def default_workers() -> int:
    """One worker a core."""
    return os.cpu_count() or 1
