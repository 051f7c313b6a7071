"""Benchmark: report-export beside the peer chain, in the same run, as ratios.

For the report and generated reports 10, 100 and 200 times its size, each format is built by
report-export and by its peer: pandoc for DOCX, EPUB and text; pandoc's HTML through WeasyPrint
for the PDF. "Bare WeasyPrint" renders our own HTML and CSS with nothing around it, which shows
what report-export adds to the layout engine. Every command runs in its own process, watched by
psutil, for wall time and the peak memory of the whole process tree (sum of RSS over
the command and its children); ours and the peer run in turn and the medians are reported.

    .venv/bin/python bench/run.py [--runs N] [--sizes 1,10,100,200] [--big-runs N] [--watch N]
                                  [--formats pdf,docx,epub,text]

With ``--formats`` naming some formats only, the full build and bare WeasyPrint rows are
left out (bare WeasyPrint stays when the PDF is among them).
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "source" / "report.md"
BIN = Path(sys.executable).parent
FORMATS = ("pdf", "docx", "epub", "text")
EXTENSIONS = {"pdf": "pdf", "docx": "docx", "epub": "epub", "text": "txt"}


@dataclass(frozen=True)
class Measure:
    seconds: float
    megabytes: float


def timed(command: list[str], cwd: Path) -> Measure:
    """Wall time and peak memory of one command: the resident memory of its whole process tree
    (the command and every child it starts, summed), sampled by psutil every 5 ms."""
    import psutil

    start = time.perf_counter()
    process = psutil.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            peak = max(peak, sum(_rss(p) for p in tree))
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.005)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        stderr = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"failed: {' '.join(command)}\n{stderr}")
    return Measure(seconds, peak / 2**20)


def _rss(process: Any) -> int:
    import psutil

    try:
        return int(process.memory_info().rss)
    except psutil.NoSuchProcess:
        return 0


def interleaved(
    runs: int, first: Callable[[], Measure], second: Callable[[], Measure]
) -> tuple[Measure, Measure]:
    """Medians of ``first`` and ``second`` run in turn, so a load on the machine hits both."""
    a: list[Measure] = []
    b: list[Measure] = []
    for _ in range(runs):
        a.append(first())
        b.append(second())
    return median(a), median(b)


def chain(steps: list[list[str]], cwd: Path) -> Measure:
    """A pipeline of commands run one after the other: times add up, memory is the peak."""
    measures = [timed(step, cwd) for step in steps]
    return Measure(sum(m.seconds for m in measures), max(m.megabytes for m in measures))


def full_chain(source: Path, out: Path) -> Measure:
    """Every format through the peer chain, one after the other."""
    peers = [chain(peer(source, fmt, out), REPO) for fmt in FORMATS]
    return Measure(sum(m.seconds for m in peers), max(m.megabytes for m in peers))


def median(runs: list[Measure]) -> Measure:
    return Measure(
        statistics.median(m.seconds for m in runs), statistics.median(m.megabytes for m in runs)
    )


def scaled_source(folder: Path, factor: int) -> Path:
    """The report with its body repeated ``factor`` times."""
    text = SOURCE.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    path = folder / f"report-x{factor}.md"
    path.write_text(f"---\n{front}---\n" + (body.strip() + "\n\n") * factor, encoding="utf-8")
    return path


def ours(source: Path, fmt: str, out: Path) -> list[str]:
    return [
        str(BIN / "report-export"),
        "build",
        str(source),
        "--to",
        fmt,
        "--out",
        str(out),
        "--force",
    ]


def peer(source: Path, fmt: str, out: Path) -> list[list[str]]:
    stem = out / source.stem
    pandoc = ["pandoc", str(source), "--from", "markdown"]
    if fmt == "pdf":
        html = f"{stem}.peer.html"
        return [
            [*pandoc, "--standalone", "--to", "html5", "-o", html],
            [str(BIN / "weasyprint"), html, f"{stem}.peer.pdf"],
        ]
    target = {"docx": "docx", "epub": "epub3", "text": "plain"}[fmt]
    return [[*pandoc, "--to", target, "-o", f"{stem}.peer.{EXTENSIONS[fmt]}"]]


def bare_weasyprint(source: Path, out: Path) -> list[str]:
    """WeasyPrint alone on the HTML and CSS report-export hands it."""
    html, css = out / f"{source.stem}.bare.html", out / f"{source.stem}.bare.css"
    dump = (
        "import sys\nfrom pathlib import Path\n"
        "from report_export.reader import read_file\n"
        "from report_export.theme import load_theme\n"
        "from report_export.assets import asset_roots\n"
        "from report_export.exporters.pdf import print_css, render_html\n"
        "doc, theme = read_file(Path(sys.argv[1])), load_theme()\n"
        "roots = asset_roots(doc, theme.path.parent)\n"
        "Path(sys.argv[2]).write_text(render_html(doc, theme, roots), encoding='utf-8')\n"
        "Path(sys.argv[3]).write_text(print_css(theme), encoding='utf-8')\n"
    )
    subprocess.run([sys.executable, "-c", dump, str(source), str(html), str(css)], check=True)
    render = (
        "import sys, weasyprint\n"
        "weasyprint.HTML(filename=sys.argv[1]).write_pdf("
        "sys.argv[3], stylesheets=[weasyprint.CSS(filename=sys.argv[2])])\n"
    )
    return [sys.executable, "-c", render, str(html), str(css), str(out / "bare.pdf")]


WATCH = """
import sys, time, statistics, psutil
from pathlib import Path
from report_export.build import BuildRequest, build
from report_export.warm import WarmBuilder
source, out, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
text = source.read_text(encoding="utf-8")
me = psutil.Process()
def tree():
    return sum(p.memory_info().rss for p in [me, *me.children(recursive=True)]) / 2**20
