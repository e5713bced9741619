"""IKM / SKM rubrics (PermenPANRB 14/2017 and KepMenPAN 25/2004) against regulations.md §4 and §6.4.

Expected figures come from the regulation's arithmetic as worked in regulations.md (K1–K5) and
from the LKjIP 2024 report (Tabel 3.9); the evidence is entered or generated, never the result.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tabular_support import (
    EXAMPLES,
    facts_evidence,
    load_generator,
    rubric,
    run_cli,
    score,
    table_evidence,
)

from evalengine.numbers import CONTEXT

#: Tabel 3.9 of the LKjIP 2024, in the regulation's unsur order (u8 Pengaduan, u9 Sarana).
TABEL_3_9 = {
    "u1": "3,42",
    "u2": "3,55",
    "u3": "3,40",
    "u4": "3,63",
    "u5": "3,48",
    "u6": "3,57",
    "u7": "3,55",
    "u8": "3,87",
    "u9": "3,42",
}
GEN = load_generator()


def ikm(values: dict[str, str | Decimal], **params):
    return score(rubric("ikm-2017", **params), facts_evidence("nrr", values)).root


@pytest.mark.parametrize(
    ("bobot", "value", "band"),
    [("1/9", "88.58", "A"), ("0.111", "88.49", "A"), ("0.11", "87.70", "B")],
)
def test_k1_lkjip_means_under_each_weight_convention(bobot, value, band):
    root = ikm(TABEL_3_9, bobot=bobot)
    assert root.value == Decimal(value)
    assert root.band.label == band


def test_k1_the_report_value_88_57_is_not_what_the_rounded_means_give():
    root = ikm(TABEL_3_9)
    assert root.value != Decimal("88.57")
    exact = CONTEXT.divide(Decimal(25) * Decimal("31.89"), 9)  # 88.58333…
    assert abs(root.derivation.unrounded - exact) < Decimal("1e-30")


def test_band_meanings_are_the_regulation_labels():
    table = rubric("ikm-2017").bands["mutu"]
    assert [(b.label, b.meaning) for b in table.ordered()] == [
        ("D", "Tidak Baik"),
        ("C", "Kurang Baik"),
        ("B", "Baik"),
        ("A", "Sangat Baik"),
    ]


def k2_responses():
    totals = dict(zip(TABEL_3_9, [105, 101, 100, 116, 102, 105, 106, 105, 115], strict=True))
    return GEN.generate(totals, n=29, seed=7, invalid=[])


@pytest.mark.parametrize(
    ("bobot", "value", "band"),
    [("1/9", "91.48", "A"), ("0.111", "91.38", "A"), ("0.11", "90.56", "A")],
)
def test_k2_raw_responses_29_respondents(bobot, value, band):
    rows = [{k: v for k, v in r.items() if k != "Responden"} for r in k2_responses()]
    result = score(rubric("ikm-2017", bobot=bobot), table_evidence("responses", rows))
    assert result.root.value == Decimal(value)
    assert result.root.band.label == band
    nrr = [round(c.value, 4) for c in result.root.children]
    expected = [
        "3.6207",
        "3.4828",
        "3.4483",
        "4.0000",
        "3.5172",
        "3.6207",
        "3.6552",
        "3.6207",
        "3.9655",
    ]
    assert nrr == [Decimal(x) for x in expected]
    assert all(c.extra["n"] == 29 and c.extra["dropped"] == 0 for c in result.root.children)


@pytest.mark.parametrize(("bobot", "value"), [("1/9", "100.00"), ("0.111", "99.90")])
def test_k3_one_respondent_all_fours(bobot, value):
    rows = [{u: "4" for u in TABEL_3_9}]
    result = score(
        rubric("ikm-2017", bobot=bobot), table_evidence("responses", rows, population=500)
    )
    assert result.root.value == Decimal(value)
    assert result.root.band.label == "A"
    assert any("below the Krejcie–Morgan minimum of 217" in w for w in result.warnings())


@pytest.mark.parametrize(
    ("ikm_value", "band"),
    [
        ("88.30", "B"),
        ("88.305", "A"),  # rounded half-up to 88.31 before banding (unrounded it would be B)
        ("88.31", "A"),
        ("76.60", "C"),
        ("76.61", "B"),
        ("65.00", "C"),
        ("64.99", "D"),
    ],
)
def test_k4_band_edges_after_half_up_rounding(ikm_value, band):
    nrr = Decimal(ikm_value) / 25  # nine equal NRR x give IKM = 25 x under exact weights
    root = ikm({u: nrr for u in TABEL_3_9})  # numbers: "3.532" as text would read as 3532
    assert root.derivation.unrounded == Decimal(ikm_value)
    assert root.band.label == band


def test_weight_convention_is_named_in_reports():
    from evalengine.report.json import JsonReport
    from evalengine.report.terminal import RichReport

    result = score(rubric("ikm-2017", bobot="0.111"), facts_evidence("nrr", TABEL_3_9))
    assert '"bobot": "0.111"' in JsonReport().render(result, {})
    assert "bobot = 0.111" in RichReport().render(result, {"width": 120})


def test_unknown_weight_convention_is_an_error_naming_the_choices():
    from evalengine.errors import FormulaEvalError

    with pytest.raises(FormulaEvalError, match=r"'0\.1' is not a key of table 'bobot'") as info:
        ikm(TABEL_3_9, bobot="0.1")
    assert "0.111" in info.value.hint


def test_generated_example_responses_reproduce_tabel_3_9_exactly():
    rows = GEN.generate()
    result = score(rubric("ikm-2017"), table_evidence("responses", rows, file="responses.csv"))
    assert [c.value for c in result.root.children] == [
        Decimal(v.replace(",", ".")) for v in TABEL_3_9.values()
    ]
    assert result.root.value == ikm(TABEL_3_9).value == Decimal("88.58")
    # the three invalid respondents are reported and dropped
    u1 = result.root.children[0]
    assert u1.extra["respondents"] == 103 and u1.extra["dropped"] == 3 and u1.extra["n"] == 100


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=60),
    shares=st.lists(st.floats(min_value=0, max_value=1), min_size=9, max_size=9),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_raw_responses_and_their_nrr_give_the_same_index(n, shares, seed):
    totals = {u: 3 * n + int(s * n) for u, s in zip(TABEL_3_9, shares, strict=True)}
    rows = GEN.generate(totals, n=n, seed=seed, invalid=[])
    raw = score(rubric("ikm-2017"), table_evidence("responses", rows)).root
    nrr = {c.id: c.value for c in raw.children}
    for child, (u, total) in zip(raw.children, totals.items(), strict=True):
        assert child.id == u and child.value * n == total
    published = ikm(nrr)
    assert published.value == raw.value
    assert published.band.label == raw.band.label


def test_headers_are_matched_by_name_not_position():
    """The report prints Sarana before Pengaduan; the rubric maps headers by unsur name."""
    rows = GEN.generate()
    result = score(rubric("ikm-2017"), table_evidence("responses", rows))
    by_id = {c.id: c for c in result.root.children}
    assert by_id["u8"].value == Decimal("3.87")  # Penanganan Pengaduan
    assert by_id["u9"].value == Decimal("3.42")  # Sarana dan Prasarana


# --- KepMenPAN 25/2004 -------------------------------------------------------------------------


def test_2004_rubric_is_the_older_version_of_ikm():
    old, new = rubric("ikm-2004"), rubric("ikm-2017")
    assert old.id == new.id == "ikm"
    assert (old.version, new.version) == ("2004", "2017")
    assert new.supersedes == "2004"
    assert old.valid_until is not None and old.valid_until < new.valid_from
    assert len(old.root.children) == 14 and len(new.root.children) == 9


@pytest.mark.parametrize(
    ("nrr", "bobot", "value", "band"),
    [
        ("3.25", "0.071", "80.76", "B"),  # 14 × 3.25 × 0.071 × 25 = 80.7625
        ("3.25", "1/14", "81.25", "B"),  # 25 × 3.25: the top of B (81,26 starts A)
        ("3.2504", "1/14", "81.26", "A"),
        ("2.50", "1/14", "62.50", "C"),
        ("1.75", "1/14", "43.75", "D"),
        ("1.7504", "1/14", "43.76", "C"),
    ],
)
def test_2004_weight_and_bands(nrr, bobot, value, band):
    values = {f"u{i}": nrr for i in range(1, 15)}
    root = score(rubric("ikm-2004", bobot=bobot), facts_evidence("nrr", values)).root
    assert root.value == Decimal(value)
    assert root.band.label == band


# --- the example through the CLI ---------------------------------------------------------------


def test_cli_scores_the_published_nrr_example(monkeypatch, capsys):
    code, out, _ = run_cli(
        [
            "score",
            "rubrics/ikm-2017.toml",
            "examples/ikm-belitung-timur/evidence.toml",
            "-f",
            "json",
        ],
        monkeypatch,
        capsys,
    )
    assert code == 0
    import json

    data = json.loads(out)
    assert data["headline"]["value"] == "88.58"
    assert data["headline"]["band"]["label"] == "A"
    assert data["rubric"]["params"] == {"bobot": "1/9"}


def test_cli_param_selects_the_convention(monkeypatch, capsys):
    code, out, _ = run_cli(
        ["score", "ikm", "examples/ikm-belitung-timur/evidence.toml", "--param", "bobot=0.11"],
        monkeypatch,
        capsys,
    )
    assert code == 0
    assert "B Baik" in out and "bobot = 0.11" in out


def test_cli_unknown_param_is_a_usage_error(monkeypatch, capsys):
    code, _, err = run_cli(
        ["score", "ikm", "examples/ikm-belitung-timur/evidence.toml", "-p", "bobt=0.11"],
        monkeypatch,
        capsys,
    )
    assert code == 2
    assert "has no parameter 'bobt'" in err and "did you mean 'bobot'" in err


def test_cli_scores_the_generated_responses_example(monkeypatch, capsys):
    code, out, _ = run_cli(
        ["score", "ikm", "examples/ikm-belitung-timur/evidence-responses.toml", "-f", "json"],
        monkeypatch,
        capsys,
    )
    assert code == 0
    import json

    data = json.loads(out)
    assert data["headline"]["value"] == "88.58"
    warnings = "\n".join(data["warnings"])
    assert "3 of 103 respondents dropped" in warnings
    assert "u3 (Waktu Pelayanan) is not on scale 'jawaban'" in warnings
    assert "row 102 = '5'" in warnings
    assert "below the Krejcie–Morgan minimum of 103 for a population of 140" in warnings


def test_example_states_the_report_figures():
    from tabular_support import PLUGINS

    from evalengine.evidence.readers import read_evidence

    ev = read_evidence(EXAMPLES / "ikm-belitung-timur" / "evidence.toml", plugins=PLUGINS)
    stated = {k: v.value for k, v in ev.stated["ikm"].items()}
    assert stated == {"": "88,57", "band": "BB", "meaning": "Sangat Baik"}


def test_cli_check_passes_the_shipped_table_rubrics(monkeypatch, capsys):
    code, out, _ = run_cli(
        ["check", "rubrics/ikm-2017.toml", "rubrics/ikm-2004.toml", "rubrics/ipasn-2019.toml"],
        monkeypatch,
        capsys,
    )
    assert code == 0
    assert "3 rubric(s) checked: 0 error(s), 0 warning(s)" in out
