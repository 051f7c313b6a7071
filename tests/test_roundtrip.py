"""Taking edits back: a DOCX we exported, edited as Word writes edits, imported into its source."""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from report_export.cli import main
from report_export.exporters.docx import DocxExporter, DocxOptions
from report_export.model import Emph, Text, inline_text
from report_export.reader import read_file
from report_export.theme import load_theme

from .conftest import headless_chromium, rewrite, run_uno_script, tool

ROOT = Path(__file__).resolve().parent.parent
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def export(source: Path, target: Path, theme: str = "default") -> None:
    document = read_file(source)
    target.write_bytes(
        DocxExporter().render(document, load_theme(theme, source.parent), DocxOptions())
    )


def copy_source(tmp_path: Path, source: Path) -> Path:
    """``source`` and the pictures beside it, copied into ``tmp_path``."""
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    for picture in source.parent.glob("*.png"):
        shutil.copy(picture, tmp_path / picture.name)
    return copy


RICH = ROOT / "tests/fixtures/rich/report.md"


@pytest.mark.parametrize("source", [ROOT / "source/report.md", RICH])
@pytest.mark.parametrize("changes", ["accept", "reject"])
def test_an_unedited_round_trip_changes_nothing(tmp_path: Path, source: Path, changes: str) -> None:
    copy = copy_source(tmp_path, source)
    export(copy, tmp_path / "out.docx")
    code = main(["import", str(tmp_path / "out.docx"), "--into", str(copy), "--changes", changes])
    assert code == 0
    assert copy.read_bytes() == source.read_bytes()


@pytest.mark.parametrize("source", [ROOT / "source/report.md", RICH])
def test_an_unedited_gongwen_round_trip_gives_back_the_typed_numbers(
    tmp_path: Path, source: Path
) -> None:
    """The DOCX shows the theme's heading numbers (（一） where the source typed 1、); the
    import gives back the source's."""
    copy = copy_source(tmp_path, source)
    export(copy, tmp_path / "out.docx", "gongwen")
    with zipfile.ZipFile(tmp_path / "out.docx") as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    shown = ["".join(t.text or "" for t in texts(p)) for p in root.iter(q("p"))]
    assert "（一）以推进工程项目为纽带的联建模式" in shown or "（一）调查对象与方法" in shown
    assert take_back(tmp_path / "out.docx", copy, "accept") == 0
    assert copy.read_bytes() == source.read_bytes()


def test_a_gongwen_heading_edited_in_word_keeps_its_typed_number(tmp_path: Path) -> None:
    """An edit to a heading's words comes back; so does text typed at the end of the number
    (Word gives it the number's style); the number the scheme wrote never does."""
    source = ROOT / "source/report.md"
    copy = copy_source(tmp_path, source)
    docx = tmp_path / "out.docx"
    export(copy, docx, "gongwen")
    numbers = f"{{{W}}}rStyle[@{{{W}}}val='HeadingNumber']"

    def edit(root: etree._Element) -> None:
        for p in root.iter(q("p")):
            runs = texts(p)
            shown = "".join(t.text or "" for t in runs)
            if shown == "（一）以推进工程项目为纽带的联建模式":
                runs[-1].text = (runs[-1].text or "").replace("联建模式", "联建新模式")
            elif shown == "（二）以强化公共管理为平台的联席模式":
                (number,) = (
                    t for t in runs if t.getparent().find(f"{q('rPr')}/{numbers}") is not None
                )
                number.text = "（二）着力"
            elif shown == "三、理论的思考":
                runs[0].text = "九、"  # the scheme's number: not the source's words

    rewrite(docx, edit)
    assert take_back(docx, copy, "accept") == 0
    expected = (
        source.read_text("utf-8")
        .replace("## 1、以推进工程项目为纽带的联建模式", "## 1、以推进工程项目为纽带的联建新模式")
        .replace("## 2、以强化公共管理为平台的联席模式", "## 2、着力以强化公共管理为平台的联席模式")
    )
    assert copy.read_text("utf-8") == expected


def take_back(docx: Path, source: Path, changes: str, *extra: str) -> int:
    """``report-export import DOCX --into SOURCE --changes CHANGES [EXTRA...]``."""
    return main(["import", str(docx), "--into", str(source), "--changes", changes, *extra])


def paragraph_marked(root: etree._Element, mark: str) -> etree._Element:
    for start in root.iter(q("bookmarkStart")):
        if start.get(q("name")) == mark:
            return start.getparent()
    raise AssertionError(mark)


