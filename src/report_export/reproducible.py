"""Same input, same bytes: a fixed build timestamp, and zip archives free of clock noise."""

from __future__ import annotations

import datetime
import io
import os
import zipfile
from collections.abc import Callable, Collection, Mapping

from .errors import ReportExportError
from .model import Document

_FALLBACK = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def build_timestamp(document: Document) -> datetime.datetime:
    """The time every output claims to be made at (UTC), never the clock.

    ``SOURCE_DATE_EPOCH`` wins (the reproducible-builds convention); else the front matter's
    ``date``; else the provenance's upload date; else a fixed date.
    """
    epoch = source_date_epoch()
    if epoch is not None:
        return epoch
    provenance = dict(document.meta.provenance)
    for text in (document.meta.date, provenance.get("uploaded", ""), provenance.get("date", "")):
        try:
            day = datetime.date.fromisoformat(text.strip()[:10])
        except ValueError:
            continue
        return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
    return _FALLBACK


def source_date_epoch() -> datetime.datetime | None:
    """``SOURCE_DATE_EPOCH`` as a time, None when unset; a value that is not a whole number of
    seconds from 1970 to the end of 9999 (what every format's dates can hold) is an error."""
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not _EPOCH_MIN <= int(text) <= _EPOCH_MAX:
        raise ReportExportError(
            f"SOURCE_DATE_EPOCH={text[:30]!r}: not a whole number of seconds "
            f"from 0 to {_EPOCH_MAX} (9999-12-31)"
        )
    return datetime.datetime.fromtimestamp(int(text), tz=datetime.UTC)


_EPOCH_MIN = 0
_EPOCH_MAX = 253402300799


def normalize_zip(
    data: bytes,
    first: str | None = None,
    stored: Collection[str] = (),
    edits: Mapping[str, Callable[[bytes], bytes]] | None = None,
) -> bytes:
    """Rewrite a zip archive with fixed timestamps and permissions, entries in their original
    order except ``first`` moved to the front; entries in ``stored`` are not compressed; an
    entry named in ``edits`` is written as its function makes it."""
    edits = edits or {}
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        infos = source.infolist()
        if first is not None:
            infos.sort(key=lambda info: info.filename != first)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in infos:
                entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
                entry.external_attr = 0o644 << 16
                entry.create_system = 3  # unix, whatever machine builds it
                if info.filename in stored:
                    entry.compress_type = zipfile.ZIP_STORED
                else:
                    entry.compress_type = zipfile.ZIP_DEFLATED
                content = source.read(info.filename)
                if info.filename in edits:
                    content = edits[info.filename](content)
                target.writestr(entry, content, compresslevel=9)
    return out.getvalue()
