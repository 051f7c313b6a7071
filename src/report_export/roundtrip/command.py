"""``report-export import EDITED.docx --into SOURCE.md``: a colleague's edits back into the source.

The source is rewritten whole or not at all (``write_atomic``); comments go to the review page
and to a sidecar, ``SOURCE.comments.json``, that the next import reads and extends (the reader
refuses raw HTML, so Markdown comments cannot hold them).
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ..errors import ReportExportError
from ..model import Document
from ..output import write_atomic
from ..reader import read_text, read_utf8
from .align import align, is_marked
from .apply import UNAPPLIED, Edit, apply_edits, locate
from .docx_edits import Comment, EditedDocument, Mode, Revision, read_edited
from .merge import Conflict, exported_version, line_map, merge3

MIN_ALIGNED = 0.5
"""The share of the source's blocks an unmarked DOCX must align with to be taken as an edited
copy of it: below, it is another document, and importing it would rewrite the source whole."""


@dataclass(frozen=True, slots=True)
class _Base:
    """The version of the source the DOCX was exported from, and what it reads as."""

    text: str
    document: Document
    label: str
    """Where it was found: "" for the source as it stands, else the git commit (or "index")."""


def run_docx_import(
    docx: Path, into: Path, review: Path | None, changes: str, strict: bool
) -> tuple[list[str], int]:
    """Apply the edits; the lines to print and the exit code."""
    text = read_utf8(into)
    document = read_text(text, into)
    mode: Mode = "accept" if changes == "accept" else "reject"
    edited = read_edited(docx, mode)
    warnings: list[str] = []
    base = _base(docx, into, text, document, edited)
    if base.label:
        warnings.append(
            f"the source changed since {docx.name} was exported: its changes merged with the "
            f"DOCX's against the exported version (git {base.label})"
        )
    warnings += _aligned(docx, into, base, edited)
    theirs, edits = apply_edits(base.text, base.document, edited)
    new_text = theirs
    if base.label:
        merged = merge3(base.text, text, theirs)
        if isinstance(merged, Conflict):
            message = (
                f"block at line {merged.line + 1}: changed in the source since {docx.name} was "
                "exported and in the DOCX too; nothing written"
            )
            if review is not None:
                page = render_page(docx, into, edits, edited.comments, [], [*warnings, message])
                write_atomic(review, page.encode("utf-8"))
            raise ReportExportError(message, into, merged.line + 1)
        new_text = merged
    read_text(new_text, into)  # the result must read back
    pending: list[Revision] = []
    proposals: list[Edit] = []
    if changes == "keep":
        pending = [r for p in edited.body for r in p.revisions]
        proposed = read_edited(docx, "accept")
        _aligned(docx, into, base, proposed)
        proposals = [
            e for e in apply_edits(base.text, base.document, proposed)[1] if e not in edits
        ]
    edits, proposals = _moved(edits, base.text, new_text), _moved(proposals, base.text, new_text)
    warnings += [
        f"line {e.line}: its paragraph was given another style in {docx.name}, which Markdown "
        "cannot give it there; its text is taken, set the style in the source"
        for e in edits
        if e.kind == UNAPPLIED
    ]
    comments = _placed(edited, base, new_text)
    if new_text != text:
        write_atomic(into, new_text.encode("utf-8"))
    lines = [f"{into}: {len(edits)} edits"]
    lines += [f"{into}: warning: {w}" for w in warnings]
    if comments:
        sidecar = into.with_suffix(".comments.json")
        old = json.loads(sidecar.read_text("utf-8")) if sidecar.exists() else []
        known = {(c["author"], c["date"], c["text"]) for c in old}
        new = [asdict(c) for c in comments if (c.author, c.date, c.text) not in known]
        write_atomic(sidecar, json.dumps(old + new, ensure_ascii=False, indent=1).encode("utf-8"))
        lines.append(f"{sidecar}: {len(comments)} comments")
    if review is not None:
        page = render_page(docx, into, edits, comments, pending, warnings, proposals)
        write_atomic(review, page.encode("utf-8"))
        lines.append(str(review))
    undecided = bool(pending or comments or warnings)
    return lines, 1 if strict and undecided else 0


def _base(docx: Path, into: Path, text: str, document: Document, edited: EditedDocument) -> _Base:
    """The exported version: the source itself when its digest is the DOCX's (or the DOCX
    names none), else the version git holds under that digest; without one, refused."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if not edited.digest or edited.digest == digest:
        return _Base(text, document, "")
    found = exported_version(into, edited.digest)
    if found is not None:
        return _Base(found[0], read_text(found[0], into), found[1])
    # The first block where the DOCX and the changed source disagree is where either side may
    # have been edited: named, and nothing written.
    disagreeing = apply_edits(text, document, edited)[1]
    where = f"block at line {disagreeing[0].line}" if disagreeing else "the source"
    raise ReportExportError(
        f"{where}: the source changed since {docx.name} was exported (digest "
        f"{edited.digest[:12]}, now {digest[:12]}) and git holds no version with that digest "
        "to merge against",
        into,
        disagreeing[0].line if disagreeing else None,
    )


