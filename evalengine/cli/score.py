"""``evalengine score RUBRIC EVIDENCE``: score evidence and report it in one or more formats."""

from __future__ import annotations

import argparse
import sys

from ..errors import PluginError, UsageError
from ..plugins import default_plugins, plugin_failure
from ..report.output import check_writable, write_atomic
from .common import (
    add_engine_options,
    add_param_option,
    apply_params,
    emit,
    evaluate_evidence,
    load_versioned_inputs,
)


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser(
        "score",
        help="score evidence against a rubric",
        description="Score an evidence file against a rubric and report it.",
        usage="evalengine score [options] [RUBRIC] EVIDENCE",
    )
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="ARG",
        help="rubric file or id (e.g. merit), then the evidence file; without RUBRIC (or "
        "with --rubric) the rubric is the one the evidence names in [evidence] rubric",
    )
    p.add_argument(
        "--rubric",
        metavar="ID|FILE",
        help="rubric id (the version in force on the date is chosen) or file",
    )
    p.add_argument(
        "--as-of",
        metavar="DATE",
        help="choose the rubric version in force on DATE (2024-06-30, 2024-06 or 2024); "
        "default: [evidence] as_of, else [evidence] period, else the latest in force",
    )
    p.add_argument(
        "--format",
        "-f",
        action="append",
        metavar="NAME[:FILE]",
        dest="formats",
        help="report format (rich, json, or one from a plugin); NAME:FILE writes it "
        "to FILE. Repeatable. Default: rich",
    )
    p.add_argument(
        "--output", "-o", metavar="FILE", help="write the (single) report to FILE, atomically"
    )
    p.add_argument("--width", type=int, default=None, help="terminal width for the rich report")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="INDICATOR[@STAGE]=VALUE",
        dest="sets",
        help="what-if: score with this answer instead of the evidence's (id or code, e.g. "
        "3.3=2 or 3.3@verifikasi=2; without @STAGE every stage changes). Repeatable",
    )
    p.add_argument(
        "--leverage",
        action="store_true",
        help="add the leverage table: headline points still available per indicator "
        "and the share of the gap to the next band each could close",
    )
    add_param_option(p)
    p.add_argument(
        "--check-stated",
        action="store_true",
        help="also check the figures the evidence states (as `evalengine reconcile`); "
        "exit code 1 when any disagrees",
    )
    p.add_argument(
        "--group-by",
        metavar="COLUMN",
        help="one result per value of COLUMN of the rubric's evidence table(s) "
        "(e.g. instansi, unit), plus the overall result and a ranking. COLUMN is a "
        "header as written, a column the rubric declares, or a header up to case, "
        "spaces and _-. (instansi finds Instansi, 'unit layanan' finds Unit_Layanan)",
    )
    add_engine_options(p)
    p.set_defaults(run=run)


def parse_formats(specs: list[str] | None, output: str | None) -> list[tuple[str, str | None]]:
    """``["rich", "json:out.json"]`` → ``[("rich", None), ("json", "out.json")]``."""
    specs = specs or ["rich"]
    pairs = []
    for spec in specs:
        name, _, path = spec.partition(":")
        pairs.append((name.strip(), path or None))
    if output:
        unnamed = [i for i, (_, path) in enumerate(pairs) if path is None]
        if len(unnamed) != 1:
            msg = "--output needs exactly one --format without a file"
            raise UsageError(msg, hint="use --format NAME:FILE for each file instead")
        pairs[unnamed[0]] = (pairs[unnamed[0]][0], output)
    return pairs


def render_reports(result, formats: list[tuple[str, str | None]], options: dict) -> None:
    """Render every requested format first, then write them all: nothing half-written.

    A format that raises, or returns the wrong type (text for a binary format, bytes
    for a text one), stops the command before any file is written or anything printed.
    """
    registry = default_plugins().report_formats
    classes = [(registry.get(name, error=UsageError), path) for name, path in formats]
    for cls, path in classes:
        if path is None and cls.binary:
            msg = (
                f"the {cls.name} format is binary; give a file: "
                f"--format {cls.name}:report{cls.suffix}"
            )
            raise UsageError(msg)
    for _cls, path in classes:  # a missing folder is found before anything is written
        if path is not None:
            check_writable(path)
    rendered = []
    for cls, path in classes:
        try:
            data = cls().render(result, options)
        except Exception as exc:
            raise plugin_failure(registry, cls.name, "render()", exc) from exc
        expected = bytes if cls.binary else str
        if not isinstance(data, expected):
            msg = (
                f"plugin '{registry.provider(cls.name)}' failed: report format '{cls.name}' "
                f"returned {type(data).__name__} from render(); expected {expected.__name__}"
                f" (binary = {cls.binary})"
            )
            raise PluginError(msg, hint="return str, or bytes and set `binary = True`")
        rendered.append((cls, path, data))
    for _cls, path, data in rendered:
        if path is None:
            emit(data)
        else:
            write_atomic(path, data)


def run(args: argparse.Namespace) -> int:
    """Score and report."""
    formats = parse_formats(args.formats, args.output)
    rubric, evidence, selection = load_versioned_inputs(args)
    apply_params(rubric, args.params or [])
    if args.sets:
        from ..gap.whatif import apply_changes, what_if

        result, comparison = what_if(rubric, evidence, args.sets)
        evidence = apply_changes(evidence, comparison.changes)
    else:
        result = evaluate_evidence(rubric, evidence, args, group_by=args.group_by)
    result.selection = selection
    if args.leverage:
        from ..gap.leverage import leverage
        from ..gap.probe import Prober

        result.leverage = leverage(Prober(rubric, evidence))
    options = {
        "width": args.width or 110,
        "force_terminal": sys.stdout.isatty(),
        "color_system": "auto" if sys.stdout.isatty() else None,
    }
    render_reports(result, formats, options)
    if getattr(args, "check_stated", False):
        return check_stated(result, formats, options)
    return 0


def check_stated(result, formats: list[tuple[str, str | None]], options: dict) -> int:
    """Reconcile the stated figures after the report: 1 when any disagrees.

    The findings follow the report on standard output when that is a rich report;
    otherwise (JSON on standard output) they go to standard error, keeping the JSON valid.
    """
    from ..reconcile import reconcile
    from .reconcile import render_rich

    rec = reconcile(result)
    text = render_rich(rec, width=options["width"], color=options["force_terminal"])
    to_stdout = all(name == "rich" or path is not None for name, path in formats)
    if to_stdout:
        emit(text)
    else:
        sys.stderr.write(text)
    return 0 if rec.ok else 1
