"""Writing outputs: to temporary files beside the targets, then renamed over them, so a failed
or killed build never leaves a half-written file, a mixed set, or destroys the last good one.

A build's outputs are one set: every file is staged (written in full and synced) first, then a
journal naming the renames is written, then the renames are done and the journal removed. A
build killed during the renames leaves the journal; the next build into the folder finishes
them before anything else; a set of one file needs no journal, its one rename being atomic.
A folder is written by one build at a time (``OutputFolder``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .errors import ReportExportError

LOCK_NAME = ".report-export.lock"
JOURNAL_NAME = ".report-export-commit.json"
# What ``tempfile.mkstemp`` makes of our prefix and suffix: ".NAME.<8 characters>.tmp".
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def write_atomic(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (readers see the old file or the new, never half).
    ``sync=False`` leaves the bytes to the system to write out: after a power cut the file may
    be empty, which only a file whose loss costs nothing can afford (a cache)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _stage(path, data, sync=sync)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_set(files: Mapping[Path, bytes]) -> None:
    """Write every file or none: a failure while staging (a full disk) leaves each target as
    it was. All targets are in one folder, which the caller holds (``OutputFolder``)."""
    folders = {path.parent for path in files}
    if len(folders) != 1:
        raise ValueError("an output set lives in one folder")
    (folder,) = folders
    if len(files) == 1:
        # One rename is atomic by itself: a set of one file needs no journal.
        ((path, data),) = files.items()
        write_atomic(path, data)
        _sync_folder(folder)
        return
    staged: dict[Path, Path] = {}
    try:
        for path, data in files.items():
            staged[path] = _stage(path, data)
        journal = {str(tmp.name): str(path.name) for path, tmp in staged.items()}
        write_atomic(folder / JOURNAL_NAME, json.dumps(journal).encode())
    except BaseException:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise
    _finish_renames(folder)


def _stage(path: Path, data: bytes, *, sync: bool = True) -> Path:
    """``data`` in a temporary file beside ``path`` (synced unless ``sync`` is false); nothing
    left behind on failure, and what the system refuses (a full disk) is an error naming
    ``path``."""
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise ReportExportError(f"cannot write: {err.strerror}", path) from None
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise ReportExportError(f"cannot write: {err.strerror}", path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def remove_temporaries(folder: Path) -> None:
    """Remove the temporary files a killed writer left in ``folder``: call it only while no
    writer of ours can be at work there."""
    for stale in folder.iterdir():
        if _TEMPORARY.fullmatch(stale.name) and stale.is_file():
            stale.unlink(missing_ok=True)


def _finish_renames(folder: Path) -> None:
    """Do the renames a journal lists (those not yet done), then drop the journal."""
    journal = folder / JOURNAL_NAME
    try:
        renames = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    except (OSError, ValueError):
        renames = {}  # a journal cut short was never acted on: its temporary files are stale
    if isinstance(renames, dict):
        for tmp, target in renames.items():
            if (folder / str(tmp)).is_file():
                os.replace(folder / str(tmp), folder / str(target))
    _sync_folder(folder)
    journal.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class OutputFolder:
    """The output folder, held by one build at a time (a second build waits for the first).

    Entering creates the folder, takes its lock, finishes the renames of a build that was
    killed during them and removes the temporary files a killed build left behind. A folder
    it created for a build that then failed is removed again.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._created = False

    def __enter__(self) -> OutputFolder:
        if self.path.exists() and not self.path.is_dir():
            raise ReportExportError("--out must be a folder, and this is a file", self.path)
        try:
            self._created = not self.path.exists()
            self.path.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise ReportExportError(f"cannot write here: {err.strerror}", self.path) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            _finish_renames(self.path)
            remove_temporaries(self.path)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if self._fd is None:
            return
        if kind is not None and self._created:
            (self.path / LOCK_NAME).unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # not empty: another build wrote there since
                self.path.rmdir()
        os.close(self._fd)  # closing the descriptor releases the lock
        self._fd = None
