"""Records and survey indicators computed on DuckDB: one query per table, per group.

For each ``records`` indicator the per-row formula (and its ``where`` filter) is
compiled by :class:`~evalengine.evaluate.sql.SqlCompiler`; the query returns, per
group and overall (``GROUPING SETS``), the exact sum, count, min and max. Means are
finished in Python with Decimal (``sum / n`` in the interpreter's context), never
with DuckDB's floating-point ``avg``. For ``survey`` indicators the answers are
mapped through the scale in SQL and the NRR is again ``Σ / n`` in Decimal; invalid
answers (blank, not on the scale) are counted by reason and, under the table's
``drop_respondent`` policy (the default), remove the respondent from every question.

The results become the *facts* the indicator types expose (``self.aggregate``,
``self.n``, ``self.rows`` for records; ``self.nrr``, ``self.n``, ``self.total``,
``self.scale_min``, ``self.scale_max`` for surveys), handed to the engine through
:class:`Precomputed`; the indicator's own value formula, maximum and rounding run
as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal, localcontext
from functools import cached_property
from typing import Any

from ..errors import EvidenceError, FormulaEvalError, FormulaSyntaxError, Location, RubricError
from ..evaluate.sql import (
    SqlCompileError,
    SqlCompiler,
    decimal_scale,
    quote_ident,
    quote_text,
)
from ..formula import parse_formula
from ..indicators.base import Fact
from ..indicators.records import aggregate_past_limit
from ..numbers import CONTEXT, plain, to_decimal
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
        twins = [h for h in table.header if h.casefold() == name.casefold()]
        if len(twins) > 1:  # DuckDB's names ignore case: the view kept the last
            msg = (
                f"table '{table.name}' ({table.where}) has columns "
                f"{', '.join(repr(t) for t in twins)}, differing only in case: DuckDB "
                f"reads them as one column, so it cannot group by '{name}'"
            )
            hint = "rename one of them, or score with --engine python"
            raise EvidenceError(msg, hint=hint, code="usage")
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
    engine, evidence, indicator: Indicator, table: BulkTable, tag: str, hoisted: dict[str, str]
):
    """SQL pieces of a records indicator: derived columns, aggregates, and a finisher.

    ``hoisted`` gathers the lookups the formulas make, for the table's view (see
    :class:`~evalengine.evaluate.sql.SqlCompiler`).
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
        if row_f is None:
            if agg != "count":
                msg = f"records indicator '{indicator.id}' has no `row` formula"
                raise RubricError(msg, location=indicator.location)
            value_sql = "CAST(1 AS DECIMAL(38,0))"
        else:
            compiler = SqlCompiler(row_f, table.columns, resolver, functions, resolver, hoisted)
            value_sql = compiler.number_sql_expr().sql
    except SqlCompileError as exc:
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
        blanks = (n - with_value) + (total_rows - decided)
        pre = Precomputed({})
        if blanks:
            pre.error = EvidenceError(
                f"'{indicator.id}': {blanks} row(s) of table '{table.name}' ({table.where}) "
                f"have blank cells where the formula needs a value",
                location=indicator.location,
                hint="fill the cells, or leave the rows out with `where`",
                code="blank-cell",
            )
        n, total_rows = int(n), int(total_rows)
        count, rows = Decimal(n), Decimal(total_rows)
        if agg == "mean":
            value = CONTEXT.divide(Decimal(s), count) if n else None
        elif agg == "sum":
            value = Decimal(s) if s is not None else Decimal(0)
        elif agg == "count":
            value = count
        elif agg in ("min", "max"):
            extreme = values[5] if agg == "min" else values[6]
            value = None if extreme is None else Decimal(extreme)
        else:
            value = None
        if value is None and pre.error is None:
            pre.error = EvidenceError(
                f"'{indicator.id}': {agg} of no rows (table '{table.name}' has {total_rows}, "
                f"all left out by `where`)",
                location=indicator.location,
            )
        if pre.error is None:
            pre.error = aggregate_past_limit(indicator, agg, value, table.name, table.where)
        pre.facts = {"aggregate": value, "n": count, "rows": rows}
        pre.extra = {
            "source": "table",
            "table": table.name,
            "aggregate": agg,
            "n": count,
            "rows": rows,
            "excluded": Decimal(total_rows - n),
        }
        pre.note = lambda: (
            f"{agg} of the per-row values over {n} of {total_rows} rows of table "
            f"'{table.name}' ({table.where}), computed on DuckDB"
        )
        return pre

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


