"""Stage 6, quotes: restore the closing ” the copy dropped, where the span is clear.

The copy keeps every “ and drops every ”. Where a quotation ends is often plain: a quoted term
before 的/和/与/等 (“三位一体”的联席会议制度), the first of two terms joined by 和/与 (“做什么”和
“怎么做”, the second then as long as the first), a comma the lost quote left behind (促进各项
工作”的目标), or a term the document quotes elsewhere. Everything else is flagged with the
readings the rules suggest: (“五联模式。 could be “五联”模式 or “五联模式”; “订单式培养， could be
“订单式”培养 or “订单式培养”: the reviewer knows which). A rule that could place a ” wrong is no
rule here: a flag costs the reviewer a glance, a wrong ” a careful reader's trust.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .changes import BodyLine, Change, Flag, Stage, body_lines, change

OPEN, CLOSE = "“", "”"
_FUNCTION = "的和与等"
_CONJUNCTIONS = "和与及或"
_STOPS = "，：。；！？"
_SENTENCE_END = "。；！？"
_AFTER_TERM = _FUNCTION + "地得及或、" + _STOPS
_FUNCTION_WORD = re.compile(
    r"的(?![确])|和(?![谐平睦美蔼气])|与(?![会时其否共])|等(?![同于待级到候])"
)
_QUANTITY = re.compile(r"\d|[一二两三四五六七八九十百千几多]+[个条项次种座辆名家位件批台套处]")
_MAX_TERM = 8
_MAX_LIST = 24
_MAX_ITEM = 6
_MAX_SIDE_BY_SIDE = 12
# The verbs that give a thing its name: what follows them, quoted, is the name.
_NAMING = re.compile(r"(?:称为|贬为|誉为|叫做|简称|号称|所谓|称作|称之为|即为|名为)\Z")
_MAX_PASSES = 4
# Nouns that follow a quoted name: “五联”模式, “牢骚角”现象, “双结对”活动. A quotation ending in one
# may have ended before it, so the rules never close after one without asking.
HEAD_NOUNS = (
    "模式", "现象", "活动", "设施", "制度", "理念", "精神", "要求", "原则", "目标", "方针",
    "战略", "政策", "思想", "机制", "体系", "格局", "行动", "计划", "工程", "主题", "口号",
    "品牌", "方法", "方式", "建设", "教育", "实践", "竞赛", "评比", "运动", "课题", "项目",
    "工作法", "服务", "方案", "理论", "问题", "改革", "检查", "整治", "试点", "线路",
    "工作室", "示范", "创建",
)  # fmt: skip


@dataclass(slots=True)
class _Quote:
    """One “ of a line, and what the rules make of it."""

    line: int
    at: int  # offset of the “ in the line
    window: int  # where the next “ (or the line) starts: the ” must come before it
    closed_at: int | None = None  # the existing ”, if any
    close: int | None = None  # the decided insertion point (offset in the line)
    replaces_comma: bool = False
    rule: str = ""
    readings: list[int] = field(default_factory=list)  # suggested insertion points, best first

    @property
    def sure(self) -> bool:
        return self.close is not None

    def term(self, text: str) -> str:
        end = self.closed_at if self.closed_at is not None else self.close
        assert end is not None
        return text[self.at + 1 : end]

    def after_close(self) -> int:
        """Where the text after the closing mark starts (past a replaced comma)."""
        if self.closed_at is not None:
            return self.closed_at + 1
        assert self.close is not None
        return self.close + (1 if self.replaces_comma else 0)


def restore_quotes(text: str) -> Stage:
    """Close the quotations of the Markdown body ``text`` whose end is clear; flag the rest."""
    body = list(body_lines(text))
    lines = [line.text for line in body]
    quotes = [_find(index, line) for index, line in enumerate(body)]
    lexicon = {q.term(lines[q.line]) for qs in quotes for q in qs if q.closed_at is not None}
    for _ in range(_MAX_PASSES):
        for index, line in enumerate(lines):
            previous: _Quote | None = None
            for quote in quotes[index]:
                if quote.closed_at is None:
                    _decide(line, quote, previous, lexicon)
                previous = quote if (quote.closed_at is not None or quote.sure) else None
        found = {
            q.term(lines[q.line]) for qs in quotes for q in qs if q.sure or q.closed_at is not None
        }
        if found <= lexicon:
            break
        lexicon |= found

    changes: list[Change] = []
    flags: list[Flag] = []
    for index, line in enumerate(lines):
        base = body[index].start
        for quote in quotes[index]:
            if quote.closed_at is not None:
                continue
            if quote.close is not None:
                end = quote.close + (1 if quote.replaces_comma else 0)
                term = line[quote.at + 1 : quote.close]
                changes.append(
                    change(
                        "quote",
                        text,
                        base + quote.close,
                        base + end,
                        CLOSE,
                        f"“{term}”: {quote.rule}",
                    )
                )
                continue
            flags.append(_flag(line, base, quote))
        flags.extend(_stray_closes(line, base))
    return Stage.apply("quotes", text, changes, flags)


def _find(index: int, line: BodyLine) -> list[_Quote]:
    opens = [m.start() for m in re.finditer(OPEN, line.text) if m.start() >= line.content]
    quotes: list[_Quote] = []
    for number, at in enumerate(opens):
        window = opens[number + 1] if number + 1 < len(opens) else len(line.text)
        closing = line.text.find(CLOSE, at + 1, window)
        quotes.append(_Quote(index, at, window, closing if closing >= 0 else None))
    return quotes


@dataclass(frozen=True, slots=True)
class _Reading:
    """What the rules make of one quotation: a sure end (``close``), or readings to suggest."""

    close: int | None = None  # offset in the quotation's segment
    comma: bool = False
    rule: str = ""
    readings: tuple[int, ...] = ()


def _decide(line: str, quote: _Quote, previous: _Quote | None, lexicon: set[str]) -> None:
    """Settle ``quote``'s end if a rule is sure; else leave the readings to suggest.

    A term the document quotes elsewhere settles a quotation the local rules cannot; where a
    local rule is sure of another end, the two disagree and the reviewer decides (a comma left
    by the lost ” is the exception: it wins).
    """
    start = quote.at + 1
    segment = line[start : quote.window]
    local = _local(line, segment, quote, previous)
    known = _known_term(segment, lexicon)
    reading = local
    if local.close is not None and known is not None and known != local.close and not local.comma:
        reading = _Reading(readings=(local.close, known))
    elif local.close is None and known is not None:
        reading = _Reading(known, rule="a term the document quotes elsewhere")
    quote.close = None if reading.close is None else start + reading.close
    quote.replaces_comma, quote.rule = reading.comma, reading.rule
    quote.readings = list(reading.readings)


def _known_term(segment: str, lexicon: set[str]) -> int | None:
    for term in sorted(lexicon, key=len, reverse=True):
        if term and segment.startswith(term):
            after = segment[len(term) : len(term) + 1]
            # “一位一码、一码通停: the known term may be the first item of a quoted list.
            if after == "、":
                continue
            if len(term) >= 4 or not after or after in _AFTER_TERM:
                return len(term)
    return None


def _local(line: str, segment: str, quote: _Quote, previous: _Quote | None) -> _Reading:
    sentence_end = _first(segment, _SENTENCE_END)
    # A comma where the ” was: “…促进各项工作,的目标.
    trace = re.search(r"，(?=[的地])", segment)
    if trace and trace.start() >= 2 and trace.start() < sentence_end:
        return _Reading(trace.start(), True, "the comma before 的 was the lost ”")
    # Two quotations in a list: “甲、“乙”, “甲，“乙”: the first ends at the mark before the next.
    # (Without the mark it may end anywhere: “党务工作”不等同于“党的工作”.)
    if quote.window < len(line) and segment.endswith(("、", "，")):
        term = segment[:-1]
        if (
            1 <= len(term) <= _MAX_SIDE_BY_SIDE
            and _first(term, _STOPS + "、") == len(term)
            and not _head_split(segment, len(term))
        ):
            rule = f"the first of two quoted items, up to the {segment[-1]} before the next"
            return _Reading(len(term), rule=rule)
    # A quotation that runs to the end of a heading: ### 2.推行“一位一码”.
    if (
        line.startswith("#")
        and quote.window == len(line)
        and _first(segment, _STOPS) == len(segment)
        and 1 <= len(segment) <= _MAX_SIDE_BY_SIDE
        and not _head_split(segment, len(segment))
    ):
        return _Reading(len(segment), rule="a quotation that runs to the end of a heading")
    # The first of two terms: “做什么和“怎么做, “管与“办.
    if (
        quote.window < len(line)
        and len(segment) >= 2
        and segment[-1] in _CONJUNCTIONS
        and _first(segment[:-1], _STOPS) == len(segment) - 1
        and len(segment) - 1 <= 12
    ):
        rule = f"the first of two quoted terms joined by {segment[-1]}"
        return _Reading(len(segment) - 1, rule=rule)

    # 以“一线一评估”为原则: the object of 以 ends before 为.
    if line[quote.at - 1 : quote.at] == "以":
        found = segment.find("为", 2)
        if 0 < found < _first(segment, _STOPS) and found <= _MAX_TERM:
            return _Reading(found, rule="以“…”为: the quotation ends before 为")

    function = _function_word(segment)
    stop = _first(segment, _STOPS)
    term_end: int | None = None  # the end the 的/和/与/等 rule proposes
    term_ok = False
    if 2 <= function < sentence_end:
        term_end = function
        head = segment[:function]
        if not re.search("[，：]", head):
            term_ok = len(head) <= _MAX_TERM or _short_list(head)
        else:
            term_ok = _parallel(head)
    stop_end = stop if 2 <= stop < len(segment) and stop <= function else None

    pair = _pair_length(line, quote, previous)
    if pair is not None:
        best = term_end if term_end is not None else stop_end
        if best is not None and best == pair and (term_ok or best == stop_end):
            return _Reading(best, rule="the second of two quoted terms, as long as the first")
        return _Reading(readings=_unique([pair, *_head_split(segment, best), best]))
    if term_end is not None and term_ok:
        split = _head_split(segment, term_end)
        if not split:
            return _Reading(term_end, rule=f"a quoted term before {segment[term_end]}")
        return _Reading(readings=_unique([*split, term_end]))
    if stop_end is not None and term_end is None:
        quantity = _QUANTITY.search(segment, 2, stop_end)
        if quantity:  # “定制公交线路4条: a count is never the end of a quoted name
            before = quantity.start()
            return _Reading(readings=_unique([*_head_split(segment, before), before, stop_end]))
        # A name, after the verb that names it, up to the sentence's end: 贬为“马路游击队”。
        naming = _NAMING.search(line, 0, quote.at)
        if naming and segment[stop_end] in _SENTENCE_END and stop_end <= _MAX_TERM:
            rule = f"a name after {naming.group()}, up to the sentence's end"
            return _Reading(stop_end, rule=rule)
        # Otherwise the quotation may end before the sentence's punctuation, or a word after it
        # may (“订单式”培养，; “停车难”治理成果。): never sure, a reading to suggest.
        return _Reading(readings=_unique([*_head_split(segment, stop_end), stop_end]))
    readings: list[int | None] = []
    if stop_end is not None:
        readings += _head_split(segment, stop_end)
    if term_end is not None:
        readings += [_parallel_split(segment[:term_end]), term_end]
    readings.append(stop_end)
    return _Reading(readings=_unique(readings))


def _short_list(head: str) -> bool:
    """A quoted 、 list of short items: “建得起、用不上”的 (not “长者食堂普遍面临成本高、收费低的,
    where the quotation is the first words only)."""
    items = head.split("、")
    return (
        len(items) >= 2
        and len(head) <= _MAX_LIST
        and all(1 <= len(item) <= _MAX_ITEM for item in items)
    )


def _function_word(segment: str) -> int:
    """The first 的/和/与/等 that ends a term, not one inside a word (等同, 和谐, 与时俱进)."""
    for match in _FUNCTION_WORD.finditer(segment):
        return match.start()
    return len(segment)


def _first(segment: str, chars: str) -> int:
    """The offset of the first of ``chars`` in ``segment``; ``len(segment)`` if none."""
    found = [i for i in (segment.find(c) for c in chars) if i >= 0]
    return min(found) if found else len(segment)


def _parallel(head: str) -> bool:
    """A slogan of equal halves: “坚持针对性，把握有效性”."""
    parts = head.split("，")
    return 2 <= len(parts) <= 4 and len({len(p) for p in parts}) == 1 and len(parts[0]) <= 10


def _parallel_split(head: str) -> int | None:
    """Where a slogan's second half ends if it is as long as the first and a head noun follows:
    “党在心中,情系群众主题实践 → “党在心中，情系群众”主题实践."""
    parts = head.split("，")
    if len(parts) != 2 or len(parts[1]) <= len(parts[0]):
        return None
    end = len(parts[0]) + 1 + len(parts[0])
    return end if head[end:].startswith(HEAD_NOUNS) else None


def _head_split(segment: str, end: int | None) -> list[int | None]:
    """Before the first head noun in the quotation: “五联模式 → “五联”模式,
    “最后一公里问题仍然突出 → “最后一公里”问题."""
    if end is None or "，" in segment[:end]:
        return []
    found = [i for i in (segment.find(noun, 2, end) for noun in HEAD_NOUNS) if i >= 2]
    return [min(found)] if found else []


def _pair_length(line: str, quote: _Quote, previous: _Quote | None) -> int | None:
    """The first term's length, if ``quote`` is the second of “A”和“B."""
    if previous is None:
        return None
    between = line[previous.after_close() : quote.at]
    if len(between) == 1 and between in _CONJUNCTIONS:
        term = line[previous.at + 1 : previous.closed_at if previous.closed_at else previous.close]
        if 1 <= len(term) <= _MAX_TERM and not re.search(f"[{_STOPS}]", term):
            return len(term)
    return None


