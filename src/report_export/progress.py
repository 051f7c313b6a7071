"""Progress on a terminal (a bar per format for a build, a bar over documents for a batch);
silence when stderr is piped."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import TextIO

from .build import Progress

WIDTH = 24


class TerminalProgress(Progress):
    """One line per format: a moving bar while it renders, then a full bar and its time.

    An exporter renders in one call with no way to report how far it has got, so the bar of a
    format in progress shows that it is working and for how long, not a percentage.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.names: list[str] = []
        self.times: dict[str, float] = {}
        self.drawn = False

    def started(self, formats: Sequence[str]) -> None:
        self.names = list(formats)
        self.start = time.monotonic()
        self.draw()

    def tick(self) -> None:
        self.draw()

    def finished(self, fmt: str) -> None:
        self.times[fmt] = time.monotonic() - self.start
        self.draw()

    def done(self) -> None:
        self.draw()

    def line(self, name: str, now: float) -> str:
        if name in self.times:
            return f"{name:6} [{'#' * WIDTH}] {self.times[name]:5.2f} s"
        elapsed = now - self.start
        head = int(elapsed * 12) % (2 * WIDTH - 8)
        head = head if head < WIDTH - 4 else 2 * WIDTH - 8 - head
        bar = " " * head + "<=>" + " " * (WIDTH - head - 3)
        return f"{name:6} [{bar[:WIDTH]}] {elapsed:5.2f} s"

    def draw(self) -> None:
        now = time.monotonic()
        up = f"\x1b[{len(self.names)}F" if self.drawn else ""
        lines = "".join(f"\x1b[2K{self.line(name, now)}\n" for name in self.names)
        self.stream.write(up + lines)
        self.stream.flush()
        self.drawn = True


def progress_for(stream: TextIO = sys.stderr) -> Progress:
    """A terminal progress display when ``stream`` is a terminal, else a silent one."""
    return TerminalProgress(stream) if stream.isatty() else Progress()


class DocumentProgress:
    """What a batch reports as its documents finish; the default reports nothing."""

    def started(self, total: int) -> None:
        """The batch has ``total`` documents."""

    def tick(self) -> None:
        """Called a few times a second while documents build."""

    def finished(self, ok: bool) -> None:
        """A document has finished, every format built (``ok``) or not."""

    def done(self) -> None:
        """The batch has ended (or was interrupted)."""


class TerminalDocumentProgress(DocumentProgress):
    """One line: a bar over documents, how many of how many, failures, elapsed time."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.total = 0
        self.done_count = 0
        self.failed = 0

    def started(self, total: int) -> None:
        self.total = total
        self.start = time.monotonic()
        self.draw()

    def tick(self) -> None:
        self.draw()

    def finished(self, ok: bool) -> None:
        self.done_count += 1
        self.failed += not ok
        self.draw()

    def done(self) -> None:
        self.draw()
        self.stream.write("\n")
        self.stream.flush()

    def line(self, now: float) -> str:
        filled = WIDTH * self.done_count // self.total if self.total else WIDTH
        failed = f", {self.failed} failed" if self.failed else ""
        return (
            f"[{'#' * filled}{' ' * (WIDTH - filled)}] {self.done_count}/{self.total} "
            f"documents{failed} {now - self.start:6.1f} s"
        )

    def draw(self) -> None:
        self.stream.write(f"\r\x1b[2K{self.line(time.monotonic())}")
        self.stream.flush()


def document_progress_for(stream: TextIO = sys.stderr) -> DocumentProgress:
    """A terminal bar over documents when ``stream`` is a terminal, else a silent display."""
    return TerminalDocumentProgress(stream) if stream.isatty() else DocumentProgress()
