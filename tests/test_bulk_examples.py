"""The shipped table-based rubrics give the same figures on DuckDB as on the Decimal interpreter.

The IP ASN roster declares typed columns ("ya"/"tidak" booleans, blank defaults, headers
such as "Jenis Jabatan" for jenis_jabatan); the bulk path must read them as the document
path does, for the whole result and per group.
"""

from __future__ import annotations

import json
import re

import pytest
from paths import EXAMPLES

CASES = [
    ("ipasn", EXAMPLES / "ipasn-belitung-timur" / "evidence-roster.toml", "jenis_jabatan"),
    ("ikm", EXAMPLES / "ikm-belitung-timur" / "evidence-responses.toml", None),
]


def _figures(data: dict) -> list:
    def walk(node):
        yield node["id"], node["value"], node["max"]
        for child in node["children"]:
            yield from walk(child)

    groups = [(g["group"], g["value"], g["indicators"]) for g in data.get("groups", [])]
    return [*walk(data["result"]), *groups]


@pytest.mark.parametrize(("rubric", "evidence", "group_by"), CASES, ids=[c[0] for c in CASES])
def test_duckdb_and_python_agree_on_examples(run_cli, rubric, evidence, group_by):
    extra = ["--group-by", group_by] if group_by else []
    results = {}
    for engine in ("duckdb", "python"):
        res = run_cli("score", rubric, evidence, "--engine", engine, "-f", "json", *extra)
        assert res.code == 0, res.err
        results[engine] = _figures(json.loads(res.out))
    assert results["duckdb"] == results["python"]
    if group_by:
        assert len([f for f in results["duckdb"] if len(f) == 3 and isinstance(f[2], dict)]) > 1


def test_a_word_that_is_neither_yes_nor_no_is_an_error_on_duckdb(run_cli, write):
    roster = (EXAMPLES / "ipasn-belitung-timur" / "pegawai.csv").read_text(encoding="utf-8")
    lines = roster.splitlines()
    lines[1] = lines[1].replace(";Administrator;ya;", ";Administrator;mungkin;")
    write("pegawai.csv", "\n".join(lines) + "\n")
    evidence = (EXAMPLES / "ipasn-belitung-timur" / "evidence-roster.toml").read_text("utf-8")
    path = write("evidence.toml", evidence)
    res = run_cli("score", "ipasn", path, "--engine", "duckdb")
    assert res.code == 2
    assert "must be ya or tidak, got 'mungkin'" in res.err and "Traceback" not in res.err


@pytest.mark.parametrize("group_by", [None, "jenis_jabatan"])
def test_an_unreadable_word_is_reported_before_a_formula_error_it_causes(run_cli, write, group_by):
    """The yes/no check rides on the table's first scan (no scan of its own); when that
    scan stops on another row's error (a key not in a lookup table), the unreadable word
    is still the error reported, as the document path reports it when it reads the table."""
    roster = (EXAMPLES / "ipasn-belitung-timur" / "pegawai.csv").read_text(encoding="utf-8")
    lines = roster.splitlines()
    lines[1] = lines[1].replace(";Administrator;ya;", ";Administrator;mungkin;")
    lines[2] = lines[2].replace(";S-1;", ";Kursus;")  # the first indicator's lookup fails
    write("pegawai.csv", "\n".join(lines) + "\n")
    evidence = (EXAMPLES / "ipasn-belitung-timur" / "evidence-roster.toml").read_text("utf-8")
    path = write("evidence.toml", evidence)
    extra = ["--group-by", group_by] if group_by else []
    for engine in ("duckdb", "python"):
        res = run_cli("score", "ipasn", path, "--engine", engine, *extra)
        assert res.code == 2, engine
        assert "must be ya or tidak" in res.err and "'mungkin'" in res.err, (engine, res.err)
        assert "Traceback" not in res.err


def test_the_ipasn_roster_query_computes_each_nested_lookup_once(run_cli, monkeypatch):
    """kompetensi looks a kelompok jabatan up, then its points by that kelompok, under a
    min(40, …): written out at each use, the inner lookup was copied into every arm of the
    outer ones and the guard doubled it all (142 KB of SQL, 1.2 s for DuckDB to plan).
    Long expressions are computed once per row (SqlCompiler.bind), and each lookup of a
    column's cells is a column of the table's rows (a layer under the formulas), which the
    formulas read wherever they use it."""
    from evalengine.bulk import compute

    seen: list[tuple[str, str]] = []  # (the formulas' SQL, the rows' SQL)
    grouped_query = compute.grouped_query

    def spy(con, table, gexpr, derived, *args, **kwargs):
        seen.append((", ".join(derived), table.query))
        return grouped_query(con, table, gexpr, derived, *args, **kwargs)

    monkeypatch.setattr(compute, "grouped_query", spy)
    evidence = EXAMPLES / "ipasn-belitung-timur" / "evidence-roster.toml"
    res = run_cli("score", "ipasn", evidence, "--engine", "duckdb", "-f", "json")
    assert res.code == 0, res.err
    formulas, rows = max(seen, key=lambda s: len(s[0]))
    assert '"__ee_lookup' in formulas and "jenis jabatan" not in formulas.lower()
    assert len(formulas) < 12_000, len(formulas)  # 7 KB; 143 KB written out at each use
    # each lookup is written once, in the rows' layer
    assert rows.count(' AS "__ee_lookup') == len(set(re.findall(r'"__ee_lookup\d+"', formulas)))
