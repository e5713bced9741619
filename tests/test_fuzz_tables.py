"""Evidence tables with odd cells, rows and line ends: both engines read them alike.

Each case is a table the fuzzing of the table readers (CSV, XLSX, Parquet; ``score
--engine python`` against ``--engine duckdb``, with and without ``--group-by``) found
read differently by the two engines, or ending in a traceback. Each test scores the
shipped bulk test rubrics (tests/data/bulk) on both engines and compares every figure:
headline, band, each indicator's value and facts, each group's value, band and rank;
or, when the table cannot be read, the same exit code 2 on both.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from bulk_support import DATA
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import ROOT

from evalengine.cli import main

IPASN = DATA / "ipasn-mini.toml"
IKM = DATA / "ikm-mini.toml"
HEADER = "nip,instansi,pendidikan,diklat,seminar,skp,hukuman\n"
ROWS = [
    "1,A,S1,2,1,90,tidak",
    "2,A,S2,4,0,85.5,tidak",
    "3,B,S3,3,2,95,tidak",
    "4,B,D3,0,0,60,ringan",
    "5,C,S1,2,0,80,tidak",
]


def run(args: list[str]) -> tuple[int, str]:
    """Exit code and standard output of the CLI; any exception fails the test."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            code = main(args)
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue()


def figures(text: str) -> dict[str, object]:
    """Every figure of a JSON score report, by a path naming it."""
    report = json.loads(text)
    found: dict[str, object] = {"headline": report["headline"]["value"]}

    def node(n: dict, path: str) -> None:
        found[f"{path}.value"] = n["value"]
        found[f"{path}.band"] = (n.get("band") or {}).get("label")
        for key in ("n", "rows", "excluded", "dropped"):
            if key in (n.get("extra") or {}):
                found[f"{path}.{key}"] = str(n["extra"][key])
        for child in n.get("children") or []:
            node(child, f"{path}/{child['id']}")

    node(report["result"], "result")
    for g in report.get("groups") or []:
        for key in ("rank", "value", "band", "indicators", "error"):
            found[f"group[{g['group']}].{key}"] = g.get(key)
    return found


def both(rubric: Path, evidence: Path, group_by: str | None = None):
    """(exit code, figures or None) on the python engine, then on duckdb."""
    out = []
    for engine in ("python", "duckdb"):
        args = ["score", str(rubric), str(evidence), "-f", "json", "--engine", engine]
        code, text = run(args + (["--group-by", group_by] if group_by else []))
        out.append((code, figures(text) if code in (0, 1) else None))
    return out


def evidence_for(folder: Path, rubric_id: str, table: str, file: str) -> Path:
    path = folder / "e.toml"
    path.write_text(f'[evidence]\nrubric = "{rubric_id}"\n[tables.{table}]\nfile = "{file}"\n')
    return path


def agree(rubric: Path, evidence: Path, group_by: str | None) -> tuple[int, dict | None]:
    (py_code, py), (db_code, db) = both(rubric, evidence, group_by)
    assert (py_code, py) == (db_code, db)
    return py_code, py


@pytest.mark.parametrize("group_by", [None, "instansi"])
def test_a_row_of_blank_cells_is_no_row_on_both_engines(tmp_path, group_by):
    """``,,,,,,`` (a spreadsheet's empty row saved as CSV) was a row of NULLs on DuckDB:
    its blank `pendidikan` is no key of the lookup table (exit 2), and a survey counted
    it as a dropped respondent; the document path skips it."""
    text = HEADER + "\n".join([*ROWS[:2], ",,,,,,", " , ,\t, , , , ", *ROWS[2:]]) + "\n"
    (tmp_path / "t.csv").write_text(text)
    code, found = agree(IPASN, evidence_for(tmp_path, "ipasn-mini", "pegawai", "t.csv"), group_by)
    assert code == 0
    assert found["result/kualifikasi.rows"] == str(len(ROWS))


