"""Properties of the formula language: unparse/parse round trip, and no crash on any input."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import formula_asts

from evalengine.errors import FormulaSyntaxError
from evalengine.formula import parse_formula, unparse


@given(formula_asts())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parse_unparse_round_trip(tree):
    assert parse_formula(unparse(tree)) == tree


#: Tokens of the language plus common mistakes; random sequences of them stress the parser
#: far more than random characters do (hypothesis.extra.lark.from_lark was too slow here).
TOKENS = [
    "1",
    "2.5",
    "x",
    "self.weight",
    '"AA"',
    "(",
    ")",
    "[",
    "]",
    "..",
    ",",
    "+",
    "-",
    "*",
    "/",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "and",
    "or",
    "not",
    "in",
    "if",
    "then",
    "else",
    "true",
    "false",
    "sum(",
    "round(",
    ".",
    "=",
    "0,5",
    "then",
    "band(",
]


@given(st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join))
@settings(max_examples=500, deadline=None)
def test_token_soup_parses_or_fails_cleanly(text):
    try:
        tree = parse_formula(text)
    except FormulaSyntaxError:
        return
    assert parse_formula(unparse(tree)) == tree


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_arbitrary_text_never_crashes(text):
    with contextlib.suppress(FormulaSyntaxError):
        parse_formula(text)
