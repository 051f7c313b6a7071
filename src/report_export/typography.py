"""Chinese text: which characters are Chinese, and the line breaking shared by every format
that sets lines itself: character widths, 禁则 (no closing punctuation at a line's start, no
opening punctuation at its end), wrapping and balanced title lines."""

from __future__ import annotations

import functools
import itertools
import re

import wcwidth

_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_CJK_RANGES = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF))
_CJK_SHARED = "\u2014\u2026\u2018\u2019\u201c\u201d\u00b7"
# Ranges of code points rather than compiled character classes: ``re`` builds a class over
# ranges this wide one code point at a time in Python, some 5 ms an import, which every build
# would pay before its first line.


def _char_class(ranges: tuple[tuple[int, int], ...], chars: str = "") -> str:
    return "".join(f"{chr(first)}-{chr(last)}" for first, last in ranges) + chars


HAN = _char_class(_HAN_RANGES)
"""Han ideographs (CJK Unified Ideographs and Extension A, the compatibility ideographs), as
the inside of a regular-expression character class."""

CJK = _char_class(_CJK_RANGES, _CJK_SHARED)
"""Chinese text, as the inside of a character class: Han, radicals, CJK symbols and punctuation
(U+3000-303F), kana, full-width forms, and the punctuation Chinese shares with Western text
(the dash, ellipsis, curly quotes and middle dot, which a Chinese face sets full-width). Two
such characters never have a space between them."""


