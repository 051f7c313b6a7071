"""Stage 1, chrome: drop what belongs to the document site, keep where the copy came from.

A copy of a document-site page ("金锄头文库" and its many look-alikes) is the site's header
(page title, uploader line, page-image captions, preview notice, "资源描述", the 《…》由会员分享
line), then the document's preview cut into numbered chunks ("1、…", "2、…", one a line), then
the site's footer (related documents, breadcrumbs, licence lines). Everything but the chunk lines
is chrome; the uploader line and the footer also say where the copy came from, which the importer
keeps as the source's ``provenance``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ReportExportError
from .changes import Change, Flag, Stage, change

ProvenanceValue = str | int

_SEP = r"\s*[:：]\s*"
# What the site's preview notice says ("亲,该文档总共7页,到这儿已超出免费预览范围…", "还剩1页未读").
_NOTICE = (
    r"超出免费预览|免费预览范围|预览已结束|试读已结束|还剩\s*\d+\s*页未读|下载后可阅读全文"
    r"|该文档总共\s*\d+\s*页"
)


def _line(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# Whole lines that belong to the site, by what they are (the name labels them on the review page).
# They are matched against lines outside the document's chunks only, so body text that happens to
# say "版权所有" is never touched.
CHROME_LINES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "site actions",
        _line(
            r"(?:(?:返回|下载|相关|举报|收藏|分享|打印|全屏|投诉|加入VIP|立即下载|免费下载)[\s|｜/]*)+"
        ),
    ),
    ("page image caption", _line(r".+_第\s*\d+\s*页")),
    ("page counter", _line(r"第\s*\d+\s*页\s*[/／]?\s*共\s*\d+\s*页")),
    ("preview notice", _line(rf"亲[,，].*|.*(?:{_NOTICE}).*")),
    ("resource description heading", _line(r"(?:资源|文档|内容)(?:描述|简介|介绍)\s*[:：]?")),
    ("member-share line", _line(r"《.+》由.{0,8}(?:会员|用户|网友).{0,12}分享.*")),
    (
        "expand prompt",
        _line(r"(?:展开阅读全文|阅读全文|展开全文|查看全文|点击展开全文|继续阅读)\s*[>》]*"),
    ),
    (
        "related documents",
        _line(
            r"相关资源|正为您匹配相似的精品文档|相关搜索|最新文档|相关文档|猜你喜欢|热门文档"
            r"|为您推荐|相似文档|最新标签|热门标签|精品推荐"
        ),
    ),
    ("breadcrumb", _line(r"当前位置\s*[:：].*")),
    ("licence line", _line(r".*(?:ICP备|ICP证|经营许可证|公网安备|增值电信业务).*")),
    (
        "site footer",
        _line(
            r".*(?:版权所有|Copyright|©|电脑版|手机版|网站地图|联系我们|关于我们|用户协议|隐私政策).*"
        ),
    ),
)
# The headings of the site's lists of other documents: what follows them is more of the same.
_RELATED_MARKERS = frozenset(
    ("相关资源", "相关搜索", "最新文档", "相关文档", "猜你喜欢", "热门文档")
)

# The uploader line: "上传人:135****微信 文档编号:285387002 上传时间:2022-04-29 格式:DOCX 页数:7 …"
_DETAIL_FIELDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("uploader", re.compile(rf"(?:上传人|上传者|贡献者|分享者|上传用户){_SEP}(\S+)")),
    ("document_number", re.compile(rf"(?:文档编号|文档ID|文档id|资料编号){_SEP}(\S+)")),
    (
        "uploaded",
        re.compile(
            rf"(?:上传时间|上传日期|发布时间|更新时间){_SEP}(\d{{4}})[-/.年](\d{{1,2}})[-/.月](\d{{1,2}})"
        ),
    ),
    ("format", re.compile(rf"(?:文档格式|文件格式|格式){_SEP}([A-Za-z0-9]+)")),
    ("pages", re.compile(rf"(?:文档页数|总页数|页数){_SEP}(\d+)")),
    ("size", re.compile(rf"(?:文件大小|大小){_SEP}(\S+)")),
)
_SITE_FROM_SHARE = re.compile(r"请在\s*(.+?)\s*上搜索")
_SITE_FROM_FOOTER = re.compile(
    r"(?:电脑版|手机版)?[\s|｜\xa0]*(?:Copyright)?\s*(?:©|\(c\))?\s*(?:\d{4}(?:\s*-\s*\d{4})?)?\s*"
    r"(.+?)\s*版权所有"
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
PROVENANCE_ORDER = ("site", "document_number", "uploaded", "format", "pages", "uploader")


@dataclass(frozen=True, slots=True)
class Chrome:
    """The chrome stage's result: the chunk lines, and what the site said about the document."""

    stage: Stage
    provenance: tuple[tuple[str, ProvenanceValue], ...]
    site_title: str
    """The title the site shows (the uploader's, often with a year prefix); "" if none."""


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int  # without the newline
    text: str


