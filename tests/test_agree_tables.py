"""The two engines agree on the odd tables docs/fuzz-tables.md left open.

Each test scores a table on the Decimal interpreter (``--engine python``) and on DuckDB
(``--engine duckdb``), with and without ``--group-by``, and asserts the same figures, or
the same located error (exit code and message), on both.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from bulk_support import write_table

from evalengine.cli import main

ROOT = Path(__file__).resolve().parent.parent
IPASN = ROOT / "rubrics" / "ipasn-2019.toml"
PEGAWAI = ROOT / "examples" / "ipasn-belitung-timur" / "pegawai.csv"


def run(args: list[str]) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of the CLI."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def outcomes(rubric: Path, evidence: Path, group_by: str | None = None, fmt: str = "json"):
    """(exit code, JSON report or error text) on the python engine, then on duckdb."""
    found = []
    for engine in ("python", "duckdb"):
        args = ["score", str(rubric), str(evidence), "-f", fmt, "--engine", engine]
        code, out, err = run(args + (["--group-by", group_by] if group_by else []))
        if code in (0, 1) and fmt == "json":
            report = json.loads(out)
            report.pop("engine", None)
            found.append((code, report))
        else:
            found.append((code, err.strip()))
    return found


def evidence_for(folder: Path, rubric_id: str, table: str, file: str, extra: str = "") -> Path:
    path = folder / "e.toml"
    path.write_text(
        f'[evidence]\nrubric = "{rubric_id}"\n{extra}[tables.{table}]\nfile = "{file}"\n'
    )
    return path


def pegawai(extra_header: str, extra_cell: str = "Fungsional") -> tuple[list[str], list[list]]:
    """The example roster with one more column (header, rows)."""
    lines = PEGAWAI.read_text(encoding="utf-8").splitlines()
    header = [*lines[0].split(";"), extra_header]
    rows = [[*line.split(";"), extra_cell] for line in lines[1:] if line.strip()]
    return header, rows


# -- 1. a header naming a declared column twice -------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "repeated"),
    [
        ("csv", "Jenis Jabatan"),  # the same name twice
        ("csv", "jenis  jabatan"),  # another case and spacing: the same declared column
        ("csv", "jabatan"),  # an alias of it
        ("xlsx", "Jenis Jabatan"),  # read by python-calamine (fastexcel renames a repeat)
        ("xlsx", "JenisJabatan"),  # read by fastexcel straight into Arrow
        ("parquet", "JenisJabatan"),
    ],
)
@pytest.mark.parametrize("group_by", [None, "instansi"])
def test_a_header_naming_a_declared_column_twice_stops_both_engines(
    tmp_path, fmt, repeated, group_by
):
    """DuckDB read one of the two columns and went on; the document path stops with
    ``duplicate-column`` naming the file, the column and both headers."""
    header, rows = pegawai(repeated)
    if group_by:
        header, rows = (
            [*header, group_by],
            [[*r, "A" if i % 2 else "B"] for i, r in enumerate(rows)],
        )
    file = write_table(tmp_path, fmt, header, rows)
    (py_code, py), (db_code, db) = outcomes(
        IPASN, evidence_for(tmp_path, "ipasn", "pegawai", file, 'version = "2019"\n'), group_by
    )
    assert py_code == db_code == 2
    assert "duplicate-column" in py
    assert f"Jenis Jabatan, {repeated}" in py
    assert py == db


# -- 4. DuckDB names the indicator whose formula failed ------------------------------------

TWO = """[rubric]
id = "two"
title = "two"
version = "test"
value = "sum(children)"

[tables.k]
A = 1
B = 2

[indicators.plain]
title = "Plain"
type = "records"
table = "t"
row = 'row.x + 1'
aggregate = "sum"

