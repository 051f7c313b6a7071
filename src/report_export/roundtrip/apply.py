"""The edits of a DOCX we exported, applied to the source it was built from, line by line.

Each marked paragraph maps to its source block (``writer.block_mark``: the block's path in the
model, found again here in markdown-it's syntax tree, whose nodes carry their source lines). A
block whose text is unchanged is not touched; a changed one is diffed (difflib) against its
source text and only the changed characters are rewritten, so line wrapping, blank lines, front
matter and the rest stay byte for byte. Unmarked paragraphs are insertions, marks gone are
deletions, a paragraph's new heading style is a new Markdown heading.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from ..heading_numbers import split_typed
from ..model import (
    Code,
    Document,
    Emph,
    FootnoteRef,
    Inline,
    LineBreak,
    Link,
    Strong,
    Table,
    Text,
)
from .docx_edits import EditedDocument, EditedParagraph, Revision, Segment

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u201c\u201d]")
_FIRST_PREFIX = re.compile(
    r"^(\s*(?:>\s?)*(?:[-*+]\s+|\d+[.)]\s+)?(?:#{1,6}\s+)?(?:\[\^[^\]]+\]:\s*)?)"
)
_NEXT_PREFIX = re.compile(r"^(\s*(?:>\s?)*\s*)")
_ESCAPE = re.compile(r"([\\`*_\[\]<])")


@dataclass(frozen=True, slots=True)
class Unit:
    """A source block one DOCX paragraph is written from: its lines and inlines."""

    path: str
    kind: str
    start: int
    end: int
    inlines: tuple[Inline, ...]
    top: int
    """The first line after the top-level block holding it (where an insertion goes)."""
    column: int | None = None
    """A table cell's column: the unit is the cell's part of its row's line."""


UNAPPLIED = "style not applied"
"""The kind of an edit whose new paragraph style has no Markdown where the block sits (a list
item made a heading): its text is taken, its style is a warning."""


@dataclass(frozen=True, slots=True)
class Edit:
    """One change made to the source: its kind, the block, the lines before and after."""

    kind: str
    path: str
    line: int
    before: str
    after: str
    revisions: tuple[Revision, ...] = ()
    """The tracked changes that made it (none for an untracked edit)."""


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").use(front_matter_plugin).use(footnote_plugin)


def locate(text: str, document: Document) -> dict[str, Unit]:
    """Every markable block of the source by its mark (the path ``writer.block_mark`` names)."""
    tree = SyntaxTreeNode(_markdown().parse(text))
    units: dict[str, Unit] = {}
    top_nodes = [n for n in tree.children if n.type not in ("front_matter", "footnote_block")]
    for index, (node, block) in enumerate(zip(top_nodes, document.blocks, strict=False)):
        end = node.map[1] if node.map else 0
        _walk(node, block, (index,), units, end)
    for node in tree.children:
        if node.type == "footnote_block":
            for f_index, (note_node, note) in enumerate(
                zip(node.children, document.footnotes, strict=False)
            ):
                blocks = [c for c in note_node.children if c.type != "footnote_anchor"]
                for k, (child, block) in enumerate(zip(blocks, note.children, strict=False)):
                    end = child.map[1] if child.map else 0
                    _walk(child, block, ("n", f_index, k), units, end)
    return units


def _walk(
    node: SyntaxTreeNode,
    block: object,
    path: tuple[object, ...],
    units: dict[str, Unit],
    top: int,
    kind: str = "text",
) -> None:
    """The units of ``node`` (of model ``block``); ``kind`` is what a paragraph here is: text,
    a list item's first paragraph (bullet, number), or a quote's."""
    key = "_".join(str(p) for p in path)
    children = getattr(block, "children", None)
    if node.type in ("heading", "paragraph") and node.map:
        own = f"heading {node.tag[1:]}" if node.type == "heading" else kind
        inlines = children if isinstance(children, tuple) else ()
        units[key] = Unit(key, own, node.map[0], node.map[1], inlines, top)
    elif node.type in ("bullet_list", "ordered_list"):
        item_kind = "bullet" if node.type == "bullet_list" else "number"
        for j, (item, blocks) in enumerate(
            zip(node.children, getattr(block, "items", ()), strict=False)
        ):
            for k, (child, sub) in enumerate(zip(item.children, blocks, strict=False)):
                inner = item_kind if k == 0 else ("quote" if kind == "quote" else "text")
                _walk(child, sub, (*path, j, k), units, top, inner)
    elif node.type == "table" and isinstance(block, Table):
        rows = [tr.map for part in node.children for tr in part.children if tr.map]
        for r, (lines, cells) in enumerate(zip(rows, (block.header, *block.rows), strict=False)):
            for c, cell in enumerate(cells):
                cell_key = f"{key}_r{r}_c{c}"
                units[cell_key] = Unit(cell_key, "cell", lines[0], lines[1], cell.children, top, c)
    elif node.type == "blockquote":
        for k, (child, sub) in enumerate(zip(node.children, children or (), strict=False)):
            _walk(child, sub, (*path, k), units, top, "quote")


