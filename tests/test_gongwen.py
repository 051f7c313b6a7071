"""The gongwen theme measured on the page, as GB/T 9704-2012 sets it: the PDF read back with
``pdftotext -bbox-layout`` and ``pdffonts``, and LibreOffice's PDF of the DOCX the same way.

The text block is A4 with a 37 mm top and 28 mm left margin, 156 x 225 mm, 22 lines of 28
characters; the page number "— N —" is 7 mm below the block, right on odd pages and left on
even ones, one character from the block's edge.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from report_export.theme import PT_PER_MM, load_theme

from .conftest import SOURCES, Case, built, run_cli, tool

MM = PT_PER_MM
TOLERANCE = 0.5 * MM
"""Every position within half a millimetre."""
CASE: Case = ("report", "gongwen")
THEME = load_theme("gongwen")
TOP, LEFT = 37 * MM, 28 * MM
WIDTH, HEIGHT = 156 * MM, 225 * MM
PITCH = HEIGHT / 22
NUMBER = re.compile(r"—\s*(\d+)\s*—")


@dataclass(frozen=True)
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def page_lines(pdf: Path) -> list[list[Line]]:
    """Each page's visual lines: pdftotext's lines joined where they share a baseline (a
    compressed punctuation pair may split one)."""
    out = subprocess.run(
        [tool("pdftotext"), "-bbox-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        found = re.findall(
            r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>',
            page,
            re.S,
        )
        merged: list[Line] = []
        for x0, y0, x1, y1, body in sorted(found, key=lambda f: (float(f[3]), float(f[0]))):
            text = "".join(re.findall(r">([^<]*)</word>", body))
            line = Line(float(x0), float(y0), float(x1), float(y1), text)
            if merged and abs(merged[-1].y1 - line.y1) < 1:
                last = merged[-1]
                line = Line(last.x0, last.y0, line.x1, line.y1, last.text + line.text)
                merged[-1] = line
            else:
                merged.append(line)
        pages.append(merged)
    return pages


def measure(pdf: Path, glyphs_at_foot: bool) -> None:
    """The block, the grid and the page numbers of a PDF in the gongwen theme.

    ``glyphs_at_foot``: where a renderer sets a line's glyphs in its grid line — WeasyPrint in
    the middle (CSS's half-leading), Word and LibreOffice at its foot (the leading above)."""
    pages = page_lines(pdf)
    assert len(pages) >= 4
    full_pages = 0
    for number, lines in enumerate(pages, start=1):
        *body, folio = lines
        # The page number: "— N —", 7 mm below the block, on the outside, a character in.
        assert NUMBER.fullmatch(folio.text.replace(" ", "")), folio.text
        assert int(NUMBER.fullmatch(folio.text.replace(" ", "")).group(1)) == number
        assert folio.y0 == pytest.approx(TOP + HEIGHT + 7 * MM, abs=TOLERANCE)
        if number % 2:
            assert folio.x1 == pytest.approx(LEFT + WIDTH - 14, abs=TOLERANCE)
        else:
            assert folio.x0 == pytest.approx(LEFT + 14, abs=TOLERANCE)
        # The text block: every line inside it, full lines flush with both edges.
        for line in body:
            assert line.x0 >= LEFT - TOLERANCE and line.x1 <= LEFT + WIDTH + TOLERANCE
        for line in body:
            if (
                len(line.text) == 28
                and line.text.isascii() is False
                and not any(c.isascii() for c in line.text)
            ):
                assert line.x0 == pytest.approx(LEFT, abs=TOLERANCE)
                assert line.x1 == pytest.approx(LEFT + WIDTH, abs=TOLERANCE)
        if number == 1 or len(body) < 22:
            continue
        # A full page: 22 lines on the grid, from the block's top to its foot.
        full_pages += 1
        assert len(body) == 22
        first, last = body[0], body[-1]
        middle = (first.y0 + first.y1) / 2
        top = first.y1 - PITCH if glyphs_at_foot else middle - PITCH / 2
        assert top == pytest.approx(TOP, abs=TOLERANCE)
        assert last.y1 - first.y1 == pytest.approx(21 * PITCH, abs=TOLERANCE)
        assert top + 22 * PITCH == pytest.approx(TOP + HEIGHT, abs=TOLERANCE)
        assert max(len(line.text) for line in body if not any(c.isascii() for c in line.text)) == 28
    assert full_pages >= 2


def fonts(pdf: Path) -> str:
    return subprocess.run(
        [tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout


def test_the_pdf_measures_as_the_standard(every_output: dict[Case, Path]) -> None:
    pdf = built(every_output, CASE, "pdf")
    measure(pdf, glyphs_at_foot=False)
    faces = fonts(pdf)
    assert "FandolFang" in faces  # 仿宋 body
    assert "FandolHei" in faces  # 黑体 level 1
    assert "Noto-Serif-CJK-SC-Bold" in faces  # the 小标宋 stand-in


@pytest.fixture(scope="module")
def libreoffice_pdf(
    every_output: dict[Case, Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """LibreOffice's PDF of the report's DOCX in the theme."""
    folder = tmp_path_factory.mktemp("libreoffice")
    profile = folder / "profile"
    subprocess.run(
        [
            tool("soffice"),
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(built(every_output, CASE, "docx")),
        ],
        capture_output=True,
        check=True,
        timeout=180,
    )
    return folder / "report.pdf"


def test_libreoffice_sets_the_docx_as_the_pdf(libreoffice_pdf: Path) -> None:
    measure(libreoffice_pdf, glyphs_at_foot=True)
    assert "FandolFang" in fonts(libreoffice_pdf)


TYPED = ("一、选题的由来", "1、以推进工程项目为纽带的联建模式")
"""Two headings of the report as its author typed them, levels 1 and 2."""
SCHEMED = ("一、选题的由来", "（一）以推进工程项目为纽带的联建模式")
"""The same headings numbered as the standard writes them (``[headings].numbering``)."""


def test_headings_are_numbered_as_the_standard_writes_them(
    every_output: dict[Case, Path], libreoffice_pdf: Path
) -> None:
    import pypdf

    pdf = built(every_output, CASE, "pdf")
    for shown in (pdf, libreoffice_pdf):
        lines = {line.text.replace(" ", "") for page in page_lines(shown) for line in page}
        assert set(SCHEMED) <= lines, shown
        assert TYPED[1] not in lines
    outline = [item.title for item in pypdf.PdfReader(pdf).outline if not isinstance(item, list)]
    assert outline[:2] == ["一、选题的由来", "二、实践的深化"]
    nested = next(item for item in pypdf.PdfReader(pdf).outline if isinstance(item, list))
    assert nested[0].title == SCHEMED[1]
    # The text output keeps the numbers as typed.
    text = built(every_output, CASE, "txt").read_text("utf-8")
    assert all(heading in text for heading in TYPED) and SCHEMED[1] not in text


def test_headings_are_set_in_two_characters_as_paragraphs_are(
    every_output: dict[Case, Path], libreoffice_pdf: Path
) -> None:
    """左空二字: a heading's first character stands where an indented paragraph's does."""
    indent = LEFT + 2 * WIDTH / 28
    for shown in (built(every_output, CASE, "pdf"), libreoffice_pdf):
        lines = [line for page in page_lines(shown) for line in page]
        for heading in SCHEMED:
            (line,) = [line for line in lines if line.text.replace(" ", "") == heading]
            assert abs(line.x0 - indent) < TOLERANCE, (shown, heading, line.x0 / MM)
        opening = next(line for line in lines if line.text.startswith("建设交通系统担负着"))
        assert abs(opening.x0 - indent) < TOLERANCE, (shown, opening.x0 / MM)


@pytest.mark.parametrize("source", ["report", "rich"])
def test_the_outputs_verify(every_output: dict[Case, Path], source: str) -> None:
    """Against the model with the scheme's numbers (the report without --toc, the rich
    fixture with it)."""
    out = every_output[(source, "gongwen")]
    done = run_cli("verify", SOURCES[source], "--theme", "gongwen", "--out", out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(" ok ") == 5


def test_a_build_with_contents_verifies(tmp_path: Path) -> None:
    done = run_cli(
        "build", SOURCES["report"], "--theme", "gongwen", "--toc", "--verify", "--out", tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "（一）以推进工程项目为纽带的联建模式" in (tmp_path / "report.html").read_text("utf-8")


def test_body_glyphs_are_fangsong_and_the_title_the_stand_in(
    every_output: dict[Case, Path],
) -> None:
    """Which face draws which text, read from the content streams (pypdf's visitor)."""
    import pypdf

    reader = pypdf.PdfReader(built(every_output, CASE, "pdf"))
    faces: dict[str, int] = {}
    title_faces: set[str] = set()

    def visit(text: str, _cm: object, _tm: object, font: object, _size: object) -> None:
        if not text.strip() or not isinstance(font, dict):
            return
        name = str(font.get("/BaseFont", ""))
        faces[name] = faces.get(name, 0) + len(text)
        if any(piece in text for piece in ("建设交通系统党的工作", "模式研究报告")):
            title_faces.add(name)

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    body = max(faces, key=lambda name: faces[name])
    assert body.endswith("FandolFang")
    assert title_faces and all(name.endswith("Noto-Serif-CJK-SC-Bold") for name in title_faces)


def test_a_missing_theme_font_is_named_with_its_package(tmp_path: Path) -> None:
    theme = tmp_path / "styles" / "missing.toml"
    theme.parent.mkdir()
    text = (Path(THEME.path)).read_text(encoding="utf-8")
    theme.write_text(text.replace('"FandolFang", "Noto', '"No Such Fang", "Noto'), "utf-8")
    theme.write_text(
        theme.read_text("utf-8").replace(
            "[fonts.packages]\n", '[fonts.packages]\n"No Such Fang" = "fonts-no-such-fang"\n'
        ),
        "utf-8",
    )
    done = run_cli("build", "--theme", theme, "--to", "pdf", "--out", tmp_path / "out")
    assert done.returncode == 2
    assert "'No Such Fang'" in done.stderr and "fonts-no-such-fang" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_text_output_is_the_default_themes(every_output: dict[Case, Path]) -> None:
    for source in ("report", "rich"):
        ours = built(every_output, (source, "gongwen"), "txt").read_bytes()
        assert ours == built(every_output, (source, "default"), "txt").read_bytes()


def test_the_epub_names_the_themes_fonts(every_output: dict[Case, Path]) -> None:
    import zipfile

    with zipfile.ZipFile(built(every_output, CASE, "epub")) as book:
        css = "".join(
            book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".css")
        )
    for family in ("FandolFang", "FandolHei", "FandolKai", "Noto Serif CJK SC"):
        assert f'"{family}"' in css


def font_program_name(font: object) -> str:
    """The PostScript name inside a PDF font's embedded program (a subset's /BaseFont can name
    the family alone: "FandolHei" for its regular and its bold alike)."""
    import io

    from fontTools.ttLib import TTFont

    assert isinstance(font, dict)
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    data = descriptor["/FontFile3"].get_object().get_data()
    return str(TTFont(io.BytesIO(data))["name"].getDebugName(6))


def test_level_one_headings_are_heiti_regular(every_output: dict[Case, Path]) -> None:
    """黑体, not bold: fontconfig takes FandolHei-Bold (weight class 400) for the regular unless
    told its weight (scripts/fandol-weights.conf)."""
    import pypdf

    reader = pypdf.PdfReader(built(every_output, CASE, "pdf"))
    programs: set[str] = set()

    def visit(text: str, _cm: object, _tm: object, font: object, _size: object) -> None:
        if "选题的由来" in text:
            programs.add(font_program_name(font))

    for page in reader.pages[:2]:
        page.extract_text(visitor_text=visit)
    assert programs == {"FandolHei-Regular"}


def test_the_epub_carries_the_themes_faces(tmp_path: Path) -> None:
    """With --embed-fonts: 仿宋 for the body, 黑体 (regular) and 楷体 for levels 1 and 2, the
    stand-in for 小标宋 for the title, each cut to its text, first in its CSS stacks; 仿宋 has
    no bold, so level 3 names its regular and the reader emboldens it. epubcheck and Ace pass."""
    import io
    import zipfile

    from fontTools.ttLib import TTFont

    from .checkers import check_all

    done = run_cli(
        "build", "--theme", "gongwen", "--to", "epub", "--embed-fonts", "--out", tmp_path
    )
    assert done.returncode == 0, done.stderr
    epub = tmp_path / "report.epub"
    with zipfile.ZipFile(epub) as book:
        css = book.read("EPUB/style/book.css").decode("utf-8")
        programs = {
            name: TTFont(io.BytesIO(book.read(name)))
            for name in book.namelist()
            if name.startswith("EPUB/fonts/")
        }
    names = {
        name.removeprefix("EPUB/"): font["name"].getDebugName(6) for name, font in programs.items()
    }
    assert names == {
        "fonts/body.woff2": "FandolFang-Regular",
        "fonts/heading.woff2": "FandolHei-Regular",
        "fonts/kai.woff2": "FandolKai-Regular",
        "fonts/title-bold.woff2": "NotoSerifCJKsc-Bold",
        # Table heads and the navigation's headings: bold 黑体.
        "fonts/heading-bold.woff2": "FandolHei-Bold",
    }
    for font in programs.values():
        assert len(font.getGlyphOrder()) < 2000  # a subset: the fonts hold 7,000-65,000
    faces = dict(
        re.findall(r'font-family: "([^"]+)";\s*font-style: normal;\s*font-weight: (\w+)', css)
    )
    assert faces["FandolFang Subset"] == "normal"
    rules = dict(re.findall(r"\n([^\n{}]+) \{[^}]*?font-family: ([^;]+);", css))
    assert rules["body"].startswith('"FandolFang Subset", "FandolFang"')
    assert rules["h2"].startswith('"FandolHei Subset", "FandolHei"')
    assert rules["h3"].startswith('"FandolKai Subset", "FandolKai"')
    assert rules["h4"].startswith('"FandolFang Subset", "FandolFang"')
    assert rules["section.titlepage h1.title"].startswith('"Noto Serif CJK SC Subset"')
    found = check_all({"epubcheck": [epub], "ace": [epub]})
    assert found["epubcheck"][epub] == [] and found["ace"][epub] == [], found


def test_the_docx_names_an_offices_fonts(every_output: dict[Case, Path]) -> None:
    """Every East Asian face the DOCX's styles name is in its font table, with the name Word on
    a Chinese Windows knows a face of that kind by as its alternate (仿宋 for FandolFang …); the
    grid carries the 28 characters' pitch for Word's character grid."""
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(built(every_output, CASE, "docx")) as docx:
        styles = etree.fromstring(docx.read("word/styles.xml"))
        table = etree.fromstring(docx.read("word/fontTable.xml"))
        document = etree.fromstring(docx.read("word/document.xml"))
    named = {str(f.get(f"{w}eastAsia")) for f in styles.iter(f"{w}rFonts") if f.get(f"{w}eastAsia")}
    alt = {
        name: (node.get(f"{w}val") if (node := font.find(f"{w}altName")) is not None else None)
        for font in table.iter(f"{w}font")
        if (name := str(font.get(f"{w}name")))
    }
    assert named <= set(alt)
    assert {name: alt[name] for name in named} == {
        "FandolFang": "仿宋",
        "FandolHei": "黑体",
        "FandolKai": "楷体",
        "Noto Serif CJK SC": "宋体",
        "Noto Sans Mono CJK SC": None,  # code: no office face of its kind
    }
    (grid,) = document.iter(f"{w}docGrid")
    extra = int(str(grid.get(f"{w}charSpace")))
    assert 27.999 < WIDTH / (16 + extra / 4096) < 28.01
