"""What runs on a worker: read a source, render one format of it, write it, check it.

Tasks never raise for a document's fault: a source that cannot be read or a format that
cannot be rendered becomes an ``Outcome`` with its one-line error, so the batch goes on and
Dask's rescheduling is left for what it is for, a worker that died. Rendering and writing are
``build.py``'s own functions, so a batch's outputs are the bytes ``build`` writes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..build import BuildRequest, beside_path, output_path, read_source, render
from ..cache import data_hash
from ..errors import ReportExportError
from ..exporters import load_exporter
from ..model import Document
from ..output import write_atomic
from ..theme import Theme


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A source that could not be read, and why (one line)."""

    error: str


Parsed = tuple[Document, Theme] | Unreadable
"""What a parse task hands the format tasks of its source."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One format of one source: written (``error`` empty) or not, and what it cost."""

    format: str
    path: str
    error: str = ""
    output: str = ""
    """The SHA-256 of the bytes written."""
    size: int = 0
    seconds: float = 0.0
    problems: tuple[str, ...] | None = None
    """What ``--verify`` found (empty: it holds); None when not verified."""
    worker: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and not self.problems


def one_line(err: BaseException, request: BuildRequest) -> str:
    """The error as one line naming the source (ours already name the file they are about)."""
    if isinstance(err, ReportExportError):
        return str(err) if err.path is not None else f"{request.source}: {err}"
    first = (str(err).strip().splitlines() or [""])[0]
    return f"{request.source}: {type(err).__name__}: {first}".rstrip(": ")


def parse(request: BuildRequest) -> Parsed:
    """The source read into the model and its theme loaded, once for all its formats."""
    try:
        return read_source(request)
    except Exception as err:  # any document's fault is its own; the batch goes on
        return Unreadable(one_line(err, request))


def build_format(
    parsed: Parsed, request: BuildRequest, fmt: str, options: object, verify: bool
) -> Outcome:
    """Render ``fmt``, write it atomically where ``build`` would, and check it if asked."""
    from distributed import get_worker

    start = time.perf_counter()
    worker = get_worker().address
    exporter = load_exporter(fmt)
    path = output_path(request, exporter)
    if isinstance(parsed, Unreadable):
        return Outcome(fmt, str(path), error=parsed.error, worker=worker)
    document, theme = parsed
    try:
        rendered = render(exporter, document, theme, options)
        # The files beside the output first: a page never links to an image not yet there.
        # Their names come from their bytes, so two sources' pages may share one.
        for name, beside in rendered.beside.items():
            write_atomic(beside_path(path, name), beside)
        data = rendered.data
        write_atomic(path, data)
        problems = None
        if verify:
            from ..verify.runner import check_output

            problems = check_output(exporter, path, document, theme).problems
    except Exception as err:  # any document's fault is its own; the batch goes on
        seconds = time.perf_counter() - start
        return Outcome(fmt, str(path), one_line(err, request), seconds=seconds, worker=worker)
    seconds = time.perf_counter() - start
    return Outcome(fmt, str(path), "", data_hash(data), len(data), seconds, problems, worker)
