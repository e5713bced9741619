"""Helpers shared by commands: finding rubrics, loading inputs, writing reports."""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import UsageError, with_suggestion
from ..evidence.readers import read_evidence
from ..rubric.cache import load_rubric_cached


def builtin_rubrics_dir() -> Path:
    """The folder of rubrics shipped with evalengine."""
    return Path(__file__).resolve().parents[2] / "rubrics"


def resolve_rubric_path(ref: str) -> Path:
    """A rubric path, or the built-in rubric whose file stem or id is ``ref``."""
    path = Path(ref)
    if path.exists() or path.suffix == ".toml":
        return path
    shipped = {p.stem: p for p in sorted(builtin_rubrics_dir().glob("*.toml"))}
    if ref in shipped:
        return shipped[ref]
    matches = [p for stem, p in shipped.items() if stem.split("-")[0] == ref]
    if matches:
        return matches[-1]
    msg = f"no rubric file or built-in rubric named '{ref}'"
    raise UsageError(
        msg, hint=with_suggestion("run `evalengine rubrics` to list them", ref, shipped)
    )


def load_inputs(rubric_ref: str, evidence_path: str, params: list[str] | None = None):
    """The rubric (with ``--param`` overrides applied) and evidence named on the command line."""
    rubric = load_rubric_cached(resolve_rubric_path(rubric_ref))
    apply_params(rubric, params or [])
    evidence = read_evidence(evidence_path)
    return rubric, evidence


def add_param_option(parser) -> None:
    """The repeatable ``--param NAME=VALUE`` option (a rubric parameter for this run)."""
    parser.add_argument(
        "--param",
        "-p",
        action="append",
        metavar="NAME=VALUE",
        dest="params",
        help="set a rubric parameter for this run (e.g. bobot=0.111); repeatable",
    )


def apply_params(rubric, specs: list[str]) -> None:
    """Override ``[params]`` scalars of ``rubric`` from ``NAME=VALUE`` strings.

    Only parameters the rubric declares can be set; a number stays a number.
    """
    from decimal import Decimal

    from ..numbers import to_decimal

    for spec in specs:
        name, sep, value = spec.partition("=")
        name = name.strip()
        if not sep or not name:
            msg = f"--param needs NAME=VALUE, got {spec!r}"
            raise UsageError(msg, hint="e.g. --param bobot=0.111")
        if name not in rubric.params:
            msg = f"rubric '{rubric.id}' has no parameter '{name}'"
            raise UsageError(
                msg,
                hint=with_suggestion(
                    f"[params]: {', '.join(rubric.params) or 'none'}", name, rubric.params
                ),
            )
        current = rubric.params[name]
        if isinstance(current, Decimal | int) and not isinstance(current, bool):
            try:
                rubric.params[name] = to_decimal(value.strip())
            except ValueError as exc:
                msg = f"parameter '{name}' must be a number: {exc}"
                raise UsageError(msg) from None
        else:
            rubric.params[name] = value.strip()


