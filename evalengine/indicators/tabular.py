"""What the table-based indicator types share: per-row formulas and the ``row`` environment.

``records`` and ``survey`` indicators read an evidence table (``[tables.<name>]``)
mapped onto the layout the rubric declares (:mod:`evalengine.evidence.schema`). Per-row
formulas are ordinary formulas in which ``row.<column>`` is a cell of the current row;
every other name means what it means anywhere else (``params.…``, ``evidence.…``,
``lookup(…)``). The same AST is what the bulk path compiles to SQL, so nothing about
a row is special-cased here beyond the ``row`` name.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import (
    Diagnostic,
    EvalEngineError,
    EvidenceError,
    FormulaEvalError,
    FormulaSyntaxError,
    Location,
)
from ..evaluate.interpreter import Input, Interpreter
from ..evidence.model import EvidenceValue
from ..formula import ast as fast
from ..formula import parse_formula
from ..rubric.model import Formula
from ..sourcemap import SourceMap

if TYPE_CHECKING:
    from ..evaluate.engine import IndicatorContext
    from ..evidence.schema import BoundTable
    from ..rubric.model import Indicator, Rubric

#: How many first rows a derivation lists (with their provenance).
SHOWN_ROWS = 3


@functools.lru_cache(maxsize=32)
def _source_map(path: str) -> SourceMap | None:
    try:
        return SourceMap.from_toml(Path(path).read_text(encoding="utf-8"), path)
    except (OSError, UnicodeDecodeError):
        return None


def option_location(rubric: Rubric, indicator: Indicator, key: str) -> Location:
    """Where the option ``key`` of ``indicator`` is written (first character of its string)."""
    smap = _source_map(rubric.path) if rubric.path else None
    if smap is None:
        return indicator.location
    loc = smap.locate((*indicator.key, key))
    if loc.line is None or loc.column is None:
        return loc
    return Location(loc.path, loc.line, loc.column + 1, loc.key)


def option_formula(rubric: Rubric, indicator: Indicator, key: str) -> Formula | None:
    """The indicator option ``key`` parsed as a formula (None when absent)."""
    text = indicator.options.get(key)
    if text is None:
        return None
    text = str(text)
    origin = option_location(rubric, indicator, key)
    return Formula(text, parse_formula(text, origin=origin), origin)


#: Formula options that are evaluated once per row (``row.<column>`` is allowed in them).
PER_ROW_OPTIONS = ("row", "where")


def formula_problems(
    rubric: Rubric, indicator: Indicator, keys: tuple[str, ...]
) -> list[Diagnostic]:
    """Syntax errors and unknown names or parameters in the formula options ``keys``.

    Function names are checked when the formula runs (the registry is not at hand here).
    """
    from ..formula import ast
    from ..rubric.check import BUILTIN_ROOTS, _check_formula

    ids = {ind.id for ind in rubric.root.walk()}
    diags = []
    for key in keys:
        try:
            formula = option_formula(rubric, indicator, key)
        except FormulaSyntaxError as exc:
            diags.append(exc.as_diagnostic())
            continue
        if formula is None:
            continue
        roots = set(BUILTIN_ROOTS) | ids | ({"row"} if key in PER_ROW_OPTIONS else set())
        called = {n.name for n in formula.tree.walk() if isinstance(n, ast.Call)}
        diags.extend(_check_formula(rubric, formula, key, roots, called))
    return diags


def required_options(indicator: Indicator, keys: tuple[str, ...], kind: str) -> list[Diagnostic]:
    """An error per missing required option."""
    return [
        Diagnostic(
            "error",
            "missing-key",
            f"{kind} indicator '{indicator.id}' has no `{key}`",
            indicator.location,
            f'add {key} = "…"',
        )
        for key in keys
        if key not in indicator.options
    ]


def spec_problems_once(rubric: Rubric, indicator: Indicator) -> list[Diagnostic]:
    """Problems of the ``[evidence]`` layout of this indicator's table (first reader only)."""
    from ..evidence.schema import spec_problems

    name = indicator.options.get("table")
    first = next(
        (i for i in rubric.indicators() if i.options.get("table") == name and "table" in i.options),
        None,
    )
    if first is not indicator:
        return []
    return [
        d
        for d in spec_problems(rubric)
        if (d.location.key or "").startswith(f"evidence.tables.{name}")
    ]