def test_a_row_blank_save_in_a_column_no_formula_reads_is_a_row_on_both_engines(tmp_path):
    """``99,,,,,,``: only `nip` holds something, and no formula reads `nip`. The document
    path keeps the row (its blank `pendidikan` is no key of the lookup table: exit 2);
    DuckDB, which reads such a column as text and tests it last, keeps it too."""
    text = HEADER + "\n".join([*ROWS[:2], "99,,,,,,", *ROWS[2:]]) + "\n"
    (tmp_path / "t.csv").write_text(text)
    code, _ = agree(IPASN, evidence_for(tmp_path, "ipasn-mini", "pegawai", "t.csv"), "instansi")
    assert code == 2


def test_blank_rows_are_not_survey_respondents(tmp_path):
    answers = ["u1,unit", "4,X", "3,Y", ",", "2,X", " , ", "4,Y"]
    (tmp_path / "t.csv").write_text("\n".join(answers) + "\n")
    code, found = agree(IKM, evidence_for(tmp_path, "ikm-mini", "responses", "t.csv"), "unit")
    assert code == 0
    assert found["result/u1.n"] == "4"
    assert found["result/u1.dropped"] == "0"
    assert "group[].value" not in found


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_a_quoted_line_break_stays_in_its_cell(tmp_path, line_end):
    """The document path read the CSV with ``str.splitlines`` and lost the line break
    of a quoted cell (group "A\\nB" became "AB"); DuckDB keeps it."""
    rows = [*ROWS[:3], '6,"A\nB",S2,1,1,70,tidak', '7,"A\nB",S1,0,0,75,tidak']
    text = (HEADER + "\n".join(rows) + "\n").replace("\n", line_end)
    (tmp_path / "t.csv").write_bytes(text.encode())
    code, found = agree(IPASN, evidence_for(tmp_path, "ipasn-mini", "pegawai", "t.csv"), "instansi")
    assert code == 0
    assert found[f"group[A{line_end}B].value"] is not None


def test_other_line_breaks_inside_a_cell_do_not_end_the_row(tmp_path):
    """U+2028, U+0085 and form feed end a line for str.splitlines, not for CSV."""
    rows = [*ROWS[:3], "6,C\u2028D,S2,1,1,70,tidak", "7,E\x0cF,S1,0,0,75,ti\x85dak"]
    (tmp_path / "t.csv").write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    code, found = agree(IPASN, evidence_for(tmp_path, "ipasn-mini", "pegawai", "t.csv"), "instansi")
    assert code == 0
    assert found["group[C\u2028D].value"] is not None


def test_mixed_line_ends_are_read_not_a_traceback(tmp_path):
    """LF rows and one CRLF row: DuckDB's sniffer gave up (an InvalidInputException
    traceback); the view now reads the file in the document path's dialect."""
    text = "u1,unit\n1,X\n2,Y\n3,X\r\n4,Y\n3,X\n"
    (tmp_path / "t.csv").write_bytes(text.encode())
    for group_by in (None, "unit"):
        code, found = agree(IKM, evidence_for(tmp_path, "ikm-mini", "responses", "t.csv"), group_by)
        assert code == 0
        assert found["result/u1.n"] == "5"


def test_a_huge_integer_in_a_survey_column_reads_the_table_again(tmp_path):
    """A sniffed integer column holding 10^38 further down: the records path read the
    table again as text, the survey path stopped with "CSV Error on Line" (exit 2)."""
    rows = [f"{1 + i % 4},{'XY'[i % 2]}" for i in range(30)]
    rows[10] = "99999999999999999999999999999999999999,X"
    (tmp_path / "t.csv").write_text("u1,unit\n" + "\n".join(rows) + "\n")
    for group_by in (None, "unit"):
        code, found = agree(IKM, evidence_for(tmp_path, "ikm-mini", "responses", "t.csv"), group_by)
        assert code == 0
        assert found["result/u1.dropped"] == "1"