def _answer_sql(col: str, kind: str, scale) -> str:
    """SQL mapping an answer cell to its scale value (NULL when invalid), as the interpreter."""
    q = quote_ident(col)
    arms = []
    values = list(scale.values.values())
    if kind == "number" and _identity(scale):  # labels "1".."4" for values 1..4
        members = ", ".join(str(int(v)) for v in dict.fromkeys(values))
        return f"(CASE WHEN {q} IN ({members}) THEN {q} END)"
    if kind == "number":  # numeric cells: by value, then a label written as that number
        scale_of = max((decimal_scale(v) for v in scale.values.values()), default=0)
        out_type = f"DECIMAL(18,{scale_of})"

        def lit(value: Decimal) -> str:
            return f"CAST({quote_text(format(value, 'f'))} AS {out_type})"

        for value in dict.fromkeys(scale.values.values()):
            arms.append(f"WHEN {q} = {lit(value)} THEN {lit(value)}")
        for label, value in scale.values.items():
            if _is_number(label) and f"{to_decimal(label).normalize():f}" == label:
                d = to_decimal(label)
                as_label = f"CAST({quote_text(label)} AS DECIMAL(18,{decimal_scale(d)}))"
                arms.append(f"WHEN {q} = {as_label} THEN {lit(value)}")
        return f"(CASE {' '.join(arms)} END)"
    # text cells: a number by value (parse_number rules), else the label as written, then
    # folded. The cell's number text ("79,03", "+3", " 4\t", "Rp1.000" read as parse_number
    # reads them) is computed once and bound to a lambda parameter: written out at each of
    # the dozens of arms below, DuckDB planned the number reading (sql_number) seconds a query.
    from .cells import number_text

    text = "__ee_number"
    num = f"TRY_CAST({text} AS DECIMAL(38,10))"
    is_number = f"{text} IS NOT NULL"
    for value in scale.values.values():
        v = f"CAST({quote_text(format(value, 'f'))} AS DECIMAL(38,10))"
        arms.append(f"WHEN {is_number} AND {num} = {v} THEN {v}")
    for label, value in scale.values.items():
        v = f"CAST({quote_text(format(value, 'f'))} AS DECIMAL(38,10))"
        if _is_number(label):
            # a number not on the scale by value may still be a label: "4.0" → "4"
            arms.append(
                f"WHEN {is_number} AND "
                f"CAST({num} AS VARCHAR) IS NOT NULL AND {_normalized_text(num)} = "
                f"{quote_text(label)} THEN {v}"
            )
        arms.append(f"WHEN {text} IS NULL AND {q} = {quote_text(label)} THEN {v}")
    folded = {label.casefold(): value for label, value in scale.values.items()}
    for label, value in folded.items():
        v = f"CAST({quote_text(format(value, 'f'))} AS DECIMAL(38,10))"
        arms.append(f"WHEN {text} IS NULL AND lower({q}) = {quote_text(label)} THEN {v}")
    return f"list_transform([{number_text(q)}], lambda {text}: CASE {' '.join(arms)} END)[1]"


def _identity(scale) -> bool:
    """True when every label is the whole number it stands for ("1".."4" → 1..4)."""
    return all(
        _is_number(label) and to_decimal(label) == value and value == int(value)
        for label, value in scale.values.items()
    )


