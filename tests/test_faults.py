"""Faults: builds killed at random points (the parent, a worker), interrupted, on a full disk,
into a folder they may not write, and two at once into one folder. After each, no process of
the build is left and ``out/`` holds one whole set: the last good one or the new one.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from report_export.output import OutputFolder

from .conftest import REPO

OLD = "---\ntitle: 题目\nlang: zh-CN\n---\n# 一、甲\n\n旧的正文。\n"
NEW = "---\ntitle: 题目\nlang: zh-CN\n---\n# 一、甲\n\n新的正文[^1]。\n\n[^1]: 注。\n"
OUTPUTS = ("src.docx", "src.epub", "src.pdf", "src.txt")
# A fixed seed: a failure can be run again as it was.
RANDOM = random.Random(19)
Sets = tuple[Path, dict[str, bytes], dict[str, bytes]]
"""The folder of the old build, the old set's bytes and the new set's."""


def _command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "report_export.cli", *map(str, args)]


def _start(folder: Path, *args: str | Path) -> subprocess.Popen[str]:
    """A build in a session of its own (its process group holds it and its workers), with
    Ctrl-C at its default as a terminal's foreground job has it: a shell that runs the tests
    in the background ignores SIGINT for them, and Python keeps an inherited SIG_IGN."""
    return subprocess.Popen(
        _command("build", "src.md", *args),
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_default_interrupt,
    )


def _default_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _living(group: int) -> list[int]:
    """The processes of a process group still alive (zombies are dead: only unreaped)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


def _assert_none_left(group: int) -> None:
    deadline = time.monotonic() + 5
    while _living(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _living(group) == [], "a process of the killed build is still running"


def _outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS if (out / name).exists()}


