"""A small static type pass over rubric formulas: catch ``number < "text"`` before scoring.

Types are coarse: ``number``, ``text``, ``bool``, ``list``, ``band`` (a band record),
``interval`` and ``any`` (unknown: evidence facts, lookups, plugin values). Only a
clash between two *known* types is reported, so the pass never flags a formula the
interpreter would accept; it exists to find mistakes at ``check`` time, with the
line and column of the offending sub-expression.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..errors import Diagnostic
from ..formula import ast
from .model import Formula, Indicator, Rubric

NUMBER, TEXT, BOOL, LIST, BAND, INTERVAL, ANY = (
    "number",
    "text",
    "bool",
    "list",
    "band",
    "interval",
    "any",
)

SELF_NUMBERS = {"weight", "max"}
SELF_TEXTS = {"title", "code", "id"}
#: Facts of the built-in score type; other types' facts of the same name may differ.
SCORE_NUMBERS = {"answer", "scale_max", "scale_min"}
SCORE_TEXTS = {"answer_label"}
FIELD_TYPES = {
    "value": None,  # the indicator's own type
    "max": NUMBER,
    "weight": NUMBER,
    "percent": NUMBER,
    "band": TEXT,
    "meaning": TEXT,
}
BAND_FIELDS = {"label": TEXT, "meaning": TEXT, "table": TEXT, "lower": NUMBER, "upper": NUMBER}
ARITHMETIC = {"add": "add", "sub": "subtract", "mul": "multiply", "div": "divide"}
ORDERING = {"lt", "le", "gt", "ge"}
NUMERIC_FUNCTIONS = {"round", "abs", "floor", "ceil"}
AGGREGATES = {"sum", "mean", "min", "max"}


def literal_type(value: Any) -> str:
    """The type of a TOML literal from ``[params]``."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | Decimal | float):
        return NUMBER
    if isinstance(value, str):
        from ..numbers import to_decimal

        try:
            to_decimal(value)
        except ValueError:
            return TEXT
        return ANY  # "0,111" is read as a number when a formula needs one
    if isinstance(value, list):
        return LIST
    return ANY