def texts(p: etree._Element) -> list[etree._Element]:
    return list(p.iter(q("t")))


def tracked(tag: str, author: str = "王编辑") -> etree._Element:
    return etree.Element(
        q(tag), {q("id"): "901", q("author"): author, q("date"): "2026-12-01T10:00:00Z"}
    )


def word_edits(root: etree._Element) -> None:
    """What Word writes: a replaced word (w:del + w:ins), a moved sentence, bold added with
    w:rPrChange, a paragraph made Heading 2, and a comment."""
    # Block 1 (the first paragraph): "建设交通系统" -> "建设与交通系统" as del + ins.
    p = paragraph_marked(root, "_rx_1")
    t = texts(p)[0]
    run = t.getparent()
    head, tail = t.text[:2], t.text[6:]
    t.text = head
    deleted = tracked("del")
    d_run = etree.SubElement(deleted, q("r"))
    etree.SubElement(d_run, q("delText")).text = "交通系统"
    inserted = tracked("ins")
    i_run = etree.SubElement(inserted, q("r"))
    etree.SubElement(i_run, q("t")).text = "与交通系统"
    rest = etree.Element(q("r"))
    etree.SubElement(rest, q("t")).text = tail
    run.addnext(deleted)
    deleted.addnext(inserted)
    inserted.addnext(rest)
    # Block 2: bold added on its text, tracked as w:rPrChange.
    p2 = paragraph_marked(root, "_rx_2")
    for r in p2.iter(q("r")):
        rpr = r.find(q("rPr"))
        if rpr is None:
            rpr = etree.Element(q("rPr"))
            r.insert(0, rpr)
        etree.SubElement(rpr, q("b"))
        change = tracked("rPrChange")
        etree.SubElement(change, q("rPr"))
        rpr.append(change)
    # Block 3: moved to the end of block 4 (moveFrom here, moveTo there).
    p3 = paragraph_marked(root, "_rx_3")
    p4 = paragraph_marked(root, "_rx_4")
    move_from = tracked("moveFrom")
    for r in [r for r in p3 if r.tag == q("r")]:
        move_from.append(r)
    p3.append(move_from)
    ppr = p3.find(q("pPr"))
    mark_rpr = etree.SubElement(ppr, q("rPr"))
    mark_rpr.append(tracked("del"))
    move_to = tracked("moveTo")
    m_run = etree.SubElement(move_to, q("r"))
    etree.SubElement(m_run, q("t")).text = "".join(t.text or "" for t in move_from.iter(q("t")))
    p4.append(move_to)
    # Block 5: made Heading 2 (untracked), with a comment and a reply on it.
    p5 = paragraph_marked(root, "_rx_5")
    p5.find(f"{q('pPr')}/{q('pStyle')}").set(q("val"), "Heading2")
    first = next(r for r in p5 if r.tag == q("r"))
    first.addprevious(etree.Element(q("commentRangeStart"), {q("id"): "0"}))
    first.addnext(etree.Element(q("commentRangeEnd"), {q("id"): "0"}))


COMMENTS = f"""<w:comments xmlns:w="{W}" xmlns:w14="{W14}">
<w:comment w:id="0" w:author="李审读" w:date="2026-12-01T11:00:00Z"><w:p w14:paraId="00000001">
<w:r><w:t>这一段改成标题？</w:t></w:r></w:p></w:comment>
<w:comment w:id="1" w:author="王编辑" w:date="2026-12-01T12:00:00Z"><w:p w14:paraId="00000002">
<w:r><w:t>同意。</w:t></w:r></w:p></w:comment></w:comments>""".encode()
EXTENDED = f"""<w15:commentsEx xmlns:w15="{W15}"><w15:commentEx w15:paraId="00000001"/>
<w15:commentEx w15:paraId="00000002" w15:paraIdParent="00000001"/></w15:commentsEx>""".encode()


@pytest.fixture
def word_edited(tmp_path: Path) -> tuple[Path, Path]:
    copy = copy_source(tmp_path, ROOT / "source/report.md")
    docx = tmp_path / "edited.docx"
    export(copy, docx)
    extra = {"word/comments.xml": COMMENTS, "word/commentsExtended.xml": EXTENDED}
    rewrite(docx, word_edits, extra)
    return copy, docx


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    import difflib

    out = []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm=""):
        if line[:1] in "+-" and not line.startswith(("+++", "---")):
            out.append((line[0], line[1:]))
    return out


