"""Progress of the DuckDB scans (bulk/progress.py) and its bar in ``score``."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from evalengine import load_rubric, read_evidence
from evalengine.bulk import score_grouped
from evalengine.bulk.progress import fetch_all, reporting
from evalengine.cli import main

DATA = Path(__file__).parent / "data" / "bulk"
QUERY = "SELECT count(*), sum(i % 7) FROM range(20000000) t(i)"


def test_without_a_reporter_the_query_runs_here():
    con = duckdb.connect()
    before = threading.active_count()
    assert fetch_all(con, "SELECT 6 * 7", "x") == [(42,)]
    assert threading.active_count() == before


def test_with_a_reporter_the_rows_are_the_same_and_the_last_report_is_done():
    con = duckdb.connect()
    calls: list[tuple[str, float]] = []
    with reporting(lambda label, percent: calls.append((label, percent))):
        rows = fetch_all(con, QUERY, "reading table 't'")
    assert rows == con.execute(QUERY).fetchall()
    assert calls[-1] == ("reading table 't'", 100.0)
    assert all(0 <= percent <= 100 for _, percent in calls)


def test_a_statement_returns_no_rows_and_creates_its_table():
    con = duckdb.connect()
    with reporting(lambda label, percent: None):
        assert fetch_all(con, "CREATE TABLE t AS SELECT 1 AS a", "x", rows=False) == []
    assert con.execute("SELECT a FROM t").fetchall() == [(1,)]


def test_a_duckdb_error_is_raised_in_the_caller_as_without_a_reporter():
    con = duckdb.connect()
    with reporting(lambda label, percent: None), pytest.raises(duckdb.Error, match="boom"):
        fetch_all(con, "SELECT error('boom')", "x")


def test_ctrl_c_interrupts_the_running_query():
    con = duckdb.connect()

    def stop(label, percent):
        raise KeyboardInterrupt

    # hours of work if it were not interrupted
    with reporting(stop), pytest.raises(KeyboardInterrupt):
        fetch_all(con, "SELECT sum(i % 7) FROM range(3000000000000) t(i)", "x")
    assert con.execute("SELECT 1").fetchall() == [(1,)]  # the connection still works


def test_scoring_on_duckdb_reports_each_table_it_reads():
    calls: list[tuple[str, float]] = []
    rubric = load_rubric(DATA / "ipasn-mini.toml")
    evidence = read_evidence(DATA / "ipasn-evidence.toml")
    with reporting(lambda label, percent: calls.append((label, percent))):
        score_grouped(rubric, evidence, group_by="instansi", engine="duckdb")
    assert ("reading table 'pegawai' (pegawai.csv)", 100.0) in calls


def test_no_bar_when_stderr_is_not_a_terminal(capsys):
    args = [str(DATA / "ipasn-mini.toml"), str(DATA / "ipasn-evidence.toml")]
    assert main(["score", *args, "--group-by", "instansi", "--engine", "duckdb"]) == 0
    assert "reading table" not in capsys.readouterr().err
    assert main(["score", *args, "--group-by", "instansi", "--no-progress", "-f", "json"]) == 0