def strip_chrome(text: str, path: Path) -> Chrome:
    """Drop the site's header, footer and in-between lines; fail if ``text`` is no such copy."""
    lines = _lines(text)
    first = next((i for i, line in enumerate(lines) if _FIRST_CHUNK.match(line.text)), None)
    if first is None:
        raise ReportExportError(
            "not a scraped document-site copy: no preview chunk starting with '1、' at a line "
            "start",
            path,
        )
    chunk_starts = _chunk_starts(lines, first)
    last, starts_chunk = chunk_starts[-1], set(chunk_starts)
    changes: list[Change] = []
    flags: list[Flag] = []
    details: dict[str, ProvenanceValue] = {}
    site_title = ""
    signatures = 0

    def drop(index: int, label: str, *, unknown: bool = False) -> None:
        line = lines[index]
        end = lines[index + 1].start if index + 1 < len(lines) else len(text)
        changes.append(change("chrome", text, line.start, end, "", label))
        if unknown:
            flags.append(
                Flag(
                    "chrome",
                    line.start,
                    line.end,
                    "a line the importer does not know was dropped as site text",
                    "check that it is not part of the document",
                )
            )

    # --- the header ---------------------------------------------------------------------------
    for index in range(first):
        content = lines[index].text.strip()
        if not content:
            drop(index, "blank line")
            continue
        label = _classify(content)
        if label == "document details":
            signatures += 1
            details.update(_details(content))
        elif label in ("page image caption", "member-share line", "preview notice"):
            signatures += 1
        if label == "member-share line":
            site = _SITE_FROM_SHARE.search(content)
            if site:
                details.setdefault("site", site.group(1))
        if label == "preview notice" and "pages" not in details:
            pages = _PAGES_FROM_TEXT.search(content)
            if pages:
                details["pages"] = int(pages.group(1))
        if label is None and not site_title and not any(c.note != "blank line" for c in changes):
            site_title = content
            drop(index, "page title")
            continue
        if not site_title:
            site_title = _title_from(label, content)
        drop(index, label or "unknown site line", unknown=label is None)

    # --- the chunks: site lines between them (page counters) go, the rest is the document -----
    last_line = lines[last]
    trailing = _TRAILING_CHROME.search(last_line.text)
    body_end = last_line.start + (trailing.start() if trailing else len(last_line.text))
    if trailing:
        what = "preview notice" if _NOTICE_TEXT.search(trailing.group()) else "page counter"
        changes.append(
            change("chrome", text, body_end, last_line.end, "", f"{what} after the text")
        )
    for index in range(first, last + 1):
        line = lines[index]
        own = text[line.start : body_end] if index == last else line.text
        content = own.strip()
        label = _classify(content) if content else None
        if label not in _BETWEEN_CHUNKS:
            continue
        if index not in starts_chunk:
            drop(index, label or "")
            continue
        # A chunk's line is the document's text, whatever it says ("…显示还剩5页未读的用户…"):
        # never dropped, only shown to the reviewer. The site's own notice after the last chunk's
        # text went above, with the page counter.
        flags.append(_site_looking(line.start, own, label or ""))

    # --- the footer ---------------------------------------------------------------------------
    in_related_list = False
    for index in range(last + 1, len(lines)):
        content = lines[index].text.strip()
        if not content:
            drop(index, "blank line")
            continue
        label = _classify(content)
        if label == "related documents":
            in_related_list = content in _RELATED_MARKERS
        elif label in ("site footer", "licence line"):
            signatures += 1
            site = _SITE_FROM_FOOTER.search(content)
            if site and "版权所有" in content:
                details.setdefault("site", site.group(1).strip(" |｜\xa0"))
        if label is None and in_related_list:
            label = "related document title"
            drop(index, label)
            continue
        drop(index, label or "unknown site line", unknown=label is None)
    # The newline ending the last chunk line belongs to the footer.
    if last_line.end < len(text):
        changes.append(change("chrome", text, last_line.end, lines[last + 1].start, "", "line end"))

    if signatures == 0:
        raise ReportExportError(
            "not a scraped document-site copy: no uploader line (上传人/文档编号), page captions "
            "or site footer around the numbered chunks",
            path,
        )
    details.pop("size", None)
    provenance = tuple((key, details[key]) for key in PROVENANCE_ORDER if key in details)
    return Chrome(Stage.apply("chrome", text, changes, flags), provenance, site_title)


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    at = 0
    for raw in text.split("\n"):
        out.append(_Line(at, at + len(raw), raw))
        at += len(raw) + 1
    return out


def _chunk_starts(lines: list[_Line], first: int) -> list[int]:
    """The lines that start the document's chunks, numbered counting up from 1 (at ``first``).

    The last of them is the document's last line.

    A line between two chunk lines that is not a chunk start still belongs to the document (a
    chunk broken over lines); after the last chunk start, only the chunk's own continuation does,
    up to the first line the footer patterns know.
    """
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
        if _classify(content) is not None:
            label = _classify(content)
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


def _classify(content: str) -> str | None:
    if sum(1 for _, field in _DETAIL_FIELDS if field.search(content)) >= 2:
        return "document details"
    for label, pattern in CHROME_LINES:
        if pattern.fullmatch(content):
            return label
    return None


def _details(content: str) -> dict[str, ProvenanceValue]:
    found: dict[str, ProvenanceValue] = {}
    for key, pattern in _DETAIL_FIELDS:
        match = pattern.search(content)
        if not match:
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
