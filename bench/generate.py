"""Synthetic data for the benchmarks (not part of the test suite).

    python bench/generate.py ipasn 1000000      # bench/data/ipasn-1000000.{csv,parquet} + evidence
    python bench/generate.py skm 1000000        # bench/data/skm-1000000.{csv,parquet} + evidence
    python bench/generate.py xlsx 100000        # bench/data/ipasn-100000.xlsx + evidence
    python bench/generate.py ipasn2019 1000000  # bench/data/ipasn2019-1000000.csv + evidence
    python bench/generate.py units 1000000      # bench/data/units-1000000.parquet + evidence
    python bench/generate.py akip 10000         # bench/data/akip/ 10,000 AKIP 2021 documents
    python bench/generate.py merit 10000        # bench/data/merit/ 10,000 Sistem Merit documents

IP ASN rosters spread employees over 600 agencies (the ``units`` roster over 20,000
work units, in its column ``instansi``: a province scored per unit kerja), SKM
responses over 200 units;
the ``ipasn2019`` roster is written as a BKPSDM exports it for the shipped
rubrics/ipasn-2019.toml (the columns of examples/ipasn-belitung-timur/pegawai.csv, ``;``
separated, its spellings of education, position, SKP and discipline, blank cells);
values are deterministic (hashes of the row number), so runs are repeatable. The
AKIP documents answer rubrics/akip-2021.toml (grades AA … E per sub-komponen, with
the variations real files show; see ``akip_document``); the merit documents answer
rubrics/merit-2019.toml. Both are seeded, so every run writes the same files.
"""

from __future__ import annotations

import random
import sys
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

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

#: A roster for rubrics/ipasn-2019.toml, in the words of examples/ipasn-belitung-timur.
IPASN_2019_SQL = """
SELECT 198000000000000000 + i AS "NIP",
       'Pegawai ' || i AS "Nama",
       (['S-3', 'S-2', 'S-1', 'S1', 'D-IV', 'D-III', 'D3', 'SLTA', 'SMA', 'SLTP', 'SD'])
         [1 + CAST(hash(i) % 11 AS INTEGER)] AS "Pendidikan Terakhir",
       (['JPT', 'Administrator', 'Pengawas', 'Fungsional', 'JF', 'Pelaksana', 'JFU'])
         [1 + CAST(hash(i * 3) % 7 AS INTEGER)] AS "Jenis Jabatan",
       CASE WHEN hash(i * 5) % 4 = 0 THEN 'ya' ELSE 'tidak' END AS "Diklatpim",
       CASE WHEN hash(i * 7) % 3 = 0 THEN 'ya' ELSE 'tidak' END AS "Diklat Fungsional",
       CAST(hash(i * 11) % 41 AS INTEGER) AS "Diklat Teknis JP",
       CASE WHEN hash(i * 13) % 2 = 0 THEN 'ya' ELSE 'tidak' END AS "Seminar",
       (['Sangat Baik', 'Baik', 'Baik', 'Cukup', 'Kurang'])
         [1 + CAST(hash(i * 17) % 5 AS INTEGER)] AS "Predikat SKP",
       (['tidak ada', 'tidak ada', 'tidak ada', NULL, 'ringan', 'sedang', 'berat'])
         [1 + CAST(hash(i * 19) % 7 AS INTEGER)] AS "Hukuman Disiplin",
       'I' || lpad(CAST(i % 600 AS VARCHAR), 3, '0') AS "Instansi"
FROM range({n}) t(i)
"""

#: Work units of the ``units`` roster.
UNITS = 20_000

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


def units(n: int) -> None:
    """The IP ASN roster of :func:`ipasn` as Parquet, over 20,000 groups instead of 600."""
    import duckdb

    out = DATA / f"units-{n}.parquet"
    sql = IPASN_SQL.format(n=n).replace(
        "'I' || lpad(CAST(i % 600 AS VARCHAR), 3, '0')",
        f"'U' || lpad(CAST(i % {UNITS} AS VARCHAR), 5, '0')",
    )
    duckdb.connect().execute(f"COPY ({sql}) TO '{out}' (FORMAT PARQUET)")
    evidence(DATA / f"units-{n}-parquet.toml", "ipasn-bench", "pegawai", out.name)


