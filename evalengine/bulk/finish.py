"""The whole rubric per group on DuckDB: final values straight from the aggregates.

With ``--group-by`` over hundreds of groups, evaluating every group's result tree on
the Decimal engine costs more than the scan itself. Here the rubric above the table
indicators (value formulas, rounding, ``sum(children)``, ``25 * sum(children) / 9``)
is compiled once by the SQL back end (:class:`~evalengine.evaluate.sql.SqlCompiler`,
the same AST the interpreter evaluates) over the per-group aggregates DuckDB kept,
and one small query returns every group's node values. Python only checks them and
classifies them into their bands (:class:`LightGroup`); a group's result tree is built
when a report reads it.

Exactness is kept the engine's way: quotients stay exact fractions until the
rubric rounds them (half-up on integers), and a group whose figures could read
differently on the engine is handed to the engine instead: anything with a warning or
an error (dropped rows, blank cells, no rows), a value exactly at (or within 10⁻²⁰ of)
a rounding tie, within two rounding units of a band edge, or above its maximum. A
rubric the compiler cannot express (stages, other indicator types, functions without
a SQL form, unrounded quotients) is evaluated on the engine throughout, as before.
Light results carry every node's value, maximum and band; derivations are left to
the overall result (and to ``explain``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from ..errors import EvalEngineError
from ..formula import ast
from ..rubric.model import Formula, Indicator
from .compute import BULK_TYPES


class Unsupported(Exception):
    """The rubric (or a node) has no light SQL form: the engine evaluates the groups."""


#: References whose value is the same in every group (evaluated once, inlined).
_CONSTANT_SELF = {"weight", "code", "title", "id", "max", "scale_max", "scale_min"}
#: Node kinds an unrounded value may be built from and keep the engine's exponent.
_EXPONENT_SAFE = {"ref", "number", "unary", "binary", "call"}
_EXPONENT_SAFE_OPS = {"add", "sub", "mul"}


@dataclass
class _Node:
    ind: Indicator
    sql: str | None  # the final (rounded) value, plain DECIMAL; None: from a fact
    fact: str | None = None  # the final value is this Precomputed fact
    unrounded: tuple[str, str] | None = None  # (numerator, denominator) SQL
    places: int | None = None
    max: Decimal | None = None
    #: The maximum as an exact fraction, when a value above it must go to the engine.
    max_ratio: tuple[int, int] | None = None
    level: int = 0
    table: str | None = None  # the band table that classifies the value
    edges: list[tuple[int, int, int, int]] = field(default_factory=list)  # see _edges


@dataclass
class FinishPlan:
    """The compiled rubric: one SQL expression per node over the aggregate columns."""

    engine: Any
    nodes: list[_Node]
    columns: list[str] = field(default_factory=list)  # SELECT list over the aggregates

    levels: dict[int, list[str]] = field(default_factory=dict)  # level → its SELECT items
    #: Node positions in the rubric tree's order (parents before children, the root first).
    walk: list[int] = field(default_factory=list)

    @cached_property
    def checks(self) -> list[tuple[_Node, int, Any, int | None]]:
        """Per node, what :func:`light_result` needs to check its value: the node, the
        position of its three columns in a row, its band table (or None) and the unit
        of its last place kept as an integer scale (``10**places``, or None)."""
        bands = self.engine.rubric.bands
        return [
            (
                node,
                3 * i,
                bands[node.table] if node.table is not None else None,
                10**node.places if node.places is not None else None,
            )
            for i, node in enumerate(self.nodes)
        ]

    @cached_property
    def half(self) -> bool:
        """True when the rubric rounds half-up or half-even (ties are what to avoid)."""
        return self.engine.rubric.rounding.mode in _HALF_MODES

    def query(self, store: str) -> str:
        """Level by level (leaves first), then every node's three columns in node order."""
        source = store
        for level in sorted(self.levels):
            source = f"(SELECT *, {', '.join(self.levels[level])} FROM {source}) l{level}"
        return f"SELECT __g, {', '.join(self.columns)} FROM {source}"


def _listvalue(items):
    from ..evaluate.sql import SqlValue

    value = SqlValue("list", "")
    object.__setattr__(value, "items", list(items))
    return value


