"""Tables of evidence rows: inline in the evidence file, or CSV / XLSX files beside it.

An evidence file declares a table as ``[tables.<name>]`` with either ``rows`` (an
array of inline tables) or ``file = "responses.csv"`` (and ``sheet`` for XLSX).
Each cell keeps its provenance: file, sheet, row number and cell address.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

from ..errors import EvidenceError, Location
from .model import Evidence, EvidenceValue, Provenance, Table

TABLE_KEYS = {"file", "sheet", "rows", "delimiter"}


def column_letter(index: int) -> str:
    """0-based column index → spreadsheet letters (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def load_tables(evidence: Evidence, path: Path, *, plugins=None) -> None:
    """Fill ``evidence.tables`` from the ``[tables]`` section read into ``meta``."""
    specs = evidence.meta.pop("_tables", {}) or {}
    for name, spec in specs.items():
        parts = ("tables", name)
        if not isinstance(spec, dict):
            msg = f"table `{name}` must be a table with `file` or `rows`"
            raise EvidenceError(msg, location=evidence.location(parts))
        for key in spec:
            if key not in TABLE_KEYS:
                msg = f"unknown key `{key}` in table `{name}`"
                raise EvidenceError(
                    msg,
                    location=evidence.location((*parts, key)),
                    hint=f"keys: {', '.join(sorted(TABLE_KEYS))}",
                )
        if "file" in spec:
            file = (path.parent / str(spec["file"])).resolve()
            evidence.tables[name] = FileTable(
                file, name, sheet=spec.get("sheet"), delimiter=spec.get("delimiter")
            )
        elif "rows" in spec:
            evidence.tables[name] = _inline_table(evidence, name, spec["rows"])
        else:
            msg = f"table `{name}` needs `file` or `rows`"
            raise EvidenceError(
                msg,
                location=evidence.location(parts),
                hint='file = "responses.csv", or rows = [{ … }, …]',
            )


class FileTable(Table):
    """A table kept in its file until its rows are needed.

    The rows (each cell with its provenance) are read on first access to ``rows`` or
    ``columns``, by the interpreter; the bulk path (:mod:`evalengine.bulk`) hands the
    file to DuckDB and never loads them into Python. Reading them costs about 8 µs a
    cell, so reading a 40,000-row survey in Python before DuckDB reads it again took
    five seconds of a run that needs half a second. A malformed file is reported when it
    is read, with its file, line and column. The file must exist at once.
    """

    def __init__(
        self, file: Path, name: str, *, sheet: str | None = None, delimiter: str | None = None
    ) -> None:
        if not file.exists():
            msg = f"table file {file} does not exist"
            raise EvidenceError(
                msg, location=Location(str(file)), hint="paths are relative to the evidence file"
            )
        if file.suffix.lower() not in TABLE_SUFFIXES:
            msg = f"cannot read table file {file.name}"
            raise EvidenceError(
                msg,
                location=Location(str(file)),
                hint=f"tables can be {', '.join(sorted(TABLE_SUFFIXES))}",
            )
        self.name = name
        self.file = file
        self.sheet = sheet
        self.delimiter = delimiter
        self._source = Provenance(str(file), sheet=sheet)
        self._loaded: Table | None = None

    def _load(self) -> Table:
        if self._loaded is None:
            self._loaded = read_table_file(
                self.file, self.name, sheet=self.sheet, delimiter=self.delimiter
            )
        return self._loaded

    @property
    def source(self) -> Provenance:  # type: ignore[override]
        return self._loaded.source if self._loaded is not None else self._source

    @property
    def rows(self) -> list[dict[str, EvidenceValue]]:  # type: ignore[override]
        return self._load().rows

    @property
    def columns(self) -> list[str]:  # type: ignore[override]
        return self._load().columns

    def __repr__(self) -> str:
        return f"FileTable({self.name!r}, {str(self.file)!r})"


#: Suffixes of table files: CSV-like text, spreadsheets, Parquet.
TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods", ".parquet"}


def _inline_table(evidence: Evidence, name: str, rows: Any) -> Table:
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        msg = f"`tables.{name}.rows` must be an array of tables"
        raise EvidenceError(msg, location=evidence.location(("tables", name, "rows")))
    columns: list[str] = []
    out = []
    loc = evidence.location(("tables", name, "rows"))
    for i, row in enumerate(rows, start=1):
        for key in row:
            if key not in columns:
                columns.append(key)
        out.append(
            {
                k: EvidenceValue(
                    v,
                    Provenance(
                        evidence.path, f"tables.{name}.rows[{i}].{k}", loc.line, None, row=None
                    ),
                )
                for k, v in row.items()
            }
        )
    return Table(name, columns, out, Provenance(evidence.path, f"tables.{name}", loc.line))


def read_table_file(
    file: Path, name: str, *, sheet: str | None = None, delimiter: str | None = None
) -> Table:
    """Read a CSV or XLSX file into a :class:`Table` (header row first)."""
    if not file.exists():
        msg = f"table file {file} does not exist"
        raise EvidenceError(
            msg, location=Location(str(file)), hint="paths are relative to the evidence file"
        )
    suffix = file.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_csv(file, name, delimiter)
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return _read_xlsx(file, name, sheet)
    if suffix == ".parquet":
        return _read_parquet(file, name)
    msg = f"cannot read table file {file.name}"
    raise EvidenceError(msg, location=Location(str(file)), hint="tables can be .csv, .tsv or .xlsx")


def csv_delimiter(first_line: str, delimiter: str | None = None) -> str:
    """The delimiter of a CSV file: ``delimiter`` if given, else the one of ``,;\\t|``
    its first line uses (a comma when it uses none). The bulk path reads with it too."""
    if delimiter is not None:
        return delimiter
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def csv_header(file: Path, delimiter: str | None = None) -> tuple[str, list[str]]:
    """The delimiter and the column names (trimmed) of a CSV file, as :func:`_read_csv`
    reads them, from its first line only (the file may be big)."""
    with file.open(encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
    delimiter = csv_delimiter(first.rstrip("\r\n"), delimiter)
    names = next(csv.reader(io.StringIO(first, newline=""), delimiter=delimiter), [])
    return delimiter, [h.strip() for h in names]


def _read_csv(file: Path, name: str, delimiter: str | None) -> Table:
    with file.open(encoding="utf-8-sig", newline="") as handle:  # "A\r\nB" as written
        text = handle.read()
    if not text.strip():
        msg = f"table file {file.name} is empty"
        raise EvidenceError(
            msg, location=Location(str(file), 1, 1), hint="the first row must name the columns"
        )
    delimiter = csv_delimiter(text.splitlines()[0], delimiter)
    # the text as a stream with its line ends kept: a quoted cell may hold a line break
    # ("A\nB" stays one cell, as DuckDB reads it), and only \r and \n end a row (not
    # the other breaks str.splitlines knows: \x0c, \x85, U+2028 …)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    where = str(file)
    letters = [column_letter(j) for j in range(len(header))]
    rows = []
    for record in reader:
        lineno = reader.line_num  # the record's last line (its first for one-line rows)
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            msg = (
                f"row {lineno} of {file.name} has {len(record)} cells; the header has {len(header)}"
            )
            raise EvidenceError(
                msg,
                location=Location(str(file), lineno, 1),
                hint=f"delimiter is {delimiter!r}; quote cells that contain it",
            )
        rows.append(
            {
                col: EvidenceValue(
                    cell.strip(),
                    Provenance(where, col, lineno, row=lineno, cell=f"{letter}{lineno}"),
                )
                for col, letter, cell in zip(header, letters, record, strict=True)
            }
        )
    return Table(name, header, rows, Provenance(where))


def read_sheet(file: Path, sheet: str | None) -> tuple[str, list[list[Any]]]:
    """The cells of a sheet (the first if ``sheet`` is None) read by python-calamine.

    Returns the sheet's name and its rows from cell A1 on (blank cells are ``""``).
    A missing or empty sheet (no name in the first row) or a file calamine cannot read
    is an :class:`EvidenceError`.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(file))
    except (CalamineError, OSError) as exc:
        msg = f"cannot read {file.name}: {exc}"
        raise EvidenceError(
            msg,
            location=Location(str(file)),
            hint="is it a spreadsheet (.xlsx, .xlsm, .xls, .ods)? Open and save it again",
        ) from None
    names = workbook.sheet_names
    sheet_name = sheet or (names[0] if names else "")
    if sheet_name not in names:
        msg = f"{file.name} has no sheet '{sheet_name}'"
        raise EvidenceError(msg, location=Location(str(file)), hint=f"sheets: {', '.join(names)}")
    try:
        data = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except CalamineError as exc:
        msg = f"cannot read sheet '{sheet_name}' of {file.name}: {exc}"
        raise EvidenceError(
            msg, location=Location(str(file)), hint="open and save the workbook again"
        ) from None
    if not data or not any(str(c).strip() for c in data[0]):
        msg = f"sheet '{sheet_name}' of {file.name} is empty"
        raise EvidenceError(
            msg, location=Location(str(file)), hint="the first row must name the columns"
        )
    return sheet_name, data


def _read_xlsx(file: Path, name: str, sheet: str | None) -> Table:
    sheet_name, data = read_sheet(file, sheet)
    header = [str(h).strip() for h in data[0]]
    where = str(file)
    letters = [column_letter(j) for j in range(len(header))]
    rows = []
    for i, record in enumerate(data[1:], start=2):
        if not any(str(c).strip() for c in record):
            continue
        rows.append(
            {
                col: EvidenceValue(
                    _cell(record[j]) if j < len(record) else "",
                    Provenance(where, col, row=i, sheet=sheet_name, cell=f"{letters[j]}{i}"),
                )
                for j, col in enumerate(header)
                if col
            }
        )
    return Table(name, [h for h in header if h], rows, Provenance(str(file), sheet=sheet_name))


def _read_parquet(file: Path, name: str) -> Table:
    """A Parquet file row by row (through DuckDB; small files only: big ones go bulk)."""
    import duckdb

    con = duckdb.connect()
    try:
        rel = con.read_parquet(str(file))
        header = list(rel.columns)
        data = rel.fetchall()
    except duckdb.Error as exc:
        msg = f"cannot read {file.name}: {exc}"
        raise EvidenceError(msg, location=Location(str(file))) from None
    finally:
        con.close()
    where = str(file)
    rows = []
    for i, record in enumerate(data, start=1):
        for col, cell in zip(header, record, strict=True):
            if isinstance(cell, float) and not math.isfinite(cell):
                # as the bulk path refuses the column (evalengine.bulk.source)
                msg = f"column '{col}' of {file.name} holds {cell} in row {i}: not a number"
                raise EvidenceError(
                    msg,
                    location=Location(where, i, key=col),
                    hint="leave the cell blank, or write the number it stands for",
                    code="cell-type",
                )
        rows.append(
            {
                col: EvidenceValue(_cell(cell), Provenance(where, col, row=i))
                for col, cell in zip(header, record, strict=True)
            }
        )
    return Table(name, header, rows, Provenance(where))


def _cell(value: Any) -> Any:
    """A cell of an XLSX or Parquet table as evidence, read as a CSV cell is.

    Text is trimmed (``" S1 "`` is ``S1``, in every file format and on both engines);
    floats (spreadsheet numbers, Parquet DOUBLE) are the exact decimal of their shortest
    repr.
    """
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float):
        from decimal import Decimal

        return Decimal(repr(value)).normalize() if value != int(value) else Decimal(int(value))
    return value
