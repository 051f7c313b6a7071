"""``report-export import``: scraped document-site copies back to a canonical Markdown source.

The seed (``scraped-report.txt``) must come out as ``source/report.md`` except at the spots the
review page flags; three more copies of other texts, damaged the same ways (``scraped-notice``,
``-summary``, ``-survey``, each beside the clean text it was made from), must come out with their
structure exact, no site text and no unambiguous spun word left.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from report_export import cli
from report_export.errors import ReportExportError
from report_export.importers import scraped as scraped_module
from report_export.importers.changes import (
    Change,
    PositionMap,
    Stage,
    StageError,
    body_lines,
    heading_marks,
)
from report_export.importers.chunks import join_chunks
from report_export.importers.punctuation import normalize_punctuation
from report_export.importers.quotes import restore_quotes
from report_export.importers.result import ImportResult
from report_export.importers.review import review_css
from report_export.importers.scraped import import_file, import_scraped
from report_export.importers.spun_words import load_table, repair_spun_words
from report_export.importers.structure import rebuild_structure
from report_export.model import Document, Heading, Paragraph, headings, inline_text
from report_export.reader import read_file, read_text

from .conftest import FIXTURES, REPO, SOURCE, headless_chromium, run_cli

COPIES = ("notice", "summary", "survey")
# A minimal copy's site header (an uploader line is what tells it for a scraped copy).
HEADER = "标题\n上传人:甲 文档编号:1 上传时间:2022-01-01 格式:PDF 页数:3\n\n"
SEED = FIXTURES / "scraped-report.txt"
KINDS = ("chrome", "join", "structure", "punctuation", "spun word", "quote")
# Text of the sites' pages that must never reach a source.
CHROME_MARKERS = (
    "上传人", "上传者", "文档编号", "上传时间", "上传日期", "页数", "大小", "_第", "第1页", "共7页",
    "共5页", "共12页", "共2页", "预览", "资源描述", "由会员", "展开阅读全文", "相关资源",
    "相关搜索", "最新文档", "正为您匹配", "当前位置", "首页 >", "版权所有", "电脑版", "ICP",
    "公网安备", "许可证", "金锄头", "人人文库", "文库网", "继续阅读", "下载", "举报", "查看更多",
    "Copyright",
)  # fmt: skip


@pytest.fixture(scope="module")
def imported() -> dict[str, ImportResult]:
    """Every test copy, imported once."""
    results = {name: import_file(FIXTURES / f"scraped-{name}.txt") for name in COPIES}
    results["report"] = import_file(SEED)
    return results


def _body(markdown: str) -> str:
    front, sep, body = markdown.partition("\n---\n")
    assert front.startswith("---") and sep, "no front matter"
    return body.strip("\n")


def _unflagged_differences(result: ImportResult, target: str) -> list[str]:
    """The differences between the imported body and ``target``'s body that no flag covers.

    Blocks (paragraphs and headings) are compared in order; a difference lies at a flagged spot
    when its stretch of the imported body touches a flag's stretch.
    """
    ours, theirs = result.body.split("\n\n"), _body(target).split("\n\n")
    assert len(ours) == len(theirs), f"{len(ours)} blocks imported, {len(theirs)} expected"
    flagged = [flag.result for flag in result.flags]
    problems: list[str] = []
    at = 0
    for index, (mine, expected) in enumerate(zip(ours, theirs, strict=True)):
        matcher = difflib.SequenceMatcher(None, mine, expected, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            start, end = at + i1, at + i2
            if op != "equal" and not any(f0 <= end and start <= f1 for f0, f1 in flagged):
                problems.append(
                    f"block {index + 1}: {op} {mine[max(0, i1 - 6) : i2 + 6]!r} "
                    f"-> {expected[max(0, j1 - 6) : j2 + 6]!r}"
                )
        at += len(mine) + 2
    return problems


def _outline(document: Document) -> list[tuple[str, int]]:
    """The block structure: ("h", level) for a heading, ("p", 0) for a paragraph."""
    out: list[tuple[str, int]] = []
    for block in document.blocks:
        assert isinstance(block, Heading | Paragraph), block
        out.append(("h", block.level) if isinstance(block, Heading) else ("p", 0))
    return out


# --- the seed against the hand-made source -------------------------------------------------------


def test_seed_differs_from_the_source_only_at_flagged_spots(
    imported: dict[str, ImportResult],
) -> None:
    result = imported["report"]
    assert _unflagged_differences(result, SOURCE.read_text(encoding="utf-8")) == []
    # And the flags are few enough to review in minutes, with something to suggest each time.
    assert 0 < len(result.flags) <= 25
    assert all(flag.suggestion for flag in result.flags)


def test_seed_front_matter_matches_the_source(imported: dict[str, ImportResult]) -> None:
    ours = read_text(imported["report"].markdown, Path("imported.md")).meta
    theirs = read_file(SOURCE).meta
    assert ours.title == theirs.title == "建设交通系统党的工作覆盖行业模式研究报告"
    assert ours.lang == "zh-CN"
    assert ours.provenance == theirs.provenance
    # Written the way the source writes it (quoted where YAML would read another type).
    assert (
        '  document_number: "285387002"\n  uploaded: "2022-04-29"\n' in imported["report"].markdown
    )


def test_seed_sure_repairs_match_the_source(imported: dict[str, ImportResult]) -> None:
    """Every spun word and quote the importer was sure of reads as the editor's source does."""
    result = imported["report"]
    same = _same_as(result.body, _body(SOURCE.read_text(encoding="utf-8")))
    sure = [c for c in result.changes if c.kind in ("spun word", "quote")]
    assert len(sure) >= 50
    for change in sure:
        start, end = change.result
        assert all(same[at] for at in range(start, end)), change