# --- Markdown of inlines -------------------------------------------------------------------


def model_segments(
    inlines: tuple[Inline, ...],
    labels: dict[str, str],
    marks: frozenset[str] = frozenset(),
    link: str | None = None,
) -> list[Segment]:
    """The model's inlines as the flat segments a DOCX paragraph reads as."""
    out: list[Segment] = []
    for inline in inlines:
        match inline:
            case Text(text=text):
                out.append(Segment(text, marks, link))
            case Emph(children=children):
                out += model_segments(children, labels, marks | {"emph"}, link)
            case Strong(children=children):
                out += model_segments(children, labels, marks | {"strong"}, link)
            case Code(text=text):
                out.append(Segment(text, marks | {"code"}, link))
            case Link(children=children, target=target, title=title):
                quoted = ' "' + title.replace('"', '\\"') + '"' if title else ""
                out += model_segments(children, labels, marks, target + quoted)
            case FootnoteRef(label=label):
                out.append(Segment("", marks, link, labels.get(label, label)))
            case LineBreak():
                out.append(Segment("\n", marks, link))
    return out


def markdown(segments: list[Segment], notes: dict[str, str], links: dict[str, str]) -> str:
    """Markdown for flat segments: links outermost, then strong, emphasis, code (a table
    cell's ``|`` is escaped where the cell is written, ``patch_cell``)."""
    merged: list[Segment] = []
    for s in segments:
        if (
            merged
            and s.note is None
            and merged[-1].note is None
            and (merged[-1].marks, merged[-1].link) == (s.marks, s.link)
        ):
            merged[-1] = Segment(merged[-1].text + s.text, s.marks, s.link)
        elif s.text or s.note is not None:
            merged.append(s)
    out: list[str] = []
    index = 0
    while index < len(merged):
        link = merged[index].link
        end = index
        while end < len(merged) and merged[end].link == link:
            end += 1
        inner = "".join(_marked(s, notes) for s in merged[index:end])
        if link is None:
            out.append(inner)
        elif inner == link and link == links.get(link, link):
            out.append(link)  # a web address written as text, as the reader links it
        else:
            out.append(f"[{inner}]({links.get(link, link)})")
        index = end
    return "".join(out)


def _marked(s: Segment, notes: dict[str, str]) -> str:
    if s.note is not None:
        return f"[^{notes.get(s.note, s.note)}]"
    text = (
        f"`{s.text}`" if "code" in s.marks else _ESCAPE.sub(r"\\\1", s.text).replace("\n", "\\\n")
    )
    if not s.marks & {"emph", "strong"} or not text.strip():
        return text
    # Markdown's delimiters close on no space: the run's own spaces go outside them.
    core = text.strip(" ")
    lead, trail = text[: len(text) - len(text.lstrip(" "))], text[len(text.rstrip(" ")) :]
    if "emph" in s.marks:
        core = f"*{core}*"
    if "strong" in s.marks:
        core = f"**{core}**"
    return lead + core + trail


# --- patching ------------------------------------------------------------------------------


