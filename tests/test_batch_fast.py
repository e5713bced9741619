"""The value-only batch path gives exactly the full engine's numbers, or steps aside.

``evalengine batch`` scores a well-formed document with :class:`ValuePlan` (formulas
compiled once into closures, no derivations) and everything else with the full engine.
These tests hold the plan to the engine:

* every shipped example under every shipped rubric the plan supports: the value and
  maximum of every indicator at every stage are identical (same digits and exponent),
  and the plan never accepts a document the engine rejects;
* the benchmark's generated AKIP documents, through ``batch``'s own ``score_file``;
* hypothesis-generated documents for the AKIP and Sistem Merit rubrics, valid and
  invalid: ``score_file`` (fast or not) gives the same item as the full engine,
  error message included;
* hypothesis-generated formulas in a small rubric (stages, params, facts, bands,
  lookups, rounding): whenever the plan gives a value, the engine gives the same one,
  and whenever the engine gives one, so does the plan.
"""

from __future__ import annotations

import importlib.util
import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from paths import EXAMPLES, ROOT, RUBRICS

from evalengine.cli import batch
from evalengine.errors import EvalEngineError, FormulaEvalError
from evalengine.evaluate.compiled import Fallback, Unsupported, ValuePlan
from evalengine.evaluate.engine import Engine
from evalengine.evidence.readers import build_evidence, load_data, read_evidence
from evalengine.formula import ast
from evalengine.formula.unparse import unparse
from evalengine.numbers import plain
from evalengine.rubric.load import load_rubric

AKIP = RUBRICS / "akip-2021.toml"
MERIT = RUBRICS / "merit-2019.toml"


def exact(value: Any) -> Any:
    """A value with its representation: Decimal('4.80') and Decimal('4.8') differ here."""
    if isinstance(value, list):
        return [exact(v) for v in value]
    return (type(value).__name__, repr(value))


def engine_values(engine: Engine, evidence) -> dict | None:
    """Every indicator's (value, max) per stage from the full engine; None if it refuses."""
    try:
        engine.evaluate(evidence)
    except EvalEngineError:
        return None
    stages = engine.rubric.stages or (None,)
    out = {}
    for stage in stages:
        outcomes = engine.run_stage(evidence, stage)
        out[stage] = {k: (exact(o.value), exact(o.max)) for k, o in outcomes.items()}
    return out


def plan_values(plan: ValuePlan, data: dict) -> dict | None:
    try:
        got = plan.stage_values(data)
    except Fallback:
        return None
    return {
        stage: {k: (exact(v), exact(m)) for k, (v, m) in values.items()}
        for stage, values in got.items()
    }


def agree(engine: Engine, plan: ValuePlan, data: dict, evidence) -> tuple[bool, bool]:
    """Assert the plan agrees with the engine; (plan scored it, engine scored it)."""
    fast = plan_values(plan, data)
    full = engine_values(engine, evidence)
    if fast is not None:
        assert full is not None, "the plan accepted a document the engine rejects"
        assert fast == full
        value, max_, band = plan.score(data)
        root = engine.evaluate(evidence).root
        assert (exact(value), exact(max_), band) == (exact(root.value), exact(root.max), root.band)
    return fast is not None, full is not None


def rubric_files() -> list[Path]:
    return sorted(RUBRICS.glob("*.toml")) + sorted(EXAMPLES.glob("*/rubric.toml"))


def evidence_files() -> list[Path]:
    return sorted(
        p
        for p in EXAMPLES.rglob("*")
        if p.suffix in (".toml", ".json") and p.name != "rubric.toml" and p.is_file()
    )


#: Rubrics whose indicator types the value-only plan leaves to the engine (records,
#: survey, target, anggaran, and the SKP plugin's types).
ENGINE_ONLY = {
    "anggaran.toml",
    "capaian-kinerja.toml",
    "ikm-2004.toml",
    "ikm-2017.toml",
    "ipasn-2019.toml",
    "skp-pegawai/rubric.toml",
}


