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

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any

from ..errors import EvidenceError, FormulaEvalError, RubricError
from ..formula import parse_formula
from ..indicators.base import Fact
from ..numbers import CONTEXT, plain, to_decimal
from ..rubric.model import Formula, Indicator, Rubric
from ..evaluate.sql import SqlCompiler, quote_ident, quote_text
from .source import BulkTable, duckdb_error

#: Indicator types the bulk path computes.
BULK_TYPES = ("records", "survey")
#: The key of the overall (ungrouped) result.
OVERALL = None


@dataclass
class Precomputed:
    """Table facts of one indicator for one group, computed on DuckDB."""

    facts: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    note: str | None = None
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
        outcome.derivation.note = self.pre.note
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
    return [ind for ind in rubric.indicators() if ind.type in BULK_TYPES]


def option_formula(indicator: Indicator, key: str) -> Formula | None:
    """An indicator option parsed as a formula (located at the indicator)."""
    text = indicator.options.get(key)
    if text is None:
        return None
    return Formula(str(text), parse_formula(str(text)), indicator.location)


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


def group_expr(table: BulkTable, group_by: str | None) -> str | None:
    """The SQL of the group key (text), or None; an unknown column is an error."""
    if group_by is None:
        return None
    if group_by not in table.columns:
        msg = f"table '{table.name}' ({table.where}) has no column '{group_by}' to group by"
        raise EvidenceError(msg, hint=f"columns: {', '.join(table.columns)}", code="usage")
    return f"CAST({quote_ident(group_by)} AS VARCHAR)"


def _grouped_query(con, table: BulkTable, gexpr: str | None, selects: list[str], base: str = ""):
    """Run ``selects`` per group and overall; returns {group key or OVERALL: row tuple}."""
    source = base or f"SELECT * FROM {quote_ident(table.view)}"
    if gexpr is None:
        sql = f"SELECT NULL, 1, {', '.join(selects)} FROM ({source}) s"
    else:
        sql = (
            f"SELECT {gexpr}, grouping({gexpr}), {', '.join(selects)} FROM ({source}) s "
            f"GROUP BY GROUPING SETS (({gexpr}), ())"
        )
    out: dict[Any, tuple] = {}
    for row in con.execute(sql).fetchall():
        key = OVERALL if row[1] else (row[0] if row[0] is not None else "")
        out[key] = tuple(row[2:])
    return out


def records_facts(
    con, engine, evidence, indicator: Indicator, table: BulkTable, gexpr: str | None
) -> dict[Any, Precomputed]:
    """Facts of a records indicator per group (and overall)."""
    agg = str(indicator.options.get("aggregate", "sum"))
    resolver = _Resolver(engine, evidence, indicator)
    functions = engine.functions
    row_f = option_formula(indicator, "row")
    where_f = option_formula(indicator, "where")
    where_sql = "TRUE"
    if where_f is not None:
        where_sql = (
            SqlCompiler(where_f, table.columns, resolver, functions, resolver).boolean_sql_expr().sql
        )
    if row_f is None:
        if agg != "count":
            msg = f"records indicator '{indicator.id}' has no `row` formula"
            raise RubricError(msg, location=indicator.location)
        value_sql = "CAST(1 AS DECIMAL(38,0))"
    else:
        value_sql = SqlCompiler(row_f, table.columns, resolver, functions, resolver).number_sql_expr().sql
    base = (
        f"SELECT *, {where_sql} AS __w, CASE WHEN {where_sql} THEN {value_sql} END AS __v "
        f"FROM {quote_ident(table.view)}"
    )
    selects = [
        "count(*)",
        "count(*) FILTER (WHERE __w)",
        "sum(__v) FILTER (WHERE __w)",
        "min(__v) FILTER (WHERE __w)",
        "max(__v) FILTER (WHERE __w)",
        "count(*) FILTER (WHERE __w IS NULL OR (__w AND __v IS NULL))",
    ]
    try:
        rows = _grouped_query(con, table, gexpr, selects, base)
    except duckdb_error() as exc:
        raise _runtime_error(exc, indicator, table) from None
    out: dict[Any, Precomputed] = {}
    for key, (total_rows, n, s, lo, hi, blanks) in rows.items():
        pre = Precomputed({})
        if blanks:
            pre.error = EvidenceError(
                f"'{indicator.id}': {blanks} row(s) of table '{table.name}' ({table.where}) "
                f"have blank cells where the formula needs a value",
                location=indicator.location,
                hint="fill the cells, or leave the rows out with `where`",
                code="blank-cell",
            )
        n = int(n)
        values = {
            "sum": Decimal(s) if s is not None else Decimal(0),
            "count": Decimal(n),
            "min": lo,
            "max": hi,
        }
        if agg == "mean":
            value = None
            if n:
                with localcontext(CONTEXT):
                    value = Decimal(s) / n
        else:
            value = values.get(agg)
        if value is None and pre.error is None:
            pre.error = EvidenceError(
                f"'{indicator.id}': {agg} of no rows (table '{table.name}' has {total_rows}, "
                f"all left out by `where`)",
                location=indicator.location,
            )
        pre.facts = {
            "aggregate": value,
            "n": Decimal(n),
            "rows": Decimal(total_rows),
        }
        pre.extra = {
            "source": "table",
            "table": table.name,
            "aggregate": agg,
            "n": Decimal(n),
            "rows": Decimal(total_rows),
            "excluded": Decimal(total_rows - n),
        }
        pre.note = (
            f"{agg} of the per-row values over {n} of {total_rows} rows of table "
            f"'{table.name}' ({table.where}), computed on DuckDB"
        )
        out[key] = pre
    return out


