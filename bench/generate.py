"""Synthetic data for the benchmarks (not part of the test suite).

    python bench/generate.py ipasn 1000000      # bench/data/ipasn-1000000.{csv,parquet} + evidence
    python bench/generate.py skm 1000000        # bench/data/skm-1000000.{csv,parquet} + evidence
    python bench/generate.py xlsx 100000        # bench/data/ipasn-100000.xlsx + evidence
    python bench/generate.py akip 10000         # bench/data/akip/ 10,000 evidence documents

IP ASN rosters spread employees over 600 agencies, SKM responses over 200 units;
values are deterministic (hashes of the row number), so runs are repeatable. The
"AKIP" documents are Sistem Merit evidence files (rubrics/merit-2019.toml) with
answers varied per document until the AKIP rubric lands.
"""

from __future__ import annotations

import random
import sys
import tomllib
from pathlib import Path

DATA = Path(__file__).parent / "data"

IPASN_SQL = """
SELECT i AS nip,
       'I' || lpad(CAST(i % 600 AS VARCHAR), 3, '0') AS instansi,
       (['S3', 'S2', 'S1', 'D3', 'SMA'])[1 + CAST(hash(i) % 5 AS INTEGER)] AS pendidikan,
       CAST(hash(i * 7) % 5 AS INTEGER) AS diklat,
       CAST(hash(i * 13) % 3 AS INTEGER) AS seminar,
       CAST(50 + hash(i * 17) % 51 AS INTEGER) AS skp,
       CASE WHEN hash(i * 19) % 10 = 0 THEN 'ringan' ELSE 'tidak' END AS hukuman
FROM range({n}) t(i)
"""

SKM_SQL = """
SELECT 'U' || lpad(CAST(i % 200 AS VARCHAR), 3, '0') AS unit,
       {answers}
FROM range({n}) t(i)
"""


def evidence(path: Path, rubric: str, table: str, file: str) -> None:
    path.write_text(
        f'[evidence]\nrubric = "{rubric}"\nsubject = "benchmark"\n\n'
        f'[tables.{table}]\nfile = "{file}"\n',
        encoding="utf-8",
    )


def ipasn(n: int) -> None:
    import duckdb

    con = duckdb.connect()
    sql = IPASN_SQL.format(n=n)
    for fmt in ("csv", "parquet"):
        out = DATA / f"ipasn-{n}.{fmt}"
        opts = "(HEADER)" if fmt == "csv" else "(FORMAT PARQUET)"
        con.execute(f"COPY ({sql}) TO '{out}' {opts}")
        evidence(DATA / f"ipasn-{n}-{fmt}.toml", "ipasn-bench", "pegawai", out.name)


def skm(n: int) -> None:
    import duckdb

    con = duckdb.connect()
    answers = ", ".join(
        f"CAST(1 + (CASE WHEN hash(i * {k + 3}) % 10 < 7 THEN 2 + hash(i * {k + 3}) % 2 "
        f"ELSE hash(i * {k + 3}) % 4 END) AS INTEGER) AS u{k}"
        for k in range(1, 10)
    )
    sql = SKM_SQL.format(n=n, answers=answers)
    for fmt in ("csv", "parquet"):
        out = DATA / f"skm-{n}.{fmt}"
        opts = "(HEADER)" if fmt == "csv" else "(FORMAT PARQUET)"
        con.execute(f"COPY ({sql}) TO '{out}' {opts}")
        evidence(DATA / f"skm-{n}-{fmt}.toml", "ikm-bench", "responses", out.name)


def xlsx(n: int) -> None:
    import duckdb
    import xlsxwriter

    rows = duckdb.connect().execute(IPASN_SQL.format(n=n)).fetchall()
    out = DATA / f"ipasn-{n}.xlsx"
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    sheet = book.add_worksheet("pegawai")
    header = ["nip", "instansi", "pendidikan", "diklat", "seminar", "skp", "hukuman"]
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, row)
    book.close()
    evidence(DATA / f"ipasn-{n}-xlsx.toml", "ipasn-bench", "pegawai", out.name)


def akip(n: int) -> None:
    root = Path(__file__).resolve().parents[1]
    template = (root / "examples" / "merit-belitung-timur" / "evidence.toml").read_text()
    ids = list(tomllib.loads(template)["answers"])
    head, _, _ = template.partition("[answers]")
    folder = DATA / "akip"
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2024)
    for k in range(n):
        lines = [head.replace("Belitung Timur", f"Belitung Timur {k}"), "[answers]"]
        for iid in ids:
            own = rng.randint(1, 4)
            lines.append(f"{iid} = {{ mandiri = {own}, verifikasi = {rng.randint(0, own)} }}")
        (folder / f"doc-{k:05d}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str]) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    kind, n = argv[0], int(argv[1])
    {"ipasn": ipasn, "skm": skm, "xlsx": xlsx, "akip": akip}[kind](n)


if __name__ == "__main__":
    main(sys.argv[1:])
