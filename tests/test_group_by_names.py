"""``score --group-by NAME`` finds the column as users type it, on both engines.

An agency column the rubric does not declare (``Instansi`` in a BKPSDM roster) is found
by ``--group-by instansi``, ``--group-by "unit layanan"`` finds ``Unit_Layanan``: the
name up to case, spaces, ``_ - .`` (evalengine/bulk/group_column.py). A header written
exactly as typed comes first; several headers matching only loosely are a usage error
naming them. Every case runs on the interpreter (``--engine python``), on DuckDB
(``--engine duckdb``) and with the automatic choice, from CSV, XLSX and Parquet.

The figures per group are checked against the same roster grouped by the exact header
and, independently, against the roster of that group's rows alone scored without
``--group-by`` (a group's result is the result of its rows).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bulk_support import write_table

from evalengine.bulk.group_column import find_group_column, shown_name
from evalengine.errors import EvidenceError
from evalengine.evidence.schema import ColumnSpec, TableSpec

ROOT = Path(__file__).resolve().parent.parent
IPASN = ROOT / "rubrics" / "ipasn-2019.toml"
PEGAWAI = ROOT / "examples" / "ipasn-belitung-timur" / "pegawai.csv"
ENGINES = ("python", "duckdb", "auto")
FORMATS = ("csv", "xlsx", "parquet")

#: Agencies and the rows of the shipped example roster each employs (so that every
#: agency has its own figures: grouping by the wrong column could not pass).
AGENCIES = {
    "Dinas Pendidikan": [0, 1, 2],
    "BKPSDM": [1, 2, 3, 4, 5],
    "Dinas Kesehatan": [0, 3, 5],
    "Inspektorat": [4],
}


def roster(agency_header: str, extra: tuple[str, str] | None = None):
    """The example roster, each row once per agency employing it, with the agency in
    a last column headed ``agency_header`` (header, rows). ``extra`` adds a column
    (header, cell prefix) holding another grouping: the agency's initial letters."""
    lines = PEGAWAI.read_text(encoding="utf-8").splitlines()
    base = [line.split(";") for line in lines[1:] if line.strip()]
    header = [*lines[0].split(";"), agency_header]
    rows = []
    for agency, picked in AGENCIES.items():
        for i in picked:
            rows.append([*base[i], agency])
    if extra is not None:
        header.append(extra[0])
        for row in rows:
            row.append(extra[1] + "".join(w[0] for w in row[-1].split()))
    return header, rows


def evidence(folder: Path, file: str) -> Path:
    path = folder / "e.toml"
    path.write_text(
        f'[evidence]\nrubric = "ipasn"\nversion = "2019"\n[tables.pegawai]\nfile = "{file}"\n'
    )
    return path


def score(run_cli, ev: Path, engine: str, group_by: str | None, fmt: str = "json"):
    """(exit code, JSON report or error text) of ``score`` on ``ev``."""
    args = ["score", IPASN, ev, "-f", fmt, "--engine", engine, "--no-progress"]
    found = run_cli(*args, *(["--group-by", group_by] if group_by else []))
    if found.code == 0 and fmt == "json":
        return found.code, json.loads(found.out)
    return found.code, found.err if found.code else found.out


def figures(report: dict) -> dict[str, dict]:
    """Group → its headline, band, indicators and rank, as the JSON report gives them."""
    return {
        g["group"]: {k: g[k] for k in ("value", "band", "indicators", "rank")}
        for g in report["groups"]
    }


