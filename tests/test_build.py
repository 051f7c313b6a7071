"""The build: same input, same bytes; nothing rewritten when nothing changed; --force."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import REPO, SOURCE, run_cli, run_on_terminal

OUTPUTS = ("report.pdf", "report.docx", "report.epub", "report.txt")


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The report built twice, a second apart, into two folders."""
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    assert run_cli("build", SOURCE, "--out", first).returncode == 0
    time.sleep(1.1)  # a clock that leaked into an output would now differ
    result = run_cli("build", SOURCE, "--out", second)
    assert result.returncode == 0, result.stderr
    return first, second


@pytest.mark.parametrize("name", OUTPUTS)
def test_two_builds_give_the_same_bytes(two_builds: tuple[Path, Path], name: str) -> None:
    first, second = two_builds
    assert (first / name).read_bytes() == (second / name).read_bytes()


def test_source_date_epoch_is_honoured(two_builds: tuple[Path, Path], tmp_path: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    for out in (tmp_path / "a", tmp_path / "b"):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "report_export.cli",
                "build",
                str(SOURCE),
                "--out",
                str(out),
                "--to",
                "docx,epub,pdf",
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    for name in ("report.pdf", "report.docx", "report.epub"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert (tmp_path / "a" / name).read_bytes() != (two_builds[0] / name).read_bytes()


def test_unchanged_inputs_rewrite_nothing_and_force_rebuilds(tmp_path: Path) -> None:
    source_dir = tmp_path / "src"
    shutil.copytree(SOURCE.parent, source_dir)
    source, out = source_dir / "report.md", tmp_path / "out"
    assert run_cli("build", source, "--to", "text,docx", "--out", out).returncode == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    again = run_cli("build", source, "--to", "text,docx", "--out", out)
    assert again.returncode == 0
    assert again.stdout.count("(up to date)") == 2
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before

    # A changed asset in the source's folder makes every format stale.
    (source_dir / "figure.txt").write_text("new asset", encoding="utf-8")
    changed = run_cli("build", source, "--to", "text,docx", "--out", out)
    assert "(up to date)" not in changed.stdout

    # An output damaged on disk is rebuilt, not trusted.
    (out / "report.txt").write_text("damaged", encoding="utf-8")
    repaired = run_cli("build", source, "--to", "text", "--out", out)
    assert "(up to date)" not in repaired.stdout
    assert "\n建设交通系统" in (out / "report.txt").read_text(encoding="utf-8")

    forced = run_cli("build", source, "--to", "text", "--out", out, "--force")
    assert "(up to date)" not in forced.stdout


def test_options_are_part_of_what_makes_an_output(tmp_path: Path) -> None:
    assert run_cli("build", SOURCE, "--to", "text", "--out", tmp_path).returncode == 0
    wrapped = run_cli("build", SOURCE, "--to", "text", "--out", tmp_path, "--wrap", "40")
    assert "(up to date)" not in wrapped.stdout
    assert max(map(len, (tmp_path / "report.txt").read_text().splitlines())) <= 40


def test_progress_shows_on_a_terminal_and_not_when_piped(tmp_path: Path) -> None:
    piped = run_cli("build", SOURCE, "--to", "text,docx", "--out", tmp_path / "piped")
    assert piped.returncode == 0
    assert piped.stderr == ""

    out = tmp_path / "tty"
    code, text = run_on_terminal("build", SOURCE, "--to", "text,docx", "--out", out)
    assert code == 0
    assert re.search(r"docx\s+\[#{24}\]\s+\d+\.\d\d s", text), text
    assert re.search(r"text\s+\[#{24}\]\s+\d+\.\d\d s", text), text


def test_a_cache_file_that_makes_no_sense_means_a_rebuild(tmp_path: Path) -> None:
    (tmp_path / ".report-export-cache.json").write_text("[]", encoding="utf-8")
    result = run_cli("build", SOURCE, "--to", "text", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "(up to date)" not in result.stdout
