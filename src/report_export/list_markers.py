"""List markers: what a theme's per-level scheme means, for every format.

A theme writes each level of its ordered-list scheme as the marker of a first item ("1.",
"(1)", "①", "一、", "（一）"): one counter glyph (``COUNTERS``) between a prefix and a suffix.
This module parses such a marker and writes the marker of any item number, so the PDF's
CSS counter styles, the DOCX's numbering levels and any text a format writes itself all
follow one scheme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COUNTERS = {
    "1": "decimal",
    "一": "chinese",
    "①": "circled",
    "a": "lower-latin",
    "A": "upper-latin",
    "i": "lower-roman",
    "I": "upper-roman",
}
"""The glyph that stands for the item number in a sample marker -> the counter it names."""

CHINESE_LIMIT = 99
"""Chinese numerals are written up to 九十九; beyond, a list counts in Arabic digits."""
_CHINESE_DIGITS = "零一二三四五六七八九"
_CIRCLED = (
    [chr(0x2460 + n) for n in range(20)]  # ① - ⑳
    + [chr(0x3251 + n) for n in range(15)]  # ㉑ - ㉟
    + [chr(0x32B1 + n) for n in range(15)]  # ㊱ - ㊿
)
_ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)
ROMAN_LIMIT = 3999


@dataclass(frozen=True, slots=True)
class OrderedMarker:
    """One level of an ordered-list scheme: the counter, and the text around the number."""

    counter: str
    """One of ``COUNTERS``' values."""
    prefix: str
    suffix: str

    def text(self, number: int) -> str:
        """The marker of item ``number``: ``(3)``, ``三、``."""
        return f"{self.prefix}{counter_text(self.counter, number)}{self.suffix}"


def parse_marker(sample: str) -> OrderedMarker:
    """A sample first-item marker ("（一）") as its counter, prefix and suffix; ValueError
    when it holds no counter glyph, more than one, or letters and digits besides."""
    found = [(index, char) for index, char in enumerate(sample) if char in COUNTERS]
    if len(found) != 1:
        glyphs = ", ".join(COUNTERS)
        raise ValueError(f"{sample!r} must hold exactly one of {glyphs} (the first number)")
    index, char = found[0]
    prefix, suffix = sample[:index], sample[index + 1 :]
    # "%" would read as a level placeholder in a DOCX numbering level's text.
    if any(c.isalnum() or c.isspace() or c == "%" for c in prefix + suffix):
        raise ValueError(f"{sample!r}: only punctuation but % may stand around the number")
    return OrderedMarker(COUNTERS[char], prefix, suffix)


def counter_text(counter: str, number: int) -> str:
    """``number`` in ``counter``; past what a counter can write (0, ⑤⓪+, 一百+), Arabic digits."""
    if counter == "chinese" and 1 <= number <= CHINESE_LIMIT:
        return chinese_numeral(number)
    if counter == "circled" and 1 <= number <= len(_CIRCLED):
        return _CIRCLED[number - 1]
    if counter in ("lower-latin", "upper-latin") and number >= 1:
        text = latin_letters(number)
        return text.upper() if counter == "upper-latin" else text
    if counter in ("lower-roman", "upper-roman") and 1 <= number <= ROMAN_LIMIT:
        text = roman_numeral(number)
        return text.upper() if counter == "upper-roman" else text
    return str(number)


def chinese_numeral(number: int) -> str:
    """1-99 in Chinese numerals as lists count: 一, 十, 十一, 二十, 九十九."""
    tens, ones = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CHINESE_DIGITS[tens] + "十")
    return head + (_CHINESE_DIGITS[ones] if ones else "")


def latin_letters(number: int) -> str:
    """a, b, … z, aa, ab …: CSS's alphabetic system."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def roman_numeral(number: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        out += letters * count
    return out


_NUMBER_PATTERNS = {
    "decimal": r"\d+",
    "chinese": f"[{_CHINESE_DIGITS[1:]}十]+",
    "circled": f"[{''.join(_CIRCLED)}]",
    "lower-latin": "[a-z]+",
    "upper-latin": "[A-Z]+",
    "lower-roman": "[ivxlcdm]+",
    "upper-roman": "[IVXLCDM]+",
}
_PAST_LIMIT = {"chinese", "circled"}
"""The counters that write Arabic digits past their limit (``counter_text``)."""


def marker_pattern(marker: OrderedMarker, *, past_limit: bool = True) -> str:
    """A regular expression matching the marker of any item number (for reading back);
    without ``past_limit``, only numbers written in the counter's own glyphs (a typed
    "①" is a number, a bare "2026" is no circled one)."""
    number = _NUMBER_PATTERNS[marker.counter]
    if past_limit and marker.counter in _PAST_LIMIT:
        number += r"|\d+"
    return f"{re.escape(marker.prefix)}(?:{number}){re.escape(marker.suffix)}"


def fixed_symbols(counter: str) -> list[str] | None:
    """The symbols of a counter that has no CSS predefined style to extend (Chinese
    numerals as lists write them, circled numbers), item 1 first; None for one that has."""
    if counter == "chinese":
        return [chinese_numeral(n) for n in range(1, CHINESE_LIMIT + 1)]
    if counter == "circled":
        return list(_CIRCLED)
    return None
