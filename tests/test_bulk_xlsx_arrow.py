"""XLSX sheets read by fastexcel straight into Arrow for DuckDB, against the document path.

Every case writes a workbook with xlsxwriter and reads it twice: as the document path
reads it (``evidence.tables.read_table_file``, each cell as the interpreter sees it) and
as the bulk path types it in DuckDB (``bulk.source.open_table``). The typed view must
hold the same columns, rows, kinds, scales and values. Sheets fastexcel cannot give
exactly (a column of numbers and text, dates, headers that are not plain text, …) must
take the calamine→CSV path, which reads them as it always has.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import EXAMPLES

from evalengine.bulk import cells, sheets, source
from evalengine.errors import EvalEngineError, EvidenceError
from evalengine.evaluate.engine import evidence_value
from evalengine.evaluate.sql import decimal_scale, quote_ident
from evalengine.evidence.tables import FileTable, _cell, read_table_file

ERROR = object()  # a formula cell whose cached value is #DIV/0!


def write_book(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """Cells: None blank, bool, int/float number, str text, date/datetime/timedelta, ERROR."""
    book = xlsxwriter.Workbook(str(path))
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    hours = book.add_format({"num_format": "[h]:mm:ss"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                if cell is ERROR:
                    sheet.write_formula(r, c, "=1/0", None, "#DIV/0!")
                elif isinstance(cell, bool):
                    sheet.write_boolean(r, c, cell)
                elif isinstance(cell, int | float):
                    sheet.write_number(r, c, cell)
                elif isinstance(cell, dt.datetime):
                    sheet.write_datetime(r, c, cell, stamp)
                elif isinstance(cell, dt.date):
                    sheet.write_datetime(r, c, cell, day)
                elif isinstance(cell, dt.timedelta):
                    sheet.write_number(r, c, cell / dt.timedelta(days=1), hours)
                else:
                    sheet.write_string(r, c, cell)
    book.close()
    return path


def bulk_read(file: Path, sheet: str | None = None, group=frozenset()):
    """(path taken, {column: (kind, scale, SQL type)}, rows) of the typed rows."""
    con = source.connect()
    with mock.patch.object(sheets, "xlsx_view", wraps=sheets.xlsx_view) as calamine:
        bt = source.open_table(con, FileTable(file, "t", sheet=sheet), "v", text_columns=group)
    try:
        names = ", ".join(quote_ident(c) for c in bt.columns)
        types = dict(
            con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {bt.query})").fetchall()
        )
        rows = con.execute(f"SELECT {names} FROM {bt.relation}").fetchall()
    finally:
        bt.cleanup()
        con.close()
    assert all(not Path(p).exists() for p in bt.temp_files)
    columns = {n: (c.kind, c.scale, types[n]) for n, c in bt.columns.items()}
    return ("calamine" if calamine.called else "arrow"), columns, rows


def document(file: Path, sheet: str | None = None):
    """What the typed view must hold, from the document path's cells.

    A column whose non-blank cells the interpreter reads as numbers is a number column
    (scale: the most decimals any cell has), one of booleans a bool column, any other
    a text column (the cell's text, trimmed; blank is ''). Blank numbers and booleans
    are NULL.
    """
    table = read_table_file(file, "t", sheet=sheet)
    columns = list(dict.fromkeys(table.columns))
    values = {c: [evidence_value(r[c]) for r in table.rows] for c in columns}
    kinds: dict[str, tuple[str, int]] = {}
    for c, vs in values.items():
        seen = [v for v in vs if v != ""]
        if seen and all(isinstance(v, Decimal) for v in seen):
            kinds[c] = ("number", max(decimal_scale(v.normalize()) for v in seen))
        elif seen and all(isinstance(v, bool) for v in seen):
            kinds[c] = ("bool", 0)
        else:
            kinds[c] = ("text", 0)

    def cell(c: str, row: dict) -> Any:
        kind = kinds[c][0]
        if kind == "text":
            return str(row[c].value).strip()
        value = evidence_value(row[c])
        return None if value == "" else value

    rows = [tuple(cell(c, r) for c in columns) for r in table.rows]
    return kinds, rows


def assert_same(file: Path, sheet: str | None = None, group=frozenset()) -> dict:
    """The typed view (fastexcel path) holds exactly the document path's table."""
    path, columns, rows = bulk_read(file, sheet, group)
    assert path == "arrow"
    kinds, expected = document(file, sheet)
    assert list(columns) == list(kinds)
    assert {c: v[:2] for c, v in columns.items()} == kinds
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert got == want  # Decimal('0.10') == Decimal('0.1'), 5 == Decimal(5)
    return columns


def test_floats_are_the_exact_decimals_of_their_shortest_repr(tmp_path):
    cells = [0.1, 2.675, 1e-7, 1.5e-7, 1e16, 123456789.123, -0.0, 5.0, 99.995, 1234567.0000001]
    book = write_book(tmp_path / "f.xlsx", {"s": [["x", "whole"], *[[v, 7.0] for v in cells]]})
    columns = assert_same(book)
    # 2.675 is two and a bit (never the Indonesian thousands 2675); 1.5e-7 needs 8 decimals
    assert columns["x"][:2] == ("number", 8)
    assert columns["whole"] == ("number", 0, "BIGINT")  # whole numbers are integers
    _, _, rows = bulk_read(book)
    assert rows[1][0] == Decimal("2.675") and rows[3][0] == Decimal("1.5E-7")


def test_text_that_looks_like_indonesian_numbers(tmp_path):
    rows = [["nilai", "kode", "teks"], ["1.500", "79,03", "a"], [" 7 ", "1.234.567,5", "1.500"]]
    book = write_book(tmp_path / "t.xlsx", {"s": rows})
    columns = assert_same(book)
    assert columns["nilai"][:2] == ("number", 0) and columns["kode"][:2] == ("number", 2)
    assert columns["teks"][0] == "text"


def test_booleans_blanks_and_error_cells(tmp_path):
    rows = [
        ["flag", "n", "catatan"],
        [True, 1.5, None],
        [None, ERROR, "ok"],
        [False, 2.0, None],
        [True, None, None],
    ]
    columns = assert_same(write_book(tmp_path / "b.xlsx", {"s": rows}))
    assert columns["flag"][0] == "bool" and columns["n"][:2] == ("number", 1)


def test_header_names_blank_rows_and_ragged_rows(tmp_path):
    rows = [
        [" nama ", "nilai", "  ", "a ", " a", "q_1"],  # trimmed; "  " unnamed; "a" twice
        ["x", 1.0, None, "first", "last", 3.0],
        [None, None, None, None, None, None],  # a blank row is no row
        [" \u00a0\t", None, None, None, None, None],  # blank text is blank too
        [None, None, 9.0],  # only the unnamed column: a row of blank cells
        ["y", 2.5],  # ragged: the rest is blank
    ]
    assert_same(write_book(tmp_path / "h.xlsx", {"s": rows}))
    _, columns, got = bulk_read(tmp_path / "h.xlsx")
    assert list(columns) == ["nama", "nilai", "a", "q_1"]
    assert [r[2] for r in got] == ["last", "", ""]  # a name used twice means its last column
    assert len(got) == 3


def test_the_named_sheet_and_the_first_sheet(tmp_path):
    book = write_book(
        tmp_path / "s.xlsx", {"satu": [["a"], [1.0]], "dua": [["b"], ["2,25"], ["x y"]]}
    )
    assert assert_same(book) == {"a": ("number", 0, "BIGINT")}
    assert assert_same(book, "dua")["b"][0] == "text"


def test_a_text_group_key_keeps_the_fast_path(tmp_path):
    rows = [["instansi", "n"], [" A ", 1.0], ["B", 2.0]]
    book = write_book(tmp_path / "g.xlsx", {"s": rows})
    path, columns, _ = bulk_read(book, group={"instansi"})
    assert path == "arrow" and columns["instansi"][0] == "text"


def test_xlsm_takes_the_fast_path(tmp_path):
    book = write_book(tmp_path / "m.xlsx", {"s": [["a", "b"], [1.0, "x"], [2.5, "y"]]})
    assert_same(book.rename(tmp_path / "m.xlsm"))


# --- sheets the calamine path reads (as it always has) -----------------------------------------


FALLBACK = {
    "numbers and text in one column": [["m", "n"], [2.675, 1.0], ["x", 2.0], [1.0, 3.0]],
    "text far down a number column": [["m"], *[[i + 0.5] for i in range(1500)], ["teks"]],
    "dates": [["tanggal", "n"], [dt.date(2024, 1, 2), 1.0]],
    "datetimes": [["waktu", "n"], [dt.datetime(2024, 1, 2, 10, 30, 15), 1.0]],
    "durations": [["lama", "n"], [dt.timedelta(hours=36), 1.0]],
    "a number as a header": [[2024.0, "n"], [1.0, 2.0]],
    "a boolean as a header": [[True, "n"], [1.0, 2.0]],
    "a blank header over cells": [["a", None, "c"], [1.0, 2.0, 3.0]],
    "a name used twice exactly": [["a", "a"], [1.0, 2.0]],
    "a name like a renamed one": [["a", "a_1"], [1.0, 2.0]],
    "a blank first row": [[None, None], ["a", "b"], [1.0, 2.0]],
    "a header only": [["a", "b"]],
    "blank rows only": [["a", "b"], [None, " "]],
    "no representable decimal": [["a"], [1e-30], [1e15]],
}


@pytest.mark.parametrize("rows", list(FALLBACK.values()), ids=list(FALLBACK))
def test_sheets_fastexcel_cannot_give_exactly_take_the_calamine_path(tmp_path, rows):
    book = write_book(tmp_path / "x.xlsx", {"s": rows})
    try:
        path, columns, got = bulk_read(book)
    except (EvidenceError, duckdb.Error):
        return  # the calamine path refuses it, as before
    assert path == "calamine"
    with mock.patch.object(sheets, "xlsx_arrow", return_value=False):
        assert bulk_read(book)[1:] == (columns, got)


def test_a_number_as_group_key_takes_the_calamine_path(tmp_path):
    book = write_book(tmp_path / "k.xlsx", {"s": [["kode", "n"], [1.0, 2.0], [2.0, 3.0]]})
    path, columns, _ = bulk_read(book, group={"kode"})
    assert path == "calamine" and columns["kode"][0] == "text"


def test_names_differing_only_in_case_are_an_error_and_leave_no_file(tmp_path):
    """DuckDB's names ignore case: "Nama" and "nama" cannot both be columns there."""
    book = write_book(tmp_path / "c.xlsx", {"s": [["Nama", "nama"], ["a", "b"]]})
    temp = tmp_path / "temp"
    temp.mkdir()
    with (
        mock.patch.object(tempfile, "tempdir", str(temp)),
        pytest.raises(EvidenceError, match=r"cannot read table 't' \(c\.xlsx\)"),
    ):
        source.open_table(source.connect(), FileTable(book, "t"), "v")
    assert not list(temp.iterdir())


def test_an_empty_sheet(tmp_path):
    book = write_book(tmp_path / "e.xlsx", {"kosong": [], "isi": [["a"], [1.0]]})
    with pytest.raises(EvidenceError, match=r"sheet 'kosong' of e\.xlsx is empty"):
        read_table_file(book, "t", sheet="kosong")
    con = source.connect()
    table = FileTable(book, "t", sheet="isi")
    table.sheet = "kosong"
    with pytest.raises(EvidenceError):
        source.open_table(con, table, "v")


def test_a_missing_sheet_is_the_same_error_as_before(tmp_path):
    book = write_book(tmp_path / "s.xlsx", {"satu": [["a"], [1.0]]})
    table = FileTable(book, "t")
    table.sheet = "tiga"
    with pytest.raises(EvidenceError) as info:
        source.open_table(source.connect(), table, "v")
    assert info.value.message == "s.xlsx has no sheet 'tiga'"
    assert info.value.hint == "sheets: satu" and info.value.location.path == str(book)


def test_an_unreadable_workbook_is_an_evidence_error(tmp_path):
    bad = tmp_path / "rusak.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip archive" * 10)
    with pytest.raises(EvidenceError) as info:
        read_table_file(bad, "t")
    assert info.value.message.startswith("cannot read rusak.xlsx")
    assert info.value.hint and info.value.location.path == str(bad)
    table = FileTable.__new__(FileTable)  # skip the eager read: the bulk path reads it
    table.name, table.file, table.sheet, table.delimiter = "t", bad, None, None
    with pytest.raises(EvidenceError, match=r"cannot read rusak\.xlsx"):
        source.open_table(source.connect(), table, "v")


