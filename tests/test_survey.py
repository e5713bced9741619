"""The survey indicator type: NRR from a response table, invalid answers, sample size, XLSX."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tabular_support import PLUGINS, score, table_evidence

from evalengine.errors import EvidenceError, RubricError
from evalengine.evidence.readers import read_evidence
from evalengine.indicators.sampling import TABLE, krejcie_morgan_formula, min_sample
from evalengine.numbers import round_to
from evalengine.rubric.load import load_rubric

RUBRIC = """
[rubric]
id = "mini"
title = "Two questions"
value = "sum(children)"

[scales.j]
values = {{ "1" = 1, "2" = 2, "3" = 3, "4" = 4 }}

[evidence.tables.r]
invalid = "{policy}"
min_sample = "krejcie_morgan"
between_rows = "{between}"

[evidence.tables.r.columns]
q1 = {{ type = "answer", aliases = ["Pertanyaan 1"] }}
q2 = {{ type = "answer" }}

[indicators.q1]
type = "survey"
table = "r"
column = "q1"
scale = "j"

[indicators.q2]
type = "survey"
table = "r"
column = "q2"
scale = "j"
"""


def mini(tmp_path, policy="drop_respondent", between="formula_up"):
    path = tmp_path / "mini.toml"
    path.write_text(RUBRIC.format(policy=policy, between=between), encoding="utf-8")
    return load_rubric(path, plugins=PLUGINS)


ROWS = [
    {"Pertanyaan 1": "4", "q2": "3"},
    {"Pertanyaan 1": "5", "q2": "4"},  # a 5 on a 1–4 scale
    {"Pertanyaan 1": "3", "q2": ""},  # blank: incomplete respondent
    {"Pertanyaan 1": "2", "q2": "2"},
]


def test_drop_respondent_never_sums_the_5_and_reports_it(tmp_path):
    result = score(mini(tmp_path), table_evidence("r", ROWS, file="r.csv"))
    q1, q2 = result.root.children
    assert q1.value == Decimal(3)  # (4 + 2) / 2: the 5 and the incomplete respondent are out
    assert q2.value == Decimal("2.5")  # (3 + 2) / 2: the respondent with the 5 is out too
    assert q1.extra["n"] == 2 and q1.extra["dropped"] == 2 and q1.extra["respondents"] == 4
    assert q1.extra["policy"] == "drop_respondent"
    reasons = "\n".join(q1.extra["dropped_reasons"])
    assert "row 3 (r.csv): q1 (Pertanyaan 1) = '5' is not on scale 'j'" in reasons
    assert "row 4 (r.csv): q2 = '' is blank" in reasons
    assert any(
        "q1 (Pertanyaan 1) is not on scale" in w and "never summed" in w and "row 3 = '5'" in w
        for w in q1.warnings
    )
    assert any("2 of 4 respondents dropped" in w for w in q1.warnings)
    assert not any("'5'" in w for w in q2.warnings)  # each problem is reported on its question


def test_drop_answer_keeps_the_respondent_for_other_questions(tmp_path):
    result = score(mini(tmp_path, "drop_answer"), table_evidence("r", ROWS, file="r.csv"))
    q1, q2 = result.root.children
    assert q1.value == Decimal(3)  # (4 + 3 + 2) / 3
    assert q2.value == Decimal(3)  # (3 + 4 + 2) / 3: the respondent with the 5 counts here
    assert (q1.extra["n"], q1.extra["dropped"]) == (3, 1)
    assert (q2.extra["n"], q2.extra["dropped"]) == (3, 1)
    assert any("answer dropped" in w for w in q1.warnings)


@pytest.mark.parametrize("bad", ["5", "0", "2,5", "x", "-1"])
def test_any_answer_off_the_scale_is_never_summed(tmp_path, bad):
    rows = [{"q1": "4", "q2": "4"}, {"q1": bad, "q2": "4"}]
    q1 = score(mini(tmp_path), table_evidence("r", rows)).root.children[0]
    assert q1.value == Decimal(4) and q1.extra["n"] == 1 and q1.extra["dropped"] == 1


def test_answers_written_as_labels_or_decimals_resolve(tmp_path):
    rows = [{"q1": "4,0", "q2": " 3 "}, {"q1": Decimal("2"), "q2": "1"}]
    q1, q2 = score(mini(tmp_path), table_evidence("r", rows)).root.children
    assert (q1.value, q2.value) == (Decimal(3), Decimal(2))


def test_nrr_is_exact(tmp_path):
    rows = [{"q1": a, "q2": "1"} for a in ("4", "4", "3")]
    q1 = score(mini(tmp_path), table_evidence("r", rows)).root.children[0]
    assert q1.value * 3 == Decimal(11)
    assert q1.extra["total"] == Decimal(11)


def test_no_valid_answer_is_an_error(tmp_path):
    rows = [{"q1": "9", "q2": "4"}]
    with pytest.raises(EvidenceError, match="no valid answer in column 'q1'"):
        score(mini(tmp_path), table_evidence("r", rows))


def test_missing_answer_column_names_file_and_headers(tmp_path):
    rows = [{"q1": "4", "tanya2": "4"}]
    with pytest.raises(EvidenceError) as info:
        score(mini(tmp_path), table_evidence("r", rows, file="r.csv"))
    err = info.value
    assert err.code == "missing-column"
    assert "table 'r' (r.csv) has no column 'q2'" in err.message
    assert "columns found: q1, tanya2" in err.hint
    assert err.location.path == "r.csv" and err.location.line == 1


def test_derivation_lists_first_rows_with_provenance(tmp_path):
    rows = [{"q1": str(a), "q2": "1"} for a in (4, 3, 2, 1, 4)]
    q1 = score(mini(tmp_path), table_evidence("r", rows, file="r.csv")).root.children[0]
    shown = [i for i in q1.derivation.inputs if i.name.startswith("row ")]
    assert [i.name for i in shown] == ["row 2: q1", "row 3: q1", "row 4: q1"]
    assert str(shown[0].provenance.provenance) == "r.csv!A2 (q1)"
    assert "= 14 / 5" in q1.derivation.note


# --- sample size (Krejcie–Morgan) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("population", "policy", "expected"),
    [
        (500, "formula_up", 217),
        (1000, "formula_up", 278),
        (10000, "formula_up", 370),
        (37, "formula_up", 34),
        (37, "next_row", 36),
        (2_000_000, "formula_up", 384),
    ],
)
def test_k5_krejcie_morgan(population, policy, expected):
    assert min_sample(population, policy) == expected


def test_published_table_is_the_formula_rounded_to_nearest():
    for n, s in TABLE.items():
        assert round_to(krejcie_morgan_formula(Decimal(n)), 0) == s, n


def test_sample_warning_uses_the_population_of_the_evidence(tmp_path):
    rows = [{"q1": "4", "q2": "4"}] * 30
    fine = score(mini(tmp_path), table_evidence("r", rows, population=30))
    assert not fine.warnings()
    short = score(mini(tmp_path), table_evidence("r", rows, population=37))
    assert short.warnings() == [
        "q1: sample of 30 respondents is below the Krejcie–Morgan minimum of 34 "
        "for a population of 37 (formula_up)"
    ]
    assert short.root.children[0].extra["sample_min"] == 34
    rows_next = score(mini(tmp_path, between="next_row"), table_evidence("r", rows, population=37))
    assert "minimum of 36" in rows_next.warnings()[0]


def test_no_population_means_no_sample_check(tmp_path):
    result = score(mini(tmp_path), table_evidence("r", [{"q1": "4", "q2": "4"}]))
    assert result.warnings() == []
    assert "sample_min" not in result.root.children[0].extra


def test_krejcie_morgan_is_a_formula_function(tmp_path):
    path = tmp_path / "km.toml"
    path.write_text(
        '[rubric]\nid = "km"\ntitle = "km"\n'
        "[indicators.s]\nvalue = 'krejcie_morgan(37) + krejcie_morgan(37, \"next_row\")'\n",
        encoding="utf-8",
    )
    result = score(load_rubric(path, plugins=PLUGINS), table_evidence("x", [{"a": "1"}]))
    assert result.root.children[0].value == 34 + 36


# --- rubric checks ------------------------------------------------------------------------------


def test_unknown_policy_is_a_rubric_error(tmp_path):
    with pytest.raises(RubricError, match="unknown invalid-answer policy 'drop_everything'"):
        mini(tmp_path, policy="drop_everything")


def test_unknown_column_type_in_layout_is_a_rubric_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        RUBRIC.format(policy="drop_answer", between="formula_up").replace(
            'q2 = { type = "answer" }', 'q2 = { type = "answr" }'
        ),
        encoding="utf-8",
    )
    with pytest.raises(RubricError) as info:
        load_rubric(path, plugins=PLUGINS)
    assert any("unknown column type 'answr'" in d.message for d in info.value.diagnostics)
    assert any("did you mean 'answer'" in (d.hint or "") for d in info.value.diagnostics)


# --- XLSX ---------------------------------------------------------------------------------------


def write_workbook(path, sheets: dict[str, list[list]]):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)


def test_xlsx_responses_with_provenance_to_the_cell(tmp_path):
    write_workbook(
        tmp_path / "jawaban.xlsx",
        {
            "Catatan": [["bukan data"]],
            "Jawaban": [["Pertanyaan 1", "q2"], [4, 3], [5, 4], [3, 3], [2, None]],
        },
    )
    (tmp_path / "ev.toml").write_text(
        '[evidence]\nrubric = "mini"\n[tables.r]\nfile = "jawaban.xlsx"\nsheet = "Jawaban"\n',
        encoding="utf-8",
    )
    result = score(mini(tmp_path), read_evidence(tmp_path / "ev.toml", plugins=PLUGINS))
    q1, q2 = result.root.children
    assert q1.value == Decimal("3.5")  # (4 + 3) / 2
    assert q2.value == Decimal(3)
    reasons = q1.extra["dropped_reasons"]
    assert reasons[0].startswith("row 3 (jawaban.xlsx [sheet Jawaban]): q1 (Pertanyaan 1) = 5")
    first = q1.derivation.inputs[1]
    assert (
        first.provenance.provenance.sheet == "Jawaban" and first.provenance.provenance.cell == "A2"
    )


def test_xlsx_empty_sheet_is_a_clear_error(tmp_path):
    write_workbook(tmp_path / "kosong.xlsx", {"Jawaban": []})
    (tmp_path / "ev.toml").write_text(
        '[tables.r]\nfile = "kosong.xlsx"\nsheet = "Jawaban"\n', encoding="utf-8"
    )
    evidence = read_evidence(tmp_path / "ev.toml", plugins=PLUGINS)  # read on first use
    with pytest.raises(EvidenceError) as info:
        score(mini(tmp_path), evidence)
    assert "sheet 'Jawaban' of kosong.xlsx is empty" in info.value.message
    assert info.value.hint == "the first row must name the columns"
    assert info.value.location.path.endswith("kosong.xlsx")


def test_xlsx_header_only_sheet_is_a_clear_error(tmp_path):
    write_workbook(tmp_path / "kepala.xlsx", {"Jawaban": [["q1", "q2"]]})
    (tmp_path / "ev.toml").write_text('[tables.r]\nfile = "kepala.xlsx"\n', encoding="utf-8")
    evidence = read_evidence(tmp_path / "ev.toml", plugins=PLUGINS)
    with pytest.raises(EvidenceError) as info:
        score(mini(tmp_path), evidence)
    assert info.value.code == "empty-table"
    assert "table 'r' (kepala.xlsx [sheet Jawaban]) has no data rows" in info.value.message
    assert "every following row is one record" in info.value.hint


def test_inline_rows_without_an_answer_are_blank_not_a_crash(tmp_path):
    rows = [{"q1": "4", "q2": "4"}, {"q1": "3"}]
    evidence = table_evidence("r", [{"q1": "4", "q2": "4"}])
    table = evidence.tables["r"]
    extra = table_evidence("r", rows).tables["r"].rows[1]
    table.rows.append(extra)
    q1, q2 = score(mini(tmp_path), evidence).root.children
    assert q2.extra["dropped"] == 1 and "q2 = '' is blank" in q2.extra["dropped_reasons"][0]
    assert q1.value == Decimal(4)