def _compiler_class():
    from ..evaluate.sql import SqlCompiler

    class GroupCompiler(SqlCompiler):
        """Compiles a value formula of the upper rubric over per-group SQL values."""

        def __init__(self, formula, facts, values, ind, env, functions, context):
            super().__init__(formula, {}, env, functions, context)
            self.facts = facts  # self.<name> → SqlValue
            self.values = values  # indicator id → SqlValue (its final value)
            self.ind = ind

        def varying(self, node: ast.Ref) -> bool:
            head, rest = node.path[0], node.path[1:]
            if head == "self":
                return bool(rest) and rest[0] in self.facts
            if head == "children":
                return not rest or rest[0] == "value"
            return head in self.values and (not rest or rest[0] == "value")

        def is_constant(self, node: ast.Expr) -> bool:
            return not any(isinstance(n, ast.Ref) and self.varying(n) for n in node.walk())

        def _bound(self, node: ast.Expr):
            """References bounded by their values' own bounds (an NRR by its scale, an
            indicator by its formula's); ``sum``/``mean``/``min``/``max`` of ``children``
            by their children's."""
            if isinstance(node, ast.Ref) and self.varying(node):
                head, rest = node.path[0], node.path[1:]
                if head == "self":
                    return self.facts[rest[0]].bound
                return None if head == "children" else self.values[head].bound
            spread = isinstance(node, ast.Call) and node.name in ("sum", "mean", "min", "max")
            if spread and any(_children(a, self) for a in node.args):
                bounds = []
                for a in node.args:
                    if _children(a, self):
                        bounds += [self.values[c.id].bound for c in self.ind.children]
                    else:
                        bounds.append(self.bound(a))
                if not bounds or None in bounds:
                    return None
                return sum(bounds, Decimal(0)) if node.name == "sum" else max(bounds)
            return super()._bound(node)

        def ref_sql(self, node: ast.Ref):
            head, rest = node.path[0], node.path[1:]
            if head == "self":
                return self.facts[rest[0]]
            if head == "children":
                return _listvalue(self.values[c.id] for c in self.ind.children)
            return self.values[head]

        def args(self, node, low, high):
            """The arguments, a list (``children``) spread into its items."""
            out = []
            for value in super().args(node, low, high):
                if value.kind == "list":
                    out.extend(value.items)
                else:
                    out.append(value)
            if not out:
                msg = "an empty list"
                raise Unsupported(msg)
            return out

        def numbers(self, node, values):
            for value in values:
                self.need(value, "number", node)
            return values

        def fn_mean_sql(self, node):
            values = self.numbers(node, self.args(node, 1, None))
            total = values[0]
            for v in values[1:]:
                total = self.additive(node, total, v, "+")
            count = self.literal(Decimal(len(values)), node)
            divisor = ast.Number(Decimal(len(values)), span=node.span)
            return self.divide(ast.Binary("div", node, divisor, span=node.span), total, count)

        def _extreme(self, node, fn):
            from ..evaluate.sql import SqlValue

            values = self.numbers(node, self.args(node, 1, None))
            for v in values:
                self.plain(v, node)
            scale = max(v.scale for v in values)
            return SqlValue(
                "number", f"{fn}(" + ", ".join(self.cast(v, scale) for v in values) + ")", scale
            )

    return GroupCompiler


def _children(node: ast.Expr, compiler) -> bool:
    """``node`` is ``children`` (or ``children.value``): the list of the children's values."""
    return isinstance(node, ast.Ref) and node.path[0] == "children" and compiler.varying(node)


def _check_refs(formula: Formula, ind: Indicator, engine, facts: set[str], ids: set[str]) -> None:
    """Refuse references whose value could differ per group without a SQL form."""
    static = engine.static_max
    for node in formula.tree.walk():
        if not isinstance(node, ast.Ref):
            continue
        head, rest = node.path[0], node.path[1:]
        name = rest[0] if rest else "value"
        if head == "self" and rest and (rest[0] in facts or rest[0] in _CONSTANT_SELF):
            if rest[0] == "max" and ind.id not in static:
                msg = "self.max"
                raise Unsupported(msg)
            continue
        if head == "children" and name in ("value", "max", "weight"):
            if name == "max" and not all(c.id in static for c in ind.children):
                msg = "children.max"
                raise Unsupported(msg)
            continue
        if head in ("params", "evidence"):
            continue
        if head in ids and name in ("value", "max", "weight"):
            if name == "max" and head not in static:
                msg = f"{head}.max"
                raise Unsupported(msg)
            continue
        raise Unsupported(node.dotted)


