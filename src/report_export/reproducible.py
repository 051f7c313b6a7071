"""Same input, same bytes: a fixed build timestamp, and zip archives free of clock noise."""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING

from .errors import ReportExportError

if TYPE_CHECKING:
    from .model import Document

_FALLBACK = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def document_date(document: Document) -> datetime.datetime:
    """The date the document claims to be of (its creation date in every format), never the
    clock and never where or when a copy of it was found.

    The front matter's ``date`` (``YYYY-MM`` and ``YYYY`` as their first day); else
    ``SOURCE_DATE_EPOCH``; else a fixed date.
    """
    if document.meta.date:
        year, month, day = [*document.meta.date.split("-"), "01", "01"][:3]
        return datetime.datetime(int(year), int(month), int(day), tzinfo=datetime.UTC)
    return source_date_epoch() or _FALLBACK


def build_timestamp(document: Document) -> datetime.datetime:
    """The time every output claims to be made (modified) at, UTC: ``SOURCE_DATE_EPOCH``
    (the reproducible-builds convention: the time of the source's last change), else the
    ``document_date``."""
    return source_date_epoch() or document_date(document)


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
    import zipfile  # only the zip formats need it, not every build that checks the epoch

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
