"""The Lark half of the formula parser: grammar → LALR parser, parse tree → AST.

:func:`evalengine.formula.parser.parse_formula` is the entry point; it imports this
module (and Lark) only when a formula is not in its memo, so a process that loads a
cached rubric never imports Lark. :func:`parse_uncached` enforces the size limits, runs
the LALR parser built once from ``grammar.lark``, turns Lark's errors into
:class:`FormulaSyntaxError` with a line, column and a friendly message, and transforms
the parse tree into our own AST.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from ..errors import FormulaSyntaxError, Location, shift
from ..numbers import MAX_MAGNITUDE
from . import ast
from .parser import KEYWORDS, MAX_FORMULA_CHARS, MAX_NESTING, MAX_NUMBER_DIGITS


@functools.cache
def lark_parser(*, strict: bool = False) -> Lark:
    """The formula parser, built once. ``strict=True`` fails on any grammar conflict."""
    return Lark.open_from_package(
        "evalengine.formula",
        "grammar.lark",
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
        strict=strict,
        # the LALR tables are cached in the temp folder (keyed by grammar and options):
        # building them costs ~0.5 s, loading them ~15 ms, which keeps start-up quick
        cache=True,
    )


def _span(meta) -> ast.Span:
    if getattr(meta, "empty", True):
        return ast.NO_SPAN
    return ast.Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _binary(op: str):
    def build(self, meta, children):
        left, right = children
        return ast.Binary(op, left, right, span=_span(meta))

    return build


@v_args(meta=True)
class ToAst(Transformer):
    """Parse tree → :mod:`evalengine.formula.ast`. One method per grammar alias."""

    def __default__(self, data, children, meta):
        msg = f"grammar rule {data!r} has no AST builder"
        raise NotImplementedError(msg)

    def number(self, meta, children):
        (tok,) = children
        digits = tok.replace(".", "")
        if len(digits) > MAX_NUMBER_DIGITS or Decimal(tok) > MAX_MAGNITUDE:
            msg = f"number {tok} is too large (at most {MAX_NUMBER_DIGITS} digits)"
            raise _LimitError(msg, tok.line, tok.column)
        return ast.Number(Decimal(str(tok)), span=_span(meta))

    def string(self, meta, children):
        (tok,) = children
        return ast.String(str(tok)[1:-1], span=_span(meta))

    def true(self, meta, children):
        return ast.Bool(True, span=_span(meta))

    def false(self, meta, children):
        return ast.Bool(False, span=_span(meta))

    def name(self, meta, children):
        (tok,) = children
        _reject_keyword(tok)
        return ast.Ref((str(tok),), span=_span(meta))

    def attr(self, meta, children):
        obj, name = children
        # A dotted chain of names is one reference (``self.weight``); an attribute of a
        # computed value (``band(x, "k").label``) stays an Attr node.
        if isinstance(obj, ast.Ref):
            return ast.Ref((*obj.path, str(name)), span=_span(meta))
        return ast.Attr(obj, str(name), span=_span(meta))

    def call(self, meta, children):
        name, args = children
        _reject_keyword(name)
        return ast.Call(str(name), tuple(args or ()), span=_span(meta))

    def args(self, meta, children):
        return list(children)

    def neg(self, meta, children):
        (x,) = children
        if isinstance(x, ast.Number):
            return ast.Number(-x.value, span=_span(meta))
        return ast.Unary("neg", x, span=_span(meta))

    def not_(self, meta, children):
        (x,) = children
        return ast.Unary("not", x, span=_span(meta))

    def if_(self, meta, children):
        cond, then, else_ = children
        return ast.If(cond, then, else_, span=_span(meta))

    def _interval(lo_closed: bool, hi_closed: bool):
        def build(self, meta, children):
            lo, hi = children
            return ast.Interval(lo, hi, lo_closed, hi_closed, span=_span(meta))

        return build

    interval_oo = _interval(False, False)
    interval_oc = _interval(False, True)
    interval_co = _interval(True, False)
    interval_cc = _interval(True, True)

    add, sub, mul, div = _binary("add"), _binary("sub"), _binary("mul"), _binary("div")
    eq, ne, lt, le = _binary("eq"), _binary("ne"), _binary("lt"), _binary("le")
    gt, ge, in_ = _binary("gt"), _binary("ge"), _binary("in")
    and_, or_ = _binary("and"), _binary("or")


def _reject_keyword(tok: Token) -> None:
    # The contextual lexer lets a keyword through as a NAME where no keyword fits.
    if str(tok) in KEYWORDS:
        msg = f"'{tok}' is a reserved word and cannot be used as a name"
        raise _LimitError(msg, tok.line, tok.column)


class _LimitError(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line, self.column = line, column


ENDS_WITH_OPERATOR = "the formula ends with an operator; a value must follow"

#: Common mistakes, matched by parser state (Lark ``match_examples``), with friendly text.
FRIENDLY_EXAMPLES: dict[str, list[str]] = {
    "missing closing ')'": ["sum(children", "(1 + 2", "round(x, 2"],
    "unexpected ')': there is no '(' to close": ["1 + 2)", "sum(children))"],
    ENDS_WITH_OPERATOR: ["1 +", "a *", "a and", "x >="],
    "two values in a row; an operator is missing between them": ["1 2", "a b", "(1) 2"],
}


def _nesting_depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]":
            depth = max(0, depth - 1)
    return deepest


def _tree_depth(tree: Tree) -> int:
    # Iterative, so a pathological tree cannot exhaust the Python stack here.
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((c, depth + 1) for c in node.children if isinstance(c, Tree))
    return deepest


#: Messages for characters the formula language does not use at all.
FRIENDLY_CHARACTERS = {
    "=": "'=' is not an operator; compare with '=='",
    ",": "a decimal comma is not allowed in a formula; write 2.5, not 2,5",
    ";": "';' is not used in formulas; separate function arguments with ','",
}


def _describe(exc: UnexpectedInput, text: str) -> tuple[str, str | None]:
    """A friendly message and a hint listing what the parser expected."""
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else "?"
        return FRIENDLY_CHARACTERS.get(char) or f"unexpected character {char!r}", None
    at_end = isinstance(exc, UnexpectedEOF) or exc.token.type == "$END"
    if not at_end and str(exc.token) == ",":
        pos = exc.token.start_pos
        if 0 < pos < len(text) - 1 and text[pos - 1].isdigit() and text[pos + 1].isdigit():
            return FRIENDLY_CHARACTERS[","], None
    label = exc.match_examples(lark_parser().parse, FRIENDLY_EXAMPLES, use_accepts=True)
    if label == ENDS_WITH_OPERATOR and not at_end:
        label = None
    if at_end and label is None:
        label = "the formula ends too early"
    found = repr(str(exc.token))
    expected = sorted(getattr(exc, "expected", None) or getattr(exc, "accepts", None) or [])
    hint = None
    if expected and label is None:
        hint = "expected " + ", ".join(_pretty_terminal(t) for t in expected[:8])
    return label or f"unexpected {found}", hint


def _position(exc: UnexpectedInput, text: str) -> tuple[int, int]:
    """1-based line and column of the error; the end of the text for an early end."""
    at_end = isinstance(exc, UnexpectedEOF) or (
        getattr(exc, "token", None) is not None and exc.token.type == "$END"
    )
    if at_end or exc.line < 1:
        lines = text.split("\n")
        return len(lines), len(lines[-1]) + 1
    return exc.line, exc.column


_TERMINAL_NAMES = {
    "NUMBER": "a number",
    "STRING": "a string",
    "NAME": "a name",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "STAR": "'*'",
    "SLASH": "'/'",
    "$END": "the end of the formula",
}


def _pretty_terminal(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    try:
        pattern = lark_parser().get_terminal(name).pattern
    except KeyError:
        return name
    return f"'{pattern.value}'" if pattern.type == "str" else name.lower()


def parse_uncached(text: str, *, origin: Location | None = None) -> ast.Expr:
    """:func:`~evalengine.formula.parser.parse_formula` without its memo (same arguments,
    same errors): what runs for a formula text not parsed before."""
    origin = origin or Location()

    def fail(message: str, line: int, column: int, hint: str | None = None):
        where = shift(origin, line=line - 1, column=column - 1) if origin.line else origin
        detail = "" if origin.line else f" (formula line {line}, column {column})"
        raise FormulaSyntaxError(message + detail, location=where, hint=hint)

    if not isinstance(text, str):
        msg = f"a formula must be a string, got {type(text).__name__}"
        raise FormulaSyntaxError(msg, location=origin)
    if len(text) > MAX_FORMULA_CHARS:
        fail(
            f"formula is {len(text)} characters long; the limit is {MAX_FORMULA_CHARS}",
            1,
            1,
            "split it into several indicators",
        )
    if not text.strip():
        fail("empty formula", 1, 1)
    if _nesting_depth(text) > MAX_NESTING:
        fail(f"formula nests deeper than {MAX_NESTING} levels", 1, 1, "simplify the formula")
    try:
        tree = lark_parser().parse(text)
    except UnexpectedInput as exc:
        message, hint = _describe(exc, text)
        fail(message, *_position(exc, text), hint)
    if _tree_depth(tree) > 4 * MAX_NESTING:
        fail(f"formula nests deeper than {MAX_NESTING} levels", 1, 1, "simplify the formula")
    try:
        return ToAst().transform(tree)
    except VisitError as exc:
        orig = exc.orig_exc
        if isinstance(orig, _LimitError):
            fail(str(orig), orig.line, orig.column)
        raise orig from None
