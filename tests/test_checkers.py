"""Every output passes the field's own checkers, for the report and for the rich fixture, in
every installed theme: PDF/UA-1 (outloud), EPUB (epubcheck 5, DAISY Ace), DOCX (openxml-audit),
HTML (the Nu HTML Checker). A checker that finds anything fails the test with everything it
said about that file.

No PDF/A validator is to be had here (veraPDF is in no registry we reach): what pypdf can see
of PDF/A-2b and -3b is checked by hand below, on the rich fixture in every theme, and outloud
checks those files for PDF/UA-1, which they claim too.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader
from pypdf.generic import BooleanObject, DictionaryObject

from report_export.reader import read_file

from .checkers import BY_FORMAT, Findings, check_all
from .conftest import RICH, SOURCE, SOURCES, Case, built, run_cli, themes, tool

CASES = [(source, theme) for source in SOURCES for theme in themes()]
CHECKED = [(fmt, checker) for fmt, checkers in BY_FORMAT.items() for checker in checkers]
ARCHIVES = ("a-2b", "a-3b")
"""The PDF/A variants, built of the rich fixture in every theme besides the default PDF/UA-1."""
ARCHIVE_CASES = [(variant, theme) for variant in ARCHIVES for theme in themes()]


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """The rich fixture as a PDF of each PDF/A variant, in each theme."""
    work = tmp_path_factory.mktemp("archives")

    def build(case: tuple[str, str]) -> Path:
        variant, theme = case
        out = work / f"{variant}-{theme}"
        done = run_cli(
            "build", RICH, "--to", "pdf", "--theme", theme, "-O", f"pdf-variant={variant}",
            "--out", out,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return out / "report.pdf"

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(ARCHIVE_CASES, pool.map(build, ARCHIVE_CASES), strict=True))


@pytest.fixture(scope="module")
def verdicts(
    every_output: dict[Case, Path], archives: dict[tuple[str, str], Path]
) -> dict[str, Findings]:
    """Every checker on every file it checks, the runs side by side."""
    files = {
        checker: [built(every_output, case, fmt) for case in CASES] for fmt, checker in CHECKED
    }
    files["outloud"] += archives.values()
    return check_all(files)


@pytest.mark.parametrize("case", CASES, ids=["-".join(case) for case in CASES])
@pytest.mark.parametrize(("fmt", "checker"), CHECKED, ids=[c for _, c in CHECKED])
def test_checker_finds_nothing(
    verdicts: dict[str, Findings],
    every_output: dict[Case, Path],
    fmt: str,
    checker: str,
    case: Case,
) -> None:
    findings = verdicts[checker][built(every_output, case, fmt)]
    assert findings == [], f"{checker} on {fmt}:\n" + "\n".join(findings)


@pytest.mark.parametrize("case", ARCHIVE_CASES, ids=["-".join(case) for case in ARCHIVE_CASES])
def test_pdfa_files_claim_pdfua_too_and_outloud_agrees(
    verdicts: dict[str, Findings], archives: dict[tuple[str, str], Path], case: tuple[str, str]
) -> None:
    findings = verdicts["outloud"][archives[case]]
    assert findings == [], "\n".join(findings)


# --- PDF/A: what pypdf can check ---------------------------------------------------------------

XMP = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
}


def xmp(reader: PdfReader) -> etree._Element:
    stream = reader.trailer["/Root"]["/Metadata"].get_object()
    assert stream["/Subtype"] == "/XML"
    return etree.fromstring(stream.get_data())


def resources(reader: PdfReader) -> Iterator[DictionaryObject]:
    """Every resource dictionary of the file: each page's and each form XObject's in them."""
    pending = [page["/Resources"].get_object() for page in reader.pages]
    while pending:
        found = pending.pop()
        yield found
        for xobject in found.get("/XObject", DictionaryObject()).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                pending.append(xobject["/Resources"].get_object())


def images(reader: PdfReader) -> Iterator[DictionaryObject]:
    """Every image XObject of the file, with its soft mask."""
    for found in resources(reader):
        for xobject in found.get("/XObject", DictionaryObject()).values():
            image = xobject.get_object()
            while image is not None and image.get("/Subtype") == "/Image":
                yield image
                image = image.get("/SMask")
                image = image.get_object() if image is not None else None


def embedded(font: DictionaryObject) -> bool:
    descriptor_of = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
    descriptor = descriptor_of.get("/FontDescriptor")
    if descriptor is None:  # a Type 3 font: its glyphs are in the file, as content streams
        return font["/Subtype"] == "/Type3"
    return any(key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3"))


BLEND_MODES = {
    "/Normal", "/Compatible", "/Multiply", "/Screen", "/Overlay", "/Darken", "/Lighten",
    "/ColorDodge", "/ColorBurn", "/HardLight", "/SoftLight", "/Difference", "/Exclusion",
    "/Hue", "/Saturation", "/Color", "/Luminosity",
}  # fmt: skip
"""The blend modes of the PDF specification, the only ones PDF/A-2 (6.2.10) allows."""

INFO_IN_XMP = {
    "/Title": "//dc:title/rdf:Alt/rdf:li/text()",
    "/Author": "//dc:creator/rdf:Seq/rdf:li/text()",
    "/Subject": "//dc:description/rdf:Alt/rdf:li/text()",
    "/Keywords": "//pdf:Keywords/text()",
    "/Creator": "//xmp:CreatorTool/text()",
    "/Producer": "//rdf:Description/@pdf:Producer",
}
"""Each document-information entry and where PDF/A (6.6.2.2) wants the same value in XMP."""


@pytest.mark.parametrize("case", ARCHIVE_CASES, ids=["-".join(case) for case in ARCHIVE_CASES])
def test_pdfa_what_pypdf_can_check(
    archives: dict[tuple[str, str], Path], case: tuple[str, str]
) -> None:
    """Identification and its schema in XMP, XMP agreeing with the document information, a
    file identifier, an sRGB output intent, every font embedded (CID fonts with their glyph
    map), images unsmoothed and without alternates, graphics states without transfer
    functions, halftones or unknown blend modes, no encryption, no JavaScript, no
    attachments in PDF/A-2, every annotation printable.

    Left unchecked (veraPDF's work): the fonts' internal consistency (widths, CIDSet, glyphs
    for every code used), colour spaces of images and drawing against the output intent,
    the transparency groups' blending colour spaces, the XMP packet against the schemas'
    value types. PDF/A-2 and -3 allow transparency, so its use is not a fault.
    """
    variant = case[0]
    reader = PdfReader(archives[case])
    root = reader.trailer["/Root"]
    meta = xmp(reader)
    part, conformance = variant[2], variant[3].upper()
    assert meta.xpath("//rdf:Description/@pdfaid:part", namespaces=XMP) == [part]
    assert meta.xpath("//rdf:Description/@pdfaid:conformance", namespaces=XMP) == [conformance]
    assert meta.xpath("//rdf:Description/@pdfuaid:part", namespaces=XMP) == ["1"]
    # PDF/A-2 and -3 accept a schema outside the XMP specification only when it is described.
    described = meta.xpath(
        "//pdfaExtension:schemas//pdfaSchema:namespaceURI/text()", namespaces=XMP
    )
    assert described == [XMP["pdfuaid"]]
    info = reader.trailer["/Info"].get_object()
    assert info["/Title"] == read_file(RICH).meta.title
    for key, path in INFO_IN_XMP.items():
        assert meta.xpath(path, namespaces=XMP) == ([str(info[key])] if key in info else [])
    assert len(reader.trailer["/ID"]) == 2

    (intent,) = root["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and profile.get_data()[36:40] == b"acsp"  # an RGB ICC profile

    fonts = [
        font.get_object()
        for found in resources(reader)
        for font in found.get("/Font", DictionaryObject()).values()
    ]
    assert fonts and all(embedded(font) for font in fonts), [f["/BaseFont"] for f in fonts]
    for font in fonts:
        for cid_font in font.get("/DescendantFonts", []):
            cid_font = cid_font.get_object()
            if cid_font["/Subtype"] == "/CIDFontType2":
                assert "/CIDToGIDMap" in cid_font, font["/BaseFont"]
    found_images = list(images(reader))
    assert found_images  # the rich fixture has two
    for image in found_images:
        # (a pypdf BooleanObject is true whatever its value)
        assert image.get("/Interpolate", BooleanObject(False)).value is False
        assert "/Alternates" not in image and "/OPI" not in image
    for found in resources(reader):
        for state in found.get("/ExtGState", DictionaryObject()).values():
            state = state.get_object()
            assert "/TR" not in state and "/HTP" not in state
            assert state.get("/TR2", "/Default") == "/Default"
            assert state.get("/BM", "/Normal") in BLEND_MODES
    assert not reader.is_encrypted and "/Encrypt" not in reader.trailer
    names = root.get("/Names", DictionaryObject()).get_object()
    assert "/JavaScript" not in names and "/OpenAction" not in root and "/AA" not in root
    if part == "2":
        assert "/EmbeddedFiles" not in names
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            assert annotation.get_object()["/F"] & 4  # printed


MARKER_ALONE = re.compile(r"^\s*(?:[•◦▪·]|\d+[.)])\s*$", re.MULTILINE)
"""A line of a PDF's text that is a list marker and nothing else."""


def test_markers_and_images_are_painted_in_the_tag_order_and_look_the_same(
    every_output: dict[Case, Path], tmp_path: Path
) -> None:
    """WeasyPrint paints list markers and images after the page's text; the tagged PDF paints
    them in the tag tree's order (outloud's ORD-001 checks the order), so a copy of its text
    has each marker with its item. Untagged, nothing is moved: its pages look the same."""
    tagged = built(every_output, ("rich", "default"), "pdf")
    done = run_cli(
        "build", RICH, "--to", "pdf", "-O", "tagged=no", "-O", "pdf-variant=none",
        "--out", tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    untagged = tmp_path / "report.pdf"

    def text(path: Path) -> str:
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)

    assert MARKER_ALONE.search(text(untagged))  # WeasyPrint's order: the markers apart
    assert not MARKER_ALONE.search(text(tagged)), MARKER_ALONE.findall(text(tagged))
    for name, path in (("tagged", tagged), ("untagged", untagged)):
        subprocess.run(
            [tool("pdftoppm"), "-png", "-r", "40", str(path), str(tmp_path / name)], check=True
        )
    pages = sorted(tmp_path.glob("tagged-*.png"))
    assert pages
    for page in pages:
        assert page.read_bytes() == (tmp_path / f"un{page.name}").read_bytes(), page.name


def test_the_default_pdf_claims_pdfua(every_output: dict[Case, Path]) -> None:
    reader = PdfReader(built(every_output, CASES[0], "pdf"))
    meta = xmp(reader)
    assert meta.xpath("//rdf:Description/@pdfuaid:part", namespaces=XMP) == ["1"]
    assert meta.xpath("//rdf:Description/@pdfaid:part", namespaces=XMP) == []
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert root["/Lang"] == "zh-CN"


def test_no_variant_claims_nothing(tmp_path: Path) -> None:
    done = run_cli("build", SOURCE, "--to", "pdf", "-O", "pdf-variant=none", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    reader = PdfReader(tmp_path / "report.pdf")
    assert "/Metadata" not in reader.trailer["/Root"]
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # still tagged


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("pdf-variant=a-4",), "option 'pdf-variant' wants one of ua-1, a-2b, a-3b, none"),
        (("tagged=no",), "pdf-variant=ua-1 needs a tagged PDF"),
        (("tagged=no", "pdf-variant=a-2b"), "pdf-variant=a-2b needs a tagged PDF"),
    ],
)
def test_a_variant_that_cannot_be_is_refused(
    tmp_path: Path, options: tuple[str, ...], message: str
) -> None:
    flags = [flag for option in options for flag in ("-O", option)]
    done = run_cli("build", SOURCE, "--to", "pdf", *flags, "--out", tmp_path)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.splitlines()) == 1
    assert not (tmp_path / "report.pdf").exists()
