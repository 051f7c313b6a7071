"""The web page, read back as a browser would: one file that needs nothing beside it, its
language, the contents, notes linked both ways, the theme's tokens in its styles, the same bytes
on every build, and a damaged page caught by `verify`. (The Nu HTML Checker's verdict is in
test_checkers.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from report_export.html import footnote_id, footnote_ref_id
from report_export.model import Heading, walk_blocks
from report_export.reader import read_file

from .conftest import SOURCE, make_sample, run_cli


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("html")
    pages = {}
    for name, source in (("report", SOURCE), ("rich", make_sample(work / "rich"))):
        done = run_cli("build", source, "--to", "html", "--out", work / name)
        assert done.returncode == 0, done.stderr
        pages[name] = work / name / "report.html"
    return pages


def page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def test_one_file_that_needs_nothing_beside_it(built: dict[str, Path]) -> None:
    root = page(built["rich"])
    assert built["rich"].read_bytes().startswith(b'<!DOCTYPE html>\n<html lang="zh-CN">')
    images = root.findall(".//img")
    assert images and all(img.get("src").startswith("data:image/png;base64,") for img in images)
    assert all(img.get("alt") for img in images)
    assert not root.findall(".//link") and not root.findall(".//script")
    style = root.find(".//style")
    assert style is not None and "@media print" in style.text and "@media (max-width" in style.text
    viewport = root.find(".//meta[@name='viewport']")
    assert viewport is not None and "width=device-width" in viewport.get("content")


def test_the_theme_tokens_are_in_the_styles(built: dict[str, Path]) -> None:
    css = page(built["report"]).find(".//style").text
    assert '"Noto Serif CJK SC"' in css and '"Noto Sans CJK SC"' in css
    assert "text-indent: 2em" in css  # first_line_indent_chars
    assert "max-width: 34em" in css  # the character grid
    assert "size: 210mm 297mm" in css  # the theme's page, in print
    assert "$" not in re.sub(r"\$\$", "", css)  # every token filled


def test_contents_list_every_heading_nested(built: dict[str, Path]) -> None:
    root = page(built["rich"])
    document = read_file(built["rich"].parent.parent / "rich" / "report.md")
    toc = root.find(".//nav[@class='toc']")
    assert toc is not None and toc.get("aria-labelledby") == "toc-title"
    targets = [a.get("href") for a in toc.iter("a")]
    headings = [block.id for block in walk_blocks(document.blocks) if isinstance(block, Heading)]
    assert targets == [f"#{ident}" for ident in headings]
    main = root.find(".//main")
    assert all(main.xpath(f".//*[@id='{ident}']") for ident in headings)
    # A level-2 heading's entry sits inside its level-1 heading's entry.
    assert toc.find("ol/li/ol/li/a") is not None


def test_notes_are_linked_both_ways(built: dict[str, Path]) -> None:
    root = page(built["rich"])
    document = read_file(built["rich"].parent.parent / "rich" / "report.md")
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


def test_the_same_bytes_on_every_build(built: dict[str, Path], tmp_path: Path) -> None:
    done = run_cli("build", SOURCE, "--to", "html", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "report.html").read_bytes() == built["report"].read_bytes()


def test_verify_reads_it_back_and_catches_a_changed_word(
    built: dict[str, Path], tmp_path: Path
) -> None:
    done = run_cli("verify", SOURCE, "--to", "html", "--out", built["report"].parent)
    assert done.returncode == 0, done.stdout
    text = built["report"].read_text(encoding="utf-8")
    paragraph = re.search(r"<p>([^<]{12})", text)
    assert paragraph is not None
    original = paragraph.group(1)
    (tmp_path / "report.html").write_text(
        text.replace(original, original[:5] + "错" + original[6:], 1), encoding="utf-8"
    )
    done = run_cli("verify", SOURCE, "--to", "html", "--out", tmp_path)
    assert done.returncode == 1
    assert "html" in done.stdout and "FAILED" in done.stdout and "错" in done.stdout
