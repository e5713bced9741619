"""``evalengine template RUBRIC [--format toml|xlsx] [-o FILE]``: a blank evidence file."""

from __future__ import annotations

import argparse
import sys

from ..errors import UsageError
from ..evidence.template import render_template
from ..report.output import write_atomic
from ..rubric.load import load_rubric
from .common import resolve_rubric_path


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser(
        "template",
        help="write a blank evidence file for a rubric",
        description="Write a blank evidence file with every field the rubric needs: TOML "
        "(the scale of each answer as a comment) or XLSX (drop-down lists).",
    )
    p.add_argument("rubric", help="rubric file or id")
    p.add_argument(
        "--format",
        choices=("toml", "xlsx"),
        default=None,
        help="default: from the -o suffix, else toml",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the template."""
    fmt = args.format
    if fmt is None:
        fmt = "xlsx" if args.output and args.output.lower().endswith(".xlsx") else "toml"
    rubric = load_rubric(resolve_rubric_path(args.rubric))
    data = render_template(rubric, fmt)
    if args.output:
        write_atomic(args.output, data)
        print(f"wrote {args.output}", file=sys.stderr)
    elif isinstance(data, bytes):
        msg = "an XLSX template is binary; give a file with -o FILE.xlsx"
        raise UsageError(msg)
    else:
        sys.stdout.write(data)
    return 0