def _rubric_id(path: Path) -> str:
    return path.name if path.parent == RUBRICS else f"{path.parent.name}/{path.name}"


@pytest.mark.parametrize(
    "rubric_path",
    [p for p in rubric_files() if _rubric_id(p) not in ENGINE_ONLY],
    ids=_rubric_id,
)
def test_every_example_under_every_rubric_agrees(rubric_path):
    engine = Engine(load_rubric(rubric_path))
    plan = ValuePlan(engine)
    scored = 0
    for path in evidence_files():
        data = load_data(str(path))
        if data is None:
            continue
        try:
            evidence = read_evidence(path)
        except EvalEngineError:
            assert plan_values(plan, data) is None or pytest.fail(f"{path} is not readable")
            continue
        fast, _ = agree(engine, plan, data, evidence)
        scored += fast
    assert scored >= 1  # the real examples of these rubrics take the fast path


@pytest.mark.entry_point_plugins  # skp-pegawai's types come from the shipped SKP plugin
@pytest.mark.parametrize(
    "rubric_path",
    [p for p in rubric_files() if _rubric_id(p) in ENGINE_ONLY],
    ids=_rubric_id,
)
def test_rubrics_the_plan_declines_are_scored_by_the_engine(rubric_path):
    with pytest.raises(Unsupported):
        ValuePlan(Engine(load_rubric(rubric_path)))
    batch._init(str(rubric_path), None, force=True)
    assert batch._PLAN is None
    examples = [p for p in evidence_files() if load_data(str(p)) is not None]
    items = [batch.score_file(str(p)) for p in examples]
    assert items == [batch._score_full(str(p)) for p in examples]
    assert any(item.error is None for item in items)  # its own examples score


def test_the_real_results_come_out_of_the_plan():
    # LKjIP 2024 BKPSDM Belitung Timur: AKIP 2023 = 70,30 (BB), Sistem Merit 2023 = 252 (III).
    for rubric, evidence, value, band in (
        (AKIP, EXAMPLES / "akip-belitung-timur" / "evidence.toml", "70.3", "BB"),
        (MERIT, EXAMPLES / "merit-belitung-timur" / "evidence.toml", "252", "III"),
    ):
        plan = ValuePlan(Engine(load_rubric(rubric)))
        got, _, got_band = plan.score(load_data(str(evidence)))
        assert (plain(got), got_band.label) == (value, band)


def _bench_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def akip_folder(tmp_path):
    """200 documents as ``bench/generate.py akip`` writes them (TOML and JSON)."""
    gen = _bench_generator()
    rubric = gen._akip_rubric(ROOT)
    rng = random.Random(7)
    for k in range(200):
        suffix, text = gen.akip_document(k, rng, rubric)
        (tmp_path / f"doc-{k:03d}{suffix}").write_text(text, encoding="utf-8")
    return tmp_path


def test_generated_akip_documents_take_the_fast_path_and_agree(akip_folder):
    batch._init(str(AKIP), None, force=True)
    files = sorted(akip_folder.iterdir())
    assert {f.suffix for f in files} == {".toml", ".json"}
    for f in files:
        fast = batch._score_fast(str(f))
        assert fast is not None, f
        assert fast == batch._score_full(str(f))


def test_workers_give_the_items_one_process_gives(akip_folder):
    files = batch.expand_paths([str(akip_folder)])
    assert len(files) >= batch.PARALLEL_MIN_FILES
    one = batch.score_all(str(AKIP), files, jobs=1, plugins_dir=None)
    two = batch.score_all(str(AKIP), files, jobs=2, plugins_dir=None)
    assert one == two


def test_progress_starts_after_the_workers(akip_folder):
    """The progress bar runs a thread; no worker may be forked while it runs."""
    import contextlib
    import multiprocessing

    files = batch.expand_paths([str(akip_folder)])
    seen: list[int] = []
    advanced: list[int] = []

    @contextlib.contextmanager
    def progress():
        seen.append(len(multiprocessing.active_children()))
        yield advanced.append

    batch.score_all(str(AKIP), files, jobs=2, plugins_dir=None, progress=progress)
    assert seen == [2]
    assert sum(advanced) == len(files)


