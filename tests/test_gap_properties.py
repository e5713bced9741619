"""Property tests of ``gap``: the plan reaches the target and no smaller plan exists.

Small rubrics are checked by brute force over every combination of answers (the
engine scores each one); merit is checked against the bound its definition gives
(total = Σ bobot × skor, so k changes add at most the k largest headrooms).
"""

from __future__ import annotations

import itertools
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import ROOT

from evalengine.evaluate.engine import Engine
from evalengine.evidence.readers import read_evidence
from evalengine.gap import Prober, analyse
from evalengine.gap.whatif import apply_changes
from evalengine.rubric.load import load_rubric

WEIGHTS = ["0.5", "1", "1.25", "2", "2.5", "3.333", "0.125", "1.001", "0.3"]
SCALE = [0, 1, 2, 3]


def tiny_rubric(weights, edges, lower_closed, rounding, cap) -> str:
    """An additive rubric (optionally capped) of len(weights) indicators on a 0–3 scale."""
    lines = ['[rubric]\nid = "tiny"\ntitle = "Tiny"\nband = "kelas"\n']
    if rounding is not None:
        places, mode = rounding
        lines.append(f'[rounding]\nplaces = {places}\nmode = "{mode}"\napply = "headline"\n')
    lines.append('[scales.s]\ntitle = "s"\nvalues = { "0" = 0, "1" = 1, "2" = 2, "3" = 3 }\n')
    lines.append('[bands.kelas]\ntitle = "kelas"')
    bounds = [Decimal(0), *edges, Decimal(1000)]
    for i, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        last = i == len(bounds) - 2
        if lower_closed:
            rng = f"[{lo}..{hi}]" if last else f"[{lo}..{hi})"
        else:
            rng = f"[{lo}..{hi}]" if i == 0 else f"({lo}..{hi}]"
        lines.append(f'K{i} = {{ range = "{rng}", meaning = "kelas {i}" }}')
    lines.append("")
    group_value = f'value = "min(sum(children), {cap})"\n' if cap is not None else ""
    lines.append(f'[indicators.g]\ntitle = "Group"\n{group_value}')
    for i, w in enumerate(weights):
        lines.append(
            f'[indicators.g.children.q{i}]\ncode = "{i + 1}"\ntitle = "Q{i}"\n'
            f'weight = {w}\nscale = "s"\n'
        )
    return "\n".join(lines)


def evidence_text(answers) -> str:
    body = "\n".join(f"q{i} = {a}" for i, a in enumerate(answers))
    return f'[evidence]\nrubric = "tiny"\n[answers]\n{body}\n'


@st.composite
def tiny_cases(draw):
    n = draw(st.integers(2, 4))
    weights = [Decimal(w) for w in draw(st.lists(st.sampled_from(WEIGHTS), min_size=n, max_size=n))]
    top = 3 * sum(weights)
    fractions = sorted(set(draw(st.lists(st.integers(5, 95), min_size=1, max_size=3))))
    edges = sorted({(top * f / 100).quantize(Decimal("0.001")) for f in fractions})
    edges = [e for e in edges if e > 0]
    rounding = draw(
        st.one_of(st.none(), st.tuples(st.integers(0, 2), st.sampled_from(["half_up", "down"])))
    )
    cap = draw(st.one_of(st.none(), st.just((top * Decimal("0.7")).quantize(Decimal("0.1")))))
    answers = draw(st.lists(st.sampled_from(SCALE), min_size=n, max_size=n))
    lower_closed = draw(st.booleans())
    return weights, edges, lower_closed, rounding, cap, answers


def brute_force(rubric, base_answers, rank_of, goal_rank):
    """Smallest number of changed answers reaching ``goal_rank``, and the highest value."""
    folder = Path(tempfile.mkdtemp())
    engine = Engine(rubric)
    best_size = None
    highest = None
    for combo in itertools.product(SCALE, repeat=len(base_answers)):
        path = folder / "e.toml"
        path.write_text(evidence_text(combo))
        root = engine.evaluate(read_evidence(path)).root
        highest = root.value if highest is None else max(highest, root.value)
        rank = rank_of(root.band)
        if rank is not None and rank >= goal_rank:
            size = sum(1 for a, b in zip(combo, base_answers, strict=True) if a != b)
            best_size = size if best_size is None else min(best_size, size)
    return best_size, highest


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_cases())
def test_plan_reaches_target_and_none_smaller(case):
    weights, edges, lower_closed, rounding, cap, answers = case
    with tempfile.TemporaryDirectory() as tmp:
        rubric_path = Path(tmp) / "tiny.toml"
        rubric_path.write_text(tiny_rubric(weights, edges, lower_closed, rounding, cap))
        ev_path = Path(tmp) / "ev.toml"
        ev_path.write_text(evidence_text(answers))
        rubric = load_rubric(rubric_path)
        evidence = read_evidence(ev_path)
        prober = Prober(rubric, evidence)
        analysis = analyse(prober, alternatives=3)
        if analysis.status == "top":
            return
        table = rubric.bands["kelas"]
        goal_rank = table.rank(analysis.target.label)
        smallest, highest = brute_force(
            rubric, answers, lambda b: b and table.rank(b.label), goal_rank
        )
        if smallest is None:
            assert analysis.status == "unreachable"
            assert analysis.best.reading.value == highest
            return
        assert analysis.status == "reachable", analysis.notes
        for plan in analysis.plans:
            # applying the plan through the ordinary engine reaches the target band
            after = Engine(rubric).evaluate(apply_changes(evidence, [m.change for m in plan.moves]))
            assert table.rank(after.root.band.label) >= goal_rank
            assert len(plan.moves) == analysis.size
            if plan.additive:
                assert plan.gain == plan.reading.unrounded - prober.baseline.unrounded
        if analysis.minimal:
            assert analysis.size == smallest
        else:
            assert cap is not None  # only the capped variant may lose minimality
            assert analysis.size >= smallest


