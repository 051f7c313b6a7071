"""Damaged copies of the gold reports in ``fixtures/gold/``, as document sites serve them.

Each gold report is a hand-written source (three heading levels, many quoted phrases, the words
spinners swap, and those words' legitimate uses). ``damage`` does to it what every site does to
the text (synonym swaps, the closing ” dropped, half-width punctuation, the paragraphs' breaks
flattened or kept as lines); each layout then cuts and wraps it as one kind of site does, with
that site's chrome around it:

- ``chunks``: numbered preview chunks of a fixed size (金锄头文库; 人人文库 with page-image
  captions between them);
- ``pages``: the document's lines, a page marker of one of the five forms in the middle of a
  sentence every few hundred characters, sometimes the title over each page, sometimes a banner
  between two pages (原创力文档, 道客巴巴, an unknown site);
- ``wrapped``: lines broken every 30-40 characters, paragraphs shown by an indent (豆丁网, an
  unknown site) or by a short last line only (百度文库), sometimes with page markers;
- ``pdf``: the damaged text rendered by WeasyPrint as a site's preview PDF: a diagonal, light
  watermark of the site's name on every page, a running header, the page number in the footer.

Every copy is made from a seeded ``random.Random``: the same copies every run.
``python -m tests.copies OUT`` writes them all to ``OUT`` to look at.
"""

from __future__ import annotations

import html
import random
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

GOLD = Path(__file__).parent / "fixtures" / "gold"

# What a spinner puts for the author's word (the table in spun_words.toml, run forwards).
SPINS = {
    "服务": "效劳", "基础": "根底", "承担": "承当", "分离": "别离", "比较": "比拟",
    "原则": "原那么", "规则": "规那么", "显著": "显着", "支撑": "支撵", "全面": "金面",
    "已经": "己经", "自己": "自已", "贯彻": "贯切", "规范": "标准", "项目": "工程",
    "结构": "机构", "基本": "根本", "部分": "局部", "巩固": "稳固", "改进": "改良",
    "创建": "创立", "凡是": "但凡", "提高": "进步", "安全": "平安", "控制": "操纵",
    "成本": "本钱", "鼓励": "鼓舞", "进行": "进展", "必须": "必需",
}  # fmt: skip
UNAMBIGUOUS = (
    "效劳", "根底", "承当", "别离", "比拟", "原那么", "规那么", "显着", "支撵", "金面", "己经",
    "自已", "贯切", "但凡",
)  # fmt: skip
_SPIN = re.compile("|".join(sorted(SPINS, key=len, reverse=True)))
_HALF = {"，": ",", "；": ";", "：": ":"}
_NO_LINE_START = "，。、；：！？）》”,;:"
MARKERS: dict[str, Callable[[int, int], str]] = {
    "dash": lambda page, pages: f"- {page} -",
    "bare": lambda page, pages: f"{page}",
    "第k页": lambda page, pages: f"第{page}页",
    "k/n": lambda page, pages: f"{page}/{pages}",
    "word field": lambda page, pages: f"PAGE \\* MERGEFORMAT {page}",
}


@dataclass(frozen=True, slots=True)
class Gold:
    """A gold report: its title and its blocks, (level, text), level 0 for a paragraph."""

    name: str
    title: str
    blocks: tuple[tuple[int, str], ...]
    markdown: str


@dataclass(frozen=True, slots=True)
class Copy:
    """One damaged copy: which report, which layout and site, and the bytes a user would hold."""

    gold: Gold
    layout: str
    site: str
    detail: str
    data: bytes
    suffix: str

    @property
    def name(self) -> str:
        return f"{self.gold.name}-{self.layout}-{self.site}"


def read_gold(path: Path) -> Gold:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    title = re.search(r"^title: (.+)$", front, re.MULTILINE)
    assert title is not None
    blocks = []
    for block in body.strip().split("\n\n"):
        marks = re.match(r"(#+) ", block)
        level = len(marks.group(1)) if marks else 0
        blocks.append((level, block[marks.end() :] if marks else block))
    return Gold(path.stem, title.group(1), tuple(blocks), text)


def golds() -> list[Gold]:
    return [read_gold(path) for path in sorted(GOLD.glob("*.md"))]


