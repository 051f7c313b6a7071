"""What every output says about the document: its own metadata (title, author, description,
keywords, date), never where a copy of it was found unless the source asks, and dates from
the source's ``date``, else ``SOURCE_DATE_EPOCH``, else a fixed date: never the clock, never
the day a copy was uploaded somewhere."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from .conftest import run_cli

FRONT = """\
---
title: 元数据测试报告
author: 测试课题组
description: 只用来检验元数据。
keywords: [元数据, 测试]
{date}provenance:
  site: 某文库
  document_number: "285387002"
  uploaded: "2022-04-29"
  uploader: "135****微信"
{publish}---

# 一、正文

正文一段。
"""
SCRAPED = ("某文库", "285387002", "2022-04-29", "135****微信", "2022")
"""What the provenance says, none of which an output may carry unasked."""


@dataclass(frozen=True)
class Published:
    """Every output's metadata, as text, read back with the format's own reader."""

    pdf_info: dict[str, str]
    pdf_xmp: str
    docx_core: str
    docx_custom: str
    epub_opf: str
    html_head: str

    def everything(self) -> str:
        return "\n".join(
            [
                *self.pdf_info.values(),
                self.pdf_xmp,
                self.docx_core,
                self.docx_custom,
                self.epub_opf,
                self.html_head,
            ]
        )


def build(tmp: Path, date: str = "", publish: str = "") -> Published:
    source = tmp / "src" / "report.md"
    source.parent.mkdir(parents=True)
    date_line = f"date: {date}\n" if date else ""
    publish_line = f"publish_provenance: {publish}\n" if publish else ""
    source.write_text(FRONT.format(date=date_line, publish=publish_line), encoding="utf-8")
    out = tmp / "out"
    to = "pdf,docx,epub,html"
    result = run_cli("build", source, "--out", out, "--to", to, "--verify")
    assert result.returncode == 0, result.stdout + result.stderr
    reader = PdfReader(out / "report.pdf")
    info = {key: str(value) for key, value in (reader.metadata or {}).items()}
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    with zipfile.ZipFile(out / "report.docx") as docx:
        core = docx.read("docProps/core.xml").decode("utf-8")
        custom = docx.read("docProps/custom.xml").decode("utf-8")
    with zipfile.ZipFile(out / "report.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode("utf-8")
    html = etree.HTML((out / "report.html").read_bytes())
    head = "\n".join(
        etree.tostring(meta, encoding="unicode") for meta in html.iterfind("head/meta")
    )
    return Published(info, xmp, core, custom, opf, head)


def dates(published: Published) -> set[str]:
    """Every date an output claims, as YYYY-MM-DD."""
    found = {published.pdf_info["/CreationDate"][2:10], published.pdf_info["/ModDate"][2:10]}
    for text in (published.pdf_xmp, published.docx_core, published.epub_opf):
        found |= set(re.findall(r">(\d{4}-\d{2}-\d{2})T", text))
    return {f"{day[:4]}-{day[4:6]}-{day[6:]}" if "-" not in day else day for day in found}


def test_the_scraped_copys_provenance_is_not_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    published = build(tmp_path, date="2025-06-18")
    everything = published.everything()
    assert not [text for text in SCRAPED if text in everything]
    # The document's own metadata is there, in every format.
    for text in ("元数据测试报告", "测试课题组", "只用来检验元数据。"):
        assert text in published.pdf_info.values()
        assert text in published.docx_core and text in published.epub_opf
    assert "dc:source" not in published.epub_opf and "dc:source" not in published.pdf_xmp
    assert "<dc:date>2025-06-18</dc:date>" in published.epub_opf
    assert 'content="2025-06-18"' in published.html_head
    # Dated by its own date.
    assert dates(published) == {"2025-06-18"}


def test_a_source_may_ask_to_publish_some_of_its_provenance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    published = build(tmp_path, publish="[site, document_number]")
    source = "site: 某文库; document_number: 285387002"
    assert f"<dc:source>{source}</dc:source>" in published.epub_opf
    assert f"<dc:source>{source}</dc:source>" in published.pdf_xmp
    assert f'name="dcterms.source" content="{source}"' in published.html_head
    assert ">某文库<" in published.docx_custom and ">285387002<" in published.docx_custom
    # What it did not name stays in the source, and never dates the document.
    assert "135****微信" not in published.everything()
    assert "2022" not in published.everything()
    assert dates(published) == {"2000-01-01"}  # no date, no SOURCE_DATE_EPOCH: fixed


def test_without_a_date_source_date_epoch_dates_the_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    published = build(tmp_path)
    assert dates(published) == {"2023-11-14"}
    assert not [text for text in SCRAPED if text in published.everything()]


def test_a_bad_publish_provenance_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "report.md"
    text = FRONT.format(date="", publish="publish_provenance: [uploader, price]\n")
    source.write_text(text, encoding="utf-8")
    result = run_cli("build", source, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.strip().endswith("'price' is not a key of 'provenance'")
    assert f"{source}:11:" in result.stderr  # the line of publish_provenance
