"""Same input, same bytes: a fixed build timestamp, and zip archives free of clock noise."""

from __future__ import annotations

import datetime
import io
import os
import zipfile
from collections.abc import Callable, Collection, Mapping

from .model import Document

_FALLBACK = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def build_timestamp(document: Document) -> datetime.datetime:
    """The time every output claims to be made at (UTC), never the clock.

    ``SOURCE_DATE_EPOCH`` wins (the reproducible-builds convention); else the front matter's
    ``date``; else the provenance's upload date; else a fixed date.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
    provenance = dict(document.meta.provenance)
    for text in (document.meta.date, provenance.get("uploaded", ""), provenance.get("date", "")):
        try:
            day = datetime.date.fromisoformat(text.strip()[:10])
        except ValueError:
            continue
        return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
    return _FALLBACK


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