[indicators.keyed]
title = "Keyed"
type = "records"
table = "t"
row = 'lookup("k", row.g)'
aggregate = "sum"
{more}"""


def stop_past_the_limit(
    rubric: Path, evidence: Path, group_by: str | None, fmt: str, indicator: str
) -> str:
    """Both engines stop on a result past 10^24; DuckDB's message (the interpreter's, with
    its row, for a CSV table; else naming the indicator)."""
    (py_code, py), (db_code, db) = outcomes(rubric, evidence, group_by)
    assert py_code == db_code == 2
    for text in (py, db):
        assert "exceeds the limit 1E+24" in text
    if fmt == "csv":  # the interpreter names the row on DuckDB's error path too
        assert py == db
    else:
        assert f"'{indicator}' on table 't'" in db
    return db


@pytest.mark.parametrize("group_by", [None, "g"])
@pytest.mark.parametrize("also_failing", [False, True])
def test_duckdb_names_the_indicator_whose_formula_failed(tmp_path, group_by, also_failing):
    """A key missing from the lookup table in the second indicator's formula: DuckDB's
    one scan of the table failed and its error named the table's first indicator."""
    more = ""
    if also_failing:  # a later indicator failing too: the first in evaluation order is named
        more = '\n[indicators.later]\ntitle = "L"\ntype = "records"\ntable = "t"\n'
        more += 'row = \'row.x * lookup("k", row.g)\'\naggregate = "sum"\n'
    rubric = tmp_path / "two.toml"
    rubric.write_text(TWO.format(more=more))
    (tmp_path / "t.csv").write_text("x,g\n1,A\n2,C\n3,B\n")
    (py_code, py), (db_code, db) = outcomes(
        rubric, evidence_for(tmp_path, "two", "t", "t.csv"), group_by
    )
    assert py_code == db_code == 2
    line = TWO.format(more=more).splitlines().index("[indicators.keyed]") + 1
    assert "'C' is not a key of table 'k'" in py
    assert f"two.toml:{line + 4}:" in py  # the interpreter's hint: the failing formula
    # a small CSV: DuckDB's error path has the interpreter evaluate the failing
    # indicator's rows (first_row_error), so it names the row too: the same error
    assert py == db


# -- 3. text cells with a tab or a no-break space at an edge ---------------------------------

MINI_HEADER = ["nip", "instansi", "pendidikan", "diklat", "seminar", "skp", "hukuman"]
MINI_ROWS = [
    [1, "A", "S1", 2, 1, 90, "tidak"],
    [2, "A", "S2", 4, 0, 85.5, "tidak"],
    [3, "B", "S3", 3, 2, 95, "tidak"],
    [4, "B", "D3", 0, 0, 60, "ringan"],
    [5, "C", "S1", 2, 0, 80, "tidak"],
]


def mini_table(folder: Path, fmt: str, rows: list[list]) -> str:
    """ipasn-mini's roster as ``fmt`` (``xlsx-calamine``: a sheet fastexcel leaves to
    python-calamine, its nip column mixing numbers and text)."""
    if fmt == "csv":
        import csv

        with (folder / "t.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows([MINI_HEADER, *rows])
        return "t.csv"
    if fmt == "xlsx-calamine":
        rows = [["x", *r[1:]] if i == 0 else r for i, r in enumerate(rows)]
        fmt = "xlsx"
    if fmt == "xlsx":
        return write_table(folder, "xlsx", MINI_HEADER, rows)
    import duckdb

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t (nip BIGINT, instansi VARCHAR, pendidikan VARCHAR, diklat BIGINT, "
        "seminar BIGINT, skp DOUBLE, hukuman VARCHAR)"
    )
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute(f"COPY t TO '{folder / 't.parquet'}' (FORMAT parquet)")
    con.close()
    return "t.parquet"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "xlsx-calamine", "parquet"])