def test_word_edits_accepted_change_only_their_lines(word_edited: tuple[Path, Path]) -> None:
    source, docx = word_edited
    before = source.read_text("utf-8")
    review = source.parent / "review.html"
    code = take_back(docx, source, "accept", "--review", str(review), "--strict")
    after = source.read_text("utf-8")
    assert code == 1  # the comments need a reply
    lines = before.splitlines()
    para1, para2, para3, para4, para5 = (lines[i] for i in (17, 19, 21, 23, 25))
    assert para1.startswith("建设交通系统")
    diff = changed_lines(before, after)
    assert ("-", para1) in diff and (
        "+",
        para1.replace("建设交通系统", "建设与交通系统", 1),
    ) in diff
    assert ("+", f"**{para2}**") in diff
    assert ("-", para3) in diff and ("+", para4 + para3) in diff
    assert ("+", f"## {para5}") in diff
    # The five paragraphs and the blank line after the one moved away.
    assert len([d for d in diff if d[0] == "-"]) == 6 and ("-", "") in diff
    page = review.read_text("utf-8")
    assert "这一段改成标题？" in page and "同意。" in page and "李审读" in page
    sidecar = source.with_suffix(".comments.json")
    assert "这一段改成标题？" in sidecar.read_text("utf-8")


def test_word_edits_rejected_leave_the_tracked_ones_out(word_edited: tuple[Path, Path]) -> None:
    source, docx = word_edited
    before = source.read_text("utf-8")
    assert take_back(docx, source, "reject") == 0
    lines = before.splitlines()
    # Only the untracked edit (the heading) remains.
    assert changed_lines(before, source.read_text("utf-8")) == [
        ("-", lines[25]),
        ("+", f"## {lines[25]}"),
    ]


def split_run(p: etree._Element, words: str) -> etree._Element:
    """The run of ``p`` holding ``words`` split in three; the middle one, holding just them."""
    t = next(t for t in p.iter(q("t")) if words in (t.text or ""))
    run = t.getparent()
    head, tail = t.text.split(words, 1)
    for text in (head, tail):
        if text:
            twin = copy.deepcopy(run)
            twin.find(q("t")).text = text
            (run.addprevious if text is head else run.addnext)(twin)
    t.text = words
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def rich_word_edits(root: etree._Element) -> None:
    """What Word writes for a table cell edited, a footnote added, a word made italic and a
    paragraph made a list item, all with track changes on (w:del + w:ins, w:ins around a
    w:footnoteReference, w:rPrChange, w:pPrChange)."""
    # Table 6, row 2 (乙街道), column 3: 52,136 -> 52,163.
    cell = split_run(paragraph_marked(root, "_rx_6_r2_c3"), "52,136")
    deleted = tracked("del")
    cell.addprevious(deleted)
    deleted.append(cell)
    cell.find(q("t")).tag = q("delText")
    inserted = tracked("ins")
    new_run = etree.SubElement(inserted, q("r"))
    etree.SubElement(new_run, q("t")).text = "52,163"
    deleted.addnext(inserted)
    # Block 3: a footnote after 方式灵活。, its text in word/footnotes.xml.
    before = split_run(paragraph_marked(root, "_rx_3"), "方式灵活。")
    reference = tracked("ins")
    ref_run = etree.SubElement(reference, q("r"))
    etree.SubElement(
        etree.SubElement(ref_run, q("rPr")), q("rStyle"), {q("val"): "FootnoteReference"}
    )
    etree.SubElement(ref_run, q("footnoteReference"), {q("id"): "99"})
    before.addnext(reference)
    # Block 5: 典型个案 made italic.
    word = split_run(paragraph_marked(root, "_rx_5"), "典型个案")
    props = word.find(q("rPr"))
    if props is None:
        props = etree.Element(q("rPr"))
        word.insert(0, props)
    old = copy.deepcopy(props)
    etree.SubElement(props, q("i"))
    change = tracked("rPrChange")
    change.append(old)
    props.append(change)
    # Block 2 made a list item (List Bullet), tracked as w:pPrChange.
    props = paragraph_marked(root, "_rx_2").find(q("pPr"))
    old = copy.deepcopy(props)
    props.find(q("pStyle")).set(q("val"), "ListBullet")
    change = tracked("pPrChange")
    change.append(old)
    props.append(change)


