"""``report-export import EDITED.docx --into SOURCE.md``: a colleague's edits back into the source.

The source is rewritten whole or not at all (``write_atomic``); comments go to the review page
and to a sidecar, ``SOURCE.comments.json``, that the next import reads and extends (the reader
refuses raw HTML, so Markdown comments cannot hold them).
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import asdict
from pathlib import Path

from ..errors import ReportExportError
from ..output import write_atomic
from ..reader import read_text, read_utf8
from .apply import Edit, apply_edits
from .docx_edits import Comment, Mode, Revision, read_edited


def run_docx_import(
    docx: Path, into: Path, review: Path | None, changes: str, strict: bool
) -> tuple[list[str], int]:
    """Apply the edits; the lines to print and the exit code."""
    text = read_utf8(into)
    document = read_text(text, into)
    mode: Mode = "accept" if changes == "accept" else "reject"
    edited = read_edited(docx, mode)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if edited.digest and edited.digest != digest:
        # The first block where the DOCX and the changed source disagree is where either side
        # may have been edited: named, and nothing written.
        disagreeing = apply_edits(text, document, edited)[1]
        where = f"block at line {disagreeing[0].line}" if disagreeing else "the source"
        raise ReportExportError(
            f"{where}: the source changed since {docx.name} was exported (digest "
            f"{edited.digest[:12]}, now {digest[:12]}); import into the exported version and merge",
            into,
            disagreeing[0].line if disagreeing else None,
        )
    if not edited.digest:
        # Without our marks every paragraph would count as new and every block as deleted:
        # refuse rather than rewrite the source wholesale (sequence alignment is not built yet).
        raise ReportExportError(
            "not exported by report-export (no source digest, no block marks): "
            "its edits cannot be mapped onto the source",
            docx,
        )
    warnings: list[str] = []
    new_text, edits = apply_edits(text, document, edited)
    read_text(new_text, into)  # the result must read back
    pending = [r for p in edited.body for r in p.revisions] if changes == "keep" else []
    if new_text != text:
        write_atomic(into, new_text.encode("utf-8"))
    lines = [f"{into}: {len(edits)} edits"]
    if edited.comments:
        sidecar = into.with_suffix(".comments.json")
        old = json.loads(sidecar.read_text("utf-8")) if sidecar.exists() else []
        known = {(c["author"], c["date"], c["text"]) for c in old}
        new = [asdict(c) for c in edited.comments if (c.author, c.date, c.text) not in known]
        write_atomic(sidecar, json.dumps(old + new, ensure_ascii=False, indent=1).encode("utf-8"))
        lines.append(f"{sidecar}: {len(edited.comments)} comments")
    if review is not None:
        write_atomic(
            review,
            render_page(docx, into, edits, edited.comments, pending, warnings).encode("utf-8"),
        )
        lines.append(str(review))
    undecided = bool(pending or edited.comments or warnings)
    return lines, 1 if strict and undecided else 0


def render_page(
    docx: Path,
    into: Path,
    edits: list[Edit],
    comments: list[Comment],
    pending: list[Revision],
    warnings: list[str],
) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(x.kind)}</td><td>{x.line}</td><td><del>{e(x.before)}</del></td><td><ins>{e(x.after)}</ins></td></tr>"
        for x in edits
    )
    notes = "".join(
        f"<li><b>{e(c.author)}</b> {e(c.date)} 「{e(c.anchor)}」: {e(c.text)}"
        + "".join(f"<br>↳ <b>{e(r.author)}</b> {e(r.date)}: {e(r.text)}" for r in c.replies)
        + "</li>"
        for c in comments
    )
    props = "".join(
        f"<li>{e(p.kind)} · <b>{e(p.author)}</b> {e(p.date)}: {e(p.text)}</li>" for p in pending
    )
    warn = "".join(f"<li>{e(w)}</li>" for w in warnings)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>Edits review</title>'
        "<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #ccc;padding:4px;vertical-align:top;white-space:pre-wrap}"
        "del{background:#fdd}ins{background:#dfd}</style></head><body>"
        f"<h1>{e(docx.name)} → {e(into.name)}</h1>"
        f"<h2>Edits ({len(edits)})</h2><table><tr><th>kind</th><th>line</th>"
        f"<th>before</th><th>after</th></tr>{rows}</table>"
        f"<h2>Tracked changes to decide ({len(pending)})</h2><ul>{props}</ul>"
        f"<h2>Comments ({len(comments)})</h2><ul>{notes}</ul>"
        f"<h2>Warnings</h2><ul>{warn}</ul></body></html>"
    )