def _reads_missing_max(formula: Formula, ind: Indicator, no_max: set[str]) -> bool:
    """True when a (default) maximum reads the maximum of a node that has none."""
    for node in formula.tree.walk():
        if not isinstance(node, ast.Ref) or node.path[-1] != "max" or len(node.path) != 2:
            continue
        head = node.path[0]
        if head == "children" and any(c.id in no_max for c in ind.children):
            return True
        if head in no_max:
            return True
    return False


def _exponent_safe(formula: Formula) -> bool:
    """True when an unrounded result keeps the engine's Decimal exponent (+ − × and sums)."""
    for node in formula.tree.walk():
        if node.kind not in _EXPONENT_SAFE:
            return False
        if isinstance(node, ast.Binary) and node.op not in _EXPONENT_SAFE_OPS:
            return False
        if isinstance(node, ast.Call) and node.name != "sum":
            return False
        if isinstance(node, ast.Unary) and node.op != "neg":
            return False
    return True


def build_plan(engine, evidence, facts_sql: dict[str, dict[str, Any]], overall_run) -> FinishPlan:
    """Compile every node of the rubric over the per-group fact SQL (or raise Unsupported).

    ``facts_sql`` maps each table indicator's id to its facts as SQL values over the
    stored aggregates; ``overall_run`` is a finished engine stage run (for the constants:
    weights, static maxima, params).
    """
    from ..evaluate.engine import IndicatorContext
    from ..evaluate.sql import SqlCompileError, SqlValue

    rubric = engine.rubric
    if rubric.stages:
        msg = "stages"
        raise Unsupported(msg)
    types = engine.plugins.indicator_types
    GroupCompiler = _compiler_class()
    values: dict[str, SqlValue] = {}
    nodes: list[_Node] = []
    ids = {ind.id for ind in engine.order}
    mode = rubric.rounding.mode
    no_max: set[str] = set()
    levels: dict[str, int] = {}
    dens: dict[tuple[str, int], str] = {}
    for ind in engine.order:
        if ind.type in BULK_TYPES:
            if ind.id not in facts_sql:
                msg = f"{ind.id} has no table facts"
                raise Unsupported(msg)
            facts = facts_sql[ind.id]
        elif ind.type == "group" and ind.children:
            facts = {}
        else:
            msg = f"type {ind.type}"
            raise Unsupported(msg)
        itype = types.get(ind.type)()
        formula = ind.value or engine.parsed_default(itype.default_value(ind, rubric) or "", ind)
        if not formula.text:
            msg = "no value formula"
            raise Unsupported(msg)
        max_formula = ind.max or (
            engine.parsed_default(t, ind) if (t := itype.default_max(ind, rubric)) else None
        )
        if (
            max_formula is not None
            and ind.max is None
            and _reads_missing_max(max_formula, ind, no_max)
        ):
            max_formula = None  # the engine finds no value there and gives no maximum
        if max_formula is None:
            no_max.add(ind.id)
        if max_formula is not None and ind.id not in engine.static_max:
            msg = f"{ind.id}: a maximum that varies"
            raise Unsupported(msg)
        max_value = engine.static_max[ind.id][0] if max_formula is not None else None
        _check_refs(formula, ind, engine, set(facts), ids)
        ctx = IndicatorContext(overall_run, ind)
        ctx.facts = {
            "weight": ind.weight,
            "code": ind.code,
            "title": ind.title,
            "id": ind.id,
            "max": max_value,
        }
        compiler = GroupCompiler(formula, facts, values, ind, ctx, engine.functions, ctx)
        try:
            raw = compiler.compile()
            compiler.need(raw, "number", formula.tree)
            places = engine.rounding_places(ind)
            node = _Node(ind, None, places=places, max=max_value)
            if ind.type in BULK_TYPES and max_value is not None:
                node.max_ratio = max_value.as_integer_ratio()
            node.table = engine.band_table_name(ind)
            if node.table is not None:
                node.edges = _edges(rubric.bands[node.table], places)
            frac = compiler.as_fraction(raw)
            node.unrounded = (frac.sql, frac.den or "1")
            if places is not None:
                final = (
                    compiler.round_fraction(formula.tree, raw, places, mode)
                    if raw.is_fraction
                    else compiler.round_decimal(raw, places, mode)
                )
            elif raw.is_fraction:
                tree = formula.tree
                if not (
                    isinstance(tree, ast.Ref)
                    and tree.path[0] == "self"
                    and len(tree.path) == 2
                    and tree.path[1] in facts
                ):
                    msg = f"{ind.id}: an unrounded quotient"
                    raise Unsupported(msg)
                node.fact = tree.path[1]  # the engine's value is that fact, as computed
                final = raw
            else:
                if not _exponent_safe(formula):
                    msg = f"{ind.id}: an unrounded value of {formula.text}"
                    raise Unsupported(msg)
                final = raw
        except (SqlCompileError, EvalEngineError, KeyError) as exc:
            raise Unsupported(str(exc)) from None
        i = len(nodes)
        if node.fact is None:
            node.sql = final.sql
        # a parent reads this node's value by column name from the level below (DuckDB
        # plans small expressions quickly; inlined, a root repeats its whole subtree)
        node.level = 1 + max((levels[r] for r in _reads(formula, ind) if r in levels), default=-1)
        levels[ind.id] = node.level
        bound = compiler.bound(formula.tree)  # rounding moves it by one unit at most
        bound = bound + 1 if bound is not None and places is not None else bound
        if final.is_fraction:
            den = dens.setdefault((final.den, final.den_scale), f"__d{i}")  # one n, one name
            values[ind.id] = SqlValue(
                "number", f"__n{i}", final.scale, den, final.den_scale, bound=bound
            )
        else:
            values[ind.id] = SqlValue("number", f"__f{i}", final.scale, bound=bound)
        nodes.append(node)
    plan = FinishPlan(engine, nodes)
    position = {node.ind.id: i for i, node in enumerate(nodes)}
    plan.walk = [position[ind.id] for ind in rubric.root.walk()]
    for i, node in enumerate(nodes):
        num, den = node.unrounded
        plan.levels.setdefault(node.level, []).extend(
            [f"{node.sql or 'NULL'} AS __f{i}", f"{num} AS __n{i}", f"{den} AS __d{i}"]
        )
        plan.columns += [f"__f{i}", f"__n{i}", f"__d{i}"]
    return plan


