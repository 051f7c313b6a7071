"""``report-export watch``: build, then rebuild whenever a file the build reads is saved.

The files watched are the ones the build cache hashes (the source, everything under its folder
and under the theme's folder, the output folder left out), polled for their modification time
and size: a few dozen ``stat`` calls a tenth of a second, no dependency, and it sees an editor's
save-by-rename as well as a write in place. Which formats a change touches is the cache's
answer: a format whose inputs hash the same is not rendered again (a save that changes nothing
rebuilds nothing). Rendering goes through ``warm.WarmBuilder``, so after the first build only
the document itself is read and laid out again. Each build prints one line; a bad source prints
its one-line error and the watch goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path

from .build import BuildRequest, BuildResult, build
from .cache import input_files
from .errors import ReportExportError
from .registry import available_formats
from .theme import resolve_theme
from .warm import WarmBuilder

POLL_SECONDS = 0.1
SETTLE_SECONDS = 0.05
"""A change is built once the files have stood still this long (an editor may write twice)."""

Snapshot = dict[Path, tuple[int, int]]


def snapshot(request: BuildRequest) -> Snapshot:
    """The modification time and size of every file the build of ``request`` reads."""
    files = [request.source]
    try:
        theme_file = resolve_theme(request.theme)
        files += [path for _, path in input_files(request.source, theme_file, request.out_dir)]
    except (OSError, ReportExportError):
        pass  # the build that follows says what is wrong
    stats: Snapshot = {}
    for path in files:
        try:
            info = path.stat()
        except OSError:
            continue
        stats[path] = (info.st_mtime_ns, info.st_size)
    return stats


def summary(results: list[BuildResult], seconds: float) -> str:
    """One line for a build: what was rebuilt, in how long, or that nothing had to be."""
    rebuilt = [r.format for r in results if r.rebuilt]
    if not rebuilt:
        return "up to date (no input changed)"
    where = results[0].path.parent
    return f"built {', '.join(rebuilt)} into {where}/ in {seconds:.2f} s"


def watch(
    request: BuildRequest,
    emit: Callable[[str], None],
    keep_going: Callable[[], bool] = lambda: True,
) -> None:
    """Build ``request``, then again after every change to its inputs, while ``keep_going()``.

    Each build is reported by one call of ``emit`` with a line stamped with the time.
    """
    names = list(dict.fromkeys(request.formats)) or available_formats()
    builder = WarmBuilder(names)
    try:
        seen = snapshot(request)
        builder = _build_once(request, builder, names, emit)
        while keep_going():
            time.sleep(POLL_SECONDS)
            now = snapshot(request)
            if now == seen:
                continue
            while True:  # let the save finish
                time.sleep(SETTLE_SECONDS)
                settled = snapshot(request)
                if settled == now:
                    break
                now = settled
            seen = now
            builder = _build_once(request, builder, names, emit)
    except BaseException:
        builder.kill()  # Ctrl-C: a render under way is not waited for
        raise
    else:
        builder.close()


def _build_once(
    request: BuildRequest, builder: WarmBuilder, names: list[str], emit: Callable[[str], None]
) -> WarmBuilder:
    """One build, reported; the builder to go on with (a new one if a worker died)."""
    start = time.monotonic()
    stamp = datetime.now().strftime("%H:%M:%S")
    try:
        results = build(request, renderer=builder)
    except ReportExportError as err:
        emit(f"{stamp} report-export: {err}")
    except BrokenProcessPool:
        emit(f"{stamp} report-export: a render process died; starting it again")
        builder.close()
        return WarmBuilder(names)
    else:
        emit(f"{stamp} {summary(results, time.monotonic() - start)}")
    return builder
