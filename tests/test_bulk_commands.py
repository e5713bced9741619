"""``explain``, ``reconcile`` and ``batch`` read evidence tables the way ``score`` does.

A rubric of records or survey indicators is computed on DuckDB for big tables (auto) or
as ``--engine`` says, so that explaining one number of a five-million-row roster does
not read it row by row in Python. Both engines must give the same sheet figures and the
same reconciliation.
"""

from __future__ import annotations

import json
import re
import shutil

import duckdb
import pytest
from paths import EXAMPLES

from evalengine.cli import main

ROSTER = EXAMPLES / "ipasn-belitung-timur" / "evidence-roster.toml"
RESPONSES = EXAMPLES / "ikm-belitung-timur" / "evidence-responses.toml"


def explained(capsys, *args: str) -> str:
    assert main(["explain", *args]) == 0
    return capsys.readouterr().out


def figures(sheet: str) -> list[str]:
    """The ``nilai`` lines of a calculation sheet (value and maximum of each node)."""
    return re.findall(r"^\s*nilai\s+= (.*)$", sheet, flags=re.M)


@pytest.mark.parametrize(
    ("evidence", "rubric", "indicator"),
    [(ROSTER, "ipasn", "ipasn"), (ROSTER, "ipasn", "kinerja"), (RESPONSES, "ikm", "ikm")],
)
def test_explain_gives_the_same_figures_on_both_engines(capsys, evidence, rubric, indicator):
    args = [rubric, str(evidence), indicator, "--depth", "2"]
    python = explained(capsys, *args, "--engine", "python")
    duck = explained(capsys, *args, "--engine", "duckdb")
    assert figures(python) and figures(python) == figures(duck)
    assert "computed on DuckDB" in duck and "computed on DuckDB" not in python
    assert "row 2: " in python  # the interpreter also shows the first rows it read


def parquet_roster(folder):
    """The roster example with its table as Parquet (which ``auto`` reads on DuckDB)."""
    shutil.copytree(ROSTER.parent, folder)
    table = folder / "pegawai.csv"
    parquet = folder / "pegawai.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{table}', all_varchar=true)) TO '{parquet}'")
    evidence = folder / ROSTER.name
    evidence.write_text(
        evidence.read_text(encoding="utf-8").replace("pegawai.csv", "pegawai.parquet"), "utf-8"
    )
    assert "pegawai.parquet" in evidence.read_text(encoding="utf-8")
    return evidence


def test_explain_reads_a_parquet_roster_on_duckdb_by_default(tmp_path, capsys):
    evidence = parquet_roster(tmp_path / "roster")
    sheet = explained(capsys, "ipasn", str(evidence), "kinerja")
    assert "computed on DuckDB" in sheet
    assert figures(sheet) == figures(explained(capsys, "ipasn", str(ROSTER), "kinerja"))


def test_reconcile_agrees_on_both_engines(capsys):
    runs = {}
    for engine in ("python", "duckdb"):
        code = main(["reconcile", "ikm", str(RESPONSES), "-f", "json", "--engine", engine])
        runs[engine] = (code, json.loads(capsys.readouterr().out))
    assert runs["python"] == runs["duckdb"]
    assert runs["python"][0] == 1  # the example's stated "BB" is not an IKM mutu label


def test_batch_reads_a_parquet_roster_on_duckdb_and_agrees_with_the_csv(tmp_path, monkeypatch):
    from evalengine.bulk import grouped

    scans = []
    precompute = grouped.precompute
    monkeypatch.setattr(
        grouped, "precompute", lambda *a, **k: scans.append(1) or precompute(*a, **k)
    )
    out = tmp_path / "ranking.json"
    parquet = parquet_roster(tmp_path / "parquet")
    args = ["batch", "ipasn", str(ROSTER), str(parquet), "--jobs", "1", "--no-progress"]
    assert main([*args, "-f", f"json:{out}"]) == 0
    items = json.loads(out.read_text(encoding="utf-8"))["ranking"]
    assert len(scans) == 1  # the Parquet file; the small CSV stays on the interpreter
    assert len(items) == 2 and items[0]["value"] == items[1]["value"] == "71.42"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "table file pegawai.csv is empty"),
        ("NIP;Nama\n1;2;3\n", "row 2 of pegawai.csv has 3 cells; the header has 2"),
    ],
)
def test_a_malformed_table_file_gets_the_same_error_on_both_engines(
    tmp_path, capsys, text, message
):
    folder = tmp_path / "roster"
    shutil.copytree(ROSTER.parent, folder)
    (folder / "pegawai.csv").write_text(text, encoding="utf-8")
    errors = {}
    for engine in ("python", "duckdb"):
        assert main(["score", "ipasn", str(folder / ROSTER.name), "--engine", engine]) == 2
        errors[engine] = capsys.readouterr().err
    assert message in errors["duckdb"] and errors["python"] == errors["duckdb"]


def test_the_duckdb_engine_never_reads_a_table_in_python(monkeypatch, capsys):
    from evalengine.evidence.tables import FileTable

    def refuse(self):
        msg = f"{self.file} read in Python"
        raise AssertionError(msg)

    monkeypatch.setattr(FileTable, "_load", refuse)
    assert main(["score", "ikm", str(RESPONSES), "--engine", "duckdb", "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["headline"]["value"] == "88.58"


def test_auto_reads_a_table_file_of_bulk_size_on_duckdb(tmp_path, capsys):
    from evalengine.bulk import BULK_FILE_BYTES

    folder = tmp_path / "ikm"
    shutil.copytree(RESPONSES.parent, folder)
    table = folder / "responses.csv"
    header, *rows = table.read_text(encoding="utf-8").splitlines()
    small = [header, *rows]
    big = [header, *(rows * (BULK_FILE_BYTES // len("\n".join(rows)) + 1))]
    engines = []
    for lines in (small, big):
        table.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert main(["score", "ikm", str(folder / RESPONSES.name), "-f", "json"]) in (0, 1)
        engines.append(json.loads(capsys.readouterr().out)["engine"])
    assert table.stat().st_size >= BULK_FILE_BYTES
    assert engines == ["python", "duckdb"]
