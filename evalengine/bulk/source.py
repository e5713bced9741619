"""Evidence tables as DuckDB relations with exactly typed columns.

CSV and Parquet files are read by DuckDB itself. XLSX and XLSM sheets are read by
fastexcel (in Rust) straight into Arrow, which DuckDB copies once into a table with
the column types of the cells; a sheet fastexcel cannot give exactly as the document
path reads it (a column of numbers and text, dates, a header that is not plain text,
…; see :func:`_xlsx_arrow`), and XLS / ODS files, are read by python-calamine, the
cells going a column at a time to a temporary CSV that DuckDB reads. Inline tables
become a VALUES list. No row is evaluated in Python. Every column is then typed the
way the interpreter sees a cell (:func:`evalengine.evaluate.engine.evidence_value`):

* a column whose non-blank cells are all numbers is ``number``: ``DECIMAL(38, s)``
  with ``s`` the most decimals any cell has (integers stay integers), parsed with the
  same rules as :func:`evalengine.numbers.parse_number` (``"79,03"`` is 79.03,
  ``"1.500"`` is 1500); a floating-point cell (Parquet DOUBLE, a spreadsheet number)
  is the exact decimal of its shortest repr, as ``evidence.tables._cell`` reads it;
* any other column is ``text`` (trimmed; a blank cell is ``''``); ``BOOLEAN`` Parquet
  and spreadsheet columns are ``bool``.

DuckDB and fastexcel are imported here and only here, and only when the bulk path runs.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import EvidenceError, Location
from ..evaluate.sql import (
    MAX_WIDTH,
    Column,
    decimal_scale,
    decimal_type,
    quote_ident,
    quote_text,
)
from ..evidence.model import Provenance, Table
from ..numbers import MAX_MAGNITUDE

if TYPE_CHECKING:
    from .compute import ColumnUse

#: A cell the interpreter reads as a number (see numbers.parse_number): plain, Indonesian
#: thousands with dots, or a decimal comma (with or without thousands dots).
NUMBER_RE = r"-?(\d+(\.\d+)?|\d{1,3}(\.\d{3})+(,\d+)?|\d+,\d+)"
THOUSANDS_RE = r"-?\d{1,3}(\.\d{3})+"


def connect(threads: int | None = None):
    """A new in-memory DuckDB connection (DuckDB is imported on first use)."""
    import duckdb

    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = false; SET enable_progress_bar = false")
    return con


def fetch_decimals(con, source: str, columns: list[str], decimals: set[str]) -> list[tuple]:
    """The rows of ``SELECT columns FROM source``, the ``decimals`` among them (DECIMAL
    or NULL columns) as Python Decimals read from their text.

    DuckDB's own conversion to Decimal costs ~1.2 µs a value, the text and ``Decimal()``
    a third of that: the final values of 20,000 groups (16 columns) took 0.39 s.
    """
    select = ", ".join(f"CAST({c} AS VARCHAR)" if c in decimals else c for c in columns)
    found = con.execute(f"SELECT {select} FROM {source}").fetchall()
    places = [i for i, c in enumerate(columns) if c in decimals]
    out = []
    for row in found:
        cells = list(row)
        for i in places:
            if cells[i] is not None:
                cells[i] = Decimal(cells[i])
        out.append(tuple(cells))
    return out


#: The characters ``str.strip()`` removes (``str.isspace``; a text cell of only these is
#: blank). Written out: finding them among the first 12,289 code points took ~1.4 ms of
#: every start (tests/test_bulk_sql.py checks the list against all of Unicode).
SPACE_CODES = (
    *range(0x09, 0x0E), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
    0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
)  # fmt: skip
#: SPACE_CODES for a regular expression's character class.
_SPACE = "".join(f"\\x{{{c:x}}}" for c in SPACE_CODES)
_WS = f"[{_SPACE}]"
#: A character no number parse_number reads can hold: a cell with one is text, and the
#: slower reading below (sql_number) need not look at it ("S3", "tidak", "Baik").
TEXT_CHAR = f"[^0-9.,+()%RrPpIiDd{_SPACE}-]"
#: Where the letters of a currency prefix ("Rp", "IDR") may stand in a number: first,
#: or after an opening bracket.
CURRENCY_START = f"^\\(?{_WS}*(?i:rp|idr)"


def surely_text(cell: str) -> str:
    """SQL: the cell holds a TEXT_CHAR, or a letter of "Rp"/"IDR" where no prefix can
    stand ("D3", "SD", "Pelaksana"): no number parse_number reads, whatever it is."""
    return (
        f"(regexp_matches({cell}, '{TEXT_CHAR}') OR (regexp_matches({cell}, '[RrPpIiDd]') "
        f"AND NOT regexp_matches({cell}, '{CURRENCY_START}')))"
    )


# SQL reading a cell the way :func:`evalengine.numbers.parse_number` does, for the cells
# NUMBER_RE does not match ("Rp1.000", "95,25%", "(1.000,00)", "+3", "1 000", a tab or a
# no-break space around the number). Each is slower than the pattern: they run only on
# the cells the pattern leaves (see :func:`number_text`).
#
# These build the SQL text in place (no ``CREATE MACRO``: defining the nested macros
# cost ~15 ms a run, and DuckDB expands a macro at each use anyway). Each binds its
# argument once to a lambda parameter (``list_transform([arg], lambda x: …)[1]``):
# written out at every use, the nested forms grew to hundreds of copies of the cell's
# expression and DuckDB took seconds to plan a query using them a few times. Every
# regular expression in the text is compiled when a query is planned, so each form is
# written with as few of them as it can.


def _bound(value: str, name: str, body: str) -> str:
    """SQL: ``body`` with ``value`` bound to the lambda parameter ``name``."""
    return f"list_transform([{value}], lambda {name}: {body})[1]"


def sql_strip(text: str) -> str:
    """SQL: the text as ``str.strip()`` leaves it."""
    return f"regexp_replace({text}, '^{_WS}+|{_WS}+$', '', 'g')"


def sql_trim(text: str) -> str:
    """SQL: the text as ``str.strip()`` leaves it, quicker: DuckDB's trim (spaces)
    unless the trimmed text still has another strip() character at an edge (a tab, a
    no-break space); the slow exact form runs on those cells alone."""
    s = "__ee_s"
    exact = sql_strip(s)
    return _bound(
        f"trim({text})",
        s,
        f"CASE WHEN regexp_matches({s}, '^{_WS}|{_WS}$') THEN {exact} ELSE {s} END",
    )


def _digits(text: str) -> str:
    """SQL: the unsigned digits, dots and comma of parse_number's two forms → plain
    "123.45" (NULL for anything else)."""
    d = "__ee_d"
    return _bound(
        text,
        d,
        f"CASE WHEN regexp_full_match({d}, '[0-9]{{1,3}}(\\.[0-9]{{3}})+') "
        f"THEN replace({d}, '.', '') WHEN regexp_full_match({d}, '[0-9]+(\\.[0-9]+)?') THEN {d} "
        f"WHEN regexp_full_match({d}, '([0-9]+|[0-9]{{1,3}}(\\.[0-9]{{3}})+),[0-9]+') "
        f"THEN replace(replace({d}, '.', ''), ',', '.') END",
    )


def _signed(text: str, negative: str) -> str:
    """SQL: a leading sign, then the digits; ``negative`` (SQL, true for a bracketed
    number) flips the sign."""
    g = "__ee_g"
    minus = f"(CASE WHEN {negative} THEN '' ELSE '-' END)"
    plus = f"(CASE WHEN {negative} THEN '-' ELSE '' END)"
    return _bound(
        text,
        g,
        f"(CASE WHEN starts_with({g}, '-') THEN {minus} ELSE {plus} END) || "
        + _digits(
            f"CASE WHEN starts_with({g}, '-') OR starts_with({g}, '+') THEN {g}[2:] ELSE {g} END"
        ),
    )


def sql_number(text: str) -> str:
    """SQL: the cell as plain "-123.45" text when parse_number reads it, else NULL.

    "Rp"/"IDR" before and "%" after a number, and spaces and no-break spaces anywhere,
    are no part of it; (…) makes a number negative.
    """
    p, n, percent = "__ee_p", "__ee_n", "'%'"
    inside = f"CASE WHEN {n} THEN {sql_strip(f'{p}[2:-2]')} ELSE {p} END"
    unprefixed = f"regexp_replace({inside}, '^(?i:rp\\.?|idr){_WS}*', '')"
    bare = (
        f"replace(replace({sql_strip(f'rtrim({unprefixed}, {percent})')}, ' ', ''), chr(160), '')"
    )
    bracketed = f"starts_with({p}, '(') AND ends_with({p}, ')')"
    return _bound(sql_strip(text), p, _bound(bracketed, n, _signed(bare, n)))


def not_blank(text: str) -> str:
    """SQL: the text holds a character ``str.strip()`` keeps (NULL for NULL)."""
    return f"regexp_matches({text}, '[^{_SPACE}]')"


def number_text(expr: str) -> str:
    """SQL: the cell as plain ``-123.45`` text when parse_number reads it, else NULL."""
    return (
        f"(CASE WHEN regexp_full_match({expr}, '{NUMBER_RE}') THEN {normalized(expr)} "
        f"ELSE {sql_number(expr)} END)"
    )


def duckdb_error():
    """The DuckDB exception base class (for ``except``)."""
    import duckdb

    return duckdb.Error


def normalized(expr: str) -> str:
    """SQL turning a trimmed numeric cell into plain ``-123.45`` text, as parse_number does."""
    return (
        f"(CASE WHEN regexp_full_match({expr}, '{THOUSANDS_RE}') THEN replace({expr}, '.', '') "
        f"WHEN contains({expr}, ',') THEN replace(replace({expr}, '.', ''), ',', '.') "
        f"ELSE {expr} END)"
    )


@dataclass
class BulkTable:
    """A table registered in DuckDB: the SQL of its typed rows, its columns, where it
    came from."""

    name: str
    #: The name the table's rows go by in DuckDB (``t0``); tables stored from it are
    #: named after it (``t0__records``).
    view: str
    columns: dict[str, Column]
    where: str
    #: The SELECT giving the typed rows (over the raw view), read as a subquery: DuckDB
    #: binds a view when it is created and again at every use, and the typed rows are
    #: built up in layers (typed, named, lookups), each bound once more as a view.
    query: str = ""
    row_count: int | None = None
    sniffed: bool = False
    #: Group-key columns as read (untrimmed text) under a hidden name: grouping by them
    #: and trimming the few distinct keys in Python is cheaper than trimming every row.
    keys: dict[str, str] = field(default_factory=dict)
    temp_files: list[str] = field(default_factory=list)
    #: The header as the document path reads it (trimmed, a repeated name kept twice,
    #: unnamed columns left out) and the sheet read: the rubric's declared columns are
    #: matched against it (a name used twice is an error there, as on the document path).
    header: list[str] = field(default_factory=list)
    #: Where the table was read from, as the document path's table source names it.
    source: Any = None
    #: Cell checks not yet made: (declared column, SQL aggregate giving a cell it cannot
    #: read, or NULL). The first scan of the table makes them (compute.grouped_query).
    checks: list[tuple[Any, str]] = field(default_factory=list)

    @property
    def relation(self) -> str:
        """SQL for the typed rows in a ``FROM`` clause."""
        return f"({self.query})"

    def cleanup(self) -> None:
        for path in self.temp_files:
            Path(path).unlink(missing_ok=True)


def key_columns(text_columns, header: list[str]) -> set[str]:
    """``open_table``'s ``text_columns`` for a table with ``header`` (blank names left
    out: they are not read)."""
    if callable(text_columns):
        return set(text_columns([h for h in header if h]))
    return set(text_columns)


def table_file(table: Table) -> Path | None:
    """The file behind an evidence table (None for an inline table)."""
    file = getattr(table, "file", None)
    return Path(file) if file is not None else None


def open_table(
    con,
    table: Table,
    view: str,
    *,
    text_columns: set[str] | frozenset | Callable[[list[str]], set[str]] = frozenset(),
    sniff: bool = True,
    sheets: dict[Path, SheetLoad] | None = None,
    columns_read: ColumnUse | None = None,
) -> BulkTable:
    """Register ``table`` in ``con`` as the typed view ``view``.

    ``text_columns`` are kept as text whatever they hold (group keys): header names, or
    a function of the header as read giving them (``--group-by instansi`` finds the
    header ``Instansi`` once the reader has it, see :mod:`.group_column`). With ``sniff``,
    CSV columns DuckDB's sniffer finds to be integers are read as integers (no
    profiling scan); if a later row disagrees the caller reopens with ``sniff=False``.
    ``columns_read`` (:class:`.compute.ColumnUse`) gives the columns the rubric reads
    (the others stay text and are not profiled; None: all are read) and those it
    declares as text or yes/no (read as the words they hold, as the document path reads
    them).
    """
    file = table_file(table)
    suffix = file.suffix.lower() if file is not None else ""
    raw = f"{view}__raw"
    temp: list[str] = []
    sniffed: set[str] = set()
    arrow = False
    read: dict[str, Any] = {}  # the header and sheet the readers find
    if file is None:
        native = _inline(con, table, raw)
        where = f"inline table '{table.name}'"
    else:
        where = file.name
        if suffix == ".parquet":
            try:
                con.execute(
                    f"CREATE OR REPLACE VIEW {quote_ident(raw)} AS "
                    f"SELECT * FROM read_parquet({quote_text(str(file))})"
                )
                described = con.execute(f"DESCRIBE {quote_ident(raw)}").fetchall()
            except duckdb_error() as exc:  # not Parquet: the document path's words
                msg = f"cannot read {file.name}: {str(exc).splitlines()[0]}"
                raise EvidenceError(msg, location=Location(str(file))) from None
            read["header"] = [r[0] for r in described]
            read["described"] = described
            native = True
        elif suffix in _XLSX:
            sheet = getattr(table, "sheet", None)
            loading = (sheets or {}).pop(file, None)
            arrow = suffix in _ARROW_SHEETS and _xlsx_arrow(
                con,
                file,
                sheet,
                raw,
                text_columns,
                read=read,
                loading=loading,
                columns_read=columns_read,
            )
            native = arrow
        else:
            native = False
    try:
        if file is not None and suffix not in _XLSX and suffix != ".parquet":
            sniffed = _csv_view(
                con,
                file,
                raw,
                getattr(table, "delimiter", None),
                sniff,
                text_columns,
                read,
                columns_read,
            )
        if suffix in _XLSX and not arrow:
            path, sniffed = _xlsx_view(con, file, sheet, raw, text_columns, read=read)
            temp.append(path)
        header = read.get("header", table.columns if file is None else [])
        text = key_columns(text_columns, header)
        unread = set(header) - columns_read(header) - text if columns_read else set()
        texts = columns_read.words(header) if columns_read else set()
        try:
            columns, select, keys = _typed_columns(
                con,
                raw,
                native,
                text,
                sniffed,
                unread,
                texts,
                described=read.get("described"),
                sample=read.get("sample"),
            )
        except _Inexact:
            if not arrow:
                raise
            # numbers no DECIMAL(38, s) holds: the calamine path reads them as it always has
            con.execute(f"DROP TABLE {quote_ident(raw)}")
            path, sniffed = _xlsx_view(con, file, sheet, raw, text_columns, read=read)
            temp.append(path)
            arrow = False
            text = key_columns(text_columns, read["header"])
            columns, select, keys = _typed_columns(con, raw, False, text, sniffed, unread, texts)
    except (duckdb_error(), _Inexact) as exc:
        for path in temp:
            Path(path).unlink(missing_ok=True)
        if sniffed and "Conversion" in type(exc).__name__:
            # a sniffed integer column holds text or a huge number further down (the
            # profiling scan met it): every column is read as text
            return open_table(
                con, table, view, text_columns=text_columns, sniff=False, columns_read=columns_read
            )
        msg = f"cannot read table '{table.name}' ({where}): {str(exc).splitlines()[0]}"
        raise EvidenceError(msg, location=Location(str(file) if file else None)) from None
    if file is None:
        header = list(table.columns)
    elif suffix in _XLSX:
        header = [h for h in read.get("header", []) if h]
    else:
        header = read["header"]
    return BulkTable(
        table.name,
        view,
        columns,
        where,
        sniffed=bool(sniffed) and suffix not in _XLSX,
        keys=keys,
        temp_files=temp,
        header=header,
        source=table.source if file is None else Provenance(str(file), sheet=read.get("sheet")),
        query=f"SELECT {select} FROM {quote_ident(raw)}",
    )


def _csv_view(
    con,
    file: Path,
    view: str,
    delimiter: str | None,
    sniff: bool = False,
    text=frozenset(),
    read: dict | None = None,
    columns_read: ColumnUse | None = None,
) -> set[str]:
    """A view of the CSV file; returns the columns read as sniffed integers (and puts
    the header as read in ``read``).

    The file is read as the document path (:func:`evidence.tables._read_csv`) reads
    it: the delimiter it finds on the first line, ``"`` quotes, its column names, and
    a row of blank cells is no row. DuckDB's sniffer runs once (``sniff_csv``) for the
    column types; the view then names the dialect and the columns (``auto_detect =
    false``), so the later queries on the view do not sniff the file again. When the
    sniffer cannot read the file that way (mixed line ends, another quote character, a
    header it does not see as one), every column is read as text with that dialect.
    """
    from ..evidence.tables import csv_header

    delimiter, header = csv_header(file, delimiter)
    if read is not None:
        read["header"] = header
    text = key_columns(text, header)
    options = f"header = true, delim = {quote_text(delimiter)}"
    integers: set[str] = set()
    found = _sniffed(con, file, options)
    if found is not None and [name for name, _ in found[1]] != header:
        found = None  # not the document path's reading: its dialect, all text
    hidden: list[str] = []
    if found is None:
        options = (
            f"header = true, auto_detect = false, delim = {quote_text(delimiter)}, "
            "quote = '\"', escape = '\"', strict_mode = false"
        )
        # a name used twice means its last column (the document path keeps the cells by
        # name); the others, and unnamed columns, are read under hidden names
        last = {h.casefold(): j for j, h in enumerate(header)}
        names = [
            h if h and last[h.casefold()] == j else f"__unread{j}__" for j, h in enumerate(header)
        ]
        hidden = [n for n in names if n.startswith("__unread")]
        described = [(n, "VARCHAR") for n in names]
        sniff = False
    else:
        options, described = found
    types = {r[0]: str(r[1]).upper() for r in described}
    used = set(types) if columns_read is None else columns_read(header) | text
    if sniff:
        # a column no formula reads stays text (parsing it costs a scan its time), as
        # does one declared as text or yes/no ("007" is no 7, 1 a yes)
        kept = text | (columns_read.words(header) if columns_read else set())
        integers = {
            c for c, t in types.items() if t in _INTEGER_TYPES and c not in kept and c in used
        }
    spec = ", ".join(
        f"{quote_text(c)}: {quote_text('BIGINT' if c in integers else 'VARCHAR')}" for c in types
    )
    options += f", columns = {{{spec}}}"
    # a row is kept when any cell holds something (as _read_csv skips blank rows); the
    # columns the query reads anyway are tested first (DuckDB tests the others only on
    # the rare rows where those are all blank)
    tests = [f"{quote_ident(c)} IS NOT NULL" for c in types if c in integers]
    tests += [not_blank(quote_ident(c)) for c in types if c not in integers and c in used]
    tests += [not_blank(quote_ident(c)) for c in types if c not in used]
    star = f"* EXCLUDE ({', '.join(map(quote_ident, hidden))})" if hidden else "*"
    where = f"WHERE {' OR '.join(tests) or 'TRUE'}"
    con.execute(
        f"CREATE OR REPLACE VIEW {quote_ident(view)} AS "
        f"SELECT {star} FROM read_csv({quote_text(str(file))}, {options}) {where}"
    )
    if read is not None:
        # the view's columns as DESCRIBE gives them (the profiling needs no query for it)
        read["described"] = [
            (c, "BIGINT" if c in integers else "VARCHAR") for c in types if c not in hidden
        ]
        # the first rows alone, for the look at text columns: the view's parallel reader
        # parses a 16 MB buffer a thread before LIMIT stops it (~40 ms on a large file)
        read["sample"] = (
            f"SELECT {star} FROM read_csv({quote_text(str(file))}, {options}, "
            f"buffer_size = {SAMPLE_BUFFER}, parallel = false) {where}"
        )
    return integers


def _sniffed(con, file: Path, options: str):
    """The dialect and columns DuckDB's sniffer finds: (read_csv options, [(name, type)]).

    None when the sniffer cannot say (the caller reads the file in the document
    path's dialect).
    """
    try:
        found = con.execute(
            "SELECT Delimiter, Quote, Escape, NewLineDelimiter, Comment, SkipRows, Columns "
            f"FROM sniff_csv({quote_text(str(file))}, {options})"
        ).fetchone()
    except duckdb_error():
        return None
    if found is None:
        return None
    delim, quote, escape, newline, comment, skip, columns = found
    if skip or comment not in (None, "", "(empty)"):
        return None  # the document path reads every line, the first as the header
    if quote not in (None, "", "(empty)", '"') or escape not in (None, "", "(empty)", '"'):
        return None  # the document path's only quote is " (DuckDB may choose ')
    # no quote in the rows sniffed: a quoted cell further down is still read as one
    quote = escape = '"'

    def text(value) -> str:
        return quote_text("" if value in (None, "(empty)") else str(value))

    dialect = (
        f"header = true, auto_detect = false, delim = {text(delim)}, quote = {text(quote)}, "
        f"escape = {text(escape)}, new_line = {text(newline)}, comment = {text(comment)}, "
        f"skip = {int(skip or 0)}"
    )
    return dialect, [(c["name"], str(c["type"])) for c in columns]


#: Rows the first look at a text column reads (a surely-text cell there settles it: text;
#: a column it does not settle is profiled over every row, so the size is only speed:
#: 2,000 rows cost ~27 ms on a BKPSDM roster, 20,000 twice that, and a text column
#: almost always shows a word in its first rows).
SAMPLE_ROWS = 2_000
#: The buffer a CSV's first rows are read with for that look: DuckDB's limit of a line
#: (``max_line_size``), so any line it reads at all fits (a longer one fails the view's
#: read too; the look then reads through the view).
SAMPLE_BUFFER = 2_097_152


def _typed_columns(
    con,
    raw: str,
    native: bool,
    text_columns: set[str],
    integers=frozenset(),
    unread=frozenset(),
    declared_text=frozenset(),
    described: list[tuple] | None = None,
    sample: str | None = None,
):
    """Profile the raw view once and build the typed projection.

    ``unread`` columns (no formula reads them) stay text without a look at their cells;
    so do text cells of ``declared_text`` columns (declared as text or yes/no: words).
    ``described`` is the raw view's ``DESCRIBE`` when the caller has it already;
    ``sample``, a quicker SELECT of the raw view's rows for the first look at text
    columns.
    """
    if described is None:
        described = con.execute(f"DESCRIBE SELECT * FROM {quote_ident(raw)}").fetchall()
    types = {row[0]: str(row[1]).upper() for row in described}
    probes = []
    plan: dict[str, str] = {}
    for name, sql_type in types.items():
        q = quote_ident(name)
        if name in text_columns or name in unread:
            plan[name] = "text"
        elif name in declared_text and sql_type == "VARCHAR":
            plan[name] = "sample-text"
        elif native and sql_type == "BOOLEAN":
            plan[name] = "bool"
        elif name in integers or (
            native and (sql_type.startswith("DECIMAL") or sql_type in _INTEGER_TYPES)
        ):
            plan[name] = "native-number"
        elif native and sql_type in ("DOUBLE", "FLOAT", "REAL"):
            plan[name] = "float"
            d = f"CAST({q} AS DOUBLE)"
            probes.append(f"max(CASE WHEN {d} <> trunc({d}) THEN {_float_scale(d)} END)")
            probes.append(f"max(abs({d}))")
        elif not native or sql_type == "VARCHAR":
            plan[name] = "varchar"
            t = f"trim({q})"
            probes.append(f"count(*) FILTER (WHERE {_not_a_number(t)})")
            probes.append(f"count(*) FILTER (WHERE {t} <> '')")
            probes.append(f"max(length(split_part({normalized(t)}, '.', 2)))")
            # the integer digits (and sign): the column's bound (see sql.SqlCompiler.bound)
            probes.append(f"max(length(split_part({normalized(t)}, '.', 1)))")
            # numbers only parse_number's other forms read ("Rp1.000", "50%", " 3\t"), and
            # cells blank only once stripped as Python strips ("\t"): read the slower way
            odd = f"{sql_number(t)} IS NOT NULL OR {sql_strip(t)} = ''"
            probes.append(f"count(*) FILTER (WHERE {_odd_cell(t, text='false', other=odd)})")
        else:
            plan[name] = "text"
    varchar = [n for n, k in plan.items() if k == "varchar"]
    if varchar:
        # a surely-text cell settles a column (no number reading: binding it alone cost
        # ~10 ms a query, reading "D3" with it ~4 µs a cell); the rest are profiled
        checks = ", ".join(
            f"count(*) FILTER (WHERE {surely_text(f'trim({quote_ident(n)})')})" for n in varchar
        )

        def first_rows(rows: str) -> tuple:
            return con.execute(f"SELECT {checks} FROM ({rows} LIMIT {SAMPLE_ROWS})").fetchone()

        everything = f"SELECT * FROM {quote_ident(raw)}"
        try:
            found = first_rows(sample or everything)
        except duckdb_error():
            if sample is None:
                raise
            found = first_rows(everything)  # a line longer than the sample's buffer
        texts = {n for n, bad in zip(varchar, found, strict=True) if bad}
        for n in texts:
            plan[n] = "sample-text"
        probes = [p for p in probes if not any(quote_ident(n) in p for n in texts)]
    stats: list[Any] = []
    if probes:
        stats = list(con.execute(f"SELECT {', '.join(probes)} FROM {quote_ident(raw)}").fetchone())
    columns: dict[str, Column] = {}
    select = []
    keys: dict[str, str] = {}
    for name in text_columns & set(types):
        keys[name] = f"__key__{name}"
        key = quote_ident(name)
        if types[name] != "VARCHAR":
            key = f"CAST({key} AS VARCHAR)"
        select.append(f"{key} AS {quote_ident(keys[name])}")
    for name, kind in plan.items():
        q = quote_ident(name)
        if kind == "varchar":
            bad, nonblank, scale, digits, other = stats[:5]
            del stats[:5]
            t = f"trim({q})"
            empty = "''"
            cell = f"NULLIF({t}, {empty})"
            text = normalized(cell)
            if bad == 0 and nonblank and other:
                # the rare cells in other forms: each read the slower way
                text = number_text(cell)
                scale, digits = con.execute(
                    f"SELECT max(length(split_part({text}, '.', 2))), "
                    f"max(length(split_part({text}, '.', 1))) FROM {quote_ident(raw)}"
                ).fetchone()
            s = int(scale or 0)
            if bad == 0 and nonblank and int(digits or 0) >= 25:
                # a number past the limit (10^24) is text to the interpreter (to_decimal
                # refuses it): so is the column here, as with any other text cell
                limit = f"CAST('{MAX_MAGNITUDE:f}' AS {decimal_type(0)})"
                exact = f"TRY_CAST({text} AS {decimal_type(s)})"
                bad = con.execute(
                    f"SELECT count_if({text} IS NOT NULL AND coalesce(abs({exact}) > {limit}, "
                    f"TRUE)) FROM {quote_ident(raw)}"
                ).fetchone()[0]
            if bad == 0 and nonblank and int(digits or 0) + s > MAX_WIDTH:
                # 10000000 beside 2.220446049250313e-16: no DECIMAL(38, s) holds both (the
                # cast failed when the view was read); refused, as a float column is
                msg = f"column '{name}' holds numbers with more than {MAX_WIDTH} digits"
                raise _Inexact(msg)
            if bad == 0 and nonblank:
                bound = Decimal(10) ** int(digits or 0)
                columns[name] = Column(name, "number", s, bound=bound)
                select.append(f"CAST({text} AS {decimal_type(s)}) AS {q}")
            else:
                columns[name] = Column(name, "text", raw=f"__raw__{name}")
                select.append(f"coalesce({sql_trim(q)}, '') AS {q}")
                select.append(f"{q} AS {quote_ident(f'__raw__{name}')}")
        elif kind == "float":
            # a cell is the exact decimal of its shortest repr (as evidence.tables._cell
            # reads it): whole numbers are integers, fractions DECIMAL with the scale the
            # longest of them needs
            scale, top = stats[:2]
            del stats[:2]
            d = f"CAST({q} AS DOUBLE)"
            if top is not None and not math.isfinite(top):
                msg = f"column '{name}' holds {top}, which is not a number"
                raise _Inexact(msg)
            bound = Decimal(math.ceil(top)) if top is not None else Decimal(0)
            if scale is None and (top is None or top < 2**63):
                columns[name] = Column(name, "number", 0, bound=bound)
                select.append(f"CAST({d} AS BIGINT) AS {q}")
                continue
            s = int(scale or 0)
            if len(str(int(top))) + s > MAX_WIDTH:
                msg = f"column '{name}' holds numbers with more than {MAX_WIDTH} digits"
                raise _Inexact(msg)
            columns[name] = Column(name, "number", s, bound=bound)
            # a whole number is int(x), exactly (its repr may be shorter: 1e+19)
            whole = f"CAST(CAST({d} AS HUGEINT) AS {decimal_type(s)})"
            if scale is not None:
                fraction = f"CAST(CAST({d} AS VARCHAR) AS {decimal_type(s)})"
                whole = f"CASE WHEN {d} = trunc({d}) THEN {whole} ELSE {fraction} END"
            select.append(f"{whole} AS {q}")
        elif kind == "native-number":
            sql_type = types[name]
            s = int(sql_type.split(",")[1].rstrip(")")) if sql_type.startswith("DECIMAL") else 0
            columns[name] = Column(name, "number", s, bound=_type_bound(sql_type))
            # integers and decimals stay as they are: DuckDB's arithmetic on them is exact
            # (a mixed expression widens to DECIMAL, overflow raises) and int64 is fastest
            select.append(q)
        elif kind == "bool":
            columns[name] = Column(name, "bool")
            select.append(q)
        elif kind == "sample-text":
            # the cell as read beside the trimmed one: comparisons try it first (see sql.py)
            columns[name] = Column(name, "text", raw=f"__raw__{name}")
            select.append(f"coalesce({sql_trim(q)}, '') AS {q}")
            select.append(f"{q} AS {quote_ident(f'__raw__{name}')}")
        else:
            columns[name] = Column(name, "text")
            select.append(f"coalesce({sql_trim(f'CAST({q} AS VARCHAR)')}, '') AS {q}")
    return columns, ", ".join(select) or "*", keys


def _not_a_number(cell: str) -> str:
    """SQL: a trimmed cell NUMBER_RE does not match that is not blank once stripped as
    Python strips and that parse_number does not read either."""
    return _odd_cell(
        cell, text="true", other=f"{sql_strip(cell)} <> '' AND {sql_number(cell)} IS NULL"
    )


def _odd_cell(cell: str, *, text: str, other: str) -> str:
    """SQL over a trimmed cell: false when it is blank or NUMBER_RE matches it (an odd
    cell is neither), ``text`` for an odd one that is :func:`surely_text`, ``other`` (the
    slow number reading, ~4 µs a cell) for the rest.

    That reading sits under ``CASE``, which evaluates it on those cells alone: under
    ``AND`` DuckDB evaluated them on every cell (a 100,000-row roster's column typing:
    1.4 s against 0.26 s).
    """
    odd = f"{cell} <> '' AND NOT regexp_full_match({cell}, '{NUMBER_RE}')"
    return f"CASE WHEN NOT ({odd}) THEN false WHEN {surely_text(cell)} THEN {text} ELSE {other} END"


def _type_bound(sql_type: str) -> Decimal | None:
    """The largest magnitude a native number column's type holds (None: HUGEINT)."""
    if sql_type.startswith("DECIMAL"):
        width, scale = (int(x) for x in sql_type[8:-1].split(","))
        return Decimal(10) ** (width - scale)
    if sql_type in _INTEGER_TYPES and "HUGE" not in sql_type:
        return Decimal(2**64)
    return None


class _Inexact(Exception):
    """A floating-point column no ``DECIMAL(38, s)`` holds exactly (or NaN, infinity)."""


def _float_scale(double: str) -> str:
    """SQL: the decimals of a DOUBLE's shortest repr (``1.5e-07`` → 8, ``2.675`` → 3).

    DuckDB writes a DOUBLE as the shortest text that reads back as it, as Python's
    ``repr`` does (``tests/test_bulk_xlsx_arrow.py`` checks they agree).
    """
    t = f"CAST({double} AS VARCHAR)"
    return (
        f"greatest(0, length(split_part(split_part({t}, 'e', 1), '.', 2)) "
        f"- coalesce(TRY_CAST(split_part({t}, 'e', 2) AS INTEGER), 0))"
    )


_INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
}


