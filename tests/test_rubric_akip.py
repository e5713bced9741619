"""AKIP rubrics (PermenPANRB 88/2021 and 12/2015) against the regulation and the LKjIP report.

Oracles, never the engine's own output:
- LKjIP 2024 BKPSDM Kab. Belitung Timur, Tabel 3.8 (the report's printed figures, below);
- regulations.md §3 (weights, factors, predikat bands) and the test vectors of §6.3 (S1–S6);
- an independent predikat rule written out here as an if-chain (§3.6 "engine rule").
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import ROOT

from evalengine import evaluate, load_rubric, read_evidence
from evalengine.numbers import parse_number, round_to
from evalengine.plugins import Plugins, get_plugin_manager

AKIP_2021 = ROOT / "rubrics" / "akip-2021.toml"
AKIP_2015 = ROOT / "rubrics" / "akip-2015.toml"
EXAMPLE = ROOT / "examples" / "akip-belitung-timur" / "evidence.toml"
EXAMPLE_2015 = ROOT / "examples" / "akip-2015-sintetis" / "evidence.toml"
KRITERIA_RUBRIC = ROOT / "examples" / "akip-kriteria" / "rubric.toml"
KRITERIA_EVIDENCE = ROOT / "examples" / "akip-kriteria" / "evidence.toml"

D = Decimal

#: Tabel 3.8 as printed: code → (bobot, nilai, percentage). Component 2's "64,00%" is the
#: report's mistake (21,00 / 30,00 = 70 %); 2.c prints "80%" without decimals.
TABEL_3_8 = {
    "1": ("30,00", "23,10", "77,00"),
    "1.a": ("6,00", "4,80", "80,00"),
    "1.b": ("9,00", "6,30", "70,00"),
    "1.c": ("15,00", "12,00", "80,00"),
    "2": ("30,00", "21,00", "64,00"),
    "2.a": ("6,00", "1,80", "30,00"),
    "2.b": ("9,00", "7,20", "80,00"),
    "2.c": ("15,00", "12,00", "80"),
    "3": ("15,00", "9,45", "63,00"),
    "3.a": ("3,00", "1,80", "60,00"),
    "3.b": ("4,50", "3,15", "70,00"),
    "3.c": ("7,50", "4,50", "60,00"),
    "4": ("25,00", "16,75", "67,00"),
    "4.a": ("5,00", "4,00", "80,00"),
    "4.b": ("7,50", "5,25", "70,00"),
    "4.c": ("12,50", "7,50", "60,00"),
}
TABEL_3_8_TOTAL = ("100,00", "70,30", "BB")

#: Sub-komponen ids in the order 1.a … 4.c.
SUBS = [
    f"{comp}_{part}"
    for comp in ("perencanaan", "pengukuran", "pelaporan", "evaluasi")
    for part in ("keberadaan", "kualitas", "pemanfaatan")
]
#: regulations.md §3.2: component weights and the 20:30:50 split.
WEIGHTS_2021 = {"perencanaan": 30, "pengukuran": 30, "pelaporan": 15, "evaluasi": 25}
FACTORS = {"AA": 1, "A": 0.9, "BB": 0.8, "B": 0.7, "CC": 0.6, "C": 0.5, "D": 0.3, "E": 0}


def expected_predikat(x: Decimal) -> str:
    """regulations.md §3.6 engine rule, written independently of the rubric's band table."""
    if x > 90:
        return "AA"
    if x > 80:
        return "A"
    if x > 70:
        return "BB"
    if x > 60:
        return "B"
    if x > 50:
        return "CC"
    if x > 30:
        return "C"
    return "D"


@pytest.fixture(scope="module")
def plugins() -> Plugins:
    """Built-in plugins only, so third-party plugins installed nearby cannot interfere."""
    return Plugins(get_plugin_manager(entry_points=False))


@pytest.fixture(scope="module")
def akip(plugins):
    return load_rubric(AKIP_2021, plugins=plugins)


@pytest.fixture(scope="module")
def example(akip, plugins):
    return evaluate(akip, read_evidence(EXAMPLE, plugins=plugins), plugins=plugins)


def nodes(result) -> dict:
    """Result nodes by code (and the root under "total")."""
    found = {node.code: node for node in result.root.walk() if node.code}
    found["total"] = result.root
    return found


def score_grades(rubric, plugins, tmp_path: Path, answers: dict[str, str], name="e.toml"):
    """Write an evidence file with ``answers`` and score it."""
    lines = ["[evidence]", f'rubric = "{rubric.id}"', "", "[answers]"]
    lines += [f'{key} = "{value}"' for key, value in answers.items()]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return evaluate(rubric, read_evidence(path, plugins=plugins), plugins=plugins)


