"""The xlsx report: figures are number cells with Indonesian formats, one sheet per aspect."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from evalengine_xlsx import plugin
from evalengine_xlsx.render import SUMMARY, XlsxReport, render_xlsx, sheet_names
from python_calamine import CalamineWorkbook

from evalengine.evaluate.result import NodeResult
from evalengine.plugins import Plugins, get_plugin_manager

ROOT = Path(__file__).resolve().parents[3]
RUBRIC = ROOT / "rubrics" / "merit-2019.toml"
EVIDENCE = ROOT / "examples" / "merit-belitung-timur" / "evidence.toml"


@pytest.fixture(scope="module")
def data(result):
    return render_xlsx(result)


def test_registered_through_the_hook_as_binary():
    pm = get_plugin_manager(entry_points=False)
    pm.register(plugin, name="xlsx")
    cls = Plugins(pm).report_formats.get("xlsx")
    assert cls is XlsxReport and cls.binary and isinstance(cls().render, object)


def test_summary_and_one_sheet_per_aspect(result, data):
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert wb.sheet_names[0] == SUMMARY
    assert len(wb.sheet_names) == 1 + len(result.root.children)
    for name, node in zip(wb.sheet_names[1:], result.root.children, strict=True):
        assert name.startswith(f"{node.code} ")


def test_figures_are_numbers_not_text(result, data):
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = wb.get_sheet_by_name(SUMMARY).to_python()
    by_label = {r[0]: r for r in rows if r and isinstance(r[0], str)}
    assert by_label["Nilai akhir"][1] == 252.0
    assert by_label["Nilai mandiri"][1] == 340.0
    assert isinstance(by_label["Nilai maksimum"][1], float)
    sheet = wb.get_sheet_by_name(wb.sheet_names[3]).to_python()  # 3 Pengembangan Karir
    header = sheet[3]
    row = next(r for r in sheet if r[0] == "3.5")
    assert row[header.index("Mandiri")] == 3.0 and row[header.index("Verifikasi")] == 1.0
    assert row[header.index("Nilai")] == 2.5  # bobot 2,5 × skor verifikasi 1
    total = next(r for r in sheet if r[1] == "Jumlah")
    assert total[header.index("Nilai")] == 42.5  # LKjIP 2024 Tabel 3.4: "Total 42.5"


def test_indonesian_number_formats(data):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[SUMMARY]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == 252)
    assert cell.data_type == "n"
    assert cell.number_format.startswith("[$-421]")
    percent = next(
        c for row in ws.iter_rows() for c in row if isinstance(c.value, float) and 0 < c.value < 1
    )
    assert percent.number_format.endswith("%")


def test_sheet_names_are_valid_and_unique():
    nodes = [
        NodeResult(id="a", title="Komponen: [utama] / evaluasi? *", type="group", code="1"),
        NodeResult(id="b", title="x" * 50, type="group", code="2"),
        NodeResult(id="c", title="x" * 50, type="group", code="2"),
        NodeResult(id="d", title="Ringkasan", type="group"),
    ]
    names = sheet_names(nodes)
    assert len(set(n.lower() for n in names)) == 4
    for name in names:
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    assert names[3] != SUMMARY


def test_written_atomically_by_score(tmp_path, monkeypatch):
    from evalengine import plugins as plugins_module
    from evalengine.cli import main

    pm = get_plugin_manager(entry_points=False)
    pm.register(plugin, name="xlsx")
    monkeypatch.setattr(plugins_module, "_default", Plugins(pm))
    out = tmp_path / "merit.xlsx"
    assert main(["score", str(RUBRIC), str(EVIDENCE), "-f", f"xlsx:{out}"]) == 0
    assert out.read_bytes()[:2] == b"PK"
    assert [p.name for p in tmp_path.iterdir()] == ["merit.xlsx"]  # no temp files left
    # to standard output it refuses: a binary format needs a file
    assert main(["score", str(RUBRIC), str(EVIDENCE), "-f", "xlsx"]) == 2


def test_decimal_values_survive(result, data):
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    values = [
        Decimal(repr(r[4]))
        for r in wb.get_sheet_by_name(SUMMARY).to_python()
        if r and r[0] in {n.code for n in result.root.children}
    ]
    assert values == [n.value for n in result.root.children]


def test_text_is_never_a_formula(result, titled):
    with titled('=HYPERLINK("http://example.invalid","x")'):
        data = render_xlsx(result)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    titles = [
        c
        for row in wb[SUMMARY].iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")
    ]
    assert titles and all(c.data_type == "s" for c in titles)


def test_group_by_adds_a_ranking_sheet_of_number_cells(grouped_result):
    from evalengine_xlsx.workbook import RANKING

    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(grouped_result)))
    assert wb.sheetnames[:2] == [SUMMARY, RANKING]
    ws = wb[RANKING]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert rows[0] == (
        "Peringkat",
        "instansi",
        "Kualifikasi",
        "Kompetensi",
        "Kinerja",
        "Disiplin",
        "Nilai",
        "Predikat",
    )
    # figures of tests/test_report_ranking.py, worked out from the rows: number cells
    assert rows[1] == (1, "A", 17.5, 32.5, 26.33, 5, 81.33, "Tinggi")
    assert rows[2] == (2, "B", 17.5, 17.5, 23.25, 5, 63.25, "Rendah")
    # shown with the two places the rubric rounds to, the Indonesian way
    assert ws.cell(5, 5).number_format == "[$-421]#,##0.00"
    assert ws.cell(5, 7).number_format == "[$-421]#,##0.00"
    failed = [r for r in rows[3:] if any(r)]
    assert failed[0][0] == "Kelompok gagal"
    assert failed[1][1] == "C" and "mean of no rows" in failed[1][2]


def test_places_format():
    from evalengine_xlsx.workbook import places_format

    assert places_format(2) == "[$-421]#,##0.00"
    assert places_format(0) == "[$-421]#,##0"
    assert places_format(None) == "[$-421]General"