def _same_as(body: str, target: str) -> list[bool]:
    """For each character of ``body``: does the block-by-block diff match it in ``target``?"""
    same = [False] * len(body)
    at = 0
    for mine, theirs in zip(body.split("\n\n"), target.split("\n\n"), strict=True):
        matcher = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
        for i, _, size in matcher.get_matching_blocks():
            same[at + i : at + i + size] = [True] * size
        at += len(mine) + 2
    return same


# --- the other copies ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", COPIES)
def test_copy_comes_out_with_its_structure_exact(
    name: str, imported: dict[str, ImportResult]
) -> None:
    expected = read_file(FIXTURES / f"scraped-{name}.expected.md")
    ours = read_text(imported[name].markdown, Path(f"{name}.md"))
    assert _outline(ours) == _outline(expected)
    assert ours.meta.title == expected.meta.title
    assert ours.meta.provenance == expected.meta.provenance


@pytest.mark.parametrize("name", COPIES)
def test_copy_differs_from_its_clean_text_only_at_flagged_spots(
    name: str, imported: dict[str, ImportResult]
) -> None:
    expected = (FIXTURES / f"scraped-{name}.expected.md").read_text(encoding="utf-8")
    assert _unflagged_differences(imported[name], expected) == []


@pytest.mark.parametrize("name", (*COPIES, "report"))
def test_no_site_text_is_left(name: str, imported: dict[str, ImportResult]) -> None:
    body = imported[name].body
    assert [marker for marker in CHROME_MARKERS if marker in body] == []
    # The chunk numbers are gone too: no line starts with a number the text does not have.
    assert not re.search(r"(?m)^\d+、\d+、", body)


def test_chrome_variants_give_provenance_and_flag_unknown_lines(
    imported: dict[str, ImportResult],
) -> None:
    survey = dict(imported["survey"].provenance)
    # Another site's labels, full-width colons, a date with slashes.
    assert survey == {
        "site": "文库网",
        "document_number": "9087766123",
        "uploaded": "2021-06-03",
        "format": "PDF",
        "pages": 12,
        "uploader": "jt***88",
    }
    chrome_flags = [f for f in imported["notice"].flags if f.kind == "chrome"]
    # A footer line no pattern knows is dropped, and shown; the related titles are not.
    assert [f.context for f in chrome_flags] == ["【点击查看更多>>】"]
    assert not any(
        f.kind == "chrome" for name in ("report", "summary", "survey") for f in imported[name].flags
    )