def _valid_sql(col: str, kind: str, scale, col_scale: int = 0) -> str:
    """A predicate true exactly when the answer is valid (NULL or false otherwise).

    Whole-number answers on a scale of consecutive whole numbers (1..4) are tested with
    ``BETWEEN``: two comparisons instead of an ``IN`` list, and DuckDB prunes Parquet
    row groups with it.
    """
    if kind == "number" and _identity(scale):
        members = sorted({int(v) for v in scale.values.values()})
        if col_scale == 0 and members == list(range(members[0], members[-1] + 1)):
            return f"{quote_ident(col)} BETWEEN {members[0]} AND {members[-1]}"
        return f"{quote_ident(col)} IN ({', '.join(map(str, members))})"
    return f"({_answer_sql(col, kind, scale)} IS NOT NULL)"


def _normalized_text(num: str) -> str:
    """``f"{d.normalize():f}"`` of a DECIMAL in SQL: trailing zeros and dot stripped."""
    text = f"CAST({num} AS VARCHAR)"
    return f"(CASE WHEN contains({text}, '.') THEN rtrim(rtrim({text}, '0'), '.') ELSE {text} END)"


def _is_number(text: str) -> bool:
    try:
        to_decimal(text)
    except ValueError:
        return False
    return True


def survey_facts(
    con, engine, evidence, indicators: list[Indicator], table: BulkTable, gexpr, stored=None
):
    """Facts of the survey questions reading ``table``: {indicator id: {group: Precomputed}}.

    One scan as lean as a hand-written query when every respondent answered every
    question validly (the usual case); otherwise two more: the respondents whose every
    answer is valid (sums and counts), and the others (counts per column of blank and
    off-scale answers, and their valid answers for the ``drop_answer`` policy).
    """
    from ..indicators.survey import column_name, sample_rule

    rubric = engine.rubric
    spec = (getattr(rubric, "evidence_spec", None) or {}).get("tables", {}).get(table.name, {})
    spec = spec if isinstance(spec, dict) else {}
    policy = str(spec.get("invalid", "drop_respondent"))
    rule = sample_rule(evidence, spec)
    cols: dict[str, tuple[Indicator, Any]] = {}
    for ind in indicators:
        column = str(ind.options["column"])
        if column not in table.columns:
            msg = f"table '{table.name}' ({table.where}) has no answer column '{column}'"
            raise EvidenceError(
                msg, hint=f"columns found: {', '.join(table.columns)}", code="missing-column"
            )
        cols[column] = (ind, rubric.scales[ind.scale])
    headers = _headers(rubric, table, list(cols))
    mapped = {c: _answer_sql(c, table.columns[c].kind, scale) for c, (_, scale) in cols.items()}
    tests = {
        c: _valid_sql(c, table.columns[c].kind, scale, table.columns[c].scale)
        for c, (_, scale) in cols.items()
    }
    present = {
        c: quote_ident(c) if table.columns[c].kind == "number" else f"NULLIF({quote_ident(c)}, '')"
        for c in cols
    }
    # a plain predicate (no coalesce, no CASE) lets DuckDB push it into the scan; NULL is
    # never valid, and a row is left out of the valid set when any test is false or NULL
    valid = " AND ".join(tests.values()) or "TRUE"
    plain_sum = {
        c: f"sum({quote_ident(c)})"
        if _identity(scale) and table.columns[c].kind == "number"
        else f"sum({mapped[c]})"
        for c, (_, scale) in cols.items()
    }
    good_aggs = [("sum", "count(*)")] + [("sum", plain_sum[c]) for c in cols]
    try:
        # one scan (as lean as the hand-written query): all sums, the row totals, and how
        # many respondents answered everything validly; when that is every respondent
        # (the usual case) those sums are the valid sums. Otherwise (or when a sum over
        # invalid cells overflows) the valid respondents are summed on their own.
        types: dict[str, str] = {}
        try:
            one = grouped_query(
                con,
                table,
                gexpr,
                [],
                [*good_aggs, ("sum", f"count_if({valid})")],
                store=f"{table.view}__survey",
                store_types=types,
            )
        except duckdb_error():
            one = None  # a real error recurs (and is reported) on the queries below
        if one is not None:
            totals = {k: (v[0],) for k, v in one.items()}
        else:
            totals = grouped_query(con, table, gexpr, [], [("sum", "count(*)")])
        if one is not None and all(int(v[0]) == int(v[-1]) for v in one.values()):
            good = {k: v[:-1] for k, v in one.items()}
            if stored is not None and gexpr is not None:
                store = f"{table.view}__survey"
                for i, (ind, scale) in enumerate(cols.values()):
                    stored.add(ind.id, store, _survey_fact_sql(types, i, scale))
        else:
            good = grouped_query(con, table, gexpr, [], good_aggs, where=valid)
        bad: dict[Any, tuple] = {}
        if any(int(good.get(k, (0,))[0]) != int(v[0]) for k, v in totals.items()):
            bad_aggs = [("sum", "count(*)")]
            for c in cols:
                bad_aggs += [
                    ("sum", f"count({present[c]})"),  # non-blank answers
                    ("sum", f"count({mapped[c]})"),  # valid answers
                    ("sum", f"sum({mapped[c]})"),
                ]
            where_bad = f"NOT coalesce({valid}, false)"
            bad = grouped_query(con, table, gexpr, [], bad_aggs, where=where_bad)
    except duckdb_error() as exc:
        if _resniff(exc, table):
            raise Resniff(table.name) from None  # as records_part: read the column as text
        raise _runtime_error(exc, indicators[0], table) from None
    empty_good = tuple([0] * len(good_aggs))
    empty_bad = tuple([0] * (1 + 3 * len(cols)))
    out: dict[str, dict[Any, Precomputed]] = {ind.id: {} for ind in indicators}
    # worded once per column, not once per group
    off_scale = {c: f"is not on scale '{s.name}' ({s.describe()})" for c, (_, s) in cols.items()}
    names = {c: column_name(c, headers.get(c)) for c in cols}
    for key in totals:
        g, b = good.get(key, empty_good), bad.get(key, empty_bad)
        kept, rejected = int(g[0]), int(b[0])
        questions = []
        for i, (c, (ind, scale)) in enumerate(cols.items()):
            nonblank_bad, valid_bad, sum_bad = b[1 + 3 * i : 4 + 3 * i]
            answered, n = g[1 + i] or 0, kept
            if policy != "drop_respondent":
                answered, n = answered + (sum_bad or 0), n + int(valid_bad)
            problems = {"is blank": rejected - int(nonblank_bad)}
            problems[off_scale[c]] = int(nonblank_bad) - int(valid_bad)
            questions.append(_Question(ind, scale, c, n, Decimal(answered), problems, names[c]))
        survey = _Survey(table, policy, kept + rejected, rejected, questions, rule)
        for q in questions:
            out[q.ind.id][key] = survey.precomputed(q)
    return out


