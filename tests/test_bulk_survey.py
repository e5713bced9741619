"""Survey questions on DuckDB say what the survey type says: the same facts, extra fields
and warnings, per group and overall.

The interpreter (``evalengine/indicators/survey.py``) is the reference: ``self.total`` is
the sum of the valid answers, ``extra`` names the respondents, the dropped answers and,
given ``[evidence] population``, the Krejcie–Morgan sample; the first question of a table
carries the table's summary and the sample warning. DuckDB counts where the interpreter
lists rows, so ``dropped_reasons`` is compared by count; the per-answer warnings are one
wording (a count per column and reason), the interpreter adding the first rows.
"""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalengine.bulk import score_grouped
from evalengine.evidence.readers import read_evidence
from evalengine.plugins import default_plugins
from evalengine.rubric.load import load_rubric

RUBRIC = """
[rubric]
id = "survey-facts"
title = "Survey facts"
version = "test"
value = "sum(children)"

[scales.jawaban]
title = "Jawaban"
values = {{ "1" = 1, "2" = 2, "3" = 3, "4" = 4 }}

[evidence.tables.responses]
invalid = "{policy}"
min_sample = "krejcie_morgan"

[indicators.q1]
title = "Satu"
type = "survey"
table = "responses"
column = "q1"
scale = "jawaban"
value = "self.total / (self.n + 1000)"
round = 6

[indicators.q2]
title = "Dua"
type = "survey"
table = "responses"
column = "q2"
scale = "jawaban"
round = 3

[indicators.q3]
title = "Tiga"
type = "survey"
table = "responses"
column = "q3"
scale = "jawaban"
value = "self.total / self.n"
round = 2
"""

# numbers, blanks, an off-scale 5, and text: a label no scale has, numbers in the other
# forms parse_number reads (a column holding any text is read as text on DuckDB)
answers = st.sampled_from(["1", "2", "3", "4", "4", "3", "", "5", "x", "3.0", "+3", "Rp4", " 2 "])
respondents = st.lists(
    st.tuples(st.sampled_from(["A", "B"]), answers, answers, answers), min_size=1, max_size=30
)


def score_both(folder, policy: str, rows, population: int | None, group_by: str | None):
    (folder / "rubric.toml").write_text(RUBRIC.format(policy=policy), encoding="utf-8")
    lines = ["unit,q1,q2,q3", *(",".join(r) for r in rows)]
    (folder / "r.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    meta = f"population = {population}\n" if population is not None else ""
    (folder / "e.toml").write_text(
        f'[evidence]\nrubric = "survey-facts"\n{meta}[tables.responses]\nfile = "r.csv"\n',
        encoding="utf-8",
    )
    plugins = default_plugins()
    rubric = load_rubric(folder / "rubric.toml", plugins=plugins)
    evidence = read_evidence(folder / "e.toml", plugins=plugins)
    return [
        score_grouped(rubric, evidence, group_by=group_by, engine=e, plugins=plugins)
        for e in ("python", "duckdb")
    ]


def problem_count(warnings: list[str]) -> int:
    """Answers the per-answer warnings name: one a row (interpreter) or ``N row(s)``."""
    count = 0
    for w in warnings:
        if "reported, never summed" in w:
            found = re.match(r"(\d+) row\(s\) \(", w)
            count += int(found.group(1)) if found else 1
    return count


def assert_same(py, db) -> None:
    """Same values, extra fields and table-level warnings on every node."""
    for p, d in zip(py.root.walk(), db.root.walk(), strict=True):
        assert (p.id, p.value) == (d.id, d.value)
        if p.type != "survey":
            continue
        assert {k: v for k, v in p.extra.items() if k != "dropped_reasons"} == {
            k: v for k, v in d.extra.items() if k != "dropped_reasons"
        }
        assert bool(p.extra["dropped_reasons"]) == bool(d.extra["dropped_reasons"])
        table_level = [w for w in p.warnings if "reported, never summed" not in w]
        assert table_level == [w for w in d.warnings if "reported, never summed" not in w]
        assert problem_count(p.warnings) == problem_count(d.warnings)
        # one wording: the document path adds the first rows, which DuckDB does not have
        assert [without_rows(w) for w in p.warnings] == d.warnings


def without_rows(warning: str) -> str:
    """A warning without the rows the document path names (``; rows 103, 104``)."""
    if "reported, never summed" not in warning:
        return warning
    return re.sub(r"; rows? [^;]*$", "", warning)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=respondents,
    policy=st.sampled_from(["drop_respondent", "drop_answer"]),
    population=st.none() | st.integers(1, 60),
    group_by=st.none() | st.just("unit"),
)
def test_survey_facts_extra_and_warnings_agree(
    tmp_path_factory, rows, policy, population, group_by
):
    folder = tmp_path_factory.mktemp("survey")
    try:
        py, db = score_both(folder, policy, rows, population, group_by)
    except Exception as exc:  # a table without one valid answer: both engines must say so
        assert type(exc).__name__ == "EvidenceError", exc
        return
    assert_same(py, db)
    assert [g.key for g in py.groups] == [g.key for g in db.groups]
    for p, d in zip(py.groups, db.groups, strict=True):
        assert (p.error is None) == (d.error is None)
        if p.result is not None:
            assert_same(p.result, d.result)


def test_the_ikm_example_warns_of_its_small_sample_on_both_engines(tmp_path):
    rows = [("A", "4", "3", "4")] * 9 + [("A", "", "3", "4")]
    py, db = score_both(tmp_path, "drop_respondent", rows, 40, None)
    assert_same(py, db)
    first = db.root.children[0]
    assert first.extra["total"] == 36 and first.extra["respondents"] == 10
    assert "sample of 9 respondents is below the Krejcie–Morgan minimum of 36" in " ".join(
        first.warnings
    )
    # self.total / (self.n + 1000) to 6 places: 36 / 1009 = 0.0356788…
    assert first.value == py.root.children[0].value == Decimal("0.035679")


def test_self_total_in_the_groups_duckdb_finishes_is_the_sum_of_answers(tmp_path):
    rows = [("A", "4", "3", "2"), ("A", "3", "3", "1"), ("B", "1", "2", "4")]
    py, db = score_both(tmp_path, "drop_respondent", rows, None, "unit")
    light = [g.key for g in db.groups if g.result.root.derivation.formula is None]
    assert sorted(light) == ["A", "B"]  # every group's values came from DuckDB's finishing query
    for p, d in zip(py.groups, db.groups, strict=True):
        assert_same(p.result, d.result)
    a = next(g for g in db.groups if g.key == "A").result.root.children[0]
    assert a.value == Decimal("0.006986")  # q1 of unit A: (4 + 3) / (2 + 1000) = 0.0069860…