def bound_table(ctx: IndicatorContext, name: str) -> BoundTable | None:
    """Evidence table ``name`` mapped onto the rubric's layout, once per run (None: absent)."""
    cache: dict[str, BoundTable] = ctx.run.__dict__.setdefault("_bound_tables", {})
    if name not in cache:
        table = ctx.evidence.tables.get(name)
        if table is None:
            return None
        from ..evidence.schema import bind_table, table_spec

        cache[name] = bind_table(table, table_spec(ctx.rubric, name))
    return cache[name]


def missing_table(
    ctx: IndicatorContext, indicator: Indicator, name: str, fallback: bool
) -> EvidenceError:
    """The error for an indicator whose table is not in the evidence."""
    have = ", ".join(ctx.evidence.tables) or "none"
    hint = (
        f'add [tables.{name}] with file = "….csv" (or .xlsx) to the evidence; tables given: {have}'
    )
    if fallback:
        hint += "; or give the published value this indicator's `fallback` reads"
    msg = f"indicator '{indicator.id}' reads table '{name}', which the evidence does not have"
    return EvidenceError(
        msg, location=ctx.evidence.location(("tables",)), hint=hint, code="missing-table"
    )


def fallback_value(ctx: IndicatorContext, indicator: Indicator, name: str) -> tuple[Any, Any, str]:
    """The value of the ``fallback`` formula (published figures), used when the table is absent.

    Returns the value, the provenance of the first evidence value it read, and the formula text.
    """
    formula = option_formula(ctx.rubric, indicator, "fallback")
    if formula is None:
        raise missing_table(ctx, indicator, name, fallback=False)
    try:
        value, inputs, _ = ctx.evaluate(formula)
    except FormulaEvalError as exc:  # neither the table nor the published value: say both
        msg = f"'{indicator.id}' needs table '{name}' or its published value: {exc.message}"
        raise EvidenceError(
            msg,
            location=ctx.evidence.location(("tables",)),
            hint=f'add [tables.{name}] with file = "….csv", or the value `{formula.text}` reads',
            code="missing-table",
        ) from None
    provenance = inputs[0].provenance if inputs else None
    return value, provenance, formula.text


class RowEnvironment:
    """The formula environment of one row: ``row.<column>`` is a cell, the rest is ``ctx``."""

    def __init__(
        self, ctx: IndicatorContext, table: BoundTable, row: dict[str, EvidenceValue]
    ) -> None:
        self.ctx = ctx
        self.table = table
        self.row = row

    def resolve(self, path: tuple[str, ...]) -> tuple[Any, Any]:
        """``row.<column>`` from the row; anything else from the indicator context."""
        if path[0] != "row":
            return self.ctx.resolve(path)
        if len(path) != 2:
            err = KeyError("row")
            err.hint = "write row.<column>, e.g. row.pendidikan"
            raise err
        cell = self.row.get(path[1])
        if cell is None:
            err = KeyError(path[1])
            err.hint = f"columns of table '{self.table.name}': {', '.join(self.table.columns)}"
            raise err
        return cell_value(cell), cell


def cell_value(cell: EvidenceValue) -> Any:
    """A cell as a formula value: typed cells as they are, numeric text as a number."""
    from ..evaluate.engine import evidence_value

    if cell.value is None or isinstance(cell.value, bool):
        return cell.value
    return evidence_value(cell)


@dataclass
class RowResult:
    """One row's per-row value, and what its formula read."""

    row: dict[str, EvidenceValue]
    value: Any
    inputs: list[Input]