def _headers(rubric: Rubric, table: BulkTable, columns: list[str]) -> dict[str, str]:
    """The header each declared column was read from (``u3`` → ``Waktu Pelayanan``), as
    the document path's cells name it (their provenance key)."""
    from ..evidence.schema import table_spec

    spec = table_spec(rubric, table.name)
    out: dict[str, str] = {}
    for col in spec.columns if spec is not None else ():
        found = [h for h in table.header if col.accepts(h)]
        if col.name in columns and len(found) == 1:
            out[col.name] = found[0]
    return out


@dataclass
class _Question:
    """One survey question's counts in one group: valid answers, their sum, problems."""

    ind: Indicator
    scale: Any
    column: str
    n: int
    answered: Decimal  # Σ of the valid answers that count
    problems: dict[str, int]  # reason → answers of this column with it
    name: str = ""  # the column as warnings name it: ``u3 (Waktu Pelayanan)``


def _reasons(questions: list[_Question]) -> list[str]:
    """``u3 (Waktu) is blank: 2 row(s)`` for every problem of ``questions``."""
    return [
        f"{q.name} {reason}: {count} row(s)"
        for q in questions
        for reason, count in q.problems.items()
        if count
    ]


@dataclass
class _Survey:
    """A response table's counts in one group, worded as the survey type words them
    (:mod:`evalengine.indicators.survey`): the same facts, extra fields and warnings,
    with counts per reason where the interpreter lists rows."""

    table: BulkTable
    policy: str
    respondents: int
    rejected: int  # respondents with any invalid answer
    questions: list[_Question]
    rule: Any  # SampleRule | None

    @property
    def sample(self) -> int:
        if self.policy == "drop_respondent":
            return self.respondents - self.rejected
        return min((q.n for q in self.questions), default=0)

    def reasons(self, question: _Question) -> list[str]:
        """``extra.dropped_reasons``: every column's under drop_respondent, else its own."""
        if self.policy == "drop_respondent":
            return list(self._every_reason)
        return _reasons([question])

    @cached_property
    def _every_reason(self) -> list[str]:
        return _reasons(self.questions)

    def precomputed(self, q: _Question) -> Precomputed:
        from ..indicators.survey import dropped_summary, invalid_warning

        ind, table, policy = q.ind, self.table, self.policy
        pre = Precomputed({})
        nrr = None
        if q.n:
            with localcontext(CONTEXT):
                nrr = q.answered / q.n
        else:
            pre.error = EvidenceError(
                f"'{ind.id}': no valid answer in column '{q.column}' of table "
                f"'{table.name}' ({table.where})",
                location=ind.location,
                code="no-answers",
            )
        drop_respondent = policy == "drop_respondent"
        dropped = self.rejected if drop_respondent else sum(q.problems.values())
        pre.facts = {
            "nrr": nrr,
            "n": Decimal(q.n),
            "total": q.answered,
            "scale_min": q.scale.min,
            "scale_max": q.scale.max,
        }
        pre.extra = {
            "source": "table",
            "table": table.name,
            "column": q.column,
            "n": Decimal(q.n),
            "total": q.answered,
            "respondents": Decimal(self.respondents),
            "policy": policy,
            "dropped": Decimal(dropped),
            "dropped_reasons": self.reasons(q),
        }
        if self.rule is not None:
            pre.extra |= self.rule.extra(self.sample)
        action = "respondent dropped" if drop_respondent else "answer dropped"
        for reason, count in q.problems.items():
            if count:
                pre.warnings.append(invalid_warning(count, table.where, q.name, reason, action))
        if q is self.questions[0]:
            problems = sum(sum(x.problems.values()) for x in self.questions)
            if problems:
                pre.warnings.append(
                    dropped_summary(
                        table.name,
                        table.where,
                        policy,
                        (self.rejected, self.respondents),
                        problems,
                    )
                )
            if self.rule is not None and (low := self.rule.warning(self.sample)):
                pre.warnings.append(low)
        pre.note = lambda: (  # worded when read: hundreds of groups never show theirs
            f"NRR = Σ valid answers / n = {plain(q.answered)} / {q.n} over column "
            f"'{q.column}' of table '{table.name}' ({table.where}); {dropped} "
            + ("respondents" if drop_respondent else "answers")
            + f" dropped under policy {policy}, computed on DuckDB"
        )
        return pre


