"""How well an import recovered a damaged copy's gold report: the figures issue #13 asks for.

For one copy (``copies.Copy``) and its import (``ImportResult``):

- structure: the blocks' outline (each heading's level, each paragraph) equals the gold's, and
  the title is the gold's;
- chrome: no site text (site names, prompts, page markers, the watermark) is in the body;
- spun: no unambiguous spun form is left (more often than the gold itself has it);
- repairs: every spun-word repair lands where the gold has the repaired word; one that does
  not is a real word "repaired" or a wrong repair;
- quotes: each ” of the gold is restored (an inserted ” the gold has at that spot), flagged (a
  quote flag covers its spot) or missing; an inserted ” the gold does not have there is wrong;
- unflagged: differences from the gold that no flag covers;
- similarity: ``difflib.SequenceMatcher(None, body, gold, autojunk=False).ratio()`` on the body
  text (blocks without their ``#`` marks and Markdown escapes, one a line) against the gold's.

Blocks are compared in order, each with ``SequenceMatcher``: a change or an inserted ” is right
when it lies in a stretch the two blocks share.
``python -m tests.scoring`` prints the figures per layout for every copy.
"""

from __future__ import annotations

import difflib
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from report_export.importers.result import ImportResult
from report_export.importers.scraped import import_file

from .copies import UNAMBIGUOUS, Copy, copies

# Text of the sites' pages (and their watermarks) that must never reach a source.
CHROME = (
    "上传", "下载", "VIP", "App", "ICP", "版权", "Copyright", "阅读", "相关", "_第", "金锄头",
    "人人文库", "原创力", "book118", "道客巴巴", "doc88", "豆丁", "docin", "百度", "Baidu",
    "公文范文网", "首页", "登录", "注册", "积分", "下载券", "MERGEFORMAT", "预览", "广告",
)  # fmt: skip
PAGE_MARKS = re.compile(r"-\s*\d+\s*-|第\d+页|\b\d+/\d+\b|^\d{1,3}$", re.MULTILINE)
_MARKS = re.compile(r"^#+ ")


@dataclass(slots=True)
class Score:
    """The figures of one import against its gold."""

    name: str
    layout: str
    structure: bool = False
    chrome: list[str] = field(default_factory=list)
    spun_left: list[str] = field(default_factory=list)
    repairs: int = 0
    wrong_repairs: list[str] = field(default_factory=list)
    quotes: int = 0
    restored: int = 0
    flagged: int = 0
    missing: list[str] = field(default_factory=list)
    wrong_quotes: list[str] = field(default_factory=list)
    unflagged: list[str] = field(default_factory=list)
    similarity: float = 0.0
    flags: int = 0

    @property
    def ok(self) -> bool:
        return (
            self.structure
            and not self.chrome
            and not self.spun_left
            and not self.wrong_repairs
            and not self.missing
            and not self.wrong_quotes
            and not self.unflagged
            and self.similarity >= 0.98
        )


def _plain(block: str) -> str:
    return _MARKS.sub("", block).replace("\\", "")