def ipasn2019(n: int) -> None:
    import duckdb

    out = DATA / f"ipasn2019-{n}.csv"
    sql = IPASN_2019_SQL.format(n=n)
    duckdb.connect().execute(f"COPY ({sql}) TO '{out}' (HEADER, DELIMITER ';')")
    (DATA / f"ipasn2019-{n}-csv.toml").write_text(
        f'[evidence]\nrubric = "ipasn"\nversion = "2019"\nsubject = "benchmark"\n\n'
        f'[tables.pegawai]\nfile = "{out.name}"\n',
        encoding="utf-8",
    )


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


AKIP_UNITS = [
    "BKPSDM",
    "Bappeda",
    "Dinas Pendidikan",
    "Dinas Kesehatan",
    "Inspektorat",
    "Dinas PUPR",
    "BPKAD",
    "Dinas Sosial",
    "Dinas Perhubungan",
    "Sekretariat DPRD",
]
AKIP_PLACES = [
    "Kabupaten Belitung Timur",
    "Kabupaten Belitung",
    "Kota Pangkalpinang",
    "Kabupaten Bangka",
    "Kabupaten Bangka Barat",
    "Kabupaten Bangka Tengah",
    "Kabupaten Bangka Selatan",
    "Provinsi Kepulauan Bangka Belitung",
]


def _id_number(x, places: int = 2) -> str:
    """``Decimal('4.8')`` → ``"4,80"`` (figures as an LKjIP table prints them)."""
    from decimal import ROUND_HALF_UP, Decimal

    q = Decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, frac = f"{q:f}".partition(".")
    return whole + ("," + frac if frac else "")


class AkipRubric(NamedTuple):
    """What the generator reads of rubrics/akip-2021.toml."""

    #: (komponen id, code, [(sub-komponen id, code, bobot)])
    komponen: list[tuple[str, str, list[tuple[str, str, Decimal]]]]
    #: grade → factor, best first (the scale ``nilai``)
    grades: dict[str, Decimal]
    #: (lower bound, bound included, label, meaning), highest first (the bands ``predikat``)
    predikat: list[tuple[Decimal, bool, str, str]]

    def band(self, value: Decimal) -> tuple[str, str]:
        """The predikat (label, meaning) of a nilai AKIP."""
        return next(
            (label, meaning)
            for low, closed, label, meaning in self.predikat
            if value > low or (closed and value == low)
        )


def _akip_rubric(root: Path) -> AkipRubric:
    """The indicator tree, grades and predikat of rubrics/akip-2021.toml."""
    data = tomllib.loads((root / "rubrics" / "akip-2021.toml").read_text(), parse_float=Decimal)
    komponen = []
    for kid, komp in data["indicators"].items():
        subs = [(sid, sub["code"], Decimal(sub["weight"])) for sid, sub in komp["children"].items()]
        komponen.append((kid, komp["code"], subs))
    grades = {g: Decimal(v) for g, v in data["scales"]["nilai"]["values"].items()}
    predikat = []
    for label, band in data["bands"]["predikat"].items():
        if not isinstance(band, dict):
            continue  # title, domain
        low = band["range"].split("..")[0]
        predikat.append((Decimal(low[1:]), low[0] == "[", label, band["meaning"]))
    predikat.sort(key=lambda b: b[0], reverse=True)
    return AkipRubric(komponen, grades, predikat)


