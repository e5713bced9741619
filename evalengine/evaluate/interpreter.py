"""The Decimal interpreter: evaluates a formula AST top-down, recording what it read.

Evaluation is top-down so ``if``, ``and`` and ``or`` short-circuit. Every reference
resolved through the :class:`Environment` is recorded as an :class:`Input` (name,
value, provenance): that record is the derivation ``explain`` prints.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext
from typing import Any, Protocol

from ..errors import FormulaEvalError
from ..formula import ast
from ..numbers import CONTEXT, MAX_MAGNITUDE
from ..rubric.check import node_location
from ..rubric.model import Band, Formula, Interval

#: The arithmetic operators of the formula language on Decimals (in the caller's
#: context; a zero divisor is refused before, with a message).
ARITHMETIC: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
}

#: Most items a list value may hold (children, table columns in the document path).
MAX_LIST_ITEMS = 1_000_000


@dataclass(frozen=True)
class Record:
    """A value with named fields (a band, an indicator result): ``band(x, "k").label``."""

    kind: str
    fields: dict[str, Any]

    def __str__(self) -> str:
        return str(self.fields.get("label", self.kind))


@dataclass(frozen=True)
class Input:
    """One value a formula read: the reference as written, its value, where it came from."""

    name: str
    value: Any
    provenance: Any = None


class Environment(Protocol):
    """What a formula's names mean: resolves a dotted reference to (value, provenance)."""

    def resolve(self, path: tuple[str, ...]) -> tuple[Any, Any]:
        """Value and provenance of ``path``; raise KeyError(part) for an unknown part."""
        ...


def band_record(band: Band, table: str) -> Record:
    """A band as a formula value with label, meaning, lower, upper and table."""
    iv = band.interval
    return Record(
        "band",
        {
            "label": band.label,
            "meaning": band.meaning,
            "lower": iv.lo,
            "upper": iv.hi,
            "table": table,
        },
    )


