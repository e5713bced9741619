"""The formula grammar: trees for good formulas, located messages for bad ones, limits."""

from __future__ import annotations

import pytest

from evalengine.errors import FormulaSyntaxError
from evalengine.formula import MAX_FORMULA_CHARS, MAX_NESTING, parse_formula, to_sexpr, unparse
from evalengine.formula.parser import ToAst, lark_parser

TREES = [
    ("1 + 2 * 3", "(add 1 (mul 2 3))"),
    ("(1 + 2) * 3", "(mul (add 1 2) 3)"),
    ("10 - 4 - 3", "(sub (sub 10 4) 3)"),
    ("8 / 4 / 2", "(div (div 8 4) 2)"),
    ("-x * 2", "(mul (neg x) 2)"),
    ("-2.5", "-2.5"),
    ("a - -b", "(sub a (neg b))"),
    ("a < b and c >= d", "(and (lt a b) (ge c d))"),
    ("not a or b", "(or (not a) b)"),
    ("a or b and c", "(or a (and b c))"),
    ("a == b", "(eq a b)"),
    ("a != 'x'", "(ne a 'x')"),
    ("x in (90..100]", "(in x (90..100])"),
    ("x in [76.61..88.30]", "(in x [76.61..88.30])"),
    ("x in [91..)", "(in x [91..))"),
    ("x in (..30]", "(in x (..30])"),
    ("if x > 90 then 'AA' else 'A'", "(if (gt x 90) 'AA' 'A')"),
    ("if a then b else if c then d else e", "(if a b (if c d e))"),
    ("sum(children)", "(sum children)"),
    ("round(mean(children), 2)", "(round (mean children) 2)"),
    ("count()", "(count)"),
    ("self.weight * self.answer", "(mul self.weight self.answer)"),
    ("evidence.anggaran.pagu", "evidence.anggaran.pagu"),
    ('band(x, "akip").label', "(. (band x 'akip') label)"),
    ("lookup('pendidikan', row.pendidikan)", "(lookup 'pendidikan' row.pendidikan)"),
    ("true and false", "(and true false)"),
    ("  1\n  + 2  ", "(add 1 2)"),
]


@pytest.mark.parametrize(("source", "expected"), TREES)
def test_formula_tree(source, expected):
    assert to_sexpr(parse_formula(source)) == expected


@pytest.mark.parametrize(("source", "_"), TREES)
def test_unparse_round_trip(source, _):
    tree = parse_formula(source)
    assert parse_formula(unparse(tree)) == tree


BAD = [
    ("sum(children", 1, 13, "missing closing ')'"),
    ("1 + 2)", 1, 6, "there is no '(' to close"),
    ("a = 1", 1, 3, "'=' is not an operator; compare with '=='"),
    ("1 +", 1, 4, "ends with an operator"),
    ("1 2", 1, 3, "operator is missing"),
    ("x * 0,111", 1, 6, "decimal comma"),
    ("x @ 2", 1, 3, "unexpected character '@'"),
    ("round(x; 2)", 1, 8, "';' is not used"),
    ("a <", 1, 4, "ends"),
    ("1 < 2 < 3", 1, 7, "unexpected"),
    ("if a then b", 1, 12, "ends"),
    ("a +\n  * 2", 2, 3, "unexpected"),
    ("", 1, 1, "empty formula"),
    ("90..100", 1, 3, "unexpected"),
]


@pytest.mark.parametrize(("source", "line", "column", "message"), BAD)
def test_syntax_error_position_and_message(source, line, column, message):
    with pytest.raises(FormulaSyntaxError) as info:
        parse_formula(source)
    text = info.value.message
    assert f"(formula line {line}, column {column})" in text
    assert message in text


def test_syntax_error_points_into_the_file(write):
    from evalengine.errors import Location

    origin = Location("r.toml", 7, 10, "indicators.a.value")
    with pytest.raises(FormulaSyntaxError) as info:
        parse_formula("sum(children))", origin=origin)
    loc = info.value.location
    assert (loc.path, loc.line, loc.column) == ("r.toml", 7, 10 + 13)


def test_keywords_are_not_names():
    for word in ("if", "then", "else", "and", "or", "not", "in"):
        with pytest.raises(FormulaSyntaxError):
            parse_formula(f"{word} + 1")


def test_grammar_builds_without_conflicts():
    lark_parser(strict=True)  # shift/reduce conflicts and terminal collisions raise


def test_every_alias_has_an_ast_builder():
    aliases = {rule.alias for rule in lark_parser().rules if rule.alias}
    missing = {a for a in aliases if not hasattr(ToAst, a)}
    assert not missing


def test_formula_length_limit():
    with pytest.raises(FormulaSyntaxError, match="limit is"):
        parse_formula("1+" * (MAX_FORMULA_CHARS // 2) + "1")


def test_nesting_limit_is_a_clean_error():
    deep = "(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1)
    with pytest.raises(FormulaSyntaxError, match="nests deeper"):
        parse_formula(deep)
    ok = "(" * (MAX_NESTING - 1) + "1" + ")" * (MAX_NESTING - 1)
    assert to_sexpr(parse_formula(ok)) == "1"


def test_deep_operator_chains_do_not_crash():
    # 10,000 nested unary minus signs: a clean error, never RecursionError.
    with pytest.raises(FormulaSyntaxError):
        parse_formula("-" * 10_000 + "1")


def test_number_size_limit():
    with pytest.raises(FormulaSyntaxError, match="too large"):
        parse_formula("1" * 40)
