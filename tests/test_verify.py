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
        del blocks[6]  # title, byline, heading, then 去年，在推进… is the fourth paragraph
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


def test_text_heading_not_set_off(built: Path, tmp_path: Path) -> None:
    def damage(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("二、实践的深化\n==============\n", "二、实践的深化\n"), "utf-8"
        )

    line = verify_fails(damaged(built, tmp_path, "report.txt", damage), "text")
    assert "the underline of heading" in line and "二、实践的深化" in line


def test_text_byline_lost(built: Path, tmp_path: Path) -> None:
    def damage(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\n\n上海市建设交通工作党委课题组\n", "\n"), "utf-8")

    line = verify_fails(damaged(built, tmp_path, "report.txt", damage), "text")
    assert "byline (author, date)" in line


def test_text_link_target_lost(tmp_path: Path) -> None:
    source = tmp_path / "src" / "report.md"
    source.parent.mkdir()
    source.write_text(
        "---\ntitle: 题目\n---\n数据见[开放数据页面](https://example.org/data)。\n", "utf-8"
    )
    out = tmp_path / "out"
    assert run_cli("build", source, "--out", out, "--to", "text", "--verify").returncode == 0
    text = (out / "report.txt").read_text(encoding="utf-8")
    assert "开放数据页面（https://example.org/data）。" in text
    (out / "report.txt").write_text(text.replace("（https://example.org/data）", ""), "utf-8")
    result = run_cli("verify", source, "--out", out, "--to", "text")
    assert result.returncode == 1 and "开放数据页面（https:/" in result.stdout


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


@pytest.mark.parametrize("version", ["Choice", "Fallback"])
def test_docx_contents_entry_changed_in_either_version(tmp_path: Path, version: str) -> None:
    """Word's TOC field and LibreOffice's page references are checked each: an entry that
    no longer reads as its heading is caught in the version that has it."""
    out = tmp_path / "out"
    assert run_cli("build", SOURCE, "--to", "docx", "--toc", "--out", out).returncode == 0

    def damage(xml: str) -> str:
        start, end = xml.index(f"<mc:{version}"), xml.index(f"</mc:{version}>")
        return xml[:start] + xml[start:end].replace("联席模式", "联系模式", 1) + xml[end:]

    rewrite_zip_entry(out / "report.docx", "word/document.xml", damage)
    line = verify_fails(out, "docx")
    assert "contents entry" in line and "联系模式" in line and f"({version})" in line


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


def test_pdf_line_break_between_a_number_and_its_unit(tmp_path: Path) -> None:
    # Paragraphs that set "1,260" and "2021" against the Chinese after them, at every place
    # in a line: somewhere a line ends between the number and its unit, which pypdf reads
    # back as a line break, as it does where the source has a space (the space at a line's
    # end is not drawn). Read as a soft space there, the correct PDF verifies ...
    source = tmp_path / "src" / "report.md"
    source.parent.mkdir()
    paragraphs = [
        "中" * k + "共发放问卷1,260份，有效问卷1,184份；走访2021年以来的项目。"
        for k in range(18, 30)
    ]
    source.write_text("---\ntitle: 题目\n---\n" + "\n\n".join(paragraphs) + "\n", "utf-8")
    out = tmp_path / "out"
    result = run_cli("build", source, "--out", out, "--to", "pdf", "--verify")
    assert result.returncode == 0, result.stdout + result.stderr
    text = "".join(page.extract_text() for page in PdfReader(out / "report.pdf").pages)
    assert re.search(r"1,260\n份|\d\n年|2021\n年", text), "no line ends between number and unit"
    # ... and a space the PDF does not have inside a line is still an error.
    spaced = source.read_text("utf-8").replace("1,260份", "1,260 份").replace("访2021", "访 2021")
    source.write_text(spaced, "utf-8")
    result = run_cli("verify", source, "--out", out, "--to", "pdf")
    assert result.returncode == 1 and "expected «" in result.stdout, result.stdout


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
