"""Capaian kinerja: the ``target`` type against regulations.md §6.5 (C1–C7) and the LKjIP.

Expected numbers come from the reference (test vectors) and from LKjIP 2024 Tabel 3.2
and the text below it; the engine computes them from target and realisasi.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from paths import ROOT
from plugin_isolation import builtin_plugins_only  # noqa: F401 (autouse fixture)

from evalengine.cli import main
from evalengine.errors import EvidenceError
from evalengine.evaluate.engine import Engine
from evalengine.evidence.readers import read_evidence
from evalengine.indicators.target import MET, NOT_MET, compute_capaian, parse_target
from evalengine.numbers import CONTEXT, round_to
from evalengine.reconcile import reconcile
from evalengine.rubric.load import load_rubric

RUBRIC = ROOT / "rubrics" / "capaian-kinerja.toml"
EXAMPLE = ROOT / "examples" / "lkjip-capaian" / "evidence.toml"
D = Decimal


@pytest.fixture(scope="module")
def rubric():
    return load_rubric(RUBRIC)


@pytest.fixture(scope="module")
def example(rubric):
    return Engine(rubric).evaluate(read_evidence(EXAMPLE))


def category(rubric, value: Decimal) -> str:
    return rubric.bands["kategori"].classify(value).label


def two(value: Decimal) -> Decimal:
    return round_to(value, 2)


# -- regulations.md §6.5 ------------------------------------------------------------------
def test_c1_higher_better(rubric):
    c = compute_capaian(parse_target(80), D(88))
    assert two(c.capaian) == D("110.00") and c.status == MET
    assert category(rubric, c.capaian) == "ST"


def test_c2_lower_better_both_variants(rubric):
    a = compute_capaian(parse_target(10), D(8), polarity="lower", formula="2t-r")
    b = compute_capaian(parse_target(10), D(8), polarity="lower", formula="t/r")
    assert two(a.capaian) == D("120.00") and two(b.capaian) == D("125.00")
    assert category(rubric, a.capaian) == category(rubric, b.capaian) == "ST"
    assert a.met and b.met


def test_c3_lower_better_missed(rubric):
    a = compute_capaian(parse_target(10), D(12), polarity="lower", formula="2t-r")
    b = compute_capaian(parse_target(10), D(12), polarity="lower", formula="t/r")
    assert two(a.capaian) == D("80.00") and two(b.capaian) == D("83.33")
    assert category(rubric, a.capaian) == category(rubric, b.capaian) == "T"
    assert a.status == b.status == NOT_MET


def test_c4_variant_a_floored_at_zero(rubric):
    c = compute_capaian(parse_target(10), D(25), polarity="lower")
    assert c.capaian == 0 and category(rubric, c.capaian) == "SR"
    assert any("-50" in n for n in c.notes)


def test_c5_range_target_conventions(rubric):
    target = parse_target("76,61–88,30")
    assert (target.kind, target.lo, target.hi) == ("range", D("76.61"), D("88.30"))
    upper = compute_capaian(target, D("85.00"))
    inside = compute_capaian(target, D("85.00"), range_convention="inside")
    assert two(upper.capaian) == D("96.26") and category(rubric, upper.capaian) == "ST"
    assert inside.capaian == 100
    assert upper.met and inside.met  # inside the range is met, whatever the convention


@pytest.mark.parametrize("spelling", ["76,61 - 88,30", "76.61-88.30", "76,61 s.d. 88,30"])
def test_range_spellings(spelling):
    assert parse_target(spelling).kind == "range"


def test_c6_predikat_target(rubric):
    akip = rubric.bands["akip"]
    target = parse_target("BB", akip)
    assert target.kind == "predikat"
    by_score = compute_capaian(target, D("82.5"), bands=akip)  # 82.5 → A
    by_label = compute_capaian(target, "A", bands=akip)
    assert by_score.met and by_label.met
    assert by_score.capaian == by_label.capaian == 100
    missed = compute_capaian(target, "B", bands=akip)
    assert not missed.met and missed.status == NOT_MET


def test_predikat_exact_edge(rubric):
    """70 is B in the AKIP bands (BB is (70..80]), so a BB target is missed at exactly 70."""
    akip = rubric.bands["akip"]
    assert not compute_capaian(parse_target("BB", akip), D(70), bands=akip).met
    assert compute_capaian(parse_target("BB", akip), D("70.01"), bands=akip).met


@pytest.mark.parametrize(
    ("value", "label"),
    [("90.5", "T"), ("91", "ST"), ("75.5", "S"), ("65.9", "R"), ("50.5", "SR"), ("150", "ST")],
)
def test_c7_permendagri_categories(rubric, value, label):
    assert category(rubric, D(value)) == label


# -- zero targets, division and status -----------------------------------------------------
def test_zero_targets_never_divide():
    met = compute_capaian(parse_target(0), D(0), polarity="lower")
    missed = compute_capaian(parse_target(0), D(3), polarity="lower")
    higher = compute_capaian(parse_target(0), D(5))
    assert (met.capaian, met.met) == (100, True)
    assert (missed.capaian, missed.met) == (0, False)
    assert (higher.capaian, higher.met) == (100, True)


def test_t_over_r_with_zero_realisasi():
    c = compute_capaian(parse_target(10), D(0), polarity="lower", formula="t/r")
    assert c.capaian == 100 and c.met


def test_status_follows_the_numbers():
    c = compute_capaian(parse_target(100), D(99))
    assert c.capaian == 99 and c.status == NOT_MET


def test_bad_target_text_is_explained(rubric):
    with pytest.raises(ValueError, match="not a number, a range"):
        parse_target("tinggi", rubric.bands["akip"])


@given(
    t=st.decimals(min_value=0, max_value=10**6, places=2),
    r=st.decimals(min_value=0, max_value=10**6, places=2),
    polarity=st.sampled_from(["higher", "lower"]),
    formula=st.sampled_from(["2t-r", "t/r"]),
)
def test_no_division_error_and_status_matches_direction(t, r, polarity, formula):
    c = compute_capaian(parse_target(t), r, polarity=polarity, formula=formula)
    assert c.capaian >= 0
    assert c.met == (r >= t if polarity == "higher" else r <= t)


# -- the LKjIP example ---------------------------------------------------------------------
# Tabel 3.2: 98,05 %, 109,76 %, 100 %, 100,31 %; text: vs Renstra 2024 176,22 %, 141,13 %.
@pytest.mark.parametrize(
    ("row", "field", "printed"),
    [
        ("ism", "capaian", "98.05"),
        ("ipasn", "capaian", "109.76"),
        ("akip", "capaian", "100.00"),
        ("ikm", "capaian", "100.31"),
        ("ism", "capaian_renstra", "176.22"),
        ("ipasn", "capaian_renstra", "141.13"),
    ],
)
def test_lkjip_capaian(example, row, field, printed):
    node = example.find(row)
    assert two(node.extra[field]) == D(printed)


def test_lkjip_rows_keep_inputs_and_status(example):
    ism = example.find("ism")
    assert ism.extra["target"] == 257 and ism.extra["realisasi"] == 252
    assert ism.extra["status"] == NOT_MET  # 252 < 257: not met, even at 98 %
    assert example.find("ipasn").extra["status"] == MET
    assert example.find("akip").extra["target"] == "BB"
    assert example.find("ikm").extra["target"] == "76,61–88,30"


def test_sasaran_is_mean_of_its_indicators(example):
    akip, ikm = example.find("akip"), example.find("ikm")
    sasaran = example.find("capaian_sasaran_3")
    with localcontext(CONTEXT):
        assert sasaran.value == (akip.value + ikm.value) / 2
        assert [c.id for c in sasaran.children] == ["akip", "ikm"]
        headline = example.find("capaian")
        means = [example.find(f"capaian_sasaran_{i}").value for i in (1, 2, 3)]
        assert headline.extra["capaian"] == sum(means) / 3
        assert headline.value == round_to(sum(means) / 3, 2)
    assert headline.band.label == "ST"


def _write(tmp_path: Path, rubric_extra: str, evidence: str) -> tuple[Path, Path]:
    text = RUBRIC.read_text(encoding="utf-8") + textwrap.dedent(rubric_extra)
    r = tmp_path / "rubric.toml"
    r.write_text(text, encoding="utf-8")
    e = tmp_path / "evidence.toml"
    e.write_text(textwrap.dedent(evidence), encoding="utf-8")
    return r, e


def test_cap_applies_only_to_aggregates(tmp_path):
    r, e = _write(
        tmp_path,
        "",
        """
        [[tables.iku.rows]]
        id = "a"
        sasaran = "S"
        target = 50
        realisasi = 100
        [[tables.iku.rows]]
        id = "b"
        sasaran = "S"
        target = 100
        realisasi = 80
        """,
    )
    text = r.read_text(encoding="utf-8").replace("# cap = 120", "cap = 120")
    r.write_text(text, encoding="utf-8")
    result = Engine(load_rubric(r)).evaluate(read_evidence(e))
    assert result.find("a").extra["capaian"] == 200  # uncapped on the indicator
    assert result.find("capaian_sasaran_1").value == (120 + 80) / D(2)


def test_single_indicator_from_facts(tmp_path):
    r, e = _write(
        tmp_path,
        """
        [indicators.kecelakaan]
        type = "target"
        title = "Jumlah kecelakaan kerja"
        polarity = "lower"
        formula = "t/r"
        band = "kategori"
        """,
        """
        [[tables.iku.rows]]
        id = "x"
        target = 1
        realisasi = 1
        [facts.kecelakaan]
        target = 10
        realisasi = 8
        """,
    )
    node = Engine(load_rubric(r)).evaluate(read_evidence(e)).find("kecelakaan")
    assert node.value == 125 and node.extra["formula"] == "t/r"
    assert node.band.label == "ST" and node.extra["status"] == MET


def test_missing_realisasi_is_a_located_error(tmp_path):
    r, e = _write(
        tmp_path,
        "",
        """
        [[tables.iku.rows]]
        id = "x"
        target = 5
        """,
    )
    with pytest.raises(EvidenceError, match="no realisasi for row 1"):
        Engine(load_rubric(r)).evaluate(read_evidence(e))


def test_cli_score_and_errors(tmp_path, capsys):
    assert main(["score", str(RUBRIC), str(EXAMPLE), "--width", "160"]) == 0
    out = capsys.readouterr().out
    assert "98,05" in out and "109,76" in out and "100,31" in out and "Tidak tercapai" in out
    r, e = _write(tmp_path, "", '[[tables.iku.rows]]\nid = "x"\ntarget = "banyak"\nrealisasi = 1\n')
    assert main(["score", str(r), str(e)]) == 2
    assert "not a number, a range" in capsys.readouterr().err


def test_group_of_single_targets_averages_capaian(tmp_path):
    r, e = _write(
        tmp_path,
        """
        [indicators.sasaran_a]
        title = "Sasaran A"
        value = "mean(children.capaian)"
        band = "kategori"
        [indicators.sasaran_a.children.ika]
        type = "target"
        title = "IKU a"
        [indicators.sasaran_a.children.ikb]
        type = "target"
        title = "IKU b"
        polarity = "lower"
        """,
        """
        [[tables.iku.rows]]
        id = "x"
        target = 1
        realisasi = 1
        [facts.ika]
        target = 80
        realisasi = 88
        [facts.ikb]
        target = 10
        realisasi = 12
        [stated]
        ikb = { capaian = "80,00", status = "Tidak tercapai" }
        """,
    )
    result = Engine(load_rubric(r)).evaluate(read_evidence(e))
    assert result.find("sasaran_a").value == (110 + 80) / D(2)  # C1 and C3, variant A
    assert result.find("sasaran_a").band.label == "ST"
    assert reconcile(result).ok  # the stated capaian and status of ikb are right


def test_predikat_target_as_printed(rubric):
    """Tabel 3.2 prints the AKIP target as "BB > 70-80": the predikat is what counts."""
    target = parse_target("BB > 70-80", rubric.bands["akip"])
    assert (target.kind, target.label) == ("predikat", "BB")
