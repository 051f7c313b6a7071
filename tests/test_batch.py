"""``report-export batch`` on real Dask clusters: a ``dask scheduler`` and two ``dask worker``
processes on 127.0.0.1 started here, and the default LocalCluster.

Every good report must come out byte-identical to ``build`` of the same source, every broken
one reported in one line naming it, nothing half-written, whatever dies or is interrupted.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image

from report_export.batch.sources import collect_jobs
from report_export.build import BuildRequest, build
from report_export.errors import ReportExportError
from report_export.output import OutputFolder

from .conftest import REPO, headless_chromium, run_cli, run_on_terminal
from .corpus import report_text, write_corpus

DASK = Path(sys.executable).parent / "dask"
QUICK = ("text", "docx", "epub")
FOUR = ("pdf", *QUICK)
EXTENSIONS = {"text": "txt", "docx": "docx", "epub": "epub", "pdf": "pdf"}
PDF_REPORTS = 6
"""The first reports of the corpus are also built as PDF (the rest only in the quick formats)."""

BROKEN = {
    "bad-utf8.md": (
        b"---\ntitle: t\nlang: zh-CN\n---\n\n\xe6\xad\xa3\xff\n",
        ":6: not valid UTF-8",
    ),
    "bad-yaml.md": (b"---\ntitle: [unclosed\n---\n\ntext\n", ":2: front matter"),
    "control.md": (
        b"---\ntitle: t\nlang: zh-CN\n---\n\nab\x07c\n",
        ":6: character U+0007 (a C0 control)",
    ),
    "missing-image.md": (
        b"---\ntitle: t\nlang: zh-CN\n---\n\n![x](nowhere.png)\n",
        ":6: asset 'nowhere.png': no such file",
    ),
}
"""Broken sources (each opens with front matter, so a folder counts it) and the message's tail
that must follow the file's path."""


@dataclass(frozen=True)
class Corpus:
    folder: Path
    reports: list[Path]
    reference: Path
    """``build`` of every report: ``reference/<index>/<stem>.<ext>``."""

    def expected(self, index: int, fmt: str) -> bytes:
        stem = self.reports[index].stem
        return (self.reference / str(index) / f"{stem}.{EXTENSIONS[fmt]}").read_bytes()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """20 small generated reports in two subfolders plus the broken ones, and each report built
    by ``build`` (the quick formats; PDF for the first ``PDF_REPORTS``)."""
    folder = tmp_path_factory.mktemp("archive")
    reports = write_corpus(folder / "reports", 20, sections=1)
    for name, (data, _) in BROKEN.items():
        (folder / "reports" / "broken").mkdir(exist_ok=True)
        (folder / "reports" / "broken" / name).write_bytes(data)
    reference = tmp_path_factory.mktemp("reference")
    for index, source in enumerate(reports):
        # One format a build: rendered in this process, with no worker pool to start.
        for fmt in (*QUICK, "pdf") if index < PDF_REPORTS else QUICK:
            build(BuildRequest(source, reference / str(index), (fmt,)))
    return Corpus(folder, reports, reference)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class DaskCluster:
    address: str
    workers: list[subprocess.Popen[bytes]]