def _inline(con, table: Table, view: str) -> bool:
    """An inline (or already loaded) table as a VALUES view of typed literals.

    Cells are given as the interpreter reads them: numbers as exact DECIMAL text,
    booleans as BOOLEAN, the rest as text. Returns whether the view is natively typed.
    """
    from ..evaluate.engine import evidence_value

    columns = list(table.columns)
    values: dict[str, list[Any]] = {c: [] for c in columns}
    for row in table.rows:
        for c in columns:
            cell = row.get(c)
            if cell is None or cell.value is None:
                values[c].append(None)
            elif isinstance(cell.value, bool):
                values[c].append(cell.value)
            else:
                values[c].append(evidence_value(cell))
    kinds: dict[str, tuple[str, int]] = {}
    for c in columns:
        seen = [v for v in values[c] if v is not None and v != ""]
        if seen and all(isinstance(v, Decimal) for v in seen):
            kinds[c] = ("number", max(decimal_scale(v) for v in seen))
        elif seen and all(isinstance(v, bool) for v in seen):
            kinds[c] = ("bool", 0)
        else:
            kinds[c] = ("text", 0)

    def literal(c: str, v: Any) -> str:
        kind, scale = kinds[c]
        if kind == "number":
            if v is None or v == "":
                return f"CAST(NULL AS {decimal_type(scale)})"
            return f"CAST({quote_text(format(v, 'f'))} AS {decimal_type(scale)})"
        if kind == "bool":
            return "NULL::BOOLEAN" if v is None else ("TRUE" if v else "FALSE")
        if isinstance(v, Decimal):
            v = format(v, "f")
        return "NULL::VARCHAR" if v is None else f"CAST({quote_text(str(v))} AS VARCHAR)"

    names = ", ".join(quote_ident(c) for c in columns)
    if not table.rows:
        cols = ", ".join(f"{literal(c, None)} AS {quote_ident(c)}" for c in columns)
        con.execute(f"CREATE OR REPLACE TABLE {quote_ident(view)} AS SELECT {cols} LIMIT 0")
        return True
    rows = ",".join(
        "(" + ", ".join(literal(c, values[c][i]) for c in columns) + ")"
        for i in range(len(table.rows))
    )
    con.execute(
        f"CREATE OR REPLACE TABLE {quote_ident(view)} AS SELECT * FROM (VALUES {rows}) t({names})"
    )
    return True


_XLSX = (".xlsx", ".xlsm", ".xls", ".ods")

#: Workbooks fastexcel reads straight into Arrow. (It reads .xls and .ods too; those keep
#: the calamine path: the tests cannot write them to compare the two readings.)
_ARROW_SHEETS = (".xlsx", ".xlsm")

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
        if file is not None and file.suffix.lower() in _ARROW_SHEETS and file not in loads:
            loads[file] = SheetLoad(file, getattr(table, "sheet", None))
    return loads


def _xlsx_arrow(
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
    tests += [
        f"regexp_matches(c{j}, '[^{_SPACE}]')" for j, c in enumerate(info) if c.dtype == "string"
    ]
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
    not read only has to be blank or not (as a date column, see :func:`_xlsx_arrow`).
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


def _xlsx_view(
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