@pytest.mark.parametrize("space", ["\t", "\u00a0", "\u2003", "\x1f", " \t "])
@pytest.mark.parametrize("group_by", [None, "instansi"])
def test_text_cells_are_stripped_alike_on_both_engines(tmp_path, fmt, space, group_by):
    """A tab or a no-break space around a lookup key (``pendidikan``), a compared label
    (``hukuman == "tidak"``) or a group key: the document path strips it (str.strip),
    DuckDB's trim took spaces only (a key missing from the lookup table, a label not
    equal, exit 2 or other figures)."""
    from test_fuzz_tables import IPASN, agree

    rows = [list(r) for r in MINI_ROWS]
    rows[1][1], rows[1][2], rows[1][6] = f"A{space}", f"{space}S2", f"tidak{space}"
    rows[3][1], rows[3][2] = f"{space}B", f"D3{space}"
    rows[4][6] = f"{space}tidak{space}"
    file = mini_table(tmp_path, fmt, rows)
    code, found = agree(IPASN, evidence_for(tmp_path, "ipasn-mini", "pegawai", file), group_by)
    assert code == 0
    # the figures of the clean table: the spaces change nothing
    clean = tmp_path / "clean"
    clean.mkdir()
    file = mini_table(clean, fmt, [list(r) for r in MINI_ROWS])
    assert agree(IPASN, evidence_for(clean, "ipasn-mini", "pegawai", file), group_by) == (
        code,
        found,
    )


# -- 2. results beyond the interpreter's limit (10^24) ------------------------------------

LIMITS = """[rubric]
id = "limits"
title = "limits"
version = "test"
value = "{top}"

[indicators.plain]
title = "Plain"
type = "records"
table = "t"
row = 'row.x'
aggregate = "sum"

[indicators.product]
title = "Product"
type = "records"
table = "t"
row = 'min(40, row.x * row.y)'
aggregate = "max"
"""


def limits_table(folder: Path, fmt: str, rows: list[tuple]) -> Path:
    """A table x, y, g (as CSV or XLSX with spreadsheet numbers) and its evidence file."""
    if fmt == "csv":
        lines = ["x,y,g", *(",".join(map(str, r)) for r in rows)]
        (folder / "t.csv").write_text("\n".join(lines) + "\n")
        file = "t.csv"
    else:
        file = write_table(folder, "xlsx", ["x", "y", "g"], [list(r) for r in rows])
    return evidence_for(folder, "limits", "t", file)


@pytest.mark.parametrize("group_by", [None, "g"])
@pytest.mark.parametrize(
    ("fmt", "rows"),
    [
        ("csv", [(10**13, 10**12, "A"), (2, 3, "B")]),  # a product of two big cells
        ("xlsx", [(1e30, 1, "A"), (2.5, 3, "B")]),  # 1e30 in a spreadsheet cell
        ("xlsx", [(1e13, 1e12, "A"), (2.5, 3, "B")]),
    ],
)
def test_a_result_beyond_the_limit_stops_both_engines(tmp_path, fmt, rows, group_by):
    """The interpreter stops on an arithmetic result past 10^24; DuckDB computed it (and
    `min(40, …)` hid it in the row's value)."""
    rubric = tmp_path / "limits.toml"
    # `plain` sums y: a sum of x past the limit would be the first error (its aggregate)
    text = LIMITS.format(top="sum(children)").replace("row = 'row.x'", "row = 'row.y'")
    rubric.write_text(text)
    stop_past_the_limit(rubric, limits_table(tmp_path, fmt, rows), group_by, fmt, "product")


@pytest.mark.parametrize("group_by", [None, "g"])
def test_a_result_at_the_limit_is_computed_on_both_engines(tmp_path, group_by):
    """10^12 × 10^12 is 10^24, within the limit: DuckDB stopped with an INT64 overflow
    (both columns read as BIGINT)."""
    from test_fuzz_tables import agree

    rubric = tmp_path / "limits.toml"
    rubric.write_text(
        LIMITS.format(top="sum(children)").replace("min(40, ", "(").replace('"max"', '"sum"')
    )
    rows = [(10**12, 10**12, "A"), (2, 3, "B"), (-(10**12), 10**12, "B")]
    code, found = agree(rubric, limits_table(tmp_path, "csv", rows), group_by)
    assert code == 0
    assert found["result/product.value"] == str(10**24 + 6 - 10**24)