# --- the rubric against regulations.md §3 -------------------------------------------------


def test_2021_metadata(akip):
    assert (akip.id, akip.version, akip.supersedes) == ("akip", "2021", "2015")
    assert akip.regulation == "Peraturan Menteri PANRB Nomor 88 Tahun 2021"
    assert str(akip.valid_from) == "2022-01-01"
    assert akip.valid_until is None
    assert akip.rounding.places == 2
    assert akip.rounding.mode == "half_up"
    assert not [d for d in akip.diagnostics if d.severity in ("error", "warning")]


def test_2021_structure_20_30_50(akip):
    comps = akip.root.children
    assert {c.id: c.weight for c in comps} == {k: D(v) for k, v in WEIGHTS_2021.items()}
    for comp in comps:
        weights = [child.weight for child in comp.children]
        assert weights == [comp.weight * D(r) / 100 for r in (20, 30, 50)], comp.id
        assert [c.description.split()[0] for c in comp.children] == [
            "Keberadaan",
            "Kualitas",
            "Pemanfaatan",
        ]
    assert [c.id for comp in comps for c in comp.children] == SUBS


def test_2021_scale_factors(akip):
    assert akip.scales["nilai"].values == {k: D(str(v)) for k, v in FACTORS.items()}


def test_bobot_column_of_tabel_3_8_is_the_rubric(akip):
    for code, (bobot, _, _) in TABEL_3_8.items():
        assert akip.find(code).weight == parse_number(bobot), code


# --- Tabel 3.8 reproduced from the entered grades ------------------------------------------


def test_example_reproduces_tabel_3_8_values(example):
    found = nodes(example)
    for code, (_, nilai, _) in TABEL_3_8.items():
        assert found[code].value == parse_number(nilai), code
    assert found["total"].value == parse_number(TABEL_3_8_TOTAL[1])
    assert str(found["total"].value) == "70.30"  # rounded to 2 places, half-up
    assert found["total"].band.label == TABEL_3_8_TOTAL[2]
    assert found["total"].band.meaning == "Sangat Baik"
    assert found["total"].max == parse_number(TABEL_3_8_TOTAL[0])


def test_example_components(example):
    found = nodes(example)
    assert [found[c].value for c in "1234"] == [D("23.10"), D("21.00"), D("9.45"), D("16.75")]


def test_example_percentages_right_except_component_2(example):
    """Every printed percentage is value / bobot, except component 2's "64,00%" (it is 70)."""
    found = nodes(example)
    wrong = {}
    for code, (_, _, percent) in TABEL_3_8.items():
        node = found[code]
        computed = node.value / node.max * 100
        if computed != parse_number(percent):
            wrong[code] = (percent, computed)
    assert wrong == {"2": ("64,00", D(70))}


def test_example_grades_are_the_printed_percentages(example):
    """Each entered grade's factor × 100 is the percentage Tabel 3.8 prints for that row."""
    found = nodes(example)
    for code, (_, _, percent) in TABEL_3_8.items():
        if "." in code:
            assert D(str(FACTORS[found[code].answer])) * 100 == parse_number(percent), code


def _printed_places(text: str) -> int:
    return len(text.split(",")[1]) if "," in text else 0


def test_stated_figures_disagree_only_on_component_2_percent(example):
    """The evidence's [stated] block holds what Tabel 3.8 prints; only one figure is wrong.

    A small independent check (at the precision each figure was printed with), so the data
    entry is tested even before `evalengine reconcile` exists.
    """
    evidence = example.evidence
    by_id = {node.id: node for node in example.root.walk()}
    assert set(evidence.stated) == set(by_id)  # every row of the table is stated
    disagreements = []
    for iid, figures in evidence.stated.items():
        node = by_id[iid]
        for key, ev in figures.items():
            if key in ("band", "meaning"):
                computed = node.band.label if key == "band" else node.band.meaning
                if ev.value != computed:
                    disagreements.append((iid, key))
                continue
            stated = parse_number(ev.value)
            computed = node.value if key == "" else node.value / node.max * 100
            if round_to(computed, _printed_places(str(ev.value))) != stated:
                disagreements.append((iid, key))
    assert disagreements == [("pengukuran", "percent")]


# --- regulations.md §6.3 test vectors ---------------------------------------------------------

S1 = dict(
    zip(
        SUBS,
        ["A", "BB", "B", "A", "B", "CC", "A", "BB", "B", "BB", "B", "CC"],
        strict=True,
    )
)