def _build_set(folder: Path, text: str) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "src.md").write_text(text, encoding="utf-8")
    result = subprocess.run(
        _command("build", "src.md"), cwd=folder, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return _outputs(folder / "out")


@pytest.fixture(scope="module")
def sets(
    tmp_path_factory: pytest.TempPathFactory,
) -> Sets:
    """A folder with the old source built, and the bytes of the old and the new set."""
    base = tmp_path_factory.mktemp("faults")
    new = _build_set(base / "new", NEW)
    old = _build_set(base / "old", OLD)
    assert set(old) == set(new) == set(OUTPUTS) and old != new
    return base / "old", old, new


def _trial_folder(tmp_path: Path, sets: Sets) -> Path:
    """The old build, with the new source in place of the old."""
    folder = tmp_path / "trial"
    shutil.copytree(sets[0], folder)
    (folder / "src.md").write_text(NEW, encoding="utf-8")
    return folder


def _assert_one_whole_set(out: Path, sets: Sets) -> dict[str, bytes]:
    with OutputFolder(out):  # what the next build does first: finish the renames, if any
        pass
    found = _outputs(out)
    assert found in (sets[1], sets[2]), "a mixed set of outputs"
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []
    return found


def test_parent_killed_at_random_points(tmp_path: Path, sets: Sets) -> None:
    # Kill times are drawn within the time a whole build takes here (the speed work made it
    # short: a fixed 0.2-3 s window would land every kill after the outputs are written).
    timed = _trial_folder(tmp_path / "timed", sets)
    start = time.monotonic()
    _start(timed).communicate()
    seconds = time.monotonic() - start
    outcomes = set()
    for trial in range(4):
        folder = _trial_folder(tmp_path / str(trial), sets)
        build = _start(folder)
        time.sleep(RANDOM.uniform(0.1, 0.9) * seconds)
        build.kill()
        build.communicate()
        _assert_none_left(build.pid)
        found = _assert_one_whole_set(folder / "out", sets)
        outcomes.add("new" if found == sets[2] else "old")
    assert "old" in outcomes  # at least one kill landed while rendering


def test_worker_killed_while_rendering(tmp_path: Path, sets: Sets) -> None:
    folder = _trial_folder(tmp_path, sets)
    build = _start(folder)
    workers: list[int] = []
    deadline = time.monotonic() + 20
    while not workers and time.monotonic() < deadline and build.poll() is None:
        workers = [pid for pid in _living(build.pid) if pid != build.pid]
        time.sleep(0.02)
    assert workers, "the build started no worker process"
    time.sleep(RANDOM.uniform(0.1, 0.8))
    # The worker may have ended its part already (a build takes ~1 s): then nothing dies.
    with contextlib.suppress(ProcessLookupError):
        os.kill(workers[0], signal.SIGKILL)
    _, stderr = build.communicate(timeout=60)
    _assert_none_left(build.pid)
    if build.returncode != 0:  # it may have finished its work already
        assert build.returncode == 2
        assert stderr.count("\n") == 1 and "worker process died" in stderr, stderr
        assert _outputs(folder / "out") == sets[1]
    _assert_one_whole_set(folder / "out", sets)


def _wait_for_a_worker(build: subprocess.Popen[str]) -> None:
    """Until the build has a process besides its own: a worker renders."""
    deadline = time.monotonic() + 20
    while [build.pid] == _living(build.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert build.poll() is None, "the build ended before a worker started"


def test_ctrl_c_is_one_line_and_exit_130(tmp_path: Path, sets: Sets) -> None:
    # Interrupted while a worker renders, at a point drawn within the time from its start to
    # the build's end here (a fixed delay outlasted the whole render once builds got faster).
    timed = _start(_trial_folder(tmp_path / "timed", sets))
    _wait_for_a_worker(timed)
    start = time.monotonic()
    timed.communicate()
    rendering = time.monotonic() - start
    for trial in range(3):
        folder = _trial_folder(tmp_path / str(trial), sets)
        build = _start(folder)
        _wait_for_a_worker(build)
        time.sleep(RANDOM.uniform(0.05, 0.4) * rendering)
        if len(_living(build.pid)) < 2:
            # The worker is done: the build is writing or exiting (where Python no longer
            # raises on Ctrl-C), so this interrupt would test nothing. Again.
            build.communicate()
            continue
        os.killpg(build.pid, signal.SIGINT)  # as a terminal does: the whole foreground group
        _, stderr = build.communicate(timeout=60)
        _assert_none_left(build.pid)
        assert build.returncode == 130, stderr
        assert stderr == "report-export: interrupted\n"
        assert _outputs(folder / "out") == sets[1]
        _assert_one_whole_set(folder / "out", sets)
        return
    pytest.fail("every build ended before it could be interrupted")


def test_two_builds_into_one_folder_never_mix(tmp_path: Path) -> None:
    """Two sources of one stem into one folder at once: the lock serialises them, and every
    output then comes from the one that ran last."""
    out = tmp_path / "out"
    builds = []
    for name, text in (("a", OLD), ("b", NEW)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "src.md").write_text(text, encoding="utf-8")
        builds.append(_start(tmp_path / name, "--out", out, "--to", "text,docx"))
    for build in builds:
        _, stderr = build.communicate(timeout=120)
        assert build.returncode == 0, stderr
    verdicts = []
    for name in ("a", "b"):
        check = subprocess.run(
            _command("verify", tmp_path / name / "src.md", "--out", out, "--to", "text,docx"),
            capture_output=True,
            text=True,
            check=False,
        )
        verdicts.append(check.returncode)
    assert sorted(verdicts) == [0, 1], "outputs from both sources: a mixed set"


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 2 MB tmpfs, mounted for the test and gone after it."""
    if os.geteuid() != 0:
        pytest.fail("this test mounts a tmpfs: run the suite as root (as CI does)")
    mount = Path(tempfile.mkdtemp(prefix="report-export-tmpfs-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)
        mount.rmdir()


def _fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` up to ``leave`` bytes free."""
    free = shutil.disk_usage(disk).free
    with (disk / "filler").open("wb") as handle, contextlib.suppress(OSError):
        handle.write(b"\0" * max(free - leave, 0))


def test_full_disk_keeps_the_last_good_set(small_disk: Path, sets: Sets) -> None:
    out = small_disk / "out"
    out.mkdir()
    for name, data in sets[1].items():
        (out / name).write_bytes(data)
    _fill(small_disk, 64 * 1024)  # room for the text and the EPUB, not for the PDF
    folder = sets[0].parent / "new"
    result = subprocess.run(
        _command("build", folder / "src.md", "--out", out),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "cannot write: No space left on device" in result.stderr
    assert _outputs(out) == sets[1]
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("fmt", ["text", "docx", "epub", "html", "pdf"])
def test_full_disk_is_one_line_for_every_format(small_disk: Path, sets: Sets, fmt: str) -> None:
    """Each format alone into a disk with no room left (three of four builds were a traceback
    there): one line naming the output, nothing changed, nothing left behind."""
    out = small_disk / "out"
    out.mkdir()
    for name, data in sets[1].items():
        (out / name).write_bytes(data)
    _fill(small_disk, 0)
    folder = sets[0].parent / "new"
    result = subprocess.run(
        _command("build", folder / "src.md", "--out", out, "--to", fmt),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"{out}/src." in result.stderr and "No space left on device" in result.stderr
    assert _outputs(out) == sets[1]
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".report-export")) == (
        sorted(sets[1])
    )


def test_full_disk_import_is_one_line(small_disk: Path) -> None:
    _fill(small_disk, 0)
    scraped = REPO / "tests" / "fixtures" / "scraped-notice.txt"
    result = subprocess.run(
        _command("import", scraped, "-o", small_disk / "notice.md"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"report-export: {small_disk / 'notice.md'}: cannot write: No space left on device\n"
    )
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder another user can reach (pytest's own are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="report-export-user-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


def _as_nobody(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    if os.geteuid() != 0:
        pytest.fail("this test runs the build as another user: run the suite as root")
    setpriv = shutil.which("setpriv")
    assert setpriv is not None, "setpriv (util-linux) is missing"
    return subprocess.run(
        [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", *_command(*args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HOME": str(cwd)},
    )


def test_unwritable_out_dir_and_unreadable_source_for_a_user(shared_folder: Path) -> None:
    source = shared_folder / "src.md"
    source.write_text(OLD, encoding="utf-8")
    (shared_folder / "out").mkdir(mode=0o755)  # root's: nobody may not write in it
    result = _as_nobody("build", source, "--to", "text", cwd=shared_folder)
    assert result.returncode == 2, result.stderr
    assert result.stderr == "report-export: out: cannot write here: Permission denied\n"
    assert list((shared_folder / "out").iterdir()) == []
    (shared_folder / "mine").mkdir(mode=0o777)
    (shared_folder / "mine").chmod(0o777)
    source.chmod(0o600)
    result = _as_nobody("build", source, "--to", "text", "--out", "mine", cwd=shared_folder)
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"report-export: {source}: cannot read: Permission denied\n"
