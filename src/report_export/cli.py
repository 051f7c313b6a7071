"""The command line: ``report-export build|watch|verify|formats|import``.

Errors: one line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .build import BuildRequest, build
from .errors import ReportExportError
from .progress import progress_for
from .registry import available_formats

DEFAULT_SOURCE = Path("source/report.md")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="report-export", description="Turn a report into PDF, DOCX, EPUB and plain text."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="build a source into every format")
    _what_to_build(build_cmd)
    build_cmd.add_argument(
        "--force", action="store_true", help="rebuild formats whose inputs are unchanged"
    )
    build_cmd.add_argument(
        "--verify", action="store_true", help="read every output back and check it"
    )

    watch_cmd = commands.add_parser(
        "watch", help="build, then rebuild what each saved change touches (Ctrl-C stops)"
    )
    _what_to_build(watch_cmd)

    verify_cmd = commands.add_parser("verify", help="check every output against the source")
    verify_cmd.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    verify_cmd.add_argument("--to", default="", metavar="FORMATS", help="comma list (default: all)")
    verify_cmd.add_argument("--out", type=Path, default=Path("out"), metavar="DIR")
    verify_cmd.add_argument(
        "--theme", default="default", help="the theme the outputs were built with"
    )

    commands.add_parser("formats", help="list the installed formats")

    import_cmd = commands.add_parser(
        "import",
        help="recover a Markdown source from a document site's copy (text, or a preview PDF)",
    )
    import_cmd.add_argument("scraped", type=Path, metavar="SCRAPED")
    import_cmd.add_argument(
        "--site",
        metavar="NAME",
        help="the site profile to read the copy with (default: detected from the copy)",
    )
    import_cmd.add_argument("-o", "--output", type=Path, required=True, metavar="SOURCE.md")
    import_cmd.add_argument(
        "--review", type=Path, metavar="REVIEW.html", help="also write a review page"
    )
    import_cmd.add_argument("--force", action="store_true", help="overwrite existing outputs")
    return parser


def _what_to_build(command: argparse.ArgumentParser) -> None:
    """The arguments ``build`` and ``watch`` share: source, formats, folder, theme, options."""
    command.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    command.add_argument("--to", default="", metavar="FORMATS", help="comma list (default: all)")
    command.add_argument("--out", type=Path, default=Path("out"), metavar="DIR")
    command.add_argument("--theme", default="default", help="a theme name or a .toml path")
    command.add_argument(
        "-O",
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an exporter option, given to every selected format that takes it",
    )
    command.add_argument("--wrap", metavar="N", help="text: wrap at N columns")
    command.add_argument("--toc", action="store_true", help="docx: insert a table of contents")
    command.add_argument(
        "--embed-fonts", action="store_true", help="epub: embed the theme's CJK font, subset"
    )


def _options(args: argparse.Namespace) -> dict[str, str]:
    options: dict[str, str] = {}
    for item in args.option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ReportExportError(f"--option wants KEY=VALUE, not {item!r}")
        options[key] = value
    if args.wrap is not None:
        options["wrap"] = args.wrap
    if args.toc:
        options["toc"] = "true"
    if args.embed_fonts:
        options["embed_fonts"] = "true"
    return options


def _formats() -> int:
    from .exporters import load_exporter

    for name in available_formats():
        exporter = load_exporter(name)
        print(f"{name:8} .{exporter.extension:6} {exporter.description}")
    return 0


def _format_list(text: str) -> tuple[str, ...]:
    return tuple(f.strip() for f in text.split(",") if f.strip())


def _verify(args: argparse.Namespace) -> int:
    from .verify.runner import format_report, verify_outputs

    reports = verify_outputs(args.source, args.out, _format_list(args.to), args.theme)
    for report in reports:
        print(format_report(report))
    return 0 if all(report.ok for report in reports) else 1


def _request(args: argparse.Namespace) -> BuildRequest:
    return BuildRequest(
        source=args.source,
        out_dir=args.out,
        formats=_format_list(args.to),
        theme=args.theme,
        options=_options(args),
        force=getattr(args, "force", False),
    )


def _watch(args: argparse.Namespace) -> int:
    from .watch import watch

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a watch ends
        watch(_request(args), lambda line: print(line, flush=True))
    return 0


def _build(args: argparse.Namespace) -> int:
    request = _request(args)
    for result in build(request, progress_for(sys.stderr)):
        print(result.path if result.rebuilt else f"{result.path} (up to date)")
    return _verify(args) if args.verify else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "formats":
            return _formats()
        if args.command == "verify":
            return _verify(args)
        if args.command == "watch":
            return _watch(args)
        if args.command == "import":
            from .importers.command import run_import

            for line in run_import(args.scraped, args.output, args.review, args.force, args.site):
                print(line)
            return 0
        return _build(args)
    except ReportExportError as err:
        print(f"report-export: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
