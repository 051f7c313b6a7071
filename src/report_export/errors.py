"""The one error the command line turns into a one-line message and exit code 2."""

from __future__ import annotations

from pathlib import Path


class ReportExportError(Exception):
    """Bad input or a refused operation, located in a file (and a line, where known)."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.message = message
        self.path = path
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"
