"""``evalengine rubrics``: list the installed rubrics and their versions."""

from __future__ import annotations

import argparse
import json

from rich.table import Table

from ..report.summary import ReportConsole
from ..rubric.versions import installed_rubrics, rubric_dirs


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser(
        "rubrics",
        help="list installed rubrics and their versions",
        description="List the rubrics in the built-in folder and in EVALENGINE_RUBRICS_PATH: "
        "id, version, validity, what each supersedes, regulation and file.",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the list."""
    infos = installed_rubrics()
    if args.format == "json":
        print(json.dumps([i.to_dict() for i in infos], indent=2, ensure_ascii=False))
        return 0
    table = Table(title="Installed rubrics", title_justify="left")
    for column in ("id", "version", "valid", "supersedes", "regulation", "file"):
        table.add_column(column, overflow="fold")
    for i in infos:
        table.add_row(
            i.id,
            i.version,
            i.validity(),
            i.supersedes or "",
            i.regulation or "",
            i.path.name + (f" (extends {i.extends})" if i.extends else ""),
        )
    console = ReportConsole(width=140)
    console.print(table)
    console.print(f"searched: {', '.join(str(d) for d in rubric_dirs())}")
    return 0
