"""Benchmark: report-export beside the peer chain, in the same run, as ratios.

For the report and a generated report 100 times its size, each format is built by
report-export and by its peer: pandoc for DOCX, EPUB and text; pandoc's HTML through WeasyPrint
for the PDF. "Bare WeasyPrint" renders our own HTML and CSS with nothing around it, which shows
what report-export adds to the layout engine. Every command runs in its own process under GNU
time, for wall time and peak memory (max RSS); the median of the runs is reported.

    .venv/bin/python bench/run.py [--runs N] [--sizes 1,100]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

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
    """Wall time and peak resident memory of one command."""
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stderr}")
    seconds, kilobytes = result.stderr.strip().splitlines()[-1].split()
    return Measure(float(seconds), int(kilobytes) / 1024)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1,100")
    args = parser.parse_args()
    if shutil.which("pandoc") is None:
        raise SystemExit("pandoc is not installed: run `make bench`, which installs it")
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for factor in (int(f) for f in args.sizes.split(",")):
            source = scaled_source(work, factor)
            out = work / f"out{factor}"
            out.mkdir()
            label = "report" if factor == 1 else f"report x{factor}"
            for fmt in FORMATS:
                mine = median([timed(ours(source, fmt, out), REPO) for _ in range(args.runs)])
                theirs = median([chain(peer(source, fmt, out), REPO) for _ in range(args.runs)])
                rows.append(row(label, fmt, "pandoc chain", mine, theirs))
            every = [str(BIN / "report-export"), "build", str(source), "--out", str(out), "--force"]
            full = median([timed(every, REPO) for _ in range(args.runs)])
            chain_total = median([full_chain(source, out) for _ in range(args.runs)])
            rows.append(row(label, "all", "pandoc chain", full, chain_total))
            bare = median([timed(bare_weasyprint(source, out), REPO) for _ in range(args.runs)])
            pdf = median([timed(ours(source, "pdf", out), REPO) for _ in range(args.runs)])
            rows.append(row(label, "pdf", "bare WeasyPrint", pdf, bare))
    header = (
        "| document | format | peer | ours s | peer s | time ratio "
        "| ours MB | peer MB | mem ratio |\n"
        "|---|---|---|---:|---:|---:|---:|---:|---:|"
    )
    print(header)
    print("\n".join(rows))


def row(label: str, fmt: str, peer_name: str, mine: Measure, theirs: Measure) -> str:
    return (
        f"| {label} | {fmt} | {peer_name} | {mine.seconds:.2f} | {theirs.seconds:.2f} | "
        f"{mine.seconds / theirs.seconds:.2f} | {mine.megabytes:.0f} | {theirs.megabytes:.0f} | "
        f"{mine.megabytes / theirs.megabytes:.2f} |"
    )


if __name__ == "__main__":
    main()
