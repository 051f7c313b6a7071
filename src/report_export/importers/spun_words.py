"""Stage 5, spun words: undo the site's synonym swaps and misread characters, from a table.

The table is data (``spun_words.toml``, documented at its top): each entry gives a spun form, its
repair, and whether it is unambiguous (never right in a report: repaired everywhere) or ambiguous
(a real word too: repaired only where one of its context rules is sure, flagged elsewhere).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from ..errors import ReportExportError
from .changes import Change, Flag, Stage, body_lines, change

_CONTEXT = 30
_ENTRY_KEYS = frozenset(("spun", "repair", "kind", "what", "flag", "sure", "keep"))
_RULE_KEYS = frozenset(("left", "right", "note"))


@dataclass(frozen=True, slots=True)
class Rule:
    """A context in which a rule holds: regexes on the text before and after the spun form."""

    left: re.Pattern[str] | None
    right: re.Pattern[str] | None
    note: str

    def matches(self, before: str, after: str) -> bool:
        """Does the context ``before`` + form + ``after`` satisfy this rule?"""
        return (self.left is None or self.left.search(before) is not None) and (
            self.right is None or self.right.match(after) is not None
        )


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of the table: a spun form and how to repair it."""

    spun: str
    repair: str
    kind: Literal["unambiguous", "ambiguous"]
    what: Literal["spun", "misread"]
    flag: bool
    sure: tuple[Rule, ...]
    keep: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """The whole table, with one pattern that finds every spun form (longest first)."""

    entries: tuple[Entry, ...]
    pattern: re.Pattern[str]

    def by_form(self, form: str) -> list[Entry]:
        """The entries for one spun form, in table order."""
        return [entry for entry in self.entries if entry.spun == form]


def load_table(path: Path | None = None) -> Table:
    """Load and check the table at ``path`` (default: the one shipped with the package)."""
    if path is None:
        data = resources.files(__package__).joinpath("spun_words.toml").read_bytes()
        where: Path = Path(__file__).with_name("spun_words.toml")
    else:
        where = path
        try:
            data = path.read_bytes()
        except OSError as err:
            raise ReportExportError(
                f"cannot read the spun-word table: {err.strerror}", path
            ) from None
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ReportExportError(f"spun-word table: {err}", where) from None
    rows = document.get("word")
    if not isinstance(rows, list) or not rows:
        raise ReportExportError("spun-word table: no [[word]] entries", where)
    entries = tuple(_entry(row, number, where) for number, row in enumerate(rows, start=1))
    forms = sorted({entry.spun for entry in entries}, key=lambda form: (-len(form), form))
    return Table(entries, re.compile("|".join(map(re.escape, forms))))


def _entry(row: Any, number: int, where: Path) -> Entry:
    def fail(message: str) -> ReportExportError:
        return ReportExportError(f"spun-word table, entry {number}: {message}", where)

    if not isinstance(row, dict):
        raise fail("not a table")
    unknown = sorted(set(row) - _ENTRY_KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_ENTRY_KEYS))})")
    spun, repair = row.get("spun"), row.get("repair")
    if not isinstance(spun, str) or not spun or not isinstance(repair, str) or not repair:
        raise fail("'spun' and 'repair' must be non-empty strings")
    kind = row.get("kind")
    if kind not in ("unambiguous", "ambiguous"):
        raise fail(f'\'kind\' must be "unambiguous" or "ambiguous", not {kind!r}')
    what = row.get("what", "spun")
    if what not in ("spun", "misread"):
        raise fail(f'\'what\' must be "spun" or "misread", not {what!r}')
    flag = row.get("flag", True)
    if not isinstance(flag, bool):
        raise fail("'flag' must be true or false")
    sure = _rules(row.get("sure", []), "sure", fail)
    if kind == "unambiguous" and sure:
        raise fail("an unambiguous entry is always repaired: it takes 'keep' rules, not 'sure'")
    return Entry(spun, repair, kind, what, flag, sure, _rules(row.get("keep", []), "keep", fail))


def _rules(rows: Any, name: str, fail: Callable[[str], ReportExportError]) -> tuple[Rule, ...]:
    if not isinstance(rows, list):
        raise fail(f"{name!r} must be a list of rules")
    rules: list[Rule] = []
    for row in rows:
        if not isinstance(row, dict) or not (set(row) & {"left", "right"}):
            raise fail(f"a {name!r} rule needs 'left' and/or 'right'")
        unknown = sorted(set(row) - _RULE_KEYS)
        if unknown:
            raise fail(f"unknown rule key {unknown[0]!r} (known: left, right, note)")
        try:
            left = re.compile(f"(?:{row['left']})\\Z") if "left" in row else None
            right = re.compile(row["right"]) if "right" in row else None
        except re.error as err:
            raise fail(f"bad regular expression in a {name!r} rule: {err}") from None
        rules.append(Rule(left, right, str(row.get("note", ""))))
    return tuple(rules)


def repair_spun_words(text: str, table: Table) -> Stage:
    """Repair the spun words of the Markdown body ``text``; flag the ones no rule settles."""
    changes: list[Change] = []
    flags: list[Flag] = []
    for line in body_lines(text):
        for match in table.pattern.finditer(line.text, line.content):
            start, end = line.start + match.start(), line.start + match.end()
            before = line.text[max(line.content, match.start() - _CONTEXT) : match.start()]
            after = line.text[match.end() : match.end() + _CONTEXT]
            _decide(text, start, end, before, after, table.by_form(match.group()), changes, flags)
    return Stage.apply("spun words", text, changes, flags)


def _decide(
    text: str,
    start: int,
    end: int,
    before: str,
    after: str,
    entries: list[Entry],
    changes: list[Change],
    flags: list[Flag],
) -> None:
    form = text[start:end]
    for entry in entries:
        rule = next((r for r in entry.sure if r.matches(before, after)), None)
        if rule is not None:
            note = f"{_what(entry)}, sure in this context: {rule.note}".rstrip(": ")
            changes.append(change("spun word", text, start, end, entry.repair, note))
            return
    if any(rule.matches(before, after) for entry in entries for rule in entry.keep):
        return
    for entry in entries:
        if entry.kind == "unambiguous":
            changes.append(change("spun word", text, start, end, entry.repair, _what(entry)))
            return
    readings = [entry.repair for entry in entries if entry.flag]
    if readings:
        flags.append(
            Flag(
                "spun word",
                start,
                end,
                f"“{form}” is a real word, and also what the site puts for "
                + " or ".join(f"“{r}”" for r in readings),
                " / ".join(f"{before[-8:]}{r}{after[:8]}" for r in readings),
            )
        )


def _what(entry: Entry) -> str:
    return "misread character" if entry.what == "misread" else "spun word"
