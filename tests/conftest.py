"""Shared test helpers: paths, the command line, and the external tools tests read outputs with.

A tool the suite needs is never skipped when missing: `make test` installs it, so a missing tool
is a failure (under CI=true and everywhere else alike).
"""

from __future__ import annotations

import contextlib
import io
import os
import pty
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image as PillowImage

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "source" / "report.md"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
RICH = FIXTURES / "rich" / "report.md"
"""The rich test report: nested lists, a long table, notes, a portrait and a landscape image,
links, Latin and digits in Chinese lines, four heading levels."""
SOURCES = {"report": SOURCE, "rich": RICH}
"""The sources every format is held to its checkers on, by a short name."""


def themes() -> list[str]:
    """Every installed theme by name: a new theme is tested as soon as it is in styles/."""
    from report_export.resources import styles_dir

    return sorted(path.stem for path in styles_dir().glob("*.toml"))


def tool(name: str) -> str:
    """The path of an external program the test needs; fails the test when it is missing."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run `make test`, which installs it")
    return path


def run_uno_script(script: str, folder: Path, *args: str | Path) -> str:
    """Run ``tests/uno/<script>`` with Debian's /usr/bin/python3 (python3-uno) against a
    LibreOffice of its own (profile under ``folder``); its standard output."""
    import socket

    soffice, python = tool("soffice"), Path("/usr/bin/python3")
    if subprocess.run([python, "-c", "import uno"], check=False).returncode:
        pytest.fail("/usr/bin/python3 has no uno module: run `make test` (python3-uno)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    office = subprocess.Popen(
        [
            soffice,
            "--headless",
            "--invisible",
            "--norestore",
            f"--accept=socket,host=127.0.0.1,port={port};urp;",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        done = subprocess.run(
            [python, Path(__file__).parent / "uno" / script, port, *map(str, args)],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
    finally:
        # The whole group: ``soffice`` is a launcher whose soffice.bin outlives a kill of it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(office.pid, signal.SIGKILL)
        office.wait()
    return done.stdout


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``report-export`` as a user would, in a subprocess; never raises on failure."""
    return subprocess.run(
        [sys.executable, "-m", "report_export", *map(str, args)],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def run_on_terminal(*args: str | Path) -> tuple[int, str]:
    """Run ``report-export`` with stdin, stdout and stderr on a pseudo-terminal: its exit code
    and everything it drew."""
    command = [sys.executable, "-m", "report_export.cli", *map(str, args)]
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdin, stdout and stderr are the terminal
        os.chdir(REPO)
        os.execv(command[0], command)
    screen = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), screen.decode("utf-8", "replace")


def headless_chromium(profile: Path, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with its own profile folder, nothing fetched behind our back."""
    return subprocess.run(
        [
            tool("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", *args,
        ],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def make_sample(folder: Path) -> Path:
    """The sample report and its figure (wider than the text block) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "report.md"
    shutil.copyfile(FIXTURES / "pdf-sample.md", source)
    figure = PillowImage.new("RGB", (1600, 700), "white")
    figure.paste((29, 79, 145), (100, 300, 1500, 400))
    figure.save(folder / "figure.png", format="PNG")
    return source


Case = tuple[str, str]
"""A source (a key of ``SOURCES``) and a theme."""


@pytest.fixture(scope="session")
def every_output(tmp_path_factory: pytest.TempPathFactory) -> dict[Case, Path]:
    """The output folder of each (source, theme), every format built into it once a session
    (two builds at a time: the machine has two cores, and a build waits on its PDF worker)."""
    work = tmp_path_factory.mktemp("every-output")
    cases = [(source, theme) for source in SOURCES for theme in themes()]

    def build(case: Case) -> Path:
        out = work / "-".join(case)
        # The rich fixture with --toc: the PDF's and the DOCX's contents pages are checked too.
        toc = ("--toc",) if case[0] == "rich" else ()
        done = run_cli("build", SOURCES[case[0]], "--theme", case[1], "--out", out, *toc)
        assert done.returncode == 0, f"{case}: {done.stderr}"
        return out

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(cases, pool.map(build, cases), strict=True))


def built(folders: dict[Case, Path], case: Case, extension: str) -> Path:
    """The output of ``case`` with ``extension`` in ``every_output``'s folders."""
    (path,) = folders[case].glob(f"*.{extension}")
    return path


def rewrite(
    docx: Path, edit: Callable[[etree._Element], None], extra: dict[str, bytes] | None = None
) -> None:
    """Rewrite word/document.xml of ``docx`` through ``edit(root)``, as a word processor saves
    an edit; add or replace the parts in ``extra``."""
    with zipfile.ZipFile(docx) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    root = etree.fromstring(parts["word/document.xml"])
    edit(root)
    parts["word/document.xml"] = etree.tostring(root)
    parts.update(extra or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    docx.write_bytes(buffer.getvalue())
