"""The formula language: text → AST (``parse_formula``) and AST → text (``unparse``)."""

from .ast import Expr, Span, to_sexpr
from .parser import MAX_FORMULA_CHARS, MAX_NESTING, parse_formula
from .unparse import unparse

__all__ = [
    "MAX_FORMULA_CHARS",
    "MAX_NESTING",
    "Expr",
    "Span",
    "parse_formula",
    "to_sexpr",
    "unparse",
]