def damage(gold: Gold, rng: random.Random) -> list[str]:
    """The title and the blocks as a site serves them: one line each, damaged."""
    lines = []
    for line in (gold.title, *(text for _, text in gold.blocks)):
        line = _SPIN.sub(lambda m: SPINS[m.group()], line).replace("”", "")
        line = "".join(_HALF[c] if c in _HALF and rng.random() < 0.5 else c for c in line)
        lines.append(line)
    return lines


def _provenance_line(rng: random.Random, pages: int) -> str:
    number = rng.randrange(10**8, 10**9)
    return (
        f"上传人:{rng.choice(['lx***', '138****6621', '星***光', 'zhang_w'])} 文档编号:{number} "
        f"上传时间:2023-0{rng.randrange(1, 10)}-1{rng.randrange(0, 10)} 格式:DOCX 页数:{pages}"
    )


def _related(rng: random.Random) -> list[str]:
    titles = [
        "2023年社区工作总结范文.docx", "关于加强物业管理的实施意见", "乡村振兴调研报告（精选5篇）",
        "城市交通治理方案.pdf", "年度安全生产工作计划", "党建工作述职报告范文",
    ]  # fmt: skip
    return rng.sample(titles, 4)


# --- site chrome -------------------------------------------------------------------------------


def _chrome(site: str, title: str, rng: random.Random, pages: int) -> tuple[list[str], list[str]]:
    """The site's header and footer lines around a copy."""
    shown = rng.choice([title, f"{2023}年{title}", f"{title}(最新版)"])
    if site == "jinchutou":
        header = [
            shown, "", _provenance_line(rng, pages), "返回 下载 相关 举报",
            f"{shown}_第1页", f"第1页 / 共{pages}页", f"{shown}_第2页", f"第2页 / 共{pages}页",
            f"亲,该文档总共{pages}页,到这儿已超出免费预览范围,如果喜欢就下载吧!", "资源描述", "",
            f"《{shown}》由会员分享,可在线阅读,更多相关《{shown}({pages}页珍藏版)》请在金锄头文库上搜索。",
            "",
        ]  # fmt: skip
        footer = [
            "", "展开阅读全文", "相关资源", "正为您匹配相似的精品文档", "相关搜索", "",
            "当前位置:首页 > 办公文档 > 工作范文", "", "电脑版 |金锄头文库版权所有",
            "经营许可证:蜀ICP备13022795号 | 川公网安备 51140202000112号",
        ]  # fmt: skip
    elif site == "renrendoc":
        header = [
            shown,
            "人人文库 | 首页 | 文档分类",
            _provenance_line(rng, pages),
            "下载 收藏 举报",
            "",
        ]
        footer = [
            "", "还剩2页未读，继续阅读", "相关文档", *_related(rng),
            "Copyright © 2016-2023 人人文库网 版权所有", "苏ICP备12009002号-5",
        ]  # fmt: skip
    elif site == "book118":
        header = [
            f"{shown}.docx", "原创力文档 | 首页 | 分类", "VIP专享 开通VIP 免费下载",
            f"文档页数：{pages}页 上传时间：2023-05-1{rng.randrange(10)} 文档格式：docx", "",
        ]  # fmt: skip
        footer = [
            "", "免费在线预览全文", "相关推荐", *_related(rng),
            "原创力文档创建于2008年，本站为文档C2C交易模式，即用户上传的文档直接分享给其他用户。",
            "版权所有 ©2008-2024 原创力文档 max.book118.com", "浙ICP备2020033426号-1",
        ]  # fmt: skip
    elif site == "doc88":
        header = [
            f"{shown} - 道客巴巴", "道客巴巴 | 首页 | 分类", "用App打开",
            f"{pages} 页 | {rng.randrange(100, 900)} 阅读 | {rng.randrange(2, 40)} 次下载", "",
        ]  # fmt: skip
        footer = [
            "", f"下载本文需要使用 {rng.randrange(1, 9)} 积分", "阅读了该文档的用户还看了",
            *_related(rng), "道客巴巴网站 版权所有 | ©2008-2024 | 网站备案：京ICP备10207551号-4",
        ]  # fmt: skip
    elif site == "docin":
        header = [
            f"{shown} - 豆丁网", "豆丁网 | 首页 | 文档", "登录 | 注册", "用App打开",
            f"{pages}页 {rng.randrange(100, 900)}浏览 {rng.randrange(2, 40)}次下载", "",
        ]  # fmt: skip
        footer = [
            "", f"阅读已结束，如果下载本文需要使用 {rng.randrange(0, 5)} 下载券", "相关文档",
            *_related(rng), "豆丁网 docin.com 版权所有", "沪ICP备09007648号",
        ]  # fmt: skip
    elif site == "baidu":
        header = [
            f"{shown} - 百度文库",
            "百度文库 | 首页 | 分类",
            "开通VIP，免费下载",
            f"{rng.randrange(2, 9)}.{rng.randrange(10)}万阅读 | {rng.randrange(100, 900)}次下载",
            "",
        ]
        footer = [
            "", "试读结束，开通VIP，免费下载完整文档", "相关推荐", *_related(rng),
            "©2024 Baidu 使用百度前必读 | 文库协议 | 网站地图",
        ]  # fmt: skip
    else:  # an unknown site: the generic profile's
        header = [
            f"{shown}_公文范文网", "首页 > 公文范文 > 工作报告", "登录 | 注册",
            f"本文由 用户{rng.randrange(1000, 9999)} 上传分享", "",
        ]  # fmt: skip
        footer = [
            "", "相关推荐", *_related(rng),
            "Copyright © 2024 公文范文网 All Rights Reserved", "粤ICP备12345678号",
        ]  # fmt: skip
    return header, footer