def akip_document(k: int, rng: random.Random, rubric: AkipRubric) -> tuple[str, str]:
    """One AKIP 2021 evidence document (suffix, text): random but valid grades.

    Each instansi has a level (most grade around B/BB, a few high or low) and each
    sub-komponen lands one or two grades around it; Pemanfaatan tends to trail
    Keberadaan, as in real LHE tables. Variations seen in real files: comments and
    aligned keys, an answer with a note, lower-case grades, a ``[stated]`` block with
    the figures of the LHE table (computed, printed the Indonesian way), and one file
    in twenty written as JSON.
    """
    komponen = rubric.komponen
    grades = list(rubric.grades)
    level = min(7, max(0, round(rng.gauss(3.2, 1.2))))  # index into grades (3 = B)
    answers: dict[str, str] = {}
    for _, _, subs in komponen:
        for j, (sid, _, _) in enumerate(subs):
            g = level + j // 2 + rng.choice((-1, 0, 0, 0, 1))
            answers[sid] = grades[min(7, max(0, g))]
    unit, place = rng.choice(AKIP_UNITS), rng.choice(AKIP_PLACES)
    period = rng.choice(("2022", "2023", "2023", "2024"))
    meta = {
        "rubric": "akip",
        "version": "2021",
        "subject": f"{unit} {place} #{k}",
        "period": period,
    }
    if rng.random() < 0.5:
        meta["source"] = f"LHE AKIP Tahun {period}, {place}"
    notes = {}
    if rng.random() < 0.2:
        sid = rng.choice(list(answers))
        notes[sid] = rng.choice(
            ("naik satu tingkat dari tahun lalu", "lihat catatan LHE", "dokumen menyusul")
        )
    lower = rng.random() < 0.05
    stated: dict[str, dict[str, str]] = {}
    if rng.random() < 0.3:
        total = Decimal(0)
        for kid, _, subs in komponen:
            sub_total = Decimal(0)
            for sid, _, bobot in subs:
                nilai = bobot * rubric.grades[answers[sid]]
                sub_total += nilai
                stated[sid] = {
                    "value": _id_number(nilai),
                    "percent": _id_number(nilai / bobot * 100),
                }
            weight = sum(b for _, _, b in subs)
            stated[kid] = {
                "value": _id_number(sub_total),
                "percent": _id_number(sub_total / weight * 100),
            }
            total += sub_total
        label, meaning = rubric.band(total)
        stated["akip"] = {"value": _id_number(total), "band": label, "meaning": meaning}
    if lower:
        answers = {sid: g.lower() for sid, g in answers.items()}
    if k % 20 == 19:
        import json

        doc: dict[str, object] = {
            "evidence": meta,
            "answers": {
                sid: {"value": g, "note": notes[sid]} if sid in notes else g
                for sid, g in answers.items()
            },
        }
        if stated:
            doc["stated"] = stated
        return ".json", json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    commented = rng.random() < 0.4
    lines = [f"# Evaluasi AKIP {period}, {unit} {place} (sintetis)", "[evidence]"]
    lines += [f'{key} = "{val}"' for key, val in meta.items()]
    lines += ["", "[answers]"]
    for kid, code, subs in komponen:
        if commented:
            lines.append(f"# {code} {kid.capitalize()}")
        for sid, scode, bobot in subs:
            value = f'"{answers[sid]}"'
            if sid in notes:
                value = f'{{ value = {value}, note = "{notes[sid]}" }}'
            line = f"{sid:<24}= {value}" if commented else f"{sid} = {value}"
            if commented:
                line = f"{line:<32}# {scode}  bobot {_id_number(bobot)}"
            lines.append(line)
    if stated:
        lines += ["", "[stated]"]
        for iid, figures in stated.items():
            inner = ", ".join(f'{key} = "{val}"' for key, val in figures.items())
            lines.append(f"{iid} = {{ {inner} }}")
    return ".toml", "\n".join(lines) + "\n"


def akip(n: int) -> None:
    """``n`` AKIP 2021 evidence documents in bench/data/akip (seeded: same files every run)."""
    root = Path(__file__).resolve().parents[1]
    rubric = _akip_rubric(root)
    folder = DATA / "akip"
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("*.toml"), *folder.glob("*.json")]:
        old.unlink()
    rng = random.Random(2021)
    for k in range(n):
        suffix, text = akip_document(k, rng, rubric)
        (folder / f"doc-{k:05d}{suffix}").write_text(text, encoding="utf-8")


def merit(n: int) -> None:
    """``n`` Sistem Merit documents (rubrics/merit-2019.toml) in bench/data/merit."""
    root = Path(__file__).resolve().parents[1]
    template = (root / "examples" / "merit-belitung-timur" / "evidence.toml").read_text()
    ids = list(tomllib.loads(template)["answers"])
    head, _, _ = template.partition("[answers]")
    folder = DATA / "merit"
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
    kinds = {"ipasn": ipasn, "ipasn2019": ipasn2019, "skm": skm, "xlsx": xlsx, "units": units}
    kinds.update(akip=akip, merit=merit)
    kinds[kind](n)


if __name__ == "__main__":
    main(sys.argv[1:])
