"""AST → canonical formula text, with optional substitution of values for references.

Used by ``explain`` (show ``2.5 × 4``), by ``diff`` (compare formulas), and by the
round-trip property test ``parse(unparse(tree)) == tree``.
"""

from __future__ import annotations

from collections.abc import Callable

from . import ast

Substitute = Callable[[ast.Expr], str | None]


def unparse(node: ast.Expr, substitute: Substitute | None = None) -> str:
    """Render ``node`` as formula text with the fewest parentheses that keep its meaning.

    Args:
        node: the expression.
        substitute: optional callback; when it returns a string for a node, that text
            is printed instead of the node (``explain`` puts values in place of names).
    """
    return _Unparser(substitute).render(node, 0)


class _Unparser:
    def __init__(self, substitute: Substitute | None) -> None:
        self.substitute = substitute

    def render(self, node: ast.Expr, parent_prec: int, *, right: bool = False) -> str:
        if self.substitute is not None:
            text = self.substitute(node)
            if text is not None:
                return text
        prec = self.precedence(node)
        text = getattr(self, f"r_{node.kind}")(node)
        # Left-associative operators need parentheses on an equal-precedence right operand.
        if prec < parent_prec or (right and prec == parent_prec and prec < 99):
            return f"({text})"
        return text

    @staticmethod
    def precedence(node: ast.Expr) -> int:
        if isinstance(node, ast.Binary):
            return ast.PRECEDENCE[node.op]
        if isinstance(node, ast.Unary):
            return ast.PRECEDENCE[node.op]
        if isinstance(node, ast.If):
            return ast.PRECEDENCE["if"]
        return 99

    def r_number(self, node: ast.Number) -> str:
        return f"{node.value:f}"

    def r_string(self, node: ast.String) -> str:
        quote = "'" if '"' in node.value else '"'
        return f"{quote}{node.value}{quote}"

    def r_bool(self, node: ast.Bool) -> str:
        return "true" if node.value else "false"

    def r_ref(self, node: ast.Ref) -> str:
        return node.dotted

    def r_attr(self, node: ast.Attr) -> str:
        return f"{self.render(node.obj, 98)}.{node.name}"

    def r_call(self, node: ast.Call) -> str:
        return f"{node.name}({', '.join(self.render(a, 0) for a in node.args)})"

    def r_unary(self, node: ast.Unary) -> str:
        prec = ast.PRECEDENCE[node.op]
        inner = self.render(node.operand, prec)
        return f"-{inner}" if node.op == "neg" else f"not {inner}"

    def r_binary(self, node: ast.Binary) -> str:
        prec = ast.PRECEDENCE[node.op]
        # Comparisons do not chain in the grammar, so both sides need a tighter level.
        left_prec = prec + 1 if prec == 4 else prec
        left = self.render(node.left, left_prec)
        right_text = self.render(node.right, prec + (1 if prec == 4 else 0), right=True)
        return f"{left} {ast.BINARY_SYMBOLS[node.op]} {right_text}"

    def r_if(self, node: ast.If) -> str:
        return (
            f"if {self.render(node.cond, 0)} then {self.render(node.then, 0)} "
            f"else {self.render(node.else_, 0)}"
        )

    def r_interval(self, node: ast.Interval) -> str:
        lo = self.render(node.lo, 0) if node.lo is not None else ""
        hi = self.render(node.hi, 0) if node.hi is not None else ""
        return ("[" if node.lo_closed else "(") + f"{lo}..{hi}" + ("]" if node.hi_closed else ")")
