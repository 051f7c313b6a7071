"""The bad-input corpus: what a hostile or careless user gives the command line, and what it
must answer. One ``Case`` a line of issue #19's lists, and more of our own.

Every case runs in a folder of its own holding ``src.md`` (unless the case names the source
otherwise), the case's ``files`` beside it, and ``out/`` with a good text build of the same
stem in it. A case expecting exit 2 (or 130) must print exactly one line on stderr holding
``message``, no traceback, and leave ``out/`` byte for byte as it was and nothing new beside
it (``verify`` prints its line on stdout and writes nothing anyway); a case expecting exit 0
must build, and then ``verify`` what it built. ``{dir}`` in ``args`` and ``env`` is the case's
folder. Cases that need a real signal, a full disk or another user live in
``tests/test_faults.py``.
"""

from __future__ import annotations

import os
import struct
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from report_export.resources import styles_dir

GOOD = "---\ntitle: 题目\nlang: zh-CN\n---\n# 一、甲\n\n正文。\n"
FRONT = "---\ntitle: 题目\n"


@dataclass(frozen=True)
class Case:
    """One input and the answer it must get."""

    name: str
    source: str | bytes | None
    """The source's content; None: no source file at all."""
    message: str = ""
    """Text the one line on stderr must hold (``{src}``: the source's path)."""
    code: int = 2
    args: tuple[str, ...] = ("--to", "text")
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    """Files beside the source, by relative name."""
    env: Mapping[str, str] = field(default_factory=dict)
    source_name: str = "src.md"
    command: str = "build"
    prepare: Callable[[Path], None] | None = None
    """Anything else the case needs in its folder before the run."""


def _theme(*, top: str = "", edit: tuple[str, str] | None = None) -> str:
    """The default theme with lines put on top (before any table) or one line replaced."""
    text = (styles_dir() / "default.toml").read_text(encoding="utf-8")
    if edit is not None:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1])
    return top + "\n" + text


def _nested_list(depth: int) -> str:
    return FRONT + "---\n" + "".join("  " * i + "- 项\n" for i in range(depth))


def _alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        prev = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "---\ntitle: 题目\nprovenance:\n" + "".join(f"  {line}\n" for line in lines) + "---\n"


def _odd_name_beside(folder: Path) -> None:
    """A file whose name is not UTF-8, and one that cannot be read as a file (a FIFO)."""
    with open(os.fsencode(folder) + b"/\xff\xfe-notes.txt", "wb") as handle:
        handle.write(b"not used")
    os.mkfifo(folder / "pipe")
    (folder / "loop").symlink_to(folder / "loop")


def _png(folder: Path, name: str, size: tuple[int, int]) -> None:
    from PIL import Image

    Image.new("1", size).save(folder / name)


