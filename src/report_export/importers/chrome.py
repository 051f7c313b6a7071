"""Stage 1, chrome: drop what belongs to the document site, keep where the copy came from.

A copy of a document-site page is the site's header (page title, uploader line, page-image
captions, preview notice, "资源描述", login and app prompts), then the document, then the
site's footer (related documents, breadcrumbs, licence lines). What each of those lines looks
like is the site profile's (``sites``). The document itself comes in one of two layouts:

- ``chunks``: the preview cut into numbered chunks ("1、…", "2、…", one a line; 金锄头文库,
  人人文库); only the chunk lines are the document, every other line is the site's;
- ``lines``: the document's own lines, hard-wrapped or not, perhaps with page markers, running
  titles and banners between its pages (the layout stages after this one drop those).

The uploader line and the footer also say where the copy came from, which the importer keeps as
the source's ``provenance``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .changes import Change, Flag, Stage, TextLine, change, text_lines
from .sites import GENERIC, Site

ProvenanceValue = str | int
Layout = Literal["chunks", "lines"]

_NOTICE = (
    r"超出免费预览|免费预览范围|预览已结束|试读已结束|还剩\s*\d+\s*页未读|下载后可阅读全文"
    r"|该文档总共\s*\d+\s*页"
)
_SITE_FROM_SHARE = re.compile(r"请在\s*(.+?)\s*上搜索")
# "电脑版 |金锄头文库版权所有": a site's name is a few characters, no sentence around it.
_SITE_FROM_FOOTER = re.compile(
    r"(?:电脑版|手机版)?[\s|｜\xa0]*(?:Copyright)?\s*(?:©|\(c\))?\s*(?:\d{4}(?:\s*-\s*\d{4})?)?\s*"
    r"([\w.]{2,12}?)\s*版权所有"
)
_PAGES_FROM_TEXT = re.compile(r"(?:该文档总共|共)\s*(\d+)\s*页")
_CAPTION_TITLE = re.compile(r"(.+)_第\s*\d+\s*页")
_SHARE_TITLE = re.compile(r"《(.+?)》由")

_FIRST_CHUNK = re.compile(r"[ \t]*1、")
# Site text glued to the end of the last chunk line: "…提高党建成效。 第7页 共7页", "…成效。
# 还剩1页未读，继续阅读". The notice only after a space: "…显示还剩5页未读" is the text's own.
_TRAILING_CHROME = re.compile(
    r"(?:\s*(?:第\s*\d+\s*页\s*[/／]?\s*共\s*\d+\s*页|展开阅读全文|阅读全文|继续阅读)"
    r"|\s+还剩\s*\d+\s*页未读[，,]?)+\s*$"
)
# The site's lines that may stand between two chunks; a chunk's own line is never one of them.
_BETWEEN_CHUNKS = ("page counter", "page image caption", "preview notice")
_NOTICE_TEXT = re.compile(_NOTICE)
# Where, in a chunk line, the text that looks like the site's lies (for the flag).
_SITE_LOOKING = {
    "preview notice": _NOTICE_TEXT,
    "page image caption": re.compile(r"_第\s*\d+\s*页\s*$"),
}
# A line of the document's prose, never the site's: long, or with a sentence's punctuation.
_PROSE = re.compile(r".{41,}|.*[。；！？]")
_SENTENCE_END = "。；！？"
_MAX_TITLE_GAP = 15
PROVENANCE_ORDER = ("site", "document_number", "uploaded", "format", "pages", "uploader")


@dataclass(frozen=True, slots=True)
class Chrome:
    """The chrome stage's result: the document's lines, and what the site said about it."""

    stage: Stage
    provenance: tuple[tuple[str, ProvenanceValue], ...]
    site_title: str
    """The title the site shows (the uploader's, often with a year prefix); "" if none."""
    layout: Layout


class _Work:
    """What the stage collects while it walks the lines."""

    def __init__(self, text: str, lines: list[TextLine], site: Site) -> None:
        self.text, self.lines, self.site = text, lines, site
        self.changes: list[Change] = []
        self.flags: list[Flag] = []
        self.details: dict[str, ProvenanceValue] = {}
        self.site_title = ""

    def drop(self, index: int, label: str, *, unknown: bool = False) -> None:
        line = self.lines[index]
        end = self.lines[index + 1].start if index + 1 < len(self.lines) else len(self.text)
        self.changes.append(change("chrome", self.text, line.start, end, "", label))
        if unknown:
            self.flags.append(
                Flag(
                    "chrome",
                    line.start,
                    line.end,
                    "a line the importer does not know was dropped as site text",
                    "check that it is not part of the document",
                )
            )

    def classify(self, content: str) -> str | None:
        if sum(1 for _, field in self.site.provenance if field.search(content)) >= 2:
            return "document details"
        return self.site.chrome_label(content)

    def note(self, label: str | None, content: str) -> None:
        """Keep what a site line says about the document."""
        if label == "document details":
            self.details.update(_details(content, self.site))
        if label == "member-share line":
            site = _SITE_FROM_SHARE.search(content)
            if site:
                self.details.setdefault("site", site.group(1))
        if label == "preview notice" and "pages" not in self.details:
            pages = _PAGES_FROM_TEXT.search(content)
            if pages:
                self.details["pages"] = int(pages.group(1))
        if label in ("site footer", "licence line"):
            site = _SITE_FROM_FOOTER.search(content)
            if site and "版权所有" in content:
                self.details.setdefault("site", site.group(1).strip(" |｜\xa0"))

    def footer(self, first: int) -> None:
        """Drop every line from ``first`` on: the site's footer."""
        in_related_list = False
        for index in range(first, len(self.lines)):
            content = self.lines[index].text.strip()
            if not content:
                self.drop(index, "blank line")
                continue
            label = self.classify(content)
            if label == "related documents":
                in_related_list = content in self.site.related
            self.note(label, content)
            if label is None and in_related_list:
                self.drop(index, "related document title")
                continue
            self.drop(index, label or "unknown site line", unknown=label is None)

    def trailing(self, last: int) -> int:
        """Drop the site text glued to the end of line ``last``; where its own text ends."""
        line = self.lines[last]
        trailing = _TRAILING_CHROME.search(line.text)
        body_end = line.start + (trailing.start() if trailing else len(line.text))
        if trailing:
            what = "preview notice" if _NOTICE_TEXT.search(trailing.group()) else "page counter"
            self.changes.append(
                change("chrome", self.text, body_end, line.end, "", f"{what} after the text")
            )
        # The newline ending the document's last line belongs to the footer.
        if line.end < len(self.text):
            self.changes.append(
                change("chrome", self.text, line.end, self.lines[last + 1].start, "", "line end")
            )
        return body_end

    def result(self, layout: Layout) -> Chrome:
        self.details.pop("size", None)
        if self.site.name != GENERIC:
            self.details["site"] = self.site.site
        provenance = tuple(
            (key, self.details[key]) for key in PROVENANCE_ORDER if key in self.details
        )
        stage = Stage.apply("chrome", self.text, self.changes, self.flags)
        return Chrome(stage, provenance, self.site_title, layout)


def strip_chrome(text: str, site: Site) -> Chrome:
    """Drop the site's header, footer and in-between lines, as ``site``'s profile knows them."""
    work = _Work(text, text_lines(text), site)
    first = _first_chunk(work)
    if first is not None:
        return _chunks(work, first)
    return _own_lines(work)


def _first_chunk(work: _Work) -> int | None:
    """The line of chunk 1, if the copy is laid out in chunks.

    It is when a "1、" line has no prose before it, and the chunks that follow it counting up
    hold all of the document: nothing but the site's lines after the last one.
    """
    lines = work.lines
    first = next((i for i, line in enumerate(lines) if _FIRST_CHUNK.match(line.text)), None)
    if first is None:
        return None
    if any(
        line.text.strip().endswith(tuple(_SENTENCE_END))
        and work.classify(line.text.strip()) is None
        for line in lines[:first]
    ):
        return None
    last = _chunk_starts(work, first)[-1]
    after = [line.text.strip() for line in lines[last + 1 :] if line.text.strip()]
    if after and work.classify(after[0]) is None and _PROSE.fullmatch(after[0]):
        return None
    return first


def _chunks(work: _Work, first: int) -> Chrome:
    lines, text = work.lines, work.text
    chunk_starts = _chunk_starts(work, first)
    last, starts_chunk = chunk_starts[-1], set(chunk_starts)

    # --- the header ---------------------------------------------------------------------------
    for index in range(first):
        content = lines[index].text.strip()
        if not content:
            work.drop(index, "blank line")
            continue
        label = work.classify(content)
        work.note(label, content)
        if (
            label is None
            and not work.site_title
            and not any(c.note != "blank line" for c in work.changes)
        ):
            work.site_title = content
            work.drop(index, "page title")
            continue
        if not work.site_title:
            work.site_title = _title_from(label, content)
        work.drop(index, label or "unknown site line", unknown=label is None)

    # --- the chunks: site lines between them (page counters) go, the rest is the document -----
    body_end = work.trailing(last)
    for index in range(first, last + 1):
        line = lines[index]
        own = text[line.start : body_end] if index == last else line.text
        content = own.strip()
        label = work.classify(content) if content else None
        if label not in _BETWEEN_CHUNKS:
            continue
        if index not in starts_chunk:
            work.drop(index, label or "")
            continue
        # A chunk's line is the document's text, whatever it says ("…显示还剩5页未读的用户…"):
        # never dropped, only shown to the reviewer. The site's own notice after the last chunk's
        # text went above, with the page counter.
        work.flags.append(_site_looking(line.start, own, label or ""))

    work.footer(last + 1)
    return work.result("chunks")


def _own_lines(work: _Work) -> Chrome:
    """A copy of the document's own lines: the site's header before them, its footer after."""
    lines = work.lines
    contents = [line.text.strip() for line in lines]
    labels = [work.classify(content) if content else None for content in contents]
    # The footer: from the first line that opens one after the document's last line of prose.
    prose = [i for i, c in enumerate(contents) if c and labels[i] is None and _PROSE.fullmatch(c)]
    last_prose = prose[-1] if prose else -1
    footer = next(
        (
            i
            for i in range(last_prose + 1, len(lines))
            if contents[i] and work.site.starts_footer(contents[i])
        ),
        len(lines),
    )
    # The header: the site's lines, and its page title (an unknown line that site lines follow).
    start = 0
    while start < footer:
        content, label = contents[start], labels[start]
        if not content:
            start += 1
            continue
        if label is not None:
            work.note(label, content)
            start += 1
            continue
        following = next((labels[i] for i in range(start + 1, footer) if contents[i]), None)
        if not work.site_title and following is not None and not _PROSE.fullmatch(content):
            work.site_title = content
            start += 1
            continue
        break
    # Where the site's title recurs a few short lines on, the document starts there.
    if work.site_title:
        wanted = {_squash(work.site_title), _squash(undecorated(work.site_title))}
        for index in range(start, min(footer, start + _MAX_TITLE_GAP)):
            if contents[index] and _PROSE.fullmatch(contents[index]):
                break
            if _squash(contents[index]) in wanted:
                start = index
                break
    for index in range(start):
        content = contents[index]
        if not content:
            work.drop(index, "blank line")
        elif content == work.site_title and labels[index] is None:
            work.drop(index, "page title")
        else:
            work.drop(index, labels[index] or "unknown site line", unknown=labels[index] is None)
    last = max((i for i in range(start, footer) if contents[i]), default=None)
    if last is None:
        work.footer(start)
        return work.result("lines")
    work.trailing(last)
    work.footer(last + 1)
    return work.result("lines")


def _chunk_starts(work: _Work, first: int) -> list[int]:
    """The lines that start the document's chunks, numbered counting up from 1 (at ``first``).

    The last of them is the document's last line.

    A line between two chunk lines that is not a chunk start still belongs to the document (a
    chunk broken over lines); after the last chunk start, only the chunk's own continuation does,
    up to the first line the footer patterns know.
    """
    lines = work.lines
    expected = 2
    starts = [first]
    for index in range(first + 1, len(lines)):
        content = lines[index].text.strip()
        if not content:
            continue
        if re.match(rf"{expected}、", content):
            expected += 1
            starts.append(index)
            continue
        label = work.classify(content)
        if label is not None:
            if label in ("page counter", "page image caption"):
                continue  # a page counter between chunks: the document may go on
            break
        # An unknown line: part of the document only if another chunk follows it.
        following = [ln.text.strip() for ln in lines[index + 1 :] if ln.text.strip()]
        if any(re.match(rf"{expected}、", other) for other in following[:3]):
            continue
        break
    return starts


def _site_looking(at: int, text: str, label: str) -> Flag:
    """The flag on a chunk line (``text``, at offset ``at``) that reads like the site's
    ``label`` line, and was kept."""
    spot = _SITE_LOOKING[label].search(text) if label in _SITE_LOOKING else None
    start, end = (spot.start(), spot.end()) if spot else (0, len(text))
    return Flag(
        "chrome",
        at + start,
        at + end,
        f"a chunk of the document reads like the site's {label}: kept as the document's text",
        "keep it, unless the site's preview does not show it (then delete it)",
    )


def _details(content: str, site: Site) -> dict[str, ProvenanceValue]:
    found: dict[str, ProvenanceValue] = {}
    for key, pattern in site.provenance:
        match = pattern.search(content)
        if not match or key in found:
            continue
        if key == "uploaded":
            year, month, day = match.groups()
            found[key] = f"{year}-{int(month):02d}-{int(day):02d}"
        elif key == "pages":
            found[key] = int(match.group(1))
        elif key == "format":
            found[key] = match.group(1).upper()
        else:
            found[key] = match.group(1)
    return found


def _title_from(label: str | None, content: str) -> str:
    if label == "page image caption":
        match = _CAPTION_TITLE.fullmatch(content)
        return match.group(1).strip() if match else ""
    if label == "member-share line":
        match = _SHARE_TITLE.match(content)
        return match.group(1).strip() if match else ""
    return ""


# What uploaders add to a document's title: "2022年" before it, "(最新版)" after it.
_YEAR_PREFIX = re.compile(r"^(?:19|20)\d{2}\s*年(?:度)?\s*")
_DECORATION = re.compile(
    r"\s*[(（【\[](?:最新版?|完整版|精品|精选|优秀|推荐|定稿|终稿|可编辑|word版|Word版|\d+页)[)）】\]]\s*$"
    r"|\s*[-_|｜]\s*\S{2,8}$|\.(?:docx?|pdf|wps)$"
)


def undecorated(site_title: str) -> str:
    """The site's title without the uploader's year prefix and decoration suffix."""
    return _DECORATION.sub("", _YEAR_PREFIX.sub("", site_title.strip(), count=1))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
