"""WeasyPrint for the PDF format: imported without its slow library search, with the tagged-PDF
page lookup made linear, and its fonts and stylesheets kept warm from one render to the next.

Five fixes to libraries, each as small as it can be and each belonging upstream (and those of
``precompiled_ffi`` to WeasyPrint's C declarations, of ``font_files`` to font embedding):

- **The import** (0.25 s of WeasyPrint's 0.8 s here). ``weasyprint/text/ffi.py`` hands cffi
  several names a library, Windows' and macOS' first; cffi answers each name that ``dlopen``
  cannot open by calling ``ctypes.util.find_library``, which on Linux runs ``ldconfig -p``, then
  ``gcc`` and ``ld`` — two dozen processes for names that never exist on this system. The
  Linux soname is in every list and the dynamic loader finds it directly, through the same
  ld.so cache and ``LD_LIBRARY_PATH`` that ``find_library`` would read; so while WeasyPrint is
  imported the search answers "not found" at once and cffi moves on to the next name. WeasyPrint
  has no setting for this (``WEASYPRINT_DLL_DIRECTORIES`` is Windows-only); the fix belongs in
  its ``_dlopen`` (try the platform's own name first) or in cffi (no compiler fallback).
- **Imports for fonts we never have** (``DEFERRED``): WeasyPrint imports fontTools' subsetter
  and variable-font instancer with its PDF writer, for its fallback when HarfBuzz cannot
  subset and for variable fonts; and ``weasyprint.css`` imports Pillow's ``ImageCms`` for
  ``@color-profile`` rules, which our stylesheets never have. They are imported the first
  time WeasyPrint uses them. Upstream: import them in the functions that use them.
- **A quadratic term in tagged PDFs.** pydyf's ``PDF.page_references`` builds a tuple of every
  page each time it is read, and WeasyPrint's ``pdf/tags.py`` reads it once per tagged element:
  1 s of a 100x report, 4 s at 200x. Pages are only ever appended (``PDF.add_page``), so the
  tuple is kept while the page count is unchanged. The same references come out, so the PDF is
  byte-identical. Upstream: pydyf could keep the references as pages are added, or tags.py
  could read them once.
- **Every object serialised twice, every stream compressed twice.** ``PDF.write`` with an
  identifier (every build passes one, for reproducible bytes) hashes the ``data`` of every
  object to make the second ID, and ``data`` is made again each time it is read: a
  dictionary serialised anew, a ``Stream`` joined and deflated again at level 9 (the font
  subsets and page contents): ~0.05 s of the report's 0.11 s in ``write``. While a PDF is
  written each of its objects' data is kept as it was first made (``write`` changes no object
  it has written), so the same bytes are hashed and written. Upstream: ``write`` could keep
  the data it wrote, or hash the output it wrote. And from one PDF to the next, a process
  keeps the data of its last ``DEFLATED_KEPT`` large one-piece streams (the font subsets, the
  images) by a digest of their content and dictionary: a warm rebuild embeds the same subsets,
  and deflating them at level 9 was ~0.05 s of its 0.31 s.
- **A quadratic term in footnotes.** WeasyPrint keeps the footnotes not yet laid out in a list
  (``LayoutContext.footnotes``) and asks, for every box of every line, whether the box's
  footnote is in it: a scan of every footnote still to come, for each box (its ``footnote`` is
  None for almost all of them, which is never in the list, so the scan runs to the end).
  10,000 footnotes spent ~30 s of a ~100 s render in that test alone. The list is given a set
  of its members beside it, so the test is one lookup; order and contents are the list's, so
  the PDF is byte-identical. Upstream: ``layout/block.py`` could test ``descendant.footnote``
  for None first, or the context keep a set.

The cyclic garbage collector is off while WeasyPrint lays out and writes: its boxes are
millions of container objects that live until the render ends, and every collection walks
them all again (15-25 % of a 100x render, 18.3 -> 15.4 s, for 10 % more peak memory: the few
cycles a render makes wait for the next collection after it, in a long-lived process too).

Warm: a ``FontConfiguration`` costs fontconfig a scan of every installed font and is never
freed while WeasyPrint's caches hold it (a long process grows ~60 MB a render); the parsed
print stylesheet is the same from one build to the next. Both are kept, keyed by the exact CSS
and the folders it may read, so a watch process or a batch worker renders in a fraction of the
cold time with memory flat, and the bytes are those of a cold build.
"""

from __future__ import annotations

import ctypes.util
import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from . import font_files, inter_character, precompiled_ffi, synthetic_bold
from .last_used import LastUsed

STYLESHEET_SETS = 4
"""How many distinct stylesheet sets (themes) stay parsed: a watch edits one, a batch uses few."""