def test_batch_names_a_bad_akip_file_with_line_and_column(akip_folder, run_cli):
    bad = akip_folder / "doc-bad.toml"
    bad.write_text(
        '[evidence]\nrubric = "akip"\n\n[answers]\nperencanaan_keberadaan = "ZZ"\n',
        encoding="utf-8",
    )
    out = akip_folder / "out.json"
    result = run_cli("batch", AKIP, akip_folder, "-f", f"json:{out}", "--no-progress")
    assert result.code == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["scored"] == 200 and data["failed"] == 1
    (failure,) = data["failures"]
    assert failure["error"].startswith(f"{bad}:5:26: error[")
    assert "'ZZ'" in failure["error"]


def test_folders_are_listed_as_rglob_and_resolve_list_them(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    for name in ("a/x.toml", "a/b/y.json", "other/z.toml", "a/.toml", "a/n.txt", "a/b-c.toml"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "a" / "link.toml").symlink_to(tmp_path / "other" / "z.toml")
    (tmp_path / "a" / "dirlink").symlink_to(tmp_path / "other")  # not entered
    (tmp_path / "a" / "broken.toml").symlink_to(tmp_path / "nothing")
    (tmp_path / "alink").symlink_to(tmp_path / "a")
    for spec in (tmp_path, tmp_path / "a", tmp_path / "alink", tmp_path / "a" / ".." / "a"):
        found = [
            f
            for f in sorted(Path(spec).rglob("*"))
            if f.is_file() and f.suffix in (".toml", ".json")
        ]
        expected = [str(f) for f in dict.fromkeys(f.resolve() for f in found)]
        assert batch.expand_paths([str(spec)]) == expected


# -- hypothesis: documents ------------------------------------------------------------------
_ENGINES: dict[Path, tuple[Engine, ValuePlan]] = {}


def _engine(path: Path) -> tuple[Engine, ValuePlan]:
    if path not in _ENGINES:
        engine = Engine(load_rubric(path))
        _ENGINES[path] = (engine, ValuePlan(engine))
    return _ENGINES[path]


#: What can be wrong (or merely unusual) in a document; each sends it to the full engine.
FLAWS = [
    "missing-answer",
    "off-scale",
    "unknown-indicator",
    "unknown-stage",
    "wrong-rubric",
    "unknown-meta",
    "stated-unknown",
    "unknown-section",
    "bool-answer",
    "list-answer",
    "versions",
    "tables",
    "answers-not-a-table",
    "note-only",
]


def _valid_answer(rng: random.Random, labels: list[str]) -> Any:
    label = rng.choice(labels)
    return rng.choice(
        [label, label, label.lower(), f" {label} "]
        + ([int(label), float(label)] if label.isdigit() else [])
    )


@st.composite
def documents(draw, rubric_path: Path) -> dict:
    """A document for the rubric: valid answers in the shapes real files use (lower case,
    padding, numbers for numeric labels, per-stage tables, notes, ``value``), facts and
    stated figures, with up to two flaws from :data:`FLAWS`."""
    engine, plan = _engine(rubric_path)
    rubric = engine.rubric
    rng = draw(st.randoms(use_true_random=False))
    flaws = draw(st.sets(st.sampled_from(FLAWS), max_size=2))
    answers: dict[str, Any] = {}
    for iid, ind in plan.answered.items():
        labels = list(rubric.scales[ind.scale].values)
        shape = rng.randrange(6)
        if rubric.stages and shape == 0:
            answers[iid] = {s: _valid_answer(rng, labels) for s in rubric.stages}
        elif shape == 1:
            answers[iid] = {"value": _valid_answer(rng, labels), "note": "catatan"}
        else:
            answers[iid] = _valid_answer(rng, labels)
    target = rng.choice(list(answers))
    if "missing-answer" in flaws:
        del answers[target]
    if "off-scale" in flaws:
        answers[target] = rng.choice(["ZZ", "", "5", "-1", 9, 2.5])
    if "unknown-indicator" in flaws:
        answers["indikator_lain"] = "1"
    if "unknown-stage" in flaws:
        answers[target] = {"tahap_lain": "1"}
    if "bool-answer" in flaws:
        answers[target] = True
    if "list-answer" in flaws:
        answers[target] = ["1"]
    if "note-only" in flaws:
        answers[target] = {"note": "belum dinilai"}
    meta: dict[str, Any] = {"rubric": rubric.id, "subject": f"Instansi {rng.randrange(100)}"}
    if rng.random() < 0.3:
        meta["period"] = "2023"
    if "wrong-rubric" in flaws:
        meta["rubric"] = "lain"
    if "unknown-meta" in flaws:
        meta["penilai"] = "x"
    if "versions" in flaws:
        meta["versions"] = [rubric.version]
    doc: dict[str, Any] = {"evidence": meta, "answers": answers}
    if rng.random() < 0.3:
        doc["stated"] = {rng.choice(list(engine.by_id)): {"value": "1,00"}}
    if "stated-unknown" in flaws:
        doc["stated"] = {"bukan_indikator": 1}
    if rng.random() < 0.2:
        doc["facts"] = {"catatan": "x", "angka": {"a": 1}}
    if "unknown-section" in flaws:
        doc["lampiran"] = {"a": 1}
    if "tables" in flaws:
        doc["tables"] = {"t": {"rows": [{"a": 1}]}}
    if "answers-not-a-table" in flaws:
        doc["answers"] = ["x"]
    return doc


def _write(tmp_path: Path, doc: dict, as_json: bool, broken: bool) -> Path:
    if as_json:
        path, text = tmp_path / "doc.json", json.dumps(doc, ensure_ascii=False)
    else:
        path, text = tmp_path / "doc.toml", tomli_w.dumps(doc)
    if broken:
        text = text[: len(text) // 2] + "[[["
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("rubric_path", [AKIP, MERIT], ids=["akip", "merit"])
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data(), as_json=st.booleans(), broken=st.integers(0, 15))
def test_score_file_is_the_full_engine_on_any_document(
    rubric_path, tmp_path, data, as_json, broken
):
    _engine(rubric_path)  # loaded outside the strategy (loading may use the random module)
    doc = data.draw(documents(rubric_path))
    path = str(_write(tmp_path, doc, as_json, broken == 0))
    batch._init(str(rubric_path), None)
    full = batch._score_full(path)
    fast = batch._score_fast(path)
    if fast is not None:
        assert full.error is None
        assert fast == full
    assert batch.score_file(path) == full


# -- hypothesis: formulas -------------------------------------------------------------------
NUMBER_REFS = [
    "self.weight",
    "a",
    "b",
    "g",
    "a.max",
    "a.percent",
    "a.weight",
    "g.max",
    "g.percent",
    "b.value",
    "params.p",
    "params.q.r",
    "evidence.x",
    "evidence.t.y",
]
#: References that fail in some places (a maximum reading itself, a formula indicator's
#: answer, a missing fact): rarer, so that most generated rubrics still score.
RISKY_REFS = ["self.max", "self.answer", "self.scale_max", "evidence.nope"]
TEXT_REFS = ["g.band", "g.meaning", "stage", "params.w", "self.code", "self.id"]
LIST_REFS = ["children", "children.max", "children.weight", "children.percent"]


def _ref(dotted: str) -> ast.Ref:
    return ast.Ref(tuple(dotted.split(".")))


def _typed_formulas() -> st.SearchStrategy[ast.Expr]:
    """Formulas that mostly pass the rubric's type check (numbers, with booleans and
    texts where they belong), and still fail at run time now and then: division by
    zero, a maximum read while it is computed, a missing fact, a band outside its
    table, a key missing from a lookup table, a mean of nothing."""
    literal = st.sampled_from(
        [0, 1, 2, 3, 100, Decimal("0.5"), Decimal("2.345"), Decimal("0.125"), Decimal("1e20")]
    ).map(lambda v: ast.Number(Decimal(v)))
    text = st.one_of(
        st.sampled_from(["kat", "A", "B", "mandiri", "x"]).map(ast.String),
        st.sampled_from(TEXT_REFS).map(_ref),
    )
    lists = st.sampled_from(LIST_REFS).map(_ref)

    def numbers(inner):
        num = inner
        boolean = st.one_of(
            st.booleans().map(ast.Bool),
            st.tuples(st.sampled_from(["lt", "le", "gt", "ge", "eq", "ne"]), num, num).map(
                lambda t: ast.Binary(*t)
            ),
            st.tuples(st.sampled_from(["eq", "ne"]), text, text).map(lambda t: ast.Binary(*t)),
            st.tuples(
                num,
                st.one_of(st.none(), num),
                st.one_of(st.none(), num),
                st.booleans(),
                st.booleans(),
            ).map(
                lambda t: ast.Binary(
                    "in",
                    t[0],
                    ast.Interval(t[1], t[2], t[3] and t[1] is not None, t[4] and t[2] is not None),
                )
            ),
        )
        boolean = st.one_of(
            boolean,
            boolean.map(lambda x: ast.Unary("not", x)),
            st.tuples(st.sampled_from(["and", "or"]), boolean, boolean).map(
                lambda t: ast.Binary(*t)
            ),
        )
        aggregate = st.sampled_from(["sum", "mean", "min", "max"])
        return st.one_of(
            st.tuples(st.sampled_from(["add", "sub", "mul", "div"]), num, num).map(
                lambda t: ast.Binary(*t)
            ),
            num.map(lambda x: ast.Unary("neg", x)),
            st.tuples(boolean, num, num).map(lambda t: ast.If(*t)),
            st.tuples(aggregate, st.lists(num, min_size=1, max_size=3)).map(
                lambda t: ast.Call(t[0], tuple(t[1]))
            ),
            st.tuples(aggregate, lists).map(lambda t: ast.Call(t[0], (t[1],))),
            lists.map(lambda x: ast.Call("count", (x,))),
            st.tuples(
                num,
                st.sampled_from([0, 1, 2]),
                st.sampled_from([None, "half_up", "half_even", "down"]),
            ).map(
                lambda t: ast.Call(
                    "round",
                    (t[0], ast.Number(Decimal(t[1]))) + ((ast.String(t[2]),) if t[2] else ()),
                )
            ),
            st.tuples(st.sampled_from(["abs", "floor", "ceil", "number"]), num).map(
                lambda t: ast.Call(t[0], (t[1],))
            ),
            st.sampled_from(["x", "B", "2", "z"]).map(
                lambda k: ast.Call("lookup", (ast.String("t"), ast.String(k)))
            ),
            num.map(lambda x: ast.Attr(ast.Call("band", (x, ast.String("kat"))), "lower")),
        )

    refs = (
        st.integers(0, 39)
        .flatmap(lambda n: st.sampled_from(RISKY_REFS if n == 17 else NUMBER_REFS))
        .map(_ref)
    )
    leaves = st.one_of(literal, literal, refs)
    return st.recursive(leaves, numbers, max_leaves=8)


RUBRIC_TEMPLATE = """
[rubric]
id = "prop"
title = "Properti"
version = "1"
{stages}
band = "kat"
{root}

[rounding]
places = 2
mode = "{mode}"
apply = "{apply}"

[params]
p = 2.5
w = "teks"
q = {{ r = 3 }}

[tables.t]
x = 1
B = 0.7
"2" = "dua"

[scales.s]
values = {{ "0" = 0, "1" = 1, "2" = 2, "3" = 3, "4" = 4 }}

[bands.kat]
A = {{ range = "(50..1000000000]", meaning = "tinggi" }}
B = {{ range = "[0..50]", meaning = "rendah" }}

[indicators.g]
weight = 10
band = "kat"
{g_value}

[indicators.g.children.a]
weight = 2
scale = "s"

[indicators.g.children.b]
weight = 3
scale = "s"
optional = {optional}

[indicators.f]
type = "formula"
{f_weight}
{f_round}
value = {f_value}
{f_max}
"""


def _toml_string(tree: ast.Expr) -> str:
    return json.dumps(unparse(tree))


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    f_value=_typed_formulas(),
    f_max=st.one_of(st.none(), _typed_formulas()),
    g_value=st.one_of(st.none(), _typed_formulas()),
    root_value=st.one_of(st.none(), _typed_formulas()),
    staged=st.booleans(),
    optional=st.booleans(),
    weighted=st.booleans(),
    f_round=st.one_of(st.none(), st.integers(0, 3)),
    mode=st.sampled_from(["half_up", "half_even", "down"]),
    apply=st.sampled_from(["headline", "none"]),
    answers=st.fixed_dictionaries(
        {
            "a": st.integers(0, 19).flatmap(
                lambda n: st.just("X") if n == 7 else st.sampled_from(["0", "1", "3", "4", 2])
            ),
            "b": st.sampled_from(["2", 0]),
        }
    ),
    missing_b=st.sampled_from([False, False, False, False, True]),
    fact=st.sampled_from([Decimal("1.5"), 2, "1,5", Decimal("1.5"), 2, "teks", True, [1, 2]]),
)
def test_compiled_formulas_agree_with_the_interpreter(
    tmp_path,
    f_value,
    f_max,
    g_value,
    root_value,
    staged,
    optional,
    weighted,
    f_round,
    mode,
    apply,
    answers,
    missing_b,
    fact,
):
    text = RUBRIC_TEMPLATE.format(
        stages='stages = ["mandiri", "verifikasi"]' if staged else "",
        root=f"value = {_toml_string(root_value)}" if root_value is not None else "",
        mode=mode,
        apply=apply,
        g_value=f"value = {_toml_string(g_value)}" if g_value is not None else "",
        optional="true" if optional else "false",
        f_weight="weight = 5" if weighted else "",
        f_round=f"round = {f_round}" if f_round is not None else "",
        f_value=_toml_string(f_value),
        f_max=f"max = {_toml_string(f_max)}" if f_max is not None else "",
    )
    path = tmp_path / "prop.toml"
    path.write_text(text, encoding="utf-8")
    try:
        rubric = load_rubric(path)
    except EvalEngineError:
        assume(False)
    engine = Engine(rubric)
    plan = ValuePlan(engine)
    doc_answers: dict[str, Any] = {"a": answers["a"]}
    if not missing_b:
        doc_answers["b"] = answers["b"] if not staged else {"mandiri": "4", "verifikasi": "1"}
    data = {"answers": doc_answers, "facts": {"x": fact, "t": {"y": Decimal("0.25")}}}
    evidence = build_evidence(data, None, None)
    fast, full = agree(engine, plan, data, evidence)
    assert fast == full  # the plan steps aside only when the engine refuses too


def test_percent_of_a_text_value_is_an_error_in_the_rubric_not_a_crash(tmp_path):
    # found by the property test above: `.percent` of an indicator whose value is text
    # raised TypeError in score (the engine) and in batch (the compiled plan)
    rubric = tmp_path / "pct.toml"
    rubric.write_text(
        '[rubric]\nid = "pct"\ntitle = "pct"\nversion = "1"\n'
        '[tables.t]\n"2" = "dua"\n'
        '[indicators.g]\ntitle = "g"\ntype = "formula"\nvalue = \'lookup("t", "2")\'\n'
        'max = "4"\n'
        '[indicators.f]\ntitle = "f"\ntype = "formula"\nvalue = "g.percent"\n'
    )
    evidence = tmp_path / "e.toml"
    evidence.write_text('[evidence]\nrubric = "pct"\n')
    engine = Engine(load_rubric(rubric))
    with pytest.raises(FormulaEvalError, match=r"'g.percent' has no value here") as err:
        engine.evaluate(read_evidence(evidence))
    assert err.value.hint == "'g' is 'dua', not a number"
    plan = ValuePlan(engine)
    with pytest.raises(Fallback):  # the plan leaves it to the engine, which reports it
        plan.stage_values(load_data(str(evidence)))
