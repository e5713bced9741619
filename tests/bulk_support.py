"""Scoring one evidence table per group on both engines, for the bulk-path tests."""

from __future__ import annotations

from pathlib import Path

from evalengine.plugins import default_plugins
from evalengine.rubric.load import load_rubric

#: The small rubrics of the bulk tests (ipasn-mini, ikm-mini) and their data.
DATA = Path(__file__).parent / "data" / "bulk"


def score_both(folder: Path, rubric_name: str, table: str, file: str, group_by: str):
    """``file`` in ``folder`` as table ``table`` of rubric ``DATA/<rubric_name>.toml``,
    scored per ``group_by`` with ``--engine python`` and ``--engine duckdb``: (py, db)."""
    from evalengine.bulk import score_grouped
    from evalengine.evidence.readers import read_evidence

    (folder / "e.toml").write_text(
        f'[evidence]\nrubric = "{rubric_name}"\n[tables.{table}]\nfile = "{file}"\n'
    )
    plugins = default_plugins()
    rubric = load_rubric(DATA / f"{rubric_name}.toml", plugins=plugins)
    evidence = read_evidence(folder / "e.toml", plugins=plugins)
    return [
        score_grouped(rubric, evidence, group_by=group_by, engine=e, plugins=plugins)
        for e in ("python", "duckdb")
    ]


def ikm_example_in_two_units(folder: Path) -> Path:
    """The shipped IKM example's responses split alternately into units A and B (column
    ``unit``), under ``[evidence] population = 140``: the evidence file's path."""
    from paths import EXAMPLES

    lines = (EXAMPLES / "ikm-belitung-timur" / "responses.csv").read_text().splitlines()
    rows = [lines[0] + ",unit"] + [f"{line},{'AB'[i % 2]}" for i, line in enumerate(lines[1:])]
    (folder / "responses.csv").write_text("\n".join(rows) + "\n")
    evidence = folder / "e.toml"
    evidence.write_text(
        '[evidence]\nrubric = "ikm"\nversion = "2017"\npopulation = 140\n'
        '[tables.responses]\nfile = "responses.csv"\n'
    )
    return evidence


def write_table(folder: Path, fmt: str, header: list[str], rows: list[list]) -> str:
    """The table as ``t.csv`` (``;``), ``t.xlsx`` or ``t.parquet`` in ``folder``: the
    file's name. Parquet holds every cell as text, the columns under the header's exact
    names (as a BKN export)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = "\n".join(";".join(map(str, r)) for r in [header, *rows]) + "\n"
    if fmt == "csv":
        (folder / "t.csv").write_text(text, encoding="utf-8")
        return "t.csv"
    if fmt == "xlsx":
        import xlsxwriter

        book = xlsxwriter.Workbook(str(folder / "t.xlsx"))
        sheet = book.add_worksheet("Pegawai")
        for i, r in enumerate([header, *rows]):
            sheet.write_row(i, 0, r)
        book.close()
        return "t.xlsx"
    import duckdb

    src = folder / "src.csv"
    src.write_text(text, encoding="utf-8")
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_csv('{src}', delim = ';', header = true, all_varchar = true,"
        f" quote = '\"')) TO '{folder / 't.parquet'}' (FORMAT parquet)"
    )
    con.close()
    src.unlink()
    return "t.parquet"