def load() -> ModuleType:
    """The ``weasyprint`` module, imported (once a process) with the fixes in place."""
    import importlib
    import sys

    if "weasyprint" not in sys.modules:
        with _no_library_search(), _deferred(DEFERRED), precompiled_ffi.precompiled():
            importlib.import_module("weasyprint")
        _linear_page_references()
        _objects_serialised_once()
        _linear_footnote_lookup()
        inter_character.install()
        synthetic_bold.install()
        font_files.install()
    return sys.modules["weasyprint"]


@contextmanager
def _no_library_search() -> Iterator[None]:
    search = ctypes.util.find_library
    ctypes.util.find_library = _not_found
    try:
        yield
    finally:
        ctypes.util.find_library = search


def _not_found(name: str) -> None:
    return None


DEFERRED = ("fontTools.subset", "fontTools.varLib.instancer", "PIL.ImageCms")
"""What ``weasyprint.pdf.fonts`` imports for fonts a report-export PDF never has: the
fontTools subsetter (WeasyPrint's fallback when HarfBuzz cannot subset) and the variable-font
instancer, ~0.1 s of a 0.4 s import; and what ``weasyprint.css`` imports for ``@color-profile``
rules (Pillow's colour management, ~8 M instructions), which our stylesheets never have."""


class _Deferred(ModuleType):
    """A stand-in for a module not yet imported: an attribute read while WeasyPrint imports
    (``from fontTools.varLib.instancer import instantiateVariableFont``) is a function that
    imports the module when called; any later read imports it and reads the real one."""

    def __getattr__(self, attribute: str) -> Any:
        import importlib
        import sys

        if attribute.startswith("__"):
            raise AttributeError(attribute)
        if sys.modules.get(self.__name__) is self:  # WeasyPrint's import is going on

            def call(*args: Any, **kwargs: Any) -> Any:
                return getattr(importlib.import_module(self.__name__), attribute)(*args, **kwargs)

            return call
        return getattr(importlib.import_module(self.__name__), attribute)


@contextmanager
def _deferred(names: Sequence[str]) -> Iterator[None]:
    """``names`` stood in for by ``_Deferred`` modules while the block imports, then gone
    from ``sys.modules`` again, so the next import of one is the real import."""
    import sys

    stand_ins = {name: _Deferred(name) for name in names if name not in sys.modules}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """The cyclic garbage collector paused (reference counting still frees what it can)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _linear_page_references() -> None:
    import pydyf

    def page_references(pdf: Any) -> tuple[bytes, ...]:
        kids = pdf.pages["Kids"]
        kept = pdf.__dict__.get("_page_references")
        if kept is None or kept[0] != len(kids):
            refs = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
            kept = pdf.__dict__["_page_references"] = (len(kids), refs)
        references: tuple[bytes, ...] = kept[1]
        return references

    pydyf.PDF.page_references = property(page_references)


_written: ContextVar[dict[int, tuple[Any, bytes]] | None] = ContextVar("_written", default=None)
"""While a PDF is written: the data of each of its numbered objects (by ``id``, the object
beside it so that no other object takes its ``id``), as it was first made."""


def _objects_serialised_once() -> None:
    import pydyf

    write = pydyf.PDF.write

    def write_once(pdf: Any, *args: Any, **kwargs: Any) -> None:
        token = _written.set({})
        try:
            write(pdf, *args, **kwargs)
        finally:
            _written.reset(token)

    pydyf.PDF.write = write_once
    for kind in (pydyf.Dictionary, pydyf.Array, pydyf.String):
        kind.data = property(_kept(kind.data.fget))
    pydyf.Stream.data = property(_kept(_deflated_once(pydyf.Stream.data.fget)))


def _kept(data: Callable[[Any], bytes]) -> Callable[[Any], bytes]:
    """An object's ``data``, made once a write for the objects of the PDF (those that have a
    number); an object inside another (no number), or one read outside a write, as before."""

    def kept(obj: Any) -> bytes:
        written = _written.get()
        if written is None or obj.number is None:
            return data(obj)
        found = written.get(id(obj))
        if found is None:
            found = written[id(obj)] = (obj, data(obj))
        return found[1]

    return kept


DEFLATED_KEPT = 8
"""How many large streams' data a process keeps from one PDF to the next."""
LARGE_STREAM = 1 << 16
"""The size from which a one-piece stream's data is kept: a font subset or an image, not a
page's content (different in every PDF, and quick to deflate)."""

_deflated: LastUsed[bytes, bytes] = LastUsed(DEFLATED_KEPT)


