"""Records and survey indicators computed on DuckDB: one query per table, per group.

For each ``records`` indicator the per-row formula (and its ``where`` filter) is
compiled by :class:`~evalengine.evaluate.sql.SqlCompiler`; the query returns, per
group, the exact sum, count, min and max, and the overall figures are combined from
them exactly. Means are finished in Python with Decimal (``sum / n`` in the
interpreter's context), never with DuckDB's floating-point ``avg``. ``survey``
indicators are compiled by :mod:`.survey` into the same kind of query.

The results become the *facts* the indicator types expose (``self.aggregate``,
``self.n``, ``self.rows`` for records; ``self.nrr``, ``self.n``, ``self.total``,
``self.scale_min``, ``self.scale_max`` for surveys), handed to the engine through
:class:`Precomputed`; the indicator's own value formula, maximum and rounding run
as usual (or, per group, :mod:`.finish` over the stored aggregates).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..errors import EvidenceError, FormulaEvalError, FormulaSyntaxError, Location, RubricError
from ..evaluate.sql import (
    SqlCompileError,
    SqlCompiler,
    hoist,
    quote_ident,
)
from ..formula import ast, parse_formula
from ..indicators.base import Fact
from ..indicators.records import aggregate_past_limit
from ..numbers import CONTEXT, plain
from ..rubric.model import TABLE_TYPES, Formula, Indicator, Rubric
from .group_column import GroupColumn
from .progress import fetch_all
from .source import BulkTable, duckdb_error, fetch_decimals

#: Indicator types the bulk path computes.
BULK_TYPES = TABLE_TYPES
#: The key of the overall (ungrouped) result.
OVERALL = None


@dataclass
class Precomputed:
    """Table facts of one indicator for one group, computed on DuckDB."""

    facts: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: The derivation's note, or a function that words it (called only when it is used).
    note: str | Callable[[], str] | None = None
    error: EvidenceError | None = None

    def wrap(self, itype):
        """The indicator type ``itype`` with its table facts replaced by these."""
        return _PrecomputedType(itype, self)


class _PrecomputedType:
    """Delegates to the real indicator type, except for the facts read from the table."""

    def __init__(self, itype, pre: Precomputed) -> None:
        self.itype = itype
        self.pre = pre

    def __getattr__(self, name: str):
        return getattr(self.itype, name)

    def facts(self, indicator, ctx):
        if self.pre.error is not None:
            raise self.pre.error
        return {k: Fact(v) for k, v in self.pre.facts.items()}

    def evaluate(self, indicator, ctx):
        outcome = ctx.evaluate_formulas(self)
        outcome.extra.update(self.pre.extra)
        outcome.warnings.extend(self.pre.warnings)
        note = self.pre.note
        outcome.derivation.note = note() if callable(note) else note
        if (
            outcome.max is not None
            and isinstance(outcome.value, Decimal)
            and outcome.value > outcome.max
        ):
            msg = (
                f"'{indicator.id}' is {plain(outcome.value)}, above its maximum "
                f"{plain(outcome.max)}"
            )
            raise EvidenceError(
                msg,
                location=indicator.location,
                hint='cap the per-row value in the rubric, e.g. row = "min(25, …)"',
                code="above-max",
            )
        return outcome


def bulk_indicators(rubric: Rubric) -> list[Indicator]:
    """The records and survey indicators of ``rubric``, in tree order."""
    return rubric.table_indicators()


def option_formula(indicator: Indicator, key: str, rubric: Rubric | None = None) -> Formula | None:
    """An indicator option parsed as a formula, located at its string in the rubric file."""
    text = indicator.options.get(key)
    if text is None:
        return None
    location = indicator.location
    if rubric is not None and rubric.path and indicator.key:
        location = _option_location(rubric.path, (*indicator.key, key)) or location
    return Formula(str(text), parse_formula(str(text)), location)


def _option_location(path: str, parts: tuple[str, ...]):
    """File, line and column of the first character inside a formula string (or None)."""
    from pathlib import Path

    from ..errors import Location
    from ..sourcemap import SourceMap

    try:
        loc = SourceMap.from_toml(Path(path).read_text(encoding="utf-8"), path).locate(parts)
    except (OSError, UnicodeDecodeError):
        return None
    if loc.line is None or loc.column is None:
        return None
    return Location(loc.path, loc.line, loc.column + 1, loc.key)


class _Resolver:
    """What a per-row formula's non-row names mean on the bulk path: params, evidence, self."""

    def __init__(self, engine, evidence, indicator: Indicator) -> None:
        from ..evaluate.engine import IndicatorContext, _StageRun

        self.ctx = IndicatorContext(_StageRun(engine, evidence, None), indicator)
        self.ctx.facts = {
            "weight": indicator.weight,
            "code": indicator.code,
            "title": indicator.title,
            "id": indicator.id,
        }
        self.rubric = engine.rubric

    def resolve(self, path: tuple[str, ...]) -> tuple[Any, Any]:
        return self.ctx.resolve(path)