def patch_lines(lines: list[str], unit: Unit, new: str) -> list[str]:
    """The unit's lines with ``new`` (its content's Markdown) written in, only the changed
    characters replaced: each line keeps its prefix, its wrap and its unchanged text."""
    own = lines[unit.start : unit.end]
    prefixes: list[str] = []
    contents: list[str] = []
    for number, line in enumerate(own):
        body = line.rstrip("\n")
        pattern = _FIRST_PREFIX if number == 0 else _NEXT_PREFIX
        found = pattern.match(body)
        prefix = found.group(1) if found else ""
        prefixes.append(prefix)
        contents.append(body[len(prefix) :])
    if unit.kind.startswith("heading"):
        contents[0] = re.sub(r"\s+#+\s*$", "", contents[0])
    joined: list[tuple[str, int]] = []  # (character, line) ; line -1: a line boundary
    for number, content in enumerate(contents):
        if number:
            before, after = (contents[number - 1][-1:] or " "), (content[:1] or " ")
            if not (_CJK.match(before) and _CJK.match(after)):
                joined.append((" ", -1))
            else:
                joined.append(("", -1))
        joined += [(c, number) for c in content]
    old = "".join(c for c, _ in joined)
    new_contents = [""] * len(contents)
    row = 0
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    # Positions in ``old`` per joined entry (an empty boundary takes no character).
    spans: list[int] = []
    for c, _ in joined:
        spans.append(len(c))
    cursor = 0
    entry = 0
    for op, _i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            new_contents[row] += new[j1:j2]
        while entry < len(joined) and (
            cursor < i2 or (spans[entry] == 0 and cursor == i2 and op == "equal")
        ):
            c, at = joined[entry]
            if at == -1:
                row += 1
            elif op == "equal":
                new_contents[row] += c
            cursor += spans[entry]
            entry += 1
    while entry < len(joined):
        if joined[entry][1] == -1:
            row += 1
        entry += 1
    kept = [(p, c) for p, c in zip(prefixes, new_contents, strict=True) if c.strip()]
    if not kept:
        return []
    if not new_contents[0].strip():
        kept[0] = (prefixes[0], kept[0][1])
    return [f"{p}{c}\n" for p, c in kept]


def patch_cell(line: str, column: int, new: str) -> str:
    """The table row ``line`` with the cell at ``column`` holding ``new``, its padding and
    every other cell as they were."""
    body = line.rstrip("\n")
    bounds = [m.start() for m in re.finditer(r"(?<!\\)\|", body)]
    if not body.lstrip().startswith("|"):
        bounds.insert(0, -1)
    if len(bounds) <= column + 1:
        bounds.append(len(body))
    left, right = bounds[column] + 1, bounds[column + 1]
    old = body[left:right]
    lead = old[: len(old) - len(old.lstrip())] or " "
    trail = old[len(old.rstrip()) :] or " "
    cell = new.replace("|", "\\|")
    return body[:left] + lead + cell + trail + body[right:] + line[len(body) :]


def apply_edits(text: str, document: Document, edited: EditedDocument) -> tuple[str, list[Edit]]:
    """The source ``text`` (of ``document``) with the edits of ``edited`` applied."""
    units = locate(text, document)
    lines = text.splitlines(keepends=True)
    labels = _labels(document)
    notes = {f"n{i}": note.label for i, note in enumerate(document.footnotes)}
    notes.update(_new_labels(document, edited))
    links: dict[str, str] = {}
    replacements: dict[int, tuple[int, list[str]]] = {}
    rows: dict[int, str] = {}
    insertions: dict[int, list[str]] = {}
    edits: list[Edit] = []
    seen: set[str] = set()
    previous: Unit | None = None
    paragraphs = [*edited.body, *(p for ps in edited.notes.values() for p in ps)]
    for p in paragraphs:
        if p.kind == "gone":
            continue
        unit = units.get(p.mark) if p.mark else None
        if p.mark and p.mark in seen:
            unit = None  # a paragraph split in two: the second half is new
        if unit is None:
            if (
                p.in_note is None and p.kind in ("text", "bullet", "number", "quote")
            ) or p.kind.startswith("heading"):
                new = markdown(p.shown(), notes, links)
                if new.strip():
                    at = previous.top if previous is not None else _body_start(lines)
                    insertions.setdefault(at, []).append(_block_markdown(p.kind, new))
                    edits.append(
                        Edit("inserted paragraph", "", at + 1, "", new, tuple(p.revisions))
                    )
            continue
        seen.add(unit.path)
        previous = unit
        old_md = markdown(model_segments(unit.inlines, labels), notes, links)
        new_md = markdown(_source_numbered(p, unit), notes, links)
        if unit.column is not None:
            if new_md != old_md:
                row = rows.get(unit.start, lines[unit.start])
                rows[unit.start] = patch_cell(row, unit.column, new_md)
                edits.append(
                    Edit(
                        "table cell", unit.path, unit.start + 1, old_md, new_md, tuple(p.revisions)
                    )
                )
            continue
        # A note's paragraphs have one style whatever they are: their kind says nothing.
        kind_changed = p.in_note is None and _kind_of(p.kind) != unit.kind
        if new_md == old_md and not kind_changed:
            continue
        before = "".join(lines[unit.start : unit.end])
        if kind_changed and len(unit.path.split("_")) == 1 and _kind_of(p.kind) != "cell":
            new_lines = [_block_markdown(p.kind, new_md).rstrip("\n") + "\n"]
            kind = "structure"
        else:
            new_lines = patch_lines(lines, unit, new_md)
            kind = UNAPPLIED if kind_changed else "edit"
        replacements[unit.start] = (unit.end, new_lines)
        edits.append(
            Edit(kind, unit.path, unit.start + 1, before, "".join(new_lines), tuple(p.revisions))
        )
    for start, row in rows.items():
        replacements[start] = (start + 1, [row])
    gone = {p.mark: tuple(p.revisions) for p in paragraphs if p.kind == "gone" and p.mark}
    for path, unit in units.items():
        if path in seen or unit.column is not None:
            continue  # a cell is not deleted on its own: its row and table stay
        before = "".join(lines[unit.start : unit.end])
        end = unit.end
        if (
            end < len(lines)
            and not lines[end].strip()
            and unit.start > 0
            and not lines[unit.start - 1].strip()
        ):
            end += 1
        replacements[unit.start] = (end, [])
        edits.append(
            Edit("deleted paragraph", path, unit.start + 1, before, "", gone.get(path, ()))
        )
    added = _added_notes(edited, notes, links)
    if added:
        insertions.setdefault(len(lines), []).extend(added)
        edits += [Edit("footnote added", "", len(lines) + 1, "", n.rstrip("\n")) for n in added]
    out: list[str] = []
    index = 0
    if lines and not lines[-1].endswith("\n") and added:
        lines[-1] += "\n"
    while index <= len(lines):
        for block in insertions.get(index, []):
            if out and out[-1].strip():
                out.append("\n")
            out.append(block)
            if index < len(lines) and lines[index].strip():
                out.append("\n")
        if index == len(lines):
            break
        if index in replacements:
            end, new_lines = replacements[index]
            out += new_lines
            index = end
        else:
            out.append(lines[index])
            index += 1
    return "".join(out), edits