def _deflated_once(data: Callable[[Any], bytes]) -> Callable[[Any], bytes]:
    """A ``Stream``'s ``data``, kept for the next stream of the same content, dictionary and
    compression if it is one large piece of bytes."""
    import hashlib

    import pydyf

    def deflated(stream: Any) -> bytes:
        items = stream.stream
        if len(items) != 1 or not isinstance(items[0], bytes) or len(items[0]) < LARGE_STREAM:
            return data(stream)
        digest = hashlib.blake2b(items[0], digest_size=32)
        digest.update(pydyf.Dictionary(stream.extra).data)
        digest.update(b"1" if stream.compress else b"0")
        key = digest.digest()
        found = _deflated.get(key)
        return found if found is not None else _deflated.put(key, data(stream))

    return deflated


class _Footnotes(list[Any]):
    """WeasyPrint's list of footnotes waiting to be laid out, with its members in a set beside
    it (by identity, as ``list.__contains__`` finds boxes: they define no equality)."""

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self._members: Counter[int] = Counter(map(id, self))

    def __contains__(self, item: object) -> bool:
        return id(item) in self._members

    def append(self, item: Any) -> None:
        super().append(item)
        self._members[id(item)] += 1

    def remove(self, item: Any) -> None:
        super().remove(item)
        self._members[id(item)] -= 1
        if not self._members[id(item)]:
            del self._members[id(item)]

    def copy(self) -> _Footnotes:
        return _Footnotes(self)

    def _changed(self) -> None:
        self._members = Counter(map(id, self))


def _recounting(name: str) -> Callable[..., Any]:
    """A list method that changes the members some other way (WeasyPrint 70 calls none of
    them): the list's own, then the set made again."""
    method = getattr(list, name)

    def changed(self: _Footnotes, *args: Any) -> Any:
        result = method(self, *args)
        self._changed()
        return result

    return changed


for _name in (
    "extend",
    "insert",
    "pop",
    "clear",
    "__setitem__",
    "__delitem__",
    "__iadd__",
    "__imul__",
):
    setattr(_Footnotes, _name, _recounting(_name))


def _linear_footnote_lookup() -> None:
    from weasyprint.layout import LayoutContext

    start = LayoutContext.__init__

    def init(context: Any, *args: Any, **kwargs: Any) -> None:
        start(context, *args, **kwargs)
        context.footnotes = _Footnotes(context.footnotes)

    LayoutContext.__init__ = init


@dataclass(frozen=True, slots=True)
class StylesheetSource:
    """One stylesheet to parse: its text and the URL its relative references resolve against."""

    css: str
    base_url: str | None = None


@dataclass(frozen=True, slots=True)
class Styles:
    """Parsed stylesheets, and the font configuration and counter styles their
    ``@font-face`` and ``@counter-style`` rules went into (the render needs both)."""

    stylesheets: tuple[Any, ...]
    font_config: Any
    counter_style: Any
    files: tuple[tuple[Path, int, int], ...]
    """Each file the parse read (``@import``, fonts), with its mtime and size then."""

    def current(self) -> bool:
        """Whether every file the parse read is still as it was."""
        return all(_stat(path) == (mtime, size) for path, mtime, size in self.files)


def _stat(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return (-1, -1)
    return (info.st_mtime_ns, info.st_size)


_warm: LastUsed[tuple[object, ...], Styles] = LastUsed(STYLESHEET_SETS)


def styles(
    sources: Sequence[StylesheetSource],
    roots: Sequence[Path],
    fetcher: Callable[[list[Path]], Any],
) -> Styles:
    """The stylesheets parsed (each set once a process) with a font configuration of their own.

    ``roots`` are the folders the stylesheets may read from; ``fetcher(files)`` makes the URL
    fetcher that serves them and appends each file it reads to ``files``: a set is parsed again
    when one of those has changed. Each set has its own configuration, so fonts one theme's
    ``@font-face`` adds never reach another theme's build.
    """
    key = (tuple(sources), tuple(roots))
    found = _warm.get(key)
    if found is not None and found.current():
        return found
    weasyprint = load()
    from weasyprint.css.counters import CounterStyle
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    # A stylesheet's @counter-style rules are registered in the object it is parsed with;
    # without one shared with the render they are silently ignored (lists count 1. 2. 3.).
    counters = CounterStyle()
    read: list[Path] = []
    url_fetcher = fetcher(read)
    parsed = tuple(
        weasyprint.CSS(
            string=source.css,
            base_url=source.base_url,
            url_fetcher=url_fetcher,
            font_config=fonts,
            counter_style=counters,
        )
        for source in sources
    )
    files = tuple((path, *_stat(path)) for path in dict.fromkeys(read))
    return _warm.put(key, Styles(parsed, fonts, counters, files))
