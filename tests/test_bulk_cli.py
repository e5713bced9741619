"""The bulk path from the command line: score --group-by on CSV/Parquet/XLSX, and batch."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from paths import ROOT

from evalengine.cli import main

DATA = Path(__file__).parent / "data" / "bulk"


@pytest.fixture
def cli():
    """The command line (with evalengine's own plugins: see conftest.py)."""
    return main


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_group_by_json_has_ranked_groups_and_overall(cli, capsys):
    rubric, evidence = DATA / "ipasn-mini.toml", DATA / "ipasn-evidence.toml"
    assert (
        cli(
            [
                "score",
                str(rubric),
                str(evidence),
                "--group-by",
                "instansi",
                "--engine",
                "duckdb",
                "-f",
                "json",
            ]
        )
        == 0
    )
    data = _json(capsys)
    assert data["engine"] == "duckdb" and data["group_by"] == "instansi"
    groups = {g["group"]: g for g in data["groups"]}
    assert set(groups) == {"A", "B", "C"}
    # instansi B: S3 and D3 → kualifikasi mean (25 + 10) / 2 = 17.5 (lookup table of the rubric)
    assert Decimal(groups["B"]["indicators"]["kualifikasi"]) == (Decimal(25) + Decimal(10)) / 2
    ranks = [g["rank"] for g in data["groups"]]
    values = [Decimal(g["value"]) for g in data["groups"]]
    assert ranks == [1, 2, 3] and values == sorted(values, reverse=True)
    # kinerja overall: rows round(skp / 100 * 30, 2) averaged over 6 rows, half-up to 2 places
    skp = [Decimal(x) for x in ("90", "85.5", "70", "95", "60", "88")]
    rows = [(s / 100 * 30).quantize(Decimal("0.01")) for s in skp]
    expected = (sum(rows) / 6).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    kinerja = next(c for c in data["result"]["children"] if c["id"] == "kinerja")
    assert Decimal(kinerja["value"]) == expected


def test_group_by_rich_shows_ranking(cli, capsys):
    rubric, evidence = DATA / "ipasn-mini.toml", DATA / "ipasn-evidence.toml"
    assert (
        cli(["score", str(rubric), str(evidence), "--group-by", "instansi", "--width", "120"]) == 0
    )
    out = capsys.readouterr().out
    assert "Peringkat per instansi" in out


def _copy_with(tmp_path: Path, table_file: Path) -> Path:
    if table_file.parent != tmp_path:
        shutil.copy(table_file, tmp_path / table_file.name)
    ev = tmp_path / "e.toml"
    ev.write_text(
        f'[evidence]\nrubric = "ipasn-mini"\n[tables.pegawai]\nfile = "{table_file.name}"\n'
    )
    return ev


@pytest.mark.parametrize("kind", ["parquet", "padded parquet", "xlsx"])
def test_parquet_and_xlsx_give_the_csv_numbers(cli, capsys, tmp_path, kind):
    import duckdb

    csv_file = DATA / "pegawai.csv"
    out = tmp_path / f"pegawai.{kind.split()[-1]}"
    if kind == "parquet":
        duckdb.sql(f"COPY (SELECT * FROM read_csv('{csv_file}')) TO '{out}' (FORMAT PARQUET)")
    elif kind == "padded parquet":
        # text cells with spaces around them are read as CSV cells are (trimmed), on both
        # engines (the Python engine used to miss ' S1 ' in the lookup table)
        duckdb.sql(
            "COPY (SELECT * REPLACE (' ' || pendidikan || ' ' AS pendidikan, "
            f"hukuman || '  ' AS hukuman) FROM read_csv('{csv_file}')) TO '{out}' "
            "(FORMAT PARQUET)"
        )
    else:
        import csv

        import xlsxwriter

        book = xlsxwriter.Workbook(str(out))
        sheet = book.add_worksheet("pegawai")
        for r, row in enumerate(csv.reader(csv_file.open())):
            for c, cell in enumerate(row):
                try:
                    sheet.write_number(r, c, float(cell)) if r else sheet.write(r, c, cell)
                except ValueError:
                    sheet.write(r, c, cell)
        book.close()
    ev = _copy_with(tmp_path, out)
    rubric = DATA / "ipasn-mini.toml"
    assert (
        cli(
            [
                "score",
                str(rubric),
                str(DATA / "ipasn-evidence.toml"),
                "--group-by",
                "instansi",
                "--engine",
                "python",
                "-f",
                "json",
            ]
        )
        == 0
    )
    expected = _json(capsys)
    for engine in ("duckdb", "python"):
        assert (
            cli(
                [
                    "score",
                    str(rubric),
                    str(ev),
                    "--group-by",
                    "instansi",
                    "--engine",
                    engine,
                    "-f",
                    "json",
                ]
            )
            == 0
        )
        got = _json(capsys)
        assert got["headline"]["value"] == expected["headline"]["value"]
        assert got["groups"] == expected["groups"]


def test_batch_one_malformed_file_scores_the_rest_and_exits_1(cli, capsys, tmp_path):
    example = ROOT / "examples" / "merit-belitung-timur" / "evidence.toml"
    for i in range(3):
        shutil.copy(example, tmp_path / f"ok{i}.toml")
    (tmp_path / "broken.toml").write_text("[answers\n")
    report = tmp_path / "out.json"
    code = cli(
        [
            "batch",
            "merit",
            str(tmp_path),
            "-f",
            f"json:{report}",
            "-f",
            "rich",
            "--no-progress",
            "--width",
            "300",
        ]
    )
    assert code == 1
    data = json.loads(report.read_text())
    assert data["files"] == 4 and data["scored"] == 3 and data["failed"] == 1
    assert data["failures"][0]["path"].endswith("broken.toml")
    # the example is the real Sistem Merit 2023 result of Belitung Timur: 252, "III Baik"
    # (LKjIP 2024 BKPSDM Belitung Timur)
    assert {r["value"] for r in data["ranking"]} == {"252"}
    dist = {d["band"]: d for d in data["distribution"]}
    assert dist["III"]["count"] == 3 and dist["III"]["percent"] == "100.00"
    assert "broken.toml" in capsys.readouterr().out


def test_batch_without_failures_exits_0_with_csv(cli, capsys, tmp_path):
    example = ROOT / "examples" / "merit-belitung-timur" / "evidence.toml"
    shutil.copy(example, tmp_path / "a.toml")
    assert cli(["batch", "merit", str(tmp_path / "*.toml"), "-f", "csv", "--no-progress"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("rank,path") and lines[1].startswith("1,")


def test_batch_missing_path_is_a_usage_error(cli, tmp_path):
    assert cli(["batch", "merit", str(tmp_path / "nothing-here")]) == 2


def test_duckdb_is_not_imported_for_a_document(tmp_path):
    import subprocess
    import sys

    example = ROOT / "examples" / "merit-belitung-timur" / "evidence.toml"
    code = (
        "import sys; from evalengine.cli import main;"
        f"main(['score', 'merit', r'{example}', '-f', 'json:{tmp_path / 'o.json'}']);"
        "print('duckdb' in sys.modules)"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "EVALENGINE_DISABLE_PLUGINS": "markdown,xlsx,html,skp",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert out.stdout.strip().endswith("False"), out.stderr


def test_formula_without_sql_form_is_a_located_user_error(cli, capsys, tmp_path):
    text = (DATA / "ipasn-mini.toml").read_text()
    text = text.replace(
        """row = 'lookup("kualifikasi", row.pendidikan)'""", 'row = "row.diklat / row.seminar"'
    )
    (tmp_path / "r.toml").write_text(text)
    shutil.copy(DATA / "pegawai.csv", tmp_path / "pegawai.csv")
    shutil.copy(DATA / "ipasn-evidence.toml", tmp_path / "e.toml")
    code = cli(["score", str(tmp_path / "r.toml"), str(tmp_path / "e.toml"), "--engine", "duckdb"])
    assert code == 2
    err = capsys.readouterr().err
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith('row = "row.diklat'))
    assert f"r.toml:{line}:8: error[no-sql-form]" in err
    assert "round it" in err


def test_batch_rich_ranking_prints_the_headline_as_score_does(cli, capsys):
    """AKIP 2023 of BKPSDM Belitung Timur is 70,30 in the LKjIP (two places, as `score`
    prints it); two files both called evidence.toml are told apart by their folders."""
    examples = ROOT / "examples"
    folders = [str(examples / "akip-belitung-timur"), str(examples / "akip-2015-2021")]
    rubric = str(ROOT / "rubrics" / "akip-2021.toml")
    assert cli(["batch", rubric, *folders, "--no-progress", "--width", "160"]) == 0
    out = capsys.readouterr().out
    assert out.count(" 70,30 ") == 2
    assert "akip-belitung-timur/evidence.toml" in out
    assert "akip-2015-2021/evidence.toml" in out


def test_a_small_parquet_table_stays_in_its_file_until_rows_are_needed(tmp_path):
    """Parquet packs many cells per byte: even a small file is not read into Python
    while the evidence is read (the bulk path hands it to DuckDB); rows still load on use."""
    import duckdb

    from evalengine.evidence.readers import read_evidence

    out = tmp_path / "pegawai.parquet"
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{DATA / 'pegawai.csv'}')) TO '{out}' (FORMAT PARQUET)"
    )
    assert out.stat().st_size < 1_000_000
    evidence = read_evidence(_copy_with(tmp_path, out))
    table = evidence.tables["pegawai"]
    assert table._loaded is None
    assert len(table.rows) == len((DATA / "pegawai.csv").read_text().splitlines()) - 1
