"""``gap``, leverage and what-if on every built-in rubric with an example (rubrics/*.toml).

Parametrised over the rubric files and the example evidence that names each one, so a
rubric added later (AKIP grades, …) is covered as soon as it lands with an example.
Rubrics without answered indicators or without a headline band are skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import ROOT, example_pairs

from evalengine.errors import UsageError
from evalengine.evaluate.engine import Engine
from evalengine.evidence.readers import read_evidence
from evalengine.gap import Prober, analyse
from evalengine.gap.leverage import leverage
from evalengine.gap.whatif import apply_changes
from evalengine.rubric.load import load_rubric


def rubric_examples() -> list[tuple[Path, Path]]:
    """(rubric, evidence) for every example of a built-in rubric that gap can work on.

    Rubrics with a headline band and answered indicators (merit, AKIP); the table-based
    ones (IKM, IP ASN, capaian, anggaran) have no answers to change and are left out here.
    """
    pairs = []
    for rubric_path, evidence_path in example_pairs():
        if rubric_path.parent != ROOT / "rubrics":
            continue
        try:
            prober = Prober(load_rubric(rubric_path), read_evidence(evidence_path))
        except UsageError:
            continue
        if prober.table is not None and prober.answerables():
            pairs.append((rubric_path, evidence_path))
    return pairs


PAIRS = rubric_examples()
IDS = [f"{r.stem}:{e.parent.name}/{e.name}" for r, e in PAIRS]


def prober_for(rubric_path: Path, evidence) -> Prober:
    return Prober(load_rubric(rubric_path), evidence)


def check_analysis(prober: Prober, evidence) -> None:
    """The plans reach the target when applied by the engine; minimal means minimal."""
    rubric = prober.rubric
    analysis = analyse(prober, alternatives=3, budget=20_000)
    assert analysis.status in ("top", "reachable", "unreachable", "reached")
    if analysis.status != "reachable":
        if analysis.status == "unreachable":
            assert analysis.best is not None
            rank = prober.rank(analysis.best.reading.band)
            assert rank is None or rank < prober.table.rank(analysis.target.label)
        return
    goal = prober.table.rank(analysis.target.label)
    for plan in analysis.plans:
        assert len(plan.moves) == analysis.size
        after = Engine(rubric).evaluate(apply_changes(evidence, [m.change for m in plan.moves]))
        assert after.root.band is not None and prober.table.rank(after.root.band.label) >= goal
        if plan.additive:
            assert plan.gain == plan.reading.unrounded - prober.baseline.unrounded
    if analysis.minimal and analysis.size > 1:
        # the best plan one change smaller — every indicator's best move, largest first —
        # evaluated by the engine, falls short of the target
        best: dict[str, object] = {}
        for move in analysis.moves:
            best.setdefault(move.change.indicator.id, move)
        top = sorted(best.values(), key=lambda m: -m.gain)[: analysis.size - 1]
        reading = prober.reading(m.change for m in top)
        rank = prober.rank(reading.band)
        assert rank is None or rank < goal


@pytest.mark.parametrize(("rubric_path", "evidence_path"), PAIRS, ids=IDS)
def test_gap_on_example(rubric_path, evidence_path):
    evidence = read_evidence(evidence_path)
    check_analysis(prober_for(rubric_path, evidence), evidence)


@pytest.mark.parametrize(("rubric_path", "evidence_path"), PAIRS, ids=IDS)
def test_leverage_on_example(rubric_path, evidence_path):
    evidence = read_evidence(evidence_path)
    prober = prober_for(rubric_path, evidence)
    table = leverage(prober)
    assert table.rows
    for row in table.rows:
        assert row.available >= 0
        assert row.share is None or 0 <= row.share <= 100
    json.dumps(table.to_dict())


@pytest.mark.parametrize(("rubric_path", "evidence_path"), PAIRS, ids=IDS)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_gap_random_evidence(rubric_path, evidence_path, data):
    evidence = read_evidence(evidence_path)
    prober = prober_for(rubric_path, evidence)
    for item in prober.answerables():
        option = data.draw(st.sampled_from(item.options), label=item.indicator.id)
        value = option.label if item.indicator.scale else option.value
        evidence = evidence.with_answer(item.indicator.id, value, stage=prober.stage)
    check_analysis(Prober(prober.rubric, evidence), evidence)


def test_there_is_at_least_one_example():
    assert any(r.stem.startswith("merit") for r, _ in PAIRS)
