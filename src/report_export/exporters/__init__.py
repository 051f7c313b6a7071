"""The exporter interface. One module a format; each registers under the entry-point group
``report_export.exporters`` (ours in our own pyproject.toml, exactly as a third party's would)."""

from __future__ import annotations

import dataclasses
import types
import typing
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

from ..errors import ReportExportError
from ..model import Document
from ..registry import entry_point, load_class
from ..theme import Theme


@dataclasses.dataclass(frozen=True, slots=True)
class NoOptions:
    """The options of an exporter that takes none."""


OptionsT = TypeVar("OptionsT")


@dataclasses.dataclass(frozen=True, slots=True)
class Rendered:
    """One format's output: the bytes of its file, and the files it keeps beside it."""

    data: bytes
    beside: Mapping[str, bytes] = dataclasses.field(default_factory=dict)
    """Files written next to the output, in its folder, by file name (a web page's images):
    plain names that no other output of the build takes, the same for the same input."""


class Exporter(ABC, Generic[OptionsT]):
    """Turns a document and a theme into the bytes of one output file.

    Subclasses set ``name`` (the format name, also the entry-point and module name),
    ``extension`` and ``options_type`` (a frozen dataclass; its fields are the options).
    """

    name: ClassVar[str]
    extension: ClassVar[str]
    description: ClassVar[str] = ""
    options_type: ClassVar[type[Any]] = NoOptions
    cost: ClassVar[int] = 1
    """Relative render time; a parallel build starts the costliest formats first."""

    @classmethod
    def prepare(cls) -> None:
        """Load what ``render`` needs (heavy libraries), ahead of time: a parallel build calls
        it in the worker process while the source is still being read."""

    @classmethod
    def check_size(cls, document: Document) -> None:
        """Refuse a document larger than this format renders in time proportional to its size
        (a limit the README documents), before anything renders; by default none."""

    @abstractmethod
    def render(self, document: Document, theme: Theme, options: OptionsT) -> bytes:
        """The output file's bytes. Same document, theme and options: same bytes."""

    def render_files(self, document: Document, theme: Theme, options: OptionsT) -> Rendered:
        """The output and the files beside it (what a build writes); by default ``render``'s
        bytes alone. A format that keeps files beside its output overrides this."""
        return Rendered(self.render(document, theme, options))

    @classmethod
    def parse_options(cls, raw: Mapping[str, str]) -> OptionsT:
        """Options from command-line strings; an unknown option names the known ones."""
        known = {f.name: f for f in dataclasses.fields(cls.options_type)}
        values: dict[str, object] = {}
        for key, text in raw.items():
            field = known.get(key.replace("-", "_"))
            if field is None:
                names = ", ".join(f.replace("_", "-") for f in known) or "none"
                raise ReportExportError(f"{cls.name}: unknown option {key!r} (known: {names})")
            values[field.name] = _convert(cls.name, key, text, _field_type(cls.options_type, field))
        return typing.cast(OptionsT, cls.options_type(**values))


def load_exporter(name: str) -> type[Exporter[object]]:
    """The exporter class registered as ``name``; loading imports only that format's module."""
    point = entry_point(name)
    exporter: type[Exporter[object]] = load_class(point, Exporter, "an Exporter class")
    if exporter.name != name:
        raise ReportExportError(
            f"entry point {name!r} loads an exporter named {exporter.name!r} ({point.value})"
        )
    return exporter


def _field_type(options_type: type, field: dataclasses.Field[Any]) -> Any:
    return typing.get_type_hints(options_type)[field.name]


def _convert(fmt: str, key: str, text: str, kind: Any) -> object:
    if isinstance(kind, types.UnionType):  # "int | None" and the like: the non-None member
        kind = next(k for k in typing.get_args(kind) if k is not type(None))
    if kind is bool:
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
    elif kind is int:
        try:
            return int(text)
        except ValueError:
            pass
    elif kind is str:
        return text
    elif typing.get_origin(kind) is typing.Literal:
        choices = typing.get_args(kind)
        if text in choices:
            return text
        raise ReportExportError(
            f"{fmt}: option {key!r} wants one of {', '.join(choices)}, not {text!r}"
        )
    wanted = {bool: "yes or no", int: "a whole number"}.get(kind, str(kind))
    raise ReportExportError(f"{fmt}: option {key!r} wants {wanted}, not {text!r}")