def test_single_quotes_are_not_csv_quotes(tmp_path):
    """DuckDB's sniffer may take ' as the quote character ('B,C' one cell); the document
    path quotes with " only, so the row has a cell too many: an error on both."""
    rows = [*ROWS, "6,'B,C',D3,0,0,60,tidak"]
    (tmp_path / "t.csv").write_text(HEADER + "\n".join(rows) + "\n")
    evidence = evidence_for(tmp_path, "ipasn-mini", "pegawai", "t.csv")
    (py_code, _), (db_code, _) = both(IPASN, evidence)
    assert py_code == db_code == 2


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_a_non_finite_parquet_number_is_an_error_on_both_engines(tmp_path, bad):
    """A Parquet DOUBLE NaN or infinity was a ValueError / OverflowError traceback on
    the python engine (DuckDB refused the column already)."""
    import duckdb

    con = duckdb.connect()
    con.execute(
        "COPY (SELECT * FROM (VALUES (1, 'A', 'S1', 2.0, 1, 90.0, 'tidak'), "
        f"(2, 'B', 'S2', 1.0, 0, CAST('{bad}' AS DOUBLE), 'tidak')) "
        "t(nip, instansi, pendidikan, diklat, seminar, skp, hukuman)) "
        f"TO '{tmp_path / 't.parquet'}' (FORMAT parquet)"
    )
    con.close()
    evidence = evidence_for(tmp_path, "ipasn-mini", "pegawai", "t.parquet")
    for group_by in (None, "instansi"):
        (py_code, _), (db_code, _) = both(IPASN, evidence, group_by)
        assert py_code == db_code == 2


@pytest.mark.parametrize("policy", ['[1, "a"]', "{}", "3"])
def test_an_invalid_answer_policy_that_is_not_a_name_is_reported(tmp_path, policy):
    """``invalid = [1, "a"]`` for a survey table was a TypeError (unhashable list) in
    `check` (found by tests/test_fuzz_inputs.py)."""
    text = IKM.read_text() + f"\n[evidence.tables.responses]\ninvalid = {policy}\n"
    (tmp_path / "r.toml").write_text(text)
    assert run(["check", str(tmp_path / "r.toml")])[0] == 2


#: Cells parse_number reads that the bulk path's first pattern does not (each was text
#: on DuckDB: the column could not be multiplied, or the survey answer was dropped).
OTHER_FORMS = ["+3", "\t4", "4\t", "\u00a03\u00a0", "Rp2", "3%", "1 000", "(0)", "Rp. 2,50"]


@pytest.mark.parametrize("cell", OTHER_FORMS)
def test_numbers_in_other_forms_are_numbers_on_both_engines(tmp_path, cell):
    rows = [*ROWS]
    rows[1] = f'2,A,S2,"{cell}",0,85.5,tidak'  # diklat
    (tmp_path / "t.csv").write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    code, _ = agree(IPASN, evidence_for(tmp_path, "ipasn-mini", "pegawai", "t.csv"), "instansi")
    assert code == 0


@pytest.mark.parametrize("cell", [*OTHER_FORMS, "-"])
def test_survey_answers_in_other_forms_count_on_both_engines(tmp_path, cell):
    """With "-" beside it the column is text on DuckDB: the answers are read by value."""
    answers = ["u1,unit", "4,X", "3,Y", f'"{cell}",X', "2,Y", "-,X", "4,Y"]
    (tmp_path / "t.csv").write_text("\n".join(answers) + "\n", encoding="utf-8")
    code, _ = agree(IKM, evidence_for(tmp_path, "ikm-mini", "responses", "t.csv"), "unit")
    assert code == 0


@pytest.mark.parametrize("cell", ["\uff13", "\u0663", "1,\u0663"])
def test_digits_other_than_ascii_are_text(cell):
    """Fullwidth and Arabic-Indic digits were numbers to the interpreter (Python's \\d)
    and text to DuckDB's patterns; both read them as text now."""
    from evalengine.numbers import parse_number

    with pytest.raises(ValueError, match="not a number"):
        parse_number(cell)


