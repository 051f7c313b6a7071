"""The review page of an import: one self-contained HTML file a person checks in minutes.

At the top, every flag: what is in doubt, the spot in context, the readings the rules suggest,
a link to the spot. Below, the scraped text and the imported source side by side, one row a
block, every change highlighted in its kind's colour and labelled with its kind; the same change
has the same number on both sides. At the bottom, every change in tables. Inline CSS only: no
script, no font or image to fetch; checkboxes (CSS ``:checked``) hide the noisier kinds.
"""

from __future__ import annotations

import html
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from .changes import KINDS, Kind
from .scraped import ImportResult, LocatedChange, LocatedFlag

_LABELS: dict[Kind, str] = {
    "chrome": "chrome 网站框架",
    "join": "join 块拼接",
    "structure": "structure 结构",
    "punctuation": "punctuation 标点",
    "spun word": "spun word 替换词",
    "quote": "quote 引号",
}
# The kinds whose labels are many and small: shown only on request, coloured always.
_QUIET: frozenset[Kind] = frozenset(("structure", "punctuation"))

_CSS = """
:root { --chrome: #d9d9d9; --join: #e3c8ff; --structure: #cfe6ff; --punctuation: #fff1a8;
  --spun: #ffc9a3; --quote: #bdf0c4; --flag: #d0021b; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.7 "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
  "PingFang SC", "Microsoft YaHei", sans-serif; color: #1d1d1f; background: #fafafa; }
header, section, main { padding: 0 24px; }
header { padding-top: 16px; border-bottom: 1px solid #ddd; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 20px 0 8px; }
.meta { color: #555; margin: 0 0 8px; font-size: 13px; }
.legend { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; margin: 8px 0 12px; }
.chip { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; }
.legend label { font-size: 13px; color: #333; cursor: pointer; }
.legend label::before { content: "☐ "; }
#show-quiet:checked ~ main label[for="show-quiet"]::before,
#hide-quiet:checked ~ main label[for="hide-quiet"]::before,
#hide-chrome:checked ~ main label[for="hide-chrome"]::before { content: "☑ "; }
.k-chrome { background: var(--chrome); }
.k-join { background: var(--join); }
.k-structure { background: var(--structure); }
.k-punctuation { background: var(--punctuation); }
.k-spun { background: var(--spun); }
.k-quote { background: var(--quote); }
.src .k-chrome { color: #777; text-decoration: line-through; }
.tag { font-size: 10px; line-height: 1; vertical-align: super; color: #333; padding: 0 2px;
  border-radius: 2px; margin: 0 1px; white-space: nowrap; font-family: sans-serif; }
.tag b { font-weight: 600; }
.tag.quiet, .mark.quiet { display: none; }
#show-quiet:checked ~ main .tag.quiet, #show-quiet:checked ~ main .mark.quiet { display: inline; }
#hide-quiet:checked ~ main span.quiet { background: none; }
#hide-chrome:checked ~ main tr.chrome-row { display: none; }
.mark { font-size: 11px; vertical-align: super; }
.flagged { text-decoration: underline wavy var(--flag); text-decoration-thickness: 1.5px;
  text-underline-offset: 4px; text-decoration-skip-ink: none; }
.chip.flagged { border: 1px solid var(--flag); }
.badge { color: #fff; background: var(--flag); font: bold 10px/1.4 sans-serif;
  vertical-align: super; padding: 0 3px; border-radius: 7px; margin: 0 1px; text-decoration: none; }
ol.flags { padding-left: 0; list-style: none; margin: 0; }
ol.flags li { background: #fff; border: 1px solid #eee; border-left: 4px solid var(--flag);
  padding: 4px 10px; margin: 0 0 4px; display: grid; grid-template-columns: 150px 1fr 1fr;
  gap: 0 16px; align-items: baseline; }
ol.flags .ctx { font-size: 15px; }
ol.flags .why { grid-column: 2 / 4; }
ol.flags .ctx em { font-style: normal; outline: 2px solid var(--flag); background: #ffecec; }
ol.flags .sug { color: #0a5d1a; }
ol.flags .why { color: #555; font-size: 13px; }
.none { color: #0a5d1a; }
table.sbs { width: 100%; border-collapse: collapse; table-layout: fixed; background: #fff; }
table.sbs th { position: sticky; top: 0; background: #333; color: #fff; text-align: left;
  font-weight: 600; padding: 6px 10px; z-index: 1; }
table.sbs td { vertical-align: top; padding: 6px 10px; border-bottom: 1px solid #e6e6e6;
  white-space: pre-wrap; overflow-wrap: anywhere; }
table.sbs td.src { background: #fcfcfc; color: #333; border-right: 1px solid #ddd; }
table.sbs td.n { width: 44px; color: #999; font-size: 12px; text-align: right; padding-right: 6px; }
tr.heading td.out { font-weight: 700; }
tr.chrome-row td { font-size: 13px; }
.fm { color: #555; }
table.list { border-collapse: collapse; background: #fff; width: 100%; font-size: 14px; }
table.list td, table.list th { border: 1px solid #e6e6e6; padding: 3px 8px; text-align: left;
  vertical-align: top; }
details { margin: 8px 0; }
summary { cursor: pointer; font-weight: 600; }
footer { color: #888; font-size: 12px; padding: 16px 24px 32px; }
"""