def score(copy: Copy, result: ImportResult) -> Score:
    gold = copy.gold
    found = Score(copy.name, copy.layout, flags=len(result.flags))
    blocks = result.body.split("\n\n")
    gold_blocks = [text for _, text in gold.blocks]
    outline = [len(b) - len(b.lstrip("#")) if _MARKS.match(b) else 0 for b in blocks]
    found.structure = result.title == gold.title and outline == [lv for lv, _ in gold.blocks]
    body = "\n".join(_plain(b) for b in blocks)
    gold_body = "\n".join(gold_blocks)
    found.similarity = difflib.SequenceMatcher(None, body, gold_body, autojunk=False).ratio()
    found.chrome = [m for m in CHROME if m in body and m not in gold_body]
    found.chrome += [m.group() for m in PAGE_MARKS.finditer(body) if m.group() not in gold_body]
    found.spun_left = [w for w in UNAMBIGUOUS if body.count(w) > gold_body.count(w)]
    found.quotes = gold_body.count("”")
    if len(blocks) != len(gold_blocks):
        found.missing = ["(blocks differ: not compared)"]
        return found
    # Where each block starts in the body, and what of it is shared with the gold's block.
    starts, at = [], 0
    for block in blocks:
        starts.append(at)
        at += len(block) + 2
    flagged = [flag.result for flag in result.flags]
    quote_flags = [flag.result for flag in result.flags if flag.kind == "quote"]
    for index, (mine, theirs) in enumerate(zip(blocks, gold_blocks, strict=True)):
        lead = len(mine) - len(_MARKS.sub("", mine))
        own = mine[lead:]
        base = starts[index] + lead
        matcher = difflib.SequenceMatcher(None, own, theirs, autojunk=False)
        ops = matcher.get_opcodes()
        equal = [(i1, i2, j1) for op, i1, i2, j1, _ in ops if op == "equal"]

        def shared(start: int, end: int, eq: list[tuple[int, int, int]] = equal) -> bool:
            return any(i1 <= start and end <= i2 for i1, i2, _ in eq)

        def gold_at(i: int, eq: list[tuple[int, int, int]] = equal) -> int | None:
            return next((j1 + i - i1 for i1, i2, j1 in eq if i1 <= i < i2), None)

        for op, i1, i2, j1, j2 in ops:
            if op == "equal" or own[i1:i2] == "\\" * (i2 - i1):
                continue
            start, end = base + i1, base + i2
            if not any(f0 <= end and start <= f1 for f0, f1 in flagged):
                found.unflagged.append(
                    f"block {index + 1}: {own[max(0, i1 - 6) : i2 + 6]!r} -> "
                    f"{theirs[max(0, j1 - 6) : j2 + 6]!r}"
                )
        restored_at: set[int] = set()
        for item in result.changes:
            r0, r1 = item.result
            if not (base <= r0 and r1 <= base + len(own)):
                continue
            if item.kind == "spun word":
                found.repairs += 1
                if not shared(r0 - base, r1 - base):
                    found.wrong_repairs.append(
                        f"{item.before}→{item.after} in {own[r0 - base - 6 : r1 - base + 6]!r}"
                    )
            if item.kind == "quote":
                if shared(r0 - base, r1 - base):
                    position = gold_at(r0 - base)
                    if position is not None:
                        restored_at.add(position)
                else:
                    found.wrong_quotes.append(own[max(0, r0 - base - 8) : r1 - base + 8])
        for match in re.finditer("”", theirs):
            if match.start() in restored_at:
                found.restored += 1
                continue
            # Where the gold's ” would be in the import: after the shared text before it.
            before = next(
                (
                    i1 + match.start() - j1
                    for i1, i2, j1 in equal
                    if j1 <= match.start() <= j1 + i2 - i1
                ),
                None,
            )
            point = base + (before if before is not None else 0)
            if before is not None and any(f0 <= point <= f1 for f0, f1 in quote_flags):
                found.flagged += 1
            else:
                found.missing.append(theirs[max(0, match.start() - 8) : match.start() + 4])
    return found


def score_all(with_pdf: bool = True) -> list[Score]:
    scores = []
    with tempfile.TemporaryDirectory() as folder:
        for copy in copies(with_pdf):
            path = Path(folder) / f"{copy.name}{copy.suffix}"
            path.write_bytes(copy.data)
            scores.append(score(copy, import_file(path)))
    return scores


def table(scores: list[Score]) -> str:
    """The figures per layout (sums over the copies of that layout; similarity: the lowest)."""
    rows = [
        "| layout | copies | structure exact | chrome left | spun left | repairs (wrong) "
        "| ” in gold | restored | flagged | missing | wrong | unflagged diffs | min similarity |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for layout in dict.fromkeys(s.layout for s in scores):
        group = [s for s in scores if s.layout == layout]
        rows.append(
            f"| {layout} | {len(group)} | {sum(s.structure for s in group)}/{len(group)} "
            f"| {sum(len(s.chrome) for s in group)} | {sum(len(s.spun_left) for s in group)} "
            f"| {sum(s.repairs for s in group)} ({sum(len(s.wrong_repairs) for s in group)}) "
            f"| {sum(s.quotes for s in group)} | {sum(s.restored for s in group)} "
            f"| {sum(s.flagged for s in group)} | {sum(len(s.missing) for s in group)} "
            f"| {sum(len(s.wrong_quotes) for s in group)} "
            f"| {sum(len(s.unflagged) for s in group)} "
            f"| {min(s.similarity for s in group):.4f} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    all_scores = score_all()
    print(table(all_scores))
    if "-v" in sys.argv:
        for item in all_scores:
            if not item.ok:
                print(item)
