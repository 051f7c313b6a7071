"""DOCX files we did not make: a first import into a new source, and edits taken back from
one by sequence alignment. The DOCX files are pandoc's, a real writer of another family."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from report_export.cli import main
from report_export.model import Image, Table, headings, inline_text, walk_blocks
from report_export.reader import read_file

from .conftest import FIXTURES, SOURCE, rewrite, run_cli, tool

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RICH = FIXTURES / "rich" / "report.md"


def pandoc_docx(source: Path, target: Path) -> Path:
    subprocess.run([tool("pandoc"), source.name, "-o", str(target)], cwd=source.parent, check=True)
    return target


@pytest.fixture(scope="module")
def rich_pandoc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pandoc")
    for name in ("report.md", "portrait.png", "landscape.png"):
        shutil.copy(RICH.parent / name, folder / name)
    return pandoc_docx(folder / "report.md", folder / "pandoc.docx")


def test_a_first_import_keeps_the_structure_and_builds_and_verifies(
    rich_pandoc: Path, tmp_path: Path
) -> None:
    target = tmp_path / "new.md"
    assert main(["import", str(rich_pandoc), "-o", str(target)]) == 0
    new, old = read_file(target), read_file(RICH)
    assert new.meta.title == old.meta.title and new.meta.lang == "zh-CN"
    # Headings with their levels, tables cell by cell, figures, notes, the text of the lists.
    assert [(h.level, inline_text(h.children)) for h in headings(new)] == [
        (h.level, inline_text(h.children)) for h in headings(old)
    ]

    def cells(document: object) -> list[list[str]]:
        return [
            [inline_text(c.children) for c in row]
            for block in walk_blocks(document.blocks)  # type: ignore[attr-defined]
            if isinstance(block, Table)
            for row in (block.header, *block.rows)
        ]

    assert cells(new) == cells(old)
    assert [c.align for c in next(b for b in new.blocks if isinstance(b, Table)).header] == [
        c.align for c in next(b for b in old.blocks if isinstance(b, Table)).header
    ]
    figures = [b for b in walk_blocks(new.blocks) if isinstance(b, Image)]
    assert [f.alt for f in figures] == [
        b.alt for b in walk_blocks(old.blocks) if isinstance(b, Image)
    ]
    assert all((tmp_path / f.src).read_bytes()[:4] == b"\x89PNG" for f in figures)
    assert [inline_text(n.children[0].children) for n in new.footnotes] == [  # type: ignore[union-attr]
        inline_text(n.children[0].children)  # type: ignore[union-attr]
        for n in old.footnotes
    ]
    text = target.read_text("utf-8")
    assert "*Placemaking*" in text and "      2. 居民是否参与了方案比选。" in text
    assert "\n> 微更新的“微”" in text and "\n---\n" in text
    # The source builds, and its outputs read back as it. Not the PDF here: the fixture's own
    # PDF fails verify (a URL in a Chinese line is extracted with a space inside); the real
    # report's first import below verifies in every format.
    done = run_cli(
        "build", target, "--out", tmp_path / "out", "--to", "docx,epub,html,text", "--verify"
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_first_import_of_the_report_verifies_in_every_format(tmp_path: Path) -> None:
    source = tmp_path / "report.md"
    shutil.copy(SOURCE, source)
    docx = pandoc_docx(source, tmp_path / "pandoc.docx")
    target = tmp_path / "new.md"
    assert main(["import", str(docx), "-o", str(target)]) == 0
    done = run_cli("build", target, "--out", tmp_path / "out", "--verify")
    assert done.returncode == 0, done.stdout + done.stderr
    # The body is the report's, block for block.
    assert read_file(target).blocks == read_file(SOURCE).blocks


def test_an_unmarked_docx_is_aligned_by_sequence_and_only_its_edit_lands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "report.md"
    shutil.copy(SOURCE, source)
    docx = pandoc_docx(source, tmp_path / "pandoc.docx")
    # Unedited: nothing changes, with a warning (exit 1 under --strict).
    assert main(["import", str(docx), "--into", str(source), "--strict"]) == 1
    assert "aligned with the source's blocks by sequence (31 of 31 matched)" in (
        capsys.readouterr().out
    )
    assert source.read_bytes() == SOURCE.read_bytes()

    def reword(root: etree._Element) -> None:
        for t in root.iter(f"{{{W}}}t"):
            if t.text and "担负着" in t.text:
                t.text = t.text.replace("担负着", "承担着")

    rewrite(docx, reword)
    assert main(["import", str(docx), "--into", str(source), "--changes", "accept"]) == 0
    before, after = SOURCE.read_text("utf-8").splitlines(), source.read_text("utf-8").splitlines()
    assert [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == [17]
    assert after[17] == before[17].replace("担负着", "承担着")


def test_a_first_import_of_bad_input_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    target = tmp_path / "new.md"
    assert main(["import", str(bad), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "not a zip file" in err and err.count("\n") == 1
    assert not target.exists()


def test_a_first_import_finds_headings_by_outline_level_and_runs_by_format(
    tmp_path: Path,
) -> None:
    """python-docx's document: a heading style named otherwise but with an outline level, a
    paragraph given one directly, Word's List Bullet and List Number, bold and italic runs."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn

    document = docx.Document()
    document.core_properties.title = "Another writer's report"
    section = document.styles.add_style("Section Title", WD_STYLE_TYPE.PARAGRAPH)
    level = section.element.get_or_add_pPr()
    level.append(level.makeelement(qn("w:outlineLvl"), {qn("w:val"): "0"}))
    document.add_paragraph("Findings", style="Section Title")
    p = document.add_paragraph("The ")
    p.add_run("first").bold = True
    p.add_run(" result is ")
    p.add_run("clear").italic = True
    p.add_run(".")
    direct = document.add_paragraph("Method")
    direct_level = direct._p.get_or_add_pPr()
    direct_level.append(direct_level.makeelement(qn("w:outlineLvl"), {qn("w:val"): "1"}))
    document.add_paragraph("one", style="List Bullet")
    document.add_paragraph("two", style="List Bullet")
    document.add_paragraph("first step", style="List Number")
    document.add_paragraph("1. not a list, a sentence that opens with a number")
    source = tmp_path / "other.docx"
    document.save(str(source))
    target = tmp_path / "other.md"
    assert main(["import", str(source), "-o", str(target)]) == 0
    assert target.read_text("utf-8") == (
        '---\ntitle: "Another writer\'s report"\nlang: "en-US"\nauthor: "python-docx"\n---\n\n'
        "# Findings\n\nThe **first** result is *clear*.\n\n## Method\n\n- one\n- two\n\n"
        "1. first step\n\n1\\. not a list, a sentence that opens with a number\n"
    )
    read_file(target)


def test_a_first_import_of_a_gongwen_docx_keeps_the_numbers_it_shows(tmp_path: Path) -> None:
    """No source to give back the typed numbers from: the headings read as the DOCX shows
    them, the theme's numbers (in their Heading Number runs) and all."""
    from report_export.exporters.docx import DocxExporter, DocxOptions
    from report_export.theme import load_theme

    docx = tmp_path / "gongwen.docx"
    rendered = DocxExporter().render(read_file(SOURCE), load_theme("gongwen"), DocxOptions())
    docx.write_bytes(rendered)
    target = tmp_path / "new.md"
    assert main(["import", str(docx), "-o", str(target)]) == 0
    shown = [inline_text(h.children) for h in headings(read_file(target))]
    assert shown[:3] == ["一、选题的由来", "二、实践的深化", "（一）以推进工程项目为纽带的联建模式"]
