"""Hypothesis strategies for the formula language, shared by property tests."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from evalengine.formula import ast
from evalengine.formula.parser import KEYWORDS

NAMES = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(lambda s: s not in KEYWORDS)


def numbers() -> st.SearchStrategy[ast.Number]:
    """Non-negative decimal literals with up to 4 places (negatives come from ``neg``)."""
    return st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False).map(
        lambda d: ast.Number(Decimal(d))
    )


def leaves() -> st.SearchStrategy[ast.Expr]:
    """Literals and references."""
    return st.one_of(
        numbers(),
        st.text(alphabet="abcxyz ", max_size=5).map(ast.String),
        st.booleans().map(ast.Bool),
        st.lists(NAMES, min_size=1, max_size=3).map(lambda p: ast.Ref(tuple(p))),
    )


def formula_asts() -> st.SearchStrategy[ast.Expr]:
    """Any formula AST the parser can produce (structure only; types may not fit)."""

    def extend(inner):
        ops = sorted(ast.BINARY_SYMBOLS)
        end = st.one_of(st.none(), inner)
        return st.one_of(
            st.tuples(st.sampled_from(ops), inner, inner).map(lambda t: ast.Binary(*t)),
            inner.map(lambda x: ast.Unary("not", x)),
            inner.filter(lambda x: not isinstance(x, ast.Number)).map(
                lambda x: ast.Unary("neg", x)
            ),
            st.tuples(inner, inner, inner).map(lambda t: ast.If(*t)),
            st.tuples(NAMES.filter(lambda n: n not in KEYWORDS), st.lists(inner, max_size=3)).map(
                lambda t: ast.Call(t[0], tuple(t[1]))
            ),
            st.tuples(end, end, st.booleans(), st.booleans()).map(
                lambda t: ast.Interval(
                    t[0], t[1], t[2] and t[0] is not None, t[3] and t[1] is not None
                )
            ),
            st.tuples(st.builds(ast.Call, NAMES, st.just(())), NAMES).map(
                lambda t: ast.Attr(t[0], t[1])
            ),
        )

    return st.recursive(leaves(), extend, max_leaves=12)