@pytest.mark.parametrize(
    "chunks",
    [
        # The last chunk: its line was dropped, then its line end dropped again (a traceback).
        "1、标题 一、概况 本市文库统计显示,\n\n2、报告中写明还剩5页未读的用户占三成。\n",
        # A middle chunk: its line was dropped without a word, and its text lost.
        "1、标题 一、概况 本市文库统计显示,\n\n2、报告中写明还剩5页未读的用户占三成。\n\n"
        "3、其余用户读完全文。\n",
    ],
)
def test_a_chunk_that_reads_like_the_preview_notice_is_kept(chunks: str) -> None:
    result = import_scraped(HEADER + chunks, Path("t.txt"))
    assert "本市文库统计显示，报告中写明还剩5页未读的用户占三成。" in result.body
    assert "3、" not in chunks or result.body.endswith("占三成。其余用户读完全文。")
    (flag,) = [f for f in result.flags if f.kind == "chrome"]
    assert "【还剩5页未读】" in flag.context and "preview notice" in flag.message
    assert not any(c.kind == "chrome" and "未读" in c.before for c in result.changes)


def test_a_chunk_that_reads_like_a_page_caption_is_kept() -> None:
    chunks = "1、标题 一、概况 详见统计表_第3页\n\n2、,其余从略。\n"
    result = import_scraped(HEADER + chunks, Path("t.txt"))
    assert "统计表\\_第3页" in result.body  # kept (and its "_" escaped for Markdown)
    (flag,) = [f for f in result.flags if f.kind == "chrome"]
    assert "统计表\\【_第3页】" in flag.context and "page image caption" in flag.message


def test_the_preview_notice_after_the_last_chunk_goes() -> None:
    chunks = "1、标题 一、概况 本市文库统计显示,\n\n2、用户占三成。 还剩1页未读，继续阅读\n"
    result = import_scraped(HEADER + chunks, Path("t.txt"))
    assert result.body.endswith("用户占三成。") and "未读" not in result.body
    assert "preview notice after the text" in [c.note for c in result.changes]
    assert not any(f.kind == "chrome" for f in result.flags)


def test_a_chunk_like_the_notice_imports_from_the_command_line(tmp_path: Path) -> None:
    scraped = tmp_path / "copy.txt"
    scraped.write_text(
        HEADER + "1、标题 一、概况 本市统计,\n\n2、报告中写明还剩5页未读的用户占三成。\n",
        encoding="utf-8",
    )
    result = run_cli("import", scraped, "-o", tmp_path / "out.md")
    assert result.returncode == 0, result.stderr
    assert "还剩5页未读的用户" in (tmp_path / "out.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", (*COPIES, "report"))
def test_no_unambiguous_spun_word_is_left(name: str, imported: dict[str, ImportResult]) -> None:
    table = load_table()
    forms = {entry.spun for entry in table.entries if entry.kind == "unambiguous"}
    markdown = imported[name].markdown
    assert sorted(form for form in forms if form in markdown) == []


def test_heading_levels_follow_the_numbering_present(imported: dict[str, ImportResult]) -> None:
    levels = {
        inline_text(h.children)[:3]: h.level
        for h in headings(read_text(imported["summary"].markdown, Path("s.md")))
    }
    # 一、 > （一） > 1、 > （1）, the four levels of the summary; half-width "(1)" included.
    assert levels["一、主"] == 1 and levels["（一）"] == 2 and levels["1、重"] == 3
    assert levels["（1）"] == 4
    # The survey uses 一、 （一） 1. and an unnumbered "结语", which stands with the outermost.
    survey = [
        (h.level, inline_text(h.children))
        for h in headings(read_text(imported["survey"].markdown, Path("v.md")))
    ]
    assert (1, "结语") in survey and (3, "1.扩大公交专用道网络") in survey
    assert any(f.kind == "structure" and "结语" in f.context for f in imported["survey"].flags)


def test_round_trip_through_the_reader(imported: dict[str, ImportResult], tmp_path: Path) -> None:
    """The written source reads back with the reader, with the headings of the real source."""
    path = tmp_path / "report.md"
    result = run_cli("import", SEED, "-o", path)
    assert result.returncode == 0, result.stderr
    ours = [(h.level, inline_text(h.children)) for h in headings(read_file(path))]
    theirs = [(h.level, inline_text(h.children)) for h in headings(read_file(SOURCE))]
    assert ours == theirs
    assert len(ours) == 11 and ours[0] == (1, "一、选题的由来")
    assert path.read_text(encoding="utf-8") == imported["report"].markdown