class TypeChecker:
    """Infers formula types indicator by indicator and notes clashes as diagnostics."""

    def __init__(self, rubric: Rubric, plugins) -> None:
        self.rubric = rubric
        self.plugins = plugins
        self.by_id = rubric.by_id()
        #: indicator id → the type of its value
        self.value_types: dict[str, str] = {}
        self.diagnostics: list[Diagnostic] = []
        self._formula: Formula | None = None
        self._indicator: Indicator | None = None
        self._default = False

    def run(self, order: list[Indicator]) -> list[Diagnostic]:
        """Check every formula, in evaluation order so indicator types are known when read."""
        for ind in order:
            self._indicator = ind
            vtype = NUMBER if ind.type in ("group", "score") else ANY
            for key in ("max", "value"):
                formula = getattr(ind, key)
                self._default = formula is None
                if formula is None and key == "value":
                    formula = self._default_formula(ind)
                if formula is None:
                    continue
                self._formula = formula
                inferred = self.infer(formula.tree)
                if key == "max" and inferred not in (NUMBER, ANY):
                    self.fail(formula.tree, f"`max` must be a number, but this is {inferred}")
                if key == "value":
                    vtype = inferred if ind.type == "formula" else vtype
            self.value_types[ind.id] = vtype
        return self.diagnostics

    def _default_formula(self, ind: Indicator) -> Formula | None:
        """The type's default value formula (``sum(children)`` for a group), if any."""
        from ..formula import parse_formula

        types = self.plugins.indicator_types
        if ind.type not in types:
            return None
        try:
            text = types.get(ind.type)().default_value(ind, self.rubric)
            return Formula(text, parse_formula(text), ind.location) if text else None
        except Exception:  # a plugin's default is its own business
            return None

    def fail(self, node: ast.Expr, message: str, hint: str | None = None) -> None:
        from .check import node_location

        assert self._formula is not None and self._indicator is not None
        if self._default:
            where = self._indicator.location
            message += f" (in the default value `{self._formula.text}`)"
        else:
            where = node_location(self._formula, node)
        self.diagnostics.append(Diagnostic("error", "type-mismatch", message, where, hint))

    # -- inference -------------------------------------------------------------
    def infer(self, node: ast.Expr) -> str:
        """The type of ``node``; reports clashes found below it."""
        method = getattr(self, f"_{node.kind}", None)
        return method(node) if method else ANY

    def _number(self, node: ast.Number) -> str:
        return NUMBER

    def _string(self, node: ast.String) -> str:
        return TEXT

    def _bool(self, node: ast.Bool) -> str:
        return BOOL

    def _interval(self, node: ast.Interval) -> str:
        for end in node.children():
            t = self.infer(end)
            if t not in (NUMBER, ANY):
                self.fail(end, f"an interval end must be a number, not {t}")
        return INTERVAL

    def _ref(self, node: ast.Ref) -> str:
        head, rest = node.path[0], node.path[1:]
        if head == "self":
            name = rest[0] if rest else ""
            is_score = self._indicator is not None and self._indicator.type == "score"
            if name in SELF_NUMBERS or (is_score and name in SCORE_NUMBERS):
                return NUMBER
            if name in SELF_TEXTS or (is_score and name in SCORE_TEXTS):
                return TEXT
            return ANY
        if head == "children":
            return LIST
        if head == "stage":
            return TEXT
        if head == "params" and rest:
            value: Any = self.rubric.params.get(rest[0])
            for part in rest[1:]:
                value = value.get(part) if isinstance(value, dict) else None
            return literal_type(value) if value is not None else ANY
        if head in self.by_id:
            field_name = rest[0] if rest else "value"
            if field_name == "value":
                return self.value_types.get(head, ANY)
            return FIELD_TYPES.get(field_name) or ANY
        return ANY

    def _numeric_children(self, name: str, node: ast.Ref) -> None:
        assert self._indicator is not None
        bad = [
            f"{c.id} ({t})"
            for c in self._indicator.children
            if (t := self.value_types.get(c.id, ANY)) not in (NUMBER, ANY)
        ]
        if bad:
            self.fail(
                node,
                f"{name}() over children that are not all numbers: {', '.join(bad)}",
                "move the non-numeric indicator out of this group, or use a value formula",
            )

    def _attr(self, node: ast.Attr) -> str:
        obj = self.infer(node.obj)
        if obj == BAND:
            return BAND_FIELDS.get(node.name, ANY)
        if obj in (NUMBER, TEXT, BOOL):
            self.fail(node, f"a {obj} has no field `.{node.name}`")
        return ANY

    def _unary(self, node: ast.Unary) -> str:
        t = self.infer(node.operand)
        if node.op == "neg":
            if t not in (NUMBER, ANY):
                self.fail(node, f"cannot negate {t}", "only numbers have a sign")
            return NUMBER
        return BOOL

    def _if(self, node: ast.If) -> str:
        self.infer(node.cond)
        then, else_ = self.infer(node.then), self.infer(node.else_)
        return then if then == else_ else ANY

    def _binary(self, node: ast.Binary) -> str:
        left, right = self.infer(node.left), self.infer(node.right)
        op = node.op
        known = ANY not in (left, right)
        if op in ARITHMETIC:
            if {left, right} - {NUMBER, ANY}:
                self.fail(
                    node,
                    f"cannot {ARITHMETIC[op]} {left} and {right}",
                    "arithmetic needs numbers; text that holds a number can go through number()",
                )
            return NUMBER
        if op in ORDERING or op in ("eq", "ne"):
            if known and left != right and {left, right} <= {NUMBER, TEXT, BOOL}:
                verb = "compare" if op in ORDERING else "test equality of"
                self.fail(
                    node,
                    f"cannot {verb} {left} with {right}",
                    "a number is never equal to text: write the number without quotes",
                )
            return BOOL
        if op == "in":
            if right == INTERVAL and left not in (NUMBER, ANY):
                self.fail(node, f"only a number can lie in an interval, not {left}")
            elif right in (NUMBER, TEXT, BOOL):
                self.fail(node.right, f"`in` needs an interval or a list, not {right}")
            return BOOL
        return BOOL

    def _call(self, node: ast.Call) -> str:
        args = [self.infer(a) for a in node.args]
        name = node.name
        if name in AGGREGATES:
            for arg, t in zip(node.args, args, strict=True):
                if t in (TEXT, BOOL, BAND, INTERVAL):
                    self.fail(arg, f"{name}() needs numbers or a list, not {t}")
                elif isinstance(arg, ast.Ref) and arg.path in (
                    ("children",),
                    ("children", "value"),
                ):
                    self._numeric_children(name, arg)
            return NUMBER
        if name == "count":
            if args and args[0] not in (LIST, ANY):
                self.fail(node.args[0], f"count() needs a list, not {args[0]}")
            return NUMBER
        if name in NUMERIC_FUNCTIONS:
            if args and args[0] not in (NUMBER, ANY):
                self.fail(node.args[0], f"{name}() needs a number, not {args[0]}")
            return NUMBER
        if name == "band":
            if args and args[0] not in (NUMBER, ANY):
                self.fail(
                    node.args[0],
                    f"band() classifies a number, not {args[0]}",
                    'usage: band(x, "table") with x a number',
                )
            if len(args) > 1 and args[1] not in (TEXT, ANY):
                self.fail(node.args[1], f"band() needs the table name as text, not {args[1]}")
            return BAND
        if name == "number":
            return NUMBER
        return ANY


def check_types(rubric: Rubric, order: list[Indicator], plugins) -> list[Diagnostic]:
    """Type clashes in every formula of ``rubric``."""
    return TypeChecker(rubric, plugins).run(order)
