"""Warm processes: exporters loaded, their heavy libraries prepared and their caches (fonts,
parsed stylesheets: see ``layout_engine``) kept from one render to the next.

``WarmRenderer`` renders in the process that holds it. ``WarmBuilder`` is what
``report-export watch`` builds with: the costliest formats each in a process of its own that
stays up (forked once, warm after its first render), the quick ones meanwhile in this process,
so a rebuild costs about the warm PDF render alone.

A fresh process pays for more than imports on its first render: WeasyPrint's import and its
cffi declarations (~0.3 s on first use), fontconfig's lookups of the theme's faces, the glyph
coverage of each font stack (``fonts.py`` caches), HarfBuzz subsetting, the parser. The one
sure way to pay all of it, whatever a format needs, is to render a small document of the same
kind in every format once and throw the bytes away: a long-lived process (a batch worker, a
server) calls ``warm_up`` when it starts, through this process's ``WarmRenderer``.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from .build import (
    BuildRequest,
    Progress,
    _kill_workers,
    _worker_start,
    by_cost,
    check_sizes,
    read_source,
    render,
    split_options,
)
from .exporters import load_exporter

if TYPE_CHECKING:
    from types import TracebackType

    from .exporters import Exporter, Rendered


class WarmRenderer:
    """Renders requests in this process; each exporter is loaded and prepared once."""

    def __init__(self) -> None:
        self._ready: dict[str, type[Exporter[object]]] = {}

    def exporter(self, name: str) -> type[Exporter[object]]:
        """The exporter of ``name``, its heavy libraries loaded."""
        exporter = self._ready.get(name)
        if exporter is None:
            exporter = load_exporter(name)
            exporter.prepare()
            self._ready[name] = exporter
        return exporter

    def render(
        self, request: BuildRequest, names: Sequence[str], only: Sequence[str] | None = None
    ) -> dict[str, Rendered]:
        """The output of each format of ``only`` (default: all of ``names``).

        ``names`` are every format the request builds: the options are checked against all of
        them, as a build that renders some formats elsewhere does.
        """
        exporters = [self.exporter(name) for name in names]
        options = split_options(exporters, request.options)
        document, theme = read_source(request)
        check_sizes(exporters, document)
        wanted = set(names if only is None else only)
        return {
            e.name: render(e, document, theme, options[e.name])
            for e in exporters
            if e.name in wanted
        }


_in_worker = WarmRenderer()
"""This process's warm renderer: ``warm_up``'s, and a ``WarmBuilder`` worker's (forked, so
each has its own)."""

SAMPLE = """---
title: 预热文档
lang: zh-CN
author: report-export
---

# 一、标题

正文段落，含“引号”、English words 与数字 2026。[^1]

- 列表项

| 列 | 值 |
|---|---|
| 甲 | 1 |

[^1]: 脚注。
"""
"""A report in little: title, heading, paragraph, footnote, list and table in Chinese."""


def warm_up(formats: Iterable[str], theme_name: str = "default") -> None:
    """Load each format's exporter (through this process's ``WarmRenderer``) and render
    ``SAMPLE`` with it once, with ``theme_name``."""
    from .reader import read_text
    from .theme import load_theme

    theme = load_theme(theme_name)
    # The sample has no assets: a folder of its own would only be hashed and searched.
    document = read_text(SAMPLE, Path("/nonexistent/warm-up.md"))
    for name in formats:
        exporter = _in_worker.exporter(name)
        render(exporter, document, theme, exporter.parse_options({}))


def _prepare(name: str) -> None:
    _in_worker.exporter(name)


def _render_in_worker(request: BuildRequest, names: list[str], name: str) -> Rendered:
    return _in_worker.render(request, names, [name])[name]


class WarmBuilder:
    """A ``build.Renderer`` that stays warm: one worker process for each of the costliest
    formats (as many as there are cores beyond this one), the rest rendered here.

    Use it as a context manager; leaving it stops the workers.
    """

    def __init__(self, names: Sequence[str]) -> None:
        helpers = max(0, min(len(names), os.cpu_count() or 1) - 1)
        ordered = [e.name for e in by_cost(names)]
        self.here = WarmRenderer()
        self.elsewhere = ordered[:helpers]
        context = multiprocessing.get_context("fork")
        self.workers: dict[str, ProcessPoolExecutor] = {}
        for name in self.elsewhere:
            # Like a build's workers, each dies with this process and leaves Ctrl-C to it.
            worker = ProcessPoolExecutor(
                max_workers=1,
                mp_context=context,
                initializer=_worker_start,
                initargs=(os.getpid(),),
            )
            worker.submit(_prepare, name)  # starts the process and its heavy import now
            self.workers[name] = worker
        for name in ordered[helpers:]:
            self.here.exporter(name)

    def __call__(
        self, request: BuildRequest, names: list[str], progress: Progress
    ) -> dict[str, Rendered]:
        progress.started(names)
        try:
            pending: dict[str, Future[Rendered]] = {
                name: self.workers[name].submit(_render_in_worker, request, names, name)
                for name in names
                if name in self.workers
            }
            local = [name for name in names if name not in pending]
            out = self.here.render(request, names, local) if local else {}
            for name in local:
                progress.finished(name)
            for name, future in pending.items():
                out[name] = future.result()
                progress.finished(name)
        finally:
            progress.done()
        return out

    def close(self) -> None:
        """Stop the workers once they have finished what they are rendering."""
        for worker in self.workers.values():
            worker.shutdown(wait=True, cancel_futures=True)

    def kill(self) -> None:
        """Stop the workers now, mid-render (Ctrl-C, a failure of this process)."""
        for worker in self.workers.values():
            _kill_workers(worker)
        self.close()

    def __enter__(self) -> WarmBuilder:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is not None and not isinstance(error, Exception):
            self.kill()
        else:
            self.close()