_BANNERS = {
    "book118": ["免费在线预览全文", "原创力文档 max.book118.com"],
    "doc88": ["下载本文需要使用 3 积分", "道客巴巴 doc88.com 海量文档"],
    "docin": ["下载本文需要使用 1 下载券"],
    "generic": ["广告：限时优惠，公文写作课程点击领取", "下载后可阅读完整内容，剩余3页未读"],
}


# --- layouts -----------------------------------------------------------------------------------


def chunks(gold: Gold, site: str, rng: random.Random) -> Copy:
    lines = damage(gold, rng)
    flat = " ".join(lines)
    size = rng.randrange(180, 260)
    pieces = [flat[at : at + size] for at in range(0, len(flat), size)]
    header, footer = _chrome(site, gold.title, rng, len(pieces))
    body: list[str] = []
    for number, piece in enumerate(pieces, start=1):
        body.append(f"{number}、{piece}")
        if site == "renrendoc" and number < len(pieces):
            body.append(f"{gold.title}_第{number + 1}页")
    text = "\n".join([*header, *body, *footer]) + "\n"
    return Copy(gold, "chunks", site, f"{size}-character chunks", text.encode(), ".txt")


def pages(gold: Gold, site: str, marker: str, rng: random.Random) -> Copy:
    lines = damage(gold, rng)
    running = rng.random() < 0.6
    banner = site in _BANNERS
    paged = _paginate(lines, rng, marker, running, banner and site, gold)
    header, footer = _chrome(site, gold.title, rng, paged.count("\n") // 20 + 1)
    text = "\n".join([*header, paged, *footer]) + "\n"
    detail = (
        f"marker {marker}"
        + (", running title" if running else "")
        + (", banners" if banner else "")
    )
    return Copy(gold, "pages", site, detail, text.encode(), ".txt")


def wrapped(gold: Gold, site: str, indent: bool, marker: str | None, rng: random.Random) -> Copy:
    lines = damage(gold, rng)
    width = rng.randrange(30, 41)
    out: list[str] = []
    for index, line in enumerate(lines):
        paragraph = index > 0 and gold.blocks[index - 1][0] == 0
        lead = "\u3000\u3000" if indent and paragraph else ""
        out.extend(_wrap(lead + line, width))
    if marker is not None:
        out = _paginate(out, rng, marker, False, False, gold, cut_lines=False).split("\n")
    header, footer = _chrome(site, gold.title, rng, len(out) // 30 + 1)
    text = "\n".join([*header, *out, *footer]) + "\n"
    detail = (
        f"width {width}, "
        + ("indented" if indent else "no indent")
        + (f", marker {marker}" if marker else "")
    )
    return Copy(gold, "wrapped", site, detail, text.encode(), ".txt")


def pdf(gold: Gold, site: str, rng: random.Random) -> Copy:
    """The preview PDF a site serves: WeasyPrint, a diagonal light watermark on every page."""
    import weasyprint  # only the PDF copies need it

    lines = damage(gold, rng)
    name = {"book118": "原创力文档 max.book118.com", "doc88": "道客巴巴 www.doc88.com"}[site]
    marker = {"book118": '"- " counter(page) " -"', "doc88": '"第" counter(page) "页"'}[site]
    blocks = [f"<h1>{html.escape(lines[0])}</h1>"]
    for (level, _), line in zip(gold.blocks, lines[1:], strict=True):
        css = f"h{level}" if level else "p"
        blocks.append(f'<p class="{css}">{html.escape(line)}</p>')
    page = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 24mm 22mm;
  @top-center {{ content: "{html.escape(gold.title)}"; font-size: 9pt; color: #555; }}
  @bottom-center {{ content: {marker}; font-size: 9pt; }} }}
body {{ font-family: "Noto Serif CJK SC", serif; font-size: 12pt; line-height: 1.7; }}
h1 {{ font-size: 18pt; text-align: center; }}
p {{ margin: 0; }} p.p {{ text-indent: 2em; }} p.h1, p.h2, p.h3 {{ font-weight: bold; }}
.wm {{ position: fixed; top: 120mm; left: 5mm; transform: rotate(-35deg); font-size: 38pt;
  color: rgb(205, 205, 205); white-space: nowrap; }}
</style></head><body><div class="wm">{name}</div>{"".join(blocks)}</body></html>"""
    data = weasyprint.HTML(string=page).write_pdf()
    assert data is not None
    return Copy(gold, "pdf", site, "WeasyPrint, rotated light watermark", data, ".pdf")


def _paginate(
    lines: list[str],
    rng: random.Random,
    marker: str,
    running: bool,
    banner: str | bool,
    gold: Gold,
    cut_lines: bool = True,
) -> str:
    """The lines with a page break every few hundred characters: inside a line (a sentence cut
    in two) where ``cut_lines``, else between two lines; each break a marker, perhaps the title
    and a banner."""
    total = sum(len(line) for line in lines)
    per_page = rng.randrange(300, 480) if cut_lines else rng.randrange(18, 26)
    out: list[str] = []
    page, budget = 1, per_page
    pages = (total // per_page + 2) if cut_lines else (len(lines) // per_page + 2)

    def breaks() -> Iterator[str]:
        nonlocal page
        yield MARKERS[marker](page, pages)
        page += 1
        if isinstance(banner, str) and rng.random() < 0.5:
            yield rng.choice(_BANNERS[banner])
        if running:
            yield gold.title

    for line in lines:
        if not cut_lines:
            out.append(line)
            budget -= 1
            if budget == 0:
                out.extend(breaks())
                budget = per_page
            continue
        while len(line) > budget:
            # Never inside a heading's short line: pages break inside long lines of prose.
            if len(line) < 40:
                break
            cut = max(1, budget)
            out.append(line[:cut])
            out.extend(breaks())
            line, budget = line[cut:], per_page
        out.append(line)
        budget -= len(line)
        if budget <= 0:
            out.extend(breaks())
            budget = per_page
    return "\n".join(out)


def _wrap(line: str, width: int) -> list[str]:
    """``line`` broken every ``width`` full-width characters (a Latin one counts a half)."""
    out, current, used = [], "", 0.0
    for char in line:
        step = 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.5
        # A closing mark never starts a line: it stays on the full one (as renderers do).
        if used + step > width and char not in _NO_LINE_START:
            out.append(current)
            current, used = "", 0.0
        current += char
        used += step
    if current:
        out.append(current)
    return out


def copies(with_pdf: bool = True) -> list[Copy]:
    """Every test copy: each gold report in each layout, varied by site and marker form."""
    forms = list(MARKERS)
    out: list[Copy] = []
    for number, gold in enumerate(golds()):
        rng = random.Random(f"{gold.name}-{number}")
        out.append(chunks(gold, "jinchutou", rng))
        out.append(chunks(gold, "renrendoc", rng))
        for offset, site in enumerate(("book118", "doc88", "generic")):
            out.append(pages(gold, site, forms[(number + 2 * offset) % len(forms)], rng))
        out.append(wrapped(gold, "docin", True, forms[(number + 1) % len(forms)], rng))
        out.append(wrapped(gold, "baidu", False, None, rng))
        out.append(wrapped(gold, "generic", True, None, rng))
        if with_pdf:
            out.append(pdf(gold, ("book118", "doc88")[number % 2], rng))
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    for copy in copies():
        (target / f"{copy.name}{copy.suffix}").write_bytes(copy.data)
        print(target / f"{copy.name}{copy.suffix}", copy.detail)