def _answer_sql(col: str, kind: str, scale) -> str:
    """SQL mapping an answer cell to its scale value (NULL when invalid), as the interpreter."""
    q = quote_ident(col)
    arms = []
    if kind == "number":  # numeric cells are matched by value
        for value in dict.fromkeys(scale.values.values()):
            arms.append(f"WHEN {q} = CAST({quote_text(format(value, 'f'))} AS DECIMAL(38,10)) "
                        f"THEN CAST({quote_text(format(value, 'f'))} AS DECIMAL(38,10))")
        return f"(CASE {' '.join(arms)} END)"
    # text cells: a number by value (parse_number rules), else the label as written, then folded
    from .source import NUMBER_RE, normalized

    num = f"TRY_CAST({normalized(q)} AS DECIMAL(38,10))"
    for label, value in scale.values.items():
        v = f"CAST({quote_text(format(value, 'f'))} AS DECIMAL(38,10))"
        arms.append(f"WHEN regexp_full_match({q}, '{NUMBER_RE}') AND {num} = {v} THEN {v}")
    for label, value in scale.values.items():
        v = f"CAST({quote_text(format(value, 'f'))} AS DECIMAL(38,10))"
        if _is_number(label):
            # a number not on the scale by value may still be a label: "4.0" → "4"
            arms.append(
                f"WHEN regexp_full_match({q}, '{NUMBER_RE}') AND "
                f"CAST({num} AS VARCHAR) IS NOT NULL AND {_normalized_text(num)} = "
                f"{quote_text(label)} THEN {v}"
            )
        arms.append(f"WHEN NOT regexp_full_match({q}, '{NUMBER_RE}') AND {q} = {quote_text(label)} THEN {v}")
    folded = {label.casefold(): value for label, value in scale.values.items()}
    for label, value in folded.items():
        v = f"CAST({quote_text(format(value, 'f'))} AS DECIMAL(38,10))"
        arms.append(
            f"WHEN NOT regexp_full_match({q}, '{NUMBER_RE}') AND lower({q}) = {quote_text(label)} "
            f"THEN {v}"
        )
    return f"(CASE {' '.join(arms)} END)"


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
    con,
    engine,
    evidence,
    indicators: list[Indicator],
    table: BulkTable,
    gexpr: str | None,
) -> dict[str, dict[Any, Precomputed]]:
    """Facts of every survey indicator reading ``table``, per group and overall."""
    rubric = engine.rubric
    spec = (getattr(rubric, "evidence_spec", None) or {}).get("tables", {}).get(table.name, {})
    policy = str(spec.get("invalid", "drop_respondent")) if isinstance(spec, dict) else "drop_respondent"
    cols: dict[str, tuple[Indicator, Any]] = {}
    for ind in indicators:
        column = str(ind.options["column"])
        if column not in table.columns:
            msg = f"table '{table.name}' ({table.where}) has no answer column '{column}'"
            raise EvidenceError(
                msg, hint=f"columns found: {', '.join(table.columns)}", code="missing-column"
            )
        cols[column] = (ind, rubric.scales[ind.scale])
    mapped = {
        c: _answer_sql(c, table.columns[c].kind, scale) for c, (_, scale) in cols.items()
    }
    aliases = {c: f"__a{i}" for i, c in enumerate(cols)}
    blanks = {c: f"({quote_ident(c)} IS NULL OR CAST({quote_ident(c)} AS VARCHAR) = '')" for c in cols}
    select_map = ", ".join(f"{mapped[c]} AS {aliases[c]}" for c in cols)
    blank_map = ", ".join(f"{blanks[c]} AS {aliases[c]}_blank" for c in cols)
    all_valid = " AND ".join(f"{aliases[c]} IS NOT NULL" for c in cols) or "TRUE"
    base = (
        f"SELECT *, {select_map}, {blank_map}, ({all_valid}) AS __ok "
        f"FROM {quote_ident(table.view)}"
    )
    selects = ["count(*)", "count(*) FILTER (WHERE NOT __ok)"]
    for c in cols:
        a = aliases[c]
        keep = "__ok" if policy == "drop_respondent" else f"{a} IS NOT NULL"
        selects += [
            f"sum({a}) FILTER (WHERE {keep})",
            f"count(*) FILTER (WHERE {keep})",
            f"count(*) FILTER (WHERE {a}_blank)",
            f"count(*) FILTER (WHERE {a} IS NULL AND NOT {a}_blank)",
        ]
    try:
        rows = _grouped_query(con, table, gexpr, selects, base)
    except duckdb_error() as exc:
        raise _runtime_error(exc, indicators[0], table) from None
    out: dict[str, dict[Any, Precomputed]] = {ind.id: {} for ind in indicators}
    for key, row in rows.items():
        total, dropped_rows = int(row[0]), int(row[1])
        for i, (c, (ind, scale)) in enumerate(cols.items()):
            s, n, blank, off = row[2 + 4 * i: 6 + 4 * i]
            n = int(n)
            pre = Precomputed({})
            nrr = None
            if n:
                with localcontext(CONTEXT):
                    nrr = Decimal(s) / n
            else:
                pre.error = EvidenceError(
                    f"'{ind.id}': no valid answers in column '{c}' of table '{table.name}'"
                    f" ({table.where})",
                    location=ind.location,
                    code="no-answers",
                )
            reasons = {}
            if blank:
                reasons["is blank"] = int(blank)
            if off:
                reasons[f"is not on scale '{scale.name}' ({scale.describe()})"] = int(off)
            dropped = total - n
            pre.facts = {
                "nrr": nrr,
                "n": Decimal(n),
                "total": Decimal(total),
                "scale_min": scale.min,
                "scale_max": scale.max,
            }
            pre.extra = {
                "source": "table",
                "table": table.name,
                "column": c,
                "n": Decimal(n),
                "total": Decimal(total),
                "dropped": Decimal(dropped),
                "dropped_reasons": [f"{k}: {v} row(s)" for k, v in reasons.items()],
                "policy": policy,
            }
            if dropped:
                pre.warnings.append(
                    f"{dropped} of {total} responses left out ({policy.replace('_', ' ')}): "
                    + "; ".join(f"{v} {k}" for k, v in reasons.items())
                    + ("" if reasons or policy != "drop_respondent" else "other answers invalid")
                )
            pre.note = (
                f"NRR = Σ valid answers / n over {n} of {total} responses of table "
                f"'{table.name}' ({table.where}), computed on DuckDB"
            )
            out[ind.id][key] = pre
        del dropped_rows
    return out


def _runtime_error(exc: Exception, indicator: Indicator, table: BulkTable) -> FormulaEvalError:
    """A DuckDB run-time error (division by zero, missing lookup key…) as a user error."""
    text = str(exc).splitlines()[0]
    for prefix in ("Invalid Input Error: ", "Out of Range Error: ", "Conversion Error: "):
        text = text.replace(prefix, "")
    msg = f"'{indicator.id}' on table '{table.name}' ({table.where}): {text}"
    return FormulaEvalError(msg, location=indicator.location)


def tables_used(indicators: Iterable[Indicator]) -> dict[str, list[Indicator]]:
    """Indicators by the evidence table they read."""
    out: dict[str, list[Indicator]] = {}
    for ind in indicators:
        out.setdefault(str(ind.options.get("table")), []).append(ind)
    return out