def test_s1(akip, plugins, tmp_path):
    result = score_grades(akip, plugins, tmp_path, S1)
    found = nodes(result)
    assert [found[c].value for c in "1234"] == [D("23.10"), D("20.70"), D("11.55"), D("16.75")]
    assert found["total"].value == D("72.10")
    assert found["total"].band.label == "BB"


def test_s2_all_bb_is_80_and_bb_not_a(akip, plugins, tmp_path):
    result = score_grades(akip, plugins, tmp_path, dict.fromkeys(SUBS, "BB"))
    assert result.root.value == D("80.00")
    assert result.root.band.label == "BB"


@pytest.mark.parametrize(
    ("grade", "total", "predikat"),
    [
        ("AA", "100.00", "AA"),
        ("A", "90.00", "A"),  # S4: 90.00 is A, not AA
        ("B", "70.00", "B"),  # S4: 70.00 is B
        ("CC", "60.00", "CC"),
        ("C", "50.00", "C"),
        ("D", "30.00", "D"),
        ("E", "0.00", "D"),
    ],
)
def test_uniform_grades_hit_band_edges(akip, plugins, tmp_path, grade, total, predikat):
    """A uniform grade g scores 100 × factor(g): the edges of S4 reached through the engine."""
    result = score_grades(akip, plugins, tmp_path, dict.fromkeys(SUBS, grade))
    assert result.root.value == D(total)
    assert result.root.band.label == predikat


@pytest.mark.parametrize(
    ("value", "predikat"),
    [
        ("70.30", "BB"),  # S3, the report's data point
        ("80.00", "BB"),  # S2
        ("80.01", "A"),
        ("70.00", "B"),
        ("60.00", "CC"),
        ("50.00", "C"),
        ("30.00", "D"),
        ("30.01", "C"),
        ("90.00", "A"),
        ("90.01", "AA"),
        ("0", "D"),
        ("100", "AA"),
    ],
)
def test_s3_s4_band_table(akip, value, predikat):
    assert akip.bands["predikat"].classify(D(value)).label == predikat


def test_band_meanings_are_tabel_3_1(akip):
    meanings = {b.label: b.meaning for b in akip.bands["predikat"].bands}
    assert meanings == {
        "AA": "Sangat Memuaskan",
        "A": "Memuaskan",
        "BB": "Sangat Baik",
        "B": "Baik",
        "CC": "Cukup (Memadai)",
        "C": "Kurang",
        "D": "Sangat Kurang",
    }


@settings(max_examples=60, deadline=None)
@given(grades=st.lists(st.sampled_from(list(FACTORS)), min_size=12, max_size=12))
def test_any_grades_sum_and_band(akip, plugins, tmp_path_factory, grades):
    """For any 12 grades: Σ bobot × faktor, within [0, 100], predikat by the §3.6 rule."""
    tmp = tmp_path_factory.mktemp("akip")
    result = score_grades(akip, plugins, tmp, dict(zip(SUBS, grades, strict=True)))
    weights = [akip.find(s).weight for s in SUBS]
    expected = sum((w * D(str(FACTORS[g])) for w, g in zip(weights, grades, strict=True)), D(0))
    assert result.root.value == round_to(expected, 2)
    assert 0 <= result.root.value <= 100
    assert result.root.band.label == expected_predikat(result.root.value)
    for comp in result.root.children:
        assert comp.value <= comp.weight


# --- criteria averaged into a sub-komponen (regulations.md §3.4) ------------------------------


@pytest.fixture(scope="module")
def kriteria(plugins):
    return load_rubric(KRITERIA_RUBRIC, plugins=plugins)


def test_kriteria_variant_reproduces_tabel_3_8(kriteria, plugins):
    result = evaluate(kriteria, read_evidence(KRITERIA_EVIDENCE, plugins=plugins), plugins=plugins)
    found = nodes(result)
    for code in ("1.a", "1.b", "1", "2", "3", "4"):
        assert found[code].value == parse_number(TABEL_3_8[code][1]), code
    assert found["1.a"].max == 6
    assert found["1.b"].max == 9
    assert result.root.value == D("70.30")
    assert result.root.band.label == "BB"


def kriteria_answers(*, ada: list[str], dipertahankan="belum", kualitas=None) -> dict[str, str]:
    """Answers for the variant: 1.a criteria Y/T, the "kept" answer, 1.b grades, rest BB."""
    answers = {f"k1a_{i}": a for i, a in enumerate(ada, 1)}
    answers["k1a_dipertahankan"] = dipertahankan
    answers |= {f"k1b_{i}": g for i, g in enumerate(kualitas or ["BB"] * 10, 1)}
    answers |= dict.fromkeys(SUBS[2:], "BB")
    return answers


