"""The layout stages: undo how a site's page cut and wrapped the document's own lines.

A copy in the ``lines`` layout (see ``chrome``) is the document's text as the site's reader
view or PDF preview showed it: pages, each perhaps under a running title and over a page
marker, sometimes a banner between two of them, and lines broken every 30-40 characters. Four
stages, in this order, each one ``Stage`` the review page labels:

- ``banners``: a line the site put between two pages (an advert, a download prompt) goes;
- ``running titles``: the document's title repeated at the top of a page, and any short line
  repeated on most pages (a running header or footer), go;
- ``page markers``: a line that only numbers a page ("- 3 -", "3", "第3页", "3/12", a Word field
  left as "PAGE \\* MERGEFORMAT 3") goes;
- ``hard wraps``: every line end is decided: inside a sentence it is joined (a heading's line
  end excepted); at a sentence end before an indent, or after a short line, it is a paragraph
  break. The output is the flattened text the structure stage reads, as the chunk joiner's is:
  the document on one line, a single space at each break.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from .changes import Change, Flag, Kind, Stage, change, text_lines
from .sites import Site
from .structure import numbering

_INDENT = re.compile(r"[ \t\u3000\xa0]{2,}|\u3000")
# What ends a sentence (or a paragraph introducing a list): the closing quotes and brackets
# after it do not change that.
_ENDS = "。！？；：…!?;:"
_CLOSERS = "”’）)》」』"
_LATIN = re.compile(r"[A-Za-z0-9]")
_DATE = re.compile(r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?")
_MAX_HEADING = 40
_MAX_PLAIN = 20
# A line this close to the wrap width (in full-width characters) is full: the page broke it.
_SLACK = 1.5
_REPEATED = 3
_MAX_RUNNING = 40
# How many lines from a page marker a running header or footer may stand.
_NEAR_MARKER = 2


def _drop_lines(name: str, kind: Kind, text: str, dropped: dict[int, str]) -> Stage:
    """The stage that removes the lines ``dropped`` (index -> why), each with its line end."""
    lines = text_lines(text)
    changes: list[Change] = []
    for index, note in sorted(dropped.items()):
        line = lines[index]
        end = lines[index + 1].start if index + 1 < len(lines) else line.end
        changes.append(change(kind, text, line.start, end, "", note))
    return Stage.apply(name, text, changes)


def drop_banners(text: str, site: Site) -> Stage:
    """Drop the site's lines inside the document: banners, adverts, prompts."""
    dropped: dict[int, str] = {}
    for index, line in enumerate(text_lines(text)):
        content = line.content
        if not content or numbering(content) is not None:
            continue
        label = site.banner_label(content)
        if label is not None:
            dropped[index] = label
    return _drop_lines("banners", "chrome", text, dropped)


def drop_running_titles(text: str, site: Site) -> Stage:
    """Drop the document's title where it recurs, and the short lines that recur page after
    page: three times or more, or at every page marker (a header or footer over two pages)."""
    lines = text_lines(text)
    contents = [_squash(line.content) for line in lines]
    title = next((c for c in contents if c), "")
    at: dict[str, list[int]] = {}
    for index, content in enumerate(contents):
        if content:
            at.setdefault(content, []).append(index)
    markers = [i for i, c in enumerate(contents) if c and site.is_page_marker(c)]

    def by_a_marker(index: int) -> bool:
        return any(abs(index - marker) <= _NEAR_MARKER for marker in markers)

    dropped: dict[int, str] = {}
    for content, where in at.items():
        if content == title:
            for index in where[1:]:
                dropped[index] = "running title: the document's title again"
            continue
        if _width(content) > _MAX_RUNNING or numbering(content) is not None or len(where) < 2:
            continue
        if site.is_page_marker(content):
            continue
        if len(where) >= _REPEATED or all(by_a_marker(index) for index in where):
            for index in where:
                dropped[index] = f"running header or footer: on {len(where)} pages"
    return _drop_lines("running titles", "page", text, dropped)


def drop_page_markers(text: str, site: Site) -> Stage:
    """Drop the lines that only number a page."""
    dropped = {
        index: f"page marker “{line.content}”"
        for index, line in enumerate(text_lines(text))
        if line.content and site.is_page_marker(line.content)
    }
    return _drop_lines("page markers", "page", text, dropped)


