"""Attainable ranges: the lowest and highest value each indicator can take.

Interval arithmetic over the formula AST, bottom-up through the tree: a score
indicator spans weight × [scale min, scale max], a group sums its children, a formula
is evaluated on ranges. Anything the analysis cannot bound (evidence facts, lookups,
plugin types that compute outside formulas) yields ``None`` and the checks that need
a range skip that indicator: the analysis is sound where it answers, silent elsewhere.

``check`` uses it for three findings: a declared ``max`` the tree can exceed
(``max-exceeded``) or never reach (``max-unreachable``), and a band no attainable
value can fall in (``band-unreachable``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..errors import Diagnostic
from ..formula import ast, parse_formula
from ..numbers import MAX_MAGNITUDE, plain, round_to
from .model import Band, BandTable, Formula, Indicator, Rubric


@dataclass(frozen=True)
class Range:
    """A closed range ``[lo, hi]`` of numbers."""

    lo: Decimal
    hi: Decimal
    #: False when the range may be wider than what is attainable (``if`` branches joined).
    exact: bool = True

    @classmethod
    def point(cls, x: Decimal) -> Range:
        return cls(x, x)

    def __add__(self, other: Range) -> Range:
        return Range(self.lo + other.lo, self.hi + other.hi, self.exact and other.exact)

    def __sub__(self, other: Range) -> Range:
        return Range(self.lo - other.hi, self.hi - other.lo, self.exact and other.exact)

    def __mul__(self, other: Range) -> Range:
        products = [a * b for a in (self.lo, self.hi) for b in (other.lo, other.hi)]
        return Range(min(products), max(products), self.exact and other.exact)

    def divide(self, other: Range) -> Range | None:
        if other.lo <= 0 <= other.hi:
            return None
        quotients = [a / b for a in (self.lo, self.hi) for b in (other.lo, other.hi)]
        return Range(min(quotients), max(quotients), self.exact and other.exact)

    def union(self, other: Range) -> Range:
        return Range(min(self.lo, other.lo), max(self.hi, other.hi), exact=False)

    def __str__(self) -> str:
        return f"[{plain(self.lo)}..{plain(self.hi)}]"


Value = Range | list | None


class RangeAnalysis:
    """Computes :class:`Range` of value and max for every indicator it can bound."""

    def __init__(self, rubric: Rubric, plugins) -> None:
        self.rubric = rubric
        self.plugins = plugins
        self.values: dict[str, Range | None] = {}
        self.maxima: dict[str, Range | None] = {}
        self._ind: Indicator | None = None

    def run(self, order: list[Indicator]) -> RangeAnalysis:
        """Analyse every indicator, dependencies first."""
        types = self.plugins.indicator_types
        for ind in order:
            self._ind = ind
            itype = types.get(ind.type)() if ind.type in types else None
            max_tree = self._tree(ind.max, _default(itype, "default_max", ind, self.rubric))
            self.maxima[ind.id] = _as_range(self.visit(max_tree)) if max_tree else None
            value_tree = self._tree(ind.value, _default(itype, "default_value", ind, self.rubric))
            overrides = itype is not None and type(itype).evaluate is not _base_evaluate()
            if value_tree is None or (overrides and ind.value is None):
                self.values[ind.id] = None
                continue
            value = _as_range(self.visit(value_tree))
            if value is not None and ind.round is not None:
                value = Range(
                    round_to(value.lo, ind.round), round_to(value.hi, ind.round), value.exact
                )
            self.values[ind.id] = value
        return self

    @staticmethod
    def _tree(formula: Formula | None, default: str | None) -> ast.Expr | None:
        if formula is not None:
            return formula.tree
        if default:
            try:
                return parse_formula(default)
            except Exception:  # a plugin's default text is its own business
                return None
        return None

    # -- evaluation on ranges --------------------------------------------------
    def visit(self, node: ast.Expr) -> Value:
        """The range (or list of ranges) ``node`` can take; None when unknown."""
        match node:
            case ast.Number(value=v):
                return Range.point(v)
            case ast.Ref():
                return self._ref(node.path)
            case ast.Unary(op="neg", operand=x):
                r = _as_range(self.visit(x))
                return Range(-r.hi, -r.lo, r.exact) if r else None
            case ast.Binary(op=op, left=a, right=b) if op in ("add", "sub", "mul", "div"):
                ra, rb = _as_range(self.visit(a)), _as_range(self.visit(b))
                if ra is None or rb is None:
                    return None
                if op == "add":
                    return ra + rb
                if op == "sub":
                    return ra - rb
                if op == "mul":
                    return ra * rb
                return ra.divide(rb)
            case ast.If(then=t, else_=e):
                rt, re_ = _as_range(self.visit(t)), _as_range(self.visit(e))
                return rt.union(re_) if rt and re_ else None
            case ast.Call(name=name, args=args):
                return self._call(name, args)
        return None

    def _ref(self, path: tuple[str, ...]) -> Value:
        ind = self._ind
        assert ind is not None
        head, rest = path[0], path[1:]
        if head == "self":
            name = rest[0] if rest else ""
            scale = self.rubric.scales.get(ind.scale) if ind.scale else None
            if name == "weight" and ind.weight is not None:
                return Range.point(ind.weight)
            if name == "answer" and scale is not None:
                return Range(scale.min, scale.max)
            if name == "scale_max" and scale is not None:
                return Range.point(scale.max)
            if name == "scale_min" and scale is not None:
                return Range.point(scale.min)
            if name == "max":
                return self.maxima.get(ind.id)
            return None
        if head == "children":
            field_name = rest[0] if rest else "value"
            return [self._field(c, field_name) for c in ind.children]
        if head == "params" and len(rest) == 1:
            value = self.rubric.params.get(rest[0])
            if isinstance(value, int | Decimal) and not isinstance(value, bool):
                return Range.point(Decimal(value))
            return None
        by_id = self.rubric.by_id()
        if head in by_id and len(rest) <= 1:
            return self._field(by_id[head], rest[0] if rest else "value")
        return None

    def _field(self, ind: Indicator, name: str) -> Range | None:
        if name == "value":
            return self.values.get(ind.id)
        if name == "max":
            return self.maxima.get(ind.id)
        if name == "weight" and ind.weight is not None:
            return Range.point(ind.weight)
        return None

    def _call(self, name: str, args: tuple[ast.Expr, ...]) -> Value:
        values = [self.visit(a) for a in args]
        if name in ("sum", "mean", "min", "max"):
            items = values[0] if len(values) == 1 and isinstance(values[0], list) else values
            ranges = [_as_range(v) for v in items]
            if any(r is None for r in ranges):
                return None
            if not ranges:
                return Range.point(Decimal(0)) if name == "sum" else None
            if name == "sum":
                total = ranges[0]
                for r in ranges[1:]:
                    total = total + r
                return total
            exact = all(r.exact for r in ranges)
            if name == "mean":
                n = len(ranges)
                return Range(sum(r.lo for r in ranges) / n, sum(r.hi for r in ranges) / n, exact)
            if name == "min":
                return Range(min(r.lo for r in ranges), min(r.hi for r in ranges), exact)
            return Range(max(r.lo for r in ranges), max(r.hi for r in ranges), exact)
        if name == "count" and values and isinstance(values[0], list):
            return Range.point(Decimal(len(values[0])))
        if name == "round" and len(args) >= 2 and isinstance(args[1], ast.Number):
            r = _as_range(values[0])
            places = args[1].value
            if not (places == places.to_integral_value() and 0 <= places <= 20):
                return None  # round() refuses such places when it runs
            places = int(places)
            if r is None or not all(abs(end) <= MAX_MAGNITUDE for end in (r.lo, r.hi)):
                return None  # beyond any score: the interpreter reports it when it runs
            return Range(round_to(r.lo, places), round_to(r.hi, places), r.exact)
        if name == "abs":
            r = _as_range(values[0]) if values else None
            if r is None:
                return None
            if r.lo >= 0:
                return r
            return Range(Decimal(0) if r.hi >= 0 else -r.hi, max(-r.lo, r.hi), r.exact)
        return None


def _default(itype, method: str, ind: Indicator, rubric: Rubric) -> str | None:
    """A type's default formula text; a plugin that fails here is simply not analysed."""
    if itype is None:
        return None
    try:
        return getattr(itype, method)(ind, rubric)
    except Exception:
        return None