# --- random sheets ------------------------------------------------------------------------------

fraction = st.sampled_from([0.1, 2.675, 1.125, 99.995, 85.5, 0.45, 1e-7, 123456789.123, -0.0])
COLUMN_CELLS = {
    "whole": st.integers(-(10**6), 10**6).map(float),
    "fraction": st.one_of(st.integers(0, 100).map(float), fraction),
    "float": st.floats(-1e15, 1e15, allow_nan=False, allow_infinity=False),
    "numeric text": st.sampled_from(["1.500", "79,03", " 7 ", "-2", "1.234,5"]),
    "text": st.sampled_from(["A", " a ", "S1", "x, y", 'k "q"', "1.500", ""]),
    "bool": st.booleans(),
    "mixed": st.one_of(fraction, st.sampled_from(["x", "2,5"]), st.booleans()),
}
column = st.tuples(
    st.sampled_from(["a", "b", " c ", "d", "  "]), st.sampled_from(sorted(COLUMN_CELLS))
)


@st.composite
def random_sheets(draw):
    cols = draw(st.lists(column, min_size=1, max_size=5))
    n = draw(st.integers(1, 12))
    rows = [[name for name, _ in cols]]
    for _ in range(n):
        blank = draw(st.floats(0, 1))
        rows.append(
            [None if draw(st.floats(0, 1)) < blank / 2 else draw(COLUMN_CELLS[k]) for _, k in cols]
        )
    return rows


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=random_sheets())
def test_random_sheets_agree_with_the_document_path(tmp_path_factory, rows):
    book = write_book(tmp_path_factory.mktemp("r") / "r.xlsx", {"s": rows})
    try:
        path, columns, got = bulk_read(book)
    except EvidenceError:
        with (
            mock.patch.object(sheets, "xlsx_arrow", return_value=False),
            pytest.raises(EvidenceError),
        ):
            bulk_read(book)  # refused as before
        return
    if path == "arrow":
        assert_same(book)
    else:
        with mock.patch.object(sheets, "xlsx_arrow", return_value=False):
            assert bulk_read(book)[1:] == (columns, got)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=8))
