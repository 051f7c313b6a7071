"""The asset policy: which files an output may read (the source's own folder and the theme's,
nothing else), and what an image file must be.

A report is built from a Markdown file someone else may have written, so an image reference
is untrusted: ``http://…`` would make the build reach the network, ``../../etc/passwd`` or
``file:///home/…`` would copy a private file into a PDF or EPUB. Every format resolves what it
reads through here; anything outside the allowed folders is an error that names the reference.
Every format reads its images through ``read_image`` too, so a file whose bytes are not the
image its name says is refused the same way in each.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import ReportExportError
from .model import Document
from .resources import styles_dir

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
"""Image files a report may show, by extension, with their media type."""


def asset_roots(document: Document, *extra: Path) -> tuple[Path, ...]:
    """The folders files may be read from: the source's, the project's styles/, and ``extra``
    (a custom theme's folder, say), each resolved so symbolic links cannot lead out of them."""
    roots = [document.base_dir.resolve(), styles_dir().resolve(), *(p.resolve() for p in extra)]
    return tuple(dict.fromkeys(roots))


def resolve_asset(document: Document, src: str, roots: Sequence[Path] | None = None) -> Path:
    """The file an asset reference of the document (an image's ``src``) names.

    ``src`` is relative to the source's folder, or an absolute path or ``file:`` URL inside
    ``roots`` (by default ``asset_roots(document)``). Refused with a ``ReportExportError``
    naming ``src``: any other scheme (http, https, data, …), a path that leads out of the
    roots (``..``, a symbolic link), and a file that does not exist.
    """
    allowed = tuple(roots) if roots is not None else asset_roots(document)
    parts = urlsplit(src)
    if parts.scheme and not _is_drive(parts.scheme):
        if parts.scheme.lower() != "file":
            raise _refused(src, f"{parts.scheme}: URLs are never fetched", allowed)
        if parts.netloc not in ("", "localhost"):
            raise _refused(src, f"a file on another host ({parts.netloc})", allowed)
        path = _file_url_path(parts.path)
    elif parts.netloc:
        raise _refused(src, f"a reference to another host ({parts.netloc})", allowed)
    else:
        # The Markdown reader percent-encodes link destinations (a space, any non-ASCII).
        path = Path(unquote(parts.path))
        if not path.is_absolute():
            path = document.base_dir / path
    return _inside(src, path, allowed)


def resolve_url(url: str, roots: Sequence[Path]) -> Path:
    """The file an absolute ``file:`` URL names, if it is inside ``roots``; else refused.

    For renderers that resolve references themselves and hand over absolute URLs.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        raise _refused(url, f"{parts.scheme or 'relative'} URLs are never fetched", roots)
    if parts.netloc not in ("", "localhost"):
        raise _refused(url, f"a file on another host ({parts.netloc})", roots)
    return _inside(url, _file_url_path(parts.path), roots)


def _file_url_path(path: str) -> Path:
    """The local path of a ``file:`` URL's path part."""
    # Imported here: urllib.request brings in http.client and email (~90 M instructions),
    # which a build whose images are plain relative paths never needs.
    from urllib.request import url2pathname

    return Path(url2pathname(path))


def media_type(path: Path) -> str:
    """The media type of a file by its extension (images by our own table: the system's
    mimetypes database differs between machines)."""
    known = IMAGE_TYPES.get(path.suffix.lower())
    if known is not None:
        return known
    guessed, _ = mimetypes.guess_type(path.name, strict=False)
    return guessed or "application/octet-stream"


def image_type(src: str, path: Path) -> str:
    """The media type of an image file; an image format outputs cannot show is an error."""
    kind = IMAGE_TYPES.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(IMAGE_TYPES))
        raise ReportExportError(f"image {src!r}: unsupported type (use one of {known})")
    return kind


def sniff_image(data: bytes) -> str | None:
    """The media type a file's first bytes show, for the image types of ``IMAGE_TYPES``."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and re.search(rb"<svg[\s>]", head):
        return "image/svg+xml"
    return None


@dataclass(frozen=True, slots=True)
class ImageFile:
    """An image file of the document, read and checked."""

    path: Path
    media_type: str
    data: bytes


def read_image(document: Document, src: str, roots: Sequence[Path] | None = None) -> ImageFile:
    """The image ``src`` names, read from under ``roots`` (see ``resolve_asset``); its type by
    its name, which its first bytes must confirm."""
    path = resolve_asset(document, src, roots)
    declared = image_type(src, path)
    data = path.read_bytes()
    found = sniff_image(data)
    if found != declared:
        what = found or "not an image format a report may show"
        raise ReportExportError(f"image {src!r}: named as {declared}, but is {what}", path)
    return ImageFile(path, declared, data)


def data_uri(document: Document, src: str, roots: Sequence[Path] | None = None) -> str:
    """An image of the document as a ``data:`` URI (read as ``read_image`` reads it), for an
    output that holds its images."""
    image = read_image(document, src, roots)
    return f"data:{image.media_type};base64,{base64.b64encode(image.data).decode('ascii')}"


def _inside(src: str, path: Path, roots: Sequence[Path]) -> Path:
    if "\x00" in str(path):
        raise _refused(src, "it holds a NUL character", roots)
    resolved = path.resolve()
    if not any(resolved.is_relative_to(root) for root in roots):
        raise _refused(src, "it is outside the folders files may be read from", roots)
    if not resolved.is_file():
        raise ReportExportError(f"asset {src!r}: no such file ({resolved})")
    return resolved


def _refused(src: str, why: str, roots: Sequence[Path]) -> ReportExportError:
    folders = ", ".join(str(root) for root in roots)
    return ReportExportError(f"refused to read {src!r}: {why} (allowed: files under {folders})")


def _is_drive(scheme: str) -> bool:
    """``C:`` in ``C:/x.png`` is a Windows drive, not a URL scheme."""
    return len(scheme) == 1 and scheme.isalpha()