def refuse_case_twins(table: BulkTable, name: str, doing: str, location=None) -> None:
    """Raise when ``name`` is one of two headers differing only in case (``Instansi``
    and ``INSTANSI``): DuckDB's names ignore case, and the view kept the last of them,
    so it cannot do ``doing`` ("group by 'Instansi'"). The document path reads both."""
    if name in table.columns:
        return
    twins = [h for h in table.header if h.casefold() == name.casefold()]
    if len(twins) > 1 and name in twins:
        msg = (
            f"table '{table.name}' ({table.where}) has columns "
            f"{', '.join(repr(t) for t in twins)}, differing only in case: DuckDB "
            f"reads them as one column, so it cannot {doing}"
        )
        hint = "rename one of them, or score with --engine python"
        raise EvidenceError(msg, location=location, hint=hint, code="usage")


def group_expr(table: BulkTable, column: GroupColumn | None) -> str | None:
    """The SQL of the group key (text), or None.

    ``column`` is what ``--group-by`` named in the table (:mod:`.group_column`), found
    in its header before the rubric's layout was applied.
    """
    if column is None:
        return None
    name = column.name
    if name in table.keys:
        return quote_ident(table.keys[name])  # as read: grouped_query trims the keys
    if name not in table.columns:  # a declared column the layout could not place
        refuse_case_twins(table, name, f"group by '{name}'")
        msg = f"table '{table.name}' ({table.where}) has no column '{name}' to group by"
        raise EvidenceError(msg, hint=f"columns: {', '.join(table.header)}", code="usage")
    text = f"CAST({quote_ident(name)} AS VARCHAR)"
    if column.declared and table.columns[name].kind == "bool":  # as declared_key writes it
        col = quote_ident(name)
        return f"(CASE WHEN {col} THEN 'ya' WHEN NOT {col} THEN 'tidak' END)"
    if column.declared and table.columns[name].kind == "number":
        # written as group_column.declared_key writes it: 2.50 is 2.5, 24.0 is 24
        return (
            f"list_transform([{text}], lambda __ee_k: CASE WHEN contains(__ee_k, '.') "
            "THEN rtrim(rtrim(__ee_k, '0'), '.') ELSE __ee_k END)[1]"
        )
    return text


