"""Themes: the default loads; a broken theme file is an error that names it; a custom theme
given with ``build --theme PATH`` drives the PDF (its grid, running head and page numbers)."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from report_export.errors import ReportExportError
from report_export.resources import styles_dir
from report_export.theme import PT_PER_MM, load_theme, resolve_theme

from .conftest import FIXTURES, run_cli, tool

DEFAULT = styles_dir() / "default.toml"


def test_the_default_theme_loads() -> None:
    theme = load_theme()
    assert theme.path == DEFAULT
    assert (theme.page.width_mm, theme.page.height_mm) == (210, 297)
    assert theme.fonts.body[0] == "Noto Serif CJK SC"
    assert theme.fonts.heading[0] == "Noto Sans CJK SC"
    assert theme.header.running_head == "title"
    assert "{page}" in theme.footer.page_number and "{pages}" in theme.footer.page_number
    # The text block is a whole number of body characters; the sides share the rest.
    assert theme.text_width_pt == theme.page.chars_per_line * theme.text.size_pt
    page_width = theme.page.width_mm * PT_PER_MM
    margins = theme.margin_left_pt + theme.margin_right_pt
    assert margins + theme.text_width_pt == pytest.approx(page_width)
    assert load_theme("default") == theme == load_theme(str(DEFAULT))


def _theme_file(tmp_path: Path, edit: str = "", drop: str = "") -> Path:
    """A copy of the default theme with ``drop`` (a line's start) removed and ``edit`` appended
    to the table it names (``[text]\\nsize_pt = 11`` replaces that key)."""
    text = DEFAULT.read_text(encoding="utf-8")
    if drop:
        text = "\n".join(line for line in text.splitlines() if not line.startswith(drop))
    if edit:
        table, _, assignment = edit.partition("\n")
        key = assignment.split("=")[0].strip()
        head, sep, rest = text.partition(table + "\n")
        assert sep, f"no table {table} in the default theme"
        rest = "\n".join(line for line in rest.splitlines() if not line.startswith(key + " "))
        text = f"{head}{table}\n{assignment}\n{rest}"
    path = tmp_path / "custom.toml"
    path.write_text(text + "\n", encoding="utf-8")
    tomllib.loads(path.read_text(encoding="utf-8"))  # the test itself wrote valid TOML
    return path


@pytest.mark.parametrize(
    ("edit", "drop", "message"),
    [
        ("[text]\nleading = 2", "", r"unknown key \[text\]\.leading"),
        ("[page]\nchars_per_line = 'many'", "", r"\[page\]\.chars_per_line must be"),
        ("[text]\nsize_pt = -12", "", r"\[text\]\.size_pt must be a number from 0 to 2000"),
        ("[text]\nalign = 'middle'", "", r"\[text\]\.align must be one of"),
        ("[fonts]\nbody = []", "", r"\[fonts\]\.body must be a non-empty list"),
        ("[fonts]\nbody = ['Noto Serif CJK SC', 12]", "", r"every item must be"),
        # Word takes an alternate font name whole: a list would be one name no font has.
        ("[fonts]\noffice = {'Noto Serif CJK SC' = 'SimSun, 宋体'}", "", r"\[fonts\.office\]"),
        ("[footer]\npage_number = '{page} of {total}'", "", r"may use only \{page\}"),
        ("[header]\nrunning_head = 'chapter'", "", r"running_head must be"),
        ("[page]\nchars_per_line = 60", "", r"wider than the page allows"),
        ("", "margin_top_mm", r"missing \[page\]\.margin_top_mm"),
        ("[colors]\nlink = 'blue'", "", r"\[colors\]\.link must be a colour as #rgb or #rrggbb"),
        ("[colors]\ntext = '#12345'", "", r"\[colors\]\.text must be a colour"),
        ("", "quote_rule", r"missing \[colors\]\.quote_rule"),
    ],
)
def test_a_wrong_key_or_value_names_the_theme_file(
    tmp_path: Path, edit: str, drop: str, message: str
) -> None:
    path = _theme_file(tmp_path, edit, drop)
    with pytest.raises(ReportExportError, match=message) as caught:
        load_theme(str(path))
    assert caught.value.path == path
    assert str(caught.value).startswith(f"{path}: ")


def test_an_unknown_top_level_key_and_a_missing_table_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "odd.toml"
    path.write_text("colour = 'red'\n" + DEFAULT.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ReportExportError, match="unknown key 'colour'") as caught:
        load_theme(str(path))
    assert caught.value.path == path
    no_footer = DEFAULT.read_text(encoding="utf-8").split("[footer]")[0]
    path.write_text(no_footer, encoding="utf-8")
    with pytest.raises(ReportExportError, match=r"missing table \[footer\]") as caught:
        load_theme(str(path))
    assert caught.value.path == path


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[page\nwidth_mm = 210\n", encoding="utf-8")
    with pytest.raises(ReportExportError, match="invalid theme") as caught:
        load_theme(str(path))
    assert caught.value.path == path


def test_a_missing_theme_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(ReportExportError, match="no such theme") as caught:
        load_theme(str(missing))
    assert caught.value.path == missing
    with pytest.raises(ReportExportError, match="default") as caught:
        load_theme("no-such-theme")
    assert caught.value.path == resolve_theme("no-such-theme")
    assert caught.value.path == styles_dir() / "no-such-theme.toml"


def test_a_theme_css_file_must_exist(tmp_path: Path) -> None:
    path = tmp_path / "with-css.toml"
    path.write_text('css = "extra.css"\n' + DEFAULT.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ReportExportError, match=r"'extra\.css' not found") as caught:
        load_theme(str(path))
    assert caught.value.path == path
    (tmp_path / "extra.css").write_text("h2 { color: #700; }\n", encoding="utf-8")
    assert load_theme(str(path)).css == tmp_path / "extra.css"


def test_the_command_line_reports_a_broken_theme_in_one_line(tmp_path: Path) -> None:
    path = _theme_file(tmp_path, "[text]\nalign = 'middle'")
    source = tmp_path / "report.md"
    source.write_text("---\ntitle: 主题测试\n---\n\n正文。\n", encoding="utf-8")
    result = run_cli("build", source, "--to", "pdf", "--out", tmp_path / "out", "--theme", path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert str(path) in result.stderr
    assert not (tmp_path / "out" / "report.pdf").exists()


# --- a custom theme drives the PDF -------------------------------------------------------


CUSTOM_CHARS = 30
CUSTOM_SIZE = 11.0


@pytest.fixture(scope="module")
def custom_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample report built with a custom theme: 30 characters of 11 pt a line, no running
    head, "- N -" page numbers, and an extra CSS file beside the theme."""
    folder = tmp_path_factory.mktemp("custom-theme")
    text = DEFAULT.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^chars_per_line = .*$", f"chars_per_line = {CUSTOM_CHARS}", text)
    text = re.sub(r"(?m)^size_pt = .*$", f"size_pt = {CUSTOM_SIZE}", text)
    text = re.sub(r"(?m)^running_head = .*$", 'running_head = ""', text)
    text = re.sub(r"(?m)^page_number = .*$", 'page_number = "- {page} -"', text)
    theme = folder / "theme" / "narrow.toml"
    theme.parent.mkdir()
    theme.write_text('css = "narrow.css"\n' + text, encoding="utf-8")
    (theme.parent / "narrow.css").write_text("h2 { color: #8b0000; }\n", encoding="utf-8")
    source = folder / "src" / "report.md"
    source.parent.mkdir()
    source.write_text(
        (FIXTURES / "pdf-sample.md").read_text(encoding="utf-8").replace("![办事流程", "[办事流程"),
        encoding="utf-8",
    )
    out = folder / "out"
    result = run_cli("build", source, "--to", "pdf", "--out", out, "--theme", theme)
    assert result.returncode == 0, result.stderr
    return out / "report.pdf", theme


def _lines(pdf: Path, page: int) -> list[tuple[float, float, str]]:
    """(xMin, xMax, text) of every text line of ``page``, as pdftotext lays them out."""
    xml = subprocess.run(
        [tool("pdftotext"), "-bbox-layout", "-f", str(page), "-l", str(page), pdf, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = []
    for match in re.finditer(
        r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>(.*?)</line>', xml, re.S
    ):
        words = "".join(re.findall(r">([^<]*)</word>", match.group(3)))
        lines.append((float(match.group(1)), float(match.group(2)), words))
    return lines


def test_build_with_a_custom_theme_sets_its_grid(custom_pdf: tuple[Path, Path]) -> None:
    pdf, theme_path = custom_pdf
    theme = load_theme(str(theme_path))
    width = CUSTOM_CHARS * CUSTOM_SIZE
    full = [(x0, x1) for x0, x1, _ in _lines(pdf, 2) if x1 - x0 > width - CUSTOM_SIZE]
    assert len(full) >= 5, "expected full lines of body text on page 2"
    for x0, x1 in full:
        assert x0 == pytest.approx(theme.margin_left_pt, abs=0.01)
        assert x1 - x0 <= width + 0.01


def test_build_with_a_custom_theme_sets_its_margins_texts(custom_pdf: tuple[Path, Path]) -> None:
    pdf, _ = custom_pdf
    text = subprocess.run(
        [tool("pdftotext"), pdf, "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"(?m)^-\s*{number}\s*-$", page), f"no page number on page {number}"
        assert "第 " not in page
    title = "城市公共服务数字化转型的实践路径与制度保障研究报告"
    assert all(title not in page for page in pages[1:]), "the theme turned the running head off"


def test_a_folder_or_unreadable_css_is_an_error_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    with pytest.raises(ReportExportError, match="cannot read the theme"):
        load_theme(str(folder))
    theme = _theme_file(tmp_path)
    (tmp_path / "extra.css").write_bytes(b"p { color: red } /* \xff */")
    theme.write_text('css = "extra.css"\n' + theme.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ReportExportError, match=r"extra\.css' cannot be read") as caught:
        load_theme(str(theme))
    assert str(theme) in str(caught.value)


def test_every_format_takes_its_colours_from_the_theme(tmp_path: Path) -> None:
    import zipfile

    from report_export.exporters.docx import DocxExporter, DocxOptions
    from report_export.exporters.epub.stylesheet import stylesheet
    from report_export.exporters.pdf import print_css
    from report_export.reader import read_text

    path = _theme_file(tmp_path, "[colors]\nlink = '#0a0B0c'")
    path.write_text(
        path.read_text(encoding="utf-8").replace('screen_rule = "#888888"', 'screen_rule = "#abc"'),
        encoding="utf-8",
    )
    theme = load_theme(str(path))
    assert "color: #0a0B0c;" in print_css(theme)
    assert "solid #abc;" in stylesheet(theme) and "#888888" not in stylesheet(theme)
    document = read_text("---\ntitle: 色\n---\n[链接](https://example.org)\n", tmp_path / "d.md")
    docx = tmp_path / "d.docx"
    docx.write_bytes(DocxExporter().render(document, theme, DocxOptions()))
    styles = zipfile.ZipFile(docx).read("word/styles.xml").decode("utf-8")
    hyperlink = styles[styles.index('w:styleId="Hyperlink"') :]
    assert re.match(r'[^>]*>.*?<w:color w:val="0A0B0C"/>', hyperlink, re.DOTALL)