def join_hard_wraps(text: str) -> Stage:
    """Decide every line end: joined inside a sentence, a break (one space) between blocks."""
    lines = [line for line in text_lines(text) if line.content]
    changes: list[Change] = []
    flags: list[Flag] = []
    if not lines:
        return Stage.apply("hard wraps", text, [change("join", text, 0, len(text), "")])
    width = wrap_width([line.text.rstrip() for line in lines])
    indents = sum(1 for line in lines if _INDENT.match(line.text))
    uses_indent = indents >= 2
    first, last = lines[0], lines[-1]
    lead = len(first.text) - len(first.text.lstrip())
    if first.start + lead > 0:
        changes.append(change("join", text, 0, first.start + lead, "", "start of the text"))
    for index in range(len(lines) - 1):
        prev, nxt = lines[index], lines[index + 1]
        gap_start = prev.start + len(prev.text.rstrip())
        gap_end = nxt.start + len(nxt.text) - len(nxt.text.lstrip())
        gap = text[gap_start:gap_end]
        is_break, note, doubt = _decide(
            prev.text.rstrip(),
            nxt.content,
            lines[index + 2].content if index + 2 < len(lines) else "",
            blank="\n\n" in gap.replace(" ", "").replace("\t", ""),
            indented=uses_indent and bool(_INDENT.match(nxt.text)),
            uses_indent=uses_indent,
            width=width,
            first=index == 0,
        )
        if is_break:
            after = " "
        elif (
            gap[:1] in (" ", "\t")
            and _LATIN.match(prev.content[-1])
            and _LATIN.match(nxt.content[0])
        ):
            after = " "
            note += " (the space between two Latin words kept)"
        else:
            after = ""
        changes.append(change("join", text, gap_start, gap_end, after, note))
        if doubt:
            flags.append(
                Flag(
                    "join",
                    gap_start,
                    gap_end,
                    "a full line ending a sentence, the next not indented: a paragraph may end "
                    "here",
                    "joined; make it a paragraph break if the document has one here",
                )
            )
    tail = last.start + len(last.text.rstrip())
    if tail < len(text):
        changes.append(change("join", text, tail, len(text), "", "end of the text"))
    return Stage.apply("hard wraps", text, changes, flags)


def wrap_width(contents: list[str]) -> float | None:
    """The width the copy's lines were wrapped at, in full-width characters; None if they were
    not (the lines are the document's own: one paragraph or heading a line)."""
    widths = [_width(c) for c in contents if _width(c) >= 10]
    if len(widths) < 3:
        return None
    rounded = Counter(round(w) for w in widths)
    top = max(rounded)
    # The wrap width: the widest width many lines reach (a few long lines may overshoot it).
    width = max(w for w, n in rounded.items() if n >= max(2, len(widths) // 10) or w == top)
    full = [c for c in contents if _width(c) >= width - _SLACK]
    inside = [c for c in full if not _ends_sentence(c)]
    if len(full) >= max(3, 0.3 * len(widths)) and len(inside) >= 2:
        return float(width)
    return None


def _decide(
    prev: str,
    nxt: str,
    after: str,
    *,
    blank: bool,
    indented: bool,
    uses_indent: bool,
    width: float | None,
    first: bool,
) -> tuple[bool, str, bool]:
    """Is the line end after ``prev`` a break? With the reason, and whether it is in doubt."""
    short = width is None or _width(prev) < width - _SLACK
    prev = prev.strip()
    if blank:
        return True, "a blank line: paragraph break", False
    if first and short:
        return True, "after the title", False
    if _ends_sentence(prev):
        if width is None:
            return True, "a line of its own: paragraph break", False
        if indented:
            return True, "a sentence end before an indent: paragraph break", False
        if short:
            return True, "a sentence end on a short line: paragraph break", False
        if _heading_like(nxt, after, "") and (not after or _width(nxt) < width - _SLACK):
            return True, "a sentence end before a heading's short line: break", False
        if uses_indent:
            return False, "a full line, the next not indented: the paragraph goes on", False
        return False, "a full line ending a sentence: the paragraph goes on", True
    if short and _heading_like(prev, nxt, after):
        return True, "a heading's line end: break", False
    if indented and short:
        return True, "a short line before an indent: break", False
    return False, "a line end inside a sentence: joined", False


def _heading_like(line: str, nxt: str, after: str) -> bool:
    """A heading, or a closing line (the sender, the date), rather than a sentence cut short."""
    if re.search(r"[，,。；;]", line):
        return False
    if numbering(line) is not None:
        return _width(line) <= _MAX_HEADING
    if _width(line) > _MAX_PLAIN:
        return False
    # An unnumbered short line: a sign-off (a name over a date), not the start of a sentence.
    return (
        bool(_DATE.fullmatch(nxt))
        or _DATE.fullmatch(line) is not None
        or not nxt
        or (_width(nxt) <= _MAX_PLAIN and not re.search(r"[，,。；;]", nxt) and not after)
    )


def _ends_sentence(line: str) -> bool:
    stripped = line.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _ENDS


def _width(text: str) -> float:
    """Display width in full-width characters: a Chinese character 1, a Latin one 1/2."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
