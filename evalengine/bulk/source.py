"""Evidence tables as DuckDB relations with exactly typed columns.

CSV and Parquet files are read by DuckDB itself; spreadsheets by :mod:`.sheets`; inline
tables become a VALUES list. No row is evaluated in Python. Every column is then typed
the way the interpreter sees a cell (:func:`evalengine.evaluate.engine.evidence_value`),
its text read by the SQL of :mod:`.cells`:

* a column whose non-blank cells are all numbers is ``number``: ``DECIMAL(38, s)``
  with ``s`` the most decimals any cell has (integers stay integers), parsed with the
  same rules as :func:`evalengine.numbers.parse_number` (``"79,03"`` is 79.03,
  ``"1.500"`` is 1500); a floating-point cell (Parquet DOUBLE, a spreadsheet number)
  is the exact decimal of its shortest repr, as ``evidence.tables._cell`` reads it;
* any other column is ``text`` (trimmed; a blank cell is ``''``); ``BOOLEAN`` Parquet
  and spreadsheet columns are ``bool``.

DuckDB and fastexcel are imported in this package only, and only when the bulk path runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
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
from .cells import (
    NUMBER_RE,
    normalized,
    not_blank,
    number_text,
    sql_number,
    sql_strip,
    sql_trim,
    surely_text,
)

if TYPE_CHECKING:
    from .compute import ColumnUse
    from .sheets import SheetLoad


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


def duckdb_error():
    """The DuckDB exception base class (for ``except``)."""
    import duckdb

    return duckdb.Error


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
    from .sheets import ARROW_SHEETS, SHEET_SUFFIXES, xlsx_arrow, xlsx_view

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
        elif suffix in SHEET_SUFFIXES:
            sheet = getattr(table, "sheet", None)
            loading = (sheets or {}).pop(file, None)
            arrow = suffix in ARROW_SHEETS and xlsx_arrow(
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
        if file is not None and suffix not in SHEET_SUFFIXES and suffix != ".parquet":
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
        if suffix in SHEET_SUFFIXES and not arrow:
            path, sniffed = xlsx_view(con, file, sheet, raw, text_columns, read=read)
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
            path, sniffed = xlsx_view(con, file, sheet, raw, text_columns, read=read)
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
    elif suffix in SHEET_SUFFIXES:
        header = [h for h in read.get("header", []) if h]
    else:
        header = read["header"]
    return BulkTable(
        table.name,
        view,
        columns,
        where,
        sniffed=bool(sniffed) and suffix not in SHEET_SUFFIXES,
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