def test_the_sql_number_reading_is_parse_numbers():
    """Every form the SQL macros read, compared with parse_number cell by cell."""
    from decimal import Decimal

    from evalengine.bulk.cells import number_text
    from evalengine.bulk.source import connect
    from evalengine.numbers import parse_number

    cells = [*OTHER_FORMS, "1.234,5", "8.357.764.610,00", "1,2,3", "-0", "1e5", "NaN", "IDR 5",
             "rp5", "95,25%", "(1.000,00)", "(-5)", " 1 000 ", ",5", "5,", ".5", "5.", "12.34.56",
             "abc", "", "-", "+-3", "--3", "1.500", "3.42", "- 3", "( 7 )", "Rp -5", "-Rp5",
             "5 %", "%5", "\u200b3", "1_000", "00012", "0.000000000000000000000000001"]  # fmt: skip
    con = connect()
    for cell in cells:
        try:
            expected = parse_number(cell)
        except ValueError:
            expected = None
        got = con.execute(f"SELECT {number_text('$1')}", [cell]).fetchone()[0]
        assert (Decimal(got) if got is not None else None) == expected, cell
    con.close()


_TOKENS = ["0", "1", "9", "00", ".", ",", "+", "-", "(", ")", "%", " ", "Rp", "rp.", "IDR", "idr",
           "\t", "\u00a0", "\u2003", "S", "x", "e"]  # fmt: skip
