"""Import a scraped document-site copy into a canonical Markdown source.

The pipeline is six small pure stages, each text -> ``Stage`` (its output, its changes, its
flags): chrome -> chunks -> structure -> punctuation -> spun words -> quotes, then a last one that
escapes what Markdown would read as syntax. Every change and flag is located both in the scraped
text and in the imported body, so the review page can show each one on both sides.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from ..errors import ReportExportError
from ..reader import read_utf8
from .changes import PositionMap, Stage, StageError, body_lines, change, heading_marks
from .chrome import Chrome, Layout, ProvenanceValue, strip_chrome
from .chunks import join_chunks
from .layout import drop_banners, drop_page_markers, drop_running_titles, join_hard_wraps
from .pdf import drop_watermark, read_text_layer
from .punctuation import normalize_punctuation
from .quotes import restore_quotes
from .result import ImportResult, LocatedChange, LocatedFlag
from .sites import Site, detect_site, load_site
from .spun_words import Table, load_table, repair_spun_words
from .structure import rebuild_structure

_CONTEXT = 12
_FRONT_MATTER = re.compile(r"---\n(?:.*\n)*?---\n")
_HAN = re.compile(r"[\u3400-\u9fff]")
_MIN_HAN = 10
_PDF_MAGIC = b"%PDF-"


def import_scraped(
    text: str, path: Path, table: Table | None = None, site: str | None = None
) -> ImportResult:
    """Run the pipeline over the scraped ``text`` (read from ``path``, named in errors).

    ``site`` names the site profile to use; by default the one the copy's text points to.
    """
    scraped = _normalized(text)
    _check_text(scraped, path)
    profile = load_site(site) if site else detect_site(scraped)
    with _clashes_reported(path):
        chrome = strip_chrome(scraped, profile)
        return _run_stages(scraped, path, table, profile, [chrome.stage], chrome.layout, chrome)


def import_pdf(
    data: bytes, path: Path, table: Table | None = None, site: str | None = None
) -> ImportResult:
    """Run the pipeline over a preview PDF's text layer (``data``, read from ``path``)."""
    layer = read_text_layer(data, path)
    scraped = _normalized(layer.text)
    _check_text(scraped, path)
    profile = load_site(site) if site else detect_site(scraped)
    with _clashes_reported(path):
        furniture = drop_watermark(scraped, layer, profile)
        return _run_stages(scraped, path, table, profile, [furniture], "lines", None)


def _normalized(text: str) -> str:
    scraped = unicodedata.normalize("NFC", text.removeprefix("\ufeff")).replace("\r\n", "\n")
    return scraped.replace("\r", "\n")


def _check_text(text: str, path: Path) -> None:
    """A copy that holds Chinese prose is imported whatever its layout; anything else is not."""
    if not text.strip():
        raise ReportExportError("nothing to import: the file holds no text", path)
    if _FRONT_MATTER.match(text):
        raise ReportExportError(
            "already a Markdown source (it opens with YAML front matter): nothing to import", path
        )
    if len(_HAN.findall(text)) < _MIN_HAN:
        raise ReportExportError("not a copy of a Chinese document: it holds no Chinese prose", path)


@contextmanager
def _clashes_reported(path: Path) -> Iterator[None]:
    """A stage whose edits do not fit its input is a bug; still one line for the user."""
    try:
        yield
    except StageError as err:
        raise ReportExportError(
            f"cannot import this copy: the importer's own edits clash ({err}); please report it",
            path,
        ) from err


def _run_stages(
    scraped: str,
    path: Path,
    table: Table | None,
    site: Site,
    stages: list[Stage],
    layout: Layout,
    chrome: Chrome | None,
) -> ImportResult:
    if layout == "chunks":
        stages.append(join_chunks(stages[-1].text))
    else:
        stages.append(drop_banners(stages[-1].text, site))
        stages.append(drop_running_titles(stages[-1].text, site))
        stages.append(drop_page_markers(stages[-1].text, site))
        stages.append(join_hard_wraps(stages[-1].text))
    if not stages[-1].text.strip():
        raise ReportExportError("the copy holds no text of the document", path)
    site_title = chrome.site_title if chrome else ""
    structure = rebuild_structure(stages[-1].text, site_title, path)
    if "\n\n" not in structure.text:
        raise ReportExportError("the copy holds a title but no text", path)
    punctuation = normalize_punctuation(structure.text)
    spun = repair_spun_words(punctuation.text, table or load_table())
    quotes = restore_quotes(spun.text)
    title = quotes.text.split("\n", 1)[0]
    markdown = finish_markdown(quotes.text)
    stages += [structure, punctuation, spun, quotes, markdown]
    provenance = chrome.provenance if chrome else (("site", site.site),) if site.site else ()
    return ImportResult(
        path=path,
        scraped=scraped,
        title=title,
        provenance=provenance,
        front_matter=front_matter(title, provenance),
        body=markdown.text,
        changes=tuple(_locate_changes(tuple(stages))),
        flags=tuple(_locate_flags(tuple(stages))),
        stages=tuple(stage.name for stage in stages),
        blocks=_locate_blocks(tuple(stages)),
    )


def import_file(path: Path, site: str | None = None) -> ImportResult:
    """Read the scraped copy (a text file or a preview PDF) at ``path`` and import it."""
    try:
        with path.open("rb") as handle:
            is_pdf = handle.read(len(_PDF_MAGIC)) == _PDF_MAGIC
    except OSError:
        is_pdf = False  # read_utf8 says why the file cannot be read
    if is_pdf:
        return import_pdf(path.read_bytes(), path, site=site)
    text = read_utf8(path, "not a scraped copy: not valid UTF-8 text")
    return import_scraped(text, path, site=site)


