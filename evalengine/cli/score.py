"""``evalengine score RUBRIC EVIDENCE``: score evidence and report it in one or more formats."""

from __future__ import annotations

import argparse
import sys

from ..errors import UsageError
from ..evaluate.engine import Engine
from ..plugins import default_plugins
from ..report.output import write_atomic
from .common import emit, load_inputs


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser(
        "score",
        help="score evidence against a rubric",
        description="Score an evidence file against a rubric and report it.",
    )
    p.add_argument("rubric", help="rubric file, or the id of a built-in rubric (e.g. merit)")
    p.add_argument("evidence", help="evidence file (TOML or JSON)")
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
        "--group-by",
        metavar="COLUMN",
        help="one result per value of COLUMN of the rubric's evidence table(s) "
        "(e.g. instansi, unit), plus the overall result and a ranking",
    )
    p.add_argument(
        "--engine",
        choices=("auto", "duckdb", "python"),
        default="auto",
        help="how records/survey indicators are computed: duckdb (SQL, for big tables), "
        "python (row by row), auto (duckdb for Parquet or table files of 1 MB and more)",
    )
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
    """Render every requested format first, then write them all: nothing half-written."""
    registry = default_plugins().report_formats
    rendered = []
    for name, path in formats:
        cls = registry.get(name, error=UsageError)
        rendered.append((cls, path, cls().render(result, options)))
    for cls, path, data in rendered:
        if path is None:
            if cls.binary:
                msg = (
                    f"the {cls.name} format is binary; give a file: "
                    f"--format {cls.name}:report{cls.suffix}"
                )
                raise UsageError(msg)
            emit(data)
        else:
            write_atomic(path, data)


def _has_tables(rubric) -> bool:
    """True when the rubric has indicators that read evidence tables (records, survey)."""
    return any(ind.type in ("records", "survey") for ind in rubric.indicators())


def run(args: argparse.Namespace) -> int:
    """Score and report."""
    formats = parse_formats(args.formats, args.output)
    rubric, evidence = load_inputs(args.rubric, args.evidence)
    if args.group_by or _has_tables(rubric):
        from ..bulk import score_grouped

        result = score_grouped(rubric, evidence, group_by=args.group_by, engine=args.engine)
    else:
        result = Engine(rubric).evaluate(evidence)
    options = {
        "width": args.width or 110,
        "force_terminal": sys.stdout.isatty(),
        "color_system": "auto" if sys.stdout.isatty() else None,
    }
    render_reports(result, formats, options)
    return 0