@pytest.mark.parametrize(
    ("rounding", "size", "value"),
    [
        ((2, "half_up"), 1, "10.00"),  # 9.998 rounds half-up to 10.00: one change is enough
        ((2, "down"), 2, "10.99"),  # truncated to 9.99 it falls short: two changes needed
        (None, 2, "10.998"),  # unrounded, 9.998 < 10
    ],
)
def test_rounding_decides_reachability(tmp_path, rounding, size, value):
    """The rubric's rounding, not the raw sum, decides whether a plan reaches the band."""
    text = tiny_rubric(["2.4995", "1"], [Decimal(10)], True, rounding, None)
    text = text.replace('"3" = 3 }', '"3" = 3, "4" = 4 }')
    (tmp_path / "r.toml").write_text(text)
    (tmp_path / "e.toml").write_text(evidence_text([0, 0]))
    rubric = load_rubric(tmp_path / "r.toml")
    evidence = read_evidence(tmp_path / "e.toml")
    analysis = analyse(Prober(rubric, evidence), target="K1", rank_by="steps")
    assert analysis.size == size and analysis.minimal
    plan = analysis.plans[0]
    assert plan.reading.value == Decimal(value) and plan.reading.band.label == "K1"
    after = Engine(rubric).evaluate(apply_changes(evidence, [m.change for m in plan.moves]))
    assert after.root.value == Decimal(value) and after.root.band.label == "K1"


# -- merit with random verified answers -------------------------------------------------------

MERIT = load_rubric(ROOT / "rubrics/merit-2019.toml")
MERIT_EVIDENCE = read_evidence(ROOT / "examples/merit-belitung-timur/evidence.toml")
MERIT_LEAVES = [ind for ind in MERIT.indicators() if not ind.children]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 4), min_size=len(MERIT_LEAVES), max_size=len(MERIT_LEAVES)))
def test_merit_random_evidence(answers):
    evidence = MERIT_EVIDENCE
    for ind, answer in zip(MERIT_LEAVES, answers, strict=True):
        evidence = evidence.with_answer(ind.id, answer, stage="verifikasi")
    analysis = analyse(Prober(MERIT, evidence), alternatives=2, budget=20_000)
    total = sum(ind.weight * a for ind, a in zip(MERIT_LEAVES, answers, strict=True))
    assert analysis.current.value == total
    if analysis.status == "top":
        assert total >= 325
        return
    assert analysis.status == "reachable"  # all-4 gives 410: every band is reachable
    threshold = analysis.target.interval.lo
    headroom = sorted(
        (ind.weight * (4 - a) for ind, a in zip(MERIT_LEAVES, answers, strict=True)), reverse=True
    )
    smallest = next(
        k for k in range(1, len(headroom) + 1) if total + sum(headroom[:k]) >= threshold
    )
    assert analysis.size == smallest and analysis.minimal
    for plan in analysis.plans:
        after = Engine(MERIT).evaluate(apply_changes(evidence, [m.change for m in plan.moves]))
        assert after.root.value >= threshold
        assert after.root.band.label == analysis.target.label or after.root.value >= threshold
        assert after.root.value - total == plan.gain


def test_plan_decided_by_rounding_is_flagged(tmp_path):
    text = tiny_rubric(["2.4995", "1"], [Decimal(10)], True, (2, "half_up"), None)
    (tmp_path / "r.toml").write_text(text.replace('"3" = 3 }', '"3" = 3, "4" = 4 }'))
    (tmp_path / "e.toml").write_text(evidence_text([0, 0]))
    prober = Prober(load_rubric(tmp_path / "r.toml"), read_evidence(tmp_path / "e.toml"))
    analysis = analyse(prober, target="K1")
    [plan] = [p for p in analysis.plans if len(p.moves) == 1 and p.reading.value == 10]
    assert "band decided by rounding" in plan.reading.warning
    assert "9.998 is K0" in plan.reading.warning
    assert plan.to_dict()["warning"] == plan.reading.warning