def test_a_double_column_is_typed_as_the_document_path_reads_its_cells(values):
    """DuckDB's text of a DOUBLE is Python's repr: the same exact decimal, the same scale."""
    con = source.connect()
    con.execute("CREATE TABLE raw (x DOUBLE)")
    con.executemany("INSERT INTO raw VALUES (?)", [[v] for v in values])
    try:
        columns, select, _ = source._typed_columns(con, "raw", True, set())
    except source._Inexact:
        digits = max(len(str(int(abs(v)))) for v in values)
        scale = max(decimal_scale(_cell(v)) for v in values)
        assert digits + scale > 38
        return
    got = [r[0] for r in con.execute(f"SELECT {select} FROM raw").fetchall()]
    assert got == [_cell(v) for v in values]
    assert columns["x"].scale == max(decimal_scale(_cell(v)) for v in values)


def test_blank_text_is_what_str_strip_removes():
    spaces = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    assert spaces == {chr(int(h, 16)) for h in re.findall(r"\\x\{([0-9a-f]+)\}", cells._SPACE)}


# --- whole rubrics on both engines --------------------------------------------------------------

TIE_RUBRIC = """
[rubric]
id = "tie"
title = "ties"
version = "test"
value = "sum(children)"

[indicators.bulat]
title = "round of each cell"
type = "records"
table = "t"
row = "round(row.x, 2)"
aggregate = "sum"

[indicators.rata]
title = "mean, rounded"
type = "records"
table = "t"
row = "row.x * 3 / 10"
aggregate = "mean"
round = 2

[indicators.kata]
title = "text column"
type = "records"
table = "t"
row = 'if row.kata == "ya" then 1 else 0'
aggregate = "sum"
"""