def _base_evaluate():
    from ..indicators.base import IndicatorType

    return IndicatorType.evaluate


def _as_range(value: Value) -> Range | None:
    return value if isinstance(value, Range) else None


def band_reachable(band: Band, attainable: Range) -> bool:
    """True when some value in ``attainable`` lies in ``band``."""
    iv = band.interval
    if iv.lo is not None and (
        iv.lo > attainable.hi or (iv.lo == attainable.hi and not iv.lo_closed)
    ):
        return False
    return not (
        iv.hi is not None
        and (iv.hi < attainable.lo or (iv.hi == attainable.lo and not iv.hi_closed))
    )


def range_problems(rubric: Rubric, order: list[Indicator], plugins) -> list[Diagnostic]:
    """Declared maxima that disagree with the tree, and bands out of reach."""
    analysis = RangeAnalysis(rubric, plugins).run(order)
    diags: list[Diagnostic] = []
    for ind in rubric.root.walk():
        attainable = analysis.values.get(ind.id)
        if attainable is None:
            continue
        if ind.max is not None:
            declared = analysis.maxima.get(ind.id)
            if declared is not None and declared.lo == declared.hi:
                where = ind.max.location
                if attainable.hi > declared.hi:
                    verb = "can" if attainable.exact else "may (through an `if`)"
                    diags.append(
                        Diagnostic(
                            "error" if attainable.exact else "warning",
                            "max-exceeded",
                            f"'{ind.id}' declares max {plain(declared.hi)}, but its value {verb} "
                            f"reach {plain(attainable.hi)} (attainable {attainable})",
                            where,
                            "correct `max`, or the weights and scales below it",
                        )
                    )
                elif attainable.hi < declared.hi:
                    diags.append(
                        Diagnostic(
                            "warning",
                            "max-unreachable",
                            f"'{ind.id}' declares max {plain(declared.hi)}, but its value "
                            f"cannot exceed {plain(attainable.hi)} (attainable {attainable})",
                            where,
                            "correct `max`, or the weights and scales below it",
                        )
                    )
        table_name = ind.band
        table: BandTable | None = rubric.bands.get(table_name) if table_name else None
        if table is None:
            continue
        diags.extend(_uncovered(ind, table, attainable))
        for band in table.ordered():
            if not band_reachable(band, attainable):
                diags.append(
                    Diagnostic(
                        "warning",
                        "band-unreachable",
                        f"band '{band.label}' {band.interval} of '{table.name}' cannot be "
                        f"reached: '{ind.id}' only takes values in {attainable}",
                        band.location,
                        "check the band range and the weights and scales that feed the value",
                    )
                )
    return diags


def _uncovered(ind: Indicator, table: BandTable, attainable: Range) -> list[Diagnostic]:
    """Attainable values below the lowest band or above the highest (they get no band)."""
    if not attainable.exact or not table.bands:
        return []
    ordered = table.ordered()
    low, high = ordered[0], max(ordered, key=lambda b: (b.interval.hi is None, b.interval.hi))
    out = []
    lo, hi = low.interval, high.interval
    below = lo.lo is not None and (
        attainable.lo < lo.lo or (attainable.lo == lo.lo and not lo.lo_closed)
    )
    above = hi.hi is not None and (
        attainable.hi > hi.hi or (attainable.hi == hi.hi and not hi.hi_closed)
    )
    for flag, band, side, edge in (
        (below, low, "below", lo.lo),
        (above, high, "above", hi.hi),
    ):
        if flag:
            out.append(
                Diagnostic(
                    "warning",
                    "band-uncovered",
                    f"'{ind.id}' can take values {side} {plain(edge)} (attainable {attainable}), "
                    f"which fall in no band of '{table.name}'",
                    band.location,
                    f"extend band '{band.label}' to cover them, or check the weights and scales",
                )
            )
    return out