# -- the column as users type it ------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("header", "typed"),
    [
        ("Instansi", "instansi"),  # the words, a BKPSDM roster's header
        ("Instansi", "INSTANSI"),
        ("Unit_Layanan", "unit layanan"),
        ("Unit Layanan", "unit_layanan"),
        ("UNIT-KERJA", "Unit Kerja"),
        ("Satuan.Kerja", " satuan kerja "),
    ],
)
def test_a_column_is_found_as_users_type_it(tmp_path, run_cli, fmt, header, typed):
    """Per group, every engine gives the figures the exact header gives; reports name
    the column as the file writes it."""
    file = write_table(tmp_path, fmt, *roster(header))
    ev = evidence(tmp_path, file)
    exact = {}
    for engine in ENGINES:
        code, report = score(run_cli, ev, engine, header)
        assert code == 0, report
        assert report["group_by"] == header
        exact[engine] = figures(report)
    assert exact["python"] == exact["duckdb"] == exact["auto"]
    assert set(exact["python"]) == set(AGENCIES)
    for engine in ENGINES:
        code, report = score(run_cli, ev, engine, typed)
        assert code == 0, report
        assert report["group_by"] == header  # as the file writes it, not as typed
        assert figures(report) == exact[engine]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_column_of_numbers_keeps_its_keys_as_written(tmp_path, run_cli, fmt):
    """Agency codes (``007``, ``12``; numbers in a spreadsheet) named loosely are kept as
    the text the exact name keeps: the header found is the one read as text."""
    header, rows = roster("Kode_Unit")
    codes = {"Dinas Pendidikan": "007", "BKPSDM": "12", "Dinas Kesehatan": "12.5"}
    codes["Inspektorat"] = "40"
    if fmt == "xlsx":  # number cells (the document path writes them plainly)
        codes = {"Dinas Pendidikan": 7, "BKPSDM": 12, "Dinas Kesehatan": 12.5, "Inspektorat": 40}
    rows = [[*r[:-1], codes[r[-1]]] for r in rows]
    ev = evidence(tmp_path, write_table(tmp_path, fmt, header, rows))
    found = set()
    for engine in ENGINES:
        for typed in ("Kode_Unit", "kode unit"):
            code, report = score(run_cli, ev, engine, typed)
            assert code == 0, report
            found.add(json.dumps(figures(report), sort_keys=True))
    assert len(found) == 1
    assert set(json.loads(found.pop())) == {str(c) for c in codes.values()}


def test_a_group_is_scored_as_its_rows_alone(tmp_path, run_cli):
    """Independently of grouping: each agency's headline is the headline of a roster
    holding only its rows, scored without --group-by."""
    header, rows = roster("Instansi")
    ev = evidence(tmp_path, write_table(tmp_path, "csv", header, rows))
    grouped = {e: figures(score(run_cli, ev, e, "instansi")[1]) for e in ("python", "duckdb")}
    for agency in AGENCIES:
        alone = tmp_path / agency.replace(" ", "-")
        own = [r for r in rows if r[-1] == agency]
        code, report = score(
            run_cli, evidence(alone, write_table(alone, "csv", header, own)), "python", None
        )
        assert code == 0, report
        for engine in ("python", "duckdb"):
            assert grouped[engine][agency]["value"] == report["headline"]["value"], (agency, engine)
            assert grouped[engine][agency]["band"] == report["headline"]["band"]["label"]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_ranking_heading_names_the_column_as_written(tmp_path, run_cli, engine):
    ev = evidence(tmp_path, write_table(tmp_path, "csv", *roster("Instansi")))
    code, out = score(run_cli, ev, engine, "instansi", fmt="rich")
    assert code == 0, out
    assert "Peringkat per Instansi" in out