def test_an_upper_level_result_beyond_the_limit_stops_both_engines(tmp_path):
    """Per group the rubric's upper levels are computed on DuckDB too: their arithmetic
    is checked as the interpreter checks it."""
    rubric = tmp_path / "limits.toml"
    rubric.write_text(LIMITS.format(top="plain * plain"))
    rows = [(10**13, 1, "A"), (-(10**13) + 1, 1, "B"), (5, 1, "C")]
    evidence = limits_table(tmp_path, "csv", rows)
    found = outcomes(rubric, evidence, "g")
    assert found[0][0] == found[1][0] == 0  # the whole table: 6 × 6
    groups = [{g["group"]: g for g in report["groups"]} for _, report in found]
    for by_key in groups:
        assert by_key["C"]["value"] == str(36 - 11)  # 5 × 5
        for key in ("A", "B"):
            assert by_key[key].get("value") is None
            assert "exceeds the limit" in by_key[key]["error"]


@pytest.mark.parametrize(
    "cell", [str(10**30), "1.000.000.000.000.000.000.000.001", "-1" + "0" * 25]
)
def test_a_csv_number_past_the_limit_is_text_on_both_engines(tmp_path, cell):
    """A CSV cell past 10^24 is text to the interpreter (``to_decimal`` refuses it): a
    row formula reading it stops. DuckDB read the column as numbers and summed it, then
    (text) said "the row formula gives text" where the interpreter names the row: the
    same error now."""
    rubric = tmp_path / "limits.toml"
    rubric.write_text(LIMITS.format(top="sum(children)").split("[indicators.product]")[0])
    evidence = limits_table(tmp_path, "csv", [(cell, 1, "A"), (2, 3, "B")])
    (py_code, py), (db_code, db) = outcomes(rubric, evidence)
    assert py_code == db_code == 2
    assert f"row 2 of table 't' (t.csv): the `row` formula of 'plain' gave '{cell}'" in py
    assert py == db
    # 10^24 itself is a number on both
    # (a sum past it is an error: see test_a_records_aggregate_beyond_the_limit…)
    evidence = limits_table(tmp_path, "csv", [(10**24, 1, "A"), (-2, 3, "B")])
    (py_code, py), (db_code, db) = outcomes(rubric, evidence)
    assert py_code == db_code == 0
    assert py["headline"]["value"] == db["headline"]["value"] == str(10**24 - 2)


@pytest.mark.parametrize("op", ["+", "-"])
def test_two_big_integer_cells_add_on_both_engines(tmp_path, op):
    """Two cells near 9.2·10^18 (BIGINT columns on DuckDB) added or subtracted: the
    interpreter computes it; DuckDB stopped with an INT64 overflow."""
    from test_fuzz_tables import agree

    rubric = tmp_path / "limits.toml"
    rubric.write_text(
        LIMITS.format(top="sum(children)").replace("min(40, row.x * row.y)", f"row.x {op} row.y")
    )
    big = 9 * 10**18
    rows = [(big, big if op == "+" else -big, "A"), (2, 3, "B")]
    code, found = agree(rubric, limits_table(tmp_path, "csv", rows), None)
    assert code == 0
    assert found["result/product.value"] == str(2 * big)  # the max of the rows


# -- 5. a quotient of two columns past the limit -------------------------------------------

QUOTIENT = (
    LIMITS.split("[indicators.product]")[0]
    + """
[indicators.quotient]
title = "Quotient"
type = "records"
table = "t"
row = '{row}'
aggregate = "sum"
"""
)


