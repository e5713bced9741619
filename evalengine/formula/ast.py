"""The formula AST: frozen dataclass nodes with source spans.

This tree is the one thing every back end reads: the Decimal interpreter
(:mod:`evalengine.evaluate.interpreter`) and the SQL compiler for big tables
(:mod:`evalengine.evaluate.sql`). Nodes compare by structure, not by position,
so ``parse(unparse(tree)) == tree`` holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Span:
    """1-based position of a node inside its formula text."""

    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 1


NO_SPAN = Span()


@dataclass(frozen=True)
class Expr:
    """Base class of every node. ``span`` is excluded from equality and hashing."""

    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)

    @property
    def kind(self) -> str:
        """The node kind used for dispatch (``eval_<kind>``, ``<kind>_sql``)."""
        return type(self).__name__.lower()

    def children(self) -> tuple[Expr, ...]:
        """Direct sub-expressions, for generic walks."""
        return ()

    def walk(self):
        """Yield this node and every descendant, depth first."""
        yield self
        for child in self.children():
            yield from child.walk()


@dataclass(frozen=True)
class Number(Expr):
    """A decimal literal: ``2.5``."""

    value: Decimal


@dataclass(frozen=True)
class String(Expr):
    """A string literal: ``"akip"``."""

    value: str


@dataclass(frozen=True)
class Bool(Expr):
    """``true`` or ``false``."""

    value: bool


@dataclass(frozen=True)
class Ref(Expr):
    """A dotted reference: ``children``, ``self.weight``, ``evidence.anggaran.pagu``."""

    path: tuple[str, ...]

    @property
    def dotted(self) -> str:
        """The reference as written: ``self.weight``."""
        return ".".join(self.path)


@dataclass(frozen=True)
class Attr(Expr):
    """Attribute of a computed value: ``band(x, "akip").label``."""

    obj: Expr
    name: str

    def children(self) -> tuple[Expr, ...]:
        return (self.obj,)


@dataclass(frozen=True)
class Call(Expr):
    """A function call: ``round(x, 2)``."""

    name: str
    args: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.args


@dataclass(frozen=True)
class Unary(Expr):
    """``-x`` (op ``neg``) or ``not x`` (op ``not``)."""

    op: str
    operand: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class Binary(Expr):
    """A binary operation; ``op`` is the grammar alias: add, sub, mul, div, eq, …, and, or, in."""

    op: str
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class If(Expr):
    """``if cond then a else b``; only the chosen branch is evaluated."""

    cond: Expr
    then: Expr
    else_: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.cond, self.then, self.else_)


@dataclass(frozen=True)
class Interval(Expr):
    """A FEEL interval ``(lo..hi]``; a ``None`` end is unbounded."""

    lo: Expr | None
    hi: Expr | None
    lo_closed: bool
    hi_closed: bool

    def children(self) -> tuple[Expr, ...]:
        return tuple(e for e in (self.lo, self.hi) if e is not None)


#: Binary operators and their source text, for unparsing and messages.
BINARY_SYMBOLS = {
    "add": "+",
    "sub": "-",
    "mul": "*",
    "div": "/",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "le": "<=",
    "gt": ">",
    "ge": ">=",
    "in": "in",
    "and": "and",
    "or": "or",
}

#: Binding strength of each operator (higher binds tighter), mirroring grammar.lark.
PRECEDENCE = {
    "if": 0,
    "or": 1,
    "and": 2,
    "not": 3,
    "eq": 4,
    "ne": 4,
    "lt": 4,
    "le": 4,
    "gt": 4,
    "ge": 4,
    "in": 4,
    "add": 5,
    "sub": 5,
    "mul": 6,
    "div": 6,
    "neg": 7,
}


def to_sexpr(node: Expr) -> str:
    """A compact, position-free rendering for tests: ``(add 1 (mul 2 3))``."""
    match node:
        case Number(value=v):
            return str(v)
        case String(value=v):
            return repr(v)
        case Bool(value=v):
            return "true" if v else "false"
        case Ref():
            return node.dotted
        case Attr(obj=o, name=n):
            return f"(. {to_sexpr(o)} {n})"
        case Call(name=n, args=args):
            return "(" + " ".join([n, *(to_sexpr(a) for a in args)]) + ")"
        case Unary(op=op, operand=x):
            return f"({op} {to_sexpr(x)})"
        case Binary(op=op, left=a, right=b):
            return f"({op} {to_sexpr(a)} {to_sexpr(b)})"
        case If(cond=c, then=t, else_=e):
            return f"(if {to_sexpr(c)} {to_sexpr(t)} {to_sexpr(e)})"
        case Interval(lo=lo, hi=hi, lo_closed=lc, hi_closed=hc):
            lo_s = to_sexpr(lo) if lo is not None else ""
            hi_s = to_sexpr(hi) if hi is not None else ""
            return ("[" if lc else "(") + f"{lo_s}..{hi_s}" + ("]" if hc else ")")
    msg = f"unknown node {node!r}"
    raise TypeError(msg)