def _reads(formula: Formula, ind: Indicator) -> set[str]:
    """Ids of the nodes whose values ``formula`` reads (its children, other indicators)."""
    out: set[str] = set()
    for node in formula.tree.walk():
        if isinstance(node, ast.Ref):
            if node.path[0] == "children":
                out.update(c.id for c in ind.children)
            else:
                out.add(node.path[0])
    return out


#: A quotient within 10⁻²⁰ of a rounding tie or step (in units of the last place kept),
#: or of a band edge when nothing is rounded, goes to the engine: its 40-digit Decimals
#: could round or classify it either way.
_MARGIN = 10**20
_HALF_MODES = ("half_up", "half_even")


def _near_tie(p: int, q: int, scale: int, half: bool) -> bool:
    """True when rounding ``p / q`` to the unit ``1 / scale`` (``scale = 10**places``)
    could differ on 40-digit Decimals.

    That is within 10⁻²⁰ of a tie for the half modes (the exact tie itself included:
    the engine may hold it as …4999 or …5001 after a division), and within 10⁻²⁰ of a
    rounding step (above or below) for the others. ``r / q`` is the fraction of a unit
    of the last place kept.
    """
    r = (p * scale) % q
    if half:
        return abs(2 * r - q) * _MARGIN < 2 * q
    return r * _MARGIN < q or (q - r) * _MARGIN < q