NEW_NOTE = f"""<w:footnote xmlns:w="{W}" w:id="99"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/>
</w:pPr><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> 新加的脚注：见</w:t></w:r>
<w:r><w:rPr><w:b/></w:rPr><w:t>附录</w:t></w:r><w:r><w:t>。</w:t></w:r></w:p></w:footnote>"""


@pytest.fixture
def rich_edited(tmp_path: Path) -> tuple[Path, Path]:
    source = copy_source(tmp_path, RICH)
    docx = tmp_path / "edited.docx"
    export(source, docx)
    with zipfile.ZipFile(docx) as archive:
        notes = etree.fromstring(archive.read("word/footnotes.xml"))
    notes.append(etree.fromstring(NEW_NOTE))
    rewrite(docx, rich_word_edits, {"word/footnotes.xml": etree.tostring(notes)})
    return source, docx


def test_word_cell_footnote_italic_and_list_item_come_back_on_their_lines(
    rich_edited: tuple[Path, Path],
) -> None:
    source, docx = rich_edited
    before = source.read_text("utf-8")
    lines = before.splitlines()
    assert take_back(docx, source, "accept") == 0
    row, note_line, italic, item = (
        next(line for line in lines if line.startswith(start))
        for start in ("| 乙街道 |", "本报告所说的", "调查采用", "课题组于")
    )
    assert changed_lines(before, source.read_text("utf-8")) == [
        ("-", item),
        ("+", f"- {item}"),
        ("-", note_line),
        ("+", note_line.replace("方式灵活。", "方式灵活。[^4]")),
        ("-", italic),
        ("+", italic.replace("典型个案", "*典型个案*")),
        ("-", row),
        ("+", row.replace("52,136", "52,163")),
        ("+", ""),
        ("+", "[^4]: 新加的脚注：见**附录**。"),
    ]
    # What was written reads as what the DOCX says.
    document = read_file(source)
    (added,) = (note for note in document.footnotes if note.label == "4")
    assert inline_text(added.children[0].children) == "新加的脚注：见附录。"
    assert Emph((Text("典型个案"),)) in document.blocks[5].children
    # Rejected, all four were tracked: nothing changes.
    source.write_text(before, "utf-8")
    assert take_back(docx, source, "reject") == 0
    assert source.read_text("utf-8") == before


