"""report-export watch, end to end in a subprocess: real saves, one line a build, no timing."""

from __future__ import annotations

import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .conftest import REPO, SOURCE


def _lines(process: subprocess.Popen[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _next(lines: queue.Queue[str]) -> str:
    return lines.get(timeout=90)


def test_watch_rebuilds_a_saved_change_and_reports_errors(tmp_path: Path) -> None:
    source = tmp_path / "report.md"
    shutil.copy(SOURCE, source)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "report_export.cli", "watch", str(source), "--out", str(out)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As a terminal starts it: Ctrl-C handled, whatever the test process's own disposition
        # (an ignored SIGINT is inherited through exec, and Python then installs no handler).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines = _lines(process)
    try:
        assert "built docx, epub, html, pdf, text into" in _next(lines)
        first_pdf = (out / "report.pdf").read_bytes()
        first_text = (out / "report.txt").read_text(encoding="utf-8").replace("\n", "")

        text = source.read_text(encoding="utf-8")
        source.write_text(text.replace("等特点。", "等特点。监视中", 1), encoding="utf-8")
        assert "built docx, epub, html, pdf, text into" in _next(lines)
        assert "监视中" in (out / "report.txt").read_text(encoding="utf-8").replace("\n", "")
        assert "监视中" not in first_text
        assert (out / "report.pdf").read_bytes() != first_pdf

        source.touch()  # a save that changes nothing rebuilds nothing
        time.sleep(0.5)
        source.write_text(text.replace("---", "---\ntitle: [", 1), encoding="utf-8")
        seen = [_next(lines)]
        if seen[0].endswith("up to date (no input changed)"):
            seen.append(_next(lines))
        assert f"report-export: {source}" in seen[-1]

        source.write_text(text, encoding="utf-8")  # the watch goes on after an error
        assert "built docx, epub, html, pdf, text into" in _next(lines)
        assert (out / "report.pdf").read_bytes() == first_pdf  # warm output = cold output
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
