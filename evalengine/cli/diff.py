"""``evalengine diff OLD NEW [EVIDENCE…]``: what changed between two rubric versions, and
what the change does to the scores of given evidence."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..evidence.readers import read_evidence
from ..numbers import format_id, plain
from ..report.summary import ReportConsole, titled_panel
from ..rubric.diff import Effect, RubricDiff, diff_rubrics, effect
from ..rubric.load import load_rubric
from .common import emit, resolve_rubric_path

KIND_STYLE = {"added": "green", "removed": "red", "renamed": "yellow", "changed": "cyan"}


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser(
        "diff",
        help="compare two rubric versions, and their scores of given evidence",
        description="Structural differences between two rubrics (indicators added, removed, "
        "renamed; weights, scales, bands, formulas), then each EVIDENCE scored under both.",
    )
    p.add_argument("old", metavar="OLD", help="older rubric (file or id)")
    p.add_argument("new", metavar="NEW", help="newer rubric (file or id)")
    p.add_argument("evidence", nargs="*", metavar="EVIDENCE", help="evidence files to re-score")
    p.add_argument("--format", "-f", choices=("rich", "json"), default="rich")
    p.add_argument("--width", type=int, default=120)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the comparison."""
    old = load_rubric(resolve_rubric_path(args.old))
    new = load_rubric(resolve_rubric_path(args.new))
    diff = diff_rubrics(old, new)
    effects = [effect(diff, read_evidence(path)) for path in args.evidence]
    if args.format == "json":
        data = diff.to_dict() | {"effects": [e.to_dict() for e in effects]}
        emit(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    console = ReportConsole(width=args.width, force_terminal=False, color_system=None)
    console.print(render(diff, effects))
    return 0


def _num(value: Any) -> str:
    if isinstance(value, Decimal):
        return format_id(Decimal(plain(value)), None)
    return "—" if value is None else str(value)


def _signed(value: Any) -> str:
    if not isinstance(value, Decimal):
        return "—"
    return ("+" if value > 0 else "") + _num(value)


def render(diff: RubricDiff, effects: list[Effect]) -> Group:
    """The rich rendering: structure table, then one panel per evidence file."""
    old, new = diff.old, diff.new
    parts: list[Any] = []
    structure = Table(
        title=f"{old.id} {old.version} → {new.id} {new.version}: {len(diff.changes)} change(s)",
        title_justify="left",
    )
    structure.add_column("change")
    structure.add_column("what")
    structure.add_column("name", overflow="fold")
    structure.add_column("detail", overflow="fold")
    for c in diff.changes:
        structure.add_row(Text(c.kind, style=KIND_STYLE.get(c.kind, "")), c.what, c.name, c.detail)
    parts.append(structure)
    for e in effects:
        table = Table(show_header=True)
        table.add_column("")
        table.add_column(f"{old.id} {old.version}", justify="right")
        table.add_column(f"{new.id} {new.version}", justify="right")
        table.add_column("change", justify="right")
        if e.old.error or e.new.error:
            table.add_row("error", e.old.error or "", e.new.error or "", "")
        else:
            table.add_row("nilai", _num(e.old.value), _num(e.new.value), _signed(e.delta))
            moved = "" if e.old.band == e.new.band else "changed"
            table.add_row(
                "predikat",
                f"{e.old.band or '—'} {e.old.meaning or ''}".strip(),
                f"{e.new.band or '—'} {e.new.meaning or ''}".strip(),
                moved,
            )
            for stage in dict.fromkeys([*e.old.stages, *e.new.stages]):
                ov, ob = e.old.stages.get(stage, (None, None))
                nv, nb = e.new.stages.get(stage, (None, None))
                delta = nv - ov if isinstance(ov, Decimal) and isinstance(nv, Decimal) else None
                table.add_row(
                    f"{stage}", f"{_num(ov)} {ob or ''}", f"{_num(nv)} {nb or ''}", _signed(delta)
                )
        body: list[Any] = [table]
        dropped = []
        if e.old.dropped:
            dropped.append(f"{old.id} {old.version}: {', '.join(e.old.dropped)}")
        if e.new.dropped:
            dropped.append(f"{new.id} {new.version}: {', '.join(e.new.dropped)}")
        if dropped:
            body.append(f"answers without a place (left out): {'; '.join(dropped)}")
        if e.causes:
            causes = Table(
                title="indicators behind the change (largest first)", title_justify="left"
            )
            for col in ("indicator", "old", "new", "Δ", ""):
                causes.add_column(
                    col, justify="right" if col in ("old", "new", "Δ") else "left", overflow="fold"
                )
            for c in e.causes:
                causes.add_row(
                    f"{c['id']} {c['title']}",
                    _num(c["old"]),
                    _num(c["new"]),
                    _signed(c["delta"]),
                    c["why"],
                )
            body.append(causes)
        parts.append(titled_panel(Group(*body), f"evidence {e.path}"))
    return Group(*parts)
