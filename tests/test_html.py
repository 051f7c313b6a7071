"""The shared HTML renderer: one rule a kind of node, so a format overrides exactly one."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from report_export.html import BLOCK_RULES, INLINE_RULES, HtmlRenderer
from report_export.model import (
    Block,
    Document,
    Emph,
    Heading,
    Inline,
    Metadata,
    Paragraph,
    Text,
)


def test_every_kind_of_node_has_a_rule_of_its_own() -> None:
    assert set(BLOCK_RULES) == set(typing.get_args(Block))
    assert set(INLINE_RULES) == set(typing.get_args(Inline))
    names = [*BLOCK_RULES.values(), *INLINE_RULES.values()]
    assert len(set(names)) == len(names)
    assert all(callable(getattr(HtmlRenderer, name, None)) for name in names)


def test_overriding_one_rule_changes_that_kind_of_node_alone() -> None:
    class Shouting(HtmlRenderer):
        def paragraph(self, paragraph: Paragraph) -> str:
            return f"<p class='loud'>{self.inlines(paragraph.children)}</p>"

    blocks = (
        Heading(1, (Text("标题"),), "sec-1"),
        Paragraph((Text("正文"), Emph((Text("强调"),)))),
    )
    document = Document(Metadata(title="题", lang="zh-CN"), blocks)
    plain = HtmlRenderer(document).blocks(blocks).splitlines()
    loud = Shouting(document).blocks(blocks).splitlines()
    assert loud[0] == plain[0] == '<h2 id="sec-1">标题</h2>'
    # A paragraph keeps its last two characters together (never one alone on a line).
    assert plain[1] == '<p>正文<em><span class="keep">强调</span></em></p>'
    assert loud[1] == "<p class='loud'>正文<em>强调</em></p>"


def test_a_node_without_a_rule_is_an_error_not_dropped() -> None:
    document = Document(Metadata(title="题", lang="zh-CN"), ())
    with pytest.raises(TypeError, match="no rule for str"):
        HtmlRenderer(document).block(typing.cast(Block, "not a node"))


def test_a_paragraph_ending_in_a_note_call_keeps_two_characters_with_it(tmp_path: Path) -> None:
    """ "…两年内解散³。": the punctuation after the call is too short to keep, so "解散", the call
    and "。" are kept as one, and never "³。" alone on the last line."""
    from report_export.exporters.pdf import PrintHtmlRenderer
    from report_export.reader import read_text
    from report_export.theme import load_theme

    source = tmp_path / "report.md"
    text = "---\ntitle: 题\nlang: zh-CN\n---\n\n有三个团队在两年内解散[^1]。\n\n[^1]: 原因。\n"
    document = read_text(text, source)
    (paragraph,) = document.blocks
    assert isinstance(paragraph, Paragraph)
    web = HtmlRenderer(document).blocks(document.blocks)
    assert '两年内<span class="keep"><span class="keep">解散</span><a ' in web
    assert '</a><span class="keep">。</span></span></p>' in web
    printed = PrintHtmlRenderer(document, load_theme(), ()).blocks(document.blocks)
    assert '两年内解\u2060散\u2060<span class="footnote"' in printed
    assert printed.endswith("</span>\u2060。</p>")


def test_what_comes_before_the_kept_end_is_kept_too(tmp_path: Path) -> None:
    from report_export.reader import read_text

    text = "---\ntitle: 题\nlang: zh-CN\n---\n\n见注[^a]与注[^b]。\n\n[^a]: 甲。\n[^b]: 乙。\n"
    document = read_text(text, tmp_path / "report.md")
    web = HtmlRenderer(document).blocks(document.blocks)
    assert web.startswith("<p>见注<a ") and '<span class="keep">与注</span>' in web
