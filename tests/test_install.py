"""A plain (non-editable) install from a wheel builds every format from outside the checkout.

The wheel is built from the checkout (``pip wheel``, no build isolation: the build backend is a
dev dependency, so no network) and installed with ``pip install`` into a fresh virtualenv. The
fresh environment sees the project's .venv site-packages through a ``.pth`` line, only so that
the dependencies (WeasyPrint, lxml, ...) need not be downloaded again; report-export itself
comes from the wheel: the test checks that the package, its entry points and its styles are the
installed copy's, not the checkout's (the editable install's finder is a ``.pth`` file in that
site-packages, and Python reads ``.pth`` files only in its own site folders).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from report_export import __version__

from .conftest import REPO, tool

OUTPUTS = ("report.pdf", "report.docx", "report.epub", "report.txt")


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The checkout must not leak in through the environment either.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy of the checkout, so that the build's scratch files (build/, egg-info)
    # land outside the worktree.
    tree = tmp_path_factory.mktemp("tree")
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy2(REPO / name, tree / name)
    for name in ("src", "styles"):
        shutil.copytree(REPO / name, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path_factory.mktemp("dist")
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check")
    _run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", dist, tree, cwd=tree)
    (found,) = dist.glob("report_export-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel installed; its python."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(_run(python, "-c", purelib, cwd=env_dir).stdout.strip())
    (site / "project-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", python)
    _run(*pip, "install", "--no-index", wheel, cwd=env_dir)
    return python


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report's source folder, copied to a folder outside the checkout."""
    folder = tmp_path_factory.mktemp("project")
    shutil.copytree(REPO / "source", folder / "source")
    return folder


@pytest.fixture(scope="module")
def builds(installed: Path, outside: Path) -> tuple[Path, Path]:
    """The copied report built into every format by the installed and the editable package."""
    wheel_out, editable_out = outside / "out-wheel", outside / "out-editable"
    script = installed.parent / "report-export"
    _run(script, "build", "source/report.md", "--out", wheel_out.name, cwd=outside)
    _run(sys.executable, "-m", "report_export", "build", "--out", editable_out.name, cwd=outside)
    return wheel_out, editable_out


def test_the_wheel_carries_the_styles_folder(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    styles = sorted(p.name for p in (REPO / "styles").iterdir() if p.is_file())
    assert styles and {f"report_export/styles/{name}" for name in styles} <= names
    assert "report_export/py.typed" in names


def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path) -> None:
    probe = (
        "import report_export, importlib.metadata as m\n"
        "from report_export.resources import styles_dir\n"
        "from report_export.registry import available_formats\n"
        "print(report_export.__file__)\n"
        "print(styles_dir())\n"
        "print(m.distribution('report-export').locate_file(''))\n"
        "print(','.join(available_formats()))\n"
    )
    printed = _run(installed, "-c", probe, cwd=installed.parent).stdout
    package, styles, dist, formats = printed.split()
    site = Path(package).parents[1]
    assert site.is_relative_to(installed.parents[1]), package
    assert Path(styles) == site / "report_export" / "styles"
    assert Path(dist) == site
    assert formats == "docx,epub,html,pdf,text"


def test_version_from_the_script_and_from_python_m(installed: Path) -> None:
    script = _run(installed.parent / "report-export", "--version", cwd=installed.parent)
    module = _run(installed, "-m", "report_export", "--version", cwd=installed.parent)
    assert script.stdout == module.stdout == f"report-export {__version__}\n"


@pytest.mark.parametrize("name", OUTPUTS)
def test_installed_build_matches_the_editable_one(builds: tuple[Path, Path], name: str) -> None:
    wheel_out, editable_out = builds
    assert (wheel_out / name).read_bytes() == (editable_out / name).read_bytes()


def test_a_theme_in_the_sources_styles_folder_comes_first(installed: Path, tmp_path: Path) -> None:
    shutil.copytree(REPO / "source", tmp_path / "source")
    built_in = (REPO / "styles" / "default.toml").read_text(encoding="utf-8")
    local = built_in.replace('page_number = "', 'page_number = "p. ')
    assert local != built_in
    (tmp_path / "source" / "styles").mkdir()
    (tmp_path / "source" / "styles" / "default.toml").write_text(local, encoding="utf-8")
    script = installed.parent / "report-export"
    _run(script, "build", "source/report.md", "--to", "pdf", "--out", "out", cwd=tmp_path)
    text = _run(tool("pdftotext"), tmp_path / "out" / "report.pdf", "-", cwd=tmp_path).stdout
    assert "p. 第 2 页" in text