def _both_engines(rubric: Path, evidence: Path, group_by: str | None = None):
    from evalengine.bulk import score_grouped
    from evalengine.evidence.readers import read_evidence
    from evalengine.plugins import default_plugins
    from evalengine.rubric.load import load_rubric

    plugins = default_plugins()
    r = load_rubric(rubric, plugins=plugins)
    ev = read_evidence(evidence, plugins=plugins)
    py = score_grouped(r, ev, group_by=group_by, engine="python", plugins=plugins)
    db = score_grouped(r, ev, group_by=group_by, engine="duckdb", plugins=plugins)
    for a, b in zip(py.root.walk(), db.root.walk(), strict=True):
        assert (a.id, a.value, a.derivation.unrounded) == (b.id, b.value, b.derivation.unrounded)
    assert [g.to_dict() for g in py.groups] == [g.to_dict() for g in db.groups]
    return db


@pytest.mark.parametrize("mixed", [False, True], ids=["fast path", "mixed column: calamine"])
def test_ties_on_xx5_on_both_engines(tmp_path, mixed):
    """2.675 is below 2.675 as a float: round() must see the decimal, 2.68 (half-up)."""
    rows = [["x", "kata", "g"], [2.675, "ya", "A"], [1.005, " ya ", "A"], [0.45, "tidak", "B"]]
    if mixed:
        rows.append(["2,5", "tidak", "B"])  # text among the numbers
    write_book(tmp_path / "t.xlsx", {"s": rows})
    (tmp_path / "r.toml").write_text(TIE_RUBRIC, encoding="utf-8")
    (tmp_path / "e.toml").write_text('[tables.t]\nfile = "t.xlsx"\n', encoding="utf-8")
    with mock.patch.object(sheets, "xlsx_view", wraps=sheets.xlsx_view) as calamine:
        db = _both_engines(tmp_path / "r.toml", tmp_path / "e.toml", "g")
    assert calamine.called == mixed
    values = {n.id: n.value for n in db.root.walk()}
    # 2.68 + 1.01 + 0.45 (+ 2.5); mean of 0.8025, 0.3015, 0.135 (, 0.75): 0.413 → 0.41,
    # 0.49725 → 0.50; "ya" and " ya " (cells are trimmed)
    assert values["bulat"] == Decimal("6.64" if mixed else "4.14")
    assert values["rata"] == Decimal("0.50" if mixed else "0.41")
    assert values["kata"] == 2


