"""A source changed since its DOCX was exported: the exported version found again in git, and
a three-way merge of the source's changes and the DOCX's.

The exported version is the one whose SHA-256 the DOCX carries (``Document.source_digest``).
It is looked for in the git history of the source (every commit that touched the file, and the
index), not stored in the DOCX: the DOCX goes out to colleagues, and a copy of the whole source
inside it would travel with it (and the model, which knows no Markdown, would have to carry it).
A source not under git, or a version never committed, has no base: the import is refused.

The merge is diff3's, on lines: the changes base -> source and base -> (base with the DOCX's
edits) are taken together where they touch different lines; where they touch the same ones
(or insert at the same place) and differ, that is a conflict and nothing is merged.
"""

from __future__ import annotations

import difflib
import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Hunk:
    """Lines ``start``..``end`` of the base replaced by ``lines``; ``at`` is where the hunk
    begins in the side it came from."""

    start: int
    end: int
    lines: tuple[str, ...]
    at: int


@dataclass(frozen=True, slots=True)
class Conflict:
    """The two sides changed the same lines: where, in the current source (0-based)."""

    line: int


def exported_version(source: Path, digest: str) -> tuple[str, str] | None:
    """The text of ``source`` whose SHA-256 is ``digest``, from git, and the commit it is in
    ("index" for the staged version); None when git has no such version."""
    folder = source.resolve().parent

    def git(*args: str, data: bytes | None = None) -> bytes | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(folder), *args], input=data, capture_output=True, check=False
            )
        except OSError:
            return None  # no git on this machine: no history to look in
        return done.stdout if done.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if top is None:
        return None
    relative = source.resolve().relative_to(Path(top.decode().strip()).resolve()).as_posix()
    listed = git("rev-list", "--all", "--", relative) or b""
    names = [(":" + relative, "index")] + [
        (f"{commit}:{relative}", commit[:12]) for commit in listed.decode().split()
    ]
    batch = git("cat-file", "--batch", data="".join(n + "\n" for n, _ in names).encode())
    if batch is None:
        return None
    position = 0
    for _, label in names:
        header_end = batch.index(b"\n", position)
        header = batch[position:header_end].split()
        position = header_end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        blob = batch[position : position + size]
        position += size + 1
        if hashlib.sha256(blob).hexdigest() == digest:
            return blob.decode("utf-8"), label
    return None


def merge3(base: str, ours: str, theirs: str) -> str | Conflict:
    """``ours`` and ``theirs``, both edited from ``base``, as one text, or the first conflict."""
    old = base.splitlines(keepends=True)
    mine, other = ours.splitlines(keepends=True), theirs.splitlines(keepends=True)
    a, b = _hunks(old, mine), _hunks(old, other)
    for x in a:
        for y in b:
            if _overlap(x, y) and (x.start, x.end, x.lines) != (y.start, y.end, y.lines):
                return Conflict(x.at)
    taken = {(h.start, h.end, h.lines) for h in a}
    merged = sorted(
        [*a, *(h for h in b if (h.start, h.end, h.lines) not in taken)],
        key=lambda h: (h.start, h.end),
    )
    out: list[str] = []
    cursor = 0
    for hunk in merged:
        out += old[cursor : hunk.start]
        out += hunk.lines
        cursor = hunk.end
    out += old[cursor:]
    return "".join(out)


def _hunks(old: list[str], new: list[str]) -> list[Hunk]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [
        Hunk(i1, i2, tuple(new[j1:j2]), j1)
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op != "equal"
    ]


def _overlap(x: Hunk, y: Hunk) -> bool:
    """Whether two hunks touch the same base lines, or insert at one place (an insertion
    inside the other's lines counts; one right before or after them does not)."""
    if x.start == x.end and y.start == y.end:
        return x.start == y.start
    if x.start == x.end:
        return y.start < x.start < y.end
    if y.start == y.end:
        return x.start < y.start < x.end
    return max(x.start, y.start) < min(x.end, y.end)


def line_map(old: str, new: str) -> list[int]:
    """For each line of ``old`` (0-based), the line of ``new`` it became (or the nearest one
    after, for a line that is gone)."""
    a, b = old.splitlines(), new.splitlines()
    out = [0] * (len(a) + 1)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        for i in range(i1, i2):
            out[i] = j1 + (i - i1) if op == "equal" else min(j1 + (i - i1), max(j2 - 1, j1))
    out[len(a)] = len(b)
    return out


__all__ = ["Conflict", "exported_version", "line_map", "merge3"]