def grouped_query(
    con,
    table: BulkTable,
    gexpr: str | None,
    derived: list[str],
    aggs: list[tuple[str, str]],
    where: str | None = None,
    store: str | None = None,
    store_types: dict[str, str] | None = None,
):
    """One scan of ``table``: ``aggs`` per group, and overall combined exactly in Python.

    ``derived`` are ``expr AS name`` columns computed per row first; ``aggs`` are
    (combine, sql) pairs, ``combine`` in sum | min | max saying how group results add
    up to the overall one (exact: sums of DECIMAL sums, counts, minima of minima);
    ``where`` restricts the rows. With ``store``, the per-group results are also kept
    in DuckDB as the temporary table ``store`` (columns ``__g``, ``__a0``…) for the
    rubric's upper levels (:mod:`.finish`), and ``store_types`` learns its column types.
    Returns {group key or OVERALL: values}.
    """
    asked = len(aggs)
    checks = table.checks if where is None else []  # every row, or none
    aggs = [*aggs, *(("max", sql) for _, sql in checks)]
    cols = ", ".join(["*", *derived])
    # indicators repeat aggregates (every one counts its rows): DuckDB computes each
    # distinct one once, and the outer projection lays them out as __a0, __a1, …
    distinct = {sql: f"__u{i}" for i, sql in enumerate(dict.fromkeys(sql for _, sql in aggs))}
    selects = ", ".join(f"{sql} AS {name}" for sql, name in distinct.items())
    source = f"SELECT {cols} FROM {table.relation}"
    if where:
        source += f" WHERE {where}"
    keys = [k for k in (gexpr and f"{gexpr} AS __g",) if k]
    head = ", ".join(keys)
    sql = f"SELECT {head + ', ' if head else ''}{selects} FROM ({source}) s"
    if keys:
        sql += " GROUP BY ALL"
    laid_out = ", ".join(f"{distinct[sql]} AS __a{i}" for i, (_, sql) in enumerate(aggs))
    sql = f"SELECT {'__g, ' if keys else ''}{laid_out} FROM ({sql}) d"
    label = f"reading table {table.name!r} ({table.where})"
    try:
        if store and keys:
            fetch_all(con, f"CREATE OR REPLACE TEMP TABLE {store} AS {sql}", label, rows=False)
            types = _column_types(con, store)
            if store_types is not None:
                store_types.update(types)
            decimals = {c for c, t in types.items() if t.startswith("DECIMAL")}
            found = fetch_decimals(con, store, list(types), decimals)
        else:
            found = fetch_all(con, sql, label)
    except duckdb_error():
        check_cells(con, table)  # an unreadable cell is the error to report first
        raise
    parts: dict[Any, list[tuple]] = {}
    for row in found:
        # keys are trimmed here (a few hundred), not per row in SQL; equal trimmed keys
        # are combined exactly below, as their rows would have been
        key = (row[0].strip() if row[0] is not None else "") if gexpr else OVERALL
        parts.setdefault(key, []).append(tuple(row[len(keys) :]))

    hows = [how for how, _ in aggs]

    def combine(pieces: list[tuple]) -> tuple:
        if len(pieces) == 1:  # one raw key: its values as they are (a blank sum is 0)
            if None not in pieces[0]:
                return pieces[0]
            return tuple(
                0 if v is None and how == "sum" else v
                for how, v in zip(hows, pieces[0], strict=True)
            )
        out = []
        for i, (how, _) in enumerate(aggs):
            values = [v[i] for v in pieces if v[i] is not None]
            if not values:
                out.append(0 if how == "sum" else None)
            elif how == "sum":
                out.append(sum(values))
            else:
                out.append(min(values) if how == "min" else max(values))
        return tuple(out)

    out = {key: combine(pieces) for key, pieces in parts.items()}
    if gexpr is not None:
        out[OVERALL] = combine([p for pieces in parts.values() for p in pieces])
    if OVERALL not in out:  # an empty table
        out[OVERALL] = combine([])
    if checks:
        _refuse_unreadable(table, out[OVERALL][asked:])
        out = {key: values[:asked] for key, values in out.items()}
    return out


def check_cells(con, table: BulkTable) -> None:
    """Make the cell checks of ``table`` no scan has made yet (one scan for all)."""
    if table.checks:
        sql = ", ".join(expr for _, expr in table.checks)
        found = con.execute(f"SELECT {sql} FROM {table.relation}").fetchone()
        _refuse_unreadable(table, found)


