"""The records indicator type and rubric-declared table layouts (header mapping, types, errors)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tabular_support import PLUGINS, run_cli, score, table_evidence

from evalengine.errors import EvidenceError, RubricError
from evalengine.evidence.readers import read_evidence
from evalengine.rubric.load import load_rubric

RUBRIC = """
[rubric]
id = "toko"
title = "Belanja per barang"
value = "sum(children)"

[evidence.tables.barang]
title = "satu baris per barang"

[evidence.tables.barang.columns]
nama = {{ type = "text", aliases = ["Nama Barang"] }}
harga = {{ type = "number", aliases = ["Harga (Rp)"] }}
jumlah = {{ type = "integer", default = 1 }}
impor = {{ type = "boolean", default = "tidak" }}

[tables.pajak]
ya = 0.1
tidak = 0

[indicators.nilai]
type = "records"
table = "barang"
row = "row.harga * row.jumlah"
aggregate = "{aggregate}"
{extra}
"""


def toko(tmp_path, aggregate="sum", extra=""):
    path = tmp_path / "toko.toml"
    path.write_text(RUBRIC.format(aggregate=aggregate, extra=extra), encoding="utf-8")
    return load_rubric(path, plugins=PLUGINS)


ROWS = [
    {"Nama Barang": "kertas", "Harga (Rp)": "1.500,50", "jumlah": "2", "impor": "tidak"},
    {"Nama Barang": "tinta", "Harga (Rp)": "20000", "jumlah": "", "impor": "ya"},
    {"Nama Barang": "map", "Harga (Rp)": "2,25", "jumlah": "4", "impor": "T"},
]


@pytest.mark.parametrize(
    ("aggregate", "expected"),
    [
        ("sum", Decimal("23010.00")),  # 3001 + 20000 + 9
        ("mean", Decimal("7670")),
        ("min", Decimal("9.00")),
        ("max", Decimal("20000")),
        ("count", Decimal(3)),
    ],
)
def test_aggregates_are_exact(tmp_path, aggregate, expected):
    node = score(toko(tmp_path, aggregate), table_evidence("barang", ROWS)).root.children[0]
    assert node.value == expected
    assert node.extra["n"] == 3 and node.extra["rows"] == 3


def test_where_filters_rows_per_row(tmp_path):
    node = score(
        toko(tmp_path, "sum", "where = 'not row.impor'"), table_evidence("barang", ROWS)
    ).root.children[0]
    assert node.value == Decimal("3010.00")
    assert (node.extra["n"], node.extra["excluded"]) == (2, 1)


def test_row_formula_uses_the_whole_language(tmp_path):
    extra = """value = "round(self.aggregate, 0)"
