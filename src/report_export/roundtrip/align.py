"""A DOCX without our block marks (not made by us, or saved by a tool that dropped them): its
paragraphs are aligned with the source's blocks by sequence, as ``diff`` aligns lines.

The paragraphs' plain texts are matched against the blocks' (difflib on the two sequences);
within a run the two sides replace differently, a paragraph takes the next block in order whose
text is most like its own (a ratio of at least ``SIMILAR``): an edited paragraph. What finds no
partner is an insertion or a deletion. Footnotes are aligned the same way, note by note, and
the references to them renamed to the notes they matched.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from ..model import Document
from .apply import Unit, model_segments
from .docx_edits import EditedDocument, EditedParagraph

SIMILAR = 0.6
"""How alike (difflib's ratio) an edited paragraph and a block must be to be the same one."""
ALIGNABLE = ("text", "quote", "bullet", "number", "cell", "heading")


def is_marked(edited: EditedDocument) -> bool:
    """Whether any paragraph carries one of our block marks."""
    return any(p.mark for p in edited.body)


def align(edited: EditedDocument, units: dict[str, Unit], document: Document) -> tuple[int, int]:
    """Mark the paragraphs of ``edited`` with the blocks they align with; (blocks matched,
    blocks in all)."""
    labels = {note.label: f"n{i}" for i, note in enumerate(document.footnotes)}
    texts = {path: _unit_text(unit, labels) for path, unit in units.items()}
    body = [path for path in units if not path.startswith("n_")]
    matched = _match(_alignable(edited.body), body, texts)
    renamed: dict[str, str] = {}
    for key, paragraphs in edited.notes.items():
        note_units = [p for p in units if p.startswith("n_")]
        pairs = _match(_alignable(paragraphs), note_units, texts, dry=True)
        if pairs:
            index = pairs[0].split("_")[1]
            renamed[key] = f"n{index}"
            own = [p for p in note_units if p.split("_")[1] == index]
            matched += _match(_alignable(paragraphs), own, texts)
    if renamed:
        edited.notes = {renamed.get(k, k): ps for k, ps in edited.notes.items()}
        for p in [*edited.body, *(p for ps in edited.notes.values() for p in ps)]:
            p.in_note = renamed.get(p.in_note, p.in_note) if p.in_note else None
            p.segments = [
                replace(s, note=renamed.get(s.note, s.note)) if s.note else s for s in p.segments
            ]
    return len(matched), len(units)


def _alignable(paragraphs: list[EditedParagraph]) -> list[EditedParagraph]:
    return [p for p in paragraphs if p.kind.startswith(ALIGNABLE)]


def _unit_text(unit: Unit, labels: dict[str, str]) -> str:
    return _normal("".join(s.text for s in model_segments(unit.inlines, labels)))


def _normal(text: str) -> str:
    return " ".join(text.split())


def _match(
    paragraphs: list[EditedParagraph],
    paths: list[str],
    texts: dict[str, str],
    *,
    dry: bool = False,
) -> list[str]:
    """Give each paragraph the path of the block it aligns with (unless ``dry``); the paths
    matched."""
    ours = [texts[path] for path in paths]
    theirs = [_normal("".join(s.text for s in p.segments)) for p in paragraphs]
    matched: list[str] = []
    matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pairs = list(zip(range(i1, i2), range(j1, j2), strict=True))
        elif op == "replace":
            pairs = _similar(ours, theirs, i1, i2, j1, j2)
        else:
            continue
        for i, j in pairs:
            if not dry:
                paragraphs[j].mark = paths[i]
            matched.append(paths[i])
    return matched


def _similar(
    ours: list[str], theirs: list[str], i1: int, i2: int, j1: int, j2: int
) -> list[tuple[int, int]]:
    """Pairs of a replaced run, in order: each paragraph with the most alike block after the
    last one taken."""
    pairs: list[tuple[int, int]] = []
    cursor = i1
    for j in range(j1, j2):
        best, best_ratio = None, SIMILAR
        for i in range(cursor, i2):
            matcher = difflib.SequenceMatcher(None, ours[i], theirs[j], autojunk=False)
            if matcher.quick_ratio() < best_ratio:
                continue  # an upper bound, cheap: most pairs end here
            ratio = matcher.ratio()
            if ratio >= best_ratio:
                best, best_ratio = i, ratio
        if best is not None:
            pairs.append((best, j))
            cursor = best + 1
    return pairs


__all__ = ["SIMILAR", "align", "is_marked"]