# --- chunks ----------------------------------------------------------------------------------


def test_chunk_numbers_are_told_from_the_texts_numbering(imported: dict[str, ImportResult]) -> None:
    raw = (FIXTURES / "scraped-summary.txt").read_text(encoding="utf-8")
    # The copy has a chunk that starts with the text's own "2、" and one cut inside "(三)".
    assert "\n2、2、项目管理" in raw and "\n3、三)行业治理" in raw
    assert re.search(r"。 \n", raw), "the fixture lost the break space at a chunk's end"
    body = imported["summary"].body
    assert "### 2、项目管理" in body and "## （三）行业治理能力不断提升" in body
    # The seed: chunk 5 starts with the text's "、"; " 1、以…" inside chunks survives.
    seed = imported["report"].body
    assert "游园、休闲" in seed and "## 1、以推进工程项目为纽带的联建模式" in seed


def test_join_is_exact_and_numbering_inside_chunks_survives() -> None:
    text = "1、标题 一、总则 1、以人为\n\n2、本。 2、以质量为\n\n3、3、先。（1）要求。"
    stage = join_chunks(text)
    assert stage.text == "标题 一、总则 1、以人为本。 2、以质量为3、先。（1）要求。"
    assert [c.note.split(":")[0] for c in stage.changes] == [
        "chunk 1",
        "chunk 2 joined",
        "chunk 3 joined",
    ]


def test_a_chunk_out_of_sequence_is_flagged_not_taken() -> None:
    stage = join_chunks("1、甲乙丙\n\n3、丁戊己\n\n2、庚辛")
    assert stage.text == "甲乙丙 3、丁戊己庚辛"
    assert any("chunk 2" in flag.message for flag in stage.flags)


# --- the stages one by one --------------------------------------------------------------------


def _body_stage(text: str) -> str:
    """Run ``text`` (a body: title line, then blocks) through the punctuation stage."""
    return normalize_punctuation(text).text


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("甲,乙;丙:丁?戊!", "甲，乙；丙：丁？戊！"),
        ("水务、交通,市政工程、绿化", "水务、交通、市政工程、绿化"),
        ("、民航,邮政等多个行业,具有", "、民航、邮政等多个行业，具有"),
        ("采取多种,方式推进", "采取多种方式推进"),
        ("促进行业-协会发展", "促进行业协会发展"),
        ("独特优势。.政府", "独特优势。政府"),
        ("管理处(市政处)负责", "管理处（市政处）负责"),
        ("共1,000人,9:30到场", "共1,000人，9:30到场"),
        ("使用SPSS 26.0软件", "使用SPSS 26.0软件"),
        ("覆盖的模式,", "覆盖的模式。"),
    ],
)
def test_punctuation(before: str, after: str) -> None:
    assert _body_stage(f"题\n\n{before}") == f"题\n\n{after}"


def test_latin_l_for_one_in_numbering() -> None:
    assert _body_stage("题\n\n## l、承担\n\n(l)要求。") == "题\n\n## 1、承担\n\n（1）要求。"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("面临着“做什么和“怎么做的问题。", "面临着“做什么”和“怎么做”的问题。"),
        ("围绕“提高素质，促进工作，的目标", "围绕“提高素质，促进工作”的目标"),
        ("提出了“坚持针对性，把握有效性的总体要求", "提出了“坚持针对性，把握有效性”的总体要求"),
        (
            "贬为“马路游击队。后来把“马路游击队带上了领奖台。",
            "贬为“马路游击队”。后来把“马路游击队”带上了领奖台。",
        ),
        ("以“一线一评估为原则，", "以“一线一评估”为原则，"),
        ("已经“两网融合”。", "已经“两网融合”。"),
    ],
)
def test_quotes_restored_where_clear(before: str, after: str) -> None:
    stage = restore_quotes(f"题\n\n{before}")
    assert stage.text == f"题\n\n{after}"
    assert stage.flags == ()


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("形成了“五联模式。", "“五联”模式"),
        ("消除“牢骚角现象，成为课题。", "“牢骚角”现象"),
        ("“系统与“行业两个概念的范畴", "“行业”两个概念"),
        ("开通“定制公交线路4条，受到欢迎。", "“定制公交”线路"),
    ],
)
def test_unclear_quotes_are_flagged_with_a_reading(text: str, reading: str) -> None:
    stage = restore_quotes(f"题\n\n{text}")
    assert len(stage.flags) == 1
    assert stage.flags[0].suggestion.startswith(reading)
    assert stage.text.count("“") - stage.text.count("”") == 1