request = BuildRequest(source, out)
with WarmBuilder(["docx", "epub", "pdf", "text"]) as warm:
    build(request, renderer=warm)
    times, memory = [], []
    for i in range(n):
        source.write_text(text.replace("等特点。", f"等特点。第{i}次。", 1), encoding="utf-8")
        start = time.perf_counter()
        build(request, renderer=warm)
        times.append(time.perf_counter() - start)
        memory.append(tree())
print(statistics.median(times), max(times), memory[0], memory[len(memory) // 2], memory[-1])
"""


def watch_rebuilds(source: Path, out: Path, count: int) -> str:
    """Rebuilds of every format after a one-paragraph change, as ``report-export watch`` does."""
    copy = out / "watched.md"
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", WATCH, str(copy), str(out / "watched"), str(count)],
        capture_output=True,
        text=True,
        check=True,
    )
    med, worst, first, middle, last = (float(x) for x in result.stdout.split())
    return (
        f"watch, {count} rebuilds of every format after a one-paragraph change: median "
        f"{med:.2f} s, slowest {worst:.2f} s; process tree {first:.0f} MB after the 1st, "
        f"{middle:.0f} MB after the {count // 2}th, {last:.0f} MB after the {count}th"
    )


def linearity(label: str, seconds: dict[int, float]) -> str:
    """Cost of each further 1x of content between the measured sizes, against 1x -> 10x."""
    sizes = sorted(seconds)
    steps = [(a, b, (seconds[b] - seconds[a]) / (b - a)) for a, b in itertools.pairwise(sizes)]
    if not steps:
        return f"{label}: one size only"
    base = steps[0][2]
    parts = [f"{a}x->{b}x {per:.3f} s per 1x ({per / base:.2f})" for a, b, per in steps]
    return f"{label}: " + "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1,10,100,200")
    parser.add_argument("--big-runs", type=int, default=1, help="runs at 200x and above")
    parser.add_argument("--watch", type=int, default=50, help="watch rebuilds (0: none)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma list of formats")
    args = parser.parse_args()
    formats = [f for f in FORMATS if f in args.formats.split(",")]
    if not formats:
        raise SystemExit(f"--formats: none of {', '.join(FORMATS)}")
    if shutil.which("pandoc") is None:
        raise SystemExit("pandoc is not installed: run `make bench`, which installs it")
    rows: list[str] = []
    full_times: dict[int, float] = {}
    pdf_times: dict[int, float] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for factor in (int(f) for f in args.sizes.split(",")):
            runs = args.big_runs if factor >= 200 else args.runs
            source = scaled_source(work, factor)
            out = work / f"out{factor}"
            out.mkdir()
            label = "report" if factor == 1 else f"report x{factor}"
            for fmt in formats:
                mine, theirs = interleaved(
                    runs,
                    partial(timed, ours(source, fmt, out), REPO),
                    partial(chain, peer(source, fmt, out), REPO),
                )
                rows.append(row(label, fmt, "pandoc chain", mine, theirs))
                if fmt == "pdf":
                    pdf_times[factor] = mine.seconds
            if len(formats) == len(FORMATS):
                every = [
                    str(BIN / "report-export"),
                    "build",
                    str(source),
                    "--out",
                    str(out),
                    "--force",
                ]
                full, chain_total = interleaved(
                    runs, partial(timed, every, REPO), partial(full_chain, source, out)
                )
                full_times[factor] = full.seconds
                rows.append(row(label, "all", "pandoc chain", full, chain_total))
            if "pdf" not in formats:
                continue
            bare_command = bare_weasyprint(source, out)
            pdf, bare = interleaved(
                runs,
                partial(timed, ours(source, "pdf", out), REPO),
                partial(timed, bare_command, REPO),
            )
            rows.append(row(label, "pdf", "bare WeasyPrint", pdf, bare))
        if full_times:
            notes.append(linearity("linearity, full build", full_times))
        if pdf_times:
            notes.append(linearity("linearity, PDF alone", pdf_times))
        if args.watch:
            notes.append(watch_rebuilds(SOURCE, work, args.watch))
    header = (
        "| document | format | peer | ours s | peer s | time ratio "
        "| ours MB | peer MB | mem ratio |\n"
        "|---|---|---|---:|---:|---:|---:|---:|---:|"
    )
    print(header)
    print("\n".join(rows))
    print()
    print("\n".join(f"- {note}" for note in notes))


def row(label: str, fmt: str, peer_name: str, mine: Measure, theirs: Measure) -> str:
    return (
        f"| {label} | {fmt} | {peer_name} | {mine.seconds:.2f} | {theirs.seconds:.2f} | "
        f"{mine.seconds / theirs.seconds:.2f} | {mine.megabytes:.0f} | {theirs.megabytes:.0f} | "
        f"{mine.megabytes / theirs.megabytes:.2f} |"
    )


if __name__ == "__main__":
    main()