@pytest.mark.parametrize("group_by", [None, "g"])
@pytest.mark.parametrize(
    "row",
    [
        "round(row.x / row.y, 2)",
        "if row.x / row.y > 1 then 1 else 0",  # compared, never rounded
        "round(row.x / row.y * 2, 0)",  # the quotient, then a product of it
    ],
)
@pytest.mark.parametrize(
    ("fmt", "rows"),
    [
        ("csv", [("100000000000000000000", "0.000001", "A"), (2, 4, "B")]),
        ("xlsx", [(1e20, 1e-6, "A"), (2, 4, "B")]),  # spreadsheet numbers (float columns)
        ("csv", [("-1000000000000000000000", "0.0001", "A"), (2, 4, "B")]),
    ],
)
def test_a_quotient_beyond_the_limit_stops_both_engines(tmp_path, fmt, rows, row, group_by):
    """`row.x / row.y` past 10^24 (10^20 / 10^-6): the interpreter stops on the quotient;
    DuckDB kept it as an exact fraction, which was never checked, and rounded or
    compared it."""
    rubric = tmp_path / "limits.toml"
    rubric.write_text(QUOTIENT.format(top="sum(children)", row=row))
    db = stop_past_the_limit(rubric, limits_table(tmp_path, fmt, rows), group_by, fmt, "quotient")
    assert fmt == "csv" or "in `row.x / row.y`" in db


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # 10^18 / 10^-6 is 10^24, at the limit: a number on both
        ([("1000000000000000000", "0.000001", "A"), (-2, 4, "B")], 10**24 - 1),
        ([("1000000000000000000", "-0.000001", "A"), (2, 4, "B")], -(10**24) + 1),
        ([("999999999999999999", "0.000001", "A"), (2, 4, "B")], 10**24 - 10**6 + 1),
    ],
)
def test_a_quotient_at_the_limit_is_computed_on_both_engines(tmp_path, rows, expected):
    from test_fuzz_tables import agree

    rubric = tmp_path / "limits.toml"
    rubric.write_text(QUOTIENT.format(top="sum(children)", row="round(row.x / row.y, 0)"))
    code, found = agree(rubric, limits_table(tmp_path, "csv", rows), "g")
    assert code == 0
    assert found["result/quotient.value"] == str(expected)  # x / y + round(±2 / 4, 0)


def test_a_zero_divisor_is_division_by_zero_on_both_engines(tmp_path):
    """A quotient that may pass the limit is checked, but a zero divisor is no result
    past the limit: both engines say "division by zero"."""
    rubric = tmp_path / "limits.toml"
    rubric.write_text(QUOTIENT.format(top="sum(children)", row="round(row.x / row.y, 2)"))
    rows = [("2", "0.000001", "A"), ("100000000000000000000", "0", "B")]
    (py_code, py), (db_code, db) = outcomes(rubric, limits_table(tmp_path, "csv", rows))
    assert py_code == db_code == 2
    for text in (py, db):
        assert "division by zero" in text


def test_a_quotient_that_cannot_pass_the_limit_is_not_checked(tmp_path):
    """Integer columns (a divisor of at least 1) cannot make a quotient past 10^24: the
    compiled SQL has no check (the bulk path's speed), and none is needed."""
    from decimal import Decimal

    from evalengine.evaluate.sql import Column, SqlCompiler
    from evalengine.formula import parse_formula
    from evalengine.rubric.model import Formula

    def sql(row: str, y: Column) -> str:
        x = Column("x", "number", 0, bound=Decimal(2**64))
        formula = Formula(row, parse_formula(row), None)
        return SqlCompiler(formula, {"x": x, "y": y}, None, {}, None).number_sql_expr().sql

    row = "round(row.x / row.y * 100, 2)"
    assert "exceeds the limit" not in sql(row, Column("y", "number", 0, bound=Decimal(2**64)))
    assert "exceeds the limit" in sql(row, Column("y", "number", 6, bound=Decimal(10)))