#: Cells of a column no formula reads, as rosters have them: a TGL LAHIR of dates, a
#: KETERANGAN of numbers and text (fastexcel's strict mode refuses the sheet as read).
UNREAD = {
    "dates": ("tgl lahir", [dt.date(1980, 5, 17), dt.date(1991, 1, 2), None]),
    "numbers and text": ("keterangan", [12.0, "pindahan", None]),
    "numbers, text and dates": ("catatan", [dt.date(1980, 5, 17), "cuti", 3.0]),
}


@pytest.mark.parametrize("only_unread", [False, True], ids=["filled rows", "a row of it alone"])
@pytest.mark.parametrize("unread", list(UNREAD.values()), ids=list(UNREAD))
def test_a_column_no_formula_reads_keeps_the_fast_path(tmp_path, unread, only_unread):
    """A roster's TGL LAHIR or KETERANGAN: cells the fast path does not read as the
    document path does (dates) or that fastexcel refuses in one column (numbers and text,
    read again with that column as text); no formula reads it, so it only has to be blank
    or not (a row holding nothing else is a row on both engines: its blank `x` is an
    error on both)."""
    name, cells = unread
    rows = [
        ["x", "kata", "g", name],
        [2.675, "ya", "A", cells[0]],
        [1.005, " ya ", "A", cells[1]],
        [0.45, "tidak", "B", cells[2]],
    ]
    if only_unread:
        rows.append([None, None, None, cells[0]])
    write_book(tmp_path / "t.xlsx", {"s": rows})
    (tmp_path / "r.toml").write_text(TIE_RUBRIC, encoding="utf-8")
    (tmp_path / "e.toml").write_text('[tables.t]\nfile = "t.xlsx"\n', encoding="utf-8")
    with mock.patch.object(sheets, "xlsx_view", side_effect=AssertionError("calamine path")):
        if only_unread:
            outcomes = []
            for engine in ("python", "duckdb"):
                try:
                    outcomes.append(_score(tmp_path / "r.toml", tmp_path / "e.toml", engine))
                except EvalEngineError as exc:
                    outcomes.append(type(exc).__name__)
            assert outcomes[0] == outcomes[1] == "EvidenceError"
            return
        db = _both_engines(tmp_path / "r.toml", tmp_path / "e.toml", "g")
    assert {n.id: n.value for n in db.root.walk()}["bulat"] == Decimal("4.14")


