"""Stage 2, chunks: the site cut the preview into numbered chunks; join them back exactly.

Each chunk starts a line with its number, counting up from 1 ("1、", "2、" … "11、"), and the cut
falls anywhere: inside a word ("十六届|四中"), between "。" and the next heading, even just before
the text's own numbering ("5、、休闲", "3、1、以…"). Only the expected next number at a line start
is a chunk number, so the text's own "1、以…" or "（一）" are never taken for one. The chunks are
joined with nothing in between: the text of the cut is exactly the text of the document.
"""

from __future__ import annotations

import re
from collections import Counter

from .changes import Change, Flag, Stage, change

_CONTEXT = 8


def join_chunks(text: str) -> Stage:
    """Remove the chunk numbers and the line breaks between chunks."""
    changes: list[Change] = []
    flags: list[Flag] = []
    expected = 1
    sizes: list[tuple[int, int, int]] = []  # (number, start of its text, length) of each chunk
    previous_end: int | None = None  # where the last non-blank line's content ended
    at = 0
    for raw in text.split("\n"):
        start, end = at, at + len(raw)
        at = end + 1
        if not raw.strip():
            continue
        found = re.match(rf"[ \t]*{expected}、", raw)
        if found:
            cut_from = previous_end if previous_end is not None else start
            cut_to = start + found.end()
            if previous_end is None:
                note = f"chunk {expected}: number removed"
            else:
                left = text[max(0, previous_end - _CONTEXT) : previous_end]
                right = text[cut_to : cut_to + _CONTEXT]
                note = f"chunk {expected} joined: …{left}|{right}…"
            changes.append(change("join", text, cut_from, cut_to, "", note))
            sizes.append((expected, cut_to, end - cut_to))
            expected += 1
        elif previous_end is not None:
            # A line break inside a chunk: the flattened text marks breaks with spaces, so keep
            # one there, and let the reviewer look.
            changes.append(change("join", text, previous_end, start, " ", "line break in a chunk"))
            other = re.match(r"\d+(?=、)", raw.strip())
            message = (
                f"a line starting with {other.group()}、 where chunk {expected}、 was expected: "
                "a chunk may be missing"
                if other
                else f"chunk {expected - 1} goes on over a line break"
            )
            flags.append(Flag("join", start, end, message, "compare with the site's preview"))
            if sizes:
                chunk, chunk_start, length = sizes[-1]
                sizes[-1] = (chunk, chunk_start, length + 1 + len(raw))
        previous_end = end
    if previous_end is not None and previous_end < len(text):
        changes.append(change("join", text, previous_end, len(text), "", "end of the last chunk"))
    flags.extend(_odd_sizes(sizes))
    return Stage.apply("chunks", text, changes, flags)


def _odd_sizes(sizes: list[tuple[int, int, int]]) -> list[Flag]:
    """Chunks are cut at one fixed size; one of another size lost or gained text.

    The last chunk is left out: it holds whatever remains, short or long.
    """
    if len(sizes) < 3:
        return []
    usual, _ = Counter(length for _, _, length in sizes[:-1]).most_common(1)[0]
    flags: list[Flag] = []
    for number, start, length in sizes[:-1]:
        if length != usual:
            flags.append(
                Flag(
                    "join",
                    start,
                    start + length,
                    f"chunk {number} has {length} characters where the others have {usual}",
                    "text may be missing or doubled here: compare with the site's preview",
                )
            )
    return flags