@pytest.mark.parametrize("group_by", [None, "g"])
@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("min(row.x, row.y) + row.z", 18 * 10**18),
        ("max(row.x, row.y) - -row.z", 18 * 10**18 + 10**17),
        ("abs(row.x) + abs(row.z)", 18 * 10**18),
        ("(if row.x > row.y then row.x else row.y) + row.z", 18 * 10**18 + 10**17),
        ("round(row.x, 0) + row.z", 18 * 10**18),
        ("sum(row.x, row.z)", 18 * 10**18),
        ("sum(row.x, 1, row.z)", 18 * 10**18 + 1),
        ("mean(row.x, row.z) * 2", 18 * 10**18),
        ("min(row.x, row.y) * min(row.z, 2)", 18 * 10**18),
    ],
)
def test_big_integer_cells_through_a_function_add_on_both_engines(
    tmp_path, row, expected, group_by
):
    """Cells near 9.2·10^18 (BIGINT columns on DuckDB) combined through a function
    first: ``least``, ``abs``, a ``CASE`` and ``sum`` of BIGINTs are BIGINTs, and DuckDB
    stopped with "Overflow in addition of INT64"; the interpreter computes the sum."""
    from test_fuzz_tables import agree

    rubric = tmp_path / "limits.toml"
    rubric.write_text(LIMITS.format(top="sum(children)").replace("min(40, row.x * row.y)", row))
    big = 9 * 10**18
    (tmp_path / "t.csv").write_text(f"x,y,z,g\n{big},{big + 10**17},{big},A\n2,3,1,B\n")
    code, found = agree(rubric, evidence_for(tmp_path, "limits", "t", "t.csv"), group_by)
    assert code == 0
    assert found["result/product.value"] == str(expected)  # the max of the rows


@pytest.mark.parametrize("group_by", [None, "g"])
@pytest.mark.parametrize(
    ("row", "where", "message"),
    [
        ("row.x", None, "row 4 of table 't' (t.csv): the `row` formula of 'product' gave"),
        ("row.x * 2 + row.y", None, "row 4 of table 't' (t.csv): expected a number, got text"),
        ("row.y + row.x", 'row.g != "B"', "row 6 of table 't' (t.csv): expected a number"),
        ("1", "row.x > 0", "row 4 of table 't' (t.csv): expected a number, got text"),
    ],
)
@pytest.mark.parametrize("cell", [str(10**30), "abc", "1,2,3"])
def test_a_text_cell_in_a_number_formula_is_one_error_on_both_engines(
    tmp_path, cell, row, where, message, group_by
):
    """A CSV column holding one cell that is no number (a word, or a number past the
    limit): the interpreter names the first row it stops on (after `where`); DuckDB
    types the column as text and said "expected a number, got text (in `row.x`)" or
    "the row formula gives text", without the row. Now both give the interpreter's
    error: message, file, line, hint."""
    rubric = tmp_path / "limits.toml"
    head, product = LIMITS.format(top="sum(children)").split("[indicators.product]")
    text = head.split("[indicators.plain]")[0] + "[indicators.product]" + product
    text = text.replace("min(40, row.x * row.y)", row)
    if where:
        text = text.replace('aggregate = "max"', f"where = '{where}'\naggregate = \"max\"")
    rubric.write_text(text)
    rows = [(1, 1, "A"), (f'"{cell}"', 1, "B"), (3, 1, "A"), (f'"{cell}"', 2, "A")]
    evidence = limits_table(tmp_path, "csv", [(2, 3, "B"), *rows])
    (py_code, py), (db_code, db) = outcomes(rubric, evidence, group_by)
    assert py_code == db_code == 2
    assert message in py
    assert py == db


# -- 6. one wording for the warnings of invalid survey answers ------------------------------