def _refuse_unreadable(table: BulkTable, found) -> None:
    """A boolean column holding a word that is neither yes nor no is an error.

    The document path names the row; DuckDB gives the first such value, which is enough
    to find it, and never lets it pass as a silent "no".
    """
    checks, table.checks = table.checks, []
    for (col, _), value in zip(checks, found, strict=True):
        if value is not None:
            msg = (
                f"column {col.describe()} of table '{table.name}' must be ya or tidak, "
                f"got {value!r}"
            )
            raise EvidenceError(
                msg,
                hint="write ya/tidak (or sudah/belum, y/t, 1/0); "
                "score with --engine python to see the row",
                code="cell-type",
                location=Location(table.where, key=col.name),
            )


def records_part(
    engine,
    evidence,
    indicator: Indicator,
    table: BulkTable,
    tag: str,
    hoisted: dict[str, str],
    filters: dict[str, str],
):
    """SQL pieces of a records indicator: derived columns, aggregates, and a finisher.

    ``hoisted`` gathers the lookups the formulas make, for the table's view (see
    :class:`~evalengine.evaluate.sql.SqlCompiler`); ``filters`` the ``where`` filters,
    each a column of its own computed once a row above them (indicators often share
    one, and a filter is read twice: the rows it keeps, and the value only where it
    holds).
    """
    agg = str(indicator.options.get("aggregate", "sum"))
    resolver = _Resolver(engine, evidence, indicator)
    functions = engine.functions
    row_f = option_formula(indicator, "row", engine.rubric)
    where_f = option_formula(indicator, "where", engine.rubric)
    where_sql = "TRUE"
    try:
        if where_f is not None:
            where_sql = (
                SqlCompiler(where_f, table.columns, resolver, functions, resolver, hoisted)
                .boolean_sql_expr()
                .sql
            )
            # the interpreter reads the filter on every row too
            where_sql = hoist(filters, where_sql, "__ee_where")
        if row_f is None:
            if agg != "count":
                msg = f"records indicator '{indicator.id}' has no `row` formula"
                raise RubricError(msg, location=indicator.location)
            value_sql = "CAST(1 AS DECIMAL(38,0))"
        else:
            compiler = SqlCompiler(row_f, table.columns, resolver, functions, resolver, hoisted)
            value_sql = compiler.number_sql_expr().sql
    except SqlCompileError as exc:
        for formula in (where_f, row_f):  # a column DuckDB's view could not keep
            for node in formula.tree.walk() if formula is not None else ():
                if isinstance(node, ast.Ref) and node.path[0] == "row" and len(node.path) > 1:
                    doing = f"read `row.{node.path[1]}`"
                    refuse_case_twins(table, node.path[1], doing, formula.location)
        # a column of text where a number is needed: the interpreter names the row
        raise text_cell_error(exc, resolver, evidence, indicator, table) or exc from None
    w, v = f"__w{tag}", f"__v{tag}"
    extremes = [("min", f"min({v})"), ("max", f"max({v})")] if agg in ("min", "max") else []
    if where_f is None:
        derived = [f"{value_sql} AS {v}"]
        aggs = [
            ("sum", "count(*)"),  # rows
            ("sum", "count(*)"),  # rows used
            ("sum", f"count({v})"),  # rows with a value (the rest had blank cells)
            ("sum", "count(*)"),  # rows with a decided filter
            ("sum", f"sum({v})"),
            *extremes,
        ]
    else:
        # v is NULL where the filter is false (never evaluated there, as in the interpreter)
        derived = [f"{where_sql} AS {w}", f"CASE WHEN {where_sql} THEN {value_sql} END AS {v}"]
        aggs = [
            ("sum", "count(*)"),
            ("sum", f"count(*) FILTER (WHERE {w})"),
            ("sum", f"count({v})"),
            ("sum", f"count({w})"),
            ("sum", f"sum({v})"),
            *extremes,
        ]

    def finish(values: tuple) -> Precomputed:
        total_rows, n, with_value, decided, s = values[:5]
        n, total_rows = int(n), int(total_rows)
        count, rows = Decimal(n), Decimal(total_rows)
        if agg == "mean":
            value = CONTEXT.divide(s, count) if n else None
        elif agg == "sum":
            value = Decimal(s) if s is not None else Decimal(0)
        elif agg == "count":
            value = count
        elif agg in ("min", "max"):
            extreme = values[5] if agg == "min" else values[6]
            value = None if extreme is None else Decimal(extreme)
        else:
            value = None
        blanks = (n - with_value) + (total_rows - decided)
        if blanks:
            error = EvidenceError(
                f"'{indicator.id}': {blanks} row(s) of table '{table.name}' ({table.where}) "
                f"have blank cells where the formula needs a value",
                location=indicator.location,
                hint="fill the cells, or leave the rows out with `where`",
                code="blank-cell",
            )
        elif value is None:
            error = EvidenceError(
                f"'{indicator.id}': {agg} of no rows (table '{table.name}' has {total_rows}, "
                f"all left out by `where`)",
                location=indicator.location,
            )
        else:
            error = aggregate_past_limit(indicator, agg, value, table.name, table.where)
        # one group of many: built in one call, the note worded only if it is read
        return Precomputed(
            {"aggregate": value, "n": count, "rows": rows},
            {
                "source": "table",
                "table": table.name,
                "aggregate": agg,
                "n": count,
                "rows": rows,
                "excluded": Decimal(total_rows - n),
            },
            [],
            lambda: (
                f"{agg} of the per-row values over {n} of {total_rows} rows of table "
                f"'{table.name}' ({table.where}), computed on DuckDB"
            ),
            error,
        )

    return derived, aggs, finish


