"""Site profiles: what each document site puts around and inside the copies it serves.

A profile is data, one small TOML file a site in ``sites/`` (the format is documented at the
top of ``sites/generic.toml``): the strings and patterns that tell the site (``detect``), the
lines that are its chrome, the lines that start its footer, the banners it puts between pages,
its page markers, and where it says what the document is (``provenance``). Every profile
extends ``generic``, the profile of an unknown site: what most sites say. A copy is matched to
the profile whose ``detect`` patterns it holds most often; ``--site NAME`` forces one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ReportExportError

GENERIC = "generic"
_KEYS = frozenset(
    ("site", "detect", "chrome", "footer", "banner", "page_marker", "provenance", "related")
)
_LINE_KEYS = frozenset(("label", "pattern"))
_PROVENANCE = ("document_number", "uploaded", "pages", "uploader", "format", "size")
# How far from each end of a copy the ``detect`` patterns are looked for: the site's header and
# footer, not the document (a report may well name a site).
_DETECT_LINES = 40


@dataclass(frozen=True, slots=True)
class Site:
    """One site's profile, with the generic profile's lines after its own."""

    name: str
    """The profile's name (its file's stem), what ``--site`` takes."""
    site: str
    """The site's name, for the provenance ("" for the generic profile)."""
    detect: tuple[re.Pattern[str], ...]
    chrome: tuple[tuple[str, re.Pattern[str]], ...]
    """Whole lines that are the site's, by label: dropped in the header and footer."""
    footer: tuple[tuple[str, re.Pattern[str]], ...]
    """Whole lines that start the site's footer: every line after one is the site's."""
    banner: tuple[tuple[str, re.Pattern[str]], ...]
    """Whole lines the site puts inside the document (between pages): dropped anywhere."""
    related: tuple[str, ...]
    """Lines that open a list of other documents: the unknown lines after one are titles."""
    page_marker: tuple[re.Pattern[str], ...]
    """Whole lines that mark a page: dropped anywhere."""
    provenance: tuple[tuple[str, re.Pattern[str]], ...]
    """Where the site says what the document is: group 1 (or year, month, day) is the value."""

    def chrome_label(self, line: str) -> str | None:
        """The label of the chrome (or footer) pattern ``line`` matches whole, if any."""
        for label, pattern in (*self.footer, *self.chrome):
            if pattern.fullmatch(line):
                return label
        return None

    def starts_footer(self, line: str) -> bool:
        """Does ``line`` open the site's footer?"""
        return any(pattern.fullmatch(line) for _, pattern in self.footer)

    def banner_label(self, line: str) -> str | None:
        """The label of the banner (or chrome) pattern ``line`` matches whole, if any."""
        for label, pattern in (*self.banner, *self.chrome, *self.footer):
            if pattern.fullmatch(line):
                return label
        return None

    def is_page_marker(self, line: str) -> bool:
        """Is ``line`` (stripped) one of the site's page markers?"""
        return any(pattern.fullmatch(line) for pattern in self.page_marker)


def site_names() -> list[str]:
    """The profiles shipped with the package, by name."""
    folder = resources.files(__package__).joinpath("sites")
    return sorted(
        item.name.removesuffix(".toml") for item in folder.iterdir() if item.name.endswith(".toml")
    )


def load_site(name: str) -> Site:
    """The profile called ``name``, extended by the generic one; an unknown name is an error."""
    names = site_names()
    if name not in names:
        raise ReportExportError(f"no site profile {name!r} (known: {', '.join(names)})")
    generic = _read(GENERIC)
    if name == GENERIC:
        return _site(GENERIC, generic, {})
    return _site(name, _read(name), generic)


def detect_site(text: str) -> Site:
    """The profile whose ``detect`` patterns the copy's ends hold most often; generic if none."""
    lines = text.split("\n")
    ends = "\n".join(lines[:_DETECT_LINES] + lines[-_DETECT_LINES:])
    best, best_hits = GENERIC, 0
    for name in site_names():
        if name == GENERIC:
            continue
        hits = sum(len(p.findall(ends)) for p in load_site(name).detect)
        if hits > best_hits:
            best, best_hits = name, hits
    return load_site(best)


def _read(name: str) -> dict[str, Any]:
    where = Path(__file__).with_name("sites") / f"{name}.toml"
    data = resources.files(__package__).joinpath("sites", f"{name}.toml").read_bytes()
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ReportExportError(f"site profile: {err}", where) from None
    unknown = sorted(set(document) - _KEYS)
    if unknown:
        raise ReportExportError(f"site profile: unknown key {unknown[0]!r}", where)
    document["_where"] = where
    return document


def _site(name: str, own: dict[str, Any], base: dict[str, Any]) -> Site:
    where: Path = own["_where"]

    def lines(key: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
        out: list[tuple[str, re.Pattern[str]]] = []
        for document in (own, base):
            for number, row in enumerate(document.get(key, []), start=1):
                if not isinstance(row, dict) or set(row) != _LINE_KEYS:
                    raise ReportExportError(
                        f"site profile: [[{key}]] entry {number} needs exactly 'label' and "
                        "'pattern'",
                        document["_where"],
                    )
                out.append((str(row["label"]), _compile(row["pattern"], document["_where"])))
        return tuple(out)

    def patterns(key: str, documents: Iterable[dict[str, Any]]) -> tuple[re.Pattern[str], ...]:
        return tuple(
            _compile(pattern, document["_where"])
            for document in documents
            for pattern in document.get(key, [])
        )

    provenance: list[tuple[str, re.Pattern[str]]] = []
    for document in (own, base):
        table = document.get("provenance", {})
        for key, pattern in table.items():
            if key not in _PROVENANCE:
                raise ReportExportError(
                    f"site profile: unknown provenance field {key!r}", document["_where"]
                )
            provenance.append((key, _compile(pattern, document["_where"])))
    site = own.get("site", "")
    if not isinstance(site, str):
        raise ReportExportError("site profile: 'site' must be a string", where)
    return Site(
        name=name,
        site=site,
        detect=patterns("detect", (own,)),
        chrome=lines("chrome"),
        footer=lines("footer"),
        banner=lines("banner"),
        related=tuple(str(r) for document in (own, base) for r in document.get("related", [])),
        page_marker=patterns("page_marker", (own, base)),
        provenance=tuple(provenance),
    )


def _compile(pattern: Any, where: Path) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise ReportExportError(f"site profile: a pattern must be a string, not {pattern!r}", where)
    try:
        return re.compile(pattern)
    except re.error as err:
        raise ReportExportError(f"site profile: bad pattern {pattern!r}: {err}", where) from None
