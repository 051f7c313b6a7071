"""Generated archives of reports for the batch tests and bench/batch.py.

Each report is the project's report or the PDF sample fixture (footnotes, tables, lists, a
figure), numbered, with its sections rotated and cut so that no two are alike; ten reports a
subfolder, each subfolder with the figure the sample shows (assets resolve relative to each
source). Deterministic: the same call writes the same files.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
BASES = (REPO / "source" / "report.md", REPO / "tests" / "fixtures" / "pdf-sample.md")


def figure_png() -> bytes:
    """A small deterministic PNG for the sample's ``figure.png``."""
    image = Image.new("RGB", (120, 60), (40, 90, 160))
    for x in range(0, 120, 12):
        for y in range(60):
            image.putpixel((x, y), (240, 200, 40))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def report_text(index: int, sections: int | None = None) -> str:
    """Report number ``index``: a base, its top-level sections rotated by ``index`` and the
    first ``sections`` of them kept (all when None), with a paragraph of its own."""
    text = BASES[index % len(BASES)].read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    title = next(line for line in front.splitlines() if line.startswith("title:"))
    front = front.replace(title, f"{title}（第 {index:03d} 号）")
    parts = ["# " + part for part in ("\n" + body.strip()).split("\n# ")[1:]]
    # Footnote definitions close the last section; they must stay with any call.
    last, _, notes = parts[-1].partition("\n[^")
    parts[-1], notes = last, "[^" + notes if notes else ""
    shift = index % len(parts)
    kept = (parts[shift:] + parts[:shift])[: sections or len(parts)]
    own = f"本件为生成的第 {index} 号报告，用于检验批量转换。\n\n"
    body = "\n\n".join(p.strip() for p in kept)
    # A note whose calls were cut away would be defined and never called: an error to read.
    called = [n for n in re.split(r"\n+(?=\[\^)", notes) if n and n[: n.index("]") + 1] in body]
    return f"---\n{front}---\n\n{own}" + body + "\n\n" + "\n\n".join(n.strip() for n in called)


def write_corpus(folder: Path, count: int, sections: int | None = None) -> list[Path]:
    """``count`` reports under ``folder`` (``g0/report-000.md`` ...), their paths in order."""
    figure = figure_png()
    paths = []
    for index in range(count):
        sub = folder / f"g{index // 10}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / "figure.png").write_bytes(figure)
        path = sub / f"report-{index:03d}.md"
        path.write_text(report_text(index, sections), encoding="utf-8")
        paths.append(path)
    return paths
