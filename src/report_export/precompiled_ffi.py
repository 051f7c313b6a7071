"""WeasyPrint's C declarations parsed once a machine, not once a process.

WeasyPrint declares the Pango, HarfBuzz and fontconfig functions it calls in cffi's in-line
ABI mode (``ffi = cffi.FFI(); ffi.cdef(text)``): cffi parses the ~450 lines with pycparser,
in Python, at every import, and parses each type named in a later call (``ffi.new("char[]")``,
``ffi.new("hb_codepoint_t[3]")``) again the first time it is named. That is ~0.1 s of a PDF
build (the import, and ~10 types at 5-10 ms each as the document is drawn and written).

cffi's out-of-line ABI mode writes the parsed declarations as a Python module
(``set_source(name, None)``, ``emit_python_code``) whose ``ffi`` reads them from tables and
parses type names in C: the same types, functions and constants, so the same PDF. While
WeasyPrint is imported, ``cffi.FFI()`` gives a stand-in; its ``cdef(text)`` loads the module
made from exactly that text (named by a hash of the text, cffi's version and Python's), or
parses the text as before and writes that module into the user's cache folder
(``$XDG_CACHE_HOME/report-export``, by default ``~/.cache/report-export``) for the next
process. A folder that cannot be written only costs the parse. After the import, every
WeasyPrint module holding the stand-in holds the real ``ffi`` instead.

Upstream: WeasyPrint could ship an out-of-line module built at install time, as cffi's
documentation recommends for ABI mode.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MODULE_PREFIX = "_report_export_ffi_"


def cache_folder() -> Path:
    """Where the generated modules are kept."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "report-export"


def module_name(declarations: str) -> str:
    """The generated module's name: the declarations, cffi's version and Python's in it."""
    import cffi  # type: ignore[import-untyped]

    key = "\0".join((declarations, cffi.__version__, sys.version))
    return MODULE_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


class _StandIn:
    """What ``cffi.FFI()`` gives while WeasyPrint is imported: an FFI once ``cdef`` is
    called, precompiled when it can be (every attribute is the real FFI's)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        """cffi's own ``FFI``, which ``cffi.FFI`` is not while WeasyPrint is imported."""
        self.ffi: Any = None

    def cdef(self, declarations: str, *args: Any, **kwargs: Any) -> None:
        if self.ffi is not None or args or kwargs:
            raise RuntimeError("precompiled_ffi: one cdef with the declarations alone")
        name = module_name(declarations)
        self.ffi = _load(name) or _parse_and_keep(self.real(), declarations, name)

    def dlopen(self, name: str, flags: int = 0) -> Any:
        return self.ffi.dlopen(name, flags | self.ffi.RTLD_NODELETE)

    def __getattr__(self, attribute: str) -> Any:
        if self.ffi is None:
            raise AttributeError(attribute)
        return getattr(self.ffi, attribute)


def _load(name: str) -> Any:
    path = cache_folder() / f"{name}.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception:  # a truncated or foreign file: parse again, and write it anew
        return None
    return getattr(module, "ffi", None)


def _parse_and_keep(ffi: Any, declarations: str, name: str) -> Any:
    """``ffi`` (a new in-line FFI) given ``declarations``, as WeasyPrint makes it; the
    out-of-line module of the same declarations written for the next process, when the cache
    folder allows."""
    ffi.cdef(declarations)
    with contextlib.suppress(OSError):
        folder = cache_folder()
        folder.mkdir(parents=True, exist_ok=True)
        # What the out-of-line module is named, and quiet (cffi prints each file it makes).
        ffi.set_source(name, None, compiler_verbose=False)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        os.close(handle)
        try:
            ffi.emit_python_code(temporary)
            os.replace(temporary, folder / f"{name}.py")
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
    return ffi


@contextlib.contextmanager
def precompiled() -> Iterator[None]:
    """While the block imports WeasyPrint, its ``cffi.FFI()`` is precompiled; after it, no
    stand-in is left in WeasyPrint's modules."""
    import cffi

    made: list[_StandIn] = []
    real = cffi.FFI

    def stand_in() -> _StandIn:
        made.append(_StandIn(real))
        return made[-1]

    cffi.FFI = stand_in
    try:
        yield
    finally:
        cffi.FFI = real
        _replace_stand_ins(made)


def _replace_stand_ins(made: list[_StandIn]) -> None:
    ids = {id(s): s for s in made}
    for module_name_, module in list(sys.modules.items()):
        if not module_name_.startswith("weasyprint") or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if id(value) in ids and isinstance(value, _StandIn):
                setattr(module, attribute, value.ffi)