[indicators.pajak]
type = "records"
table = "barang"
row = 'row.harga * row.jumlah * lookup("pajak", if row.impor then "ya" else "tidak")'
"""
    result = score(toko(tmp_path, "sum", extra), table_evidence("barang", ROWS))
    nilai, pajak = result.root.children
    assert nilai.value == Decimal(23010)
    assert pajak.value == Decimal("2000.0")


def test_derivation_shows_aggregate_n_and_first_rows(tmp_path):
    node = score(toko(tmp_path), table_evidence("barang", ROWS, file="barang.csv")).root.children[0]
    rows = [i for i in node.derivation.inputs if i.name.startswith("row ")]
    assert rows[0].name == "row 2: row value (harga=1500.5, jumlah=2)"
    assert rows[0].value == Decimal("3001.00")
    assert str(rows[0].provenance) == "barang.csv row 2"
    assert (
        node.derivation.note
        == "sum of the per-row values over 3 of 3 rows of table 'barang' (barang.csv)"
    )


def test_headers_match_ignoring_case_spaces_and_underscores(tmp_path):
    rows = [{"NAMA_BARANG": "a", "harga (rp)": "2", "Jumlah": "3"}]
    node = score(toko(tmp_path), table_evidence("barang", rows)).root.children[0]
    assert node.value == Decimal(6)


# --- errors: missing column, wrong type in row N, empty table -------------------------------------


def test_missing_column_error_names_table_file_and_accepted_headers(tmp_path):
    rows = [{"Nama Barang": "a", "Price": "2"}]
    with pytest.raises(EvidenceError) as info:
        score(toko(tmp_path), table_evidence("barang", rows, file="barang.csv"))
    err = info.value
    assert err.code == "missing-column"
    assert err.message == "table 'barang' (barang.csv) has no column 'harga'"
    assert "columns found: Nama Barang, Price" in err.hint
    assert "'Harga (Rp)'" in err.hint
    assert (err.location.path, err.location.line) == ("barang.csv", 1)


def write_csv(tmp_path, text):
    (tmp_path / "barang.csv").write_text(text, encoding="utf-8")
    (tmp_path / "ev.toml").write_text('[tables.barang]\nfile = "barang.csv"\n', encoding="utf-8")
    return read_evidence(tmp_path / "ev.toml", plugins=PLUGINS)


def test_wrong_type_in_row_n_names_the_row_cell_and_file(tmp_path):
    evidence = write_csv(tmp_path, "nama;harga;jumlah\na;1;2\nb;dua ribu;1\n")
    with pytest.raises(EvidenceError) as info:
        score(toko(tmp_path), evidence)
    err = info.value
    assert err.code == "cell-type"
    assert err.message == (
        "row 3 of table 'barang' (barang.csv, cell B3): "
        "column 'harga' must be a number, got 'dua ribu'"
    )
    assert err.location.path.endswith("barang.csv") and err.location.line == 3
    assert "write numbers like" in err.hint
    rendered = err.render()
    assert "barang.csv:3" in rendered and "b;dua ribu;1" in rendered


def test_whole_number_column_rejects_decimals(tmp_path):
    rows = [{"nama": "a", "harga": "2", "jumlah": "1,5"}]
    with pytest.raises(EvidenceError, match="column 'jumlah' must be a whole number, got '1,5'"):
        score(toko(tmp_path), table_evidence("barang", rows))


def test_boolean_column_rejects_other_words(tmp_path):
    rows = [{"nama": "a", "harga": "2", "impor": "mungkin"}]
    with pytest.raises(EvidenceError, match="column 'impor' must be ya or tidak, got 'mungkin'"):
        score(toko(tmp_path), table_evidence("barang", rows))


def test_blank_required_cell_is_an_error_with_hint(tmp_path):
    rows = [{"nama": "a", "harga": " "}]
    with pytest.raises(EvidenceError) as info:
        score(toko(tmp_path), table_evidence("barang", rows))
    assert "column 'harga' is empty" in info.value.message
    assert "default" in info.value.hint


def test_empty_csv_file_is_an_error(tmp_path):
    evidence = write_csv(tmp_path, "")  # read when a formula needs its rows
    with pytest.raises(EvidenceError, match=r"table file barang\.csv is empty") as info:
        score(toko(tmp_path), evidence)
    assert info.value.location.path.endswith("barang.csv") and info.value.location.line == 1


def test_header_only_csv_is_an_error(tmp_path):
    evidence = write_csv(tmp_path, "nama,harga\n")
    with pytest.raises(EvidenceError) as info:
        score(toko(tmp_path), evidence)
    assert info.value.code == "empty-table"
    assert info.value.message == "table 'barang' (barang.csv) has no data rows"


def test_error_inside_a_row_formula_names_the_row_and_the_formula(tmp_path):
    extra = """[indicators.pajak]
