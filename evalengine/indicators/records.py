"""The ``records`` indicator type: a per-row formula over an evidence table, then an aggregate.

A rubric writes::

    [indicators.kualifikasi]
    type = "records"
    table = "pegawai"                                   # [tables.pegawai] of the evidence
    row = 'min(25, lookup("kualifikasi", row.pendidikan))'  # points of one person
    aggregate = "mean"                                  # sum | mean | min | max | count
    where = 'row.status != "CPNS"'                      # optional filter, per row
    fallback = "evidence.dimensi.kualifikasi"           # optional: used when the table is absent
    max = "25"

The value is the aggregate of the per-row values, exact (Decimal). The type offers
``self.aggregate``, ``self.n`` (rows used) and ``self.rows`` (rows in the table) to
the indicator's ``value`` formula, whose default is ``self.aggregate``. ``extra``
holds ``n``, ``rows``, ``excluded`` (rows the ``where`` left out), ``aggregate``,
``table`` and ``source`` (``table`` or ``fallback``). The derivation lists the first
rows with their file and row number. A value above the indicator's maximum is an
error, never silently kept.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import Diagnostic, EvidenceError
from ..hookspecs import hookimpl
from ..numbers import CONTEXT, MAX_MAGNITUDE, plain
from .base import Fact, IndicatorType
from .tabular import (
    SHOWN_ROWS,
    RowFormula,
    RowResult,
    bound_table,
    fallback_value,
    formula_problems,
    option_formula,
    required_options,
    row_inputs,
    row_label,
    spec_problems_once,
)

if TYPE_CHECKING:
    from ..evaluate.engine import IndicatorContext, Outcome
    from ..rubric.model import Indicator, Rubric

AGGREGATES = ("sum", "mean", "min", "max", "count")


def aggregate_past_limit(
    indicator: Indicator, agg: str, value: Decimal | None, table: str, where: str
) -> EvidenceError | None:
    """The error for an aggregate past the limit (10^24), worded alike on both engines.

    Each per-row value is a number within the limit (a cell past it is text, and the
    per-row arithmetic is checked), but a sum over many rows is not arithmetic the
    interpreter checks: past the limit it is almost surely a wrong cell or unit, and
    every figure built on it would be too.
    """
    if value is None or abs(value) <= MAX_MAGNITUDE:
        return None
    msg = (
        f"'{indicator.id}': the {agg} of the per-row values of table '{table}' ({where}) "
        f"is {value:.3E}, past the limit {MAX_MAGNITUDE}"
    )
    return EvidenceError(
        msg,
        location=indicator.location,
        hint="check the table's cells and units (rupiah, not sen?)",
        code="above-limit",
    )


def aggregate(name: str, values: list[Decimal]) -> Decimal | None:
    """The aggregate of ``values``, exact to 40 digits (None for mean/min/max of no values)."""
    with localcontext(CONTEXT):
        return _aggregate(name, values)


def _aggregate(name: str, values: list[Decimal]) -> Decimal | None:
    if name == "count":
        return Decimal(len(values))
    if name == "sum":
        return sum(values, Decimal(0))
    if not values:
        return None
    if name == "mean":
        return sum(values, Decimal(0)) / len(values)
    return min(values) if name == "min" else max(values)


class RecordsType(IndicatorType):
    """A per-row formula over an evidence table, aggregated (mean of points per person, …)."""

    name = "records"
    description = (
        "per-row formula over an evidence table (row.<column>), then sum/mean/min/max/count"
    )
    options: ClassVar[dict[str, str]] = {
        "table": "name of the evidence table ([tables.<name>])",
        "row": "per-row formula; row.<column> reads a cell",
        "aggregate": "sum | mean | min | max | count of the per-row values",
        "where": "per-row condition; rows where it is false are left out",
        "fallback": "formula for the value when the evidence has no such table (published values)",
    }
    text_options: ClassVar[tuple[str, ...]] = ("table", "aggregate")

    def __init__(self) -> None:
        self.results: list[RowResult] = []
        self.extra: dict[str, Any] = {}
        self.warnings: list[str] = []
        self.table = None
        self.fallback_provenance = None

    def default_value(self, indicator: Indicator, rubric: Rubric) -> str | None:
        return "self.aggregate"

    def validate(self, indicator: Indicator, rubric: Rubric) -> list[Diagnostic]:
        agg = indicator.options.get("aggregate", "sum")
        needed = ("table",) if agg == "count" else ("table", "row")
        diags = required_options(indicator, needed, "records")
        if agg not in AGGREGATES:
            diags.append(
                Diagnostic(
                    "error",
                    "value",
                    f"unknown aggregate '{agg}' in '{indicator.id}'",
                    indicator.location,
                    f"aggregates: {', '.join(AGGREGATES)}",
                )
            )
        return (
            diags
            + spec_problems_once(rubric, indicator)
            + formula_problems(rubric, indicator, ("row", "where", "fallback"))
        )

    def facts(self, indicator: Indicator, ctx: IndicatorContext) -> dict[str, Fact]:
        name = str(indicator.options["table"])
        agg = str(indicator.options.get("aggregate", "sum"))
        table = bound_table(ctx, name)
        if table is None:
            return self._fallback(indicator, ctx, name)
        self.table = table
        row_formula = option_formula(ctx.rubric, indicator, "row")
        where = option_formula(ctx.rubric, indicator, "where")
        row_value = RowFormula(ctx, row_formula, table) if row_formula is not None else None
        keeps = RowFormula(ctx, where, table) if where is not None else None
        excluded = 0
        for row in table.rows:
            if where is not None:
                keep = keeps(row)
                if not isinstance(keep.value, bool):
                    msg = f"`where` of '{indicator.id}' must be true or false, got {keep.value!r}"
                    raise EvidenceError(
                        msg, location=where.location, hint='e.g. where = "row.status != \\"CPNS\\""'
                    )
                if not keep.value:
                    excluded += 1
                    continue
            if row_formula is None:  # count without a row formula
                self.results.append(RowResult(row, Decimal(1), []))
                continue
            # the first rows' inputs are the calculation sheet's: those are evaluated afresh
            result = row_value(row, fresh=len(self.results) < SHOWN_ROWS)
            if not isinstance(result.value, Decimal):
                msg = (
                    f"{row_label(table, row)} of table '{name}' ({table.where}): "
                    "the `row` formula of "
                    f"'{indicator.id}' gave {result.value!r}, not a number"
                )
                raise EvidenceError(
                    msg, location=row_formula.location, hint="the per-row value must be a number"
                )
            self.results.append(result)
        values = [r.value for r in self.results]
        value = aggregate(agg, values)
        if value is None:
            msg = (
                f"'{indicator.id}': {agg} of no rows "
                f"(table '{name}' has {len(table)}, all left out by `where`)"
            )
            raise EvidenceError(msg, location=where.location if where else indicator.location)
        if (past := aggregate_past_limit(indicator, agg, value, name, table.where)) is not None:
            raise past
        n = len(values)
        self.extra = {
            "source": "table",
            "table": name,
            "aggregate": agg,
            "n": Decimal(n),
            "rows": Decimal(len(table)),
            "excluded": Decimal(excluded),
        }
        return {
            "aggregate": Fact(value, table.source),
            "n": Fact(Decimal(n), table.source),
            "rows": Fact(Decimal(len(table)), table.source),
        }

    def _fallback(self, indicator: Indicator, ctx: IndicatorContext, name: str) -> dict[str, Fact]:
        value, provenance, text = fallback_value(ctx, indicator, name)
        self.extra = {"source": "fallback", "table": name, "fallback": text}
        self.fallback_provenance = provenance
        return {"aggregate": Fact(value, provenance), "n": Fact(None), "rows": Fact(None)}

    def evaluate(self, indicator: Indicator, ctx: IndicatorContext) -> Outcome:
        outcome = ctx.evaluate_formulas(self)
        outcome.extra.update(self.extra)
        outcome.warnings.extend(self.warnings)
        if self.table is not None:
            agg = self.extra["aggregate"]
            outcome.derivation.inputs.extend(row_inputs(self.table, self.results, "row value"))
            outcome.derivation.note = (
                f"{agg} of the per-row values over {self.extra['n']} of {self.extra['rows']} rows "
                f"of table '{self.table.name}' ({self.table.where})"
            )
        else:
            outcome.derivation.note = (
                f"published value (no table '{self.extra['table']}' in the evidence)"
            )
        check_max(indicator, outcome, self.results, self.fallback_provenance)
        return outcome


def check_max(
    indicator: Indicator, outcome: Outcome, results: list[RowResult], published: Any = None
) -> None:
    """Refuse a value above the indicator's maximum, naming the first offending row."""
    if (
        outcome.max is None
        or not isinstance(outcome.value, Decimal)
        or outcome.value <= outcome.max
    ):
        return
    over = next(
        (r for r in results if isinstance(r.value, Decimal) and r.value > outcome.max), None
    )
    where = ""
    if over is not None:
        first = next(iter(over.row.values())).provenance
        row = replace(first, key=None, cell=None)
        where = f"; first row above it: {row} = {plain(over.value)}"
    msg = (
        f"'{indicator.id}' is {plain(outcome.value)}, above its maximum {plain(outcome.max)}{where}"
    )
    if over is not None:
        location = over.row[next(iter(over.row))].location
    else:
        location = getattr(published, "location", None) or indicator.location
    raise EvidenceError(
        msg,
        location=location,
        hint='cap the per-row value in the rubric (row = "min(25, …)"), or correct the evidence',
        code="above-max",
    )


@hookimpl
def register_indicator_types():
    """The records indicator type."""
    return [RecordsType]
