"""``evalengine check RUBRIC…``: report every problem of rubric files, sorted by place."""

from __future__ import annotations

import argparse
import json

from ..rubric.load import read_rubric
from .common import resolve_rubric_path


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser(
        "check",
        help="check rubric files for mistakes",
        description="Collect every problem of the given rubric files.",
    )
    p.add_argument("rubrics", nargs="+", metavar="RUBRIC")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print diagnostics; exit 2 when any is an error."""
    diagnostics = []
    for ref in args.rubrics:
        diagnostics.extend(read_rubric(resolve_rubric_path(ref)).diagnostics)
    diagnostics.sort(key=lambda d: d.location.sort_key())
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    if args.format == "json":
        print(json.dumps([d.to_dict() for d in diagnostics], indent=2, ensure_ascii=False))
    else:
        for d in diagnostics:
            print(d.render())
        print(f"{len(args.rubrics)} rubric(s) checked: {errors} error(s), {warnings} warning(s)")
    return 2 if errors else 0
