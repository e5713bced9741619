"""XLSX tables on the bulk path (column-at-a-time conversion) against the document path.

Sheets are generated with whole numbers stored as floats (read as integers), fractions
(``2.675``, which must never become Indonesian thousands), text holding commas and
quotes, padded group keys, blank cells and wholly blank rows; both engines must give
the same figures per group. Expected values come from the interpreter, not from SQL.
These sheets are read by fastexcel straight into Arrow (the calamine→CSV path, kept for
sheets fastexcel cannot give exactly, is tested in test_bulk_xlsx_arrow.py).
"""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import xlsxwriter
from bulk_support import score_both
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalengine.bulk import sheets
from evalengine.plugins import default_plugins
from evalengine.rubric.load import load_rubric

DATA = Path(__file__).parent / "data" / "bulk"


HEADER = ["nip", "instansi", "pendidikan", "diklat", "seminar", "skp", "hukuman", "catatan"]

rows = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", " A ", "C,1", 'D"q']),
        st.sampled_from(["S1", "S2", "S3", "D3", "SMA", "s1"]),
        st.integers(0, 5),
        st.integers(0, 2),
        st.one_of(
            st.integers(0, 100).map(float),
            st.sampled_from([2.675, 85.5, 70.25, 99.995, 1.125]),
        ),
        st.sampled_from(["tidak", "ringan"]),
        st.sampled_from(["", "ok", "a, b", 'kata "x"']),
        st.booleans(),  # a wholly blank row after this one
    ),
    min_size=1,
    max_size=20,
)


def _write(path: Path, data) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("pegawai")
    for c, h in enumerate(HEADER):
        sheet.write_string(0, c, h)
    r = 1
    for i, (g, p, d, s, k, h, note, blank_after) in enumerate(data):
        sheet.write_number(r, 0, float(i + 1))
        sheet.write_string(r, 1, g)
        sheet.write_string(r, 2, p)
        sheet.write_number(r, 3, float(d))
        sheet.write_number(r, 4, float(s))
        sheet.write_number(r, 5, k)
        sheet.write_string(r, 6, h)
        if note:
            sheet.write_string(r, 7, note)
        r += 2 if blank_after else 1
    book.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=rows)
def test_xlsx_on_duckdb_agrees_with_the_document_path(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("x")
    _write(folder / "pegawai.xlsx", data)
    # the fast path (fastexcel into Arrow) only: the calamine path is not called
    with mock.patch.object(sheets, "xlsx_view", side_effect=AssertionError("calamine path")):
        py, db = score_both(folder, "ipasn-mini", "pegawai", "pegawai.xlsx", "instansi")
    for a, b in zip(py.root.walk(), db.root.walk(), strict=True):
        assert (a.id, a.value, a.derivation.unrounded) == (b.id, b.value, b.derivation.unrounded)
        assert a.extra.get("n") == b.extra.get("n")
    assert [g.to_dict() for g in py.groups] == [g.to_dict() for g in db.groups]


def test_fraction_cells_are_not_thousands(tmp_path):
    """2.675 in a spreadsheet is two and a bit, not 2,675 (the Indonesian thousands reading)."""
    from evalengine.bulk import score_grouped
    from evalengine.evidence.readers import read_evidence

    _write(tmp_path / "pegawai.xlsx", [("A", "S1", 1, 0, 2.675, "tidak", "", False)])
    (tmp_path / "e.toml").write_text(
        '[evidence]\nrubric = "ipasn-mini"\n[tables.pegawai]\nfile = "pegawai.xlsx"\n'
    )
    plugins = default_plugins()
    rubric = load_rubric(DATA / "ipasn-mini.toml", plugins=plugins)
    evidence = read_evidence(tmp_path / "e.toml", plugins=plugins)
    db = score_grouped(rubric, evidence, engine="duckdb", plugins=plugins)
    kinerja = next(n for n in db.root.walk() if n.id == "kinerja")
    # round(2.675 / 100 * 30, 2) = round(0.8025, 2) = 0.80 (half-up), mean of one row
    assert str(kinerja.value) == "0.80"