def test_spun_words_sure_keep_and_flag() -> None:
    table = load_table()
    text = (
        "题\n\n在此根底上，规范行为、标准企业行为，制定国家标准，"
        "行业标准效劳达标，无可比拟，进展了研究。"
    )
    repaired = (
        "题\n\n在此基础上，规范行为、规范企业行为，制定国家标准，"
        "行业标准服务达标，无可比拟，进行了研究。"
    )
    stage = repair_spun_words(text, table)
    assert stage.text == repaired
    (flag,) = stage.flags
    assert text[flag.start : flag.end] == "标准" and "规范" in flag.suggestion


def test_spun_word_table_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "table.toml"
    bad.write_text('[[word]]\nspun = "甲"\nrepair = "乙"\nkind = "maybe"\n', encoding="utf-8")
    with pytest.raises(ReportExportError, match="entry 1: 'kind'") as err:
        load_table(bad)
    assert err.value.path == bad
    bad.write_text(
        '[[word]]\nspun = "甲"\nrepair = "乙"\nkind = "ambiguous"\nsure = [{ left = "(" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(ReportExportError, match="bad regular expression"):
        load_table(bad)


def test_structure_maps_the_levels_present() -> None:
    stage = rebuild_structure("标题 （一）甲 正文。 （1）乙 正文。 （二）丙 正文。", "标题")
    assert (
        stage.text == "标题\n\n# （一）甲\n\n正文。\n\n## （1）乙\n\n正文。\n\n# （二）丙\n\n正文。"
    )
    assert stage.flags == ()


def test_year_prefix_and_decorations_of_the_site_title() -> None:
    assert rebuild_structure("报告 一、甲 正文。", "2022年报告").flags == ()
    assert rebuild_structure("报告 一、甲 正文。", "报告(最新版)").flags == ()
    stage = rebuild_structure("报告 一、甲 正文。", "另一个标题")
    assert stage.text.startswith("报告\n\n") and len(stage.flags) == 1


def test_positions_follow_changes_both_ways() -> None:
    first = Stage.apply("a", "ab,cd", [Change("punctuation", 2, 3, ",", "，")])
    second = Stage.apply("b", first.text, [Change("quote", 4, 4, "", "”")])
    positions = PositionMap([first, second])
    assert second.text == "ab，c”d"
    assert positions.forward(2, 3, 0) == (2, 3)
    assert positions.forward(3, 5, 0) == (3, 6)
    assert positions.backward(4, 5, 1) == (4, 4)  # the inserted ” came from nowhere
    with pytest.raises(ValueError, match="does not match"):
        Stage.apply("c", "abc", [Change("quote", 0, 1, "x", "y")])


def test_overlapping_changes_are_a_stage_error() -> None:
    overlapping = [Change("quote", 0, 2, "ab", ""), Change("quote", 1, 3, "bc", "")]
    with pytest.raises(StageError, match=r"d: overlapping or out-of-range change \[1, 3\)"):
        Stage.apply("d", "abcd", overlapping)


def _clashing_stage(text: str) -> Stage:
    """A stage with a bug: two changes over the same text."""
    return Stage.apply("quotes", text, [change_of(text, 0, 2), change_of(text, 1, 3)])


def change_of(text: str, start: int, end: int) -> Change:
    return Change("quote", start, end, text[start:end], "")


def test_a_stage_error_is_a_one_line_error_naming_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The last line of defence: an importer bug is exit 2 and one line, not a traceback."""
    monkeypatch.setattr(scraped_module, "restore_quotes", _clashing_stage)
    with pytest.raises(ReportExportError, match="overlapping") as err:
        import_file(SEED)
    assert err.value.path == SEED and isinstance(err.value.__cause__, StageError)
    output = tmp_path / "out.md"
    assert cli.main(["import", str(SEED), "-o", str(output)]) == 2
    stderr = capsys.readouterr().err
    assert stderr.startswith(f"report-export: {SEED}: cannot import this copy")
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert not output.exists()


def test_body_lines_skip_the_heading_marks() -> None:
    text = "题\n\n## 一、甲\n\n#不是标题\n正文"
    lines = list(body_lines(text, 3))
    assert [(line.start, line.text, line.content, line.heading) for line in lines] == [
        (3, "## 一、甲", 3, True),
        (10, "", 0, False),
        (11, "#不是标题", 0, False),
        (17, "正文", 0, False),
    ]
    assert all(text.startswith(line.text, line.start) for line in lines)
    assert heading_marks("### x") == 4 and heading_marks("#x") == 0


# --- the command line ----------------------------------------------------------------------


def test_output_is_never_overwritten_without_force(tmp_path: Path) -> None:
    output = tmp_path / "report.md"
    output.write_text("keep me\n", encoding="utf-8")
    result = run_cli("import", SEED, "-o", output)
    assert result.returncode == 2
    assert result.stderr.strip() == f"report-export: {output}: exists; pass --force to overwrite it"
    assert output.read_text(encoding="utf-8") == "keep me\n"
    review = tmp_path / "review.html"
    review.write_text("old", encoding="utf-8")
    result = run_cli("import", SEED, "-o", tmp_path / "new.md", "--review", review)
    assert result.returncode == 2 and "review.html: exists" in result.stderr
    assert not (tmp_path / "new.md").exists(), "nothing may be written when one output is refused"
    result = run_cli("import", SEED, "-o", output, "--force")
    assert result.returncode == 0, result.stderr
    assert output.read_text(encoding="utf-8").startswith("---\ntitle: 建设交通系统")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md", "review.html"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "already a Markdown source"),
        (b"\xff\xfe\x00binary", "not a scraped copy: not valid UTF-8"),
        (b"", "nothing to import: the file holds no text"),
        (b" \n\n", "nothing to import: the file holds no text"),
        (b"Only English text here, no Chinese prose at all.\n", "not a copy of a Chinese document"),
        (b"%PDF-1.7\nnot really a PDF\n", "not a readable PDF"),
    ],
)
def test_a_file_that_is_not_a_scraped_copy_is_refused(
    content: bytes | None, message: str, tmp_path: Path
) -> None:
    scraped = SOURCE if content is None else tmp_path / "input.txt"
    if content is not None:
        scraped.write_bytes(content)
    output = tmp_path / "out.md"
    result = run_cli("import", scraped, "-o", output)
    assert result.returncode == 2
    assert result.stderr.startswith(f"report-export: {scraped}") and message in result.stderr
    assert result.stderr.count("\n") == 1, "one line, no traceback"
    assert not output.exists()
    with pytest.raises(ReportExportError) as err:
        import_file(scraped)
    assert err.value.path == scraped


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    result = run_cli("import", tmp_path / "nope.txt", "-o", tmp_path / "out.md")
    assert result.returncode == 2 and "nope.txt: no such file" in result.stderr


def test_import_of_text_with_no_body_is_refused() -> None:
    text = "标题\n上传人:甲 文档编号:1 上传时间:2022-01-01 格式:PDF 页数:1\n\n1、标题\n"
    with pytest.raises(ReportExportError, match="no text"):
        import_scraped(text, Path("t.txt"))


@pytest.mark.parametrize("chunks", ["1、。\n", "1、。 ，\n\n2、.\n"])
def test_a_copy_of_only_stray_marks_is_refused(chunks: str, tmp_path: Path) -> None:
    """Was an IndexError: the stray mark went, and nothing was left to be the body."""
    scraped = tmp_path / "marks.txt"
    scraped.write_text(HEADER + chunks, encoding="utf-8")
    with pytest.raises(ReportExportError, match="no document text found") as err:
        import_file(scraped)
    assert err.value.path == scraped
    result = run_cli("import", scraped, "-o", tmp_path / "out.md")
    assert result.returncode == 2
    assert result.stderr.startswith(f"report-export: {scraped}: no document text found")
    assert result.stderr.count("\n") == 1, "one line, no traceback"


# --- the review page -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> tuple[ImportResult, str, Path]:
    """The seed imported with a review page, and a headless Chromium screenshot of the page."""
    folder = tmp_path_factory.mktemp("review")
    page = folder / "review.html"
    result = run_cli("import", SEED, "-o", folder / "report.md", "--review", page)
    assert result.returncode == 0, result.stderr
    shot = folder / "review.png"
    headless_chromium(
        folder / "profile", [f"--screenshot={shot}", "--window-size=1400,2000", page.as_uri()]
    )
    return import_file(SEED), page.read_text(encoding="utf-8"), shot


def test_review_page_renders_in_chromium(review: tuple[ImportResult, str, Path]) -> None:
    _, _, shot = review
    assert shot.exists() and shot.stat().st_size > 100_000
    with Image.open(shot) as image:
        assert image.size == (1400, 2000)
        pixels = image.convert("RGB").resize((140, 200))
        colours = {pixels.getpixel((x, y)) for x in range(140) for y in range(200)}
    # Text, highlights and flags in many colours, not a blank or an error page.
    assert len(colours) > 200


def test_review_page_labels_every_change_and_lists_every_flag(
    review: tuple[ImportResult, str, Path],
) -> None:
    result, page, _ = review
    for kind in KINDS:
        assert f"<b>{kind}</b>" in page
    for number, item in enumerate(result.changes, start=1):
        assert f">{number} <b>{item.kind}</b>" in page or item.kind == "chrome", item
    assert len(result.flags) == page.count('<li id="flag-')
    for number, flag in enumerate(result.flags, start=1):
        assert f'id="spot-{number}"' in page
        assert _escaped(flag.suggestion) in page
    # The scraped text and the result side by side, one row a block.
    assert page.count('<td class="src">') == len(result.blocks) + 2


def test_review_page_is_self_contained(review: tuple[ImportResult, str, Path]) -> None:
    _, page, _ = review
    for outside in ("http:", "https:", "//", "<link", "<script", "@import", "url(", "src="):
        assert outside not in page.replace("<!DOCTYPE", ""), outside


def test_review_page_style_comes_from_the_styles_folder(tmp_path: Path) -> None:
    # A copy of the package beside a copy of styles/ whose review.css has one rule more: the
    # page that copy writes carries that file as it is, and the module holds no CSS of its own.
    for name in ("src", "styles"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    css = (REPO / "styles" / "review.css").read_text(encoding="utf-8")
    assert ".k-chrome" in css
    css += ".k-only-in-this-copy { outline: none; }\n"
    (tmp_path / "styles" / "review.css").write_text(css, encoding="utf-8")
    command = ["import", SEED, "-o", tmp_path / "out.md", "--review", tmp_path / "review.html"]
    result = subprocess.run(
        [sys.executable, "-m", "report_export", *map(str, command)],
        env={**os.environ, "PYTHONPATH": str(tmp_path / "src")},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "review.html").read_text(encoding="utf-8")
    assert f"<style>{css}</style>" in page and page.count("<style>") == 1
    module = Path(scraped_module.__file__).with_name("review.py").read_text(encoding="utf-8")
    assert "box-sizing" not in module and "--chrome:" not in module


@pytest.mark.parametrize(
    ("css", "message"),
    [
        ("body { background: url(x.png); }", "'url('"),
        ('@import "other.css";', "'@import'"),
        ("b { }</style><script>", "'</style'"),
        (None, "cannot read"),
    ],
)
def test_a_review_stylesheet_that_would_fetch_is_refused(
    css: str | None, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "review.css"
    if css is not None:
        path.write_text(css, encoding="utf-8")
    with pytest.raises(ReportExportError, match=re.escape(message)) as err:
        review_css(path)
    assert err.value.path == path


def _escaped(text: str) -> str:
    import html

    return html.escape(text, quote=True)