#: A CSV file up to this size is evaluated row by row by the interpreter on an error path
#: (about a second): the interpreter's first error, whatever it is. A bigger one is
#: searched only for the cells that are no number (see :func:`first_row_error`).
ROW_SEARCH_BYTES = 1_000_000


def text_cell_error(
    exc: SqlCompileError, resolver, evidence, indicator: Indicator, table: BulkTable
) -> EvidenceError | None:
    """The interpreter's error for the first row it stops on, when the SQL compiler
    found a column read as text where a formula needs a number.

    DuckDB types a column as a whole (one word, or a number past the limit, makes it
    text); the interpreter reads cell by cell and stops on the first row whose cell is
    not a number, naming the row. On this error path alone, a CSV file is read again
    in Python (:func:`first_row_error`). Other files, a layout renaming the column, and a
    formula that reads the cell only on some rows (when no row fails so) keep the
    compiler's message.
    """
    if exc.column is None:
        return None
    return first_row_error(resolver, evidence, indicator, table, exc.column)


def first_row_error(
    resolver, evidence, indicator: Indicator, table: BulkTable, column: str | None = None
) -> EvidenceError | None:
    """The interpreter's error on the first row of a CSV table it stops on, or None.

    Only on an error path: the file is read again as the document path reads it (row
    by row, never held) and rows are evaluated by the interpreter (``where``, then
    ``row``) until one fails, which gives the error with the same message, file, line
    and hint. Every row of a file up to :data:`ROW_SEARCH_BYTES`; in a bigger file, only
    the rows whose cell of ``column`` is no number (none without ``column``).
    """
    import csv
    import re
    from types import SimpleNamespace

    from ..evaluate.engine import formula_value
    from ..evidence.model import EvidenceValue, Provenance
    from ..evidence.tables import column_letter, csv_header
    from ..indicators.tabular import eval_row, row_label

    source = (getattr(evidence, "tables", None) or {}).get(table.name)
    file = getattr(source, "file", None)
    if file is None or file.suffix.lower() not in (".csv", ".tsv", ".txt"):
        return None
    rubric = resolver.rubric
    row_f = option_formula(indicator, "row", rubric)
    where_f = option_formula(indicator, "where", rubric)
    path = str(file)
    try:
        every_row = file.stat().st_size <= ROW_SEARCH_BYTES
        if column is None and not every_row:
            return None
        delimiter, header = csv_header(file, getattr(source, "delimiter", None))
        if column is not None and header.count(column) != 1:
            return None  # renamed by the rubric's layout, or repeated: as it was
        j = header.index(column) if column is not None else 0
        letters = [column_letter(k) for k in range(len(header))]
        bound = SimpleNamespace(
            name=table.name, where=table.where, columns=header, source=Provenance(path)
        )
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            next(reader, None)
            plain_number = re.compile(r"\s*[0-9]{1,24}(\.[0-9]{1,30})?\s*").fullmatch
            for record in reader:
                if len(record) != len(header):
                    continue  # a short row (or a blank line) is no row of the table
                if not every_row and (
                    plain_number(record[j]) or not isinstance(formula_value(record[j].strip()), str)
                ):
                    continue  # a number
                if not any(cell.strip() for cell in record):
                    continue
                line = reader.line_num
                row = {
                    col: EvidenceValue(
                        cell.strip(), Provenance(path, col, line, row=line, cell=f"{a}{line}")
                    )
                    for col, a, cell in zip(header, letters, record, strict=True)
                }
                try:
                    keep = where_f is None or eval_row(resolver.ctx, where_f, bound, row).value
                    if where_f is not None and not isinstance(keep, bool):  # as records says
                        msg = f"`where` of '{indicator.id}' must be true or false, got {keep!r}"
                        return EvidenceError(
                            msg,
                            location=where_f.location,
                            hint='e.g. where = "row.status != \\"CPNS\\""',
                        )
                    if keep is not True or row_f is None:
                        continue
                    value = eval_row(resolver.ctx, row_f, bound, row).value
                except EvidenceError as error:
                    return error
                if not isinstance(value, Decimal):  # as the records type says it
                    msg = (
                        f"{row_label(bound, row)} of table '{table.name}' ({table.where}): "
                        f"the `row` formula of '{indicator.id}' gave {value!r}, not a number"
                    )
                    return EvidenceError(
                        msg, location=row_f.location, hint="the per-row value must be a number"
                    )
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return None


