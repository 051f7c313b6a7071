"""``--summary``: a self-contained HTML page with a row a document, and the same as JSON beside
it (``summary.html`` -> ``summary.json``).

Each row: the source, its status (built, up to date, failed, not run when the batch was
interrupted), every format with its size and time, the verify result and the first error. The
page's stylesheet is ``styles/batch-summary.css``, copied in: no script, nothing to fetch.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from ..css import self_contained_css
from ..output import write_atomic
from ..resources import styles_dir
from .engine import BatchResult, DocumentResult

SUMMARY_CSS = styles_dir() / "batch-summary.css"
STATUSES = ("built", "up to date", "failed", "not run")


def summary_data(result: BatchResult) -> dict[str, Any]:
    """What the JSON holds, and the HTML shows."""
    rows = [_document_data(document) for document in result.documents]
    counts = {status: sum(row["status"] == status for row in rows) for status in STATUSES}
    return {
        "documents": len(rows),
        **{status.replace(" ", "_"): n for status, n in counts.items()},
        "seconds": round(result.seconds, 2),
        "interrupted": result.interrupted,
        "rows": rows,
    }


def _document_data(document: DocumentResult) -> dict[str, Any]:
    formats: dict[str, dict[str, Any]] = {}
    for name in document.formats:
        outcome = document.outcomes.get(name)
        if outcome is not None:
            verify = None
            if outcome.problems is not None:
                verify = "ok" if not outcome.problems else outcome.problems[0]
            formats[name] = {
                "status": "failed" if outcome.error or outcome.problems else "built",
                "path": outcome.path,
                "size": outcome.size,
                "seconds": round(outcome.seconds, 3),
                "verify": verify,
                "error": outcome.error,
                "worker": outcome.worker,
            }
        elif name in document.up_to_date:
            path = document.up_to_date[name]
            formats[name] = {"status": "up to date", "path": str(path), "size": _file_size(path)}
        else:
            formats[name] = {"status": "not run"}
    return {
        "source": str(document.job.source),
        "name": document.job.name,
        "status": document.status,
        "seconds": round(sum(o.seconds for o in document.outcomes.values()), 3),
        "formats": formats,
        "error": document.failure,
    }


def write_summary(result: BatchResult, page: Path) -> Path:
    """Write ``page`` and the JSON beside it; the JSON's path."""
    data = summary_data(result)
    data_path = page.with_suffix(".json")
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    write_atomic(data_path, text.encode())
    write_atomic(page, render_summary(data).encode())
    return data_path


def render_summary(data: dict[str, Any]) -> str:
    """The page."""
    css = self_contained_css(SUMMARY_CSS, "the batch summary")
    failed = f'<span class="failed"><b>{data["failed"]}</b> failed</span>'
    totals = (
        f"<b>{data['documents']}</b> documents: <b>{data['built']}</b> built, "
        f"<b>{data['up_to_date']}</b> up to date, {failed}"
        + (f", <b>{data['not_run']}</b> not run (interrupted)" if data["interrupted"] else "")
        + f" in {data['seconds']:.1f} s"
    )
    rows = "\n".join(_row(row) for row in data["rows"])
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>report-export batch</title>\n"
        f"<style>{css}</style>\n</head>\n<body>\n"
        f'<h1>report-export batch</h1>\n<p class="totals">{totals}</p>\n'
        "<table>\n<thead><tr><th>Source</th><th>Status</th><th>Formats</th><th>Time</th>"
        "<th>Verify</th><th>Error</th></tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody>\n</table>\n</body>\n</html>\n"
    )


def _row(row: dict[str, Any]) -> str:
    status = row["status"]
    formats = " ".join(_format(name, fmt) for name, fmt in row["formats"].items())
    verdicts = [fmt.get("verify") for fmt in row["formats"].values()]
    checked = [v for v in verdicts if v is not None]
    if not checked:
        verify = ""
    elif all(v == "ok" for v in checked):
        verify = '<span class="verify-ok">ok</span>'
    else:
        verify = '<span class="verify-failed">failed</span>'
    return (
        f'<tr class="{status.replace(" ", "-")}">'
        f'<td class="source" data-label="Source">{_e(row["source"])}</td>'
        f'<td class="status" data-label="Status">{_e(status)}</td>'
        f'<td data-label="Formats">{formats}</td>'
        f'<td class="num" data-label="Time">{row["seconds"]:.2f} s</td>'
        f'<td data-label="Verify">{verify}</td>'
        f'<td class="error" data-label="Error">{_e(row["error"])}</td></tr>'
    )


def _format(name: str, fmt: dict[str, Any]) -> str:
    status = fmt["status"]
    detail = ""
    if status == "built":
        detail = f" {_size(fmt['size'])} · {fmt['seconds']:.2f} s"
    elif status != "failed":
        detail = f" {status}"
    return f'<span class="format {status.replace(" ", "-")}">{_e(name)}{_e(detail)}</span>'


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _size(size: int) -> str:
    if size >= 2**20:
        return f"{size / 2**20:.1f} MB"
    return f"{size / 2**10:.0f} KB" if size >= 2**10 else f"{size} B"


def _e(text: str) -> str:
    return html.escape(text, quote=True)