@pytest.mark.parametrize("group_by", [None, "unit"])
def test_invalid_answer_warnings_are_worded_alike_on_both_engines(tmp_path, group_by):
    """The document path listed each invalid answer (``row 104 (responses.csv): u7
    (Prilaku Pelaksana) = '' is blank — …``), DuckDB counted them per reason (``2 row(s)
    (responses.csv): u7 is blank — …``), in warnings and ``dropped_reasons``. Both count
    per reason in one wording now, naming the header; the document path adds the first
    rows."""
    from bulk_support import ikm_example_in_two_units
    from paths import RUBRICS
    from test_bulk_survey import without_rows

    evidence = ikm_example_in_two_units(tmp_path)
    (py_code, py), (db_code, db) = outcomes(RUBRICS / "ikm-2017.toml", evidence, group_by)
    assert py_code == db_code == 0
    pairs = [(py, db)]
    if group_by:
        groups = [sorted(r["groups"], key=lambda g: g["group"]) for r in (py, db)]
        pairs += list(zip(*groups, strict=True))
    for p, d in pairs:
        assert [without_rows(w) for w in p["warnings"]] == d["warnings"]
    assert "u7 (Prilaku Pelaksana) is blank: 2 row(s)" in json.dumps(db["result"])
    warned = [w for w in py["warnings"] if "u7 (Prilaku Pelaksana) is blank" in w]
    assert warned == [
        "U7 Perilaku Pelaksana: 2 row(s) (responses.csv): u7 (Prilaku Pelaksana) is blank — "
        "reported, never summed (respondent dropped); rows 103, 104"
    ]
    assert any("row 102 = '5'" in w for w in py["warnings"])


def test_an_upper_level_quotient_beyond_the_limit_stops_both_engines(tmp_path):
    """Per group, a mean (an exact fraction on DuckDB: Σ / n) squared by the rubric's
    top formula: the interpreter checks the product; DuckDB left fractions unchecked."""
    rubric = tmp_path / "limits.toml"
    text = LIMITS.format(top="plain * plain").split("[indicators.product]")[0]
    text = text.replace('aggregate = "sum"', 'aggregate = "mean"')
    rubric.write_text(text.replace('version = "test"', 'version = "test"\nround = 2'))
    rows = [(3 * 10**12, 1, "A"), (2 * 10**12, 1, "A"), (5, 1, "C"), (4, 1, "C"), (2, 1, "C")]
    rows += [(0, 1, "B")] * 5  # the whole table: a mean of 5·10^11 + 1.1, squared
    found = outcomes(rubric, limits_table(tmp_path, "csv", rows), "g")
    assert found[0][0] == found[1][0] == 0
    groups = [{g["group"]: g for g in report["groups"]} for _, report in found]
    for by_key in groups:
        assert by_key["C"]["value"] == "13.44"  # (11 / 3)^2
        assert by_key["A"].get("value") is None  # 2.5·10^12 squared
        assert "exceeds the limit" in by_key["A"]["error"]
    assert found[0][1]["headline"] == found[1][1]["headline"]


# -- 7. a records aggregate past the limit ---------------------------------------------------


@pytest.mark.parametrize("group_by", [None, "g"])
@pytest.mark.parametrize(("row", "aggregate"), [("row.x", "sum"), ("sum(row.x, row.y)", "max")])
def test_a_records_aggregate_beyond_the_limit_stops_both_engines(
    tmp_path, row, aggregate, group_by
):
    """Two cells of 6·10^23 summed over the rows (or by ``sum(…)`` in a row): each value
    is within the limit, the aggregate 1.2·10^24 is not. Both engines reported the sum
    as the figure; both stop now, with one message, the group's error per group."""
    rubric = tmp_path / "limits.toml"
    text = LIMITS.format(top="sum(children)").split("[indicators.product]")[0]
    rubric.write_text(text.replace("row.x'", f"{row}'").replace('"sum"', f'"{aggregate}"'))
    big = 6 * 10**23
    rows = [(big, big, "A"), (big, 1, "A"), (2, 3, "B")]
    (py_code, py), (db_code, db) = outcomes(rubric, limits_table(tmp_path, "csv", rows), group_by)
    assert py_code == db_code == 2
    assert f"'plain': the {aggregate} of the per-row values of table 't' (t.csv) is 1.200E+24" in py
    assert py == db
    # per group: only group A's sum passes the limit
    rows = [(big, 1, "A"), (big, 1, "A"), (-big, 1, "B"), (-big, 3, "B"), (2, 3, "C")]
    if group_by and aggregate == "sum":
        found = outcomes(rubric, limits_table(tmp_path, "csv", rows), group_by)
        assert found[0][0] == found[1][0] == 0  # the whole table: 2
        groups = [{g["group"]: g for g in report["groups"]} for _, report in found]
        assert groups[0] == groups[1]
        assert "past the limit" in groups[0]["A"]["error"]
        assert groups[0]["C"]["value"] == "2"