#: Cells in parse_number's forms (a prefix, a sign, Indonesian or plain digits, a percent
#: sign, brackets, space around) and token soup around them.
NUMBERISH = st.one_of(
    st.tuples(
        st.sampled_from(["", "("]),
        st.sampled_from(["", "Rp", "rp.", "IDR", "idr", "Rp "]),
        st.sampled_from(["", "-", "+"]),
        st.sampled_from(["0", "7", "1.500", "8.357.764.610,00", "79,03", "3.42", "1 000"]),
        st.sampled_from(["", "%"]),
        st.sampled_from(["", ")"]),
        st.sampled_from(["", " ", "\t", "\u00a0"]),
    ).map("".join),
    st.lists(st.sampled_from(_TOKENS), max_size=8).map("".join),
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(cells=st.lists(NUMBERISH, min_size=1, max_size=50))
def test_the_sql_number_reading_and_its_text_shortcut_are_parse_numbers(cells):
    """Random number-like cells: the SQL reading is parse_number's, and a cell that is
    surely text (which lets the column typing skip the slow macros) is never a number."""
    from decimal import Decimal

    from evalengine.bulk.cells import number_text, surely_text
    from evalengine.bulk.source import connect
    from evalengine.numbers import parse_number

    con = connect()
    found = con.execute(
        f"SELECT c, {number_text('c')}, {surely_text('c')} FROM unnest($1) t(c)",
        [cells],
    ).fetchall()
    con.close()
    for cell, got, text in found:
        try:
            expected = parse_number(cell)
        except ValueError:
            expected = None
        assert (Decimal(got) if got is not None else None) == expected, cell
        assert not (text and expected is not None), cell


@pytest.mark.parametrize("column", ["seminar", "diklat"])
def test_a_blank_number_cell_is_an_error_on_both_engines(tmp_path, column):
    """`min(40, row.diklat * 10 + (if row.seminar > 0 then 5 else 0))` with a blank cell:
    the interpreter stops on the row; DuckDB took the `else` branch of a NULL condition
    and least() skipped the NULL, a silent figure (85.38) instead of an error."""
    rows = [*ROWS]
    cells = rows[1].split(",")
    cells[HEADER.strip().split(",").index(column)] = "  "
    rows[1] = ",".join(cells)
    (tmp_path / "t.csv").write_text(HEADER + "\n".join(rows) + "\n")
    evidence = evidence_for(tmp_path, "ipasn-mini", "pegawai", "t.csv")
    for group_by in (None, "instansi"):
        (py_code, _), (db_code, _) = both(IPASN, evidence, group_by)
        assert py_code == db_code == 2


def test_the_krejcie_morgan_check_is_made_on_both_engines(tmp_path):
    """DuckDB gave no sample-size warning (nor the sample fields) for a survey below the
    Krejcie–Morgan minimum of [evidence] population; the interpreter did, per group too."""
    from bulk_support import ikm_example_in_two_units
    from paths import RUBRICS

    evidence = ikm_example_in_two_units(tmp_path)
    reports = []
    for engine in ("python", "duckdb"):
        args = ["score", str(RUBRICS / "ikm-2017.toml"), str(evidence), "-f", "json"]
        code, text = run([*args, "--engine", engine, "--group-by", "unit"])
        assert code == 0
        report = json.loads(text)
        first = report["result"]["children"][0]
        while first.get("children"):
            first = first["children"][0]
        kept = {k: first["extra"].get(k) for k in ("population", "sample", "sample_min")}
        warned = [w for w in report["warnings"] if "Krejcie" in w]
        groups = {g["group"]: [w for w in g["warnings"] if "Krejcie" in w]
                  for g in report["groups"]}  # fmt: skip
        reports.append((kept, warned, groups))
    assert reports[0] == reports[1]
    kept, warned, groups = reports[0]
    assert kept == {"population": "140", "sample": "100", "sample_min": "103"}
    assert len(warned) == 1
    assert all(len(w) == 1 for w in groups.values())


@pytest.mark.parametrize("population", ["0", '"abc"'])
def test_a_bad_population_is_an_error_on_both_engines(tmp_path, population):
    from paths import EXAMPLES, RUBRICS

    evidence = EXAMPLES / "ikm-belitung-timur" / "evidence-responses.toml"
    text = evidence.read_text().replace("population = 140", f"population = {population}")
    (tmp_path / "responses.csv").write_bytes((evidence.parent / "responses.csv").read_bytes())
    (tmp_path / "e.toml").write_text(text, encoding="utf-8")
    for engine in ("python", "duckdb"):
        args = ["score", str(RUBRICS / "ikm-2017.toml"), str(tmp_path / "e.toml"), "-f", "json"]
        assert run([*args, "--engine", engine])[0] == 2


@pytest.mark.parametrize("cell", ["5", "Rp1.000", "3,0", "\u00a05"])
def test_a_number_in_a_text_column_compared_with_text_stops_both_engines(tmp_path, cell):
    """`row.hukuman == "tidak"` on a row whose hukuman reads as a number: the
    interpreter stops ("cannot compare number with text"); DuckDB compared the text and
    went on (exit 0)."""
    rows = [*ROWS]
    rows[2] = f'3,B,S3,3,2,95,"{cell}"'
    (tmp_path / "t.csv").write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    evidence = evidence_for(tmp_path, "ipasn-mini", "pegawai", "t.csv")
    for group_by in (None, "instansi"):
        (py_code, _), (db_code, _) = both(IPASN, evidence, group_by)
        assert py_code == db_code == 2


def test_text_that_only_holds_digits_still_compares(tmp_path):
    """A text cell with digits that is no number ("S1 2019") compares as text."""
    rows = [*ROWS]
    rows[2] = "3,B,S3,3,2,95,ringan 2019"
    (tmp_path / "t.csv").write_text(HEADER + "\n".join(rows) + "\n")
    code, _ = agree(IPASN, evidence_for(tmp_path, "ipasn-mini", "pegawai", "t.csv"), None)
    assert code == 0


@pytest.mark.parametrize("keys", [[1.5, 1.5, 2.0, 1e-30, "A"], [1.5, 2.25, 1.5, 3.0, 2.25]])
def test_spreadsheet_numbers_as_group_keys_are_one_text_on_both_engines(tmp_path, keys):
    """A number as the group key of an XLSX sheet was `1,5` on DuckDB (the calamine path
    writes fractions with a decimal comma) and `1.5` on the document path."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    for key, row in zip(keys, ROWS, strict=True):
        cells = row.split(",")
        sheet.append([int(cells[0]), key, cells[2], int(cells[3]), int(cells[4]),
                      float(cells[5]), cells[6]])  # fmt: skip
    book.save(tmp_path / "t.xlsx")
    evidence = evidence_for(tmp_path, "ipasn-mini", "pegawai", "t.xlsx")
    code, found = agree(IPASN, evidence, "instansi")
    assert code == 0
    assert found["group[1.5].value"] is not None


def test_a_plain_csv_has_its_integer_columns_sniffed(tmp_path):
    """The sniffer's "no quote" (``quote = ''``) was taken for a ``'`` quote, so every CSV
    was read as text and profiled cell by cell: a 100,000-row roster spent 1.4 s typing
    its columns. Integer columns are the sniffer's again; text columns stay text."""
    from evalengine.bulk.source import connect, open_table
    from evalengine.evidence.tables import FileTable

    (tmp_path / "t.csv").write_text(HEADER + "\n".join(ROWS) + "\n")
    con = connect()
    bt = open_table(con, FileTable(tmp_path / "t.csv", "pegawai"), "t")
    assert bt.sniffed
    assert bt.columns["nip"].kind == "number"
    assert bt.columns["instansi"].kind == "text"


@pytest.mark.parametrize("buffer", [None, 16])
def test_a_csvs_first_rows_are_looked_at_through_a_small_buffer_or_the_view(
    tmp_path, monkeypatch, buffer
):
    """A CSV's text columns are found in its first rows, read with a small buffer (the
    view's reader parses 16 MB a thread first); a line longer than that buffer fails
    that read, and the look goes through the view instead: the same columns either way."""
    from evalengine.bulk import source
    from evalengine.evidence.tables import FileTable

    if buffer is not None:
        monkeypatch.setattr(source, "SAMPLE_BUFFER", buffer)
    (tmp_path / "t.csv").write_text(HEADER + "\n".join(ROWS) + "\n")
    looks: list[str] = []

    class Logged:  # the connection, with the statements it runs
        def __init__(self, con):
            self.con = con

        def execute(self, sql, *args):
            looks.append(sql)
            return self.con.execute(sql, *args)

    con = Logged(source.connect())
    bt = source.open_table(con, FileTable(tmp_path / "t.csv", "pegawai"), "t", sniff=False)
    kinds = {name: c.kind for name, c in bt.columns.items()}
    assert kinds["pendidikan"] == kinds["hukuman"] == "text"
    assert kinds["skp"] == "number"
    sampled = [sql for sql in looks if f"LIMIT {source.SAMPLE_ROWS}" in sql]
    assert "buffer_size" in sampled[0]
    assert len(sampled) == (1 if buffer is None else 2)  # the view's read after the failure


@pytest.mark.parametrize(
    "text",
    ["a,b,c\n1,x,2.5\n2,y,3\n", "a,b,a\n1,x,2\n3,y,4\n", "a;b\n1;2\n", "a,b\n'1',2\n"],
    ids=["plain", "a name twice", "semicolons", "other quote"],
)
def test_a_csv_views_columns_are_known_without_describing_it(tmp_path, text):
    """The view's columns and types, as the typing of its columns takes them without a
    DESCRIBE query, are DuckDB's own."""
    from evalengine.bulk import source

    (tmp_path / "t.csv").write_text(text)
    con = source.connect()
    read: dict = {}
    source._csv_view(con, tmp_path / "t.csv", "r", None, True, frozenset(), read)
    described = con.execute('DESCRIBE SELECT * FROM "r"').fetchall()
    assert read["described"] == [(row[0], row[1]) for row in described]


def test_a_quoted_cell_after_the_sniffed_rows_is_one_cell(tmp_path):
    """The sniffer reads the first rows only; when they hold no quote it says "no quote",
    and a ``"B,C"`` cell further down would be two cells on DuckDB and one in the
    document path. ``"`` stays the quote."""
    rows = [f"{i},{'AB'[i % 2]},S1,2,1,90,tidak" for i in range(30_000)]
    rows[-5] = '29995,"B,C",S2,1,0,70,tidak'
    (tmp_path / "t.csv").write_text(HEADER + "\n".join(rows) + "\n")
    evidence = evidence_for(tmp_path, "ipasn-mini", "pegawai", "t.csv")
    code, found = agree(IPASN, evidence, "instansi")
    assert code == 0
    assert "group[B,C].value" in found


_YES_NO = ["ya", "tidak", "Ya", "TIDAK", "sudah", "Belum", "y", "T", "1", "0", "-", "✓", "Yes"]
_PAD = ["", " ", "  ", "\t", "\xa0", "\u3000"]


@settings(max_examples=20, deadline=None)
@given(
    cells=st.lists(
        st.tuples(
            st.one_of(
                st.tuples(
                    st.sampled_from(_PAD), st.sampled_from(_YES_NO), st.sampled_from(_PAD)
                ).map("".join),
                st.sampled_from(["", " ", "\t", "\xa0"]),  # blank: the column's default
            ),
            st.sampled_from(["ya", "tidak", " ya", "tidak\t", ""]),
            st.sampled_from(["", " ", "\xa0", "ringan", " Berat ", "Sedang\t", "tidak ada"]),
        ),
        min_size=1,
        max_size=12,
    ),
    odd=st.sampled_from([None, "mungkin", " entah\t"]),
    group_by=st.sampled_from([None, "Instansi"]),
)
def test_yes_no_and_defaulted_columns_read_alike_on_both_engines(
    tmp_path_factory, cells, odd, group_by
):
    """The shipped IP ASN rubric's yes/no columns and its discipline column (blank: "tidak
    ada"), in any case, padded with any white space Python strips, or blank (the declared
    default): DuckDB reads the cell as read first and strips only the others; both engines
    give the same figures, and a word that is neither yes nor no stops both."""
    folder = tmp_path_factory.mktemp("yesno")
    header = (
        "NIP;Nama;Pendidikan Terakhir;Jenis Jabatan;Diklatpim;Diklat Fungsional;"
        "Diklat Teknis JP;Seminar;Predikat SKP;Hukuman Disiplin;Instansi\n"
    )
    rows = [
        f"{k};P{k};S-1;{'JPT' if k % 2 else 'Pelaksana'};{pim};tidak;24;{seminar};Baik;"
        f"{hukuman};{'AB'[k % 2]}"
        for k, (pim, seminar, hukuman) in enumerate(cells)
    ]
    if odd is not None:
        rows.append(f"99;X;S-1;JPT;{odd};tidak;0;ya;Baik;;A")
    (folder / "pegawai.csv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    evidence = folder / "e.toml"
    evidence.write_text(
        '[evidence]\nrubric = "ipasn"\nversion = "2019"\n[tables.pegawai]\nfile = "pegawai.csv"\n'
    )
    code, _ = agree(ROOT / "rubrics" / "ipasn-2019.toml", evidence, group_by)
    assert code == (2 if odd else 0)


@pytest.mark.parametrize("cell", ["\t", "\xa0", " \t "])
def test_a_column_blank_only_once_stripped_is_blank_on_both_engines(tmp_path, cell):
    """A column whose only cells are white space DuckDB's trim keeps (a tab, a no-break
    space) was typed a number column on DuckDB, and reading the cell as a number stopped
    the query ("Could not convert string"); the document path reads a blank cell, here
    the yes/no column's default."""
    (tmp_path / "pegawai.csv").write_text(
        "NIP;Nama;Pendidikan Terakhir;Jenis Jabatan;Diklatpim;Diklat Fungsional;"
        "Diklat Teknis JP;Seminar;Predikat SKP;Hukuman Disiplin\n"
        f"0;P0;S-1;Pelaksana;{cell};tidak;24;ya;Baik;\n",
        encoding="utf-8",
    )
    evidence = tmp_path / "e.toml"
    evidence.write_text(
        '[evidence]\nrubric = "ipasn"\nversion = "2019"\n[tables.pegawai]\nfile = "pegawai.csv"\n'
    )
    code, found = agree(ROOT / "rubrics" / "ipasn-2019.toml", evidence, None)
    assert code == 0 and found is not None
    assert found["headline"] == "85.00"  # 15 + (22,5 + 17,5: pelaksana) + 25 + 5


_LOOKUP_RUBRIC = """
[rubric]
id = "lookup-case"
title = "Lookup by text in any case"
version = "test"
value = "sum(children)"

[tables.disiplin]
"Tidak Ada" = 5
"Berat" = 1
"berat" = 2
"SMA" = 4

[indicators.d]
title = "Disiplin"
type = "records"
table = "t"
row = 'lookup("disiplin", row.h)'
aggregate = "sum"
"""
_KEY_WORDS = ["Tidak Ada", "tidak ada", "TIDAK ADA", "tidak Ada", "Berat", "berat", "BERAT"]
_KEY_WORDS += ["SMA", "sma", "Sma"]


@settings(max_examples=25, deadline=None)
@given(
    cells=st.lists(
        st.tuples(st.sampled_from(_PAD), st.sampled_from(_KEY_WORDS), st.sampled_from(_PAD)).map(
            "".join
        ),
        min_size=1,
        max_size=12,
    ),
    odd=st.sampled_from([None, "sedang", " Ringan "]),
)
def test_a_lookup_keyed_by_text_in_any_case_agrees_on_both_engines(tmp_path_factory, cells, odd):
    """A cell is a lookup key as read, then in other case ("tidak ada" for "Tidak Ada"),
    then trimmed; a key written in two cases ("Berat", "berat") is the one the cell
    matches exactly, and in other case the later one, as on the document path. DuckDB
    reads the cells in other case without trimming them first (the shipped IP ASN
    rubric's discipline words, written "Tidak Ada" in the rubric and "tidak ada" in a
    BKPSDM export, all went through the slow trimming arm); both engines agree."""
    folder = tmp_path_factory.mktemp("lookupcase")
    (folder / "r.toml").write_text(_LOOKUP_RUBRIC, encoding="utf-8")
    rows = [*cells, *([odd] if odd else [])]
    text = "h;g\n" + "".join(f"{c};{'AB'[k % 2]}\n" for k, c in enumerate(rows))
    (folder / "t.csv").write_text(text, encoding="utf-8")
    evidence = evidence_for(folder, "lookup-case", "t", "t.csv")
    code, found = agree(folder / "r.toml", evidence, "g")
    assert code == (2 if odd else 0)
    if not odd:
        assert found is not None


@pytest.mark.parametrize("group_by", [None, "instansi"])
@pytest.mark.parametrize("odd", [None, "5"])
def test_a_where_filter_shared_by_indicators_reads_alike_on_both_engines(tmp_path, odd, group_by):
    """One ``where`` on three indicators and another on the fourth: DuckDB computes each
    distinct filter once a row, in a column of its own (a filter comparing a column of
    "S1", "S3", "D3" with text cost ~1.3 s a million rows for each use, and each was
    used twice an indicator). A cell read as a number (``5``) stops the row on both."""
    text = IPASN.read_text(encoding="utf-8")
    shared = 'where = \'row.pendidikan == "S1" or row.hukuman == "ringan"\''
    for ind in ("kualifikasi", "kompetensi", "kinerja"):
        text = text.replace(f"[indicators.{ind}]\n", f"[indicators.{ind}]\n{shared}\n")
    text = text.replace(
        "[indicators.disiplin]\n", "[indicators.disiplin]\nwhere = 'row.skp > 70'\n"
    )
    rubric = tmp_path / "ipasn-mini.toml"
    rubric.write_text(text, encoding="utf-8")
    rows = [*ROWS, f"6,C,{odd},1,0,75,tidak"] if odd else ROWS
    (tmp_path / "t.csv").write_text(HEADER + "\n".join(rows) + "\n")
    code, found = agree(rubric, evidence_for(tmp_path, "ipasn-mini", "pegawai", "t.csv"), group_by)
    if odd:
        assert code == 2  # `5` is a number: no comparing it with "S1"
    else:
        assert code == 0
        assert found["result/kualifikasi.rows"] == str(len(ROWS))
        assert found["result/kualifikasi.n"] == "3"  # S1, S1 and the D3 with ringan
        assert found["result/disiplin.n"] == "4"
