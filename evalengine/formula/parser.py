"""Formula text → AST. Parses only; evaluates nothing.

``parse_formula`` enforces the size limits, runs the LALR parser built once from
``grammar.lark``, turns Lark's errors into :class:`FormulaSyntaxError` with a line,
column and a friendly message, and transforms the parse tree into our own AST.

The Lark half lives in :mod:`evalengine.formula.lalr` and is imported on the first
formula that is not in the memo: a rubric repeats the same few formulas many times
(``sum(children)``, the default formula of each indicator type), and a process that
loads a cached rubric (:mod:`evalengine.rubric.cache`) gets the trees of every formula
it needs with the rubric, so it never imports Lark at all. An AST depends on the text
alone (spans are relative to the formula; ``origin`` only places errors), and nodes
are frozen, so one tree can be shared by every formula with that text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..lazy import forward_to

if TYPE_CHECKING:
    from ..errors import Location
    from . import ast

#: Longest formula accepted, in characters.
MAX_FORMULA_CHARS = 10_000
#: Deepest nesting of parentheses, brackets and operators accepted.
MAX_NESTING = 64
#: Most digits a numeric literal may have.
MAX_NUMBER_DIGITS = 30

KEYWORDS = frozenset({"if", "then", "else", "and", "or", "not", "in", "true", "false"})

#: Most formula texts kept in the memo; it is emptied when full (long-running processes).
MEMO_SIZE = 4096

#: Formula text → its AST, for every text that parsed.
_memo: dict[str, ast.Expr] = {}
#: Texts parse_formula was asked for while :func:`recording` is active.
_recorders: list[set[str]] = []


def parse_formula(text: str, *, origin: Location | None = None) -> ast.Expr:
    """Parse ``text`` into an AST.

    Args:
        text: the formula.
        origin: where the formula's first character sits in its file (line and column
            of the first character inside the quotes); errors are reported there.

    Raises:
        FormulaSyntaxError: the formula does not parse or exceeds a limit.
    """
    if isinstance(text, str):
        for seen in _recorders:
            seen.add(text)
        tree = _memo.get(text)
        if tree is not None:
            return tree
    from .lalr import parse_uncached

    tree = parse_uncached(text, origin=origin)  # raises on a bad formula: never memoized
    if len(_memo) >= MEMO_SIZE:
        _memo.clear()
    _memo[text] = tree
    return tree


@contextmanager
def recording() -> Iterator[set[str]]:
    """Collect the texts of every formula parsed inside the ``with`` block."""
    seen: set[str] = set()
    _recorders.append(seen)
    try:
        yield seen
    finally:
        _recorders.remove(seen)


def parsed(texts: set[str]) -> dict[str, ast.Expr]:
    """The memoized trees of those of ``texts`` that parsed."""
    return {t: _memo[t] for t in texts if t in _memo}


def remember(trees: Mapping[str, ast.Expr]) -> None:
    """Add already-parsed trees (from a rubric cache entry) to the memo."""
    if len(_memo) + len(trees) > MEMO_SIZE:
        _memo.clear()
    _memo.update(trees)


def is_keyword(token: Any) -> bool:
    """True for reserved words, which can never be names."""
    return str(token) in KEYWORDS


#: Lark-side names (``lark_parser``, ``ToAst`` …) come from :mod:`.lalr` on first use.
__getattr__ = forward_to(__name__, "evalengine.formula.lalr")
