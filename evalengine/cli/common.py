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


def load_inputs(rubric_ref: str, evidence_path: str):
    """The rubric and evidence named on the command line."""
    rubric = load_rubric(resolve_rubric_path(rubric_ref))
    evidence = read_evidence(evidence_path)
    return rubric, evidence


def emit(text: str) -> None:
    """Print report text to standard output without an extra newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