def _truncated_png(folder: Path) -> None:
    from PIL import Image

    Image.effect_noise((64, 64), 40).save(folder / "fig.png")
    data = (folder / "fig.png").read_bytes()
    (folder / "fig.png").write_bytes(data[: len(data) // 2])


_SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</svg>'
IMAGE = FRONT + "---\n正文。\n\n![图](fig.{})\n"


def _out_is_a_file(folder: Path) -> None:
    (folder / "file-out").write_text("keep me", encoding="utf-8")


def _pdf_without_fonts(folder: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with (folder / "out" / "src.pdf").open("wb") as handle:
        writer.write(handle)


def _pdf_stream_bomb(folder: Path) -> None:
    """A PDF whose page content inflates to 100 MB (100 KB on disk): past pypdf's cap."""
    import zlib

    from pypdf import PdfWriter
    from pypdf.generic import NameObject, StreamObject

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    content = StreamObject()
    content.set_data(zlib.compress(b" " * (100 << 20), 9))
    content[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(content)
    with (folder / "out" / "src.pdf").open("wb") as handle:
        writer.write(handle)


def _docx_zip_bomb(folder: Path) -> None:
    """A DOCX whose document member declares 600 MB: what ``verify`` reads before inflating
    (a real one would take seconds to make; zipfile never inflates past the declared size)."""
    path = folder / "out" / "src.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * 1024)
    data = bytearray(path.read_bytes())
    entry = data.rindex(b"PK\1\2")  # the last central directory entry: word/document.xml
    struct.pack_into("<I", data, entry + 24, 600 << 20)
    path.write_bytes(bytes(data))


def _epub_many_members(folder: Path) -> None:
    with zipfile.ZipFile(folder / "out" / "src.epub", "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        for number in range(10_001):
            archive.writestr(f"x/{number}", "")


CASES: list[Case] = [
    # --- data lost ---------------------------------------------------------------------------
    Case(
        "output-over-the-source",
        GOOD,
        "would overwrite this input",
        source_name="report.txt",
        args=("--to", "text", "--out", "{dir}"),
    ),
    Case(
        "output-over-the-theme-css",
        GOOD,
        "would overwrite this input",
        files={"theme/t.toml": _theme(top='css = "src.txt"'), "theme/src.txt": "p {}"},
        args=("--to", "text", "--theme", "{dir}/theme/t.toml", "--out", "{dir}/theme"),
    ),
    # --- a leak ------------------------------------------------------------------------------
    Case(
        "theme-css-outside-its-folder",
        GOOD,
        "css file '/etc/passwd' is outside the theme's folder",
        files={"t.toml": _theme(top='css = "/etc/passwd"')},
        args=("--to", "text", "--theme", "{dir}/t.toml"),
    ),
    Case(
        "theme-css-climbing-out",
        GOOD,
        "is outside the theme's folder",
        files={"themes/t.toml": _theme(top='css = "../../../../../../etc/passwd"')},
        args=("--to", "text", "--theme", "{dir}/themes/t.toml"),
    ),
    Case(
        "theme-font-outside-the-folders",
        GOOD,
        "t.css:1: theme CSS: refused url(/etc/passwd)",
        files={
            "t.toml": _theme(top='css = "t.css"'),
            "t.css": "@font-face { font-family: X; src: url(/etc/passwd) }\nh2 { font-family: X }",
        },
        args=("--to", "text", "--theme", "{dir}/t.toml"),
    ),
    Case(
        "theme-font-beside-the-theme",  # the PDF could read it; HTML and EPUB cannot carry it
        GOOD,
        't.css:2: theme CSS: refused url("f.ttf")',
        files={
            "t.toml": _theme(top='css = "t.css"'),
            "t.css": 'h2 { color: #700 }\n@font-face { font-family: X; src: url("f.ttf") }',
            "f.ttf": b"\0\1\0\0",
        },
        args=("--to", "epub", "--theme", "{dir}/t.toml"),
    ),
    Case(
        "theme-css-import-over-http",
        GOOD,
        "t.css:1: theme CSS: refused @import",
        files={"t.toml": _theme(top='css = "t.css"'), "t.css": '@import "http://x.invalid/a.css";'},
        args=("--to", "text", "--theme", "{dir}/t.toml"),
    ),
    Case(
        "theme-css-escaped-url",
        GOOD,
        "theme CSS: refused",
        files={"t.toml": _theme(top='css = "t.css"'), "t.css": "p { background: \\75 rl(x.png) }"},
        args=("--to", "text", "--theme", "{dir}/t.toml"),
    ),
    Case(
        "theme-css-closing-the-style",
        GOOD,
        "theme CSS: '</style' would end",
        files={"t.toml": _theme(top='css = "t.css"'), "t.css": "</style><script>alert(1)</script>"},
        args=("--to", "html", "--theme", "{dir}/t.toml"),
    ),
    # --- tracebacks --------------------------------------------------------------------------
    Case(
        "date-not-a-date",
        FRONT + "date: 2024-13-45\n---\n正文。\n",
        "{src}:3: front matter: 'date': '2024-13-45' is not a date",
    ),
    Case(
        "date-year-one",
        FRONT + "date: 0001-01-01\n---\n正文。\n",
        "{src}:3: front matter: 'date'",
    ),
    Case(
        "date-nonsense",
        FRONT + "date: 下周\n---\n正文。\n",
        "{src}:3: front matter: 'date'",
    ),
    Case(
        "yaml-20000-deep",
        FRONT + "provenance: " + "[" * 20000 + "]" * 20000 + "\n---\n正文。\n",
        "{src}:3: front matter: values nest more than 4 deep",
    ),
    Case(
        "emphasis-5000-deep",
        FRONT + "---\n" + "*a " * 5000 + "x" + " b*" * 5000 + "\n",
        "{src}:4: emphasis and links nest more than 8 deep",
    ),
    Case(
        "strong-in-emphasis-deep",
        FRONT + "---\n" + "_a **b " * 5 + "x" + "** b_" * 5 + "\n",
        "{src}:4: emphasis and links nest more than 8 deep",
    ),
    Case(
        "quotes-deep",
        FRONT + "---\n" + ">" * 300 + " 引\n",
        "{src}:4: lists and quotes nest more than 8 deep",
    ),
    Case(
        "odd-files-beside-the-source",
        GOOD,
        code=0,
        args=("--to", "text,docx"),
        prepare=_odd_name_beside,
    ),
    Case(
        "source-date-epoch-huge",
        GOOD,
        "SOURCE_DATE_EPOCH='99999999999999999': not a whole number of seconds",
        env={"SOURCE_DATE_EPOCH": "99999999999999999"},
    ),
    Case(
        "source-date-epoch-negative",
        GOOD,
        "SOURCE_DATE_EPOCH='-1'",
        env={"SOURCE_DATE_EPOCH": "-1"},
    ),
    Case(
        "source-date-epoch-text",
        GOOD,
        "SOURCE_DATE_EPOCH='yesterday'",
        env={"SOURCE_DATE_EPOCH": "yesterday"},
    ),
    Case(
        "theme-nan",
        GOOD,
        "[text].size_pt must be a number from 0 to 2000",
        files={"t.toml": _theme(edit=("size_pt = 12", "size_pt = nan"))},
        args=("--to", "text", "--theme", "{dir}/t.toml"),
    ),
    Case(
        "theme-inf",
        GOOD,
        "[page].width_mm must be a number from 0 to 2000",
        files={"t.toml": _theme(edit=("width_mm = 210", "width_mm = inf"))},
        args=("--to", "text", "--theme", "{dir}/t.toml"),
    ),
    Case(
        "out-names-a-file",
        GOOD,
        "file-out: --out must be a folder",
        args=("--to", "text", "--out", "{dir}/file-out"),
        prepare=_out_is_a_file,
    ),
    Case(
        "out-below-a-file",
        GOOD,
        "file-out/sub: cannot write here",
        args=("--to", "text", "--out", "{dir}/file-out/sub"),
        prepare=_out_is_a_file,
    ),
    Case(
        "verify-a-pdf-page-without-fonts",
        GOOD,
        "pdf    FAILED",
        code=1,
        command="verify",
        args=("--to", "pdf"),
        prepare=_pdf_without_fonts,
    ),
    Case(
        "verify-a-pdf-stream-bomb",
        GOOD,
        "pdf    FAILED",
        code=1,
        command="verify",
        args=("--to", "pdf"),
        prepare=_pdf_stream_bomb,
    ),
    Case(
        "verify-a-docx-zip-bomb",
        GOOD,
        "refused: the archive inflates to 629,145,608 bytes",
        code=1,
        command="verify",
        args=("--to", "docx"),
        prepare=_docx_zip_bomb,
    ),
    Case(
        "verify-an-epub-of-10001-members",
        GOOD,
        "refused: 10,002 archive members",
        code=1,
        command="verify",
        args=("--to", "epub"),
        prepare=_epub_many_members,
    ),
    Case(
        "verify-a-docx-that-is-text",
        GOOD,
        "docx   FAILED",
        code=1,
        command="verify",
        args=("--to", "docx"),
        files={"out/src.docx": "PK\3\4 this is no zip"},
    ),
    # --- accepted silently -------------------------------------------------------------------
    Case(
        "image-file-url-outside",
        FRONT + "---\n![图](file:///etc/passwd)\n",
        "{src}:4: refused to read 'file:///etc/passwd'",
    ),
    Case(
        "footnote-called-never-defined",
        FRONT + "---\n正文[^1]。\n",
        "{src}:4: footnote [^1] is called but never defined",
    ),
    Case(
        "footnote-defined-never-called",
        FRONT + "---\n正文。\n\n[^甲]: 注。\n",
        "{src}:6: footnote [^甲] is defined but never called",
    ),
    Case(
        "yaml-alias-bomb",
        _alias_bomb(),
        "{src}:5: front matter: YAML aliases are not allowed",
    ),
    Case(
        "page-20-mm-tall",
        GOOD,
        "[page] leaves room for fewer than 5 lines of text",
        files={"t.toml": _theme(edit=("height_mm = 297", "height_mm = 20"))},
        args=("--to", "text", "--theme", "{dir}/t.toml"),
    ),
    Case(
        "png-truncated",
        IMAGE.format("png"),
        "{src}:6: image 'fig.png': damaged or cut short",
        prepare=_truncated_png,
    ),
    Case(
        "png-decompression-bomb",
        IMAGE.format("png"),
        "{src}:6: image 'fig.png': 9000 x 5000 pixels is more than 40,000,000",
        prepare=lambda d: _png(d, "fig.png", (9000, 5000)),
    ),
    Case(
        "png-that-is-text",
        IMAGE.format("png"),
        "{src}:6: image 'fig.png': not an image file",
        files={"fig.png": "hello"},
    ),
    Case(
        "svg-http-reference",
        IMAGE.format("svg"),
        "{src}:6: image 'fig.svg': SVG refused: an external reference (http://example.invalid/x.png)",
        files={"fig.svg": _SVG.format('<image xlink:href="http://example.invalid/x.png"/>')},
    ),
    Case(
        "svg-xxe-entity",
        IMAGE.format("svg"),
        "{src}:6: image 'fig.svg': SVG refused: a DOCTYPE",
        files={
            "fig.svg": '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + _SVG.format("<text>&x;</text>")
        },
    ),
    Case(
        "svg-script",
        IMAGE.format("svg"),
        "{src}:6: image 'fig.svg': SVG refused: a <script> element",
        files={"fig.svg": _SVG.format("<script>alert(1)</script>")},
    ),
    Case(
        "svg-onload",
        IMAGE.format("svg"),
        "{src}:6: image 'fig.svg': SVG refused: an event handler (onload)",
        files={"fig.svg": _SVG.format('<rect onload="alert(1)"/>')},
    ),
    Case(
        "svg-css-import",
        IMAGE.format("svg"),
        "SVG refused: an external url() or @import in a <style>",
        files={"fig.svg": _SVG.format("<style>@import url(http://example.invalid/a.css);</style>")},
    ),
    Case(
        "image-over-http",
        FRONT + "---\n![图](http://example.invalid/a.png)\n",
        "{src}:4: refused to read 'http://example.invalid/a.png': http: URLs are never fetched",
    ),
    Case(
        "image-symlink-out-of-the-folder",
        IMAGE.format("png"),
        "{src}:6: refused to read 'fig.png': it is outside the folders",
        prepare=lambda d: (d / "fig.png").symlink_to("/etc/passwd"),
    ),
    Case(
        "svg-clean",
        IMAGE.format("svg"),
        code=0,
        args=("--to", "text"),  # the reader checks it; DOCX shows no SVG at all
        files={"fig.svg": _SVG.format('<rect width="10" height="10" fill="url(#g)"/>')},
    ),
    # --- builds whose own verify failed ------------------------------------------------------
    Case(
        "list-200-deep",
        _nested_list(200),
        "{src}:12: lists and quotes nest more than 8 deep",
    ),
    Case("list-8-deep", _nested_list(8), code=0, args=("--to", "text,docx")),
    Case(
        "c1-control",
        FRONT + "---\n正文\u0085。\n",
        "{src}:4: character U+0085 (a C1 control) is not allowed",
    ),
    Case(
        "right-to-left-override",
        FRONT + "---\n正文\u202e文正。\n",
        "{src}:4: character U+202E (a bidirectional control) is not allowed",
    ),
    Case(
        "title-300-characters",
        "---\ntitle: " + "题" * 300 + "\n---\n正文。\n",
        "{src}:2: front matter: 'title': longer than 255 characters",
    ),
    Case(
        "title-255-characters",
        "---\ntitle: " + "题" * 255 + "\n---\n正文。\n",
        code=0,
        args=("--to", "text,docx"),
    ),
    Case(
        "markup-in-the-title",
        '---\ntitle: "*强调* <b>粗</b> & [链](x) `码`"\n---\n正文。\n',
        code=0,
        args=("--to", "text,docx,epub,html,pdf"),  # each format's title, as text
    ),
    Case(
        "lang-not-a-tag",
        FRONT + "lang: 'not a language!!'\n---\n正文。\n",
        "{src}:3: front matter: 'lang': 'not a language!!' is not a BCP 47 language tag",
    ),
    Case(
        "lang-with-script-and-region",
        FRONT + "lang: zh-Hans-CN\n---\n正文。\n",
        code=0,
        args=("--to", "epub"),  # epubcheck is the judge of the tag
    ),
    Case(
        "table-2000-columns",
        FRONT + "---\n|" + "甲|" * 2000 + "\n|" + "-|" * 2000 + "\n",
        "{src}:4: a table may have 30 columns at most",
    ),
    Case(
        "list-start-999999999",
        FRONT + "---\n999999999. 甲\n",
        "{src}:4: a list may start at 1,000,000 at most",
    ),
    Case("wrap-1", GOOD, "option 'wrap' wants 0 (no wrapping) or 20", args=("--wrap", "1")),
    Case("wrap-negative", GOOD, "option 'wrap' wants 0", args=("--wrap", "-5")),
    Case(
        "wrap-20-long-words",
        FRONT + "---\n中文Supercalifragilisticexpialidocious中文 and “引号”，一二三。\n",
        code=0,
        args=("--wrap", "20"),
    ),
    # --- unclear messages --------------------------------------------------------------------
    Case(
        "noncharacter-ffff",
        FRONT + "---\n正文\uffff。\n",
        "{src}:4: character U+FFFF (a noncharacter) is not allowed",
    ),
    Case(
        "emoji-without-a-glyph",
        FRONT + "---\n正文。\n\n表情\U0001f600。\n",
        "{src}:6: U+1F600 '\U0001f600' (GRINNING FACE) is in none of the theme's body fonts",
        args=("--to", "pdf"),
    ),
    Case(
        "cjk-extension-b-without-a-glyph",
        FRONT + "---\n# 一、甲\n\n扩展\U0002a6d6字。\n",
        "{src}:6: U+2A6D6 '\U0002a6d6' (CJK UNIFIED IDEOGRAPH-2A6D6) is in none",
        args=("--to", "pdf"),
    ),
    Case(
        "newline-in-the-source-name",
        None,
        "a\\nb.md: no such file",
        source_name="a\nb.md",
        args=("{dir}/a\nb.md", "--to", "text"),
    ),
    # --- ours --------------------------------------------------------------------------------
    Case("empty-source", "", "{src}:1: no YAML front matter"),
    Case("nul-byte", FRONT + "---\n正\0文\n", "{src}:4: character U+0000"),
    Case("front-matter-a-list", "---\n- a\n---\n", "front matter must be a mapping"),
    Case("front-matter-unknown-key", FRONT + "colour: red\n---\n", "unknown key 'colour'"),
    Case("title-a-number", "---\ntitle: 12\n---\n", "{src}:2: front matter: 'title'"),
    Case("title-binary", "---\ntitle: !!binary aGk=\n---\n", "{src}:2: front matter: 'title'"),
    Case("python-tag", "---\ntitle: !!python/object:os.system x\n---\n", "front matter"),
    Case(
        "keyword-a-mapping",
        FRONT + "keywords: [{a: b}]\n---\n",
        "{src}:3: front matter: 'keywords'",
    ),
    Case(
        "link-to-javascript",
        FRONT + "---\n[点](javascript:alert(1))\n",
        "{src}:4: a link to 'javascript:alert(1)' is not allowed",
    ),
    Case("table-31-columns", FRONT + "---\n|" + "甲|" * 31 + "\n|" + "-|" * 31 + "\n", "30"),
    Case("source-is-a-folder", None, "no such file", prepare=lambda d: (d / "src.md").mkdir()),
    Case("unknown-option", GOOD, "option 'colour' is taken by none of", args=("-O", "colour=1")),
    Case("unknown-theme", GOOD, "no such theme", args=("--to", "text", "--theme", "nope")),
    Case(
        "theme-not-toml",
        GOOD,
        "invalid theme",
        files={"t.toml": "[[["},
        args=("--to", "text", "--theme", "{dir}/t.toml"),
    ),
    # --- cost: refused before anything renders (issue #19, "cost linear in size") ----------
    Case(
        "source-over-10-mib",  # a 50 MB source read ~3 minutes before this limit
        FRONT + "---\n" + "正文。" * 1_200_000,
        "{src}: larger than 10 MiB, the most a source or a copy to import may be",
    ),
    Case(
        "import-a-copy-over-10-mib",
        "公司年度工作总结。\n" * (1 << 20),
        "copy.txt: larger than 10 MiB, the most a source or a copy to import may be",
        source_name="copy.txt",
        command="import",
        args=("-o", "new.md", "--review", "review.html"),
    ),
    Case(
        "pdf-20001-blocks",  # 100,000 paragraphs took 198 s of CPU
        FRONT + "---\n" + "".join(f"第{i}段。\n\n" for i in range(20_001)),
        "{src}: pdf: a PDF takes at most 20,000 blocks; this source has 20,001",
        args=("--to", "text,pdf"),
    ),
    Case(
        "pdf-2001-footnotes",  # 10,000 took 112 s
        FRONT
        + "---\n"
        + "".join(f"文[^{i}]。\n\n" for i in range(2_001))
        + "".join(f"[^{i}]: 注。\n" for i in range(2_001)),
        "{src}: pdf: a PDF takes at most 2,000 footnotes; this source has 2,001",
        args=("--to", "pdf"),
    ),
    Case(
        "pdf-paragraph-of-100001-characters",  # one of 525,000 took 59 s, of 5 MB hours
        FRONT + "---\n" + "字" * 100_001 + "\n",
        "{src}: pdf: a PDF takes at most 100,000 characters a paragraph; this source has one"
        " of 100,001",
        args=("--to", "pdf"),
    ),
    Case(
        "pdf-1500001-characters",
        FRONT + "---\n" + ("字" * 93_750 + "\n\n") * 16 + "字\n",
        "{src}: pdf: a PDF takes at most 1,500,000 characters; this source has 1,500,001",
        args=("--to", "pdf"),
    ),
    Case(
        "source-with-bom-and-crlf",
        ("\ufeff" + GOOD).replace("\n", "\r\n").encode(),
        code=0,
        args=("--to", "text,docx"),
    ),
]