# --- Markdown -----------------------------------------------------------------------------------

_INLINE_SPECIAL = re.compile(r"[\\`*_\[\]<]|&(?=#?\w+;)")
# What opens a list, a heading or a quote at a paragraph's start ("1. 概述" would be a list).
_BLOCK_START = re.compile(r"(?:\d{1,9}[.)]|[-+*]|#{1,6})(?=[ \t]|$)|>")


def finish_markdown(text: str) -> Stage:
    """The last stage: the title line goes (to the front matter), and what CommonMark would
    take for syntax in the body's plain text is escaped."""
    title_end = text.index("\n\n") + 2
    changes = [change("structure", text, 0, title_end, "", "the title: to the front matter")]
    for body_line in body_lines(text, title_end):
        at, line, heading = body_line.start, body_line.text, body_line.heading
        for match in _INLINE_SPECIAL.finditer(line, body_line.content):
            start = at + match.start()
            changes.append(change("structure", text, start, start, "\\", "Markdown escape"))
        start_match = None if heading else _BLOCK_START.match(line)
        if start_match and not any(c.start == at + start_match.end() - 1 for c in changes):
            point = at + start_match.end() - 1
            changes.append(change("structure", text, point, point, "\\", "Markdown escape"))
        if heading and line.endswith("#"):
            point = at + len(line) - 1
            if not any(c.start == point for c in changes):
                changes.append(change("structure", text, point, point, "\\", "Markdown escape"))
    return Stage.apply("markdown", text, changes)


def front_matter(title: str, provenance: tuple[tuple[str, ProvenanceValue], ...]) -> str:
    """The YAML front matter block, laid out as ``source/report.md``'s is."""
    lines = ["---", f"title: {_scalar(title)}", "lang: zh-CN"]
    if provenance:
        lines.append("provenance:")
        lines.extend(f"  {key}: {_scalar(value)}" for key, value in provenance)
    lines.append("---")
    return "\n".join(lines) + "\n"


def _scalar(value: ProvenanceValue) -> str:
    """A YAML scalar: plain where YAML reads it back as the same string, else double-quoted."""
    if isinstance(value, int):
        return str(value)
    plain = re.fullmatch(r"[^\W_][\w（）《》、·—]*", value) is not None
    if plain and yaml.safe_load(value) == value:
        return value
    return json.dumps(value, ensure_ascii=False)


# --- locating changes and flags -----------------------------------------------------------------


def _locate_changes(stages: tuple[Stage, ...]) -> list[LocatedChange]:
    positions = PositionMap(stages)
    located: list[LocatedChange] = []
    for index, stage in enumerate(stages):
        for item, (a0, a1, b0, b1) in zip(stage.changes, stage.spans(), strict=True):
            source = positions.backward(a0, a1, index - 1) if index else (a0, a1)
            result = positions.forward(b0, b1, index + 1) if index + 1 < len(stages) else (b0, b1)
            located.append(
                LocatedChange(
                    item.kind, stage.name, item.before, item.after, item.note, source, result
                )
            )
    return located


def _locate_flags(stages: tuple[Stage, ...]) -> list[LocatedFlag]:
    positions = PositionMap(stages)
    body = stages[-1].text
    located: list[LocatedFlag] = []
    for index, stage in enumerate(stages):
        for flag in stage.flags:
            source = (
                positions.backward(flag.start, flag.end, index - 1)
                if index
                else (flag.start, flag.end)
            )
            result = positions.forward(flag.start, flag.end, index)
            located.append(
                LocatedFlag(
                    flag.kind,
                    stage.name,
                    flag.message,
                    flag.suggestion,
                    source,
                    result,
                    # A flag on text the import dropped (a site line) shows that text.
                    _context(stages[0].before, *source)
                    if result[0] == result[1] and source[0] < source[1]
                    else _context(body, *result),
                )
            )
    return located


def _locate_blocks(
    stages: tuple[Stage, ...],
) -> tuple[tuple[tuple[int, int], tuple[int, int]], ...]:
    """Pair each block of the body with the stretch of the scraped text it came from.

    A block's stretch starts where its text (past the heading marks) starts in the scraped text
    and runs to where the next one's starts: the break spaces and chunk numbers between two
    blocks go with the second, the title and the site's header before the first.
    """
    positions = PositionMap(stages)
    body = stages[-1].text
    last = len(stages) - 1
    blocks: list[tuple[int, int]] = []
    starts: list[int] = []
    at = 0
    for block in body.split("\n\n"):
        text_start = at + heading_marks(block)
        starts.append(positions.backward_point(text_start, last, start=True))
        blocks.append((at, at + len(block)))
        at += len(block) + 2
    end = positions.backward_point(len(body), last, start=False)
    bounds = [*starts, end]
    return tuple(
        ((bounds[index], bounds[index + 1]), result) for index, result in enumerate(blocks)
    )


def _context(text: str, start: int, end: int) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    left = text[max(line_start, start - _CONTEXT) : start]
    right = text[end : min(line_end, end + _CONTEXT)]
    return f"{left}【{text[start:end]}】{right}"


__all__ = ["finish_markdown", "front_matter", "import_file", "import_pdf", "import_scraped"]
