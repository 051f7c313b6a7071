"""``report-export import ANY.docx -o NEW.md``: a first import of a DOCX that is not ours.

The DOCX is read as an edited one is (``docx_edits``, tracked changes accepted), and each
paragraph becomes a block by what it is in WordprocessingML: a heading by its style's name or
outline level, a list item by its numbering (nested by ``w:ilvl``), a table from its cells, a
figure from its picture (extracted beside the source, into ``NEW-media/``), a footnote from
``word/footnotes.xml``; emphasis and strong come from the runs. The Markdown is read back, with
its images, before anything is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import ReportExportError
from ..output import write_atomic
from ..reader import read_text
from ..typography import is_cjk
from .apply import markdown
from .docx_edits import EditedDocument, EditedParagraph, Segment, read_edited

_BLOCK_START = re.compile(r"^(#{1,6}(?:\s|$)|>|[-+*](?:\s|$)|=+\s*$|\||~~~|```)")
_NUMBER_START = re.compile(r"^(\d{1,9})([.)])(\s|$)")
_PICTURES = {".png", ".jpg", ".jpeg", ".gif"}


@dataclass
class _Writer:
    """The Markdown blocks of one document, the footnote labels, the pictures to extract."""

    edited: EditedDocument
    media: str
    blocks: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    pictures: dict[str, str] = field(default_factory=dict)
    """Picture part -> the file it is extracted to, relative to the source."""
    left_out: list[str] = field(default_factory=list)
    list_open: bool = False
    quote_open: bool = False

    def inline(self, segments: list[Segment]) -> str:
        for s in segments:
            if s.note is not None and s.note not in self.notes:
                self.notes[s.note] = str(len(self.notes) + 1)
        internal = [s for s in segments if s.link is not None and s.link.startswith("#")]
        if internal:
            # A link to a bookmark: the heading ids of the Markdown are not Word's bookmarks.
            self.left_out.append(f"{len(internal)} runs of an internal link kept as text")
        plain = [Segment(s.text, s.marks, None, s.note) if s in internal else s for s in segments]
        return markdown(_trimmed(plain), self.notes, {}).strip()

    def add(self, block: str, tight: bool = False, quote: bool = False) -> None:
        """Add a block; a list item to the list before it, a quote's paragraph to its quote."""
        if self.blocks and tight and self.list_open:
            self.blocks[-1] += "\n" + block
        elif self.blocks and quote and self.quote_open:
            self.blocks[-1] += "\n>\n" + block
        else:
            self.blocks.append(block)
        self.list_open, self.quote_open = tight, quote

    def body(self, paragraphs: list[EditedParagraph]) -> None:
        index = 0
        markers: list[int] = []  # the marker width of each open list level
        numbers: list[int] = []  # the last number given at each open level
        top_kind = ""
        while index < len(paragraphs):
            p = paragraphs[index]
            if p.cell is not None:
                end = index
                while end < len(paragraphs) and _same_table(paragraphs[end], p):
                    end += 1
                self.add(self.table(paragraphs[index:end]))
                index = end
                continue
            index += 1
            text = self.inline(p.shown())
            if p.kind in ("bullet", "number"):
                del markers[p.level :]
                del numbers[p.level + 1 :]
                while len(markers) < p.level:
                    markers.append(2)
                while len(numbers) <= p.level:
                    numbers.append(0)
                if p.level == 0 and p.kind != top_kind:
                    self.list_open = False  # a list of another kind: a block of its own
                    top_kind, numbers[0] = p.kind, 0
                numbers[p.level] += 1
                marker = "- " if p.kind == "bullet" else f"{numbers[p.level]}. "
                indent = " " * sum(markers)
                markers.append(len(marker))
                if text:
                    self.add(indent + marker + text, tight=True)
                self.pictures_of(p, paragraphs, index)
                continue
            markers.clear()
            numbers.clear()
            top_kind = ""
            if p.kind.startswith("heading"):
                if text:
                    self.add("#" * min(6, int(p.kind.split()[1])) + " " + text)
            elif p.kind == "break":
                self.add("---")
            elif p.kind == "quote" and text:
                self.add("> " + _safe_start(text), quote=True)
            elif p.kind == "caption" and index >= 2 and paragraphs[index - 2].images:
                continue  # the title of the figure before it
            elif text:
                self.add(_safe_start(text))
            self.pictures_of(p, paragraphs, index)

    def pictures_of(
        self, p: EditedParagraph, paragraphs: list[EditedParagraph], after: int
    ) -> None:
        """The figures of ``p``'s pictures, titled by the caption at ``after``, if any."""
        caption = ""
        following = paragraphs[after] if after < len(paragraphs) else None
        if p.images and following is not None and following.kind == "caption":
            caption = self.inline(following.segments)
        for part, alt in p.images:
            suffix = PurePosixPath(part).suffix.lower()
            if part not in self.edited.media or suffix not in _PICTURES:
                self.left_out.append(f"picture {part} ({suffix or 'no type'}) left out")
                continue
            name = self.pictures.setdefault(
                part, f"{self.media}/image{len(self.pictures) + 1}{suffix}"
            )
            title = ' "' + caption.replace('"', '\\"') + '"' if caption else ""
            self.add(f"![{_alt(alt)}]({name}{title})")

    def table(self, cells: list[EditedParagraph]) -> str:
        grid: dict[tuple[int, int], list[str]] = {}
        for p in cells:
            assert p.cell is not None
            _, row, column = p.cell
            if p.images:
                # A Markdown table cell holds inlines only.
                self.left_out.append(f"{len(p.images)} picture(s) in a table cell left out")
            text = self.inline(p.segments)
            if text:
                grid.setdefault((row, column), []).append(text)
        rows = 1 + max(r for (r, _) in grid) if grid else 1
        columns = 1 + max((p.cell[2] for p in cells if p.cell), default=0)
        # A column's alignment is its first body cell's (the header's in a table of one row).
        aligns: dict[int, str] = {}
        for p in sorted(cells, key=lambda p: (p.cell or (0, 0, 0))[1] == 0):
            if p.cell is not None:
                aligns.setdefault(p.cell[2], p.align)
        rule = {"": "---", "left": ":---", "center": ":---:", "right": "---:"}
        lines = []
        for r in range(rows):
            texts = [" ".join(grid.get((r, c), [])).replace("|", "\\|") for c in range(columns)]
            lines.append("| " + " | ".join(texts) + " |")
            if r == 0:
                lines.append("|" + "".join(rule[aligns.get(c, "")] + "|" for c in range(columns)))
        return "\n".join(lines)

    def footnotes(self) -> list[str]:
        """The definitions of the notes the text calls, each note's blocks indented under its
        label (a note may call another: the loop takes in the notes added on the way)."""
        out = []
        done = 0
        while done < len(self.notes):
            key, label = list(self.notes.items())[done]
            done += 1
            inner = _Writer(self.edited, self.media, notes=self.notes, pictures=self.pictures)
            inner.body(self.edited.notes.get(key, []))
            self.left_out += inner.left_out
            body = "\n\n".join(inner.blocks).replace("\n", "\n    ").replace("\n    \n", "\n\n")
            out.append(f"[^{label}]: {body}")
        return out


