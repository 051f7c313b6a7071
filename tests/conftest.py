"""Shared test helpers: paths, the command line, and the external tools tests read outputs with.

A tool the suite needs is never skipped when missing: `make test` installs it, so a missing tool
is a failure (under CI=true and everywhere else alike).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "source" / "report.md"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def tool(name: str) -> str:
    """The path of an external program the test needs; fails the test when it is missing."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run `make test`, which installs it")
    return path


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``report-export`` as a user would, in a subprocess; never raises on failure."""
    return subprocess.run(
        [sys.executable, "-m", "report_export", *map(str, args)],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        check=False,
    )
