"""``evalengine test [PATH…]``: run the test cases stored with rubrics, with band coverage.

``--generate-edges RUBRIC`` writes boundary cases instead (see
:mod:`evalengine.rubric.edges`). Cases are documented in :mod:`evalengine.rubric.cases`
and docs/maintainers.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import UsageError
from ..report.output import write_atomic
from .common import builtin_rubrics_dir, resolve_rubric_path


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser(
        "test",
        help="run the test cases stored with rubrics",
        description="Run rubric test cases (rubrics/tests/<rubric>/*.toml and [tests] in "
        "rubrics) and report band coverage. Without PATH: the built-in rubrics.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="rubric, case file or folder")
    p.add_argument(
        "--generate-edges",
        metavar="RUBRIC",
        help="write boundary cases for RUBRIC's headline band table instead of testing",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="file for --generate-edges")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the suite; exit 0 when every case passes with full band coverage."""
    if args.generate_edges:
        return _generate(args)
    from ..rubric.cases import run_suite

    paths = [Path(p) for p in args.paths] or [builtin_rubrics_dir()]
    for p in paths:
        if not p.exists():
            msg = f"{p} does not exist"
            raise UsageError(msg, hint="give a rubric, a case file or a folder")
    suite = run_suite(paths)
    if args.format == "json":
        print(json.dumps(_json(suite), indent=2, ensure_ascii=False))
    else:
        _print(suite)
    if not suite.results:
        return 2
    return 0 if suite.ok else 1


def _json(suite) -> dict:
    return {
        "passed": suite.passed,
        "failed": suite.failed,
        "cases": [
            {
                "rubric": str(r.case.rubric_path),
                "file": str(r.case.file),
                "name": r.case.name,
                "passed": r.passed,
                "failures": r.failures,
                "error": r.error,
                "bands": sorted(r.bands),
            }
            for r in suite.results
        ],
        "coverage": {
            str(path): {"table": table, "bands": labels, "reached": sorted(reached)}
            for path, (table, labels, reached) in suite.coverage.items()
        },
        "untested": [str(p) for p in suite.untested],
    }


def _print(suite) -> None:
    for r in suite.results:
        mark = "PASS" if r.passed else "FAIL"
        print(f"{mark} {r.case.file.name}::{r.case.name}")
        if r.error:
            print(f"     error: {r.error}")
        for failure in r.failures:
            print(f"     {failure}")
    for path, (table, labels, reached) in suite.coverage.items():
        marks = " ".join(label if label in reached else f"[{label}?]" for label in labels)
        missing = [label for label in labels if label not in reached]
        status = "full" if not missing else f"missing {', '.join(missing)}"
        print(f"coverage {path.name} '{table}': {marks} — {status}")
    for path in suite.untested:
        print(f"no cases for {path.name}: add rubrics/tests/{path.stem}/*.toml")
    if not suite.results:
        print("no test cases found (an empty suite fails)")
        return
    print(f"{suite.passed} passed, {suite.failed} failed, {len(suite.results)} case(s)")


def _generate(args: argparse.Namespace) -> int:
    import os

    from ..rubric.edges import generate_edges
    from ..rubric.load import load_rubric

    path = resolve_rubric_path(args.generate_edges)
    rubric = load_rubric(path)
    ref = None
    if args.output:
        ref = os.path.relpath(path.resolve(), Path(args.output).resolve().parent)
    text = generate_edges(rubric, rubric_ref=ref)
    if args.output:
        write_atomic(args.output, text)
        print(f"wrote {args.output}")
    else:
        print(text, end="")
    return 0
