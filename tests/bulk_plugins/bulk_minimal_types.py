"""Minimal ``records`` and ``survey`` indicator types for the bulk tests (Python engine).

The real types come from the survey-records work (evalengine.indicators.records and
.survey). Until that lands, this plugin gives the interpreter side of the agreement
tests the same contract (preamble convention 2): facts ``aggregate``/``n``/``rows``
and ``nrr``/``n``/``total``/``scale_min``/``scale_max``, defaults ``self.aggregate``
and ``self.nrr``, invalid answers drop the respondent. Tests load it only when no
``records`` type is registered already.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import ClassVar

from evalengine.evaluate.engine import evidence_value
from evalengine.evaluate.interpreter import Interpreter
from evalengine.formula import parse_formula
from evalengine.hookspecs import hookimpl
from evalengine.indicators.base import Fact, IndicatorType
from evalengine.numbers import CONTEXT, to_decimal
from evalengine.rubric.model import Formula


class _Row:
    def __init__(self, ctx, row):
        self.ctx, self.row = ctx, row

    def resolve(self, path):
        if path[0] != "row":
            return self.ctx.resolve(path)
        cell = self.row.get(path[1]) if len(path) == 2 else None
        if cell is None:
            raise KeyError(path[-1])
        if cell.value is None or isinstance(cell.value, bool):
            return cell.value, cell
        return evidence_value(cell), cell


def _formula(ind, key):
    text = ind.options.get(key)
    return None if text is None else Formula(text, parse_formula(text), ind.location)


class MiniRecords(IndicatorType):
    name = "records"
    options: ClassVar[dict[str, str]] = {
        "table": "table",
        "row": "row formula",
        "aggregate": "aggregate",
        "where": "filter",
    }

    def default_value(self, indicator, rubric):
        return "self.aggregate"

    def facts(self, ind, ctx):
        table = ctx.evidence.tables[ind.options["table"]]
        row_f, where_f = _formula(ind, "row"), _formula(ind, "where")
        agg = ind.options.get("aggregate", "sum")
        values = []
        for row in table.rows:
            env = _Row(ctx, row)
            if where_f is not None:
                keep = Interpreter(where_f, env, ctx.run.functions, context=ctx).run()
                if keep is not True:
                    continue
            if row_f is None:
                values.append(Decimal(1))
                continue
            values.append(Interpreter(row_f, env, ctx.run.functions, context=ctx).run())
        with localcontext(CONTEXT):
            if agg == "count":
                value = Decimal(len(values))
            elif agg == "sum":
                value = sum(values, Decimal(0))
            elif agg == "mean":
                value = sum(values, Decimal(0)) / len(values)
            else:
                value = min(values) if agg == "min" else max(values)
        return {
            "aggregate": Fact(value),
            "n": Fact(Decimal(len(values))),
            "rows": Fact(Decimal(len(table.rows))),
        }


class MiniSurvey(IndicatorType):
    name = "survey"
    options: ClassVar[dict[str, str]] = {"table": "table", "column": "answer column"}

    def default_value(self, indicator, rubric):
        return "self.nrr"

    def default_max(self, indicator, rubric):
        return "self.scale_max"

    @staticmethod
    def answer(raw, scale):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        candidate = raw
        if isinstance(raw, str):
            try:
                candidate = to_decimal(raw)
            except ValueError:
                candidate = raw.strip()
        resolved = scale.resolve(candidate)
        if resolved is None and isinstance(candidate, Decimal):
            resolved = scale.resolve(f"{candidate.normalize():f}")
        return None if resolved is None else resolved[1]

    def facts(self, ind, ctx):
        name = ind.options["table"]
        table = ctx.evidence.tables[name]
        owners = [
            i
            for i in ctx.rubric.indicators()
            if i.type == "survey" and i.options.get("table") == name
        ]
        scales = {i.options["column"]: ctx.rubric.scales[i.scale] for i in owners}
        column = ind.options["column"]
        values = []
        for row in table.rows:
            answers = {c: self.answer(row[c].value, s) for c, s in scales.items()}
            if any(v is None for v in answers.values()):
                continue  # drop_respondent
            values.append(answers[column])
        scale = ctx.rubric.scales[ind.scale]
        with localcontext(CONTEXT):
            nrr = sum(values, Decimal(0)) / len(values)
        return {
            "nrr": Fact(nrr),
            "n": Fact(Decimal(len(values))),
            "total": Fact(Decimal(len(table.rows))),
            "scale_min": Fact(scale.min),
            "scale_max": Fact(scale.max),
        }


@hookimpl
def register_indicator_types():
    return [MiniRecords, MiniSurvey]
