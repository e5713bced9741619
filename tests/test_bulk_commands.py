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