def _aligned(docx: Path, into: Path, base: _Base, edited: EditedDocument) -> list[str]:
    """Align a DOCX without block marks by sequence (warned), or refuse one too unlike."""
    if is_marked(edited):
        return []
    matched, total = align(edited, locate(base.text, base.document), base.document)
    if total and matched < MIN_ALIGNED * total:
        raise ReportExportError(
            f"not an edited copy of {into.name}: it has no block marks and only {matched} of "
            f"the source's {total} blocks align with its paragraphs",
            docx,
        )
    why = "it was not exported by report-export" if not edited.digest else "its marks were lost"
    return [
        f"{docx.name} has no block marks ({why}): its paragraphs were aligned with the "
        f"source's blocks by sequence ({matched} of {total} matched); check the edits"
    ]


def _moved(edits: list[Edit], old: str, new: str) -> list[Edit]:
    """The edits with their lines in the source as now written."""
    lines = line_map(old, new)
    return [replace(e, line=lines[min(e.line - 1, len(lines) - 1)] + 1) for e in edits]


def _placed(edited: EditedDocument, base: _Base, new_text: str) -> list[Comment]:
    """The comments with the line, in the source as now written, of the block they are on
    (by the mark of their paragraph: ours, or the one the alignment gave it)."""
    units = locate(base.text, base.document)
    lines = line_map(base.text, new_text)
    out = []
    for c in edited.comments:
        mark = c.mark
        if mark is None and c.paragraph is not None and c.paragraph < len(edited.body):
            mark = edited.body[c.paragraph].mark
        unit = units.get(mark) if mark else None
        out.append(replace(c, mark=mark, line=lines[unit.start] + 1) if unit else c)
    return out


def render_page(
    docx: Path,
    into: Path,
    edits: list[Edit],
    comments: list[Comment],
    pending: list[Revision],
    warnings: list[str],
    proposals: list[Edit] | None = None,
) -> str:
    """The review page: the edits side by side (kind, line, who and when, before and after),
    the tracked changes kept as proposals and what accepting them would write, the comments
    with their replies, the warnings and conflicts."""
    e = html.escape

    def table(rows: list[Edit]) -> str:
        cells = "".join(
            f"<tr><td>{e(x.kind)}</td><td>{x.line}</td><td>{e(_who(x.revisions))}</td>"
            f"<td><del>{e(x.before)}</del></td><td><ins>{e(x.after)}</ins></td></tr>"
            for x in rows
        )
        return (
            "<table><tr><th>kind</th><th>line</th><th>by</th><th>before</th><th>after</th></tr>"
            f"{cells}</table>"
        )

    notes = "".join(
        f"<li><b>{e(c.author)}</b> {e(c.date)} line {c.line or '?'} 「{e(c.anchor)}」: {e(c.text)}"
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
        f"<h2>Edits ({len(edits)})</h2>{table(edits)}"
        f"<h2>Tracked changes to decide ({len(pending)})</h2><ul>{props}</ul>"
        f"<h2>Proposed: written with --changes accept ({len(proposals or [])})</h2>"
        f"{table(proposals or [])}"
        f"<h2>Comments ({len(comments)})</h2><ul>{notes}</ul>"
        f"<h2>Warnings and conflicts ({len(warnings)})</h2><ul>{warn}</ul></body></html>"
    )


def _who(revisions: tuple[Revision, ...]) -> str:
    """The authors and dates of an edit's tracked changes; "untracked" when it has none."""
    seen = dict.fromkeys(f"{r.author} {r.date}".strip() for r in revisions)
    return "; ".join(seen) or "untracked"
