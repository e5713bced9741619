"""Helpers shared by commands: finding rubrics, loading inputs, writing reports."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import UsageError, with_suggestion
from ..evidence.readers import read_evidence
from ..rubric.load import load_rubric


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
    rubric = load_rubric(resolve_rubric_path(rubric_ref))
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
