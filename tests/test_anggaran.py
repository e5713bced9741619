"""Anggaran: serapan, sisa and categories over the whole Tabel 4.0 of the LKjIP 2024.

Expected figures are those the report prints (section 3.3 and Tabel 4.0); the engine
computes them from the pagu and realisasi of the sub-kegiatan rows.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from paths import ROOT
from plugin_isolation import builtin_plugins_only  # noqa: F401 (autouse fixture)

from evalengine.cli import main
from evalengine.errors import EvidenceError
from evalengine.evaluate.engine import Engine
from evalengine.evidence.readers import read_evidence
from evalengine.numbers import parse_number, round_to
from evalengine.rubric.load import load_rubric

RUBRIC = ROOT / "rubrics" / "anggaran.toml"
EXAMPLE = ROOT / "examples" / "lkjip-anggaran" / "evidence.toml"
D = Decimal


@pytest.fixture(scope="module")
def result():
    return Engine(load_rubric(RUBRIC)).evaluate(read_evidence(EXAMPLE))


def test_total_serapan_as_the_report_states(result):
    # "Rp7.960.790.900,00 atau 95,25% ... dari total anggaran sebesar Rp8.357.764.610,00"
    node = result.find("belanja")
    assert node.extra["pagu"] == parse_number("8.357.764.610,00")
    assert node.extra["realisasi"] == parse_number("7.960.790.900,00")
    assert round_to(node.extra["serapan"], 2) == D("95.25")
    assert node.extra["sisa"] == parse_number("396.973.710,00")
    assert round_to(node.extra["sisa_persen"], 2) == D("4.75")  # "Sisa anggaran sebesar 4,75%"
    assert node.band.label == "ST" and node.band.meaning == "Sangat Tinggi"
    assert result.root.value == D("95.25")


def test_tree_shape_matches_the_report(result):
    # "2 (dua) bidang urusan, 3 (tiga) program, 13 (tiga belas) kegiatan dan 31 subkegiatan"
    rows = [n for n in result.root.walk() if n.type == "anggaran-row"]
    levels = [n.extra["level"] for n in rows]
    counts = {lv: levels.count(lv) for lv in ("urusan", "program", "kegiatan", "subkegiatan")}
    assert counts == {"urusan": 2, "program": 3, "kegiatan": 13, "subkegiatan": 31}
    assert [c.id for c in result.find("1.1.4").children] == [f"1.1.4.{i}" for i in range(1, 6)]


@pytest.mark.parametrize(
    ("kode", "pagu", "realisasi", "printed"),
    [  # section 3.3, "Capaian Berdasarkan Program"
        ("1.1", "5.833.189.610,00", "5.649.957.862,00", "96.86"),
        ("1.2", "1.601.980.000,00", "1.450.626.919,00", "90.55"),
        ("2.1", "922.595.000,00", "860.206.119,00", "93.24"),
    ],
)
def test_program_figures(result, kode, pagu, realisasi, printed):
    node = result.find(kode)
    assert node.extra["pagu"] == parse_number(pagu)
    assert node.extra["realisasi"] == parse_number(realisasi)
    assert round_to(node.value, 2) == D(printed)


def test_parents_are_sums_of_children(result):
    for node in result.root.walk():
        if node.type == "anggaran-row" and node.children:
            assert node.extra["pagu"] == sum(c.extra["pagu"] for c in node.children)
            assert node.extra["realisasi"] == sum(c.extra["realisasi"] for c in node.children)


def test_categories_per_row(result):
    assert result.find("1.1.6.3").band.label == "S"  # 69,59 %
    assert result.find("1.2.2.1").band.label == "S"  # 72,30 %
    assert result.find("1.1.4.2").band.label == "T"  # 79,99 %
    assert result.find("1.1.6.1").band.label == "ST"  # 100 %


def test_fisik_kept_as_information(result):
    assert result.find("1.1.4.2").extra["fisik"] == D("98.01")


def test_printed_total_that_is_not_the_sum_warns(result):
    # The TOTAL row prints realisasi 7.690.790.900,00; the rows sum to 7.960.790.900,00.
    warnings = result.find("belanja").warnings
    assert len(warnings) == 1
    assert "7.690.790.900,00" in warnings[0] and "7.960.790.900,00" in warnings[0]


def _evidence(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "evidence.toml"
    path.write_text(textwrap.dedent(rows), encoding="utf-8")
    return path


def test_parent_mismatch_is_a_warning_on_that_node(tmp_path):
    e = _evidence(
        tmp_path,
        """
        [[tables.anggaran.rows]]
        kode = "P"
        level = "program"
        uraian = "Program"
        pagu = "1.000.000,00"
        realisasi = "900.000,00"
        [[tables.anggaran.rows]]
        kode = "K"
        level = "kegiatan"
        uraian = "Kegiatan"
        pagu = "1.100.000,00"
        realisasi = "900.000,00"
        [[tables.anggaran.rows]]
        kode = "S1"
        level = "subkegiatan"
        uraian = "Sub 1"
        pagu = "600.000,00"
        realisasi = "500.000,00"
        [[tables.anggaran.rows]]
        kode = "S2"
        level = "subkegiatan"
        uraian = "Sub 2"
        pagu = "500.000,00"
        realisasi = "400.000,00"
        """,
    )
    result = Engine(load_rubric(RUBRIC)).evaluate(read_evidence(e))
    program = result.find("P")
    assert any("pagu Rp1.000.000,00 is not the sum" in w for w in program.warnings)
    assert not any("realisasi" in w for w in program.warnings)
    assert result.find("K").warnings == []
    assert program.extra["pagu"] == 1_100_000 and program.extra["sisa"] == 200_000


def test_numeric_levels_and_zero_pagu(tmp_path):
    e = _evidence(
        tmp_path,
        """
        [tables.anggaran]
        rows = [
          { kode = "A", level = 1, uraian = "A", pagu = 0, realisasi = 0 },
          { kode = "A1", level = 2, uraian = "A1", pagu = 0, realisasi = 0 },
          { kode = "B", level = 1, uraian = "B", pagu = 200, realisasi = 150 },
        ]
        """,
    )
    result = Engine(load_rubric(RUBRIC)).evaluate(read_evidence(e))
    assert result.find("A1").value is None
    assert "pagu is 0" in result.find("A1").warnings[0]
    assert result.find("belanja").extra["serapan"] == 75


def test_bad_level_and_missing_column_are_located(tmp_path):
    e = _evidence(
        tmp_path,
        """
        [tables.anggaran]
        rows = [{ kode = "A", level = "bidang", uraian = "A", pagu = 1, realisasi = 1 }]
        """,
    )
    with pytest.raises(EvidenceError, match="level 'bidang' is not one of"):
        Engine(load_rubric(RUBRIC)).evaluate(read_evidence(e))
    e = _evidence(
        tmp_path,
        """
        [tables.anggaran]
        rows = [{ kode = "A", level = "program", uraian = "A", pagu = 1 }]
        """,
    )
    with pytest.raises(EvidenceError, match="no column 'realisasi'"):
        Engine(load_rubric(RUBRIC)).evaluate(read_evidence(e))


def test_cli(tmp_path, capsys):
    assert main(["score", str(RUBRIC), str(EXAMPLE), "--width", "160"]) == 0
    out = capsys.readouterr().out
    assert "95,25" in out and "8.357.764.610,00" in out and "Sangat Tinggi" in out
    e = _evidence(tmp_path, '[tables.anggaran]\nrows = [{ kode = "A", level = "x" }]\n')
    assert main(["score", str(RUBRIC), str(e)]) == 2


def test_the_same_table_from_xlsx_gives_the_same_findings(tmp_path):
    """Tabel 4.0 typed into a spreadsheet (numbers as numbers) reconciles the same way."""
    import csv

    from openpyxl import Workbook

    from evalengine.reconcile import reconcile

    source = EXAMPLE.parent / "tabel-4.0.csv"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tabel 4.0"
    with source.open(encoding="utf-8") as handle:
        for i, record in enumerate(csv.reader(handle, delimiter=";")):
            if i == 0:
                sheet.append(record)
                continue
            cells = []
            for j, cell in enumerate(record):
                if j >= 3 and cell:
                    cells.append(float(parse_number(cell)))
                else:
                    cells.append(cell)
            sheet.append(cells)
    workbook.save(tmp_path / "tabel.xlsx")
    evidence = EXAMPLE.read_text(encoding="utf-8").replace(
        'file = "tabel-4.0.csv"', 'file = "tabel.xlsx"\nsheet = "Tabel 4.0"'
    )
    (tmp_path / "evidence.toml").write_text(evidence, encoding="utf-8")
    result = Engine(load_rubric(RUBRIC)).evaluate(read_evidence(tmp_path / "evidence.toml"))
    assert round_to(result.find("belanja").extra["serapan"], 2) == D("95.25")
    rec = reconcile(result)
    assert sorted(c.node_id for c in rec.disagreements) == ["1.1.2.2", "1.2.2.2", "belanja"]
    cells = {c.node_id: c.location for c in rec.disagreements}
    assert cells["1.1.2.2"].line == 9  # spreadsheet row 9, like the CSV line
