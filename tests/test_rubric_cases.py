"""Rubric test cases as data: case parameters, extra-field expectations, and the category of
table rows at the indicator's printed precision (found while writing the built-in cases)."""

from __future__ import annotations

import textwrap

from evalengine.rubric.cases import run_suite
from tests.maintainers_support import RUBRICS

ONE_RESPONDENT_ALL_4 = "rows = [{ " + ", ".join(f"u{i} = 4" for i in range(1, 10)) + " }]"


def _cases(tmp_path, body: str, name: str = "cases.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def test_params_apply_to_their_case_only(tmp_path):
    # 9 × 4 × 0.111 × 25 = 99.90 with the parameter; 25 × 4 = 100 without it (regulations.md §4.5).
    path = _cases(
        tmp_path,
        f"""
        rubric = "{RUBRICS / "ikm-2017.toml"}"
        [cases.bobot_0_111]
        params = {{ bobot = "0.111" }}
        [cases.bobot_0_111.tables.responses]
        {ONE_RESPONDENT_ALL_4}
        [cases.bobot_0_111.expect]
        value = 99.90
        [cases.default]
        [cases.default.tables.responses]
        {ONE_RESPONDENT_ALL_4}
        [cases.default.expect]
        value = 100
        """,
    )
    suite = run_suite([path])
    assert [r.case.name for r in suite.results] == ["bobot_0_111", "default"]
    assert all(r.passed for r in suite.results), [r.failures or r.error for r in suite.results]


def test_an_undeclared_param_is_a_case_error(tmp_path):
    path = _cases(
        tmp_path,
        f"""
        rubric = "{RUBRICS / "ikm-2017.toml"}"
        [cases.typo]
        params = {{ bobt = "0.111" }}
        [cases.typo.tables.responses]
        {ONE_RESPONDENT_ALL_4}
        [cases.typo.expect]
        value = 100
        """,
    )
    (result,) = run_suite([path]).results
    assert result.error and "no parameter 'bobt'" in result.error


def test_extra_fields_are_compared_and_missing_ones_named(tmp_path):
    # pagu 400, realisasi 240: sisa 160 = 40 % (not 39), serapan 60 %.
    path = _cases(
        tmp_path,
        f"""
        rubric = "{RUBRICS / "anggaran.toml"}"
        [cases.sisa]
        [cases.sisa.tables.anggaran]
        rows = [{{ kode = "1", level = "program", uraian = "P", pagu = 400, realisasi = 240 }}]
        [cases.sisa.expect]
        indicators = {{ belanja = {{ value = 60, sisa = 160, sisa_persen = 39, nope = 1 }} }}
        """,
    )
    (result,) = run_suite([path]).results
    assert result.failures == [
        "indicator belanja: no field 'nope'",
        "indicator belanja: sisa_persen expected 39, got 40",
    ]


def test_rows_are_classified_at_the_indicator_precision(tmp_path):
    # 101.99 / 200 = 50.995 % and 50.995 / 100 = 50.995 %: printed 51,00 → Rendah (≥ 51), for
    # the row as for the rounded indicator; before the fix the rows were Sangat Rendah.
    path = _cases(
        tmp_path,
        f"""
        rubric = "{RUBRICS / "anggaran.toml"}"
        [cases.anggaran]
        [cases.anggaran.tables.anggaran]
        rows = [{{ kode = "1", level = "program", uraian = "P", pagu = 200, realisasi = "101,99" }}]
        [cases.anggaran.expect]
        value = 51.00
        band = "R"
        indicators = {{ belanja = {{ band = "R" }}, "1" = {{ value = 50.995, band = "R" }} }}
        """,
    )
    capaian = _cases(
        tmp_path,
        f"""
        rubric = "{RUBRICS / "capaian-kinerja.toml"}"
        [cases.capaian]
        [cases.capaian.tables.iku]
        rows = [{{ id = "iku", sasaran = "S", target = 100, realisasi = "50,995" }}]
        [cases.capaian.expect]
        value = 51.00
        band = "R"
        indicators = {{ iku = {{ value = 50.995, band = "R" }} }}
        """,
        name="capaian.toml",
    )
    suite = run_suite([path, capaian])
    assert len(suite.results) == 2
    assert all(r.passed for r in suite.results), [r.failures or r.error for r in suite.results]