def type_name(value: Any) -> str:
    """The formula-language name of a value's type, for messages."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Decimal):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, Interval):
        return "interval"
    if isinstance(value, Record):
        return value.kind
    if value is None:
        return "nothing"
    return type(value).__name__


@dataclass
class Interpreter:
    """Evaluates one formula in an environment with a table of functions."""

    formula: Formula
    env: Environment
    functions: dict[str, Any]
    context: Any = None  # passed to functions (rubric access for band/lookup)
    inputs: list[Input] = field(default_factory=list)

    def run(self) -> Any:
        """Evaluate the whole formula."""
        with localcontext(CONTEXT):
            return self.visit(self.formula.tree)

    def fail(self, node: ast.Expr, message: str, hint: str | None = None) -> FormulaEvalError:
        """An evaluation error located at ``node`` inside the formula's file."""
        return FormulaEvalError(message, location=node_location(self.formula, node), hint=hint)

    def visit(self, node: ast.Expr) -> Any:
        """Dispatch on the node kind to ``eval_<kind>``."""
        return getattr(self, f"eval_{node.kind}")(node)

    # atom: NUMBER | STRING | "true" | "false"
    def eval_number(self, node: ast.Number) -> Decimal:
        return node.value

    def eval_string(self, node: ast.String) -> str:
        return node.value

    def eval_bool(self, node: ast.Bool) -> bool:
        return node.value

    # atom: NAME, postfix: postfix "." NAME (on a chain of names)
    def eval_ref(self, node: ast.Ref) -> Any:
        try:
            value, provenance = self.env.resolve(node.path)
        except KeyError as exc:
            part = exc.args[0] if exc.args else node.dotted
            why = "" if getattr(exc, "exists", False) else f" ('{part}' is unknown)"
            raise self.fail(
                node, f"'{node.dotted}' has no value here{why}", getattr(exc, "hint", None)
            ) from None
        self.inputs.append(Input(node.dotted, value, provenance))
        return value

    # postfix: postfix "." NAME (on a computed value)
    def eval_attr(self, node: ast.Attr) -> Any:
        obj = self.visit(node.obj)
        if isinstance(obj, Record) and node.name in obj.fields:
            return obj.fields[node.name]
        fields = ", ".join(obj.fields) if isinstance(obj, Record) else "none"
        raise self.fail(node, f"a {type_name(obj)} has no field '{node.name}'", f"fields: {fields}")

    # postfix: NAME "(" [args] ")"
    def eval_call(self, node: ast.Call) -> Any:
        fn = self.functions.get(node.name)
        if fn is None:
            raise self.fail(node, f"unknown function '{node.name}'")
        args = [self.visit(a) for a in node.args]
        return fn.call(args, node, self)

    # unary: "-" unary | not_expr: "not" not_expr
    def eval_unary(self, node: ast.Unary) -> Any:
        value = self.visit(node.operand)
        if node.op == "not":
            return not self.boolean(value, node.operand)
        return -self.number(value, node.operand)

    # if_: "if" expr "then" expr "else" expr
    def eval_if(self, node: ast.If) -> Any:
        if self.boolean(self.visit(node.cond), node.cond):
            return self.visit(node.then)
        return self.visit(node.else_)

    # interval: "(" [expr] ".." [expr] "]" and its three siblings
    def eval_interval(self, node: ast.Interval) -> Interval:
        lo = None if node.lo is None else self.number(self.visit(node.lo), node.lo)
        hi = None if node.hi is None else self.number(self.visit(node.hi), node.hi)
        return Interval(
            lo, hi, node.lo_closed and lo is not None, node.hi_closed and hi is not None
        )

    def eval_binary(self, node: ast.Binary) -> Any:
        op = node.op
        if op == "and":
            return self.boolean(self.visit(node.left), node.left) and self.boolean(
                self.visit(node.right), node.right
            )
        if op == "or":
            return self.boolean(self.visit(node.left), node.left) or self.boolean(
                self.visit(node.right), node.right
            )
        left, right = self.visit(node.left), self.visit(node.right)
        if op == "in":
            if not isinstance(right, Interval):
                raise self.fail(
                    node.right,
                    f"'in' needs an interval on the right, got {type_name(right)}",
                    "write x in (80..90]",
                )
            return right.contains(self.number(left, node.left))
        if op in ("eq", "ne"):
            if isinstance(left, Record):
                left = str(left)
            if isinstance(right, Record):
                right = str(right)
            if type_name(left) != type_name(right):
                raise self.fail(node, f"cannot compare {type_name(left)} with {type_name(right)}")
            return (left == right) if op == "eq" else (left != right)
        if op in ("lt", "le", "gt", "ge"):
            a, b = self.number(left, node.left), self.number(right, node.right)
            return {"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]
        a, b = self.number(left, node.left), self.number(right, node.right)
        if op == "div" and b == 0:
            raise self.fail(
                node, "division by zero", "guard the divisor: if t == 0 then … else x / t"
            )
        try:
            result = ARITHMETIC[op](a, b)
        except (InvalidOperation, DivisionByZero):  # pragma: no cover - guarded above
            raise self.fail(node, "invalid arithmetic") from None
        return self.check_magnitude(result, node)

    # -- coercions ---------------------------------------------------------------
    def number(self, value: Any, node: ast.Expr) -> Decimal:
        """``value`` as a number, or an error that names the type found."""
        if isinstance(value, Decimal):
            return value
        if isinstance(value, Record) and isinstance(value.fields.get("value"), Decimal):
            return value.fields["value"]
        raise self.fail(
            node,
            f"expected a number, got {type_name(value)}"
            + (f" {value!r}" if isinstance(value, str) else ""),
        )

    def boolean(self, value: Any, node: ast.Expr) -> bool:
        """``value`` as a boolean; numbers are not silently truthy."""
        if isinstance(value, bool):
            return value
        raise self.fail(
            node,
            f"expected true or false, got {type_name(value)}",
            "compare explicitly, e.g. x > 0",
        )

    def check_magnitude(self, value: Decimal, node: ast.Expr) -> Decimal:
        """Reject results beyond :data:`MAX_MAGNITUDE` (almost surely a rubric mistake)."""
        if abs(value) > MAX_MAGNITUDE:
            raise self.fail(node, f"result {value:.3E} exceeds the limit {MAX_MAGNITUDE}")
        return value
