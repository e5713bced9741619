"""Spreadsheet tables (XLSX, XLSM, XLS, ODS) as DuckDB tables, typed as the document
path types their cells.

XLSX and XLSM sheets are read by fastexcel (in Rust) straight into Arrow, which DuckDB
copies once into a table with the column types of the cells (:func:`xlsx_arrow`). A
sheet fastexcel cannot give exactly as the document path reads it (a column of numbers
and text, dates, a header that is not plain text, …), and XLS / ODS files, are read by
python-calamine, the cells going a column at a time to a temporary CSV that DuckDB reads
(:func:`xlsx_view`). :func:`.source.open_table` calls these and types the result.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..evaluate.sql import quote_ident, quote_text
from .cells import not_blank
from .source import duckdb_error, key_columns, table_file

if TYPE_CHECKING:
    from .compute import ColumnUse

#: The spreadsheet files read here.
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

#: Workbooks fastexcel reads straight into Arrow. (It reads .xls and .ods too; those keep
#: the calamine path: the tests cannot write them to compare the two readings.)
ARROW_SHEETS = (".xlsx", ".xlsm")

#: fastexcel column types DuckDB gets as they are: float → DOUBLE, int → BIGINT,
#: boolean → BOOLEAN, string → VARCHAR, null (a column of blank cells) → VARCHAR.
#: Dates, datetimes and durations are read by the calamine path (their text there).
_ARROW_TYPES = {"float", "int", "boolean", "string", "null"}
#: The kinds kept as fastexcel types them; the rest (blank, and dates or durations in a
#: column no formula reads) are text.
_TYPED = _ARROW_TYPES - {"null"}


class SheetLoad:
    """A sheet of an XLSX file read by fastexcel, in a background thread if asked.

    fastexcel releases the GIL while it reads, so a sheet started before DuckDB is
    imported and connected is read meanwhile: a 100,000-row sheet takes ~0.5 s, the
    imports ~0.2 s of it. :meth:`result` is (sheet name, fastexcel's sheet), or None
    when fastexcel cannot read it (the calamine path then reads the file and reports
    what is wrong with it).
    """

    def __init__(self, file: Path, sheet: str | None, *, background: bool = True) -> None:
        self.file, self.sheet = file, sheet
        self._found: tuple[str, Any] | None = None
        self._error: Exception | None = None
        #: fastexcel's strict mode refused a column holding more than one kind of cell
        self.mixed = False
        #: the first such column, as fastexcel's message names it (None: not named)
        self.refused: str | None = None
        self._thread = None
        if background:
            import threading

            self._thread = threading.Thread(target=self._load, daemon=True)
            self._thread.start()
        else:
            self._load()

    def _load(self) -> None:
        fastexcel = _fastexcel()

        try:
            reader = fastexcel.read_excel(str(self.file))
            names = reader.sheet_names
            name = self.sheet or (names[0] if names else None)
            if name in names:
                self._found = (name, _strict_sheet(reader, name))
        except fastexcel.UnsupportedColumnTypeCombinationError as exc:
            self.mixed = True
            named = re.search(r"dtype for column (.+)$", str(exc), re.MULTILINE)
            self.refused = named.group(1).strip() if named else None
        except fastexcel.FastExcelError:
            self._found = None
        except Exception as exc:  # raised where the sheet is used, as when read there
            self._error = exc

    def result(self) -> tuple[str, Any] | None:
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._found


def _fastexcel():
    """fastexcel, its log kept off the terminal.

    fastexcel logs a warning through :mod:`logging` for each column of blank cells
    ("Could not determine dtype for column 0, falling back to string"); with no logging
    configured, Python prints it to standard error, above the report or the error the
    user needs. Such a column is read as text, as the document path reads it, and what
    is wrong with it (if anything) is reported in the user's words.
    """
    import logging

    import fastexcel

    logger = logging.getLogger("fastexcel")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    return fastexcel


def _strict_sheet(reader, name: str, **options: Any):
    """Sheet ``name`` as the fast path reads it: the header on row 1 (even below blank
    rows, as calamine reads it), every cell deciding its column's type, none coerced."""
    return reader.load_sheet(
        name,
        header_row=0,
        skip_rows=0,
        schema_sample_rows=None,
        dtype_coercion="strict",
        **options,
    )


def load_sheets(tables) -> dict[Path, SheetLoad]:
    """Start reading, in the background, the XLSX sheets of ``tables`` DuckDB will read
    through fastexcel; :func:`open_table` takes each from the mapping (by file)."""
    loads: dict[Path, SheetLoad] = {}
    for table in tables:
        file = table_file(table)
        if file is not None and file.suffix.lower() in ARROW_SHEETS and file not in loads:
            loads[file] = SheetLoad(file, getattr(table, "sheet", None))
    return loads


def xlsx_arrow(
    con,
    file: Path,
    sheet: str | None,
    view: str,
    text_columns,
    read: dict | None = None,
    loading: SheetLoad | None = None,
    columns_read: ColumnUse | None = None,
) -> bool:
    """The sheet read by fastexcel straight into Arrow, copied into the table ``view``.

    The typed view on top is what the document path (:func:`evidence.tables._read_xlsx`)
    reads: the first row names the columns (trimmed; unnamed columns are not read, a
    name used twice means its last column) and a row of blank cells is no row. A column
    holding more than one kind of cell (numbers and text, …) is not coerced: fastexcel's
    strict mode refuses the sheet, which is read again with the columns no formula reads
    as text (:func:`_unread_as_text`). Returns False (nothing created) when the calamine
    path must read the sheet: such a column the rubric reads, dates or durations in
    one (``columns_read``, see :func:`open_table`; a roster's unread TGL LAHIR only has
    to be blank or not), a header that is not plainly text, no rows, or anything
    fastexcel cannot open (the calamine path reports a missing sheet or an unreadable
    file). ``loading`` is the sheet already being read in the background
    (:class:`SheetLoad`).
    """
    load = loading or SheetLoad(file, sheet, background=False)
    loaded = load.result()

    def used_of(header: list[str]) -> set[str]:
        """The columns whose cells matter: those the rubric reads, and the group keys."""
        if columns_read is None:
            return set(header)
        return columns_read(header) | key_columns(text_columns, header)

    if (
        loaded is None
        and load.mixed
        and columns_read is not None
        and not (load.refused and columns_read([load.refused]))  # a read column: calamine
    ):
        loaded = _unread_as_text(file, sheet, used_of)
    if loaded is None:
        return False
    sheet_name, data = loaded
    info = data.selected_columns
    if not data.height or not info:
        return False
    header = _arrow_header([c.name for c in info], [c.column_name_from for c in info])
    if header is None:
        return False
    used = used_of(header)
    text_columns = key_columns(text_columns, header)
    if any(c.dtype not in _ARROW_TYPES and h in used for c, h in zip(info, header, strict=True)):
        return False
    if read is not None:
        read.update(header=header, sheet=sheet_name)
    last = {h: j for j, h in enumerate(header) if h}
    keep = sorted(last.values(), key=lambda j: header.index(header[j]))
    if not keep or any(
        header[j] in text_columns and info[j].dtype not in ("string", "null") for j in keep
    ):
        return False  # a number as a group key: its text is the calamine path's
    if len({header[j].lower() for j in keep}) < len(keep):
        return False  # "Nama" and "nama": one name to DuckDB
    select = ", ".join(
        f"{f'CAST(c{j} AS VARCHAR)' if info[j].dtype not in _TYPED else f'c{j}'} "
        f"AS {quote_ident(header[j])}"
        for j in keep
    )
    # a row is kept when any cell, read or not, holds something (text that is not all
    # blank, any number or boolean); cells that are not text are tested first (cheaper)
    tests = [f"c{j} IS NOT NULL" for j, c in enumerate(info) if c.dtype not in ("string", "null")]
    tests += [not_blank(f"c{j}") for j, c in enumerate(info) if c.dtype == "string"]
    aliases = ", ".join(f"c{j}" for j in range(len(info)))
    arrow = f"{view}__arrow"
    con.register(arrow, data)
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {quote_ident(view)} AS SELECT {select} "
            f"FROM {quote_ident(arrow)} AS t({aliases}) WHERE {' OR '.join(tests) or 'FALSE'}"
        )
    except duckdb_error():
        return False
    finally:
        con.unregister(arrow)
    if not con.execute(f"SELECT count(*) FROM {quote_ident(view)}").fetchall()[0][0]:
        con.execute(f"DROP TABLE {quote_ident(view)}")
        return False
    return True