# -- exact headers first; several loose matches are an error ---------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_exact_header_wins_over_a_loose_match(tmp_path, run_cli, fmt):
    """``Unit Kerja`` holds agencies, ``unit_kerja`` their initials: each exact name
    groups by its own column, on every engine."""
    header, rows = roster("Unit Kerja", extra=("unit_kerja", "UK-"))
    ev = evidence(tmp_path, write_table(tmp_path, fmt, header, rows))
    for engine in ENGINES:
        code, report = score(run_cli, ev, engine, "Unit Kerja")
        assert code == 0, report
        assert set(figures(report)) == set(AGENCIES)
        code, report = score(run_cli, ev, engine, "unit_kerja")
        assert code == 0, report
        assert report["group_by"] == "unit_kerja"
        assert set(figures(report)) == {"UK-DP", "UK-B", "UK-DK", "UK-I"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_several_loose_matches_are_a_usage_error_naming_them(tmp_path, run_cli, fmt):
    header, rows = roster("Unit Kerja", extra=("unit_kerja", "UK-"))
    ev = evidence(tmp_path, write_table(tmp_path, fmt, header, rows))
    errors = set()
    for engine in ENGINES:
        code, err = score(run_cli, ev, engine, "unit kerja")
        assert code == 2, err
        assert "Traceback" not in err
        assert "error[usage]" in err
        assert "'Unit Kerja'" in err and "'unit_kerja'" in err
        errors.add(err)
    assert len(errors) == 1  # the same words on every engine


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_column_is_the_same_usage_error_on_every_engine(tmp_path, run_cli, fmt):
    ev = evidence(tmp_path, write_table(tmp_path, fmt, *roster("Instansi")))
    errors = set()
    for engine in ENGINES:
        code, err = score(run_cli, ev, engine, "kabupaten")
        assert code == 2, err
        assert "has no column 'kabupaten' to group by" in err
        assert "Instansi" in err  # the hint lists the columns there are
        errors.add(err)
    assert len(errors) == 1


# -- declared columns keep working, by name or spelling --------------------------------


@pytest.mark.parametrize("typed", ["jenis_jabatan", "Jenis Jabatan", "jenis jabatan", "jabatan"])
def test_a_declared_column_by_its_name_or_any_spelling(tmp_path, run_cli, typed):
    """``jenis_jabatan`` is declared by the rubric (alias ``jabatan``), headed ``Jenis
    Jabatan`` in the file: every spelling groups by it, with the figures its name gives."""
    ev = evidence(tmp_path, write_table(tmp_path, "csv", *roster("Instansi")))
    for engine in ("python", "duckdb"):
        code, named = score(run_cli, ev, engine, "jenis_jabatan")
        assert code == 0, named
        code, report = score(run_cli, ev, engine, typed)
        assert code == 0, report
        assert figures(report) == figures(named)
        assert set(figures(report)) == {
            "Administrator",
            "Fungsional",
            "Pelaksana",
            "Pengawas",
            "JPT",
        }


ODD_ROWS = {  # (row of the example roster, column) → cell, with its declared reading
    (1, "Diklat Teknis JP"): "",  # blank: the declared default 0
    (2, "Diklat Teknis JP"): "2,5",  # 2.5
    (3, "Hukuman Disiplin"): "",  # blank: the declared default "tidak ada"
    (4, "Diklatpim"): "Ya",  # true, as "ya"
    (5, "Diklatpim"): "",  # blank: the declared default false
}


def odd_roster() -> tuple[list[str], list[list[str]]]:
    lines = PEGAWAI.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    rows = [line.split(";") for line in lines[1:] if line.strip()]
    for (i, column), cell in ODD_ROWS.items():
        rows[i][header.index(column)] = cell
    return header, rows


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("names", "keys"),
    [
        (
            ["diklat_teknis_jp", "Diklat Teknis JP", "diklat teknis jp"],
            {"0", "2.5", "24", "32", "40"},
        ),
        (["hukuman_disiplin", "Hukuman Disiplin", "hukdis"], {"tidak ada", "ringan", "berat"}),
        (["diklat_kepemimpinan", "Diklatpim", "diklat pim"], {"ya", "tidak"}),
    ],
)
def test_a_declared_column_groups_by_its_values_as_formulas_read_them(
    tmp_path, run_cli, fmt, names, keys
):
    """A column the rubric declares is grouped by its declared values (a blank is its
    default, "Ya" and "ya" are one group, written "ya" as reports write a yes, "2,5" is
    2.5) whichever way it is named, on both engines (the interpreter grouped by the cells
    as written, DuckDB by the values)."""
    header, rows = odd_roster()
    ev = evidence(tmp_path, write_table(tmp_path, fmt, header, rows))
    found = set()
    for engine in ENGINES:
        for typed in names:
            code, report = score(run_cli, ev, engine, typed)
            assert code == 0, report
            found.add(json.dumps(figures(report), sort_keys=True))
            assert set(figures(report)) == keys
    assert len(found) == 1


