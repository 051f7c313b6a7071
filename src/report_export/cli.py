"""The command line: ``report-export build|batch|watch|verify|formats|import``.

Errors are one line on stderr and exit 2: bad input, and what the system refuses (a full disk,
a folder that cannot be written). Ctrl-C is one line and exit 130, except in ``watch``, which
it ends (exit 0).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import signal
import sys
from collections import Counter
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
        prog="report-export",
        description="Turn a report into PDF, DOCX, EPUB, a web page and plain text.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="build a source into every format")
    build_cmd.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    build_cmd.add_argument("--out", type=Path, default=Path("out"), metavar="DIR")
    _add_build_options(build_cmd)

    batch_cmd = commands.add_parser(
        "batch", help="build many sources, on this machine or a Dask cluster"
    )
    batch_cmd.add_argument(
        "sources", nargs="*", metavar="SOURCES", help="paths, globs or folders of sources"
    )
    batch_cmd.add_argument(
        "--manifest", type=Path, metavar="FILE", help="a CSV or JSON lines list of sources"
    )
    batch_cmd.add_argument("--out", type=Path, required=True, metavar="DIR")
    _add_build_options(batch_cmd)
    batch_cmd.add_argument(
        "--workers", type=int, metavar="N", help="worker processes of the local cluster"
    )
    batch_cmd.add_argument(
        "--scheduler", default="", metavar="tcp://HOST:PORT", help="run on this Dask cluster"
    )
    batch_cmd.add_argument(
        "--summary", type=Path, metavar="FILE.html", help="write a summary page (and .json)"
    )
    batch_cmd.add_argument(
        "--worker-memory",
        type=int,
        default=1200,
        metavar="MB",
        help="a worker past this is retired and a fresh one starts (one at a time)",
    )

    watch_cmd = commands.add_parser(
        "watch", help="build, then rebuild what each saved change touches (Ctrl-C stops)"
    )
    watch_cmd.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    watch_cmd.add_argument("--out", type=Path, default=Path("out"), metavar="DIR")
    _add_format_options(watch_cmd)

    verify_cmd = commands.add_parser("verify", help="check every output against the source")
    verify_cmd.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    verify_cmd.add_argument("--to", default="", metavar="FORMATS", help="comma list (default: all)")
    verify_cmd.add_argument("--out", type=Path, default=Path("out"), metavar="DIR")
    verify_cmd.add_argument(
        "--theme", default="default", help="the theme the outputs were built with"
    )

    typography_cmd = commands.add_parser(
        "typography",
        help="count the PDF's faults of typesetting (short justified lines, punctuation "
        "pairs, one-character last lines, kinsoku, table splits)",
    )
    typography_cmd.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    typography_cmd.add_argument("--out", type=Path, default=Path("out"), metavar="DIR")
    typography_cmd.add_argument(
        "--theme", default="default", help="the theme the PDF was built with"
    )

    commands.add_parser("formats", help="list the installed formats")

    import_cmd = commands.add_parser(
        "import",
        help="recover a Markdown source from a document site's copy (text, or a preview PDF) "
        "or from a DOCX; or take a DOCX's edits back into its source (--into)",
    )
    import_cmd.add_argument("scraped", type=Path, metavar="SCRAPED")
    import_cmd.add_argument(
        "--site",
        metavar="NAME",
        help="the site profile to read the copy with (default: detected from the copy)",
    )
    import_cmd.add_argument("-o", "--output", type=Path, metavar="SOURCE.md")
    import_cmd.add_argument(
        "--into", type=Path, metavar="SOURCE.md", help="docx: take its edits back into SOURCE.md"
    )
    import_cmd.add_argument(
        "--changes",
        choices=("accept", "reject", "keep"),
        default="keep",
        help="docx: tracked changes accepted, rejected, or kept as proposals (default)",
    )
    import_cmd.add_argument(
        "--strict", action="store_true", help="exit 1 when anything needs a decision"
    )
    import_cmd.add_argument(
        "--review", type=Path, metavar="REVIEW.html", help="also write a review page"
    )
    import_cmd.add_argument("--force", action="store_true", help="overwrite existing outputs")
    return parser


def _add_build_options(command: argparse.ArgumentParser) -> None:
    """What ``build`` and ``batch`` share: formats, theme, exporter options, --force, --verify."""
    _add_format_options(command)
    command.add_argument(
        "--force", action="store_true", help="rebuild formats whose inputs are unchanged"
    )
    command.add_argument(
        "--verify", action="store_true", help="read every output back and check it"
    )


def _add_format_options(command: argparse.ArgumentParser) -> None:
    """What ``build``, ``batch`` and ``watch`` share: formats, theme, exporter options."""
    command.add_argument("--to", default="", metavar="FORMATS", help="comma list (default: all)")
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
    command.add_argument("--toc", action="store_true", help="pdf, docx: contents after the title")
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


def _typography(args: argparse.Namespace) -> int:
    from .verify.typography import typography_report

    lines = typography_report(args.source, args.out, args.theme)
    print("\n".join(lines))
    return 0 if lines[0].startswith("typography ok") else 1


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
    # A one-shot build ends with its process, which frees the heap: the cyclic collector
    # would only walk the model and WeasyPrint's boxes again and again (1x-100x: 4-16 % of
    # the time; peak memory 10 % more), and the PDF worker a build forks inherits this.
    gc.disable()
    request = _request(args)
    for result in build(request, progress_for(sys.stderr)):
        print(result.path if result.rebuilt else f"{result.path} (up to date)")
    return _verify(args) if args.verify else 0


def _batch(args: argparse.Namespace) -> int:
    from .batch.cluster import default_workers
    from .batch.engine import BatchRequest, run_batch
    from .batch.sources import collect_jobs
    from .batch.summary import write_summary
    from .progress import document_progress_for

    if args.scheduler and args.workers is not None:
        raise ReportExportError("--workers sizes the local cluster: a --scheduler's has its own")
    if args.workers is not None and args.workers < 1:
        raise ReportExportError(f"--workers wants 1 or more, not {args.workers}")
    if args.worker_memory < 1:
        raise ReportExportError(f"--worker-memory wants megabytes, not {args.worker_memory}")
    request = BatchRequest(
        jobs=tuple(collect_jobs(args.sources, args.manifest, args.out)),
        out_dir=args.out,
        formats=_format_list(args.to),
        theme=args.theme,
        options=_options(args),
        force=args.force,
        verify=args.verify,
        scheduler=args.scheduler,
        workers=args.workers or default_workers(),
        worker_memory=args.worker_memory * 2**20,
    )
    result = run_batch(request, document_progress_for(sys.stderr), _warn)
    if args.summary is not None:
        write_summary(result, args.summary)
    for document in result.failed:
        _fail(str(document.failure), 1)
    counts = Counter(document.status for document in result.documents)
    print(
        f"{len(result.documents)} documents: {counts['built']} built, "
        f"{counts['up to date']} up to date, {counts['failed']} failed in {result.seconds:.1f} s"
        + (f", {result.recycled} workers recycled" if result.recycled else "")
    )
    if result.interrupted:
        left = counts["not run"]
        print(f"report-export: interrupted: {left} documents not finished", file=sys.stderr)
        return 130
    return 1 if result.failed else 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "formats":
        return _formats()
    if args.command == "verify":
        return _verify(args)
    if args.command == "typography":
        return _typography(args)
    if args.command == "import" and args.into is not None:
        from .roundtrip.command import run_docx_import

        lines, code = run_docx_import(
            args.scraped, args.into, args.review, args.changes, args.strict
        )
        print("\n".join(lines))
        return code
    if args.command == "import":
        from .importers.command import run_import
        from .roundtrip.new_source import is_docx, run_first_import

        if args.output is None:
            raise ReportExportError("import needs -o SOURCE.md (or --into for a DOCX)")
        if is_docx(args.scraped):
            print("\n".join(run_first_import(args.scraped, args.output, args.force)))
            return 0

        for line in run_import(args.scraped, args.output, args.review, args.force, args.site):
            print(line)
        return 0
    if args.command == "batch":
        return _batch(args)
    if args.command == "watch":
        return _watch(args)
    return _build(args)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _main(args)
    finally:
        if argv is None:
            # The program itself (not a caller's ``main([...])``) ends once this returns: a
            # Ctrl-C now would find Python finalising, its handler gone, and kill the process
            # by the signal (no line, exit -2) after a build that finished.
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _main(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except ReportExportError as err:
        return _fail(str(err), 2)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except OSError as err:
        # What the system refuses where we write or read (a full disk, a read-only folder).
        where = f"{err.filename}: " if err.filename else ""
        return _fail(f"{where}{err.strerror or err}", 2)
    except MemoryError:
        return _fail("out of memory", 2)


def _warn(message: str) -> None:
    if sys.stderr.isatty():  # over the progress bar, which the next tick draws again
        sys.stderr.write("\r\x1b[2K")
    _fail(message, 0)


def _fail(message: str, code: int) -> int:
    # One line, whatever the message holds (a file name may contain a newline).
    line = message.replace("\n", "\\n").replace("\r", "\\r")
    with contextlib.suppress(OSError):  # stderr is gone (a closed pipe): the exit code tells
        print(f"report-export: {line}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