def _unique(offsets: list[int | None]) -> tuple[int, ...]:
    out: list[int] = []
    for offset in offsets:
        if offset is not None and offset > 0 and offset not in out:
            out.append(offset)
    return tuple(out)


def _flag(line: str, base: int, quote: _Quote) -> Flag:
    start = quote.at + 1
    readings = [start + offset for offset in quote.readings]
    end = max(readings) if readings else quote.window
    shown_to = min(len(line), end + 4)
    suggestion = " / ".join(
        _elide(line[quote.at : point]) + CLOSE + _elide(line[point:shown_to]) for point in readings
    )
    return Flag(
        "quote",
        base + quote.at,
        base + end,
        "a quotation whose closing ” was lost and whose end is not clear",
        suggestion or "close the quotation by hand",
    )


def _elide(text: str, keep: int = 8) -> str:
    """A long stretch of a suggestion, shortened in the middle: the ends are what differ."""
    return text if len(text) <= 2 * keep + 1 else f"{text[:keep]}…{text[-keep:]}"


def _stray_closes(line: str, base: int) -> list[Flag]:
    """A ” with no “ before it in its paragraph."""
    flags: list[Flag] = []
    depth = 0
    for index, char in enumerate(line):
        if char == OPEN:
            depth = 1
        elif char == CLOSE:
            if depth == 0:
                flags.append(
                    Flag(
                        "quote",
                        base + index,
                        base + index + 1,
                        "a closing ” with no opening “ before it",
                        "add the “ where the quotation starts, or remove the ”",
                    )
                )
            depth = 0
    return flags