@dataclass(frozen=True, slots=True)
class _Note:
    """Something to show over a stretch of one side's text."""

    start: int
    end: int
    css: str
    number: int
    title: str
    tag: str  # the label text ("" for none)
    kind: Kind
    flag: bool = False


def render_review(result: ImportResult, output_name: str) -> str:
    """The review page of ``result`` (``output_name``: the source file it was written to)."""
    numbered = list(enumerate(result.changes, start=1))
    flags = list(enumerate(result.flags, start=1))
    counts = Counter(item.kind for item in result.changes)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>导入审阅 Import review · {_e(result.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>导入审阅 Import review: {_e(result.title)}</h1>",
        f'<p class="meta">{_e(str(result.path))} → {_e(output_name)} · '
        f"{len(result.changes)} changes · {len(result.flags)} flags · "
        + " · ".join(f"{_e(k)}: {_e(str(v))}" for k, v in result.provenance)
        + "</p>",
        "</header>",
        '<input type="checkbox" id="show-quiet" hidden>',
        '<input type="checkbox" id="hide-quiet" hidden>',
        '<input type="checkbox" id="hide-chrome" hidden>',
        "<main>",
        _legend(counts),
        _flag_list(result, flags),
        "<h2>Side by side 对照</h2>",
        _side_by_side(result, numbered, flags),
        _change_tables(result, numbered),
        "</main>",
        "<footer>Generated by report-export import. Highlights: the scraped text on the left, "
        "the imported Markdown source on the right; a number links a change's two sides.</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _legend(counts: Counter[Kind]) -> str:
    chips = "".join(
        f'<span class="chip {_css(kind)}">{_e(_LABELS[kind])} · {counts.get(kind, 0)}</span>'
        for kind in KINDS
    )
    toggles = (
        '<label for="show-quiet">show structure/punctuation labels</label>'
        '<label for="hide-quiet">hide structure/punctuation colours</label>'
        '<label for="hide-chrome">hide site header and footer rows</label>'
        '<span class="chip flagged">⚑ flag</span>'
    )
    return f'<div class="legend">{chips}{toggles}</div>'


def _flag_list(result: ImportResult, flags: list[tuple[int, LocatedFlag]]) -> str:
    if not flags:
        return '<h2>Flags 待审</h2><p class="none">No flags: every change was sure.</p>'
    items = []
    for number, flag in flags:
        before, _, rest = flag.context.partition("【")
        spot, _, after = rest.partition("】")
        items.append(
            f'<li id="flag-{number}"><span><a class="badge" href="#spot-{number}">⚑{number}</a> '
            f'<span class="chip {_css(flag.kind)}">{_e(_LABELS[flag.kind])}</span></span>'
            f'<span class="ctx">…{_e(before)}<em>{_e(spot) or "‸"}</em>{_e(after)}…</span>'
            f'<span class="sug">suggested 建议: {_e(flag.suggestion)}</span>'
            f'<span class="why">{_e(flag.message)}</span></li>'
        )
    return f'<h2>Flags 待审 ({len(flags)})</h2><ol class="flags">{"".join(items)}</ol>'


def _side_by_side(
    result: ImportResult,
    numbered: list[tuple[int, LocatedChange]],
    flags: list[tuple[int, LocatedFlag]],
) -> str:
    source_notes = [
        _Note(*c.source, _css(c.kind), n, _title(c), _tag(c.kind), c.kind) for n, c in numbered
    ]
    # The site's text is simply gone from the result: a mark for each line would be noise.
    result_notes = [
        _Note(*c.result, _css(c.kind), n, _title(c), _tag(c.kind), c.kind)
        for n, c in numbered
        if not (c.kind == "chrome" and c.result[0] == c.result[1])
    ]
    for number, flag in flags:
        title = f"⚑{number} {flag.message}: {flag.suggestion}"
        source_notes.append(_Note(*flag.source, "", number, title, "", flag.kind, flag=True))
        result_notes.append(_Note(*flag.result, "", number, title, "", flag.kind, flag=True))
    source_cells = [(0, result.blocks[0][0][0] if result.blocks else len(result.scraped))]
    source_cells += [source for source, _ in result.blocks]
    source_cells.append((source_cells[-1][1], len(result.scraped)))
    result_cells = [result_span for _, result_span in result.blocks]
    by_source = _bucket(source_notes, source_cells)
    by_result = _bucket(result_notes, result_cells)

    def source(index: int) -> str:
        start, end = source_cells[index]
        last = index == len(source_cells) - 1
        return _cell(result.scraped, start, end, by_source[index], anchors=False, last=last)

    rows = ['<table class="sbs"><colgroup><col style="width:44px"><col><col></colgroup>']
    rows.append(
        "<thead><tr><th></th><th>抓取件 scraped</th><th>导入结果 imported</th></tr></thead>"
    )
    rows.append(
        '<tr class="chrome-row"><td class="n">front</td>'
        f'<td class="src">{source(0)}</td>'
        f'<td class="out fm">{_e(result.front_matter)}</td></tr>'
    )
    for index, (r0, r1) in enumerate(result_cells, start=1):
        heading = result.body.startswith("#", r0)
        out = _cell(result.body, r0, r1, by_result[index - 1], anchors=True)
        rows.append(
            f'<tr class="{"heading" if heading else "para"}"><td class="n">{index}</td>'
            f'<td class="src">{source(index)}</td><td class="out">{out}</td></tr>'
        )
    rows.append(
        '<tr class="chrome-row"><td class="n">end</td>'
        f'<td class="src">{source(len(source_cells) - 1)}</td><td class="out"></td></tr>'
    )
    rows.append("</table>")
    return "\n".join(rows)


def _bucket(notes: list[_Note], cells: list[tuple[int, int]]) -> list[list[_Note]]:
    """The notes each cell may show: those it overlaps, and points at or just after its end
    (``_cell`` decides which of those are its own)."""
    starts = [start for start, _ in cells]
    buckets: list[list[_Note]] = [[] for _ in cells]
    for note in notes:
        first = max(0, bisect_right(starts, note.start) - 1)
        last = max(first, bisect_right(starts, max(note.start, note.end - 1)) - 1)
        for index in range(max(0, first - 1), min(len(cells), last + 1)):
            buckets[index].append(note)
    return buckets


def _cell(
    text: str, start: int, end: int, notes: list[_Note], *, anchors: bool, last: bool = False
) -> str:
    """``text[start:end]`` with the notes over it: spans for stretches, marks for points.

    A point at ``end`` is the next cell's, unless no cell follows (``last``) or cells do not
    touch (the imported side, where a blank line lies between two blocks).
    """
    inside = [
        n
        for n in notes
        if (start <= n.start < end)
        or (n.start < start < n.end)
        or (n.start == n.end == end and (last or anchors))
        or (n.flag and n.start == end and (last or anchors))
    ]
    cuts = {start, end}
    for note in inside:
        cuts.update(p for p in (note.start, note.end) if start <= p <= end)
    points = sorted(cuts)
    html_parts: list[str] = []
    for index, left in enumerate(points):
        html_parts.extend(_points_at(left, inside, anchors))
        if index + 1 == len(points):
            break
        right = points[index + 1]
        piece = text[left:right]
        covering = [n for n in inside if n.start <= left and right <= n.end and n.start < n.end]
        classes = {n.css for n in covering if n.css}
        if any(n.flag for n in covering):
            classes.add("flagged")
        if covering and all(n.kind in _QUIET for n in covering if not n.flag):
            classes.add("quiet")
        shown = _e(piece)
        if any(n.kind == "structure" for n in covering if not n.flag) and not anchors:
            shown = shown.replace(" ", "␣").replace("\n", "↵\n")
        titles = " | ".join(n.title for n in covering)
        # Labels go right after the stretch they label, before a line end that closes it.
        trailing = shown[len(shown.rstrip("\n")) :]
        shown = shown[: len(shown) - len(trailing)]
        if classes or titles:
            attrs = f' class="{" ".join(sorted(classes))}"' if classes else ""
            attrs += f' title="{_e(titles)}"' if titles else ""
            html_parts.append(f"<span{attrs}>{shown}</span>")
        else:
            html_parts.append(shown)
        for note in inside:
            if note.end == right and note.start < note.end and note.tag:
                html_parts.append(_tag_html(note))
        html_parts.append(trailing)
    return "".join(html_parts)


def _points_at(at: int, notes: list[_Note], anchors: bool) -> list[str]:
    """Marks for what happens at a point: an insertion on the left, a deletion on the right,
    and the start of a flag (with its badge)."""
    out: list[str] = []
    for note in notes:
        if note.flag and note.start == at:
            ident = f' id="spot-{note.number}"' if anchors else ""
            out.append(
                f'<a class="badge"{ident} href="#flag-{note.number}" title="{_e(note.title)}">'
                f"⚑{note.number}</a>"
            )
        elif not note.flag and note.start == note.end == at:
            quiet = " quiet" if note.kind in _QUIET else ""
            out.append(f'<span class="mark {note.css}{quiet}" title="{_e(note.title)}">‸</span>')
            out.append(_tag_html(note))
    return out


def _tag_html(note: _Note) -> str:
    quiet = " quiet" if note.kind in _QUIET else ""
    return f'<span class="tag {note.css}{quiet}">{note.number} <b>{_e(note.tag)}</b></span>'


def _change_tables(result: ImportResult, numbered: list[tuple[int, LocatedChange]]) -> str:
    groups: list[tuple[str, tuple[Kind, ...], bool]] = [
        ("Spun words and quotes 替换词与引号", ("spun word", "quote"), True),
        ("Site chrome and chunk joins 网站框架与块拼接", ("chrome", "join"), False),
        ("Structure and punctuation 结构与标点", ("structure", "punctuation"), False),
    ]
    out = ["<h2>All changes 全部改动</h2>"]
    for title, kinds, open_ in groups:
        rows = [
            f'<tr><td>{n}</td><td><span class="chip {_css(c.kind)}">{_e(c.kind)}</span></td>'
            f"<td>{_show(c.before)}</td><td>{_show(c.after)}</td><td>{_e(c.note)}</td>"
            f"<td>{_e(_around(result.body, c.result))}</td></tr>"
            for n, c in numbered
            if c.kind in kinds
        ]
        out.append(
            f"<details{' open' if open_ else ''}><summary>{_e(title)} ({len(rows)})</summary>"
            '<table class="list"><tr><th>#</th><th>kind</th><th>before</th><th>after</th>'
            f"<th>why</th><th>in the result</th></tr>{''.join(rows)}</table></details>"
        )
    return "\n".join(out)


def _around(text: str, span: tuple[int, int]) -> str:
    start, end = span
    left = text[max(0, start - 8) : start].rsplit("\n", 1)[-1]
    right = text[end : end + 8].split("\n", 1)[0]
    return f"{left}【{text[start:end]}】{right}"


def _show(text: str) -> str:
    if not text:
        return '<span class="meta">(nothing)</span>'
    if len(text) > 80:
        text = text[:40] + " … " + text[-30:]
    return _e(text.replace("\n", "↵").replace(" ", "␣"))


def _title(item: LocatedChange) -> str:
    return f"{item.kind}: “{item.before}” → “{item.after}” — {item.note}"


def _tag(kind: Kind) -> str:
    return kind


def _css(kind: Kind) -> str:
    return "k-spun" if kind == "spun word" else f"k-{kind}"


def _e(text: str) -> str:
    return html.escape(text, quote=True)
