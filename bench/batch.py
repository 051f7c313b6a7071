"""Benchmark: ``report-export batch`` over generated reports, beside the peer loop and a shell
loop over ``report-export build``, in the same run, all four formats.

- ours: ``report-export batch DIR --workers N`` (a LocalCluster), N = 1 and 2;
- peer loop: ``xargs -P 2`` over a report at a time: pandoc to DOCX, EPUB and text, and pandoc's
  HTML through the ``weasyprint`` command for the PDF;
- build loop: ``for f in ...; do report-export build "$f"; done`` (one process a report).

Each run is sampled every 0.1 s with psutil over its whole process tree: wall time gives
reports a minute; the peak resident memory of the largest single process is "memory per
worker"; for ours, each worker's memory over the first and the last fifth of its life shows
whether it stays flat (the second fifth against the last: the first is the warm-up).

    .venv/bin/python bench/batch.py [--reports 100] [--loop-reports 100]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.corpus import write_corpus  # noqa: E402

BIN = Path(sys.executable).parent
FORMATS = "pdf,docx,epub,text"
"""The four the peer loop makes (the web page came later and has no peer here)."""


@dataclass
class Run:
    seconds: float
    reports: int
    peak_mb: float
    """The largest resident memory of any one process of the run."""
    workers: dict[int, list[float]] = field(default_factory=dict)
    """Each long-lived process's samples (MB), by pid."""

    @property
    def per_minute(self) -> float:
        return self.reports / self.seconds * 60


def measure(command: list[str] | str, reports: int, shell: bool = False) -> Run:
    samples: dict[int, list[float]] = {}
    start = time.monotonic()
    process = subprocess.Popen(
        command, shell=shell, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    done = threading.Event()

    def sample() -> None:
        root = psutil.Process(process.pid)
        while not done.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            for proc in tree:
                try:
                    rss = proc.memory_info().rss / 2**20
                except psutil.NoSuchProcess:
                    continue
                samples.setdefault(proc.pid, []).append(rss)
            time.sleep(0.1)

    thread = threading.Thread(target=sample)
    thread.start()
    _, stderr = process.communicate()
    done.set()
    thread.join()
    seconds = time.monotonic() - start
    if process.returncode != 0:
        raise SystemExit(f"failed: {command}\n{stderr.decode()[-2000:]}")
    peak = max((max(s) for s in samples.values()), default=0.0)
    long_lived = {pid: s for pid, s in samples.items() if len(s) > 50}
    return Run(seconds, reports, peak, long_lived)


def flatness(run: Run) -> str:
    """The busiest workers' median memory over the second fifth of their life (warmed up, a few
    documents in) and over the last fifth."""
    parts = []
    for series in sorted(run.workers.values(), key=max, reverse=True)[:2]:
        fifth = max(1, len(series) // 5)
        first = sorted(series[fifth : 2 * fifth])[fifth // 2]
        last = sorted(series[-fifth:])[fifth // 2]
        parts.append(f"{first:.0f} -> {last:.0f}")
    return ", ".join(parts)


PEER = (
    'set -e; f="$1"; o="$2/$(basename "$f" .md)"; '
    'pandoc "$f" --from markdown --to docx -o "$o.docx"; '
    'pandoc "$f" --from markdown --to epub3 -o "$o.epub"; '
    'pandoc "$f" --from markdown --to plain -o "$o.txt"; '
    'pandoc "$f" --from markdown --standalone --to html5 -o "$o.html"; '
    '"$3/weasyprint" "$o.html" "$o.pdf"'
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--loop-reports", type=int, default=100)
    args = parser.parse_args()
    if shutil.which("pandoc") is None:
        raise SystemExit("pandoc is not installed: run `make bench`, which installs it")
    before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sources = write_corpus(work / "reports", args.reports)
        rows = []
        for workers in (2, 1):
            out = work / f"ours{workers}"
            command = [str(BIN / "report-export"), "batch", str(work / "reports")]
            command += ["--out", str(out), "--workers", str(workers), "--to", FORMATS]
            run = measure(command, len(sources))
            rows.append((f"report-export batch, {workers} worker(s)", run, flatness(run)))
        peer_out = work / "peer"
        peer_out.mkdir()
        listing = " ".join(str(s) for s in sources)
        peer = (
            f"printf '%s\\n' {listing} | xargs -P 2 -I{{}} sh -c '{PEER}' _ {{}} {peer_out} {BIN}"
        )
        rows.append(
            (
                "peer loop (xargs -P 2, pandoc + weasyprint)",
                measure(peer, len(sources), shell=True),
                "",
            )
        )
        loop_sources = sources[: args.loop_reports]
        loop = " ".join(
            f"{BIN / 'report-export'} build {s} --out {work / 'loop'} --to {FORMATS}"
            " >/dev/null || exit 1;"
            for s in loop_sources
        )
        rows.append(
            (
                "shell loop over report-export build",
                measure(loop, len(loop_sources), shell=True),
                "",
            )
        )
        same = sum(
            (work / "ours2" / s.parent.name / f"{s.stem}.{ext}").read_bytes()
            == (work / "loop" / f"{s.stem}.{ext}").read_bytes()
            for s in loop_sources
            for ext in ("pdf", "docx", "epub", "txt")
        )
    peer_rate = rows[2][1].per_minute
    print(f"{args.reports} generated reports, all four formats each ({FORMATS})")
    print(f"load average before: {before}, after: {os.getloadavg()}")
    print(f"batch (2 workers) outputs byte-identical to build's: {same}/{4 * len(loop_sources)}\n")
    print(
        "| run | reports | wall s | reports/min | vs peer | peak MB/process "
        "| worker MB 2nd -> last fifth |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for label, run, flat in rows:
        print(
            f"| {label} | {run.reports} | {run.seconds:.1f} | {run.per_minute:.1f} | "
            f"{run.per_minute / peer_rate:.2f} | {run.peak_mb:.0f} | {flat} |"
        )


if __name__ == "__main__":
    main()
