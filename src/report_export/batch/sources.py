"""What a batch converts: paths, globs, folders and manifests turned into one job a source.

- a path names one source; its outputs are ``DIR/<stem>.<ext>``, as ``build --out DIR`` makes;
- a glob (``archive/*.md``, ``**`` included) names every file it matches, each as a path;
- a folder names every ``*.md`` under it that opens with YAML front matter; its outputs keep
  the folder's layout (``archive/2024/a.md`` -> ``DIR/2024/a.pdf``);
- a manifest (``.csv`` with a header row, or ``.jsonl``, one object a line) names a source a
  row, with optional ``formats``, ``theme`` and ``out`` (the output's name under ``DIR``,
  without extension); relative paths are relative to the manifest.

Any problem here is a ``ReportExportError`` (exit 2): nothing is built from a batch whose list
is wrong.
"""

from __future__ import annotations

import csv
import glob
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import ReportExportError
from ..reader import read_utf8

MANIFEST_FIELDS = ("source", "formats", "theme", "out")
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class Job:
    """One source to build: which formats, with which theme, under which name."""

    source: Path
    name: str
    """The outputs' path under the batch's folder, without extension (``2024/a``)."""
    formats: tuple[str, ...]
    """Empty: the batch's formats."""
    theme: str
    """Empty: the batch's theme."""

    @property
    def out_dir(self) -> Path:
        """The folder under the batch's where this job's outputs go (``2024`` or ``.``)."""
        return Path(PurePosixPath(self.name).parent)

    @property
    def stem(self) -> str:
        return PurePosixPath(self.name).name


def collect_jobs(arguments: Sequence[str], manifest: Path | None, skip: Path) -> list[Job]:
    """Every job the arguments and the manifest name, in the order given, each once.

    ``skip`` (the batch's output folder) is never searched for sources.
    """
    jobs: list[Job] = []
    for argument in arguments:
        jobs.extend(_from_argument(argument, skip.resolve()))
    if manifest is not None:
        jobs.extend(_from_manifest(manifest))
    if not jobs:
        raise ReportExportError("no sources: give paths, globs, folders or --manifest")
    unique = list(dict.fromkeys(jobs))
    _refuse_clashes(unique)
    return unique


def _from_argument(argument: str, skip: Path) -> Iterator[Job]:
    path = Path(argument)
    if path.is_dir():
        found = sorted(p for p in path.rglob("*.md") if _is_source(p, path, skip))
        if not found:
            raise ReportExportError("no Markdown source with front matter in this folder", path)
        for source in found:
            name = source.relative_to(path).with_suffix("").as_posix()
            yield Job(source, name, (), "")
    elif path.is_file():
        yield Job(path, path.stem, (), "")
    elif _GLOB_CHARS & set(argument):
        matches = sorted(Path(p) for p in glob.glob(argument, recursive=True))
        files = [p for p in matches if p.is_file()]
        if not files:
            raise ReportExportError("matches no file", argument)
        for source in files:
            yield Job(source, source.stem, (), "")
    else:
        raise ReportExportError("no such file or folder", path)


def _is_source(path: Path, root: Path, skip: Path) -> bool:
    """A file of the folder that is a report: not hidden, not in the output, front matter."""
    if any(part.startswith(".") for part in path.relative_to(root).parts):
        return False
    if path.resolve().is_relative_to(skip) or not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.readline().rstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf") == b"---"


def _from_manifest(manifest: Path) -> Iterator[Job]:
    text = read_utf8(manifest)
    suffix = manifest.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(manifest, text)
    elif suffix in (".jsonl", ".ndjson"):
        rows = _jsonl_rows(manifest, text)
    else:
        raise ReportExportError("a manifest is .csv or .jsonl", manifest)
    for line, row in rows:
        yield _manifest_job(manifest, line, row)


def _csv_rows(manifest: Path, text: str) -> Iterator[tuple[int, dict[str, object]]]:
    reader = csv.DictReader(text.splitlines())
    _check_fields(manifest, 1, reader.fieldnames or [])
    for row in reader:
        if any(value for value in row.values()):
            yield reader.line_num, {k: v for k, v in row.items() if v}


def _jsonl_rows(manifest: Path, text: str) -> Iterator[tuple[int, dict[str, object]]]:
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except ValueError as err:
            raise ReportExportError(f"not JSON: {err}", manifest, line) from None
        if not isinstance(row, dict):
            raise ReportExportError("each line must be a JSON object", manifest, line)
        _check_fields(manifest, line, list(row))
        yield line, row


def _check_fields(manifest: Path, line: int, names: Sequence[str]) -> None:
    unknown = [name for name in names if name not in MANIFEST_FIELDS]
    if unknown:
        known = ", ".join(MANIFEST_FIELDS)
        raise ReportExportError(f"unknown field {unknown[0]!r} (known: {known})", manifest, line)
    if "source" not in names:
        raise ReportExportError("no 'source' field", manifest, line)


def _manifest_job(manifest: Path, line: int, row: dict[str, object]) -> Job:
    def text(key: str) -> str:
        value = row.get(key, "")
        if not isinstance(value, str):
            raise ReportExportError(f"{key!r} must be text", manifest, line)
        return value.strip()

    source = manifest.parent / text("source")
    if not text("source") or not source.is_file():
        raise ReportExportError(f"no such source: {text('source') or '(empty)'}", manifest, line)
    raw_formats = row.get("formats", "")
    if isinstance(raw_formats, list) and all(isinstance(f, str) for f in raw_formats):
        formats = tuple(f.strip() for f in raw_formats if f.strip())
    else:
        formats = tuple(f.strip() for f in text("formats").split(",") if f.strip())
    name = text("out") or source.stem
    out = PurePosixPath(name)
    if out.is_absolute() or ".." in out.parts or name.endswith("/"):
        raise ReportExportError(
            f"'out' must name a file under the output folder: {name}", manifest, line
        )
    return Job(source, out.as_posix(), formats, text("theme"))


def _refuse_clashes(jobs: Sequence[Job]) -> None:
    """Two jobs may not write one output, nor share one source in one folder (the build
    cache keeps one record a source and format in each output folder)."""
    names: dict[str, Job] = {}
    places: dict[tuple[Path, Path], Job] = {}
    for job in jobs:
        other = names.setdefault(job.name, job)
        if other is not job:
            raise ReportExportError(
                f"{other.source} and {job.source} would both be written as {job.name}.*: "
                "name them apart in a manifest's 'out' column",
                job.source,
            )
        place = (job.source.resolve(), job.out_dir)
        other = places.setdefault(place, job)
        if other is not job:
            raise ReportExportError(
                f"listed twice for the folder {job.out_dir} (as {other.name} and {job.name}): "
                "give each its own folder",
                job.source,
            )
