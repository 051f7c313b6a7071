"""The command line's contract: one-line errors naming the file, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from report_export.typography import display_width

from .conftest import SOURCE, run_cli

GOOD = "---\ntitle: 题目\nlang: zh-CN\n---\n# 一、甲\n\n正文。\n"


def test_build_text_writes_stem_dot_ext(tmp_path: Path) -> None:
    result = run_cli("build", SOURCE, "--to", "text", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "report.txt")
    # The title, between its rules, is the text's first line of words.
    lines = (tmp_path / "report.txt").read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("建设交通系统") and set(lines[0]) == {"="}


def test_wrap_option_reaches_the_text_format(tmp_path: Path) -> None:
    result = run_cli("build", SOURCE, "--to", "text", "--out", tmp_path, "--wrap", "30")
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "report.txt").read_text(encoding="utf-8").splitlines()
    assert max(display_width(line) for line in lines) == 30


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "src.md: no such file"),
        (b"---\ntitle: x\n---\n\xff\n", "src.md:4: not valid UTF-8"),
        (b"---\ntitle: [x\n---\n", "src.md:2: front matter"),
        ("---\ntitle: 题\n---\n<p>x</p>\n".encode(), "src.md:4: raw HTML"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    source = tmp_path / "src.md"
    if content is not None:
        source.write_bytes(content)
    out = tmp_path / "out"
    result = run_cli("build", source, "--to", "text", "--out", out)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert message in result.stderr
    assert str(source) in result.stderr
    assert not out.exists()


def test_unknown_format_is_an_error_before_anything_is_read(tmp_path: Path) -> None:
    result = run_cli("build", SOURCE, "--to", "text,odt", "--out", tmp_path)
    assert result.returncode == 2
    assert "unknown format 'odt'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_failed_build_keeps_the_last_good_output(tmp_path: Path) -> None:
    source = tmp_path / "doc.md"
    source.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("build", source, "--to", "text", "--out", out).returncode == 0
    good = (out / "doc.txt").read_bytes()
    source.write_text(GOOD + "\n<div>坏</div>\n", encoding="utf-8")
    result = run_cli("build", source, "--to", "text", "--out", out)
    assert result.returncode == 2
    assert (out / "doc.txt").read_bytes() == good
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]  # no temporary file left


def test_bad_option_syntax(tmp_path: Path) -> None:
    result = run_cli("build", SOURCE, "--to", "text", "--out", tmp_path, "-O", "wrap")
    assert result.returncode == 2
    assert "--option wants KEY=VALUE" in result.stderr
    result = run_cli("build", SOURCE, "--to", "text", "--out", tmp_path, "--wrap", "wide")
    assert result.returncode == 2
    assert "option 'wrap' wants a whole number, not 'wide'" in result.stderr