class Resniff(Exception):
    """A column DuckDB's sniffer typed from a sample holds other values further down."""


def resniff_needed(exc: Exception, table: BulkTable) -> bool:
    """True when ``exc`` is a sniffed integer column meeting a cell that is not one
    (text, or a number beyond BIGINT) further down: the table is read again as text."""
    return table.sniffed and "Conversion" in type(exc).__name__


def table_facts(
    con, engine, evidence, indicators: list[Indicator], table: BulkTable, gexpr, stored=None
):
    """Facts of every records/survey indicator reading ``table``: one scan, per group.

    Returns {indicator id: {group key or OVERALL: Precomputed}}. With ``stored`` (a
    :class:`Stored`), the per-group aggregates stay in DuckDB and ``stored`` learns
    each indicator's facts as SQL over them.
    """
    derived: list[str] = []
    aggs: list[tuple[str, str]] = []
    finishers = []
    parts: list[tuple[Indicator, list[str], list[tuple[str, str]], Any]] = []
    hoisted: dict[str, str] = {}
    filters: dict[str, str] = {}
    for i, ind in enumerate(indicators):
        if ind.type == "records":
            d, a, f = records_part(engine, evidence, ind, table, str(i), hoisted, filters)
            finishers.append((len(aggs), len(a), lambda vals, f=f, iid=ind.id: {iid: f(vals)}))
            parts.append((ind, d, a, f))
            derived += d
            aggs += a
    for layer in (hoisted, filters):  # each lookup, then each filter, once a row
        if layer:
            columns = ", ".join(["*", *(f"{sql} AS {quote_ident(n)}" for n, sql in layer.items())])
            table.query = f"SELECT {columns} FROM {table.relation}"
    out: dict[str, dict[Any, Precomputed]] = {ind.id: {} for ind in indicators}
    surveys = [ind for ind in indicators if ind.type == "survey"]
    if surveys:
        from .survey import survey_facts

        out.update(survey_facts(con, engine, evidence, surveys, table, gexpr, stored))
    if not finishers:
        return out
    store = f"{table.view}__records" if stored is not None and gexpr is not None else None
    try:
        types: dict[str, str] = {}
        rows = grouped_query(con, table, gexpr, derived, aggs, store=store, store_types=types)
    except duckdb_error() as exc:
        if resniff_needed(exc, table):
            raise Resniff(table.name) from None  # a sniffed integer column is not: read as text
        raise _failing(con, engine, evidence, table, gexpr, parts, exc) from None
    if store is not None:
        records = [ind for ind in indicators if ind.type == "records"]
        for ind, (start, _, _) in zip(records, finishers, strict=True):
            agg = str(ind.options.get("aggregate", "sum"))
            stored.add(ind.id, store, _records_fact_sql(agg, start, types))
    for key, values in rows.items():
        for start, length, finish in finishers:
            for iid, pre in finish(values[start : start + length]).items():
                out[iid][key] = pre
    return out


