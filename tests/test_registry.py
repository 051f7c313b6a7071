"""The exporter registry: formats are found through entry points, a third party's like ours."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

PLUGIN = """
from dataclasses import dataclass
from report_export.exporters import Exporter

@dataclass(frozen=True)
class ShoutOptions:
    loud: bool = False

class ShoutExporter(Exporter[ShoutOptions]):
    name = "shout"
    extension = "shout"
    description = "the title, shouted"
    options_type = ShoutOptions

    def render(self, document, theme, options):
        mark = "!!!" if options.loud else "!"
        return (document.meta.title + mark + "\\n").encode("utf-8")
"""


def install_plugin(
    site: Path, name: str = "shout", target: str = "shout_plugin:ShoutExporter"
) -> None:
    """A real installed distribution: a module and a dist-info with an entry point."""
    (site / "shout_plugin.py").write_text(PLUGIN, encoding="utf-8")
    dist = site / f"{name}_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[report_export.exporters]\n{name} = {target}\n")


def cli(site: Path, *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-m", "report_export.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ours_are_registered_by_entry_point() -> None:
    result = cli(REPO / "nonexistent", "formats")
    assert result.returncode == 0, result.stderr
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == ["docx", "epub", "html", "pdf", "text"]


def test_a_third_party_format_is_found_listed_and_built(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site)
    listed = cli(site, "formats")
    assert listed.returncode == 0, listed.stderr
    assert "shout" in listed.stdout and "the title, shouted" in listed.stdout
    out = tmp_path / "out"
    built = cli(site, "build", "--to", "shout", "--out", str(out), "-O", "loud=yes")
    assert built.returncode == 0, built.stderr
    assert (out / "report.shout").read_text(encoding="utf-8") == (
        "建设交通系统党的工作覆盖行业模式研究报告!!!\n"
    )


def test_unknown_option_names_the_known_ones(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site)
    result = cli(site, "build", "--to", "shout", "--out", str(tmp_path), "-O", "quiet=1")
    assert result.returncode == 2
    assert "option 'quiet' is taken by none of: shout" in result.stderr


def test_a_format_name_claimed_twice_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, name="text")
    result = cli(site, "formats")
    assert result.returncode == 2
    assert "format 'text' is registered twice" in result.stderr


def test_the_scan_finds_what_importlib_metadata_finds(tmp_path: Path) -> None:
    """The registry reads entry_points.txt itself (importlib.metadata is costly to import):
    for every group, in this environment and with a third party's plugin on the path, it must
    find exactly the entry points importlib.metadata does."""
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site)
    script = (
        "import importlib.metadata as m, warnings\n"
        "from report_export import registry\n"
        "warnings.simplefilter('ignore', DeprecationWarning)\n"  # 3.11: a dict of groups
        "groups = m.entry_points().values()\n"
        "theirs = sorted((p.group, p.name, p.value) for group in groups for p in group)\n"
        "ours = sorted((p.group, p.name, p.value) for p in registry._all_entry_points())\n"
        "assert ours == theirs, set(ours) ^ set(theirs)\n"
        "assert ('report_export.exporters', 'shout', 'shout_plugin:ShoutExporter') in ours\n"
        "print(len(ours))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 10