def _unread_as_text(
    file: Path, sheet: str | None, used_of: Callable[[list[str]], set[str]]
) -> tuple[str, Any] | None:
    """The sheet read again by fastexcel, the columns no formula reads as text.

    A roster's KETERANGAN or NIP column often holds numbers in some rows and text in
    others; fastexcel's strict mode refuses such a sheet, and a column the rubric does
    not read only has to be blank or not (as a date column, see :func:`xlsx_arrow`).
    This reads the header (``n_rows=0``), then the sheet with those columns as text: two
    more parses (~0.4 s each per 100,000 rows) against the calamine path's ~2 s. None
    when a column the rubric reads mixes kinds too, or the header is not plainly text.
    """
    fastexcel = _fastexcel()
    try:
        reader = fastexcel.read_excel(str(file))
        name = sheet or reader.sheet_names[0]
        top = reader.load_sheet(name, header_row=0, skip_rows=0, n_rows=0).selected_columns
        header = _arrow_header([c.name for c in top], [c.column_name_from for c in top])
        if header is None:
            return None
        used = used_of(header)
        unread = {c.index: "string" for c, h in zip(top, header, strict=True) if h not in used}
        if not unread:
            return None
        data = _strict_sheet(reader, name, dtypes=unread)
    except fastexcel.FastExcelError:
        return None
    return name, data


