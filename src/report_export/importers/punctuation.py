"""Stage 4, punctuation: the copy's half-width marks back to Chinese ones, stray marks out.

Half-width ``, ; : ? ! ( )`` next to Chinese text become full-width (between Latin words or digits,
"1,000" or "9:30", they stay). A comma between two short items of a 、 list is a 、 ("交通,市政
工程、"); a comma after "多种" and the like, before its noun, is a stray mark ("多种,方式"); so
are a hyphen between two Chinese characters ("行业-协会") and a "." after "。". A paragraph that
ends in a comma ends in "。". A Latin "l" used for "1" in numbering becomes "1".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..typography import HAN, is_cjk, is_han
from .changes import Change, Flag, Stage, body_lines, change

_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_SENTENCE_END = "。！？"
# Words that want a noun after them: a comma right after one cuts a phrase ("多种,方式").
_DETERMINERS = ("多种", "各种", "一种", "多项", "各项", "多类", "各类", "诸多")
_DELIMITERS = "，,、。；;：:！？!?“”"
_LIST_ITEM = re.compile(f"[{HAN}]{{1,4}}")
_LIST_END = re.compile(f"[{HAN}]{{1,4}}?等")


def normalize_punctuation(text: str) -> Stage:
    """Normalize the punctuation of the Markdown body ``text`` (one block a line)."""
    changes: list[Change] = []
    flags: list[Flag] = []
    for line in body_lines(text):
        own = line.text[line.content :]
        _line(text, line.start + line.content, own, line.heading, changes, flags)
    return Stage.apply("punctuation", text, changes, flags)


def _line(
    text: str, base: int, content: str, heading: bool, changes: list[Change], flags: list[Flag]
) -> None:
    edits: dict[int, Change] = {}

    def edit(index: int, after: str, note: str) -> None:
        edits[index] = change("punctuation", text, base + index, base + index + 1, after, note)

    numbered_l = re.match(r"[（(]?(l)(?=[、．.）)])", content)
    if numbered_l:
        edit(numbered_l.start(1), "1", "Latin l for 1 in numbering")

    last = len(content.rstrip()) - 1
    for index, char in enumerate(content):
        before = content[index - 1] if index > 0 else ""
        after = content[index + 1] if index + 1 < len(content) else ""
        near_cjk = is_cjk(before) or is_cjk(after)
        if char in ",，" and index == last and not heading and is_cjk(before):
            edit(index, "。", "a paragraph ends in a full stop, not a comma")
        elif char == ",":
            if _in_list(content, index):
                edit(index, "、", "comma between the items of a 、 list")
            elif content[:index].endswith(_DETERMINERS) and is_cjk(after):
                edit(index, "", "stray comma inside a phrase")
            elif near_cjk:
                edit(index, "，", "half-width comma in Chinese text")
        elif char in ";:?!" and near_cjk:
            edit(index, _FULL_WIDTH[char], "half-width mark in Chinese text")
        elif char == "-" and is_han(before) and is_han(after):
            edit(index, "", "stray hyphen between Chinese characters")
        elif char == "." and (before in _SENTENCE_END or (before == "." and index - 1 in edits)):
            edit(index, "", f"stray mark after “{before}”" if before != "." else "stray mark")
        elif char == "." and index == last and not heading and is_han(before):
            edit(index, "。", "half-width full stop ending a paragraph")
        elif char == "." and is_han(before) and is_han(after):
            flags.append(
                Flag(
                    "punctuation",
                    base + index,
                    base + index + 1,
                    "a half-width “.” between Chinese characters",
                    f"{content[max(0, index - 6) : index]}。{content[index + 1 : index + 7]}"
                    " (or remove it)",
                )
            )
        elif char in "，。、；：" and before == char and index - 1 not in edits:
            edit(index, "", "doubled mark")
    _parentheses(content, edit)
    changes.extend(edits.values())


def _parentheses(content: str, edit: Callable[[int, str, str], None]) -> None:
    """Half-width parentheses around or beside Chinese text become full-width, in pairs."""
    paired: set[int] = set()
    for match in re.finditer(r"\(([^()]*)\)", content):
        inner = match.group(1)
        outside = (
            content[match.start() - 1 : match.start()] + content[match.end() : match.end() + 1]
        )
        if any(is_cjk(c) for c in inner) or any(is_cjk(c) for c in outside):
            edit(match.start(), "（", "half-width parenthesis in Chinese text")
            edit(match.end() - 1, "）", "half-width parenthesis in Chinese text")
        paired.update((match.start(), match.end() - 1))
    for index, char in enumerate(content):
        if char in "()" and index not in paired:
            near = content[index - 1 : index] + content[index + 1 : index + 2]
            if any(is_cjk(c) for c in near):
                edit(index, _FULL_WIDTH[char], "half-width parenthesis in Chinese text")


def _in_list(content: str, index: int) -> bool:
    """Is the comma at ``index`` between two short items of a 、 list ("、交通,市政工程、")?"""
    start = max((content.rfind(d, 0, index) for d in _DELIMITERS), default=-1)
    if start < 0 or content[start] != "、":
        return False
    if not _LIST_ITEM.fullmatch(content[start + 1 : index]):
        return False
    rest = content[index + 1 :]
    ends = [i for i in (rest.find(d) for d in _DELIMITERS) if i >= 0]
    end = min(ends) if ends else len(rest)
    following = rest[:end]
    if end < len(rest) and rest[end] == "、" and _LIST_ITEM.fullmatch(following):
        return True
    return bool(_LIST_END.match(following))
