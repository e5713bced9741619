"""The static type pass and the range analysis: no false alarms on valid formulas."""

from __future__ import annotations

import textwrap
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from evalengine.plugins import default_plugins
from evalengine.rubric.check import evaluation_order
from evalengine.rubric.load import read_rubric
from evalengine.rubric.ranges import RangeAnalysis

VALID = """\
[rubric]
id = "formulas"
title = "Rumus yang sah"
band = "predikat"
value = "unsur"
max = "100"

[params]
faktor = 25
nama = "teks"

[tables.nilai_huruf]
A = 1
B = "0,8"

[scales.skala]
values = { A = 1, B = "0.8", C = "0.5" }

[bands.predikat]
C = { range = "[0..50]", meaning = "Kurang" }
B = { range = "(50..80]", meaning = "Baik" }
A = { range = "(80..100]", meaning = "Sangat Baik" }

[indicators.unsur]
title = "Unsur"
value = "mean(children) * params.faktor"
max = "100"

[indicators.unsur.children.u1]
title = "U1"
scale = "skala"
weight = 4

[indicators.unsur.children.u2]
title = "U2"
scale = "skala"
weight = 4
value = "if self.answer_label == \\"A\\" then self.weight * self.answer else 2"

[indicators.label]
title = "Predikat unsur sebagai teks"
value = "band(unsur, \\"predikat\\").label"

[indicators.cek]
title = "Cek"
value = "if label == \\"A\\" and unsur in (80..100] and stage != \\"x\\" then 0 else 0"

[indicators.lain]
title = "Fakta bukti"
value = "if evidence.ada then number(evidence.angka) * 0 else round(abs(0 - 0), 2)"

[indicators.huruf]
title = "Lookup"
value = "lookup(\\"nilai_huruf\\", \\"B\\") * 0"
"""


def test_valid_formulas_raise_no_type_or_range_findings(tmp_path):
    path = tmp_path / "valid.toml"
    path.write_text(VALID)
    diags = read_rubric(path).diagnostics
    assert [d.render() for d in diags] == []


def test_the_valid_rubric_really_scores(tmp_path):
    from evalengine.evaluate.engine import Engine
    from evalengine.evidence.readers import read_evidence

    path = tmp_path / "valid.toml"
    path.write_text(VALID)
    evidence = tmp_path / "e.toml"
    evidence.write_text('[answers]\nu1 = "A"\nu2 = "B"\n[facts]\nada = true\nangka = "79,03"\n')
    result = Engine(read_rubric(path).rubric).evaluate(read_evidence(evidence))
    # u1 = 4 × 1 = 4; u2 (answer B, not A) = 2; unsur = mean(4, 2) × 25 = 75 → B
    assert result.root.value == Decimal(75)
    assert result.root.band.label == "B"
    assert result.find("label").value == "B"


def test_sum_over_a_text_child_is_a_type_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(VALID.replace('value = "unsur"\n', ""))
    (diag,) = read_rubric(path).diagnostics
    assert diag.code == "type-mismatch"
    assert "label (text)" in diag.message and "sum(children)" in diag.message
    assert diag.location.line == 1  # the [rubric] table, whose default value is the sum


def test_ranges_are_exact_for_sums_and_widened_by_if(tmp_path):
    path = tmp_path / "valid.toml"
    path.write_text(VALID)
    rubric = read_rubric(path).rubric
    order, _ = evaluation_order(rubric)
    analysis = RangeAnalysis(rubric, default_plugins()).run(order)
    u1 = analysis.values["u1"]
    assert (u1.lo, u1.hi, u1.exact) == (Decimal(2), Decimal(4), True)
    u2 = analysis.values["u2"]
    assert (u2.lo, u2.hi, u2.exact) == (Decimal(2), Decimal(4), False)
    unsur = analysis.values["unsur"]
    assert (unsur.lo, unsur.hi) == (Decimal(50), Decimal(100))
    assert analysis.values["lain"] is None  # reads evidence: unknown, so no finding


def test_a_max_exceeded_only_through_an_if_is_a_warning(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(
        textwrap.dedent(
            """\
            [rubric]
            id = "r"
            title = "R"
            [scales.s]
            values = [0, 10]
            [indicators.x]
            title = "X"
            scale = "s"
            [indicators.capped]
            title = "Capped"
            value = "if x > 5 then 5 else x"
            max = "5"
            """
        )
    )
    (diag,) = read_rubric(path).diagnostics
    assert (diag.severity, diag.code) == ("warning", "max-exceeded")


def test_plugin_facts_and_numeric_params_are_not_assumed(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(
        textwrap.dedent(
            """\
            [rubric]
            id = "r"
            title = "R"
            [params]
            bobot = "0,111"
            [indicators.x]
            title = "X"
            value = "params.bobot * 9"
            [indicators.y]
            title = "Y"
            value = "if self.answer == \\"Y\\" then 1 else 0"
            """
        )
    )
    # self.answer of a formula indicator is not the score type's number: no type finding
    codes = [d.code for d in read_rubric(path).diagnostics]
    assert "type-mismatch" not in codes


def _merit():
    from tests.maintainers_support import RUBRICS

    return read_rubric(RUBRICS / "merit-2019.toml").rubric


MERIT = _merit()
MERIT_LEAVES = [i.id for i in MERIT.indicators() if i.type == "score"]


def test_attainable_range_of_merit_is_0_to_410():
    order, _ = evaluation_order(MERIT)
    root = RangeAnalysis(MERIT, default_plugins()).run(order).values["merit"]
    assert (root.lo, root.hi, root.exact) == (Decimal(0), Decimal(410), True)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=len(MERIT_LEAVES), max_size=len(MERIT_LEAVES)))
def test_every_scored_value_lies_in_its_attainable_range(answers):
    """Soundness: the range analysis never excludes a value the engine can produce."""
    from evalengine.evaluate.engine import Engine
    from evalengine.evidence.model import ANY_STAGE, Evidence, EvidenceValue, Provenance

    evidence = Evidence(path="hypothesis")
    for iid, answer in zip(MERIT_LEAVES, answers, strict=True):
        evidence.answers[iid] = {ANY_STAGE: EvidenceValue(answer, Provenance("h"))}
    result = Engine(MERIT).evaluate(evidence)
    order, _ = evaluation_order(MERIT)
    ranges = RangeAnalysis(MERIT, default_plugins()).run(order).values
    for node in result.root.walk():
        r = ranges[node.id]
        assert r.lo <= node.value <= r.hi, node.id