def _new_labels(document: Document, edited: EditedDocument) -> dict[str, str]:
    """A label for each footnote added in Word: the next free number."""
    taken = {note.label for note in document.footnotes}
    out: dict[str, str] = {}
    number = len(document.footnotes)
    for key in edited.notes:
        if key.startswith("new"):
            number += 1
            while str(number) in taken:
                number += 1
            out[key] = str(number)
    return out


def _added_notes(edited: EditedDocument, notes: dict[str, str], links: dict[str, str]) -> list[str]:
    """The definitions of the footnotes added in Word that the text now calls."""
    called = {s.note for p in edited.body if p.kind != "gone" for s in p.segments if s.note}
    out = []
    for key, paragraphs in edited.notes.items():
        if key.startswith("new") and key in called:
            texts = [markdown(p.segments, notes, links).strip() for p in paragraphs]
            body = "\n\n    ".join(t for t in texts if t)
            out.append(f"[^{notes[key]}]: {body}\n")
    return out


def _source_numbered(p: EditedParagraph, unit: Unit) -> list[Segment]:
    """``p``'s segments, with the number the source typed where the DOCX shows the theme's
    in its place (``heading_numbers``): the scheme's number is the exporter's, not an edit."""
    typed = split_typed(unit.inlines) if p.number and unit.kind.startswith("heading") else None
    return [Segment(typed[0]), *p.segments] if typed is not None else p.segments


def _kind_of(kind: str) -> str:
    """A paragraph's kind as a unit's: what else a DOCX tells apart (a caption, a figure) is
    text to the source."""
    return kind if kind.startswith(("heading", "bullet", "number", "quote", "cell")) else "text"


def _block_markdown(kind: str, content: str) -> str:
    if kind.startswith("heading"):
        return "#" * int(kind.split()[1]) + " " + content + "\n"
    if kind == "bullet":
        return "- " + content + "\n"
    if kind == "number":
        return "1. " + content + "\n"
    if kind == "quote":
        return "> " + content + "\n"
    return content + "\n"


def _body_start(lines: list[str]) -> int:
    if lines and lines[0].startswith("---"):
        for number, line in enumerate(lines[1:], start=1):
            if line.startswith("---"):
                return number + 1
    return 0


def _labels(document: Document) -> dict[str, str]:
    """Footnote label -> the note key the DOCX reader gives it."""
    return {note.label: f"n{i}" for i, note in enumerate(document.footnotes)}


__all__ = ["UNAPPLIED", "Edit", "apply_edits", "locate"]