def test_a_declared_default_joins_its_group(tmp_path, run_cli):
    """The employee with a blank Hukuman Disiplin is in the "tidak ada" group: its
    figures are those of the roster of the "tidak ada" rows and the blank one alone."""
    header, rows = odd_roster()
    ev = evidence(tmp_path, write_table(tmp_path, "csv", header, rows))
    column = header.index("Hukuman Disiplin")
    own = [r for r in rows if r[column] in ("", "tidak ada")]
    alone = tmp_path / "alone"
    code, report = score(
        run_cli, evidence(alone, write_table(alone, "csv", header, own)), "python", None
    )
    assert code == 0, report
    for engine in ("python", "duckdb"):
        code, grouped = score(run_cli, ev, engine, "hukdis")
        assert code == 0, grouped
        assert figures(grouped)["tidak ada"]["value"] == report["headline"]["value"]


# -- the rule itself -------------------------------------------------------------------


def find(header, typed, spec=None):
    return find_group_column(header, typed, spec, table="t", where="t.csv")


def test_rule_exact_then_declared_then_loose():
    spec = TableSpec(
        "t", columns=[ColumnSpec("unit", aliases=("unit layanan",)), ColumnSpec("kode")]
    )
    assert find(["Unit_Layanan", "unit"], "unit", spec).header == "unit"  # exact header
    found = find(["Unit_Layanan", "Kode"], "unit", spec)  # the declared column's header
    assert (found.header, found.name, found.shown) == ("Unit_Layanan", "unit", "unit")
    # loosely, the header: the declared column reading it gives the keys, the file its name
    found = find(["Unit_Layanan", "Kode"], "UNIT LAYANAN", spec)
    assert (found.header, found.name, found.shown) == ("Unit_Layanan", "unit", "Unit_Layanan")
    found = find(["Instansi", "Kode"], "instansi", spec)  # undeclared
    assert (found.header, found.declared, found.shown) == ("Instansi", False, "Instansi")


def test_rule_ambiguity_and_absence():
    with pytest.raises(EvidenceError, match=r"'Unit Kerja', 'UNIT_KERJA'") as exc:
        find(["Unit Kerja", "UNIT_KERJA"], "unit kerja")
    assert exc.value.code == "usage"
    assert find(["Unit Kerja", "UNIT_KERJA"], "UNIT_KERJA").header == "UNIT_KERJA"
    with pytest.raises(EvidenceError, match="has no column 'kota' to group by") as exc:
        find(["Unit Kerja"], "kota", TableSpec("t", columns=[ColumnSpec("kode")]))
    assert exc.value.code == "usage"
    assert "Unit Kerja" in exc.value.hint and "kode" in exc.value.hint


def test_shown_name_is_the_tables_agreement_or_as_typed():
    a = find(["Instansi"], "instansi")
    b = find(["INSTANSI"], "instansi")
    assert shown_name("instansi", [a, a]) == "Instansi"
    assert shown_name("instansi", [a, b]) == "instansi"


@pytest.mark.parametrize("problem", ["cell", "row"])
def test_a_mistyped_name_and_another_problem_give_one_error_on_both_engines(
    tmp_path, run_cli, problem
):
    """A cell no formula can read: the name is checked before any row is scored, on both
    engines (the interpreter reported it only after scoring the whole table). A
    malformed row: the file's own error comes first, on both."""
    header, rows = roster("Instansi")
    if problem == "cell":
        rows[0][header.index("Diklatpim")] = "mungkin"
    ev = evidence(tmp_path, write_table(tmp_path, "csv", header, rows))
    if problem == "row":
        with (tmp_path / "t.csv").open("a", encoding="utf-8") as handle:
            handle.write("1;2;3\n")
    errors = set()
    for engine in ("python", "duckdb"):
        code, err = score(run_cli, ev, engine, "kabupaten")
        assert code == 2, err
        errors.add(err)
    assert len(errors) == 1
    expected = "no column 'kabupaten'" if problem == "cell" else "has 3 cells; the header has"
    assert expected in errors.pop()