class Resniff(Exception):
    """A column DuckDB's sniffer typed from a sample holds other values further down."""


def _resniff(exc: Exception, table: BulkTable) -> bool:
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
    for i, ind in enumerate(indicators):
        if ind.type == "records":
            d, a, f = records_part(engine, evidence, ind, table, str(i), hoisted)
            finishers.append((len(aggs), len(a), lambda vals, f=f, iid=ind.id: {iid: f(vals)}))
            parts.append((ind, d, a, f))
            derived += d
            aggs += a
    if hoisted:  # each lookup once a row, whichever formulas use it
        columns = ", ".join(["*", *(f"{sql} AS {quote_ident(n)}" for n, sql in hoisted.items())])
        table.query = f"SELECT {columns} FROM {table.relation}"
    out: dict[str, dict[Any, Precomputed]] = {ind.id: {} for ind in indicators}
    surveys = [ind for ind in indicators if ind.type == "survey"]
    if surveys:
        out.update(survey_facts(con, engine, evidence, surveys, table, gexpr, stored))
    if not finishers:
        return out
    store = f"{table.view}__records" if stored is not None and gexpr is not None else None
    try:
        types: dict[str, str] = {}
        rows = grouped_query(con, table, gexpr, derived, aggs, store=store, store_types=types)
    except duckdb_error() as exc:
        if _resniff(exc, table):
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