@pytest.mark.parametrize(
    ("ada", "dipertahankan", "nilai"),
    [
        (["Y"] * 6 + ["T"], "belum", "4.20"),  # S5: 6 of 7 = 85.7 % → B → 0.7 × 6
        (["Y"] * 7, "1 tahun", "5.40"),  # S6: all met, kept ≥ 1 year, not ≥ 5 → A → 0.9 × 6
        (["Y"] * 7, "5 tahun", "6.00"),  # all met, kept ≥ 5 years → AA
        (["Y"] * 7, "belum", "4.80"),  # all met → BB
        (["Y"] * 6 + ["T"], "5 tahun", "4.20"),  # kept, but not all met: still B
        (["Y"] * 5 + ["T"] * 2, "belum", "3.60"),  # 71.4 % → CC (> 50 %, ≤ 75 %)
        (["Y"] * 3 + ["T"] * 4, "belum", "3.00"),  # 42.9 % → C
        (["Y"] + ["T"] * 6, "belum", "1.80"),  # 14.3 % → D
        (["T"] * 7, "belum", "0"),  # nothing → E
    ],
)
def test_s5_s6_fulfilment_share(kriteria, plugins, tmp_path, ada, dipertahankan, nilai):
    answers = kriteria_answers(ada=ada, dipertahankan=dipertahankan)
    result = score_grades(kriteria, plugins, tmp_path, answers)
    assert nodes(result)["1.a"].value == D(nilai)


def grade_from_criteria(ada: list[str], dipertahankan: str) -> str:
    """regulations.md §3.4 derivation table, written independently of the variant rubric."""
    met = ada.count("Y")
    n = len(ada)
    if met == n:
        return {"5 tahun": "AA", "1 tahun": "A"}.get(dipertahankan, "BB")
    share = Decimal(met) / n
    if share > D("0.75"):
        return "B"
    if share > D("0.5"):
        return "CC"
    if share > D("0.25"):
        return "C"
    return "D" if met else "E"


@settings(max_examples=40, deadline=None)
@given(
    ada=st.lists(st.sampled_from(["Y", "T"]), min_size=7, max_size=7),
    dipertahankan=st.sampled_from(["belum", "1 tahun", "5 tahun"]),
)
def test_fulfilment_matches_the_derivation_table(
    kriteria, plugins, tmp_path_factory, ada, dipertahankan
):
    answers = kriteria_answers(ada=ada, dipertahankan=dipertahankan)
    result = score_grades(kriteria, plugins, tmp_path_factory.mktemp("k"), answers)
    grade = grade_from_criteria(ada, dipertahankan)
    assert nodes(result)["1.a"].value == 6 * D(str(FACTORS[grade]))


def test_fulfilment_band_edges(kriteria):
    """§3.4: B is > 75 % and < 100 %; exactly 75 % is CC, 50 % is C, 25 % is D."""
    table = kriteria.bands["pemenuhan"]
    cases = {"100": "BB", "99.99": "B", "75.01": "B", "75": "CC", "50": "C", "25": "D", "0": "E"}
    assert {x: table.classify(D(x)).label for x in cases} == cases


def test_criteria_mean(kriteria, plugins, tmp_path):
    """MA RI mode: 1.b = 9 × mean of the 10 criterion factors."""
    grades = ["AA", "A", "BB", "B", "CC", "C", "D", "E", "AA", "AA"]
    answers = kriteria_answers(ada=["Y"] * 7, kualitas=grades)
    result = score_grades(kriteria, plugins, tmp_path, answers)
    mean = sum((D(str(FACTORS[g])) for g in grades), D(0)) / 10
    assert nodes(result)["1.b"].value == 9 * mean == D("6.12")


def test_kriteria_factor_table_matches_scale(kriteria):
    """The variant's lookup table repeats the factors of scale `nilai`; they must agree."""
    assert {k: D(str(v)) for k, v in kriteria.tables["faktor"].items()} == dict(
        kriteria.scales["nilai"].values
    )


# --- the 2015 instrument ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def akip2015(plugins):
    return load_rubric(AKIP_2015, plugins=plugins)


def test_2015_metadata_and_structure(akip2015, akip):
    assert (akip2015.id, akip2015.version) == ("akip", "2015")
    assert akip2015.regulation == "Peraturan Menteri PANRB Nomor 12 Tahun 2015"
    assert (str(akip2015.valid_from), str(akip2015.valid_until)) == ("2015-01-01", "2021-12-31")
    assert (akip.valid_from - akip2015.valid_until).days == 1  # no gap, no overlap
    weights = {c.id: c.weight for c in akip2015.root.children}
    assert weights == {
        "perencanaan": 30,
        "pengukuran": 25,
        "pelaporan": 15,
        "evaluasi": 10,
        "capaian": 20,
    }
    assert sum(weights.values()) == 100
    assert [(b.label, str(b.interval)) for b in akip2015.bands["predikat"].bands] == [
        (b.label, str(b.interval)) for b in akip.bands["predikat"].bands
    ]


