"""Growth of the cost with the size of the input (issue #19): each case at 1x, 10x and 100x,
in this process. The reader and the text format (``--wrap 80``), and the PDF (WeasyPrint,
with this project's fixes of its quadratic terms in ``layout_engine.py``) at 10,000 footnotes
and 100,000 paragraphs. Cost is CPU seconds of this process (the machine is shared: wall time
moves with the others' load, CPU time much less); linear cost shows as a growth near x10.

    .venv/bin/python bench/scaling.py [--no-pdf]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from report_export.exporters.pdf import PdfExporter, PdfOptions
from report_export.exporters.text import TextExporter, TextOptions
from report_export.reader import read_text
from report_export.theme import load_theme

FRONT = "---\ntitle: 题目\n---\n"


def long_line(n: int) -> str:
    return FRONT + "中文字符与 Latin words 混排，" * (n * 2_500) + "\n"  # 1x: ~50 KB


def paragraphs(n: int) -> str:
    return FRONT + "".join(f"第{i}段正文。\n\n" for i in range(n * 1_000))


def footnotes(n: int) -> str:
    count = n * 100
    calls = "".join(f"正文[^{i}]。\n\n" for i in range(count))
    return FRONT + calls + "".join(f"[^{i}]: 注{i}。\n\n" for i in range(count))


def as_text(text: str) -> None:
    document = read_text(text, Path("bench.md"))
    TextExporter().render(document, load_theme(), TextOptions(wrap=80))


def as_pdf(text: str) -> None:
    document = read_text(text, Path("bench.md"))
    PdfExporter().render(document, load_theme(), PdfOptions())


CASES: dict[str, tuple[Callable[[int], str], Callable[[str], None]]] = {
    "text: one long line (50 KB)": (long_line, as_text),
    "text: paragraphs (1,000)": (paragraphs, as_text),
    "text: footnotes (100)": (footnotes, as_text),
    "pdf: footnotes (100)": (footnotes, as_pdf),
    "pdf: paragraphs (1,000)": (paragraphs, as_pdf),
}


def cost(run: Callable[[str], None], text: str) -> tuple[float, float]:
    """CPU and wall seconds of one run."""
    cpu, wall = time.process_time(), time.perf_counter()
    run(text)
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-pdf", action="store_true", help="the reader and text cases only")
    args = parser.parse_args()
    PdfExporter.prepare()  # WeasyPrint's import is no part of any case
    as_pdf(footnotes(1))  # nor are its first fonts and stylesheets
    print(f"{'case (1x)':30} {'1x':>16} {'10x':>16} {'100x':>16}  CPU growth")
    for name, (make, run) in CASES.items():
        if args.no_pdf and name.startswith("pdf"):
            continue
        costs = [cost(run, make(scale)) for scale in (1, 10, 100)]
        cells = " ".join(f"{cpu:6.2f}s ({wall:5.1f})" for cpu, wall in costs)
        growth = f"x{costs[1][0] / costs[0][0]:.1f}, x{costs[2][0] / costs[1][0]:.1f}"
        print(f"{name:30} {cells}  {growth}", flush=True)
    print("CPU seconds (wall seconds in brackets)")


if __name__ == "__main__":
    main()
