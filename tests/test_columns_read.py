"""Columns no formula reads are left as text by the bulk path: not parsed, not profiled.

A BKPSDM roster has dozens of columns (tanggal lahir, TMT, nomor HP …) and a rubric reads
a handful. Profiling a date column as a possible number cost a full scan with the number
macros (a 1M-row roster with a date and a phone column: 4.2 s → 1.2 s).
"""

from __future__ import annotations

from bulk_support import DATA, write_table
from paths import ROOT

from evalengine.bulk.compute import bulk_indicators, columns_read, tables_used
from evalengine.bulk.source import connect, open_table
from evalengine.evidence.tables import FileTable
from evalengine.plugins import default_plugins
from evalengine.rubric.load import load_rubric

PLUGINS = default_plugins()


def read_by(rubric_path, table: str):
    rubric = load_rubric(rubric_path, plugins=PLUGINS)
    return columns_read(rubric, table, tables_used(bulk_indicators(rubric))[table])


def test_records_formulas_name_the_columns_read():
    read = read_by(DATA / "ipasn-mini.toml", "pegawai")
    header = ["nip", "instansi", "Pendidikan", "diklat", "seminar", "skp", "hukuman", "tmt"]
    assert read(header) == {"Pendidikan", "diklat", "seminar", "skp", "hukuman"}


def test_survey_indicators_read_their_answer_columns():
    read = read_by(DATA / "ikm-mini.toml", "responses")
    assert read(["u1", "unit", "nama responden"]) == {"u1"}


def test_declared_columns_are_read_under_any_accepted_header():
    """The shipped IP ASN rubric declares its columns with aliases ("Pendidikan Terakhir");
    the document path checks a declared column's cells whether or not a formula reads it."""
    read = read_by(ROOT / "rubrics" / "ipasn-2019.toml", "pegawai")
    found = read(["NIP", "Nama", "Pendidikan Terakhir", "Jenis Jabatan", "TMT Jabatan"])
    assert found == {"NIP", "Nama", "Pendidikan Terakhir", "Jenis Jabatan"}


def test_a_formula_reading_the_whole_row_reads_every_column(tmp_path):
    text = (DATA / "ipasn-mini.toml").read_text()
    text = text.replace("row = 'lookup(\"kualifikasi\", row.pendidikan)'", "row = 'row'")
    (tmp_path / "r.toml").write_text(text)
    header = ["nip", "pendidikan", "tmt"]
    assert read_by(tmp_path / "r.toml", "pegawai")(header) == set(header)


def test_columns_declared_as_text_or_yes_no_are_named():
    """NIP and education are text to the shipped rubric ("007" stays "007" on DuckDB),
    Diklatpim is yes/no; the JP are a number."""
    use = read_by(ROOT / "rubrics" / "ipasn-2019.toml", "pegawai")
    header = ["NIP", "Pendidikan Terakhir", "Diklat Teknis JP", "Diklatpim", "TMT Jabatan"]
    assert use.words(header) == {"NIP", "Pendidikan Terakhir", "Diklatpim"}


def test_unread_columns_stay_text_and_read_ones_are_typed(tmp_path):
    header = ["nip", "instansi", "pendidikan", "diklat", "seminar", "skp", "hukuman", "tmt"]
    rows = [
        [198001012000031000 + i, "I1", "S1", 1, 0, 80, "tidak", f"2019-01-{i + 1:02d}"]
        for i in range(5)
    ]
    name = write_table(tmp_path, "csv", header, rows)
    con = connect()
    try:
        table = FileTable(tmp_path / name, "pegawai", delimiter=";")
        read = read_by(DATA / "ipasn-mini.toml", "pegawai")
        bt = open_table(con, table, "t0", columns_read=read)
        kinds = {n: c.kind for n, c in bt.columns.items()}
        assert kinds["nip"] == kinds["tmt"] == kinds["instansi"] == "text"
        assert kinds["diklat"] == kinds["skp"] == "number"
        count = con.execute(f"SELECT count(*) FROM {bt.relation}").fetchone()[0]
        assert count == 5
    finally:
        con.close()