def emit(text: str) -> None:
    """Print report text to standard output without an extra newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def load_versioned_inputs(args):
    """Rubric, evidence and the version selection for ``score [RUBRIC] EVIDENCE``.

    ``RUBRIC`` (positional or ``--rubric``) is a file, or an id whose version in force
    on the date is chosen: ``--as-of``, else the evidence's ``as_of``, else its
    ``period`` (a year means its last day), else the latest version in force today;
    a ``version`` named in the evidence wins over its dates (not over ``--as-of``).
    Without a rubric, the evidence's ``[evidence] rubric`` names it.
    """
    from ..rubric.cache import load_rubric_and_info
    from ..rubric.versions import Selection, parse_as_of, select_version

    inputs = list(args.inputs)
    ref = getattr(args, "rubric", None)
    if ref is None and len(inputs) == 2:
        ref = inputs.pop(0)
    if len(inputs) != 1:
        msg = "give one evidence file: score [RUBRIC] EVIDENCE, or score --rubric ID EVIDENCE"
        raise UsageError(msg)
    evidence = read_evidence(inputs[0])
    meta = evidence.meta
    if ref is None:
        ref = meta.get("rubric")
        if ref is None:
            msg = "no rubric given and the evidence does not name one"
            raise UsageError(msg, hint='add rubric = "…" under [evidence], or pass RUBRIC')
        ref = str(ref)
    as_of, source = None, None
    for value, origin in (
        (getattr(args, "as_of", None), "--as-of"),
        (meta.get("as_of"), "evidence as_of"),
        (meta.get("period"), "evidence period"),
    ):
        if value is not None:
            as_of = parse_as_of(value)
            if as_of is None and origin == "--as-of":
                msg = f"--as-of {value!r} is not a date"
                raise UsageError(msg, hint="write 2024-06-30, 2024-06 or 2024")
            if as_of is not None:
                source = f"{origin} {value}"
                break
    rubric = None
    path = Path(ref)
    if path.exists() or path.suffix == ".toml":
        path = resolve_rubric_path(ref)
        reason = "given as a file"
        info = None
        if path.exists():  # the rubric and its metadata (read_info) from one cache entry
            rubric, info = load_rubric_and_info(path)
        if info is not None and as_of is not None and not info.in_force(as_of):
            reason += (
                f"; note: version {info.version} is valid {info.validity()}, "
                f"not on {as_of.isoformat()} ({source})"
            )
        selection = Selection(path, reason, as_of, "path")
    else:
        named = meta.get("version") if getattr(args, "as_of", None) is None else None
        selection = select_version(
            ref, as_of, source, version=None if named in (None, "") else str(named)
        )
    if rubric is None:
        rubric = load_rubric_cached(selection.path)
    return rubric, evidence, selection


@contextlib.contextmanager
def progress_display(show: bool) -> Iterator[Any]:
    """A transient rich progress display on standard error, or None when not ``show``.

    Standard error, so that a report piped from standard output stays clean; transient,
    so that nothing of it is left once the work is done.
    """
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as display:
        yield display


def show_progress(args) -> bool:
    """Whether to draw a progress bar: standard error is a terminal, not ``--no-progress``."""
    return not getattr(args, "no_progress", False) and sys.stderr.isatty()


def add_engine_options(parser) -> None:
    """``--engine`` and ``--no-progress``: how evidence tables (records, survey) are read."""
    parser.add_argument(
        "--engine",
        choices=("auto", "duckdb", "python"),
        default="auto",
        help="how records/survey indicators are computed: duckdb (SQL, for big tables), "
        "python (row by row), auto (duckdb for Parquet or table files of 100 KB and more)",
    )
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar on stderr while DuckDB reads a big table",
    )


def scan_reporter(display):
    """A bar per table DuckDB reads, on ``display`` (None: no reporter, no bars)."""
    if display is None:
        return None
    from rich.markup import escape

    tasks: dict[str, int] = {}

    def report(label: str, percent: float) -> None:
        if label not in tasks:
            # the label names a file: its [brackets] are text, not rich markup
            tasks[label] = display.add_task(escape(label), total=100)
        display.update(tasks[label], completed=percent)

    return report


@contextlib.contextmanager
def kept_until_exit() -> Iterator[None]:
    """In a process that ends with its command (``evalengine …``), the objects the block
    makes stay until the end, unscanned: Python's cyclic garbage collector is off while
    the block runs, and they are frozen after (``gc.freeze``), as
    :func:`evalengine.cli.console_main` freezes the rest at exit.

    Scoring per group makes objects that live until the command ends (each group's
    facts, values and result) and form no cycles, yet the collector scanned them over
    and over as they were made: at 20,000 groups 0.26 s of 2.8 s. Pausing it alone only
    moves that scan to the next collection. A cycle made in the block is freed when the
    process ends; where :func:`evalengine.cli.main` runs in a process that goes on, the
    collector is left as it is.
    """
    from . import ONE_COMMAND_PROCESS

    if not ONE_COMMAND_PROCESS:
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def evaluate_evidence(rubric, evidence, args, *, group_by: str | None = None):
    """Score ``evidence``: a rubric that reads evidence tables (records, survey) goes
    through :func:`evalengine.bulk.score_grouped`, on DuckDB or row by row as
    ``--engine`` says (a progress bar while DuckDB reads), the others through the
    interpreter. Every command that reports a result of big tables uses this, so that
    none of them reads five million rows in Python by accident."""
    from ..evaluate.engine import Engine

    if not group_by and not rubric.table_indicators():
        return Engine(rubric).evaluate(evidence)
    from ..bulk import score_grouped
    from ..bulk.progress import reporting

    with (
        progress_display(show_progress(args)) as display,
        reporting(scan_reporter(display)),
        kept_until_exit(),
    ):
        engine = getattr(args, "engine", "auto")
        return score_grouped(rubric, evidence, group_by=group_by, engine=engine)
