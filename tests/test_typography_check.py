"""The typography check (``report-export typography``) on the report and the rich fixture, and
on layouts damaged on purpose: each count it keeps can fail."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from report_export.resources import styles_dir
from report_export.theme import load_theme
from report_export.verify.typography import KINDS, Typography, check_typography

from .conftest import FIXTURES, run_cli

REPORT = Path(__file__).resolve().parents[1] / "source" / "report.md"
RICH = FIXTURES / "rich" / "report.md"

DAMAGE = """
/* Each rule undoes one thing the typesetting does, for the check to catch. */
p, li, .footnote { text-align: left; }
.halt { font-feature-settings: normal; }
tbody tr + tr { break-before: page; }
"""

BROKEN_LINES = """---
title: 禁则
lang: zh-CN
---

一个段落在句号之前断行\\
。另一处在引号之后断行“\\
引文”结束。

最后一行只有一个字的段落，在最后一个字之前断行\\
点。

| 项目 | 数量 |
|------|-----:|
| 甲 | 1 |
| 乙 | 2 |
| 丙 | 3 |
"""


def _build(source: Path, out: Path, *theme: str | Path) -> Typography:
    result = run_cli("build", source, "--to", "pdf", "--out", out, *theme)
    assert result.returncode == 0, result.stderr
    return check_typography(out / "report.pdf", load_theme())


@pytest.fixture(scope="module")
def damaged_theme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("damaged")
    theme = folder / "damaged.toml"
    text = (styles_dir() / "default.toml").read_text(encoding="utf-8")
    theme.write_text('css = "damaged.css"\n' + text, encoding="utf-8")
    (folder / "damaged.css").write_text(DAMAGE, encoding="utf-8")
    return theme


@pytest.mark.parametrize("source", [REPORT, RICH], ids=["report", "rich"])
def test_the_report_and_the_rich_fixture_have_no_fault(source: Path, tmp_path: Path) -> None:
    folder = tmp_path / "src"
    shutil.copytree(source.parent, folder)
    found = _build(folder / "report.md", tmp_path / "out")
    assert found.ok, "\n".join(found.lines())
    result = run_cli("typography", folder / "report.md", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("typography ok")
    assert all(f"   0  {kind}" in result.stdout for kind in KINDS)
    # The justification moved glyphs, never added text: the PDF still reads back exactly.
    verified = run_cli("verify", folder / "report.md", "--out", tmp_path / "out", "--to", "pdf")
    assert verified.returncode == 0, verified.stdout


@pytest.fixture(scope="module")
def damaged_report(damaged_theme: Path, tmp_path_factory: pytest.TempPathFactory) -> Typography:
    out = tmp_path_factory.mktemp("damaged-report")
    return _build(REPORT, out, "--theme", damaged_theme)


@pytest.mark.parametrize("kind", KINDS[:2])
def test_a_damaged_layout_of_the_report_is_caught(damaged_report: Typography, kind: str) -> None:
    # Ragged lines and full-width punctuation pairs: each is counted and placed.
    assert damaged_report.places[kind], "\n".join(damaged_report.lines())
    assert all(place.startswith("page ") for place in damaged_report.places[kind])


@pytest.fixture(scope="module")
def damaged_lines(damaged_theme: Path, tmp_path_factory: pytest.TempPathFactory) -> Typography:
    folder = tmp_path_factory.mktemp("broken-lines")
    source = folder / "report.md"
    source.write_text(BROKEN_LINES, encoding="utf-8")
    return _build(source, folder / "out", "--theme", damaged_theme)


@pytest.mark.parametrize("kind", KINDS[2:])
def test_broken_lines_and_a_split_table_are_caught(damaged_lines: Typography, kind: str) -> None:
    # Forced breaks before "。", after "“" and before "点。", and a table with one body row
    # a page.
    assert damaged_lines.places[kind], "\n".join(damaged_lines.lines())


def test_the_command_prints_the_counts_and_fails(damaged_theme: Path, tmp_path: Path) -> None:
    source = tmp_path / "report.md"
    source.write_text(BROKEN_LINES, encoding="utf-8")
    _build(source, tmp_path / "out")
    result = run_cli("typography", source, "--out", tmp_path / "out")
    assert result.returncode == 1
    assert "   1  lines starting with closing punctuation: page 1: «。另一处在引号之后断行“»" in (
        result.stdout
    )
    missing = run_cli("typography", source, "--out", tmp_path / "nothing")
    assert missing.returncode == 2 and "no such PDF" in missing.stderr