def _as_decimal(col: str, sql_type: str):
    """A stored aggregate column as an exact DECIMAL(38, s) SQL value."""
    from ..evaluate.sql import SqlValue, decimal_type

    scale = int(sql_type.split(",")[1].rstrip(")")) if sql_type.startswith("DECIMAL") else 0
    return SqlValue("number", f"CAST({col} AS {decimal_type(scale)})", scale)


def _fraction(num, den_col: str):
    """``num / den`` kept exact (NULL, never an error, when ``den`` is 0)."""
    from ..evaluate.sql import SqlValue, decimal_type

    den = f"CAST(NULLIF({den_col}, 0) AS {decimal_type(0)})"
    return SqlValue("number", num.sql, num.scale, den, 0)


def _records_fact_sql(agg: str, start: int, types: dict[str, str]) -> dict[str, Any]:
    """``self.aggregate``, ``self.n``, ``self.rows`` of a records indicator, as SQL."""
    col = [f"__a{start + k}" for k in range(7)]
    rows, n, total = (_as_decimal(col[k], types[col[k]]) for k in (0, 1, 4))
    if agg == "mean":
        aggregate = _fraction(total, col[1])
    elif agg == "sum":
        aggregate = total
    elif agg == "count":
        aggregate = n
    else:
        aggregate = _as_decimal(col[5 if agg == "min" else 6], types[col[5 if agg == "min" else 6]])
    return {"aggregate": aggregate, "n": n, "rows": rows}


def _survey_fact_sql(types: dict[str, str], i: int, scale) -> dict[str, Any]:
    """``self.nrr``, ``self.n``, ``self.total`` and the scale ends of question ``i``
    (``types``: the stored table's column types)."""
    from ..evaluate.sql import SqlValue, decimal_scale, decimal_type

    n = _as_decimal("__a0", types["__a0"])
    total = _as_decimal(f"__a{1 + i}", types[f"__a{1 + i}"])

    def lit(value: Decimal):
        s = decimal_scale(value)
        return SqlValue("number", f"CAST('{value:f}' AS {decimal_type(s)})", s, bound=abs(value))

    nrr = _fraction(total, "__a0")  # a mean of answers on the scale: within its ends
    return {
        "nrr": replace(nrr, bound=max(abs(scale.min), abs(scale.max))),
        "n": n,
        "total": total,
        "scale_min": lit(scale.min),
        "scale_max": lit(scale.max),
    }


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
            return found_row or _runtime_error(alone, ind, table)
        error = finish(found[OVERALL]).error
        if error is not None and error.code == "above-limit":
            return error
    return _runtime_error(exc, parts[0][0], table)


def _runtime_error(exc: Exception, indicator: Indicator, table: BulkTable) -> FormulaEvalError:
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
    from ..formula import ast

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