type = "records"
table = "barang"
row = 'lookup("pajak", row.nama)'
"""
    with pytest.raises(EvidenceError) as info:
        score(toko(tmp_path, "sum", extra), table_evidence("barang", ROWS, file="barang.csv"))
    err = info.value
    assert err.code == "row-eval"
    assert err.message.startswith("row 2 of table 'barang' (barang.csv): 'kertas' is not a key")
    assert 'formula `lookup("pajak", row.nama)` at' in err.hint and "toko.toml:" in err.hint
    assert err.location.line == 2


def test_unknown_column_in_row_formula_lists_the_columns(tmp_path):
    rubric = toko(tmp_path).__class__  # noqa: F841 - keep the loader import used
    path = tmp_path / "t.toml"
    path.write_text(
        RUBRIC.format(aggregate="sum", extra="").replace("row.harga * row.jumlah", "row.hrga"),
        encoding="utf-8",
    )
    with pytest.raises(EvidenceError) as info:
        score(load_rubric(path, plugins=PLUGINS), table_evidence("barang", ROWS))
    assert "'row.hrga' has no value here" in info.value.message
    assert "columns of table 'barang': nama, harga, jumlah, impor" in info.value.hint


def test_missing_table_without_fallback(tmp_path):
    with pytest.raises(EvidenceError) as info:
        score(toko(tmp_path), table_evidence("lain", ROWS))
    assert info.value.code == "missing-table"
    assert "reads table 'barang', which the evidence does not have" in info.value.message
    assert "tables given: lain" in info.value.hint


def test_fallback_reads_a_published_value(tmp_path):
    from tabular_support import facts_evidence

    node = score(
        toko(tmp_path, "sum", 'fallback = "evidence.belanja.total"'),
        facts_evidence("belanja", {"total": "23.010,00"}),
    ).root.children[0]
    assert node.value == Decimal("23010.00")
    assert node.extra["source"] == "fallback"


def test_fallback_without_the_published_value_says_both_ways(tmp_path):
    from tabular_support import facts_evidence

    with pytest.raises(EvidenceError) as info:
        score(
            toko(tmp_path, "sum", 'fallback = "evidence.belanja.total"'),
            facts_evidence("lain", {"x": "1"}),
        )
    assert "needs table 'barang' or its published value" in info.value.message


def test_value_above_the_maximum_is_refused_naming_the_row(tmp_path):
    with pytest.raises(EvidenceError) as info:
        score(toko(tmp_path, "max", 'max = "10000"'), table_evidence("barang", ROWS, file="b.csv"))
    assert info.value.code == "above-max"
    assert "'nilai' is 20000, above its maximum 10000" in info.value.message
    assert "b.csv row 3" in info.value.message


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("", None),
        ('aggregate = "median"', "unknown aggregate 'median'"),
    ],
)
def test_rubric_check_of_records_options(tmp_path, extra, message):
    text = RUBRIC.format(aggregate="sum", extra="")
    if extra:
        text = text.replace('aggregate = "sum"', extra)
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    if message is None:
        load_rubric(path, plugins=PLUGINS)
        return
    with pytest.raises(RubricError, match=message):
        load_rubric(path, plugins=PLUGINS)


def test_row_formula_syntax_error_points_into_the_rubric(tmp_path):
    path = tmp_path / "r.toml"
    text = RUBRIC.format(aggregate="sum", extra="").replace("row.harga * row.jumlah", "row.harga *")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path, plugins=PLUGINS)
    loc = info.value.location
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if t.startswith("row = "))
    assert loc.path == str(path) and loc.line == line and loc.key == "indicators.nilai.row"


def test_missing_row_formula_is_a_rubric_error(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(
        RUBRIC.format(aggregate="sum", extra="").replace('row = "row.harga * row.jumlah"\n', ""),
        encoding="utf-8",
    )
    with pytest.raises(RubricError, match="records indicator 'nilai' has no `row`"):
        load_rubric(path, plugins=PLUGINS)


# --- XLSX and the CLI ---------------------------------------------------------------------------


def test_xlsx_table_with_numbers_and_text(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Barang"
    for row in [
        ["Nama Barang", "Harga (Rp)", "jumlah"],
        ["kertas", 1500.5, 2],
        ["tinta", "20.000", None],
    ]:
        ws.append(row)
    wb.save(tmp_path / "barang.xlsx")
    (tmp_path / "ev.toml").write_text('[tables.barang]\nfile = "barang.xlsx"\n', encoding="utf-8")
    node = score(
        toko(tmp_path), read_evidence(tmp_path / "ev.toml", plugins=PLUGINS)
    ).root.children[0]
    assert node.value == Decimal("23001.0")
    first = next(i for i in node.derivation.inputs if i.name.startswith("row "))
    assert first.provenance.sheet == "Barang" and first.provenance.row == 2


def test_cli_exit_codes(tmp_path, monkeypatch, capsys):
    toko(tmp_path)
    (tmp_path / "barang.csv").write_text("nama,harga\na,1\nb,x\n", encoding="utf-8")
    (tmp_path / "ev.toml").write_text('[tables.barang]\nfile = "barang.csv"\n', encoding="utf-8")
    code, _, err = run_cli(
        ["score", str(tmp_path / "toko.toml"), str(tmp_path / "ev.toml")], monkeypatch, capsys
    )
    assert code == 2
    assert "barang.csv:3: error[cell-type]: row 3 of table 'barang'" in err
    (tmp_path / "barang.csv").write_text("nama,harga\na,1\nb,2\n", encoding="utf-8")
    code, out, _ = run_cli(
        ["score", str(tmp_path / "toko.toml"), str(tmp_path / "ev.toml")], monkeypatch, capsys
    )
    assert code == 0 and "3" in out
    code, out, _ = run_cli(
        ["explain", str(tmp_path / "toko.toml"), str(tmp_path / "ev.toml"), "nilai"],
        monkeypatch,
        capsys,
    )
    assert code == 0 and "row 2: row value (harga=1, jumlah=1) = 1" in out


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("rows.harga", "unknown name 'rows' in `row` formula"),
        ("row.harga * params.kurs", "unknown parameter 'kurs'"),
    ],
)
def test_rubric_check_of_names_in_row_formulas(tmp_path, row, message):
    path = tmp_path / "r.toml"
    text = RUBRIC.format(aggregate="sum", extra="").replace("row.harga * row.jumlah", row)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path, plugins=PLUGINS)
    assert any(message in d.message for d in info.value.diagnostics)


def test_row_is_not_a_name_outside_per_row_formulas(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(
        RUBRIC.format(aggregate="sum", extra='fallback = "row.harga"'), encoding="utf-8"
    )
    with pytest.raises(RubricError, match="unknown name 'row' in `fallback` formula"):
        load_rubric(path, plugins=PLUGINS)