def test_an_aggregate_past_the_limit_is_the_first_error_on_both_engines(tmp_path):
    """1e30 in a spreadsheet cell: `plain` (the sum of x) comes first in evaluation order
    and the interpreter stops on its aggregate; DuckDB's one scan failed on `product`'s
    row formula and named that."""
    rubric = tmp_path / "limits.toml"
    rubric.write_text(LIMITS.format(top="sum(children)"))
    evidence = limits_table(tmp_path, "xlsx", [(1e30, 1, "A"), (2.5, 3, "B")])
    for group_by in (None, "g"):
        (py_code, py), (db_code, db) = outcomes(rubric, evidence, group_by)
        assert py_code == db_code == 2
        for text in (py, db):
            assert "'plain': the sum of the per-row values of table 't'" in text
            assert "is 1.000E+30, past the limit 1E+24" in text


def test_a_column_no_decimal_38_holds_is_refused_clearly(tmp_path):
    """10000000 beside 2.220446049250313e-16 (found by test_bulk_xlsx_arrow's random
    sheets): no DECIMAL(38, s) holds both, and the view's cast failed when it was read
    ("Could not convert string "10000000" to DECIMAL(38,31)", named after an indicator).
    DuckDB refuses the column by name, as it refuses such a float column; the interpreter
    computes it (docs/fuzz-tables.md, open)."""
    rubric = tmp_path / "limits.toml"
    rubric.write_text(LIMITS.format(top="sum(children)").split("[indicators.product]")[0])
    rows = [(10000000, 1, "A"), ("0.0000000000000002220446049250313", 3, "B")]
    (py_code, _), (db_code, db) = outcomes(rubric, limits_table(tmp_path, "csv", rows))
    assert py_code == 0
    assert db_code == 2
    assert "cannot read table 't' (t.csv): column 'x' holds numbers with more than 38" in db


@pytest.mark.parametrize("group_by", [None, "g"])
@pytest.mark.parametrize(
    ("row", "rows"),
    [
        # DuckDB: "'product' on table 't' (t.csv): division by zero in `…`", no row
        ("round(1000 / (row.x * 2 / max(row.x, 0.5)), 2)", [(1, 1, "A"), (0, 1, "B")]),
        # an earlier row's result past the limit, before a later row's text cell: DuckDB
        # refused the text column (the interpreter's first error is the earlier row's)
        ("row.x * row.y", [(10**13, 10**12, "A"), ("abc", 1, "B")]),
    ],
)
def test_a_small_csv_gives_the_interpreters_first_error_on_both_engines(
    tmp_path, row, rows, group_by
):
    """On DuckDB's error path a small CSV is evaluated row by row by the interpreter for
    the failing indicator: the same error, row, file and line as the document path."""
    rubric = tmp_path / "limits.toml"
    head, product = LIMITS.format(top="sum(children)").split("[indicators.product]")
    text = head.split("[indicators.plain]")[0] + "[indicators.product]" + product
    rubric.write_text(text.replace("min(40, row.x * row.y)", row))
    (py_code, py), (db_code, db) = outcomes(rubric, limits_table(tmp_path, "csv", rows), group_by)
    assert py_code == db_code == 2
    assert "row 3 of table 't' (t.csv)" in py or "row 2 of table 't' (t.csv)" in py
    assert py == db
