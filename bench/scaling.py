"""Growth of the cost with the size of the input (issue #19): each case at 1x, 10x and 100x,
read and rendered to text in this process (the reader and the text format: the parts that are
ours; WeasyPrint's own growth is in bench/run.py). Linear cost shows as a ratio near 10."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

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


CASES: dict[str, Callable[[int], str]] = {
    "one long line (50 KB, --wrap 80)": long_line,
    "paragraphs (1,000)": paragraphs,
    "footnotes (100)": footnotes,
}


def seconds(text: str) -> float:
    theme = load_theme()
    start = time.perf_counter()
    document = read_text(text, Path("bench.md"))
    TextExporter().render(document, theme, TextOptions(wrap=80))
    return time.perf_counter() - start


def main() -> None:
    print(f"{'case':36} {'1x':>8} {'10x':>8} {'100x':>8}  growth 1x->10x->100x")
    for name, make in CASES.items():
        times = [seconds(make(scale)) for scale in (1, 10, 100)]
        growth = f"x{times[1] / times[0]:.1f}, x{times[2] / times[1]:.1f}"
        print(f"{name:36} " + " ".join(f"{t:7.2f}s" for t in times) + f"  {growth}")


if __name__ == "__main__":
    main()
