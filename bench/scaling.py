"""Growth of the cost with the size of the input (issue #19): each case at 1x, 10x and 100x,
in this process, read once and then rendered by every format (the text wrapped at 80). The
cases are the issue's: one paragraph on one line (5 MB at 100x), paragraphs (100,000 at 100x),
footnotes (10,000 at 100x), and a scraped copy imported with its review page (20 MB at 100x,
in process: the command refuses a copy over 10 MiB). Cost is CPU seconds of this process (the
machine is shared: wall time moves with the others' load, CPU time much less); linear cost
shows as a growth near x10. A size a format refuses (its ``check_size``, the limits in the
README) shows as "refused"; ``--past-limits`` renders it all the same, to measure why the
limit is there (the PDF at 100x: minutes each).

    .venv/bin/python bench/scaling.py [--past-limits] [--formats text,docx,epub,html,pdf]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import re
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from report_export.errors import ReportExportError
from report_export.exporters import load_exporter
from report_export.importers.review import render_review
from report_export.importers.scraped import import_scraped
from report_export.model import Document
from report_export.reader import read_text
from report_export.theme import load_theme

FRONT = "---\ntitle: 题目\n---\n"
T = TypeVar("T")
SCALES = (1, 10, 100)
OPTIONS = {"text": {"wrap": "80"}}
"""Options a format renders with: the text wrapped, which sets lines as the PDF does."""
COPY = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "scraped-report.txt"


def long_line(n: int) -> str:
    return FRONT + "中文字符与 Latin words 混排，" * (n * 1_400) + "\n"  # 1x: 52 KB


def paragraphs(n: int) -> str:
    return FRONT + "".join(f"第{i}段正文。\n\n" for i in range(n * 1_000))


def footnotes(n: int) -> str:
    count = n * 100
    calls = "".join(f"正文[^{i}]。\n\n" for i in range(count))
    return FRONT + calls + "".join(f"[^{i}]: 注{i}。\n\n" for i in range(count))


def scraped_copy(n: int) -> str:
    """The scraped fixture with its numbered chunks repeated (and numbered on) to ~200 KB a 1x,
    the site's header and footer once."""
    text = COPY.read_text(encoding="utf-8")
    start, end = text.index("\n1、") + 1, text.index("\n\n展开阅读全文")
    chunks = re.split(r"\n\n(?=\d+、)", text[start:end])
    out: list[str] = []
    size = 0
    while size < n * 200_000:
        for chunk in chunks:
            out.append(re.sub(r"^\d+、", f"{len(out) + 1}、", chunk))
            size += len(out[-1].encode("utf-8"))
    return text[:start] + "\n\n".join(out) + text[end:]


SOURCES: dict[str, Callable[[int], str]] = {
    "one line (52 KB)": long_line,
    "paragraphs (1,000)": paragraphs,
    "footnotes (100)": footnotes,
}


def cpu(run: Callable[[], T]) -> tuple[T, tuple[float, float]]:
    """What one run returns, and its CPU and wall seconds; started with no garbage left over
    from the run before (whose collection would otherwise land in this one's time)."""
    gc.collect()
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    result = run()
    return result, (time.process_time() - start_cpu, time.perf_counter() - start_wall)


def cell(cost: tuple[float, float] | None) -> str:
    return f"{'refused':>16}" if cost is None else f"{cost[0]:7.2f}s ({cost[1]:6.1f})"


def growth(costs: list[tuple[float, float] | None]) -> str:
    steps = [
        f"x{b[0] / a[0]:.1f}" if a is not None and b is not None and a[0] > 0 else "-"
        for a, b in itertools.pairwise(costs)
    ]
    return ", ".join(steps)


def row(name: str, costs: list[tuple[float, float] | None]) -> None:
    print(f"{name:34} {' '.join(cell(c) for c in costs)}  {growth(costs)}", flush=True)


def render_cost(fmt: str, document: Document, past_limits: bool) -> tuple[float, float] | None:
    exporter = load_exporter(fmt)
    if not past_limits:
        try:
            exporter.check_size(document)
        except ReportExportError:
            return None
    theme = load_theme()
    options = OPTIONS.get(fmt, {})
    return cpu(lambda: exporter().render_files(document, theme, exporter.parse_options(options)))[1]


def import_with_review(copy: str) -> None:
    """What ``import COPY -o NEW.md --review REVIEW.html`` computes (it writes the two)."""
    result = import_scraped(copy, Path("copy.txt"))
    read_text(result.markdown, Path("new.md"))
    render_review(result, "new.md")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--formats", default="text,docx,epub,html,pdf")
    parser.add_argument("--past-limits", action="store_true", help="render refused sizes too")
    args = parser.parse_args()
    formats = args.formats.split(",")
    for fmt in formats:  # imports, fonts and first stylesheets are no part of any case
        load_exporter(fmt).prepare()
        render_cost(fmt, read_text(footnotes(1), Path("warm.md")), past_limits=True)
    print(f"{'case (size at 1x)':34} {'1x':>16} {'10x':>16} {'100x':>16}  CPU growth")
    for name, make in SOURCES.items():
        costs: dict[str, list[tuple[float, float] | None]] = {"read": []}
        for scale in SCALES:  # one document alive at a time
            document, cost = cpu(partial(read_text, make(scale), Path("b.md")))
            costs["read"].append(cost)
            for fmt in formats:
                costs.setdefault(fmt, []).append(render_cost(fmt, document, args.past_limits))
        for what, cells in costs.items():
            row(f"{what}: {name}", cells)
    imports = []
    for scale in SCALES:
        imports.append(cpu(partial(import_with_review, scraped_copy(scale)))[1])
    row("import --review (200 KB)", list(imports))
    print("CPU seconds (wall seconds in brackets)")


if __name__ == "__main__":
    main()