def _in_ranges(char: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    code = ord(char)
    return any(first <= code <= last for first, last in ranges)


def is_han(char: str) -> bool:
    """Whether ``char`` is one Han ideograph."""
    return len(char) == 1 and _in_ranges(char, _HAN_RANGES)


def is_cjk(char: str) -> bool:
    """Whether ``char`` is one character of Chinese text (see ``CJK``)."""
    return len(char) == 1 and (char in _CJK_SHARED or _in_ranges(char, _CJK_RANGES))


_ASIAN_RANGES = (
    *_HAN_RANGES,
    (0x3040, 0x30FF),  # kana
    (0xAC00, 0xD7AF),  # Hangul
    (0xFF10, 0xFF19),  # full-width digits
    (0xFF21, 0xFF3A),  # and letters
    (0xFF41, 0xFF5A),
)
_ASIAN = _char_class(_ASIAN_RANGES)
"""Asian script (Han, kana, Hangul, full-width letters and digits), as the inside of a
character class: where it meets a letter or digit of any other script, LibreOffice puts its
Asian/non-Asian space."""


@functools.cache
def _asian_runs() -> re.Pattern[str]:
    # Compiled on first use, by the DOCX alone: ``re`` takes ~3 ms to build a class this wide
    # (and a lookaround on each side of each script change would take four of them).
    return re.compile(f"[{_ASIAN}]+")


def _script_changes(text: str) -> list[int]:
    """Where in ``text`` a character of ``_ASIAN`` and a letter or digit of another script
    meet (``str.isalnum`` is what ``re`` calls a word character, the underscore aside). A run
    of Asian characters found is as long as it goes: the characters beside it are not Asian."""
    found = []
    for run in _asian_runs().finditer(text):
        start, end = run.span()
        if start and text[start - 1].isalnum():
            found.append(start)
        if end < len(text) and text[end].isalnum():
            found.append(end)
    return found


def _changes_script(before: str, after: str) -> bool:
    """Whether one of ``before`` and ``after`` is Asian and the other a letter or digit of
    another script."""
    asian_before, asian_after = _in_ranges(before, _ASIAN_RANGES), _in_ranges(after, _ASIAN_RANGES)
    if asian_before:
        return not asian_after and after.isalnum()
    return asian_after and before.isalnum()


SCRIPT_BREAK = "\u200b"
"""ZERO WIDTH SPACE, written between a Chinese and a Latin letter or digit that the source
sets side by side (a DOCX's text only). LibreOffice adds 0.2 em of its own wherever two
letters or digits of Asian and other script meet, and no DOCX property turns that off
(``w:autoSpaceDE``/``DN`` is read by Word alone); a character that is neither letter nor
digit between them does. It draws nothing and allows the break the two characters already
allowed, so a line breaks where it did."""


def separate_scripts(text: str) -> str:
    """``text`` with ``SCRIPT_BREAK`` wherever an Asian and a non-Asian letter or digit meet."""
    cuts = _script_changes(text)
    return SCRIPT_BREAK.join(text[a:b] for a, b in itertools.pairwise([0, *cuts, len(text)]))


def script_breaks(text: str) -> list[int]:
    """Where ``separate_scripts`` put a ``SCRIPT_BREAK`` in ``text`` (to read it back)."""
    found = []
    at = text.find(SCRIPT_BREAK, 1)
    while 0 < at < len(text) - 1:
        if _changes_script(text[at - 1], text[at + 1]):
            found.append(at)
        at = text.find(SCRIPT_BREAK, at + 1)
    return found


def join_scripts(text: str) -> str:
    """``text`` without the breaks ``separate_scripts`` added."""
    breaks = script_breaks(text)
    return "".join(text[a + 1 : b] for a, b in itertools.pairwise([-1, *breaks, len(text)]))


# Never at the start of a line (GB/T 15834 and common 禁则): closing punctuation.
CLOSING = set("，。、；：？！”’）》」』】〕〉…—,.;:?!)]}")
# Never at the end of a line: opening punctuation.
OPENING = set("“‘（《「『【〔〈([{")


# Narrow by East Asian width, yet set solid with Chinese text: no space around them.
_SOLID = set("“”‘’—…")


def _solid(char: str) -> bool:
    """Whether ``char`` is set without spaces beside other such characters (CJK text)."""
    return char in _SOLID or char_width(char) == 2


def wide_ambiguous(lang: str) -> bool:
    """Whether East Asian ambiguous characters take two columns in text of language ``lang``
    (a BCP 47 tag): in Chinese, Japanese and Korean text (UAX #11's East Asian context),
    where a CJK face sets “”‘’…—· full-width; elsewhere one column, as a terminal does."""
    return lang.split("-")[0].lower() in ("zh", "ja", "ko")


def char_width(char: str, lang: str = "") -> int:
    """Columns one character takes, by wcwidth: two for East Asian wide and fullwidth, none
    for zero-width and combining characters, and two for East Asian ambiguous characters in
    text of a CJK ``lang`` (see ``wide_ambiguous``). A control character counts none."""
    return _columns(char, _ambiguous_columns(lang))


def display_width(text: str, lang: str = "") -> int:
    """Columns ``text`` takes in ``lang``: the sum of its characters' ``char_width``."""
    ambiguous = _ambiguous_columns(lang)
    return sum(_columns(char, ambiguous) for char in text)


def _ambiguous_columns(lang: str) -> int:
    return 2 if wide_ambiguous(lang) else 1


def _columns(char: str, ambiguous: int) -> int:
    return max(wcwidth.wcwidth(char, "auto", ambiguous), 0)


def parenthesised(text: str, lang: str) -> str:
    """``text`` in parentheses as the language writes them: full-width （…） in CJK text
    (GB/T 15834), a space and (…) elsewhere."""
    return f"（{text}）" if wide_ambiguous(lang) else f" ({text})"


def link_in_text(text: str, target: str, lang: str) -> str:
    """A link in plain text, which cannot hold a link: its text, then its target in
    parentheses, so the target is read where the link is. A target inside the document
    (``#…``) or one that is the text itself (an autolink) is not repeated."""
    if target.startswith("#") or target.removeprefix("mailto:") == text.strip():
        return text
    return text + parenthesised(target, lang)


def wrap_line(line: str, width: int, lang: str = "") -> list[str]:
    """Break ``line`` into lines of at most ``width`` columns (``display_width`` in ``lang``).

    Breaks fall between two wide characters or at spaces; a break never puts closing
    punctuation at a line's start nor opening punctuation at its end (the character before it
    moves down instead). A Latin word (or a run with no place to break) longer than a line is
    never split: it overflows, as ``fold -s`` leaves it, so that joining the lines gives the
    text back. One pass over the line: a 5 MB paragraph wraps in linear time.
    """
    width = max(width, 4)
    lines: list[str] = []
    start = 0
    while (cut := _fit(line, start, width, lang)) < len(line):
        cut = _allowed_break(line, start, cut)
        if cut == len(line):
            break
        lines.append(line[start:cut].rstrip(" "))
        start = cut
        while start < len(line) and line[start] == " ":
            start += 1
    lines.append(line[start:])
    return lines


def join_lines(lines: list[str]) -> str:
    """Wrapped lines back into one: a space between them unless both sides are CJK (the
    wrapper breaks only at a space or between two CJK characters)."""
    out = lines[0] if lines else ""
    for line in lines[1:]:
        wide = out and line and _solid(out[-1]) and _solid(line[0])
        out += line if wide else " " + line
    return out


def _fit(text: str, start: int, width: int, lang: str) -> int:
    """The end of the longest run of ``text`` from ``start`` that fits in ``width`` columns."""
    used = 0
    ambiguous = _ambiguous_columns(lang)
    for index in range(start, len(text)):
        used += _columns(text[index], ambiguous)
        if used > width:
            return index
    return len(text)


def _allowed_break(text: str, start: int, cut: int) -> int:
    """The nearest place at or before ``cut`` (and after ``start``) where a line may break;
    when there is none, the first one after it (the line overflows), or the text's end."""
    for candidate in range(cut, start, -1):
        if may_break(text, candidate):
            return candidate
    for candidate in range(cut + 1, len(text)):
        if may_break(text, candidate):
            return candidate
    return len(text)


def may_break(text: str, at: int) -> bool:
    """Whether a line may break before ``text[at]``."""
    before, after = text[at - 1], text[at]
    if after in CLOSING or before in OPENING:
        return False
    if before == " " or after == " ":
        return True
    # None inside a run of narrow characters (a Latin word or a number), nor between a narrow
    # and a wide one: the text format's reader joins lines with a space unless both sides are
    # wide, so a break there would add a space that the source does not have.
    return _solid(before) and _solid(after)


# A title broken after one of these reads as two phrases (…转型的 / 实践路径…).
_PHRASE_ENDS = frozenset("的与和及之、，：；— ")


def balanced_lines(text: str, measure_em: float, lang: str) -> list[str]:
    """``text`` in as few lines as fit ``measure_em`` ems, all about as long.

    A long title set line by line leaves a word or two alone on its last line (报告 under a
    full line); balanced lines read as a designed title. Widths are ``display_width`` in the
    document's ``lang``, two columns an em: in Chinese a wide character and the punctuation a
    CJK face sets full-width (——, “”, …) one em, any other half an em. Of the ways to break
    the title into the fewest lines that fit, the one whose lines depart least from their
    mean width wins, a break where a phrase ends counting one character less; breaks follow
    the plain-text wrapper's rules (no closing punctuation at a line start, Latin words kept
    whole). A title with no break that fits is wrapped as the wrapper would, overflowing.
    """
    columns = max(int(measure_em * 2), 4)
    ambiguous = _ambiguous_columns(lang)
    # prefix[i]: the width of text[:i]; a line is text[a:b] without spaces at either end.
    prefix = [0]
    for char in text:
        prefix.append(prefix[-1] + _columns(char, ambiguous))
    if prefix[-1] <= columns:
        return [text]
    cuts = [0, *(at for at in range(1, len(text)) if may_break(text, at)), len(text)]
    for count in range(-(-prefix[-1] // columns), len(cuts)):
        lines = _balanced(text, cuts, count, columns, prefix)
        if lines is not None:
            return lines
    return wrap_line(text, columns, lang)


def _balanced(
    text: str, cuts: list[int], count: int, columns: int, prefix: list[int]
) -> list[str] | None:
    """The best ``count`` lines of ``text`` broken at ``cuts`` (see ``balanced_lines``), None
    when no such lines fit ``columns``. Dynamic programming over the cuts."""
    mean = prefix[-1] / count

    def line(a: int, b: int) -> tuple[int, int]:
        while a < b and text[a] == " ":
            a += 1
        while b > a and text[b - 1] == " ":
            b -= 1
        return a, b

    # best[k][j]: (cost, previous cut) of the first k lines ending at cuts[j].
    best: list[dict[int, tuple[float, int]]] = [{0: (0.0, -1)}]
    for k in range(1, count + 1):
        row: dict[int, tuple[float, int]] = {}
        last = k == count
        for j in range(1, len(cuts)) if not last else (len(cuts) - 1,):
            for i, (cost, _) in best[k - 1].items():
                if i >= j:
                    continue
                a, b = line(cuts[i], cuts[j])
                width = prefix[b] - prefix[a]
                if width > columns:
                    continue
                bonus = 0 if last or text[cuts[j] - 1] not in _PHRASE_ENDS else 2
                total = cost + abs(width - mean) - bonus
                if j not in row or total < row[j][0]:
                    row[j] = (total, i)
        best.append(row)
    end = len(cuts) - 1
    if end not in best[count]:
        return None
    lines: list[str] = []
    j = end
    for k in range(count, 0, -1):
        i = best[k][j][1]
        a, b = line(cuts[i], cuts[j])
        lines.append(text[a:b])
        j = i
    return lines[::-1]