@dataclass
class Stored:
    """Where the per-group aggregates are kept, and each indicator's facts as SQL there."""

    stores: set[str] = field(default_factory=set)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, iid: str, store: str, facts: dict[str, Any]) -> None:
        self.stores.add(store)
        self.facts[iid] = facts


def _column_types(con, store: str) -> dict[str, str]:
    return {r[0]: str(r[1]).upper() for r in con.execute(f"DESCRIBE {store}").fetchall()}


def stored_decimal(col: str, sql_type: str):
    """A stored aggregate column as an exact DECIMAL(38, s) SQL value."""
    from ..evaluate.sql import SqlValue, decimal_type

    scale = int(sql_type.split(",")[1].rstrip(")")) if sql_type.startswith("DECIMAL") else 0
    target = decimal_type(scale)
    if sql_type.replace(" ", "") == target:  # a DECIMAL sum already (no cast to plan)
        return SqlValue("number", col, scale)
    return SqlValue("number", f"CAST({col} AS {target})", scale)


def stored_fraction(num, den_col: str):
    """``num / den`` kept exact (NULL, never an error, when ``den`` is 0)."""
    from ..evaluate.sql import SqlValue, decimal_type

    den = f"CAST(NULLIF({den_col}, 0) AS {decimal_type(0)})"
    return SqlValue("number", num.sql, num.scale, den, 0)


def _records_fact_sql(agg: str, start: int, types: dict[str, str]) -> dict[str, Any]:
    """``self.aggregate``, ``self.n``, ``self.rows`` of a records indicator, as SQL."""
    col = [f"__a{start + k}" for k in range(7)]
    rows, n, total = (stored_decimal(col[k], types[col[k]]) for k in (0, 1, 4))
    if agg == "mean":
        aggregate = stored_fraction(total, col[1])
    elif agg == "sum":
        aggregate = total
    elif agg == "count":
        aggregate = n
    else:
        aggregate = stored_decimal(
            col[5 if agg == "min" else 6], types[col[5 if agg == "min" else 6]]
        )
    return {"aggregate": aggregate, "n": n, "rows": rows}


