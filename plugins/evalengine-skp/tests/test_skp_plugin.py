"""evalengine-skp: capaian IKI → nilai capaian IKI (PermenPANRB 8/2021) and its use in a rubric."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from evalengine_skp import plugin
from evalengine_skp.conversion import capaian_iki, convert
from evalengine_skp.report import render_skp
from hypothesis import given
from hypothesis import strategies as st

from evalengine import evaluate, load_rubric, read_evidence
from evalengine.errors import EvalEngineError
from evalengine.numbers import round_to
from evalengine.plugins import Plugins, get_plugin_manager

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "skp-pegawai"
D = Decimal


@pytest.fixture(scope="module")
def own_plugins():
    pm = get_plugin_manager(entry_points=False)
    pm.register(plugin, name="skp")
    return Plugins(pm)


# -- the conversion, against the regulation's own numbers -------------------------------


def test_c8_cukup_98_percent_is_88():
    # regulations.md test vector C8: capaian 98 % (Cukup) → 70 + 19/19 × 18 = 88
    result = convert(D(98))
    assert (result.kategori, result.nilai) == ("Cukup", D(88))


def test_worked_example_p243():
    # PermenPANRB 8/2021 p. 243: target 85, realisasi 85 → 100 % Baik 109;
    # target 95, realisasi 93 → 98 % Cukup 88
    assert convert(capaian_iki(D(85), D(85))).nilai == 109
    capaian = round_to(capaian_iki(D(95), D(93)), 0)
    assert capaian == 98
    assert convert(capaian).kategori == "Cukup" and convert(capaian).nilai == 88


def test_letters_f_to_i():
    assert convert(D(60)).nilai == 50 and convert(D(79)).nilai == 69  # (f) Kurang
    assert convert(D(59)).nilai == 49 and convert(D(0)).nilai == 0  # (g) Sangat Kurang
    assert convert(D("110.5")).nilai == 120  # (h) > 110 % → 120
    assert convert(D(100), max_target=True).nilai == 120  # (i) maximum target
    assert convert(D(100), max_target=True).kategori == "Sangat Baik"
    assert convert(D(101)).nilai == 110 and convert(D(110)).nilai == 120  # Sangat Baik range


def test_negative_polarity_examples_p100():
    # PermenPANRB 8/2021 p. 100 ("kondisi khusus"): target 7 months, realisasi 6,5 → 107 %;
    # target 8, realisasi 9 → 87,5 %
    assert round_to(capaian_iki(D(7), D("6.5"), "negative"), 0) == 107
    assert capaian_iki(D(8), D(9), "negative") == D("87.5")


def test_target_zero_is_an_error():
    with pytest.raises(ValueError, match="target is 0"):
        capaian_iki(D(0), D(5))


@given(
    st.decimals(min_value=0, max_value=200, places=3),
    st.decimals(min_value=0, max_value=200, places=3),
)
def test_monotone_and_bounded(a, b):
    low, high = sorted((a, b))
    assert D(0) <= convert(low).nilai <= convert(high).nilai <= 120


# -- the indicator type in a rubric ------------------------------------------------------


def test_example_rubric(own_plugins):
    rubric = load_rubric(EXAMPLE / "rubric.toml", plugins=own_plugins)
    evidence = read_evidence(EXAMPLE / "evidence.toml", plugins=own_plugins)
    result = evaluate(rubric, evidence, plugins=own_plugins)
    iki = {n.id: n for n in result.root.walk() if n.type == "skp_iki"}
    assert (iki["iki_1"].value, iki["iki_1"].extra["kategori"]) == (109, "Baik")
    assert (iki["iki_2"].value, iki["iki_2"].extra["kategori"]) == (88, "Cukup")
    assert iki["iki_2"].extra["capaian"] == 98
    assert (iki["iki_3"].value, iki["iki_3"].extra["kategori"]) == (120, "Sangat Baik")
    # rencana kinerja = mean of its IKI; nilai akhir = mean of the rencana kinerja
    assert result.root.value == (D(109) + (D(88) + D(120)) / 2) / 2
    assert result.root.band.meaning == "Baik"
    sheet = iki["iki_2"].derivation
    assert "70 + (89 − 70)/(99 − 80)" in sheet.formula
    assert any(i.name == "evidence.iki_2.realisasi" for i in sheet.inputs)


def test_unknown_without_the_plugin():
    bare = Plugins(get_plugin_manager(entry_points=False))
    with pytest.raises(EvalEngineError) as info:
        load_rubric(EXAMPLE / "rubric.toml", plugins=bare)
    assert "skp_iki" in info.value.render()


def test_function_in_a_formula(own_plugins, tmp_path):
    rubric = tmp_path / "r.toml"
    rubric.write_text(
        '[rubric]\nid = "f"\ntitle = "f"\n'
        '[indicators.a]\ntitle = "a"\ntype = "formula"\n'
        'value = "nilai_capaian_iki(evidence.capaian) + nilai_capaian_iki(100, true)"\n'
    )
    evidence = tmp_path / "e.toml"
    evidence.write_text('[facts]\ncapaian = "98,0"\n')
    result = evaluate(
        load_rubric(rubric, plugins=own_plugins),
        read_evidence(evidence, plugins=own_plugins),
        plugins=own_plugins,
    )
    assert result.root.value == 88 + 120


def test_bad_polarity_is_a_rubric_error(own_plugins, tmp_path):
    rubric = tmp_path / "r.toml"
    rubric.write_text(
        '[rubric]\nid = "p"\ntitle = "p"\n'
        '[indicators.a]\ntitle = "a"\ntype = "skp_iki"\npolarity = "upward"\n'
    )
    with pytest.raises(EvalEngineError) as info:
        load_rubric(rubric, plugins=own_plugins)
    assert "polarity of 'a' must be one of positive, negative" in info.value.render()


def test_skp_report(own_plugins):
    result = evaluate(
        load_rubric(EXAMPLE / "rubric.toml", plugins=own_plugins),
        read_evidence(EXAMPLE / "evidence.toml", plugins=own_plugins),
        plugins=own_plugins,
    )
    text = render_skp(result)
    assert (
        "| 2 | Pengelolaan anggaran program yang optimal | 2.1 Nilai Indikator Kinerja "
        "Pelaksanaan Anggaran | 95 | 93 | 98,00% | Cukup | 88,00 |" in text
    )
    assert "**Nilai akhir: 106,50** — predikat B" in text
