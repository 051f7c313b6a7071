"""The shape of the code: the import graph of report_export has no circle, and nothing points
back up the one-way flow source -> reader -> model -> exporter -> out.

Read from the source with ``ast``, every import counted, those inside functions too (a late
import hides a circle from Python, not from the design).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = "report_export"
SRC = Path(__file__).resolve().parents[1] / "src" / PACKAGE


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name)."""
    found = {}
    for path in SRC.rglob("*.py"):
        parts = [PACKAGE, *path.relative_to(SRC).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _resolve(name: str, target: str | None, level: int, names: list[str]) -> set[str]:
    """The package's modules an import statement in module ``name`` reaches."""
    known = modules()
    if level:
        package = name.split(".")
        if known[name].name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - (level - 1)]
        base = ".".join([*package, *([target] if target else [])])
    else:
        base = target or ""
    reached = set()
    for imported in names:
        # "from X import Y": Y is a submodule of X, or a name X defines.
        module = f"{base}.{imported}" if base else imported
        if module in known:
            reached.add(module)
        elif base in known:
            reached.add(base)
    return reached


@cache
def graph() -> dict[str, frozenset[str]]:
    """Each module -> the modules of the package it imports."""
    edges = {}
    for name, path in modules().items():
        out: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                out |= _resolve(name, node.module, node.level, [a.name for a in node.names])
            elif isinstance(node, ast.Import):
                out |= {a.name for a in node.names if a.name in modules()}
        out.discard(name)
        edges[name] = frozenset(out)
    return edges


def cycles(edges: dict[str, frozenset[str]]) -> list[list[str]]:
    """Every circle of the graph: its strongly connected components of more than one module
    (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def reaches(module: str, prefix: str) -> list[str]:
    """The imports of ``module`` that are ``prefix`` or inside it."""
    return sorted(m for m in graph()[module] if m == prefix or m.startswith(prefix + "."))


def test_the_graph_is_read_whole() -> None:
    # The checks below are only as good as the graph: it must see late and relative imports.
    assert len(modules()) > 40
    assert "report_export.model" in graph()["report_export.reader"]
    assert "report_export.exporters.epub.book" in graph()["report_export.exporters.epub"]
    assert "report_export.verify.runner" in graph()["report_export.cli"]  # a late import


def test_the_import_graph_has_no_circle() -> None:
    assert cycles(graph()) == []


def test_the_circle_finder_finds_a_circle() -> None:
    edges = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    assert cycles(edges) == [["a", "b", "c"]]


UPSTREAM = ("errors", "model", "reader", "theme", "typography", "registry", "assets", "html")
"""Modules the outputs are made from: none of them knows an output, a command or a checker."""
DOWNSTREAM = ("exporters", "verify", "importers", "build", "cli", "cache", "progress")


@pytest.mark.parametrize("module", UPSTREAM)
def test_nothing_upstream_imports_downstream(module: str) -> None:
    name = f"{PACKAGE}.{module}"
    assert [m for d in DOWNSTREAM for m in reaches(name, f"{PACKAGE}.{d}")] == []


def test_the_model_imports_nothing_of_the_package() -> None:
    assert graph()[f"{PACKAGE}.model"] == frozenset()


def _format_of(module: str, group: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == group else None


def test_exporters_import_neither_each_other_nor_the_reader() -> None:
    for module, imported in graph().items():
        fmt = _format_of(module, "exporters")
        if fmt is None:
            continue
        others = {_format_of(m, "exporters") for m in imported} - {fmt, None}
        assert not others, f"{module} imports the exporters of {others}"
        assert f"{PACKAGE}.reader" not in imported, f"{module} re-reads the Markdown"


def test_verifiers_read_back_without_their_exporters() -> None:
    for module, imported in graph().items():
        if _format_of(module, "verify") is None:
            continue
        formats = {_format_of(m, "exporters") for m in imported} - {None}
        assert not formats, f"{module} imports the exporters of {formats}"