def test_a_read_column_of_numbers_and_text_beside_an_unread_one_takes_the_calamine_path(
    tmp_path,
):
    """Only the columns no formula reads are read again as text: `x` mixing numbers and
    text still goes to the calamine path, which reads each cell as the document path
    (at once: fastexcel names `x` in its refusal, so the sheet is not read again first)."""
    rows = [
        ["x", "kata", "g", "keterangan"],
        [2.675, "ya", "A", 12.0],
        ["2,5", "tidak", "B", "pindahan"],
    ]
    write_book(tmp_path / "t.xlsx", {"s": rows})
    (tmp_path / "r.toml").write_text(TIE_RUBRIC, encoding="utf-8")
    (tmp_path / "e.toml").write_text('[tables.t]\nfile = "t.xlsx"\n', encoding="utf-8")
    with (
        mock.patch.object(sheets, "xlsx_view", wraps=sheets.xlsx_view) as calamine,
        mock.patch.object(sheets, "_unread_as_text", wraps=sheets._unread_as_text) as again,
    ):
        db = _both_engines(tmp_path / "r.toml", tmp_path / "e.toml", "g")
    assert calamine.called and not again.called
    assert {n.id: n.value for n in db.root.walk()}["bulat"] == Decimal("5.18")


UNREAD_CELLS = st.one_of(
    st.none(),
    fraction,
    st.sampled_from(["pindahan", " ", "2,5", "#N/A", "1.500"]),
    st.booleans(),
    st.sampled_from([dt.date(1980, 5, 17), dt.datetime(2024, 1, 2, 10, 30), ERROR]),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    read=st.lists(
        st.tuples(st.sampled_from([2.675, 1.005, 0.45, None]), st.sampled_from(["A", "B"])),
        min_size=1,
        max_size=6,
    ),
    unread=st.lists(UNREAD_CELLS, min_size=6, max_size=6),
)
def test_random_columns_no_formula_reads_agree_on_both_engines(tmp_path_factory, read, unread):
    """Whatever a column no formula reads holds (numbers, text, dates, booleans, error
    cells, in any mix), both engines give the same figures, or both stop; a row blank
    but for it is a row on both (its blank `x` an error on both). The errors' words may
    differ: on a spreadsheet DuckDB names the formula where the interpreter names the
    row (docs/fuzz-tables.md)."""
    folder = tmp_path_factory.mktemp("u")
    rows = [["x", "kata", "g", "keterangan"]]
    for (x, g), note in zip(read, unread, strict=False):
        rows.append([x, "ya" if x is None else "tidak", None if x is None else g, note])
    write_book(folder / "t.xlsx", {"s": rows})
    (folder / "r.toml").write_text(TIE_RUBRIC, encoding="utf-8")
    (folder / "e.toml").write_text('[tables.t]\nfile = "t.xlsx"\n', encoding="utf-8")
    outcomes = []
    for engine in ("python", "duckdb"):
        try:
            result = _score(folder / "r.toml", folder / "e.toml", engine)
        except EvalEngineError:
            outcomes.append("stopped")
        else:
            outcomes.append([(n.id, n.value) for n in result.root.walk()])
    assert outcomes[0] == outcomes[1]


