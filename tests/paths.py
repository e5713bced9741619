"""Paths of the repository's rubrics and examples, for tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUBRICS = ROOT / "rubrics"
EXAMPLES = ROOT / "examples"
MERIT_RUBRIC = RUBRICS / "merit-2019.toml"
MERIT_EVIDENCE = EXAMPLES / "merit-belitung-timur" / "evidence.toml"


def example_pairs() -> list[tuple[Path, Path]]:
    """(rubric, evidence) for every example evidence file under examples/.

    The rubric is chosen as ``evalengine score EVIDENCE`` chooses it (the id, version and
    period the evidence names); an example that brings its own ``rubric.toml`` uses that.
    """
    import tomllib
    from argparse import Namespace

    from evalengine.cli.common import load_versioned_inputs
    from evalengine.errors import EvalEngineError

    pairs = []
    for evidence in sorted(EXAMPLES.rglob("*.toml")):
        if evidence.name == "rubric.toml":
            continue
        meta = tomllib.loads(evidence.read_text(encoding="utf-8")).get("evidence", {})
        if "rubric" not in meta:
            continue
        own = evidence.parent / "rubric.toml"
        if own.exists():
            pairs.append((own, evidence))
            continue
        try:
            _, _, selection = load_versioned_inputs(Namespace(inputs=[str(evidence)]))
        except EvalEngineError:
            continue
        pairs.append((Path(selection.path), evidence))
    return pairs