def test_2015_example_scores(akip2015, plugins):
    result = evaluate(akip2015, read_evidence(EXAMPLE_2015, plugins=plugins), plugins=plugins)
    values = [c.value for c in result.root.children]
    assert values == [D("22.5"), D("12.5"), D("11.25"), D("7.5"), D("15")]
    assert result.root.value == D("68.75")
    assert result.root.band.label == "B"


@pytest.mark.parametrize(("grade", "total", "predikat"), [("A", "100", "AA"), ("E", "0", "D")])
def test_2015_extremes(akip2015, plugins, tmp_path, grade, total, predikat):
    answers = dict.fromkeys(
        ("perencanaan", "pengukuran", "pelaporan", "evaluasi", "capaian"), grade
    )
    result = score_grades(akip2015, plugins, tmp_path, answers)
    assert (result.root.value, result.root.band.label) == (D(total), predikat)


# --- the command line -------------------------------------------------------------------------


def run_cli(*args: object) -> subprocess.CompletedProcess:
    """``python -m evalengine …`` from the repository root, with only the built-in plugins.

    Plugins installed from other checkouts into the same environment are blocked by name, so
    the test exercises this checkout's rubric and CLI and nothing else.
    """
    env = dict(os.environ)
    names = {ep.name for ep in entry_points(group="evalengine")}
    names |= {ep.dist.name for ep in entry_points(group="evalengine") if ep.dist}
    env["EVALENGINE_DISABLE_PLUGINS"] = ",".join(sorted(names))
    return subprocess.run(
        [sys.executable, "-m", "evalengine", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_score_json():
    proc = run_cli("score", AKIP_2021, EXAMPLE, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["rubric"]["id"] == "akip"
    assert data["rubric"]["version"] == "2021"
    assert D(data["headline"]["value"]) == D("70.30")
    assert data["headline"]["band"]["label"] == "BB"
    comps = {c["code"]: D(c["value"]) for c in data["result"]["children"]}
    assert comps == {c: parse_number(TABEL_3_8[c][1]) for c in "1234"}
    subs = {s["code"]: s for c in data["result"]["children"] for s in c["children"]}
    assert subs["2.a"]["answer"] == "D"
    assert D(subs["2.a"]["value"]) == D("1.8")


def test_cli_score_terminal():
    proc = run_cli("score", AKIP_2021, EXAMPLE)
    assert proc.returncode == 0, proc.stderr
    assert "BB Sangat Baik" in proc.stdout


def test_cli_unknown_grade(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8")
    bad = text.replace('pengukuran_keberadaan   = "D"', 'pengukuran_keberadaan   = "Z"')
    assert bad != text
    path = tmp_path / "evidence.toml"
    path.write_text(bad, encoding="utf-8")
    line = next(i for i, s in enumerate(bad.splitlines(), 1) if '= "Z"' in s)
    proc = run_cli("score", AKIP_2021, path)
    assert proc.returncode == 2
    assert f"evidence.toml:{line}:" in proc.stderr
    assert "'Z'" in proc.stderr
    assert re.search(r"AA=1, A=0\.9, BB=0\.8, B=0\.7, CC=0\.6, C=0\.5, D=0\.3, E=0", proc.stderr)
    assert "Traceback" not in proc.stderr


def test_cli_explain_names_the_evidence_line():
    proc = run_cli("explain", AKIP_2021, EXAMPLE, "2.a")
    assert proc.returncode == 0, proc.stderr
    line = next(
        i
        for i, s in enumerate(EXAMPLE.read_text(encoding="utf-8").splitlines(), 1)
        if s.startswith("pengukuran_keberadaan")
    )
    assert f"evidence.toml:{line}:" in proc.stdout
    assert "6 * 0.3" in proc.stdout


@pytest.mark.parametrize(
    ("rubric", "evidence", "value"),
    [(AKIP_2015, EXAMPLE_2015, "68.75"), (KRITERIA_RUBRIC, KRITERIA_EVIDENCE, "70.30")],
)
def test_cli_other_examples(rubric, evidence, value):
    proc = run_cli("score", rubric, evidence, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    assert D(json.loads(proc.stdout)["headline"]["value"]) == D(value)
