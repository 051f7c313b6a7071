"""Every output passes the field's own checkers, for the report and for a rich fixture, in every
installed theme: PDF/UA-1 (outloud), EPUB (epubcheck 5, DAISY Ace), DOCX (openxml-audit).
A checker that finds anything fails the test with everything it said about that file.

No PDF/A validator is to be had here (veraPDF is in no registry we reach): what pypdf can see
of PDF/A-2b and -3b is checked by hand below, and outloud checks those files for PDF/UA-1,
which they claim too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from report_export.reader import read_text
from report_export.resources import styles_dir

from .checkers import BY_FORMAT, Findings, check_all
from .conftest import FIXTURES, SOURCE, make_sample, run_cli

THEMES = sorted(path.stem for path in styles_dir().glob("*.toml"))
"""Every installed theme: a new one is checked as soon as it is there."""

SOURCES = ("report", "rich")
CASES = [(source, theme) for source in SOURCES for theme in THEMES]
FORMATS = tuple(BY_FORMAT)
CHECKED = [(fmt, checker) for fmt, checkers in BY_FORMAT.items() for checker in checkers]
ARCHIVES = ("a-2b", "a-3b")
"""The PDF/A variants, built of the rich fixture besides the default PDF/UA-1."""


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rich fixture (every block and inline kind, notes, a table, an image) with its image."""
    return make_sample(tmp_path_factory.mktemp("rich"))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, rich: Path) -> dict[tuple[str, str], Path]:
    """The output folder of each (source, theme): every checked format built into it."""
    work = tmp_path_factory.mktemp("checked")
    sources = {"report": SOURCE, "rich": rich}
    folders = {}
    for source, theme in CASES:
        out = work / f"{source}-{theme}"
        # The rich sample with --toc: the PDF's contents page and the DOCX's are checked too.
        toc = ("--toc",) if source == "rich" else ()
        done = run_cli(
            "build", sources[source], "--theme", theme, "--to", ",".join(FORMATS), "--out", out,
            *toc,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        folders[source, theme] = out
    return folders


@pytest.fixture(scope="module")
def archives(rich: Path) -> dict[str, Path]:
    """The rich fixture as a PDF of each PDF/A variant."""
    source = rich
    pdfs = {}
    for variant in ARCHIVES:
        out = source.parent / f"rich-{variant}"
        done = run_cli("build", source, "--to", "pdf", "-O", f"pdf-variant={variant}", "--out", out)
        assert done.returncode == 0, done.stderr
        pdfs[variant] = out / "report.pdf"
    return pdfs


def output(outputs: dict[tuple[str, str], Path], case: tuple[str, str], fmt: str) -> Path:
    (path,) = outputs[case].glob(f"*.{fmt}")
    return path


@pytest.fixture(scope="module")
def verdicts(
    outputs: dict[tuple[str, str], Path], archives: dict[str, Path]
) -> dict[str, Findings]:
    """Every checker on every file it checks, the runs side by side."""
    files = {checker: [output(outputs, case, fmt) for case in CASES] for fmt, checker in CHECKED}
    files["outloud"] += archives.values()
    return check_all(files)


@pytest.mark.parametrize("case", CASES, ids=["-".join(case) for case in CASES])
@pytest.mark.parametrize(("fmt", "checker"), CHECKED, ids=[c for _, c in CHECKED])
def test_checker_finds_nothing(
    verdicts: dict[str, Findings],
    outputs: dict[tuple[str, str], Path],
    fmt: str,
    checker: str,
    case: tuple[str, str],
) -> None:
    findings = verdicts[checker][output(outputs, case, fmt)]
    assert findings == [], f"{checker} on {fmt}:\n" + "\n".join(findings)


@pytest.mark.parametrize("variant", ARCHIVES)
def test_pdfa_files_claim_pdfua_too_and_outloud_agrees(
    verdicts: dict[str, Findings], archives: dict[str, Path], variant: str
) -> None:
    findings = verdicts["outloud"][archives[variant]]
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
}


def xmp(reader: PdfReader) -> etree._Element:
    stream = reader.trailer["/Root"]["/Metadata"].get_object()
    assert stream["/Subtype"] == "/XML"
    return etree.fromstring(stream.get_data())


def fonts(resources: DictionaryObject) -> Iterator[DictionaryObject]:
    """Every font of a resource dictionary, those of its form XObjects included."""
    for font in resources.get("/Font", DictionaryObject()).values():
        yield font.get_object()
    for xobject in resources.get("/XObject", DictionaryObject()).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
            yield from fonts(xobject["/Resources"].get_object())


def embedded(font: DictionaryObject) -> bool:
    descriptor_of = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
    descriptor = descriptor_of.get("/FontDescriptor")
    if descriptor is None:  # a Type 3 font: its glyphs are in the file, as content streams
        return font["/Subtype"] == "/Type3"
    return any(key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3"))


@pytest.mark.parametrize("variant", ARCHIVES)
def test_pdfa_what_pypdf_can_check(archives: dict[str, Path], variant: str) -> None:
    """Identification and its schema in XMP, XMP agreeing with the document information, an
    sRGB output intent, every font embedded, no encryption, no JavaScript, no attachments in
    PDF/A-2, every annotation printable.

    Left unchecked (veraPDF's work): the fonts' internal consistency (widths, CIDSet, glyphs
    for every code used), colour spaces of images and drawing against the output intent,
    transparency groups, the XMP packet against the schemas' value types.
    """
    reader = PdfReader(archives[variant])
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
    title = meta.xpath("//dc:title/rdf:Alt/rdf:li/text()", namespaces=XMP)
    assert (
        title
        == [reader.metadata.title]
        == [
            read_text(
                (FIXTURES / "pdf-sample.md").read_text("utf-8"), FIXTURES / "pdf-sample.md"
            ).meta.title
        ]
    )
    creators = meta.xpath("//dc:creator/rdf:Seq/rdf:li/text()", namespaces=XMP)
    assert creators == [reader.metadata.author]

    (intent,) = root["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and profile.get_data()[36:40] == b"acsp"  # an RGB ICC profile

    seen = [font for page in reader.pages for font in fonts(page["/Resources"].get_object())]
    assert seen and all(embedded(font) for font in seen), [f["/BaseFont"] for f in seen]
    assert not reader.is_encrypted and "/Encrypt" not in reader.trailer
    names = root.get("/Names", DictionaryObject()).get_object()
    assert "/JavaScript" not in names and "/OpenAction" not in root
    if part == "2":
        assert "/EmbeddedFiles" not in names
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            assert annotation.get_object()["/F"] & 4  # printed


def test_the_default_pdf_claims_pdfua(outputs: dict[tuple[str, str], Path]) -> None:
    reader = PdfReader(output(outputs, CASES[0], "pdf"))
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
