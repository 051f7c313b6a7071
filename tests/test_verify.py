"""`report-export verify`: the built report holds; each damaged output is caught, with a
message that points at the place."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream

from .conftest import SOURCE, run_cli


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("built")
    result = run_cli("build", SOURCE, "--out", out, "--verify")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_a_fresh_build_verifies(built: Path) -> None:
    result = run_cli("verify", SOURCE, "--out", built)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["docx", "ok"],
        ["epub", "ok"],
        ["html", "ok"],
        ["pdf", "ok"],
        ["text", "ok"],
    ]


def damaged(built: Path, tmp: Path, name: str, damage: Callable[[Path], None]) -> Path:
    out = tmp / "damaged"
    shutil.copytree(built, out)
    damage(out / name)
    return out


def verify_fails(out: Path, fmt: str) -> str:
    result = run_cli("verify", SOURCE, "--out", out, "--to", fmt)
    assert result.returncode == 1, result.stdout + result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"{fmt}") and "FAILED" in line
    return line


def rewrite_zip_entry(path: Path, entry: str, change: Callable[[str], str]) -> None:
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for info, data in items:
            if info.filename == entry:
                new = change(data.decode("utf-8"))
                assert new != data.decode("utf-8"), "the damage must change the entry"
                data = new.encode("utf-8")
            target.writestr(info, data)


def drop_paragraph_containing(text: str) -> Callable[[str], str]:
    def change(xml: str) -> str:
        # A DOCX <w:p ...>…</w:p> or an XHTML <p>…</p> whose text holds ``text``.
        pattern = rf"<(w:p|p)\b(?:(?!<\1\b).)*?{re.escape(text)}.*?</\1>"
        return re.sub(pattern, "", xml, count=1, flags=re.S)

    return change


# --- text ---------------------------------------------------------------------------------


def test_text_paragraph_removed(built: Path, tmp_path: Path) -> None:
    def damage(path: Path) -> None:
        blocks = path.read_text(encoding="utf-8").split("\n\n")
        del blocks[5]  # title, heading, then 去年，在推进… is the fourth paragraph
        path.write_text("\n\n".join(blocks), encoding="utf-8")

    line = verify_fails(damaged(built, tmp_path, "report.txt", damage), "text")
    assert "paragraph 4 under '一、选题的由来' is missing" in line
    assert "去年，在推进" in line


def test_text_character_changed(built: Path, tmp_path: Path) -> None:
    def damage(path: Path) -> None:
        path.write_text(path.read_text(encoding="utf-8").replace("申通地铁", "申通地跌"), "utf-8")

    line = verify_fails(damaged(built, tmp_path, "report.txt", damage), "text")
    assert "1、以推进工程项目为纽带的联建模式" in line
    assert "申通地铁" in line and "申通地跌" in line and "character 4" in line


# --- docx ---------------------------------------------------------------------------------


def test_docx_paragraph_removed(built: Path, tmp_path: Path) -> None:
    def damage(path: Path) -> None:
        rewrite_zip_entry(path, "word/document.xml", drop_paragraph_containing("随着政府职能"))

    line = verify_fails(damaged(built, tmp_path, "report.docx", damage), "docx")
    assert "is missing" in line and "随着政府职能的转变" in line
    assert "word/document.xml" in line


def test_docx_character_changed(built: Path, tmp_path: Path) -> None:
    def damage(path: Path) -> None:
        rewrite_zip_entry(path, "word/document.xml", lambda xml: xml.replace("牢骚角", "牢骚脚"))

    line = verify_fails(damaged(built, tmp_path, "report.docx", damage), "docx")
    assert "2、以强化公共管理为平台的联席模式" in line
    assert "牢骚角" in line and "牢骚脚" in line and "word/document.xml" in line


# --- epub ---------------------------------------------------------------------------------


def test_epub_paragraph_removed(built: Path, tmp_path: Path) -> None:
    def damage(path: Path) -> None:
        rewrite_zip_entry(path, "EPUB/chapter-03.xhtml", drop_paragraph_containing("整合优势"))

    line = verify_fails(damaged(built, tmp_path, "report.epub", damage), "epub")
    assert "is missing" in line and "在与社会群众关系密切" in line
    assert "chapter-03.xhtml" in line


def test_epub_character_changed(built: Path, tmp_path: Path) -> None:
    def damage(path: Path) -> None:
        rewrite_zip_entry(
            path, "EPUB/chapter-02.xhtml", lambda x: x.replace("马路游击队", "马路游机队", 1)
        )

    line = verify_fails(damaged(built, tmp_path, "report.epub", damage), "epub")
    assert "5、以加强行业协会为依托的联动模式" in line
    assert "马路游击队" in line and "马路游机队" in line and "chapter-02.xhtml" in line


# --- pdf ----------------------------------------------------------------------------------


def test_pdf_page_removed(built: Path, tmp_path: Path) -> None:
    def damage(path: Path) -> None:
        writer = PdfWriter(clone_from=PdfReader(path))
        writer.remove_page(2)
        writer.write(path)

    line = verify_fails(damaged(built, tmp_path, "report.pdf", damage), "pdf")
    assert "page 3" in line


def test_pdf_character_changed(built: Path, tmp_path: Path) -> None:
    def damage(path: Path) -> None:
        # Swap the first glyph of a body-text run on page 2 for another glyph of the same
        # subset font: the page then shows (and copies out) a different character.
        writer = PdfWriter(clone_from=PdfReader(path))
        page = writer.pages[1]
        data = page.get_contents().get_data()
        runs = list(re.finditer(rb"/(\w+) [\d.]+ Tf\s*\[<([0-9a-f]{4})", data))
        body_font = runs[3].group(1)
        target = runs[3]
        donor = next(r for r in runs if r.group(1) == body_font and r.group(2) != target.group(2))
        data = data[: target.start(2)] + donor.group(2) + data[target.end(2) :]
        stream = ContentStream(None, writer)
        stream.set_data(data)
        page.replace_contents(stream)
        writer.write(path)

    line = verify_fails(damaged(built, tmp_path, "report.pdf", damage), "pdf")
    assert "page 2" in line and "expected" in line and "but found" in line


# --- the command ----------------------------------------------------------------------------


def test_a_missing_output_is_a_mismatch(built: Path, tmp_path: Path) -> None:
    out = damaged(built, tmp_path, "report.epub", lambda path: path.unlink())
    assert "missing: the output does not exist" in verify_fails(out, "epub")


def test_usage_errors_exit_2(built: Path, tmp_path: Path) -> None:
    assert run_cli("verify", SOURCE, "--out", built, "--to", "odt").returncode == 2
    assert run_cli("verify", tmp_path / "none.md", "--out", built).returncode == 2