def row_label(table: BoundTable, row: dict[str, EvidenceValue]) -> str:
    """``row 7`` (file row) or ``row`` for inline rows."""
    cell = next(iter(row.values()), None)
    number = cell.provenance.row if cell is not None else None
    return f"row {number}" if number is not None else "row"


def eval_row(
    ctx: IndicatorContext, formula: Formula, table: BoundTable, row: dict[str, EvidenceValue]
) -> RowResult:
    """Evaluate ``formula`` on one row; an error names the row, the file and the formula."""
    interp = Interpreter(formula, RowEnvironment(ctx, table, row), ctx.run.functions, context=ctx)
    try:
        value = interp.run()
    except EvalEngineError as exc:
        first = next(iter(row.values()), None)
        where = first.provenance.location if first is not None else Location(table.source.file)
        msg = f"{row_label(table, row)} of table '{table.name}' ({table.where}): {exc.message}"
        hint = f"formula `{formula.text}` at {exc.location}" + (f"; {exc.hint}" if exc.hint else "")
        raise EvidenceError(msg, location=where, hint=hint, code="row-eval") from None
    return RowResult(row, value, interp.inputs)


class RowFormula:
    """A per-row formula, evaluated once per distinct combination of the cells it reads.

    The value of a row formula depends only on the cells it reads (``row.<column>``) and
    on what is the same for every row of one evaluation (parameters, lookup tables,
    other indicators): rows that agree on those cells get the value worked out for the
    first of them. A roster of 5,000 PNS holds a few hundred distinct combinations, so
    ``gap``, which evaluates the rubric again for every change it weighs, no longer runs
    the interpreter 5,000 times a try. The rows a calculation sheet shows are evaluated
    ``fresh``, for the inputs the calculation sheet shows; a row whose
    evaluation fails is never remembered, so its error names it.
    """

    def __init__(self, ctx: IndicatorContext, formula: Formula, table: BoundTable) -> None:
        self.ctx = ctx
        self.formula = formula
        self.table = table
        paths = [n.path for n in formula.tree.walk() if isinstance(n, fast.Ref)]
        rows = [p for p in paths if p[0] == "row"]
        #: The columns read, or None when the formula reads the row otherwise (an error).
        self.columns = (
            tuple(sorted({p[1] for p in rows})) if all(len(p) == 2 for p in rows) else None
        )
        self.values: dict[tuple, Any] = {}

    def __call__(self, row: dict[str, EvidenceValue], *, fresh: bool = False) -> RowResult:
        if self.columns is None or fresh:
            return eval_row(self.ctx, self.formula, self.table, row)
        # the type and text of each cell: Decimal 1.0 and 1 are equal but print apart
        key = tuple(
            (type(cell.value), str(cell.value)) if (cell := row.get(c)) is not None else None
            for c in self.columns
        )
        if key in self.values:
            return RowResult(row, self.values[key], [])
        result = eval_row(self.ctx, self.formula, self.table, row)
        self.values[key] = result.value
        return result


def format_value(value: Any) -> str:
    """A cell value for derivations: numbers plain, booleans ya/tidak, text as is."""
    from ..numbers import plain

    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if hasattr(value, "as_tuple"):
        return plain(value)
    return str(value)


def row_inputs(table: BoundTable, results: list[RowResult], label: str = "row") -> list[Input]:
    """The first :data:`SHOWN_ROWS` rows as derivation inputs: per-row value ← file, row."""
    shown = []
    for result in results[:SHOWN_ROWS]:
        first = next(iter(result.row.values()), None)
        cells: dict[str, str] = {}
        for item in result.inputs:
            if item.name.startswith("row.") and item.name not in cells:
                cells[item.name] = format_value(item.value)
        read = ", ".join(f"{k[4:]}={v}" for k, v in cells.items())
        name = f"{row_label(table, result.row)}: {label}" + (f" ({read})" if read else "")
        where = replace(first.provenance, key=None, cell=None) if first is not None else None
        shown.append(Input(name, result.value, where))
    return shown