@contextlib.contextmanager
def dask_cluster(log: Path) -> Iterator[DaskCluster]:
    """A real ``dask scheduler`` and two ``dask worker`` processes (one thread each) on
    127.0.0.1, each in its own process group; all stopped on the way out, whatever happened."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> subprocess.Popen[bytes]:
        out = (log / f"dask-{len(processes)}.log").open("wb")
        process = subprocess.Popen(
            [str(DASK), *args], stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        processes.append(process)
        return process

    try:
        start("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
        worker = ["worker", address, "--host", "127.0.0.1", "--nthreads", "1"]
        worker += ["--nworkers", "1", "--no-dashboard", "--memory-limit", "0"]
        workers = [start(*worker) for _ in range(2)]
        _wait_for_workers(address, 2)
        yield DaskCluster(address, workers)
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    with Client(address, timeout="30s") as client:
        client.wait_for_workers(count, timeout=60)


def batch_command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "report_export.cli", "batch", *map(str, args)]


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def check_outputs_match_build(corpus: Corpus, out: Path, formats: dict[int, tuple[str, ...]]):
    """Each listed report's outputs under ``out`` (``g<n>/<stem>.<ext>``) are ``build``'s bytes."""
    for index, names in formats.items():
        source = corpus.reports[index]
        for fmt in names:
            path = out / source.parent.name / f"{source.stem}.{EXTENSIONS[fmt]}"
            assert path.read_bytes() == corpus.expected(index, fmt), path


def check_cache_is_true(out: Path) -> int:
    """Every stamp of every cache under ``out`` names a file whose bytes it recorded; how many."""
    count = 0
    for cache in out.rglob(".report-export-cache.json"):
        for slot, stamp in json.loads(cache.read_text(encoding="utf-8")).items():
            data = Path(stamp["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == stamp["output"], slot
            count += 1
    return count


def test_a_batch_on_a_dask_cluster_builds_what_build_builds(corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "out"
    manifest = tmp_path / "pdfs.csv"
    rows = [f"{corpus.reports[i]},pdf,,pdf/{corpus.reports[i].stem}" for i in range(3)]
    manifest.write_text("source,formats,theme,out\n" + "\n".join(rows) + "\n", encoding="utf-8")
    summary = out / "summary.html"
    args = [corpus.folder / "reports", "--manifest", manifest, "--out", out]
    args += ["--to", ",".join(QUICK), "--summary", summary]
    with dask_cluster(tmp_path) as cluster:
        command = batch_command(*args, "--scheduler", cluster.address)
        result = subprocess.run(
            command, cwd=REPO, capture_output=True, text=True, check=False, timeout=300
        )
    assert result.returncode == 1, result.stderr

    # Each broken source: one line naming it (and its line), nothing else on stderr.
    lines = result.stderr.splitlines()
    assert len(lines) == len(BROKEN), result.stderr
    for name, (_, tail) in BROKEN.items():
        path = corpus.folder / "reports" / "broken" / name
        assert any(line.startswith(f"report-export: {path}{tail}") for line in lines), name
    assert "27 documents: 23 built, 0 up to date, 4 failed" in result.stdout

    check_outputs_match_build(corpus, out, {i: QUICK for i in range(20)})
    for index in range(3):
        pdf = out / "pdf" / f"{corpus.reports[index].stem}.pdf"
        assert pdf.read_bytes() == corpus.expected(index, "pdf")
    # Nothing half-written: the outputs, the caches and the summary, nothing else. None of
    # the broken sources is built (a missing image fails every format, as in ``build``).
    expected = {f"g{i // 10}/report-{i:03d}.{EXTENSIONS[f]}" for i in range(20) for f in QUICK}
    expected |= {f"pdf/report-{i:03d}.pdf" for i in range(3)}
    expected |= {"summary.html", "summary.json"}
    expected |= {f"{d}/.report-export-cache.json" for d in ("g0", "g1", "pdf")}
    # Each output folder held while the batch ran, as ``build`` holds its one.
    expected |= {f"{d}/.report-export.lock" for d in ("broken", "g0", "g1", "pdf")}
    assert files_under(out) == expected
    assert check_cache_is_true(out) == 20 * 3 + 3

    data = json.loads(summary.with_suffix(".json").read_text(encoding="utf-8"))
    assert (data["documents"], data["built"], data["failed"]) == (27, 23, 4)
    rows_by_name = {row["name"]: row for row in data["rows"]}
    assert rows_by_name["broken/control"]["error"].endswith(
        "character U+0007 (a C0 control) is not allowed"
    )
    assert rows_by_name["pdf/report-000"]["formats"]["pdf"]["size"] > 10_000
    workers = {
        fmt["worker"] for row in data["rows"] for fmt in row["formats"].values() if "worker" in fmt
    }
    assert len(workers) == 2, "both workers took part"
    check_summary_page(summary, tmp_path, data)


def check_summary_page(page: Path, tmp_path: Path, data: dict[str, object]) -> None:
    """The page as headless Chromium sees it: a row a document, self-contained, not blank."""
    text = page.read_text(encoding="utf-8")
    for outside in ("http:", "https:", "<link", "<script", "@import", "url(", "src="):
        assert outside not in text, outside
    dom = headless_chromium(tmp_path / "profile", ["--dump-dom", page.as_uri()]).stdout
    rows = lxml_html.fromstring(dom).xpath("//tbody/tr")
    assert len(rows) == data["documents"]
    failed = [row for row in rows if row.get("class") == "failed"]
    assert len(failed) == data["failed"]
    assert all(row.xpath("string(td[@class='error'])") for row in failed)
    shot = tmp_path / "summary.png"
    headless_chromium(
        tmp_path / "profile", [f"--screenshot={shot}", "--window-size=1200,900", page.as_uri()]
    )
    with Image.open(shot) as image:
        small = image.convert("RGB").resize((120, 90))
        colours = {small.getpixel((x, y)) for x in range(120) for y in range(90)}
    assert len(colours) > 40, "the page shows text and colour, not a blank or an error page"


def test_a_worker_killed_mid_batch_and_the_batch_still_completes(
    corpus: Corpus, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    sources = [str(corpus.reports[i]) for i in range(PDF_REPORTS)]
    with dask_cluster(tmp_path) as cluster:
        command = batch_command(*sources, "--out", out, "--to", "pdf,text")
        batch = subprocess.Popen(
            [*command, "--scheduler", cluster.address],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while not list(out.glob("*.pdf")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(list(out.glob("*.pdf"))) < PDF_REPORTS, "killed in the middle, not after"
        os.killpg(cluster.workers[0].pid, signal.SIGKILL)
        stdout, stderr = batch.communicate(timeout=300)
        assert cluster.workers[0].wait(timeout=10) == -signal.SIGKILL
    assert batch.returncode == 0, stderr
    assert f"{PDF_REPORTS} documents: {PDF_REPORTS} built" in stdout
    for index in range(PDF_REPORTS):
        for fmt in ("pdf", "text"):
            path = out / f"{corpus.reports[index].stem}.{EXTENSIONS[fmt]}"
            assert path.read_bytes() == corpus.expected(index, fmt), path
    assert not [name for name in files_under(out) if name.endswith(".tmp")]
    assert check_cache_is_true(out) == 2 * PDF_REPORTS


def test_the_local_cluster_survives_ctrl_c_and_its_rerun_builds_only_the_rest(
    corpus: Corpus, tmp_path: Path
) -> None:
    """Without --scheduler: a LocalCluster. Ctrl-C (SIGINT to the whole process group, as a
    terminal sends it) mid-batch leaves valid outputs and a true cache; the rerun finishes."""
    out = tmp_path / "out"
    formats = {i: ("pdf", "text") for i in range(PDF_REPORTS)}
    formats |= {i: ("text",) for i in range(PDF_REPORTS, 10)}
    rows = [
        {"source": str(corpus.reports[i]), "formats": list(names), "out": f"g0/report-{i:03d}"}
        for i, names in formats.items()
    ]
    # A long PDF (six reports' text: several seconds) keeps the batch busy when the first
    # stamps are saved.
    big = tmp_path / "big" / "big.md"
    big.parent.mkdir()
    text = report_text(0)
    big.write_text(text + text.split("---\n", 2)[2] * 5, encoding="utf-8")
    rows.insert(0, {"source": str(big), "formats": ["pdf"]})
    manifest = tmp_path / "jobs.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    first = subprocess.Popen(
        batch_command("--manifest", manifest, "--out", out, "--workers", "2"),
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
        # As a terminal starts it: Ctrl-C handled, whatever this process's own disposition.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 120
    # Once the cache holds a first stamp (it is saved every second while a batch runs).
    while not (out / "g0" / ".report-export-cache.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGINT)
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 130, stderr
    assert "interrupted" in stderr
    assert 0 < check_cache_is_true(out) < 2 * PDF_REPORTS + 4
    # The long PDF was rendering: it is either not there or whole (written atomically).
    if (out / "big.pdf").exists():
        assert (out / "big.pdf").read_bytes().rstrip().endswith(b"%%EOF")
    assert not [name for name in files_under(out) if name.endswith(".tmp")]
    # Every output there is whole: the bytes build writes.
    for path in [*out.glob("g0/*.pdf"), *out.glob("g0/*.txt")]:
        index = int(path.stem.removeprefix("report-"))
        fmt = "pdf" if path.suffix == ".pdf" else "text"
        assert path.read_bytes() == corpus.expected(index, fmt), path

    again = run_cli("batch", "--manifest", manifest, "--out", out, "--workers", "2")
    assert again.returncode == 0, again.stderr
    assert "11 documents:" in again.stdout and " 0 failed" in again.stdout
    check_outputs_match_build(corpus, out, formats)
    assert (out / "big.pdf").read_bytes().startswith(b"%PDF-")
    assert check_cache_is_true(out) == 2 * PDF_REPORTS + 4 + 1

    # Nothing left to do: no cluster is started, and the bar shows on a terminal only.
    piped = run_cli("batch", "--manifest", manifest, "--out", out)
    assert piped.returncode == 0 and piped.stderr == ""
    assert "11 documents: 0 built, 11 up to date, 0 failed" in piped.stdout
    code, screen = run_on_terminal("batch", "--manifest", manifest, "--out", out)
    assert code == 0
    assert re.search(r"\[#{24}\] 11/11 documents", screen), screen


def test_workers_past_the_memory_bound_are_recycled_one_at_a_time(tmp_path: Path) -> None:
    """A bound below a fresh worker's memory is raised to the floor, in one line; past it,
    a worker finishes its task and retires, one at a time, during a batch of fifty reports in
    the four formats, the first eighty times the others' size; and the batch still ends
    (bounded time), its outputs the bytes ``build`` writes.

    The long report alone takes a worker past the floor (WeasyPrint's memory otherwise stays
    below it since font files are no longer copied): retired mid-render, it went from worker
    to worker and the batch never ended. The short ones keep the other worker busy meanwhile
    and leave work for the replacement."""
    reports = write_corpus(tmp_path / "reports", 50)
    text = reports[0].read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    reports[0].write_text(f"---\n{front}---\n" + (body.strip() + "\n\n") * 80, "utf-8")
    out = tmp_path / "out"
    args = [tmp_path / "reports", "--out", out, "--to", ",".join(FOUR), "--workers", "2"]
    args += ["--worker-memory", "1", "--summary", out / "summary.html"]
    result = subprocess.run(
        batch_command(*args), cwd=REPO, capture_output=True, text=True, check=False, timeout=600
    )
    assert result.returncode == 0, result.stderr
    (warning,) = result.stderr.splitlines()
    raised = re.fullmatch(
        r"report-export: --worker-memory 1 MB is below a fresh worker's memory and 128 MB: "
        r"raised to (\d+) MB",
        warning,
    )
    assert raised and 128 + 50 < int(raised[1]) < 1200, warning
    recycled = re.search(r"50 documents: 50 built, .* (\d+) workers? recycled$", result.stdout)
    assert recycled and int(recycled[1]) >= 1, result.stdout
    assert not [name for name in files_under(out) if name.endswith(".tmp")]
    assert check_cache_is_true(out) == 4 * len(reports)
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    workers = {fmt["worker"] for row in data["rows"] for fmt in row["formats"].values()}
    assert len(workers) > 2, "a worker started during the batch built some of it"
    # The long report, and the last two (by then a replacement works), are the bytes a build
    # writes (every output of a batch is held to build's in the tests above).
    reference = tmp_path / "reference"
    for path, fmt in itertools.product((reports[0], *reports[-2:]), FOUR):
        build(BuildRequest(path, reference / path.stem, (fmt,)))
        name = f"{path.stem}.{EXTENSIONS[fmt]}"
        built = out / path.parent.name / name
        assert built.read_bytes() == (reference / path.stem / name).read_bytes(), built


# --- what a batch is given -------------------------------------------------------------------


def test_folders_globs_and_manifests_name_the_jobs(corpus: Corpus, tmp_path: Path) -> None:
    reports = corpus.folder / "reports"
    from_folder = collect_jobs([str(reports)], None, tmp_path)
    assert len(from_folder) == 24
    assert from_folder[0].name == "broken/bad-utf8"
    assert {job.name for job in from_folder} >= {"g0/report-000", "g1/report-019"}
    from_glob = collect_jobs([str(reports / "g1" / "*.md")], None, tmp_path)
    assert [job.name for job in from_glob] == [f"report-{i:03d}" for i in range(10, 20)]
    # A folder and a path that name one source alike give one job.
    both = collect_jobs([str(reports / "g0"), str(corpus.reports[0])], None, tmp_path)
    assert len(both) == 10

    manifest = tmp_path / "m.csv"
    manifest.write_text('source,formats,out\ng0/report-001.md,"pdf,text",a/b\n', encoding="utf-8")
    with pytest.raises(ReportExportError, match=r"m\.csv:2: no such source"):
        collect_jobs([], manifest, tmp_path)
    manifest = reports / "m.csv"
    manifest.write_text('source,formats,out\ng0/report-001.md,"pdf,text",a/b\n', encoding="utf-8")
    try:
        (job,) = collect_jobs([], manifest, tmp_path)
    finally:
        manifest.unlink()
    assert (job.source, job.formats, job.name) == (corpus.reports[1], ("pdf", "text"), "a/b")


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("m.jsonl", '{"source": "x.md"}\n[1]\n'),
        ("m.jsonl", '{"source": "a.md", "colour": "red"}\n'),
        ("m.csv", "path\na.md\n"),
        ("m.csv", "source,out\na.md,../up\n"),
        ("m.txt", "a.md\n"),
    ],
)
def test_a_bad_manifest_is_one_line_and_exit_2(manifest: str, message: str, tmp_path: Path):
    (tmp_path / "a.md").write_text("---\ntitle: a\n---\n\na\n", encoding="utf-8")
    (tmp_path / "x.md").write_text("---\ntitle: x\n---\n\nx\n", encoding="utf-8")
    path = tmp_path / manifest
    path.write_text(message, encoding="utf-8")
    result = run_cli("batch", "--manifest", path, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.startswith(f"report-export: {path}")
    assert result.stderr.count("\n") == 1, result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere/*.md"], "nowhere/*.md: matches no file"),
        (["missing.md"], "missing.md: no such file or folder"),
        (["a.md", "--to", "odt"], "unknown format 'odt'"),
        (["a.md", "--theme", "nope"], "no such theme"),
        (["a.md", "-O", "colour=red"], "option 'colour' is taken by none of"),
        (["a.md", "sub/a.md"], "would both be written as a.*"),
        (["a.md", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--workers sizes"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    args: list[str], message: str, tmp_path: Path
) -> None:
    (tmp_path / "sub").mkdir()
    for path in (tmp_path / "a.md", tmp_path / "sub" / "a.md"):
        path.write_text("---\ntitle: a\n---\n\na\n", encoding="utf-8")
    result = run_cli("batch", *args, "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert not (tmp_path / "out").exists()


def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: a\n---\n\na\n", encoding="utf-8")
    address = f"tcp://127.0.0.1:{free_port()}"
    result = run_cli("batch", "a.md", "--out", "out", "--scheduler", address, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"report-export: {address}: cannot reach the scheduler")
    assert result.stderr.count("\n") == 1, result.stderr


def test_a_batch_waits_for_a_build_holding_its_output_folder(
    corpus: Corpus, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with OutputFolder(out):  # what a build into out/ holds while it runs
        batch = subprocess.Popen(
            batch_command(corpus.reports[0], "--out", out, "--to", "text"),
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(3)
        assert batch.poll() is None, "the batch went on while the folder was held"
        assert files_under(out) == {".report-export.lock"}
    stdout, stderr = batch.communicate(timeout=120)
    assert batch.returncode == 0, stderr
    assert "1 documents: 1 built" in stdout or "1 document: 1 built" in stdout, stdout
    assert (out / "report-000.txt").read_bytes() == corpus.expected(0, "text")