def test_a_source_changed_since_export_is_refused(
    word_edited: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    source, docx = word_edited
    changed = source.read_text("utf-8").replace("选题的由来", "选题由来")
    source.write_text(changed, "utf-8")
    assert take_back(docx, source, "accept") == 2
    err = capsys.readouterr().err
    assert "changed since" in err and ":16: block at line 16:" in err
    assert source.read_text("utf-8") == changed


def test_a_style_markdown_cannot_give_a_block_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A list item made Heading 2: Markdown has no heading inside a list item."""
    source = copy_source(tmp_path, RICH)
    docx = tmp_path / "edited.docx"
    export(source, docx)

    def heading(root: etree._Element) -> None:
        p = paragraph_marked(root, "_rx_15_1_0")
        p.find(f"{q('pPr')}/{q('pStyle')}").set(q("val"), "Heading2")

    rewrite(docx, heading)
    assert take_back(docx, source, "accept", "--strict") == 1
    line = RICH.read_text("utf-8").splitlines().index("2. 钱从哪里来：") + 1
    assert f"warning: line {line}: its paragraph was given another style" in capsys.readouterr().out
    assert source.read_bytes() == RICH.read_bytes()


def git(folder: Path, *args: str) -> None:
    import subprocess

    subprocess.run(
        [tool("git"), "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def committed(word_edited: tuple[Path, Path]) -> tuple[Path, Path]:
    """The Word-edited DOCX of a source that was committed to git when it was exported, and
    has been changed (and committed again) since."""
    source, docx = word_edited
    git(source.parent, "init", "-q")
    git(source.parent, "add", source.name)
    git(source.parent, "commit", "-qm", "exported")
    return source, docx


def test_a_change_since_export_elsewhere_merges_with_the_docx_edits(
    committed: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    source, docx = committed
    exported = source.read_text("utf-8")
    # The heading of section 2 reworded in the source, and committed: the DOCX did not touch it.
    changed = exported.replace("# 二、实践的深化", "# 二、实践的不断深化")
    source.write_text(changed, "utf-8")
    git(source.parent, "commit", "-qam", "reworded")
    theirs = source.parent / "theirs.md"
    theirs.write_text(exported, "utf-8")
    assert take_back(docx, theirs, "accept") == 0  # what the DOCX alone does to the export
    assert take_back(docx, source, "accept", "--strict") == 1  # the merge is a warning
    out = capsys.readouterr().out
    assert re.search(
        r"merged with the DOCX's against the exported version \(git [0-9a-f]{12}\)", out
    )
    # Both sides' changes, neither overwriting the other.
    expected = theirs.read_text("utf-8").replace("# 二、实践的深化", "# 二、实践的不断深化")
    assert source.read_text("utf-8") == expected != theirs.read_text("utf-8")


def test_a_change_since_export_on_an_edited_block_is_a_conflict(
    committed: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    source, docx = committed
    # The first paragraph, which the DOCX edits too, changed in the source.
    changed = source.read_text("utf-8").replace("担负着", "肩负着")
    source.write_text(changed, "utf-8")
    review = source.parent / "review.html"
    assert take_back(docx, source, "accept", "--review", str(review)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert ":18: block at line 18: changed in the source since edited.docx was exported" in err
    assert source.read_text("utf-8") == changed
    assert "block at line 18" in review.read_text("utf-8")


def zipped(document: str) -> bytes:
    """A zip holding ``document`` as word/document.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"plain text", "not a zip"),
        (b"\xd0\xcf\x11\xe0rest", "password-protected"),
        (b"PK\x05\x06" + b"\0" * 18, "no word/document.xml"),
        (zipped(f'<w:document xmlns:w="{W}"/>'), "a DOCX with no body"),
        (zipped(f'<w:document xmlns:w="{W}"><w:body>'), "broken XML"),
    ],
)
def test_bad_docx_is_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, message: str
) -> None:
    source = copy_source(tmp_path, ROOT / "source/report.md")
    bad = tmp_path / "bad.docx"
    bad.write_bytes(data)
    assert main(["import", str(bad), "--into", str(source)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert source.read_bytes() == (ROOT / "source/report.md").read_bytes()


def test_a_docx_we_did_not_make_is_refused_not_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without our marks every block would look deleted: one line, and the source untouched."""
    import docx

    source = copy_source(tmp_path, ROOT / "source/report.md")
    foreign = tmp_path / "foreign.docx"
    other = docx.Document()
    other.add_paragraph("别人的文件")
    other.save(str(foreign))
    assert main(["import", str(foreign), "--into", str(source)]) == 2
    err = capsys.readouterr().err
    assert "not an edited copy of report.md" in err and err.count("\n") == 1
    assert source.read_bytes() == (ROOT / "source/report.md").read_bytes()


@pytest.fixture(scope="module")
def libreoffice_edited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Our DOCX of source/report.md, edited in LibreOffice (one session, driven over UNO)."""
    folder = tmp_path_factory.mktemp("lo")
    source = copy_source(folder, ROOT / "source/report.md")
    export(source, folder / "ours.docx")
    run_uno_script("edit_docx.py", folder, folder / "ours.docx", folder / "edited.docx")
    return source, folder / "edited.docx"


def test_libreoffice_edits_come_back_accepted(
    libreoffice_edited: tuple[Path, Path], tmp_path: Path
) -> None:
    _, docx = libreoffice_edited
    source = tmp_path / "report.md"
    shutil.copy(ROOT / "source/report.md", source)
    review = tmp_path / "review.html"
    assert take_back(docx, source, "accept", "--review", str(review)) == 0
    lines = (ROOT / "source/report.md").read_text("utf-8").splitlines()
    diff = changed_lines("\n".join(lines), source.read_text("utf-8"))
    first, second, fourth = lines[17], lines[19], lines[23]
    # The word, the sentence, the new paragraph (and its blank line), the new heading.
    assert sorted(diff) == sorted(
        [
            ("-", first),
            ("+", first.replace("担负着", "承担着")),
            ("-", second),
            ("+", second[second.index("。") + 1 :]),
            ("+", "这是同事新加的一段。"),
            ("+", ""),
            ("-", fourth),
            ("+", f"## {fourth}"),
        ]
    )
    page = review.read_text("utf-8")
    assert "承担着" in page and "这是同事新加的一段。" in page
    # The comment, with its author, date, anchored text and the source line of its block.
    (comment,) = json.loads(source.with_suffix(".comments.json").read_text("utf-8"))
    assert (comment["author"], comment["date"], comment["text"], comment["anchor"]) == (
        "李审读",
        "2026-12-01T10:00:00Z",
        "课题组的名称要写全。",
        "课题组",
    )
    assert source.read_text("utf-8").splitlines()[comment["line"] - 1].startswith("在此基础上")
    assert "课题组的名称要写全。" in page


def test_libreoffice_edits_rejected_keep_only_the_untracked_heading(
    libreoffice_edited: tuple[Path, Path], tmp_path: Path
) -> None:
    _, docx = libreoffice_edited
    source = tmp_path / "report.md"
    shutil.copy(ROOT / "source/report.md", source)
    assert take_back(docx, source, "reject") == 0
    lines = (ROOT / "source/report.md").read_text("utf-8").splitlines()
    assert changed_lines("\n".join(lines), source.read_text("utf-8")) == [
        ("-", lines[23]),
        ("+", f"## {lines[23]}"),
    ]


def test_libreoffice_edits_with_the_marks_lost_are_aligned_alike(
    libreoffice_edited: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same DOCX with every block mark removed (the digest kept): aligned by sequence,
    with a warning, into the same source."""
    _, docx = libreoffice_edited
    marked, lost = tmp_path / "marked.md", tmp_path / "lost.md"
    for copy_ in (marked, lost):
        shutil.copy(ROOT / "source/report.md", copy_)
    assert take_back(docx, marked, "accept") == 0
    unmarked = tmp_path / "unmarked.docx"
    shutil.copy(docx, unmarked)

    def drop_marks(root: etree._Element) -> None:
        ids = set()
        for start in list(root.iter(q("bookmarkStart"))):
            if start.get(q("name"), "").startswith("_rx_"):
                ids.add(start.get(q("id")))
                start.getparent().remove(start)
        for end in [e for e in root.iter(q("bookmarkEnd")) if e.get(q("id")) in ids]:
            end.getparent().remove(end)

    rewrite(unmarked, drop_marks)
    capsys.readouterr()
    assert take_back(unmarked, lost, "accept", "--strict") == 1
    assert "has no block marks (its marks were lost)" in capsys.readouterr().out
    assert lost.read_bytes() == marked.read_bytes()
    # The comment is placed on the same block and line.
    assert json.loads(lost.with_suffix(".comments.json").read_text("utf-8")) == json.loads(
        marked.with_suffix(".comments.json").read_text("utf-8")
    )


def test_the_review_page_renders_in_chromium(word_edited: tuple[Path, Path]) -> None:
    source, docx = word_edited
    review = source.parent / "review.html"
    before = source.read_text("utf-8")
    take_back(docx, source, "keep", "--review", str(review))
    kept = source.read_text("utf-8")
    source.write_text(before, "utf-8")
    take_back(docx, source, "accept")
    accepted = source.read_text("utf-8")
    dom = headless_chromium(source.parent / "profile", ["--dump-dom", review.as_uri()]).stdout
    text = " ".join(lxml_html.fromstring(dom).text_content().split())
    # Every line the import wrote (kept: the untracked heading) and every line accepting the
    # tracked changes would write (the proposals), with the author of each tracked change.
    for sign, line in changed_lines(before, kept) + changed_lines(kept, accepted):
        if sign == "+" and line.strip():
            assert " ".join(line.split()) in text, line
    assert "王编辑 2026-12-01T10:00:00Z" in text and "untracked" in text
    # The tracked changes to decide, the comment with its reply and its source line.
    assert "insertion · 王编辑" in text and "moveFrom" not in text
    assert "这一段改成标题？" in text and "同意。" in text and "line 26" in text


def test_a_password_protected_docx_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Our DOCX encrypted with a password as Office does (ECMA-376 agile encryption, which
    wraps the package in a compound file), by msoffcrypto-tool."""
    from msoffcrypto.format.ooxml import OOXMLFile

    source = copy_source(tmp_path, ROOT / "source/report.md")
    plain, protected = tmp_path / "plain.docx", tmp_path / "protected.docx"
    export(source, plain)
    with plain.open("rb") as read, protected.open("wb") as written:
        OOXMLFile(read).encrypt("geheim", written)
    assert take_back(protected, source, "accept") == 2
    err = capsys.readouterr().err
    assert "password-protected" in err and err.count("\n") == 1
    assert source.read_bytes() == (ROOT / "source/report.md").read_bytes()
