"""The web page, read back as a browser would: one file that needs nothing beside it (or its
images beside it, by option), its language, the contents, notes linked both ways, the theme's
tokens in its styles, the same bytes on every build, a damaged page caught by `verify`, and
Chromium's view of it on a phone, on a desktop and on paper. (The Nu HTML Checker's verdict on
every theme's pages is in test_checkers.py.)"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import lxml.html
import pytest
from PIL import Image as PillowImage
from pypdf import PdfReader

from report_export.html import footnote_id, footnote_ref_id
from report_export.model import Heading, walk_blocks
from report_export.reader import read_file
from report_export.theme import load_theme

from .checkers import vnu
from .conftest import RICH, SOURCE, Case, built, headless_chromium, run_cli


@pytest.fixture(scope="module")
def pages(every_output: dict[Case, Path]) -> dict[str, Path]:
    """The report's and the rich fixture's pages in the default theme."""
    return {name: built(every_output, (name, "default"), "html") for name in ("report", "rich")}


def page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def test_one_file_that_needs_nothing_beside_it(pages: dict[str, Path]) -> None:
    root = page(pages["rich"])
    assert pages["rich"].read_bytes().startswith(b'<!DOCTYPE html>\n<html lang="zh-CN">')
    images = root.findall(".//img")
    assert images and all(img.get("src").startswith("data:image/png;base64,") for img in images)
    assert all(img.get("alt") for img in images)
    assert not root.findall(".//link") and not root.findall(".//script")
    style = root.find(".//style")
    assert style is not None and "@media print" in style.text and "@media (max-width" in style.text
    viewport = root.find(".//meta[@name='viewport']")
    assert viewport is not None and "width=device-width" in viewport.get("content")


def test_the_theme_tokens_are_in_the_styles(pages: dict[str, Path]) -> None:
    css = page(pages["report"]).find(".//style").text
    assert '"Noto Serif CJK SC"' in css and '"Noto Sans CJK SC"' in css
    assert "text-indent: 2em" in css  # first_line_indent_chars
    assert "max-width: 34em" in css  # the character grid
    assert "size: 210mm 297mm" in css  # the theme's page, in print
    assert "$" not in re.sub(r"\$\$", "", css)  # every token filled
    # Every colour is one of the theme's, the dark scheme's included.
    colors = load_theme("default").colors
    theirs = {getattr(colors, name) for name in colors.__dataclass_fields__}
    assert set(re.findall(r"#[0-9a-fA-F]{3,6}\b", css)) <= theirs


def test_a_themes_colours_reach_the_page(tmp_path: Path) -> None:
    theme = tmp_path / "mine.toml"
    default = load_theme("default").path.read_text(encoding="utf-8")
    changed = default.replace('link = "#1d4f91"', 'link = "#123456"').replace(
        'dark_paper = "#161616"', 'dark_paper = "#010203"'
    )
    assert changed.count("#123456") == changed.count("#010203") == 1
    theme.write_text(changed, encoding="utf-8")
    done = run_cli("build", SOURCE, "--to", "html", "--theme", theme, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    css = page(tmp_path / "out" / "report.html").find(".//style").text
    assert "color: #123456" in css and "background: #010203" in css
    assert "#1d4f91" not in css and "#161616" not in css


def test_contents_list_every_heading_nested(pages: dict[str, Path]) -> None:
    root = page(pages["rich"])
    document = read_file(RICH)
    toc = root.find(".//nav[@class='toc']")
    assert toc is not None and toc.get("aria-labelledby") == "toc-title"
    targets = [a.get("href") for a in toc.iter("a")]
    headings = [block.id for block in walk_blocks(document.blocks) if isinstance(block, Heading)]
    assert targets == [f"#{ident}" for ident in headings]
    main = root.find(".//main")
    assert all(main.xpath(f".//*[@id='{ident}']") for ident in headings)
    # A level-2 heading's entry sits inside its level-1 heading's entry.
    assert toc.find("ol/li/ol/li/a") is not None


def test_notes_are_linked_both_ways(pages: dict[str, Path]) -> None:
    root = page(pages["rich"])
    document = read_file(RICH)
    assert document.footnotes
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    for note in document.footnotes:
        assert footnote_id(note.label) in ids and footnote_ref_id(note.label) in ids
        (entry,) = root.xpath(f"//li[@id='{footnote_id(note.label)}']")
        back = entry.find("a[@class='footnote-back']")
        assert back.get("href") == "#" + footnote_ref_id(note.label)
        assert back.get("role") == "doc-backlink"
    calls = root.xpath("//a[@class='footnote-ref']")
    assert calls and all(call.get("href")[1:] in ids for call in calls)


def test_the_same_bytes_on_every_build(pages: dict[str, Path], tmp_path: Path) -> None:
    done = run_cli("build", SOURCE, "--to", "html", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "report.html").read_bytes() == pages["report"].read_bytes()


def test_verify_reads_it_back_and_catches_a_changed_word(
    pages: dict[str, Path], tmp_path: Path
) -> None:
    done = run_cli("verify", SOURCE, "--to", "html", "--out", pages["report"].parent)
    assert done.returncode == 0, done.stdout
    text = pages["report"].read_text(encoding="utf-8")
    paragraph = re.search(r"<p>([^<]{12})", text)
    assert paragraph is not None
    original = paragraph.group(1)
    (tmp_path / "report.html").write_text(
        text.replace(original, original[:5] + "错" + original[6:], 1), encoding="utf-8"
    )
    done = run_cli("verify", SOURCE, "--to", "html", "--out", tmp_path)
    assert done.returncode == 1
    assert "html" in done.stdout and "FAILED" in done.stdout and "错" in done.stdout


# --- images beside the page ------------------------------------------------------------------


def test_images_beside_the_page(tmp_path: Path) -> None:
    """``-O images=beside``: each image a file next to the page, named by its name and bytes;
    a changed image gets a new name and the old file goes; back to ``embed``, none is left."""
    source = tmp_path / "src" / "report.md"
    shutil.copytree(RICH.parent, source.parent)
    out = tmp_path / "out"

    def build(*options: str) -> Path:
        flags = [flag for option in options for flag in ("-O", option)]
        done = run_cli("build", source, "--to", "html", *flags, "--out", out)
        assert done.returncode == 0, done.stderr
        return out / "report.html"

    def beside() -> set[str]:
        return {path.name for path in out.iterdir() if path.suffix == ".png"}

    html = build("images=beside")
    srcs = [img.get("src") for img in page(html).iter("img")]
    expected = {
        name: f"{name}-{hashlib.sha256(data).hexdigest()[:12]}.png"
        for name in ("landscape", "portrait")
        if (data := (source.parent / f"{name}.png").read_bytes())
    }
    assert srcs == [expected["landscape"], expected["portrait"]]
    assert beside() == set(srcs)
    for name, file in expected.items():
        assert (out / file).read_bytes() == (source.parent / f"{name}.png").read_bytes()
    done = run_cli("verify", source, "--to", "html", "--out", out)
    assert done.returncode == 0, done.stdout
    assert vnu([html]) == {html: []}

    first = html.read_bytes()
    assert build("images=beside").read_bytes() == first  # up to date, the same bytes
    (out / expected["portrait"]).unlink()
    done = run_cli("verify", source, "--to", "html", "--out", out)
    assert done.returncode == 1 and expected["portrait"] in done.stdout
    assert build("images=beside").read_bytes() == first and beside() == set(srcs)  # rebuilt

    PillowImage.new("RGB", (300, 200), "white").save(source.parent / "portrait.png")
    build("images=beside")
    assert expected["portrait"] not in beside() and expected["landscape"] in beside()
    assert len(beside()) == 2

    build()
    assert beside() == set()
    assert all(img.get("src").startswith("data:") for img in page(out / "report.html").iter("img"))


def test_an_image_beside_never_replaces_a_file_no_build_wrote(tmp_path: Path) -> None:
    source = tmp_path / "report.md"
    shutil.copytree(RICH.parent, tmp_path, dirs_exist_ok=True)
    digest = hashlib.sha256((tmp_path / "portrait.png").read_bytes()).hexdigest()[:12]
    mine = tmp_path / f"portrait-{digest}.png"
    mine.write_bytes(b"someone else's file")
    done = run_cli("build", source, "--to", "html", "-O", "images=beside", "--out", tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert str(mine) in done.stderr and "no build wrote" in done.stderr
    assert mine.read_bytes() == b"someone else's file"
    assert not (tmp_path / "report.html").exists()


# --- in Chromium: a phone, a desktop, paper --------------------------------------------------


def screenshot(page_path: Path, folder: Path, width: int) -> PillowImage.Image:
    shot = folder / f"{width}.png"
    headless_chromium(
        folder / f"profile-{width}",
        [
            "--hide-scrollbars", f"--window-size={width},1800", f"--screenshot={shot}",
            page_path.as_uri(),
        ],
    )  # fmt: skip
    return PillowImage.open(shot).convert("RGB")


def inked(image: PillowImage.Image, box: tuple[int, int, int, int]) -> bool:
    """Whether anything darker than the paper is painted inside ``box``."""
    return image.crop(box).convert("L").getextrema()[0] < 200


def test_a_phone_and_a_desktop(pages: dict[str, Path], tmp_path: Path) -> None:
    """At 390 px the page is one column and nothing reaches the screen's right edge (the long
    table scrolls in its frame); at 1280 px the contents stand in a column of their own left
    of the text."""
    phone = screenshot(pages["rich"], tmp_path, 390)
    assert phone.width == 390
    assert not inked(phone, (phone.width - 8, 0, phone.width, phone.height))
    assert inked(phone, (300, 0, phone.width - 8, phone.height))  # text across the width

    desktop = screenshot(pages["rich"], tmp_path, 1280)
    # The contents' entries, at the left edge, beside the title in the same band of rows.
    assert inked(desktop, (0, 0, 300, 400)) and inked(desktop, (400, 0, 1280, 150))
    # A phone shows the contents under the title: nothing in the title's band at the left.
    assert not inked(phone, (0, 0, 12, 150))


def test_on_paper(pages: dict[str, Path], tmp_path: Path) -> None:
    """Printed, the page is the theme's A4 page, without the contents or the skip link, and a
    link's address is printed after it."""
    pdf = tmp_path / "printed.pdf"
    headless_chromium(
        tmp_path / "profile",
        ["--no-pdf-header-footer", f"--print-to-pdf={pdf}", pages["rich"].as_uri()],
    )
    reader = PdfReader(pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (
        210,
        297,
    )
    text = "".join(page.extract_text() for page in reader.pages)
    assert "目录" not in text and "跳到正文" not in text
    assert "<https://example.org/toolkit>" in text.replace("\n", "")