def _edges(table, places: int | None) -> list[tuple[int, int, int, int]]:
    """The ends of every band of ``table``, each as (lo_p, lo_q, hi_p, hi_q): the window
    of two rounding units (10⁻²⁰ unrounded) on either side, as exact fractions."""
    unit = Decimal(2).scaleb(-places) if places is not None else Decimal("1E-20")
    ends = {e for b in table.bands for e in (b.interval.lo, b.interval.hi) if e is not None}
    return [
        (*(end - unit).as_integer_ratio(), *(end + unit).as_integer_ratio()) for end in sorted(ends)
    ]


def _near_edge(p: int, q: int, edges: list[tuple[int, int, int, int]]) -> bool:
    """True when ``p / q`` is within two rounding units of any end of any band."""
    return any(lo_p * q <= p * lo_q and p * hi_q <= hi_p * q for lo_p, lo_q, hi_p, hi_q in edges)


@dataclass
class LightGroup:
    """A group's final values as the finish query gave them, checked (see
    :func:`light_result`); its result tree is built only when something reads it.

    A ranking and the JSON report need the values alone: building 20,000 trees of
    :class:`~evalengine.evaluate.result.NodeResult` for them took a second.
    """

    plan: FinishPlan
    evidence: Any
    pre: dict[str, Any]
    values: list[Decimal]  # one a node, in the plan's order
    bands: list[Any]  # the band of each node classified by one (else None)

    @property
    def value(self) -> Decimal:
        """The headline (the root's value)."""
        return self.values[self.plan.walk[0]]

    @property
    def root(self) -> _Node:
        return self.plan.nodes[self.plan.walk[0]]

    @property
    def band(self):
        return self.bands[self.plan.walk[0]]

    def by_id(self) -> dict[str, Decimal]:
        """Every node's value by indicator id, parents before children (as ``walk``)."""
        return {self.plan.nodes[i].ind.id: self.values[i] for i in self.plan.walk}

    def build(self):
        """The group's :class:`~evalengine.evaluate.result.ScoreResult` (no derivations)."""
        from ..evaluate.result import NodeResult, ScoreResult

        engine = self.plan.engine
        rubric = engine.rubric
        pre = self.pre
        results: dict[str, NodeResult] = {}
        for node, value, band in zip(self.plan.nodes, self.values, self.bands, strict=True):
            ind = node.ind
            results[ind.id] = NodeResult(
                id=ind.id,
                title=ind.title,
                type=ind.type,
                code=ind.code,
                value=value,
                max=node.max,
                weight=ind.weight,
                band=band,
                band_table=node.table,
                extra=dict(pre[ind.id].extra) if ind.id in pre else {},
            )
        for ind in engine.order:
            results[ind.id].children = [results[c.id] for c in ind.children]
        root = results[rubric.root.id]
        return ScoreResult(rubric, self.evidence, root, (), diagnostics=list(rubric.diagnostics))


def light_result(
    plan: FinishPlan, evidence, pre: dict[str, Any], row: tuple | None
) -> LightGroup | None:
    """A group's result from its row of final values, or None when the engine must decide.

    The checks compare exact fractions of integers: a node's numerator and denominator
    (Decimals, from the row) become ``p / q`` with ``q > 0``.
    """
    if row is None:
        return None
    for p in pre.values():
        if p.error is not None or p.warnings:
            return None
    half = plan.half
    values: list[Decimal] = []
    bands: list[Any] = []
    for node, at, table, scale in plan.checks:
        value = row[at] if node.fact is None else pre[node.ind.id].facts.get(node.fact)
        if not isinstance(value, Decimal):
            return None
        band = None
        if scale is not None or node.max_ratio is not None or table is not None:
            num, den = row[at + 1], row[at + 2]
            if num is None or den is None or den == 0:
                return None
            a, b = num.as_integer_ratio()
            c, d = den.as_integer_ratio()
            p, q = a * d, b * c
            if q < 0:
                p, q = -p, -q
            if scale is not None and _near_tie(p, q, scale, half):
                return None
            if node.max_ratio is not None and p * node.max_ratio[1] > node.max_ratio[0] * q:
                return None
            if table is not None:
                band = table.classify(value)
                if band is None or _near_edge(p, q, node.edges):
                    return None
        values.append(value)
        bands.append(band)
    return LightGroup(plan, evidence, pre, values, bands)


__all__ = ["FinishPlan", "LightGroup", "Unsupported", "build_plan", "light_result"]
