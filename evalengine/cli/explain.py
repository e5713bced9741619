"""``evalengine explain RUBRIC EVIDENCE INDICATOR``: the calculation sheet of one number."""

from __future__ import annotations

import argparse

from ..errors import UsageError, with_suggestion
from ..evaluate.engine import format_value
from ..evaluate.result import NodeResult, ScoreResult
from ..evidence.model import Provenance
from ..numbers import plain
from ..safe_text import printable
from .common import add_engine_options, add_param_option, emit, evaluate_evidence, load_inputs


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser(
        "explain",
        help="show how one number was computed",
        description="Print the calculation sheet of one indicator: each step "
        "from evidence values through weights and rounding to the result.",
    )
    p.add_argument("rubric")
    p.add_argument("evidence")
    p.add_argument(
        "indicator", help="indicator id or code (e.g. i3_3 or 3.3); the rubric id for the headline"
    )
    p.add_argument(
        "--depth", type=int, default=1, help="levels of child indicators to include (default 1)"
    )
    add_param_option(p)
    add_engine_options(p)
    p.set_defaults(run=run)


def sheet(result: ScoreResult, node: NodeResult, depth: int) -> str:
    """The calculation sheet of ``node`` and ``depth`` levels below it, as text."""
    lines: list[str] = []
    _describe(result, node, depth, 0, lines)
    return "\n".join(lines)


def _describe(result: ScoreResult, node: NodeResult, depth: int, level: int, lines: list[str]):
    pad = "    " * level
    d = node.derivation
    lines.append(f"{pad}{node.label}  [{node.id}, {node.type}]")
    if node.weight is not None:
        lines.append(f"{pad}  bobot      = {plain(node.weight)}")
    if d.formula:
        lines.append(f"{pad}  rumus      = {d.formula}")
    for item in d.inputs:
        where = getattr(item.provenance, "provenance", item.provenance)
        source = f"   ← {where}" if isinstance(where, Provenance) else ""
        lines.append(f"{pad}    {item.name} = {format_value(item.value)}{source}")
    if d.note:
        lines.append(f"{pad}  catatan    = {d.note}")
    if d.substituted and d.substituted != d.formula:
        lines.append(f"{pad}  dihitung   = {d.substituted}")
    if d.rounding:
        lines.append(f"{pad}  sebelum pembulatan = {plain(d.unrounded)}; dibulatkan {d.rounding}")
    result_line = f"{pad}  nilai      = {format_value(node.value)}"
    if node.max is not None:
        result_line += f" dari maks {plain(node.max)}"
        if d.max_formula:
            result_line += f" ({d.max_formula})"
    lines.append(result_line)
    if node.band is not None:
        lines.append(
            f"{pad}  {node.band_table or 'band'} = {node.band.label} "
            f"{node.band.meaning} ({node.band.interval})"
        )
    for stage, value in node.stages.items():
        if stage != result.final_stage:
            band = node.stage_bands.get(stage)
            answer = node.stage_answers.get(stage)
            extra = f" (jawaban {answer})" if answer is not None else ""
            lines.append(
                f"{pad}  tahap {stage}: {format_value(value)}{extra}"
                + (f" → {band.label} {band.meaning}" if band else "")
            )
    for warning in node.warnings:
        lines.append(f"{pad}  ⚠ {warning}")
    if level < depth:
        for child in node.children:
            _describe(result, child, depth, level + 1, lines)


def run(args: argparse.Namespace) -> int:
    """Evaluate and print the sheet."""
    rubric, evidence = load_inputs(args.rubric, args.evidence, args.params)
    result = evaluate_evidence(rubric, evidence, args)
    node = result.find(args.indicator)
    if node is None:
        ids = [n.id for n in result.root.walk()] + [n.code for n in result.root.walk() if n.code]
        msg = f"no indicator '{args.indicator}' in rubric '{rubric.id}'"
        raise UsageError(
            msg, hint=with_suggestion(f"e.g. {', '.join(ids[:6])}", args.indicator, ids)
        )
    emit(printable(sheet(result, node, max(0, args.depth))))  # titles are users' text
    return 0