def _failing(
    con, engine, evidence, table: BulkTable, gexpr, parts, exc: Exception
) -> FormulaEvalError | EvidenceError:
    """The error of the indicator whose formula failed in the one scan of ``table``.

    DuckDB's error does not say which of the scan's formulas failed. Only now, on the
    error path, each indicator's part runs alone, in the order the interpreter evaluates
    them: the first to fail is the one the interpreter names, with its own error (an
    earlier indicator's aggregate past the limit included: the interpreter stops there).
    A small CSV file is then evaluated by the interpreter for that indicator, which names
    the row (:func:`first_row_error`); otherwise DuckDB's message names the indicator.
    """
    rank = {ind.id: k for k, ind in enumerate(getattr(engine, "order", None) or ())}
    for ind, derived, aggs, finish in sorted(parts, key=lambda p: rank.get(p[0].id, len(rank))):
        try:
            found = grouped_query(con, table, gexpr, derived, aggs)
        except duckdb_error() as alone:
            resolver = _Resolver(engine, evidence, ind)
            found_row = first_row_error(resolver, evidence, ind, table)
            return found_row or runtime_error(alone, ind, table)
        error = finish(found[OVERALL]).error
        if error is not None and error.code == "above-limit":
            return error
    return runtime_error(exc, parts[0][0], table)


def runtime_error(exc: Exception, indicator: Indicator, table: BulkTable) -> FormulaEvalError:
    """A DuckDB run-time error (division by zero, missing lookup key…) as a user error."""
    text = str(exc).splitlines()[0]
    for prefix in ("Invalid Input Error: ", "Out of Range Error: ", "Conversion Error: "):
        text = text.replace(prefix, "")
    msg = f"'{indicator.id}' on table '{table.name}' ({table.where}): {text}"
    return FormulaEvalError(msg, location=indicator.location)


@dataclass(frozen=True)
class ColumnUse:
    """What a rubric does with the columns of one table, given the header its reader
    finds (for :func:`.source.open_table`): ``use(header)`` is the columns it reads,
    ``use.words(header)`` those it declares as text or yes/no."""

    #: Names (case-folded) the formulas read; None: every column (it cannot be told).
    names: frozenset[str] | None
    declared: tuple[Any, ...] = ()  # the table's declared columns (ColumnSpec)

    def __call__(self, header: list[str]) -> set[str]:
        if self.names is None:
            return set(header)
        return {
            h
            for h in header
            if h.casefold() in self.names or any(col.accepts(h) for col in self.declared)
        }

    def words(self, header: list[str]) -> set[str]:
        """Headers a column declared as text or yes/no reads: to the document path their
        cells are words (``007`` and ``2,5`` as written, ``ya``/``1`` a yes), so DuckDB
        reads them as text and needs no look at their cells to type them."""
        return {
            h
            for h in header
            if any(c.type in ("text", "boolean") and c.accepts(h) for c in self.declared)
        }


def columns_read(rubric: Rubric, name: str, indicators: list[Indicator]) -> ColumnUse:
    """The :class:`ColumnUse` of table ``name`` by ``indicators`` (its records and survey
    indicators).

    A records indicator reads the columns its ``row`` and ``where`` formulas name, a
    survey indicator its answer ``column``; the rubric's declared columns are read by
    the table's layout. Reading a column no formula names costs a scan its typing (an
    integer parsed per row, a text column profiled), for nothing.
    """
    from ..evidence.schema import table_spec

    spec = table_spec(rubric, name)
    declared = spec.columns if spec is not None else ()
    names: set[str] = set()
    for ind in indicators:
        if ind.type == "survey":
            names.add(str(ind.options.get("column")))
            continue
        if ind.type != "records":
            return ColumnUse(None, declared)
        for key in ("row", "where"):
            try:
                formula = option_formula(ind, key)
            except FormulaSyntaxError:
                return ColumnUse(None, declared)  # reported where the formula is compiled
            for node in formula.tree.walk() if formula is not None else ():
                if isinstance(node, ast.Ref) and node.path[0] == "row":
                    if len(node.path) < 2:
                        return ColumnUse(None, declared)
                    names.add(node.path[1])
    return ColumnUse(frozenset(n.casefold() for n in names), declared)


def tables_used(indicators: Iterable[Indicator]) -> dict[str, list[Indicator]]:
    """Indicators by the evidence table they read."""
    out: dict[str, list[Indicator]] = {}
    for ind in indicators:
        out.setdefault(str(ind.options.get("table")), []).append(ind)
    return out