def _same_table(p: EditedParagraph, first: EditedParagraph) -> bool:
    return p.cell is not None and first.cell is not None and p.cell[0] == first.cell[0]


def _trimmed(segments: list[Segment]) -> list[Segment]:
    """Tabs as spaces: Markdown would read an indent."""
    return [Segment(s.text.replace("\t", " "), s.marks, s.link, s.note) for s in segments]


def _alt(text: str) -> str:
    return re.sub(r"([\\\[\]])", r"\\\1", " ".join(text.split()))


def _safe_start(text: str) -> str:
    """A paragraph whose text would open another block (a heading, a list, a quote) with the
    character that would do it escaped."""
    if _BLOCK_START.match(text):
        return "\\" + text
    if found := _NUMBER_START.match(text):
        return found.group(1) + "\\" + text[len(found.group(1)) :]
    return text


def _front_matter(edited: EditedDocument, fallback: str) -> str:
    text = "".join(s.text for p in edited.body for s in p.segments)
    if any(is_cjk(c) for c in text):
        east = edited.east_asian_lang
        lang = east if east.lower().startswith("zh") else "zh-CN"
    else:
        lang = edited.lang or "en"
    lines = ["---", f"title: {json.dumps(edited.title or fallback, ensure_ascii=False)}"]
    lines.append(f"lang: {json.dumps(lang)}")
    if edited.author:
        lines.append(f"author: {json.dumps(edited.author, ensure_ascii=False)}")
    return "\n".join([*lines, "---"])


def docx_to_markdown(edited: EditedDocument, media: str, fallback_title: str) -> _Writer:
    """The Markdown source of ``edited`` (``blocks``), its pictures to write to ``media``."""
    writer = _Writer(edited, media)
    writer.body(edited.body)
    notes = writer.footnotes()
    writer.blocks = [_front_matter(edited, fallback_title), *writer.blocks, *notes]
    return writer


def is_docx(path: Path) -> bool:
    """Whether ``path`` holds a zip (a DOCX, or a broken one to be reported as such)."""
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04" or path.suffix.lower() == ".docx"
    except OSError:
        return path.suffix.lower() == ".docx"


def run_first_import(docx: Path, output: Path, force: bool) -> list[str]:
    """Write the Markdown source of ``docx`` to ``output`` (and its pictures); the lines to
    print."""
    if output.resolve() == docx.resolve():
        raise ReportExportError("refusing to write over the DOCX", output)
    if output.exists() and not force:
        raise ReportExportError("exists; pass --force to overwrite it", output)
    edited = read_edited(docx, "accept")
    media = f"{output.stem}-media"
    writer = docx_to_markdown(edited, media, docx.stem)
    text = "\n\n".join(writer.blocks) + "\n"
    read_text(text, output)  # the source reads back before anything is written
    written: list[Path] = []
    try:
        for part, name in writer.pictures.items():
            target = output.parent / name
            write_atomic(target, edited.media[part])
            written.append(target)
        read_text(text, output, check_files=True)
    except BaseException:
        for target in written:
            target.unlink(missing_ok=True)
        raise
    write_atomic(output, text.encode("utf-8"))
    lines = [str(output)]
    if writer.pictures:
        lines.append(f"{output.parent / media}: {len(writer.pictures)} pictures")
    return lines + sorted(set(writer.left_out))


__all__ = ["docx_to_markdown", "is_docx", "run_first_import"]