def test_fastexcels_log_stays_off_the_terminal(tmp_path):
    """fastexcel logs "Could not determine dtype for column 0, falling back to string" for
    a column of blank cells; Python printed it above the report. A process of its own:
    pytest's log capture would hide it."""
    import subprocess

    rows = [["x", "kata", "g", "keterangan"], [2.675, "ya", "A", None], [1.005, "ya", "B", None]]
    write_book(tmp_path / "t.xlsx", {"s": rows})
    (tmp_path / "r.toml").write_text(TIE_RUBRIC, encoding="utf-8")
    (tmp_path / "e.toml").write_text('[tables.t]\nfile = "t.xlsx"\n', encoding="utf-8")
    found = subprocess.run(
        [sys.executable, "-m", "evalengine", "score", "r.toml", "e.toml", "--engine", "duckdb"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0, found.stderr
    assert found.stderr == ""
    assert "Ringkasan per aspek" in found.stdout


def _score(rubric: Path, evidence: Path, engine: str):
    from evalengine.bulk import score_grouped
    from evalengine.evidence.readers import read_evidence
    from evalengine.plugins import default_plugins
    from evalengine.rubric.load import load_rubric

    plugins = default_plugins()
    r = load_rubric(rubric, plugins=plugins)
    return score_grouped(r, read_evidence(evidence, plugins=plugins), engine=engine)


@pytest.mark.parametrize("booleans", [False, True], ids=["ya/tidak as text", "as booleans"])
def test_the_shipped_ip_asn_roster_as_xlsx(tmp_path, booleans):
    """The example roster (typed columns, aliases, ya/tidak) gives the same figures."""
    folder = EXAMPLES / "ipasn-belitung-timur"
    with (folder / "pegawai.csv").open(encoding="utf-8") as handle:
        records = list(csv.reader(handle, delimiter=";"))

    def cell(text: str, c: int):
        if c == 0:
            return text  # an 18-digit NIP is text in any real roster
        if booleans and text in ("ya", "tidak"):
            return text == "ya"
        try:
            return float(text)
        except ValueError:
            return text

    rows = [records[0], *[[cell(t, c) for c, t in enumerate(r)] for r in records[1:]]]
    write_book(tmp_path / "pegawai.xlsx", {"Pegawai": rows})
    evidence = (folder / "evidence-roster.toml").read_text(encoding="utf-8")
    (tmp_path / "e.toml").write_text(evidence.replace("pegawai.csv", "pegawai.xlsx"), "utf-8")
    from evalengine.cli.common import load_versioned_inputs  # the rubric score would pick

    with mock.patch.object(sheets, "xlsx_view", side_effect=AssertionError("calamine path")):
        _, _, selection = load_versioned_inputs(
            type("A", (), {"inputs": [str(tmp_path / "e.toml")]})()
        )
        db = _both_engines(Path(selection.path), tmp_path / "e.toml", "jenis_jabatan")
    assert db.root.value == Decimal("71.42") and len(db.groups) > 1
