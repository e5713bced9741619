"""The Sistem Merit rubric on the Belitung Timur example reproduces Tabel 3.4 of the LKjIP 2024.

Expected figures are the report's (aspect totals, verified 252 → III Baik, self-assessed 340 → IV
Sangat Baik) and the regulation's category table; the engine computes them from the entered scores.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from paths import MERIT_EVIDENCE, MERIT_RUBRIC

from evalengine import evaluate, load_rubric, read_evidence

#: Aspect totals as printed in Tabel 3.4 and its analysis (aspect 1 is "Skor: 40" in the text).
REPORT_ASPECTS = {
    "perencanaan_kebutuhan": "40",
    "pengadaan": "38",
    "pengembangan_karier": "42.5",
    "promosi_mutasi": "17.5",
    "manajemen_kinerja": "57.5",
    "penggajian_penghargaan_disiplin": "27.5",
    "perlindungan_pelayanan": "12",
    "sistem_informasi": "17",
}


@pytest.fixture(scope="module")
def result():
    return evaluate(load_rubric(MERIT_RUBRIC), read_evidence(MERIT_EVIDENCE))


def test_aspect_values_match_the_report(result):
    computed = {node.id: node.value for node in result.root.children}
    assert computed == {k: Decimal(v) for k, v in REPORT_ASPECTS.items()}


def test_verified_total_and_category(result):
    assert result.root.value == Decimal("252")
    assert (result.root.band.label, result.root.band.meaning) == ("III", "Baik")


def test_self_assessed_total_and_category(result):
    assert result.root.stages["mandiri"] == Decimal("340")
    band = result.root.stage_bands["mandiri"]
    assert (band.label, band.meaning) == ("IV", "Sangat Baik")


def test_every_indicator_value_matches_the_stated_nilai_akhir(result):
    # Each row's "Nilai Akhir" in the report is bobot × verified score.
    evidence = read_evidence(MERIT_EVIDENCE)
    for node in result.root.walk():
        if node.type == "score":
            stated = evidence.stated[node.id][""].number()
            assert node.value == stated, node.id


def test_derivation_names_the_evidence_line(result):
    node = result.find("3.3")
    assert node.derivation.substituted == "5 * 0"
    answer = next(i for i in node.derivation.inputs if i.name == "self.answer")
    provenance = answer.provenance.provenance
    assert provenance.key == "answers.i3_3.verifikasi"
    line = MERIT_EVIDENCE.read_text(encoding="utf-8").splitlines()[provenance.line - 1]
    assert line.startswith("i3_3")


@pytest.mark.parametrize(
    ("total", "category"),
    [
        ("100", "I"),
        ("174", "I"),
        ("174.5", "I"),
        ("175", "II"),
        ("249.5", "II"),
        ("250", "III"),
        ("290.5", "III"),
        ("324.5", "III"),
        ("325", "IV"),
        ("400", "IV"),
    ],
)
def test_category_edges(total, category):
    # regulations.md §6.1 M5/M6: half-point totals fall below the next threshold.
    table = load_rubric(MERIT_RUBRIC).bands["kategori"]
    assert table.classify(Decimal(total)).label == category


@pytest.mark.parametrize(
    ("answer", "total", "category"), [(1, "102.5", "I"), (3, "307.5", "III"), (4, "410", "IV")]
)
def test_uniform_answers(answer, total, category):
    # All indicators answered alike: total = Σ bobot × answer; Σ bobot is 102.5 in the
    # instrument as printed (aspect 3 adds up to 32.5), hence 410 rather than 400 at the top.
    rubric = load_rubric(MERIT_RUBRIC)
    evidence = read_evidence(MERIT_EVIDENCE)
    for ind in rubric.indicators():
        if ind.type == "score":
            evidence = evidence.with_answer(ind.id, answer)
    result = evaluate(rubric, evidence)
    assert result.root.value == Decimal(total)
    assert result.root.band.label == category


def test_json_report_has_the_numbers_and_derivations(run_cli):
    res = run_cli("score", MERIT_RUBRIC, MERIT_EVIDENCE, "--format", "json")
    assert res.code == 0, res.err
    data = json.loads(res.out)
    assert data["schema"] == "evalengine.score/1"
    assert data["headline"]["value"] == "252"
    assert data["headline"]["band"]["label"] == "III"
    assert data["headline"]["stages"]["mandiri"] == {"value": "340", "band": "IV"}
    aspects = {c["id"]: c["value"] for c in data["result"]["children"]}
    assert aspects == REPORT_ASPECTS
    talent_pool = data["result"]["children"][2]["children"][2]
    assert talent_pool["code"] == "3.3"
    assert talent_pool["derivation"]["formula"] == "self.weight * self.answer"
    answer = talent_pool["derivation"]["inputs"][1]
    assert answer["name"] == "self.answer" and answer["value"] == "0"
    assert answer["source"]["key"] == "answers.i3_3.verifikasi"
    assert answer["source"]["file"].endswith("evidence.toml") and answer["source"]["line"] > 0
