"""``evalengine reconcile RUBRIC EVIDENCE``: the report's own figures against recomputed ones.

Exit code 1 when any stated figure disagrees, 0 when all agree, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.table import Table
from rich.text import Text

from ..numbers import format_id
from ..reconcile import Check, Reconciliation, reconcile
from ..report.output import write_atomic
from ..report.summary import render_text
from .common import add_engine_options, emit, evaluate_evidence, load_inputs

FORMATS = ("rich", "json")


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser(
        "reconcile",
        help="check the figures a report states against recomputed ones",
        description="Recompute every figure the evidence states ([stated], and printed "
        "totals or percentages of its tables), allowing for the precision each was "
        "printed with, and list every disagreement with its likely cause. "
        "Exit code 1 when any disagrees.",
    )
    p.add_argument("rubric", help="rubric file, or the id of a built-in rubric")
    p.add_argument("evidence", help="evidence file (TOML or JSON)")
    p.add_argument("--format", "-f", choices=FORMATS, default="rich", help="output format")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE, atomically")
    p.add_argument("--all", action="store_true", help="list the figures that agree as well")
    p.add_argument("--width", type=int, default=None, help="terminal width for the rich report")
    add_engine_options(p)
    p.set_defaults(run=run)


def _value(check: Check, value) -> str:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return format_id(value, check.places if value is not check.stated else None)
    return "—" if value is None else str(value)


def render_rich(
    rec: Reconciliation, *, show_all: bool = False, width: int = 120, color: bool = False
) -> str:
    """The reconciliation as a terminal table (disagreements, or every check)."""
    parts: list[Any] = []
    rows = rec.checks if show_all else rec.disagreements
    n_bad = len(rec.disagreements)
    summary = Text(
        f"{len(rec.checks)} stated figure(s) checked: {len(rec.checks) - n_bad} agree, "
        f"{n_bad} disagree",
        style="bold red" if n_bad else "bold green",
    )
    parts.append(summary)
    if rows:
        table = Table(show_lines=True, expand=True)
        table.add_column("Where", overflow="fold", ratio=2, style="dim")
        table.add_column("Indicator / row", ratio=3)
        table.add_column("Field", overflow="fold", min_width=9)
        table.add_column("Stated", justify="right", no_wrap=True)
        table.add_column("Computed", justify="right", no_wrap=True)
        table.add_column("Likely cause", ratio=4)
        for c in rows:
            table.add_row(
                c.where,
                f"{c.node_label} [{c.node_id}]",
                c.field,
                _value(c, c.stated),
                Text(_value(c, c.computed), style="green" if c.agrees else "red"),
                "agrees" if c.agrees else ("\n".join(c.causes) or "no simple cause found"),
            )
        parts.append(table)
    color_system = "auto" if color else None
    return render_text(
        *parts, options={"width": width, "color_system": color_system, "force_terminal": color}
    )


def render_json(rec: Reconciliation) -> str:
    """The reconciliation as JSON (``evalengine.reconcile/1``)."""
    return json.dumps(rec.to_dict(), ensure_ascii=False, indent=2) + "\n"


def run(args: argparse.Namespace) -> int:
    """Reconcile; 1 when any stated figure disagrees."""
    rubric, evidence = load_inputs(args.rubric, args.evidence)
    result = evaluate_evidence(rubric, evidence, args)
    rec = reconcile(result)
    if args.format == "json":
        text = render_json(rec)
    else:
        text = render_rich(
            rec, show_all=args.all, width=args.width or 120, color=sys.stdout.isatty()
        )
    if args.output:
        write_atomic(args.output, text)
    else:
        emit(text)
    return 0 if rec.ok else 1