def _arrow_header(names: list[str], origins: list[str]) -> list[str] | None:
    """The header as the document path reads it from fastexcel's column names, or None.

    fastexcel names a column by its header text, but makes a name up for a header cell
    that is blank or not text, renders a number (``2024``, where calamine's text is
    ``2024.0``) and renames a repeated name (``a``, ``a_1``). None when a name may be one
    of those: the calamine path reads such sheets.
    """
    seen: set[str] = set()
    for name, origin in zip(names, origins, strict=True):
        if origin != "looked_up" or _numeric(name):
            return None
        tail = re.search(r"(?:_\d+)+$", name)
        if tail is not None:
            cuts = [tail.start() + k for k, ch in enumerate(tail.group()) if ch == "_"]
            if any(name[:cut] in seen for cut in cuts):
                return None
        seen.add(name)
    return [name.strip() for name in names]


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def xlsx_view(
    con, file: Path, sheet: str | None, view: str, keys=frozenset(), read: dict | None = None
) -> tuple[str, set[str]]:
    """A sheet read by python-calamine, handed to DuckDB as a temporary CSV; the view.

    The cells are converted a column at a time, not one by one: a column of whole
    numbers (what spreadsheets store as floats) is written as integers and read as
    ``BIGINT``; a column of text is written as it is. Any other column (fractions,
    blanks between numbers, dates, booleans) is written cell by cell as before:
    numbers with a decimal comma (``2,675``) so the reader takes them as the numbers
    they are, never as Indonesian thousands (``2.675``). Rows with no value at all are
    left out, as the document path does. Returns the temporary file and the columns
    read as integers; ``read`` learns the header and the sheet.
    """
    from ..evidence.tables import read_sheet

    sheet_name, data = read_sheet(file, sheet)
    header = [str(h).strip() for h in data[0]] if data else []
    if read is not None:
        read.update(header=header, sheet=sheet_name)
    keys = key_columns(keys, header)
    body = data[1:]
    width = len(header)
    if body and set(map(len, body)) != {width}:  # ragged: pad or cut to the header
        body = [(list(r) + [""] * width)[:width] for r in body]
    # a column at a time (itemgetter in C; zip(*body) would unpack every row as an argument)
    columns = [list(map(itemgetter(j), body)) for j in range(width)]
    # unnamed columns are not read; a name used twice means its last column (as the
    # document path, which keeps the cells by name)
    last = {h: j for j, h in enumerate(header) if h}
    keep = sorted(last.values(), key=lambda j: header.index(header[j]))
    text: list[list[str] | tuple] = []
    integers: set[str] = set()
    never_blank = False
    for j in keep:
        col = columns[j]
        kinds = set(map(type, col))
        if header[j] in keys:  # a group key: its text as the document path makes it
            text.append([_key_text(c) for c in col])
        elif (
            kinds == {float}
            and all(map(float.is_integer, col))
            and -(2**53) < min(col) <= max(col) < 2**53
        ):
            text.append(list(map("%d".__mod__, col)))
            integers.add(header[j])
            never_blank = True
        elif kinds == {int}:
            text.append(list(map(str, col)))
            integers.add(header[j])
            never_blank = True
        elif kinds <= {str}:
            text.append(col)
        else:
            text.append([_xlsx_cell(c) for c in col])
    for k, col in enumerate(text):
        if header[keep[k]] not in integers and _needs_quotes(col):
            text[k] = ['"' + c.replace('"', '""') + '"' for c in col]
    lines = map(",".join, zip(*text, strict=True)) if text else iter(())
    if not never_blank:  # a row of blank cells is no row (the document path skips it too)
        lines = (
            line
            for line, record in zip(lines, body, strict=True)
            if any(str(c).strip() for c in record)
        )
    names = [header[j] for j in keep]
    spec = ", ".join(
        f"{quote_text(n)}: {quote_text('BIGINT' if n in integers else 'VARCHAR')}" for n in names
    )
    fd, path = tempfile.mkstemp(prefix="evalengine-", suffix=".csv")
    try:  # no temporary file outlives a failure
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(",".join(_csv_quote(header[j]) for j in keep) + "\n")
            joined = "\n".join(lines)
            if joined:
                handle.write(joined + "\n")
        con.execute(
            f"CREATE OR REPLACE VIEW {quote_ident(view)} AS SELECT * FROM read_csv("
            f"{quote_text(path)}, header = true, auto_detect = false, delim = ',', quote = '\"', "
            f"escape = '\"', columns = {{{spec}}})"
        )
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise
    return path, integers


def _key_text(value: Any) -> str:
    """A spreadsheet cell as a group key, as grouped.split_evidence writes it (``1.5``,
    not the ``1,5`` a number column is written with)."""
    from ..evidence.tables import _cell

    cell = _cell(value)
    return format(cell, "f") if isinstance(cell, Decimal) else str(cell)


def _needs_quotes(col) -> bool:
    """True when a text column has a cell CSV must quote (comma, quote, line break)."""
    joined = "\x1f".join(col)
    return any(ch in joined for ch in ',"\n\r')


def _csv_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _xlsx_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value == int(value):
            return str(int(value))
        return format(Decimal(repr(value)).normalize(), "f").replace(".", ",")
    return str(value)
