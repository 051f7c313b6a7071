"""The asset policy: files under the source's folder and styles/ are read, nothing else is, and
an image's bytes must be the type its name says, in every format.

No test here reaches the network: a refused reference is refused before anything is opened,
and the one remote address used is under .invalid (RFC 2606), which never resolves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from report_export.assets import (
    asset_roots,
    image_type,
    media_type,
    read_image,
    resolve_asset,
    resolve_url,
    sniff_image,
)
from report_export.errors import ReportExportError
from report_export.exporters.docx import DocxExporter
from report_export.exporters.epub import EpubExporter
from report_export.exporters.pdf import PdfExporter
from report_export.model import Document, Metadata
from report_export.reader import read_text
from report_export.resources import styles_dir
from report_export.theme import load_theme

SVG = "image/svg+xml"


@pytest.fixture
def document(tmp_path: Path) -> Document:
    source = tmp_path / "report"
    (source / "figures").mkdir(parents=True)
    (source / "figures" / "流程 图.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (source / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("not for the PDF")
    return Document(meta=Metadata(title="报告", lang="zh-CN"), blocks=(), base_dir=source)


def test_relative_paths_resolve_inside_the_source_folder(document: Document) -> None:
    assert resolve_asset(document, "logo.svg") == (document.base_dir / "logo.svg").resolve()
    # The Markdown reader percent-encodes spaces and non-ASCII in a destination.
    encoded = "figures/%E6%B5%81%E7%A8%8B%20%E5%9B%BE.png"
    assert resolve_asset(document, encoded).name == "流程 图.png"
    assert resolve_asset(document, "figures/../logo.svg").name == "logo.svg"


def test_absolute_paths_and_file_urls_inside_the_roots_are_allowed(document: Document) -> None:
    logo = (document.base_dir / "logo.svg").resolve()
    assert resolve_asset(document, str(logo)) == logo
    assert resolve_asset(document, logo.as_uri()) == logo
    assert resolve_url(logo.as_uri(), asset_roots(document)) == logo
    # The project's styles/ is a root too (themes keep their CSS and fonts there).
    assert resolve_url((styles_dir() / "print.css").as_uri(), asset_roots(document)).is_file()


@pytest.mark.parametrize(
    "src",
    [
        "http://report-export.invalid/logo.png",
        "https://report-export.invalid/logo.png",
        "HTTP://report-export.invalid/logo.png",
        "ftp://report-export.invalid/logo.png",
        "//report-export.invalid/logo.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "file://report-export.invalid/etc/passwd",
    ],
)
def test_remote_and_inline_references_are_refused(document: Document, src: str) -> None:
    with pytest.raises(ReportExportError) as caught:
        resolve_asset(document, src)
    assert "refused" in str(caught.value)
    assert src in str(caught.value)


@pytest.mark.parametrize(
    "src",
    ["../secret.txt", "../../../../../../etc/passwd", "figures/../../secret.txt", "/etc/passwd"],
)
def test_paths_leading_out_of_the_source_folder_are_refused(document: Document, src: str) -> None:
    with pytest.raises(ReportExportError, match="refused") as caught:
        resolve_asset(document, src)
    assert repr(src) in str(caught.value)


def test_file_urls_outside_the_roots_are_refused(document: Document) -> None:
    secret = (document.base_dir.parent / "secret.txt").resolve()
    for reference in (secret.as_uri(), "file:///etc/passwd"):
        with pytest.raises(ReportExportError, match="refused"):
            resolve_asset(document, reference)
        with pytest.raises(ReportExportError, match="refused"):
            resolve_url(reference, asset_roots(document))


def test_a_symbolic_link_out_of_the_source_folder_is_refused(document: Document) -> None:
    link = document.base_dir / "innocent.png"
    link.symlink_to(document.base_dir.parent / "secret.txt")
    with pytest.raises(ReportExportError, match="refused"):
        resolve_asset(document, "innocent.png")


def test_only_file_urls_reach_the_file_system(document: Document) -> None:
    roots = asset_roots(document)
    for url in ("http://report-export.invalid/x.css", "data:text/css,p{}", "logo.svg"):
        with pytest.raises(ReportExportError, match="refused"):
            resolve_url(url, roots)


def test_a_missing_file_is_named(document: Document) -> None:
    with pytest.raises(ReportExportError, match="no such file") as caught:
        resolve_asset(document, "figures/missing.png")
    assert "figures/missing.png" in str(caught.value)


def test_extra_roots_widen_the_policy(document: Document, tmp_path: Path) -> None:
    theme_dir = tmp_path / "theme"
    theme_dir.mkdir()
    (theme_dir / "font.woff2").write_bytes(b"wOF2")
    url = (theme_dir / "font.woff2").as_uri()
    with pytest.raises(ReportExportError, match="refused"):
        resolve_url(url, asset_roots(document))
    assert resolve_url(url, asset_roots(document, theme_dir)).name == "font.woff2"


def test_media_types_do_not_depend_on_the_machine() -> None:
    assert media_type(Path("a.PNG")) == "image/png"
    assert media_type(Path("a.svg")) == "image/svg+xml"
    assert media_type(Path("a.css")) == "text/css"
    assert image_type("a.jpeg", Path("a.jpeg")) == "image/jpeg"
    with pytest.raises(ReportExportError, match="unsupported type"):
        image_type("a.tiff", Path("a.tiff"))


def test_a_nul_character_is_refused_not_a_traceback(document: Document) -> None:
    with pytest.raises(ReportExportError, match="NUL"):
        resolve_asset(document, "a\x00b.png")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"GIF89a", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\xef\xbb\xbf<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg'/>", SVG),
        (b"<!-- a drawing -->\n<svg>", SVG),
        (b"<html><body>not <b>svg</b></body></html>", None),
        (b"not an image", None),
    ],
)
def test_image_types_are_told_by_their_bytes(data: bytes, kind: str | None) -> None:
    assert sniff_image(data) == kind


def test_an_image_whose_bytes_are_not_its_type_is_refused_in_every_format(
    tmp_path: Path,
) -> None:
    (tmp_path / "fake.png").write_bytes(b"GIF89a\x01\x00\x01\x00")
    document = read_text("---\ntitle: 图\n---\n# 一\n\n![图](fake.png)\n", tmp_path / "doc.md")
    theme = load_theme()
    for exporter in (PdfExporter(), DocxExporter(), EpubExporter()):
        with pytest.raises(ReportExportError) as caught:
            exporter.render(document, theme, exporter.options_type())
        message = str(caught.value)
        assert "image 'fake.png': named as image/png, but is image/gif" in message, exporter.name
        assert str((tmp_path / "fake.png").resolve()) in message


def test_an_image_is_read_with_its_type(document: Document) -> None:
    image = read_image(document, "figures/%E6%B5%81%E7%A8%8B%20%E5%9B%BE.png")
    assert (image.media_type, image.data) == ("image/png", b"\x89PNG\r\n\x1a\n")
    assert image.path.name == "流程 图.png"
