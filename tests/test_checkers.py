"""Every output passes the field's own checkers, for the report and for a rich fixture, in every
installed theme: PDF/UA-1 (outloud), EPUB (epubcheck 5, DAISY Ace), DOCX (openxml-audit).

A checker that finds anything fails the test with everything it said about that file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image as PillowImage

from report_export.resources import styles_dir

from .checkers import BY_FORMAT, Findings, check_all
from .conftest import FIXTURES, SOURCE, run_cli

THEMES = sorted(path.stem for path in styles_dir().glob("*.toml"))
"""Every installed theme: a new one is checked as soon as it is there."""

SOURCES = ("report", "rich")
CASES = [(source, theme) for source in SOURCES for theme in THEMES]
FORMATS = tuple(BY_FORMAT)
CHECKED = [(fmt, checker) for fmt, checkers in BY_FORMAT.items() for checker in checkers]


def rich_source(folder: Path) -> Path:
    """The rich fixture (every block and inline kind, notes, a table, an image) with its image."""
    source = folder / "rich.md"
    shutil.copyfile(FIXTURES / "pdf-sample.md", source)
    figure = PillowImage.new("RGB", (1600, 700), "white")
    figure.paste((29, 79, 145), (100, 300, 1500, 400))
    figure.save(folder / "figure.png", format="PNG")
    return source


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """The output folder of each (source, theme): every checked format built into it."""
    work = tmp_path_factory.mktemp("checked")
    sources = {"report": SOURCE, "rich": rich_source(work)}
    folders = {}
    for source, theme in CASES:
        out = work / f"{source}-{theme}"
        done = run_cli(
            "build", sources[source], "--theme", theme, "--to", ",".join(FORMATS), "--out", out
        )
        assert done.returncode == 0, done.stderr
        folders[source, theme] = out
    return folders


def output(outputs: dict[tuple[str, str], Path], case: tuple[str, str], fmt: str) -> Path:
    (path,) = outputs[case].glob(f"*.{fmt}")
    return path


@pytest.fixture(scope="module")
def verdicts(outputs: dict[tuple[str, str], Path]) -> dict[str, Findings]:
    """Every checker on every file it checks, the runs side by side."""
    return check_all(
        {checker: [output(outputs, case, fmt) for case in CASES] for fmt, checker in CHECKED}
    )


@pytest.mark.parametrize("case", CASES, ids=["-".join(case) for case in CASES])
@pytest.mark.parametrize(("fmt", "checker"), CHECKED, ids=[c for _, c in CHECKED])
def test_checker_finds_nothing(
    verdicts: dict[str, Findings],
    outputs: dict[tuple[str, str], Path],
    fmt: str,
    checker: str,
    case: tuple[str, str],
) -> None:
    findings = verdicts[checker][output(outputs, case, fmt)]
    assert findings == [], f"{checker} on {fmt}:\n" + "\n".join(findings)
