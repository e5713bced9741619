"""``evalengine gap RUBRIC EVIDENCE``: how far to the next band, and the cheapest way there."""

from __future__ import annotations

import argparse
import sys

from ..errors import UsageError
from ..evidence.improve import ladders
from ..gap.probe import Prober
from ..gap.records import analyse_records, improvable, records_json
from ..gap.render import gap_json, gap_markdown, gap_renderables, render_rich
from ..gap.render_records import records_markdown, records_renderables
from ..gap.search import DEFAULT_BUDGET, RANKINGS, analyse
from ..gap.whatif import apply_changes, resolve_change
from ..numbers import to_decimal
from ..report.output import write_atomic
from .common import emit, load_inputs

FORMATS = ("rich", "json", "markdown")


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser(
        "gap",
        help="how far to the next band, and the smallest set of answer changes to get there",
        description="Distance from the headline to the next band (or --target), every "
        "single answer change ranked by its gain, and the smallest sets of changes that "
        "reach the target — all computed by re-evaluating the rubric, so scales, caps, "
        "weights and rounding are respected. For rubrics computed from tables (IP ASN per "
        "PNS) whose columns declare `improve` ladders, the changes are per-person moves: "
        "'raise N persons' <column> from A to B'.",
    )
    p.add_argument("rubric", help="rubric file, or the id of a built-in rubric (e.g. merit)")
    p.add_argument("evidence", help="evidence file (TOML or JSON)")
    p.add_argument("--target", metavar="LABEL", help="target band label (default: the next band)")
    p.add_argument(
        "--to",
        metavar="VALUE",
        help="target headline value instead of a band (e.g. the Perjanjian Kinerja's 257)",
    )
    p.add_argument("--max-changes", type=int, metavar="N", help="most indicators a plan may change")
    p.add_argument(
        "--stage", metavar="S", help="stage whose answers change (default: the final stage)"
    )
    p.add_argument(
        "--alternatives",
        type=int,
        default=5,
        metavar="N",
        help="plans of the smallest size to show (default 5)",
    )
    p.add_argument(
        "--rank",
        choices=RANKINGS,
        default="steps",
        help="order of the plans: fewest scale steps (default) or highest resulting value",
    )
    p.add_argument(
        "--top",
        type=int,
        default=15,
        metavar="N",
        help="single improvements to list in rich/markdown (0: all; JSON lists all)",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        dest="sets",
        metavar="INDICATOR[@STAGE]=VALUE",
        help="start from changed answers (what-if), as in `score --set`",
    )
    p.add_argument("--budget", type=int, default=DEFAULT_BUDGET, help=argparse.SUPPRESS)
    p.add_argument("--format", "-f", choices=FORMATS, default="rich", help="output format")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE, atomically")
    p.add_argument("--width", type=int, default=None, help="terminal width for the rich report")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Analyse and report; exit 1 when the target cannot be reached."""
    if args.alternatives < 1:
        msg = "--alternatives must be at least 1"
        raise UsageError(msg)
    to_value = None
    if args.to is not None:
        try:
            to_value = to_decimal(args.to)
        except ValueError as exc:
            msg = f"--to {args.to}: {exc}"
            raise UsageError(msg, hint="write a number like 257 or 80.5") from None
    rubric, evidence = load_inputs(args.rubric, args.evidence)
    if args.sets:
        evidence = apply_changes(evidence, [resolve_change(rubric, evidence, s) for s in args.sets])
    prober = Prober(rubric, evidence, stage=args.stage)
    if not prober.answerables() and improvable(prober):
        return _run_records(args, prober, to_value)
    analysis = analyse(
        prober,
        target=args.target,
        max_changes=args.max_changes,
        alternatives=args.alternatives,
        rank_by=args.rank,
        budget=args.budget,
        to_value=to_value,
    )
    missing = sorted({lad.table for lad in ladders(rubric)} - set(evidence.tables))
    if not prober.answerables() and missing:
        analysis.notes.append(
            f"the rubric declares improvable columns of table(s) {', '.join(missing)}, but the "
            "evidence has no such table: give the per-person rows ([tables.<name>]) to get "
            "per-person moves"
        )
    return _report(args, analysis, gap_json, gap_markdown, gap_renderables)


def _run_records(args: argparse.Namespace, prober: Prober, to_value) -> int:
    """Table-based rubrics (records indicators): plan of "raise N persons' <column>" moves."""
    analysis = analyse_records(
        prober, target=args.target, to_value=to_value, max_changes=args.max_changes
    )
    return _report(args, analysis, records_json, records_markdown, records_renderables)


def _report(args: argparse.Namespace, analysis, as_json, as_markdown, as_renderables) -> int:
    """Render an analysis in the requested format, print or write it; 1 when not reachable."""
    top = None if args.top == 0 else args.top
    if args.format == "json":
        text = as_json(analysis)
    elif args.format == "markdown":
        text = as_markdown(analysis, top=top)
    else:
        tty = sys.stdout.isatty() and not args.output
        options = {
            "width": args.width or 110,
            "force_terminal": tty,
            "color_system": "auto" if tty else None,
        }
        text = render_rich(as_renderables(analysis, top=top), options)
    if args.output:
        write_atomic(args.output, text)
    else:
        emit(text)
    return 1 if analysis.status in ("unreachable", "limited") else 0
