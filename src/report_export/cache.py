"""Skip work that is already done: a content hash over everything that affects an output.

An output is up to date when the hash of its inputs (source, every file in the source's folder,
the theme's folder, the options, the exporter's code) matches the one recorded at its last build
and the file on disk is still the one that build wrote. Kept free of heavy imports (no parser, no
exporter) so that a build with nothing to do ends in a fraction of a second.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import ReportExportError
from .output import write_atomic
from .registry import OWN_DISTRIBUTION, EntryPoint, distribution_label
from .resources import styles_dir

PACKAGE_DIR = Path(__file__).resolve().parent
STAMP_NAME = ".report-export-cache.json"


@dataclass(frozen=True, slots=True)
class Stamp:
    """What the last successful build of one format wrote, and from what."""

    inputs: str
    path: str
    output: str
    beside: dict[str, str] = dataclasses.field(default_factory=dict)
    """The files kept beside the output (a web page's images): name -> hash of their bytes."""

    def beside_paths(self) -> list[Path]:
        return [Path(self.path).parent / name for name in self.beside]


def _hash_files(digest: hashlib._Hash, root: Path, files: Iterable[Path]) -> None:
    """Names and contents, in order. A file that cannot be read counts by its name and its
    error: the build may not use it at all, and one it does use fails where it is read."""
    for path in sorted(files):
        # os.fsencode: a name that is not UTF-8 (bytes smuggled in as surrogates) still hashes.
        digest.update(os.fsencode(path.relative_to(root).as_posix()) + b"\0")
        try:
            # Read whole: these are sources, images and our own modules, and file_digest
            # zeroes a 256 KB buffer for each (~28M instructions over our code alone).
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError as err:
            digest.update(f"unreadable: {err.strerror}".encode())
        digest.update(b"\0")


def _tree(root: Path, suffixes: tuple[str, ...] = (), skip: Path | None = None) -> list[Path]:
    """Files under ``root`` (hidden ones, caches and the folder ``skip`` left out), symbolic
    links to folders not followed."""
    found = []
    for folder, folders, names in os.walk(root):
        # Pruned rather than walked and filtered: every folder of our code has a __pycache__.
        folders[:] = [name for name in folders if not _left_out(name)]
        for name in names:
            path = Path(folder, name)
            if (
                not _left_out(name)
                and (not suffixes or path.suffix in suffixes)
                and path.is_file()
                and (skip is None or not path.resolve().is_relative_to(skip))
            ):
                found.append(path)
    return found


def _left_out(name: str) -> bool:
    return name.startswith(".") or name == "__pycache__"


@functools.cache
def _own_code() -> bytes:
    # The formats' CSS templates in styles/ are part of our code, whatever theme is used.
    digest = hashlib.sha256()
    _hash_files(digest, PACKAGE_DIR, _tree(PACKAGE_DIR, (".py", ".toml")))
    _hash_files(digest, styles_dir(), _tree(styles_dir()))
    return digest.digest()


def _code_fingerprint(point: EntryPoint) -> bytes:
    """Our own code is hashed file by file (it changes without a version bump while we work);
    a third party's is named by its distribution's version and RECORD of file hashes."""
    if point.distribution == OWN_DISTRIBUTION:
        return _own_code()
    return distribution_label(point).encode()


def input_files(source: Path, theme_file: Path, out_dir: Path) -> list[tuple[Path, Path]]:
    """What every format reads besides the source, as (folder, file) pairs: each file under the
    source's folder (other Markdown sources left out) and under the theme's folder, the output
    folder left out."""
    # Assets can be anywhere under the source's folder, and a theme may pull in CSS or fonts
    # beside it: taking both folders whole is cheap and never misses one. Other Markdown
    # sources are left out (no format reads one: assets are images), so that in a folder of
    # reports a change to one leaves the others up to date.
    skip = out_dir.resolve()
    theme_dir = theme_file.resolve().parent
    assets = [p for p in _tree(source.parent, skip=skip) if p.suffix.lower() != ".md"]
    return [(source.parent, path) for path in sorted(assets)] + [
        (theme_dir, path) for path in sorted(_tree(theme_dir, skip=skip))
    ]


def inputs_digest(source: Path, theme_file: Path, out_dir: Path) -> bytes:
    """The hash of what every format reads: the source, its folder and the theme's folder."""
    digest = hashlib.sha256()
    try:
        digest.update(source.read_bytes())
    except OSError as err:
        raise ReportExportError(f"cannot read: {err.strerror}", source) from None
    for root, path in input_files(source, theme_file, out_dir):
        _hash_files(digest, root, [path])
    return digest.digest()


def format_key(inputs: bytes, point: EntryPoint, options: Mapping[str, str]) -> str:
    """The hash of everything that affects one format's output."""
    digest = hashlib.sha256(inputs)
    digest.update(f"{point.name}\0{point.value}\0".encode())
    digest.update(_code_fingerprint(point))
    digest.update(json.dumps(sorted(options.items()), ensure_ascii=False).encode())
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    digest.update(os.fsencode(f"\0SOURCE_DATE_EPOCH={epoch}"))
    return digest.hexdigest()


def data_hash(data: bytes) -> str:
    """The SHA-256 of an output's bytes, as a stamp records it."""
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str:
    """The SHA-256 of a file's bytes ("" when it does not exist)."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ""


class BuildCache:
    """The stamps of one output folder, kept in ``DIR/.report-export-cache.json``."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / STAMP_NAME
        # A cache that cannot be read or makes no sense is no cache: everything is rebuilt.
        self.stamps: dict[str, Stamp] = {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8", errors="surrogateescape"))
            if isinstance(raw, dict):
                self.stamps = {key: Stamp(**value) for key, value in raw.items()}
        except (OSError, ValueError, TypeError):
            self.stamps = {}
        self.changed = False
        self._dropped: set[Path] = set()

    @staticmethod
    def slot(source: Path, fmt: str) -> str:
        return f"{source.resolve()}::{fmt}"

    def fresh(self, source: Path, fmt: str, inputs: str) -> Path | None:
        """The output's path when it is up to date with ``inputs``, else None."""
        stamp = self.stamps.get(self.slot(source, fmt))
        if stamp is None or stamp.inputs != inputs:
            return None
        path = Path(stamp.path)
        if file_hash(path) != stamp.output:
            return None
        beside = zip(stamp.beside_paths(), stamp.beside.values(), strict=True)
        return path if all(file_hash(file) == digest for file, digest in beside) else None

    def record(
        self,
        source: Path,
        fmt: str,
        inputs: str,
        path: Path,
        output: str,
        beside: Mapping[str, str] | None = None,
    ) -> None:
        """Note that ``path`` (whose bytes hash to ``output``) was built from ``inputs``, with
        the files ``beside`` it (name -> hash)."""
        self.changed = True
        slot = self.slot(source, fmt)
        old = self.stamps.get(slot)
        if old is not None:
            self._dropped.update(old.beside_paths())
        self.stamps[slot] = Stamp(inputs, str(path), output, dict(beside or {}))

    def wrote_beside(self, file: Path) -> bool:
        """Whether a recorded build kept ``file`` beside one of its outputs."""
        return any(file in stamp.beside_paths() for stamp in self.stamps.values())

    def remove_dropped(self) -> None:
        """Remove the files kept beside an output by its previous build that its new build
        no longer keeps (an image since changed or gone), unless another output keeps them."""
        kept = {file for stamp in self.stamps.values() for file in stamp.beside_paths()}
        for file in sorted(self._dropped - kept):
            with contextlib.suppress(OSError):
                file.unlink()
        self._dropped.clear()

    def save(self) -> None:
        """Write the stamps, if any was recorded since the cache was read or last saved."""
        if not self.changed:
            return
        data = {key: dataclasses.asdict(stamp) for key, stamp in sorted(self.stamps.items())}
        text = json.dumps(data, indent=1, ensure_ascii=False)
        # The outputs are written; a cache that could not be (a full disk), or that a power
        # cut leaves empty (it is not synced), only costs a rebuild next time: the old stamps
        # no longer match the outputs' hashes, and an unreadable cache is none.
        with contextlib.suppress(ReportExportError):
            write_atomic(self.path, text.encode("utf-8", "surrogateescape"), sync=False)
            self.changed = False
