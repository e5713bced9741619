"""The SQL back end against the Decimal interpreter: exact ties, band edges, errors, agreement.

Every expected number here is computed by the interpreter (or by the regulation's
arithmetic written out), never copied from the SQL side.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from pathlib import Path

import duckdb
import pytest
from bulk_support import score_both
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalengine.bulk.source import connect, open_table
from evalengine.evaluate.engine import evidence_value
from evalengine.evaluate.interpreter import Interpreter
from evalengine.evaluate.sql import SqlCompileError, SqlCompiler
from evalengine.evidence.model import EvidenceValue, Provenance, Table
from evalengine.formula import ast, parse_formula
from evalengine.numbers import CONTEXT, round_to
from evalengine.plugins import default_plugins
from evalengine.rubric.load import load_rubric
from evalengine.rubric.model import Formula

DATA = Path(__file__).parent / "data" / "bulk"


@pytest.fixture(scope="module")
def rubric():
    return load_rubric(DATA / "ipasn-mini.toml", plugins=default_plugins())


class Ctx:
    """Environment and function context for both back ends: params only, no row."""

    def __init__(self, rubric):
        self.rubric = rubric

    def resolve(self, path):
        if path[0] == "params" and len(path) == 2 and path[1] in PARAMS:
            return PARAMS[path[1]], None
        raise KeyError(path[0])


PARAMS = {"bobot": Decimal("0.25"), "batas": Decimal("3")}


def functions():
    return {name: cls() for name, cls in default_plugins().functions.items()}


FUNCS = functions()


def make_table(columns: list[str], rows: list[list]) -> Table:
    out = []
    for i, r in enumerate(rows, start=2):
        out.append(
            {
                c: EvidenceValue(v, Provenance("t.csv", c, row=i))
                for c, v in zip(columns, r, strict=True)
            }
        )
    return Table("t", columns, out, Provenance("t.csv"))


class RowEnv:
    def __init__(self, ctx, row):
        self.ctx, self.row = ctx, row

    def resolve(self, path):
        if path[0] == "row":
            cell = self.row[path[1]]
            return evidence_value(cell), cell
        return self.ctx.resolve(path)


def interpret_rows(text_or_tree, table, rubric):
    """Per-row values by the interpreter (an exception instance for a failing row)."""
    tree = parse_formula(text_or_tree) if isinstance(text_or_tree, str) else text_or_tree
    formula = Formula("f", tree, rubric.root.location)
    ctx = Ctx(rubric)
    out = []
    for row in table.rows:
        try:
            out.append(Interpreter(formula, RowEnv(ctx, row), FUNCS, context=ctx).run())
        except Exception as exc:
            out.append(exc)
    return out


def sql_rows(text_or_tree, table, rubric):
    """Per-row values by DuckDB (raises the DuckDB error of the first failing row)."""
    tree = parse_formula(text_or_tree) if isinstance(text_or_tree, str) else text_or_tree
    formula = Formula("f", tree, rubric.root.location)
    con = connect()
    bt = open_table(con, table, "t")
    ctx = Ctx(rubric)
    compiler = SqlCompiler(formula, bt.columns, ctx, FUNCS, ctx)
    value = compiler.compile()
    if value.kind == "number":
        value = compiler.plain(value, tree)
    rows = con.execute(f"SELECT {value.sql} FROM {bt.relation}").fetchall()
    con.close()
    return [r[0] for r in rows]


# -- exact ties and band edges ------------------------------------------------------------
def test_mean_tie_535_over_200_rounds_half_up_like_decimal(rubric):
    # 535/200 = 2.675 exactly; DuckDB's avg gives the double 2.67499…, which rounds to 2.67
    values = [Decimal(3)] * 135 + [Decimal(2)] * 65  # 405 + 130 = 535
    table = make_table(["x"], [[str(v)] for v in values])
    con = connect()
    bt = open_table(con, table, "t")
    float_avg = con.execute(f"SELECT round(avg(x), 2) FROM {bt.relation}").fetchone()[0]
    total, n = con.execute(f"SELECT sum(x), count(*) FROM {bt.relation}").fetchone()
    con.close()
    with localcontext(CONTEXT):
        exact = round_to(Decimal(total) / n, 2)
    assert sum(values) == 535 and len(values) == 200
    assert exact == round_to(Decimal(535) / 200, 2) == Decimal("2.68")
    assert float_avg != exact  # the floating-point trap the compiler avoids
    assert bt.columns["x"].kind == "number"


def test_round_of_quotient_on_exact_tie(rubric):
    # row.a / row.b = 2.675 and -2.675 exactly: half-up goes away from zero
    table = make_table(["a", "b"], [["535", "200"], ["-535", "200"], ["1", "3"], ["2", "3"]])
    formula = "round(row.a / row.b, 2)"
    assert sql_rows(formula, table, rubric) == interpret_rows(formula, table, rubric)
    assert sql_rows(formula, table, rubric)[:2] == [Decimal("2.68"), Decimal("-2.68")]


def test_ikm_band_edge_88_305(rubric):
    # IKM 88.305 is B unrounded and A once rounded half-up to 2 places (pitfalls.md)
    table = make_table(["ikm"], [["88.305"], ["88.3049"], ["88.31"]])
    # ",305"-style keeps the number unambiguous: "88.305" alone would read as thousands
    table = make_table(["ikm"], [["88,305"], ["88,3049"], ["88,31"]])
    formula = 'if round(row.ikm, 2) in [88.31..100] then "A" else "B"'
    got = sql_rows(formula, table, rubric)
    assert got == interpret_rows(formula, table, rubric) == ["A", "B", "A"]


def test_thousands_dot_cells_read_like_the_interpreter(rubric):
    table = make_table(["x"], [["1.500"], ["2,5"], ["3"]])
    formula = "row.x * 2"
    assert sql_rows(formula, table, rubric) == interpret_rows(formula, table, rubric)
    assert sql_rows(formula, table, rubric) == [Decimal(3000), Decimal(5), Decimal(6)]


def test_division_by_zero_raises_on_both(rubric):
    table = make_table(["a", "b"], [["1", "0"]])
    formula = "round(row.a / row.b, 2)"
    assert isinstance(interpret_rows(formula, table, rubric)[0], Exception)
    with pytest.raises(duckdb.Error, match="division by zero"):
        sql_rows(formula, table, rubric)


def test_guarded_division_short_circuits_like_interpreter(rubric):
    table = make_table(["a", "b"], [["1", "0"], ["3", "4"]])
    formula = "if row.b == 0 then 0 else round(row.a / row.b * 100, 2)"
    assert sql_rows(formula, table, rubric) == interpret_rows(formula, table, rubric)


def test_quotient_left_unrounded_has_no_sql_form(rubric):
    table = make_table(["a", "b"], [["1", "3"]])
    with pytest.raises(SqlCompileError, match="no exact decimal value"):
        sql_rows("row.a / row.b", table, rubric)


def test_division_by_terminating_constant_is_exact(rubric):
    table = make_table(["a"], [["7"], ["-1"]])
    assert sql_rows("row.a / 8", table, rubric) == interpret_rows("row.a / 8", table, rubric)


def test_lookup_and_band_label(rubric):
    table = make_table(["p", "x"], [["S1", "95"], ["s2", "60.5"], ["SMA", "90"]])
    for formula in ('lookup("kualifikasi", row.p)', 'band(row.x, "ipasn").label'):
        assert sql_rows(formula, table, rubric) == interpret_rows(formula, table, rubric)


def test_unknown_function_named(rubric):
    table = make_table(["a"], [["1"]])
    with pytest.raises(SqlCompileError, match=r"count\(\) has no SQL form"):
        sql_rows("count(row.a)", table, rubric)


def test_unknown_column_named(rubric):
    table = make_table(["a"], [["1"]])
    with pytest.raises(SqlCompileError, match="no column 'b'"):
        sql_rows("row.b + 1", table, rubric)


# -- agreement property ----------------------------------------------------------------------
NUM_COLS = ["a", "b", "c"]
TEXT_COLS = ["p"]

decimals = st.decimals(
    min_value=-1000, max_value=1000, places=3, allow_nan=False, allow_infinity=False
)
small_decimals = st.decimals(
    min_value=-50, max_value=50, places=2, allow_nan=False, allow_infinity=False
)


def num_leaf():
    return st.one_of(
        st.sampled_from(NUM_COLS).map(lambda c: ast.Ref(("row", c))),
        small_decimals.map(lambda d: ast.Number(abs(d))),
        st.just(ast.Ref(("params", "bobot"))),
    )


def numbers(children):
    return st.one_of(
        st.tuples(st.sampled_from(["add", "sub", "mul"]), children, children).map(
            lambda t: ast.Binary(t[0], t[1], t[2])
        ),
        children.map(lambda x: ast.Unary("neg", x)),
        st.tuples(children, children, st.integers(0, 3)).map(
            lambda t: ast.Call("round", (ast.Binary("div", t[0], t[1]), ast.Number(Decimal(t[2]))))
        ),
        st.tuples(children, st.integers(0, 3)).map(
            lambda t: ast.Call("round", (t[0], ast.Number(Decimal(t[1]))))
        ),
        st.tuples(children, children).map(lambda t: ast.Call("min", t)),
        st.tuples(children, children).map(lambda t: ast.Call("max", t)),
        children.map(lambda x: ast.Call("abs", (x,))),
        children.map(lambda x: ast.Call("floor", (x,))),
        children.map(lambda x: ast.Binary("div", x, ast.Number(Decimal(4)))),
        st.tuples(bools(children), children, children).map(lambda t: ast.If(*t)),
        st.just(ast.Call("lookup", (ast.String("kualifikasi"), ast.Ref(("row", "p"))))),
    )


def bools(nums):
    cmp = st.tuples(st.sampled_from(["lt", "le", "gt", "ge", "eq", "ne"]), nums, nums).map(
        lambda t: ast.Binary(t[0], t[1], t[2])
    )
    text_eq = st.sampled_from(["S1", "S2", "SMA"]).map(
        lambda s: ast.Binary("eq", ast.Ref(("row", "p")), ast.String(s))
    )
    interval = st.tuples(nums, small_decimals, st.booleans()).map(
        lambda t: ast.Binary(
            "in",
            t[0],
            ast.Interval(ast.Number(abs(t[1])), ast.Number(abs(t[1]) + 10), t[2], not t[2]),
        )
    )
    base = st.one_of(cmp, text_eq, interval)
    return st.one_of(
        base,
        st.tuples(st.sampled_from(["and", "or"]), base, base).map(lambda t: ast.Binary(*t)),
        base.map(lambda b: ast.Unary("not", b)),
    )


formulas = st.recursive(num_leaf(), numbers, max_leaves=8)
rows = st.lists(
    st.tuples(
        decimals,
        decimals,
        small_decimals,
        # keys, other case, edge spaces, a number (no text to compare), the key inside
        st.sampled_from(["S1", "S2", "SMA", "s1", "D3", " S1", "S2  ", "5", "xS1y", "S 1"]),
    ),
    min_size=1,
    max_size=12,
)


def _same(a, b) -> bool:
    if isinstance(a, Exception) or isinstance(b, Exception):
        return isinstance(a, Exception) and isinstance(b, Exception)
    return a == b


@pytest.mark.parametrize(
    "formula",
    [
        'if row.p == "S1" and row.a < row.a then 1 else 0',
        'if row.p == "S1" or row.a == row.a then 1 else 0',
    ],
)
def test_a_side_that_stops_a_row_stops_it_whatever_the_other_side(rubric, formula):
    """The interpreter reads ``row.p == "S1"`` first and stops on the number 5 (no
    comparing a number with text); DuckDB left it out, the other side alone deciding
    (``row.a < row.a`` is never true). Found by the property test below."""
    rows = [["0", "0", "0", "S1"], ["0", "0", "0", "5"]]
    table = make_table([*NUM_COLS, *TEXT_COLS], rows)
    expected = interpret_rows(formula, table, rubric)
    assert expected[0] in (0, 1) and isinstance(expected[1], Exception)
    with pytest.raises(duckdb.Error, match="cannot compare number with text"):
        sql_rows(formula, table, rubric)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula=formulas, data=rows)
def test_interpreter_and_sql_agree_row_by_row(rubric, formula, data):
    cells = [[format(a, "f"), format(b, "f"), format(c, "f"), p] for a, b, c, p in data]
    table = make_table([*NUM_COLS, *TEXT_COLS], cells)
    # the document path strips a cell when it reads the file; DuckDB gets it as written
    read = make_table([*NUM_COLS, *TEXT_COLS], [[c.strip() for c in row] for row in cells])
    expected = interpret_rows(formula, read, rubric)
    try:
        got = sql_rows(formula, table, rubric)
    except SqlCompileError:
        # only fractions left unrounded or scales beyond 30 decimals may be refused
        return
    except duckdb.Error:
        assert any(isinstance(e, Exception) for e in expected)
        return
    assert all(_same(e, g) for e, g in zip(expected, got, strict=True)), (expected, got)


# -- per group, through the engine: records (mean, sum, where) on both engines --------------

group_rows = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C"]),
        st.sampled_from(["S1", "S2", "S3", "D3", "SMA"]),
        st.integers(0, 5),
        st.integers(0, 2),
        st.decimals(min_value=0, max_value=100, places=1, allow_nan=False, allow_infinity=False),
        st.sampled_from(["tidak", "ringan"]),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=group_rows)
def test_engines_agree_per_group(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("g")
    lines = ["nip,instansi,pendidikan,diklat,seminar,skp,hukuman"]
    lines += [
        f'{i},{g},{p},{d},{s},"{format(k, "f").replace(".", ",")}",{h}'
        for i, (g, p, d, s, k, h) in enumerate(data)
    ]
    (folder / "pegawai.csv").write_text("\n".join(lines) + "\n")
    py, db = score_both(folder, "ipasn-mini", "pegawai", "pegawai.csv", "instansi")
    assert db.engine == "duckdb" and py.engine == "python"
    for a, b in zip(py.root.walk(), db.root.walk(), strict=True):
        assert (a.id, a.value, a.derivation.unrounded) == (b.id, b.value, b.derivation.unrounded)
    assert [g.key for g in py.groups] == [g.key for g in db.groups]
    for ga, gb in zip(py.groups, db.groups, strict=True):
        assert ga.rank == gb.rank
        assert ga.to_dict() == gb.to_dict()
        if ga.result is None:
            assert gb.result is None
            continue
        # groups computed whole on DuckDB (bulk/finish.py) carry values, maxima and bands;
        # the engine's groups also their derivations
        for a, b in zip(ga.result.root.walk(), gb.result.root.walk(), strict=True):
            assert (a.id, a.value, a.max, a.band, a.warnings) == (
                b.id,
                b.value,
                b.max,
                b.band,
                b.warnings,
            )
            if b.derivation.formula is not None:
                assert a.derivation.unrounded == b.derivation.unrounded


def test_ikm_survey_tie_on_both_engines(tmp_path):
    """An IKM exactly on 88.305 before rounding: A after half-up (regulations §4), same on both."""
    from evalengine.bulk import score_grouped
    from evalengine.evidence.readers import read_evidence

    # u1 NRR = 3.5322 → IKM = 25 × NRR: choose answers so that 25 × mean = 88.305 exactly,
    # i.e. mean = 3.5322 = 17661/5000 → 5000 answers summing to 17661.
    answers = ["4"] * 2661 + ["3"] * 2339  # 10644 + 7017 = 17661
    lines = ["unit,u1"] + [f"{'X' if i % 2 else 'Y'},{a}" for i, a in enumerate(answers)]
    lines += ["X,", "Y,5"]  # one blank and one off-scale answer: dropped, never summed
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "e.toml").write_text(
        '[evidence]\nrubric = "ikm-mini"\n[tables.responses]\nfile = "r.csv"\n'
    )
    plugins = default_plugins()
    rubric = load_rubric(DATA / "ikm-mini.toml", plugins=plugins)
    evidence = read_evidence(tmp_path / "e.toml", plugins=plugins)
    results = [
        score_grouped(rubric, evidence, group_by="unit", engine=e, plugins=plugins)
        for e in ("python", "duckdb")
    ]
    with localcontext(CONTEXT):
        ikm = Decimal(17661) / 5000 * 25
    assert ikm == Decimal("88.305")
    for res in results:
        assert res.root.derivation.unrounded == ikm
        assert res.root.value == Decimal("88.31")
        assert res.root.band.label == "A"
    assert [g.value for g in results[0].groups] == [g.value for g in results[1].groups]
    u1 = results[1].root.children[0]
    assert u1.extra["n"] == 5000 and u1.extra["dropped"] == 2


def test_and_or_evaluate_their_right_side_only_where_the_interpreter_does(rubric):
    """`row.a < row.a and row.p == "S1"`: the interpreter never compares the number-like
    text "5" with "S1" (the left side is false); DuckDB's AND evaluated both sides on every
    row and stopped on it (found by the row-by-row property test)."""
    table = make_table(["a", "p"], [["1", "S1"], ["1", "5"]])
    for formula in (
        'if row.a < row.a and row.p == "S1" then 1 else 2',
        'if row.a == row.a or row.p == "S1" then 1 else 2',
    ):
        expected = interpret_rows(formula, table, rubric)
        assert not any(isinstance(e, Exception) for e in expected), formula
        assert sql_rows(formula, table, rubric) == expected, formula


def test_a_lookup_no_key_can_match_still_stops_under_an_operator(rubric):
    """A number column as the key of a table of text keys compiles to the error alone;
    DuckDB folded `-error(…)` to NULL without raising it (a silent blank)."""
    table = make_table(["k"], [["5"]])
    formula = '-lookup("kualifikasi", row.k)'
    assert isinstance(interpret_rows(formula, table, rubric)[0], Exception)
    with pytest.raises(duckdb.Error, match="not in lookup table"):
        sql_rows(formula, table, rubric)


def test_the_cell_reading_sql_is_written_in_place_with_few_regular_expressions():
    """The strip/trim/number forms are SQL text, not macros a connection must define
    first; ee_number binds to ~10 regular expressions (each compiled when a query is
    planned), not the 26 of the nested macros it replaced."""
    from evalengine.bulk.cells import sql_number, sql_trim

    con = connect()
    try:
        assert con.execute(f"SELECT {sql_trim('$1')}", [" a\u00a0"]).fetchone()[0] == "a"
        assert con.execute(f"SELECT {sql_number('$1')}", ["Rp 1.234,50"]).fetchone()[0] == (
            "1234.50"
        )
        assert con.execute(f"SELECT {sql_number('$1')}", ["(1.000)"]).fetchone()[0] == "-1000"
    finally:
        con.close()
    assert sql_number("c").count("regexp_") <= 10


def test_the_space_characters_are_those_str_strip_removes():
    """The written-out list of the characters SQL strips is Python's, over all of Unicode."""
    import sys

    from evalengine.bulk.cells import SPACE_CODES

    assert tuple(c for c in range(sys.maxunicode + 1) if chr(c).isspace()) == SPACE_CODES
