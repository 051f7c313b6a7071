"""The PDF verifier reads a list item's marker with its item, as the tagged PDF's text has it:
the rich fixture's PDF verifies in every theme, with and without a contents page, and a list
item that departs from the source (its marker or its text) is still caught."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import RICH, run_cli, themes

CASES = [(theme, toc) for theme in themes() for toc in (False, True)]


@pytest.fixture(scope="module")
def rich_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, bool], Path]:
    """The folder of the rich fixture's PDF of each case, built with --verify."""
    work = tmp_path_factory.mktemp("rich-pdf")
    folders = {}
    for theme, toc in CASES:
        out = work / f"{theme}-{'toc' if toc else 'plain'}"
        args = ("--toc",) if toc else ()
        result = run_cli(
            "build", RICH, "--theme", theme, "--to", "pdf", "--out", out, "--verify", *args
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.splitlines()[-1].split()[:2] == ["pdf", "ok"], result.stdout
        folders[theme, toc] = out
    return folders


@pytest.mark.parametrize(("theme", "toc"), CASES)
def test_the_rich_pdf_verifies(
    rich_pdfs: dict[tuple[str, bool], Path], theme: str, toc: bool
) -> None:
    result = run_cli(
        "verify", RICH, "--theme", theme, "--to", "pdf", "--out", rich_pdfs[theme, toc]
    )
    assert result.returncode == 0, result.stdout + result.stderr


def edited_source(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the rich fixture (with its images) whose text has ``old`` replaced."""
    folder = tmp_path / "rich"
    shutil.copytree(RICH.parent, folder)
    source = folder / RICH.name
    text = source.read_text("utf-8")
    assert old in text
    source.write_text(text.replace(old, new), "utf-8")
    return source


def verify_against(source: Path, out: Path) -> str:
    result = run_cli("verify", source, "--to", "pdf", "--out", out)
    assert result.returncode == 1, result.stdout + result.stderr
    return result.stdout


def test_an_item_whose_text_differs_is_caught(
    rich_pdfs: dict[tuple[str, bool], Path], tmp_path: Path
) -> None:
    # The PDF shows "1. 项目从哪里来：": its marker is read as the marker, not a word of it.
    source = edited_source(tmp_path, "1. 项目从哪里来：", "1. 从哪里来：")
    line = verify_against(source, rich_pdfs["default", False])
    assert "paragraph 23 under '（二）访谈对象': expected «从哪里来：»" in line, line


def test_an_item_whose_marker_differs_is_caught(
    rich_pdfs: dict[tuple[str, bool], Path], tmp_path: Path
) -> None:
    # The source now numbers the list from 2; the PDF shows 1.
    source = edited_source(tmp_path, "1. 项目从哪里来：", "2. 项目从哪里来：")
    line = verify_against(source, rich_pdfs["default", False])
    assert "the list marker before paragraph 23 under '（二）访谈对象': expected «2.»" in line, line


def test_a_nested_item_lost_is_caught(
    rich_pdfs: dict[tuple[str, bool], Path], tmp_path: Path
) -> None:
    # The PDF holds "(2) 方案是谁设计的；" that the source no longer has.
    source = edited_source(tmp_path, "   2. 方案是谁设计的；\n", "")
    line = verify_against(source, rich_pdfs["default", False])
    assert "expected «" in line and "but found «(2) 方案" in line, line


@pytest.mark.parametrize("theme", themes())
def test_the_rich_contents_page_compresses_its_punctuation(
    rich_pdfs: dict[tuple[str, bool], Path], theme: str
) -> None:
    # A contents entry "2、“有人管”比“有钱建”更难" sets "、“" as its heading does.
    result = run_cli("typography", RICH, "--theme", theme, "--out", rich_pdfs[theme, True])
    assert result.returncode == 0, result.stdout
    assert "   0  uncompressed punctuation pairs" in result.stdout, result.stdout