@pytest.mark.parametrize("group_by", [None, "instansi"])
def test_a_file_that_is_not_parquet_is_the_same_error_on_both_engines(tmp_path, run_cli, group_by):
    """DuckDB met it while finding the header (and before, making the view): a traceback."""
    (tmp_path / "t.parquet").write_text("NIP;Instansi\n1;A\n")
    ev = evidence(tmp_path, "t.parquet")
    errors = set()
    for engine in ENGINES:
        code, err = score(run_cli, ev, engine, group_by)
        assert code == 2, err
        assert "Traceback" not in err
        errors.add(err)
    assert len(errors) == 1
    assert "cannot read t.parquet" in errors.pop()


def test_headers_differing_only_in_case_are_named_on_duckdb(tmp_path, run_cli):
    """``Instansi`` and ``instansi`` are two columns to the document path and one to DuckDB
    (its names ignore case; the view keeps the last): grouping by the first is an error
    that names both, not "no column 'Instansi'" beside a list that shows it."""
    header, rows = roster("Instansi", extra=("instansi", "X"))
    ev = evidence(tmp_path, write_table(tmp_path, "csv", header, rows))
    code, report = score(run_cli, ev, "python", "Instansi")
    assert code == 0 and set(figures(report)) == set(AGENCIES)
    code, err = score(run_cli, ev, "duckdb", "Instansi")
    assert code == 2
    assert "'Instansi', 'instansi', differing only in case" in err and "--engine python" in err
    found = [score(run_cli, ev, engine, "instansi") for engine in ("python", "duckdb")]
    assert found[0][0] == found[1][0] == 0
    assert figures(found[0][1]) == figures(found[1][1])


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_column_declared_as_text_groups_by_its_cells_as_written(tmp_path, run_cli, fmt):
    """The rubric declares NIP as text: `007` and `7`, `2,5` and `2.50` are four groups
    on the document path, and were two on DuckDB, which read the column as numbers (CSV
    and Parquet; the spreadsheet's text cells were read as written already)."""
    header, rows = roster("Instansi")
    codes = ["007", "7", "2,5", "2.50", "1.000"]
    rows = [[codes[i % len(codes)], *r[1:]] for i, r in enumerate(rows)]
    ev = evidence(tmp_path, write_table(tmp_path, fmt, header, rows))
    found = [score(run_cli, ev, engine, "nip") for engine in ("python", "duckdb")]
    assert found[0][0] == found[1][0] == 0, found
    assert figures(found[0][1]) == figures(found[1][1])
    assert set(figures(found[0][1])) == set(codes)


def test_a_formula_reading_one_of_two_headers_differing_in_case_is_named_on_duckdb(run_cli, write):
    """The same two columns read by a ``row`` formula: the document path reads
    ``row.Instansi``; DuckDB, whose view kept ``instansi``, says why it cannot, not "the
    table has no column 'Instansi'" beside a header that shows it."""
    write("t.csv", "Instansi,instansi,x\nA,B,1\nA,C,2\nB,C,3\n")
    rubric = """[rubric]
id = "twins"
title = "Twins"
version = "1"
value = "sum(children)"

[indicators.a]
title = "A"
type = "records"
table = "t"
row = 'if row.{column} == "{label}" then row.x else 0'
"""
    ev = write("ev.toml", '[evidence]\nrubric = "twins"\n[tables.t]\nfile = "t.csv"\n')
    values = {}
    for column, label in (("Instansi", "A"), ("instansi", "C")):
        path = write("rubric.toml", rubric.format(column=column, label=label))
        for engine in ("python", "duckdb"):
            res = run_cli("score", path, ev, "--engine", engine, "-f", "json")
            values[column, engine] = res.code, res.out, res.err
    assert values["Instansi", "python"][0] == 0
    assert json.loads(values["Instansi", "python"][1])["result"]["value"] == "3"
    code, _, err = values["Instansi", "duckdb"]
    assert code == 2 and "Traceback" not in err
    assert "'Instansi', 'instansi', differing only in case" in err
    assert "cannot read `row.Instansi`" in err and "--engine python" in err
    assert "rubric.toml:11" in err  # the formula's place
    # the column the view kept reads alike on both engines
    kept = [values["instansi", engine] for engine in ("python", "duckdb")]
    assert [code for code, _, _ in kept] == [0, 0]
    assert {json.loads(out)["result"]["value"] for _, out, _ in kept} == {"5"}
