"""Rows that read the same cells share one evaluation of a per-row formula (RowFormula).

The shared value must be exactly what evaluating each row would give: the same digits
and exponent (``1.0`` and ``1`` are equal Decimals that print apart), the same rows left
out by ``where``, the same error naming the same row. Each case is scored twice, once
with the sharing switched off, and the JSON results must be identical.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tabular_support import PLUGINS

from evalengine.errors import EvalEngineError
from evalengine.evaluate.engine import Engine
from evalengine.evidence.readers import read_evidence
from evalengine.indicators import tabular
from evalengine.rubric.load import load_rubric

RUBRIC = """
[rubric]
id = "memo"
title = "Per-row values shared by equal rows"
value = "sum(children)"

[evidence.tables.t.columns]
kode = {{ type = "text" }}
x = {{ type = "number", required = false }}
status = {{ type = "text", default = "aktif" }}

[tables.poin]
A = 4
B = 2.5
C = 0

[indicators.nilai]
type = "records"
table = "t"
row = "{row}"
aggregate = "{aggregate}"
where = 'row.status != "pensiun"'
"""

cells = st.sampled_from(["1", "1.0", "2,5", "10", "0", "", "abc", "-3"])
codes = st.sampled_from(["A", "B", "C", "D"])
rows = st.lists(
    st.tuples(codes, cells, st.sampled_from(["aktif", "pensiun", ""])), min_size=1, max_size=25
)
formulas = st.sampled_from(
    [
        "row.x * 2",
        'lookup("poin", row.kode) + row.x',
        'if row.x > 1 then row.x / 3 else lookup("poin", row.kode)',
        "round(row.x / 7, 2)",
    ]
)


def score_json(folder, formula: str, aggregate: str, data) -> str:
    lines = ["kode,x,status", *(",".join(f'"{c}"' for c in r) for r in data)]
    (folder / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "e.toml").write_text('[tables.t]\nfile = "t.csv"\n', encoding="utf-8")
    (folder / "r.toml").write_text(
        RUBRIC.format(row=formula.replace('"', '\\"'), aggregate=aggregate), encoding="utf-8"
    )
    rubric = load_rubric(folder / "r.toml", plugins=PLUGINS)
    try:
        result = Engine(rubric, plugins=PLUGINS).evaluate(
            read_evidence(folder / "e.toml", plugins=PLUGINS)
        )
    except EvalEngineError as exc:
        return exc.render()
    return json.dumps(result.to_dict()["result"], sort_keys=True)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=rows,
    formula=formulas,
    aggregate=st.sampled_from(["sum", "mean", "min", "max"]),
)
def test_shared_row_values_are_what_each_row_gives(tmp_path_factory, data, formula, aggregate):
    folder = tmp_path_factory.mktemp("memo")
    shared = score_json(folder, formula, aggregate, data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tabular.RowFormula, "__call__", _every_row)
        alone = score_json(folder, formula, aggregate, data)
    assert shared == alone


def _every_row(self, row, *, fresh=False):
    return tabular.eval_row(self.ctx, self.formula, self.table, row)


def test_equal_rows_share_one_evaluation(tmp_path, monkeypatch):
    evaluated = []
    eval_row = tabular.eval_row

    def counting(ctx, formula, table, row):
        evaluated.append(formula.text)
        return eval_row(ctx, formula, table, row)

    monkeypatch.setattr(tabular, "eval_row", counting)
    data = [("A", "2", "aktif")] * 50 + [("B", "2", "aktif")] * 50
    assert '"value": "' in score_json(tmp_path, "row.x * 2", "sum", data)
    rows_read = [t for t in evaluated if t == "row.x * 2"]
    # three rows afresh for the calculation sheet, then one per distinct x (all 2)
    assert len(rows_read) == 3 + 1
