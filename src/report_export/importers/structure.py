"""Stage 3, structure: rebuild title, headings and paragraphs from the flattened text.

The copy marks every break (paragraph or heading) with a single space. A short segment with no
closing punctuation, followed by more text, is a heading; its Chinese numbering gives its level
(一、 > （一） > 1、/1. > （1）), and the levels a document uses map, in that order, to ``#``,
``##``, ``###``. The document's first line is its title: it goes to the front matter, not the body.
The output is the body in Markdown: one block a line, blocks separated by a blank line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ReportExportError
from .changes import Change, Flag, Stage, change
from .chrome import undecorated

_HAN = "一二三四五六七八九十百零〇"

# The numbering styles of Chinese documents, outermost first (GB/T 9704 order for the middle four).
NUMBERING: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("第一章", re.compile(rf"第[{_HAN}\d]+章")),
    ("第一节", re.compile(rf"第[{_HAN}\d]+节")),
    ("一、", re.compile(rf"[{_HAN}]+[、．.]")),
    ("（一）", re.compile(rf"[（(][{_HAN}]+[）)]")),
    # "l" is a Latin l misread for 1 ("l、承当…"); the punctuation stage repairs it.
    ("1、", re.compile(r"(?:\d+|l)(?:[、．]|\.(?![\d]))")),
    ("1.1", re.compile(r"\d+\.\d+(?:\.\d+)*")),
    ("（1）", re.compile(r"[（(](?:\d+|l)[）)]")),
    ("①", re.compile(r"[①-⑳]")),
)
_RANK = {name: rank for rank, (name, _) in enumerate(NUMBERING)}

_BREAK = re.compile(r"[ \t\u3000\xa0]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9%]")
# Punctuation that ends a sentence (and so a paragraph, never a heading).
_CLOSING = frozenset("。！？；…!?;.")
_TRAILING_CLOSERS = "”’）)》」』"
# What an unnumbered heading may contain besides words.
_HEADING_MARKS = re.compile(r"[、“”‘’《》·—\-（）()]")
_PUNCT_ONLY = re.compile(r"[\s.,;:!?，。；：！？、…—\-]+")
_DATE = re.compile(
    r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|(?:19|20)\d{2}[-/.]\d{1,2}(?:[-/.]\d{1,2})?"
)
_MAX_SIGN_OFF = 30
_MAX_NUMBERED_HEADING = 60
_MAX_PLAIN_HEADING = 20


@dataclass(frozen=True, slots=True)
class _Segment:
    start: int
    end: int
    text: str


def numbering(text: str) -> tuple[str, str] | None:
    """The numbering style and token that ``text`` starts with, if any."""
    for name, pattern in NUMBERING:
        match = pattern.match(text)
        if match:
            return name, match.group()
    return None


def rebuild_structure(text: str, site_title: str, path: Path | None = None) -> Stage:
    """Split ``text`` at its break spaces into the title, headings and paragraphs.

    The output's first line is the title (the document's first line, or the site's title where
    the document has none), so the later stages repair it with the rest; the last stage moves it
    to the front matter. Text that holds nothing but stray marks is an error naming ``path``.
    """
    segments = _segments(text)
    changes: list[Change] = []
    flags: list[Flag] = []
    if not segments:
        return Stage.apply("structure", text, [change("structure", text, 0, len(text), "")])
    if all(_PUNCT_ONLY.fullmatch(segment.text) for segment in segments):
        # A copy whose only chunk is "1、。": no title, no paragraph, nothing to import.
        raise ReportExportError(
            "no document text found: the chunks hold only stray punctuation", path
        )
    title, body = _title(segments, site_title, flags)
    if body and _PUNCT_ONLY.fullmatch(body[0].text):
        body = body[1:]  # a stray mark right after the title: dropped with the break
    levels = _levels(body, flags)

    def prefix(index: int) -> str:
        level = levels.get(index)
        return "" if level is None else "#" * level + " "

    if title is not None:
        if title.start > 0:
            changes.append(change("structure", text, 0, title.start, "", "start of the text"))
        if body:
            gap = (title.end, body[0].start)
            changes.append(change("structure", text, *gap, "\n\n" + prefix(0), "after the title"))
    else:
        cleaned = undecorated(site_title) or site_title
        note = "no title line in the document: the site's title"
        changes.append(
            change("structure", text, 0, body[0].start, f"{cleaned}\n\n{prefix(0)}", note)
        )
    for index in range(1, len(body)):
        gap = (body[index - 1].end, body[index].start)
        if _PUNCT_ONLY.fullmatch(body[index].text):
            changes.append(
                change("structure", text, *gap, "", "stray mark joined to its paragraph")
            )
            continue
        level = levels.get(index)
        note = (
            f"heading, level {level} ({_style(body[index].text)})"
            if level is not None
            else "paragraph break"
        )
        changes.append(change("structure", text, *gap, "\n\n" + prefix(index), note))
    last = body[-1] if body else title
    if last is not None and last.end < len(text):
        changes.append(change("structure", text, last.end, len(text), "", "end of the text"))
    return Stage.apply("structure", text, changes, flags)


def _segments(text: str) -> list[_Segment]:
    """The text between break spaces.

    Not a break: a single space between two Latin words or numbers ("Microsoft Word"), and the
    space some documents put after a heading's numbering ("一、 选题的由来").
    """
    segments: list[_Segment] = []
    start = 0
    for match in _BREAK.finditer(text):
        at, end = match.span()
        before, after = text[at - 1 : at], text[end : end + 1]
        if match.group() == " " and _ASCII_WORD.match(before) and _ASCII_WORD.match(after):
            continue
        so_far = text[start:at]
        found = numbering(so_far)
        if found and found[1] == so_far:
            continue
        if so_far:
            segments.append(_Segment(start, at, so_far))
        start = end
    if start < len(text):
        segments.append(_Segment(start, len(text), text[start:]))
    return segments


def _title(
    segments: list[_Segment], site_title: str, flags: list[Flag]
) -> tuple[_Segment | None, list[_Segment]]:
    """The document's title and the segments after it.

    The first segment is the title when it is the site's title (less what the uploader added:
    a year prefix, "2022年" + the document's own first line, or a "(最新版)" suffix) or,
    failing that, looks like one.
    """
    first = segments[0]
    own, site = _squash(first.text), _squash(site_title)
    if own and own in (site, _squash(undecorated(site_title))):
        return first, segments[1:]
    if _looks_like_title(first.text) and len(segments) > 1:
        if site:
            flags.append(
                Flag(
                    "structure",
                    first.start,
                    first.end,
                    f"the document's first line differs from the site's title “{site_title}”",
                    f"title: {first.text}",
                )
            )
        return first, segments[1:]
    flags.append(
        Flag(
            "structure",
            first.start,
            first.end,
            "the document has no title line: the title is the site's",
            f"title: {site_title}",
        )
    )
    return None, segments


def _looks_like_title(text: str) -> bool:
    return (
        len(text) <= _MAX_NUMBERED_HEADING
        and not _ends_sentence(text)
        and numbering(text) is None
        and not re.search(r"[，,。；;]", text)
    )


def _levels(body: list[_Segment], flags: list[Flag]) -> dict[int, int]:
    """Which segments are headings, and their level: the styles present, outermost first."""
    styles: dict[int, str | None] = {}
    # The lines that close a letter or report (the sender, the date) are short and bare too.
    closing = len(body)
    while closing > 0 and _is_sign_off(body[closing - 1].text):
        closing -= 1
    for index, segment in enumerate(body[:-1]):
        if _PUNCT_ONLY.fullmatch(body[index + 1].text) or _ends_sentence(segment.text):
            continue
        if index >= closing or _DATE.fullmatch(segment.text):
            continue
        found = numbering(segment.text)
        if found and len(segment.text) <= _MAX_NUMBERED_HEADING:
            styles[index] = found[0]
        elif (
            found is None
            and len(segment.text) <= _MAX_PLAIN_HEADING
            and not re.search(r"[^\w\s]", _HEADING_MARKS.sub("", segment.text))
        ):
            styles[index] = None
            flags.append(
                Flag(
                    "structure",
                    segment.start,
                    segment.end,
                    "a short line without numbering or closing punctuation: taken as a heading",
                    f"# {segment.text}  (or a paragraph)",
                )
            )
    present = sorted(
        {style for style in styles.values() if style is not None}, key=lambda style: _RANK[style]
    )
    level_of = {style: level for level, style in enumerate(present, start=1)}
    # An unnumbered heading ("结语") stands beside the outermost numbered ones.
    return {
        index: min(level_of.get(style, 1) if style else 1, 6) for index, style in styles.items()
    }


def _is_sign_off(text: str) -> bool:
    return bool(_DATE.fullmatch(text)) or (
        len(text) <= _MAX_SIGN_OFF and numbering(text) is None and not re.search(r"[^\w\s]", text)
    )


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip().rstrip(_TRAILING_CLOSERS)
    return bool(stripped) and stripped[-1] in _CLOSING


def _style(text: str) -> str:
    found = numbering(text)
    return found[0] if found else "no numbering"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
