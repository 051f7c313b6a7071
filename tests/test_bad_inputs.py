"""The bad-input corpus (``tests/bad_inputs``): each case's exit code and one-line message,
and an output folder left exactly as it was, or a build that then verifies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from report_export.output import LOCK_NAME

from .bad_inputs import CASES, GOOD, Case


def _run(case: Case, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **{k: v.replace("{dir}", str(folder)) for k, v in case.env.items()}}
    return subprocess.run(
        [sys.executable, "-m", "report_export.cli", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def good_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``out/`` holding a good text build of ``src.md``: what every failing case must keep."""
    folder = tmp_path_factory.mktemp("good")
    (folder / "src.md").write_text(GOOD, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "report_export.cli", "build", "src.md", "--to", "text"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return folder / "out"


def _names(folder: Path) -> list[str]:
    """The names in ``folder`` but the output lock (a build's ``--out`` there keeps it)."""
    return sorted(name for name in os.listdir(folder) if name != LOCK_NAME)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case: Case, good_out: Path, tmp_path: Path) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    shutil.copytree(good_out, folder / "out")
    source = folder / case.source_name
    if case.source is not None:
        data = case.source.encode() if isinstance(case.source, str) else case.source
        source.write_bytes(data)
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    if case.prepare is not None:
        case.prepare(folder)
    before = _snapshot(folder / "out")
    beside = _names(folder)
    args = [a.replace("{dir}", str(folder)) for a in case.args]
    if not any(a.startswith(str(folder)) and a.endswith(".md") for a in args):
        args.insert(0, case.source_name)
    result = _run(case, folder, case.command, *args)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == case.code, result.stderr or result.stdout
    if case.code == 0:
        formats = args[args.index("--to") + 1] if "--to" in args else ""
        check = _run(case, folder, "verify", case.source_name, "--to", formats)
        assert check.returncode == 0, check.stdout + check.stderr
        return
    said = result.stdout if case.command == "verify" else result.stderr
    assert said.count("\n") == 1, said
    assert case.message.replace("{src}", case.source_name) in said
    if case.command != "verify":  # nothing written: out/ as it was, nothing new beside it
        assert _snapshot(folder / "out") == before
        assert _names(folder) == beside


def test_case_names_are_unique() -> None:
    assert len({case.name for case in CASES}) == len(CASES)
