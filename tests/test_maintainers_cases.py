"""`evalengine test`: rubric test cases as data, band coverage, and generated edge cases."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal

import pytest

from evalengine.cli import main
from evalengine.rubric.cases import run_suite
from evalengine.rubric.edges import generate_edges
from evalengine.rubric.load import load_rubric
from tests.maintainers_support import DATA, RUBRICS, builtin_rubrics

MINI = DATA / "rubrics" / "mini.toml"


@pytest.mark.parametrize("path", builtin_rubrics(), ids=lambda p: p.stem)
def test_builtin_rubric_cases_pass_with_full_band_coverage(path):
    suite = run_suite([path])
    assert suite.results, f"no cases for {path.name}: add rubrics/tests/{path.stem}/*.toml"
    failures = {r.case.name: r.failures or r.error for r in suite.results if not r.passed}
    assert failures == {}
    assert suite.missing_bands() == {}


def test_cli_runs_the_builtin_suite(capsys):
    assert main(["test", str(RUBRICS)]) == 0
    out = capsys.readouterr().out
    assert "coverage merit-2019.toml 'kategori': I II III IV — full" in out


def test_empty_suite_fails(tmp_path, capsys):
    assert main(["test", str(tmp_path)]) == 2
    assert "empty suite fails" in capsys.readouterr().out


def _case_file(tmp_path, body: str):
    folder = tmp_path / "tests" / "mini"
    folder.mkdir(parents=True)
    (tmp_path / "mini.toml").write_text(MINI.read_text())
    path = folder / "cases.toml"
    path.write_text(textwrap.dedent(body))
    return path


def test_wrong_expectation_fails_and_names_the_difference(tmp_path, capsys):
    _case_file(
        tmp_path,
        """
        [cases.all_4]
        answer_all = 4
        [cases.all_4.expect]
        value = 39
        band = "B"
        indicators = { a = 20 }
        """,
    )
    assert main(["test", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "headline: expected 39, got 40" in out
    assert "expected band B, got A" in out
    assert "indicator a: expected 20, got 20" not in out  # a = 2 × 2.5 × 4 = 20 passes


def test_missing_bands_are_listed(tmp_path, capsys):
    _case_file(
        tmp_path,
        """
        [cases.all_4]
        answer_all = 4
        [cases.all_4.expect]
        value = 40
        band = "A"
        """,
    )
    assert main(["test", "--format", "json", str(tmp_path)]) == 1
    data = json.loads(capsys.readouterr().out)
    (cov,) = data["coverage"].values()
    assert cov["reached"] == ["A"] and cov["bands"] == ["C", "B", "A"]


def test_warnings_must_match_exactly(tmp_path, capsys):
    rubric = MINI.read_text().replace('C = { range = "[0..20)"', 'C = { range = "[5..20)"')
    _case_file(
        tmp_path,
        """
        [cases.zero]
        answer_all = 0
        [cases.zero.expect]
        value = 0
        warnings = ["falls in no band"]
        [cases.zero_unexpected]
        answer_all = 0
        [cases.zero_unexpected.expect]
        value = 0
        warnings = []
        """,
    )
    (tmp_path / "mini.toml").write_text(rubric)
    suite = run_suite([tmp_path])
    by_name = {r.case.name: r for r in suite.results}
    assert by_name["zero"].passed
    assert any("unexpected warning" in f for f in by_name["zero_unexpected"].failures)


def test_generated_edges_for_a_sum_of_scores_are_evidence_cases_that_pass(tmp_path):
    rubric = load_rubric(MINI)
    text = generate_edges(rubric, rubric_ref=str(MINI))
    path = tmp_path / "edges.toml"
    path.write_text(text)
    suite = run_suite([path])
    assert suite.results and suite.failed == 0
    assert all(not r.case.is_band_case for r in suite.results)
    values = sorted(Decimal(str(r.case.spec["expect"]["value"])) for r in suite.results)
    # attainable totals are multiples of 2.5; around the edge 20: 17.5 below, 20 on, 22.5 above
    for v in ("17.5", "20", "22.5", "27.5", "30", "32.5", "0", "40"):
        assert Decimal(v) in values
    assert suite.missing_bands() == {}


def test_generated_band_cases_respect_open_ends_and_rounding(tmp_path):
    rubric_path = tmp_path / "akipish.toml"
    rubric_path.write_text(
        textwrap.dedent(
            """
            [rubric]
            id = "akipish"
            title = "Predikat dengan ujung terbuka"
            band = "predikat"
            [rounding]
            places = 2
            [bands.predikat]
            B  = { range = "[0..80]",   meaning = "Baik" }
            BB = { range = "(80..100]", meaning = "Sangat Baik" }
            [indicators.nilai]
            title = "Nilai"
            value = "evidence.nilai"
            """
        )
    )
    rubric = load_rubric(rubric_path)
    text = generate_edges(rubric, rubric_ref=str(rubric_path))
    path = tmp_path / "edges.toml"
    path.write_text(text)
    suite = run_suite([path])
    got = {Decimal(str(r.case.spec["value"])): r.bands for r in suite.results}
    assert suite.failed == 0
    assert got[Decimal("79.99")] == {"B"}
    assert got[Decimal("80")] == {"B"}  # (80.. is open: 80 itself is B
    assert got[Decimal("79.995")] == {"B"}  # rounds half-up to 80.00, still B
    assert got[Decimal("80.01")] == {"BB"}
    assert got[Decimal("100")] == {"BB"}
    assert Decimal("100.01") not in got  # outside every band: not generated


def test_cases_inside_the_rubric_file(tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text(
        MINI.read_text()
        + textwrap.dedent(
            """
            [tests.semua_2]
            answer_all = 2
            [tests.semua_2.expect]
            value = 20
            band = "B"
            [tests.tepi_30]
            value = 30
            [tests.tepi_30.expect]
            band = "A"
            [tests.nol]
            answer_all = 0
            [tests.nol.expect]
            band = "C"
            """
        )
    )
    suite = run_suite([path])
    assert [r.case.name for r in suite.results] == ["semua_2", "tepi_30", "nol"]
    assert suite.ok


def test_answers_override_answer_all_and_evidence_file(tmp_path):
    evidence = tmp_path / "e.toml"
    evidence.write_text("[answers]\na1 = 4\na2 = 4\nb1 = 4\n")
    _case_file(
        tmp_path,
        f"""
        [cases.one_lower]
        evidence_file = "{evidence}"
        [cases.one_lower.answers]
        b1 = 1
        [cases.one_lower.expect]
        value = 25
        band = "B"
        indicators = {{ b = 5, a = 20 }}
        """,
    )
    suite = run_suite([tmp_path])
    (result,) = suite.results
    assert result.passed, result.failures or result.error
