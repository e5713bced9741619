"""Survey indicators (IKM / SKM unsur) computed on DuckDB: one query per response table.

Each question's answers are mapped through the rubric's scale in SQL; the NRR is
``Σ / n`` kept exact (Decimal in Python, an exact fraction in the stored aggregates).
Invalid answers (blank, not on the scale) are counted by reason and, under the table's
``drop_respondent`` policy (the default), remove the respondent from every question, as
:mod:`evalengine.indicators.survey` does row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, localcontext
from functools import cached_property
from typing import Any

from ..errors import EvidenceError
from ..evaluate.sql import (
    decimal_scale,
    quote_ident,
    quote_text,
)
from ..indicators.survey import dropped_summary, invalid_warning
from ..numbers import CONTEXT, plain, to_decimal
from ..rubric.model import Indicator, Rubric
from .compute import (
    Precomputed,
    Resniff,
    grouped_query,
    resniff_needed,
    runtime_error,
    stored_decimal,
    stored_fraction,
)
from .source import BulkTable, duckdb_error


def _answer_sql(col: str, kind: str, scale) -> str:
    """SQL mapping an answer cell to its scale value (NULL when invalid), as the interpreter."""
    q = quote_ident(col)
    arms = []
    values = list(scale.values.values())
    if kind == "number" and _identity(scale):  # labels "1".."4" for values 1..4
        members = ", ".join(str(int(v)) for v in dict.fromkeys(values))
        return f"(CASE WHEN {q} IN ({members}) THEN {q} END)"
    if kind == "number":  # numeric cells: by value, then a label written as that number
        scale_of = max((decimal_scale(v) for v in scale.values.values()), default=0)
        out_type = f"DECIMAL(18,{scale_of})"

        def lit(value: Decimal) -> str:
            return f"CAST({quote_text(format(value, 'f'))} AS {out_type})"

        for value in dict.fromkeys(scale.values.values()):
            arms.append(f"WHEN {q} = {lit(value)} THEN {lit(value)}")
        for label, value in scale.values.items():
            if _is_number(label) and f"{to_decimal(label).normalize():f}" == label:
                d = to_decimal(label)
                as_label = f"CAST({quote_text(label)} AS DECIMAL(18,{decimal_scale(d)}))"
                arms.append(f"WHEN {q} = {as_label} THEN {lit(value)}")
        return f"(CASE {' '.join(arms)} END)"
    # text cells: a number by value (parse_number rules), else the label as written, then
    # folded. The cell's number text ("79,03", "+3", " 4\t", "Rp1.000" read as parse_number
    # reads them) is computed once and bound to a lambda parameter: written out at each of
    # the dozens of arms below, DuckDB planned the number reading (sql_number) seconds a query.
    from .cells import number_text

    text = "__ee_number"
    num = f"TRY_CAST({text} AS DECIMAL(38,10))"
    is_number = f"{text} IS NOT NULL"
    for value in scale.values.values():
        v = f"CAST({quote_text(format(value, 'f'))} AS DECIMAL(38,10))"
        arms.append(f"WHEN {is_number} AND {num} = {v} THEN {v}")
    for label, value in scale.values.items():
        v = f"CAST({quote_text(format(value, 'f'))} AS DECIMAL(38,10))"
        if _is_number(label):
            # a number not on the scale by value may still be a label: "4.0" → "4"
            arms.append(
                f"WHEN {is_number} AND "
                f"CAST({num} AS VARCHAR) IS NOT NULL AND {_normalized_text(num)} = "
                f"{quote_text(label)} THEN {v}"
            )
        arms.append(f"WHEN {text} IS NULL AND {q} = {quote_text(label)} THEN {v}")
    folded = {label.casefold(): value for label, value in scale.values.items()}
    for label, value in folded.items():
        v = f"CAST({quote_text(format(value, 'f'))} AS DECIMAL(38,10))"
        arms.append(f"WHEN {text} IS NULL AND lower({q}) = {quote_text(label)} THEN {v}")
    return f"list_transform([{number_text(q)}], lambda {text}: CASE {' '.join(arms)} END)[1]"


def _identity(scale) -> bool:
    """True when every label is the whole number it stands for ("1".."4" → 1..4)."""
    return all(
        _is_number(label) and to_decimal(label) == value and value == int(value)
        for label, value in scale.values.items()
    )


def _valid_sql(col: str, kind: str, scale, col_scale: int = 0) -> str:
    """A predicate true exactly when the answer is valid (NULL or false otherwise).

    Whole-number answers on a scale of consecutive whole numbers (1..4) are tested with
    ``BETWEEN``: two comparisons instead of an ``IN`` list, and DuckDB prunes Parquet
    row groups with it.
    """
    if kind == "number" and _identity(scale):
        members = sorted({int(v) for v in scale.values.values()})
        if col_scale == 0 and members == list(range(members[0], members[-1] + 1)):
            return f"{quote_ident(col)} BETWEEN {members[0]} AND {members[-1]}"
        return f"{quote_ident(col)} IN ({', '.join(map(str, members))})"
    return f"({_answer_sql(col, kind, scale)} IS NOT NULL)"


def _normalized_text(num: str) -> str:
    """``f"{d.normalize():f}"`` of a DECIMAL in SQL: trailing zeros and dot stripped."""
    text = f"CAST({num} AS VARCHAR)"
    return f"(CASE WHEN contains({text}, '.') THEN rtrim(rtrim({text}, '0'), '.') ELSE {text} END)"


def _is_number(text: str) -> bool:
    try:
        to_decimal(text)
    except ValueError:
        return False
    return True


def survey_facts(
    con, engine, evidence, indicators: list[Indicator], table: BulkTable, gexpr, stored=None
):
    """Facts of the survey questions reading ``table``: {indicator id: {group: Precomputed}}.

    One scan as lean as a hand-written query when every respondent answered every
    question validly (the usual case); otherwise two more: the respondents whose every
    answer is valid (sums and counts), and the others (counts per column of blank and
    off-scale answers, and their valid answers for the ``drop_answer`` policy).
    """
    from ..indicators.survey import column_name, sample_rule

    rubric = engine.rubric
    spec = (getattr(rubric, "evidence_spec", None) or {}).get("tables", {}).get(table.name, {})
    spec = spec if isinstance(spec, dict) else {}
    policy = str(spec.get("invalid", "drop_respondent"))
    rule = sample_rule(evidence, spec)
    cols: dict[str, tuple[Indicator, Any]] = {}
    for ind in indicators:
        column = str(ind.options["column"])
        if column not in table.columns:
            msg = f"table '{table.name}' ({table.where}) has no answer column '{column}'"
            raise EvidenceError(
                msg, hint=f"columns found: {', '.join(table.columns)}", code="missing-column"
            )
        cols[column] = (ind, rubric.scales[ind.scale])
    headers = _headers(rubric, table, list(cols))
    mapped = {c: _answer_sql(c, table.columns[c].kind, scale) for c, (_, scale) in cols.items()}
    tests = {
        c: _valid_sql(c, table.columns[c].kind, scale, table.columns[c].scale)
        for c, (_, scale) in cols.items()
    }
    present = {
        c: quote_ident(c) if table.columns[c].kind == "number" else f"NULLIF({quote_ident(c)}, '')"
        for c in cols
    }
    # a plain predicate (no coalesce, no CASE) lets DuckDB push it into the scan; NULL is
    # never valid, and a row is left out of the valid set when any test is false or NULL
    valid = " AND ".join(tests.values()) or "TRUE"
    plain_sum = {
        c: f"sum({quote_ident(c)})"
        if _identity(scale) and table.columns[c].kind == "number"
        else f"sum({mapped[c]})"
        for c, (_, scale) in cols.items()
    }
    good_aggs = [("sum", "count(*)")] + [("sum", plain_sum[c]) for c in cols]
    try:
        # one scan (as lean as the hand-written query): all sums, the row totals, and how
        # many respondents answered everything validly; when that is every respondent
        # (the usual case) those sums are the valid sums. Otherwise (or when a sum over
        # invalid cells overflows) the valid respondents are summed on their own.
        types: dict[str, str] = {}
        try:
            one = grouped_query(
                con,
                table,
                gexpr,
                [],
                [*good_aggs, ("sum", f"count_if({valid})")],
                store=f"{table.view}__survey",
                store_types=types,
            )
        except duckdb_error():
            one = None  # a real error recurs (and is reported) on the queries below
        if one is not None:
            totals = {k: (v[0],) for k, v in one.items()}
        else:
            totals = grouped_query(con, table, gexpr, [], [("sum", "count(*)")])
        if one is not None and all(int(v[0]) == int(v[-1]) for v in one.values()):
            good = {k: v[:-1] for k, v in one.items()}
            if stored is not None and gexpr is not None:
                store = f"{table.view}__survey"
                for i, (ind, scale) in enumerate(cols.values()):
                    stored.add(ind.id, store, _survey_fact_sql(types, i, scale))
        else:
            good = grouped_query(con, table, gexpr, [], good_aggs, where=valid)
        bad: dict[Any, tuple] = {}
        if any(int(good.get(k, (0,))[0]) != int(v[0]) for k, v in totals.items()):
            bad_aggs = [("sum", "count(*)")]
            for c in cols:
                bad_aggs += [
                    ("sum", f"count({present[c]})"),  # non-blank answers
                    ("sum", f"count({mapped[c]})"),  # valid answers
                    ("sum", f"sum({mapped[c]})"),
                ]
            where_bad = f"NOT coalesce({valid}, false)"
            bad = grouped_query(con, table, gexpr, [], bad_aggs, where=where_bad)
    except duckdb_error() as exc:
        if resniff_needed(exc, table):
            raise Resniff(table.name) from None  # as records_part: read the column as text
        raise runtime_error(exc, indicators[0], table) from None
    empty_good = tuple([0] * len(good_aggs))
    empty_bad = tuple([0] * (1 + 3 * len(cols)))
    out: dict[str, dict[Any, Precomputed]] = {ind.id: {} for ind in indicators}
    # worded once per column, not once per group
    off_scale = {c: f"is not on scale '{s.name}' ({s.describe()})" for c, (_, s) in cols.items()}
    names = {c: column_name(c, headers.get(c)) for c in cols}
    for key in totals:
        g, b = good.get(key, empty_good), bad.get(key, empty_bad)
        kept, rejected = int(g[0]), int(b[0])
        questions = []
        for i, (c, (ind, scale)) in enumerate(cols.items()):
            nonblank_bad, valid_bad, sum_bad = b[1 + 3 * i : 4 + 3 * i]
            answered, n = g[1 + i] or 0, kept
            if policy != "drop_respondent":
                answered, n = answered + (sum_bad or 0), n + int(valid_bad)
            problems = {"is blank": rejected - int(nonblank_bad)}
            problems[off_scale[c]] = int(nonblank_bad) - int(valid_bad)
            questions.append(_Question(ind, scale, c, n, Decimal(answered), problems, names[c]))
        survey = _Survey(table, policy, kept + rejected, rejected, questions, rule)
        for q in questions:
            out[q.ind.id][key] = survey.precomputed(q)
    return out


def _headers(rubric: Rubric, table: BulkTable, columns: list[str]) -> dict[str, str]:
    """The header each declared column was read from (``u3`` → ``Waktu Pelayanan``), as
    the document path's cells name it (their provenance key)."""
    from ..evidence.schema import table_spec

    spec = table_spec(rubric, table.name)
    out: dict[str, str] = {}
    for col in spec.columns if spec is not None else ():
        found = [h for h in table.header if col.accepts(h)]
        if col.name in columns and len(found) == 1:
            out[col.name] = found[0]
    return out


@dataclass
class _Question:
    """One survey question's counts in one group: valid answers, their sum, problems."""

    ind: Indicator
    scale: Any
    column: str
    n: int
    answered: Decimal  # Σ of the valid answers that count
    problems: dict[str, int]  # reason → answers of this column with it
    name: str = ""  # the column as warnings name it: ``u3 (Waktu Pelayanan)``


def _reasons(questions: list[_Question]) -> list[str]:
    """``u3 (Waktu) is blank: 2 row(s)`` for every problem of ``questions``."""
    return [
        f"{q.name} {reason}: {count} row(s)"
        for q in questions
        for reason, count in q.problems.items()
        if count
    ]


@dataclass
class _Survey:
    """A response table's counts in one group, worded as the survey type words them
    (:mod:`evalengine.indicators.survey`): the same facts, extra fields and warnings,
    with counts per reason where the interpreter lists rows."""

    table: BulkTable
    policy: str
    respondents: int
    rejected: int  # respondents with any invalid answer
    questions: list[_Question]
    rule: Any  # SampleRule | None

    @property
    def sample(self) -> int:
        if self.policy == "drop_respondent":
            return self.respondents - self.rejected
        return min((q.n for q in self.questions), default=0)

    def reasons(self, question: _Question) -> list[str]:
        """``extra.dropped_reasons``: every column's under drop_respondent, else its own."""
        if self.policy == "drop_respondent":
            return list(self._every_reason)
        return _reasons([question])

    @cached_property
    def _every_reason(self) -> list[str]:
        return _reasons(self.questions)

    def precomputed(self, q: _Question) -> Precomputed:
        ind, table, policy = q.ind, self.table, self.policy
        pre = Precomputed({})
        nrr = None
        if q.n:
            with localcontext(CONTEXT):
                nrr = q.answered / q.n
        else:
            pre.error = EvidenceError(
                f"'{ind.id}': no valid answer in column '{q.column}' of table "
                f"'{table.name}' ({table.where})",
                location=ind.location,
                code="no-answers",
            )
        drop_respondent = policy == "drop_respondent"
        dropped = self.rejected if drop_respondent else sum(q.problems.values())
        pre.facts = {
            "nrr": nrr,
            "n": Decimal(q.n),
            "total": q.answered,
            "scale_min": q.scale.min,
            "scale_max": q.scale.max,
        }
        pre.extra = {
            "source": "table",
            "table": table.name,
            "column": q.column,
            "n": Decimal(q.n),
            "total": q.answered,
            "respondents": Decimal(self.respondents),
            "policy": policy,
            "dropped": Decimal(dropped),
            "dropped_reasons": self.reasons(q),
        }
        if self.rule is not None:
            pre.extra |= self.rule.extra(self.sample)
        action = "respondent dropped" if drop_respondent else "answer dropped"
        for reason, count in q.problems.items():
            if count:
                pre.warnings.append(invalid_warning(count, table.where, q.name, reason, action))
        if q is self.questions[0]:
            problems = sum(sum(x.problems.values()) for x in self.questions)
            if problems:
                pre.warnings.append(
                    dropped_summary(
                        table.name,
                        table.where,
                        policy,
                        (self.rejected, self.respondents),
                        problems,
                    )
                )
            if self.rule is not None and (low := self.rule.warning(self.sample)):
                pre.warnings.append(low)
        pre.note = lambda: (  # worded when read: hundreds of groups never show theirs
            f"NRR = Σ valid answers / n = {plain(q.answered)} / {q.n} over column "
            f"'{q.column}' of table '{table.name}' ({table.where}); {dropped} "
            + ("respondents" if drop_respondent else "answers")
            + f" dropped under policy {policy}, computed on DuckDB"
        )
        return pre


def _survey_fact_sql(types: dict[str, str], i: int, scale) -> dict[str, Any]:
    """``self.nrr``, ``self.n``, ``self.total`` and the scale ends of question ``i``
    (``types``: the stored table's column types)."""
    from ..evaluate.sql import SqlValue, decimal_scale, decimal_type

    n = stored_decimal("__a0", types["__a0"])
    total = stored_decimal(f"__a{1 + i}", types[f"__a{1 + i}"])

    def lit(value: Decimal):
        s = decimal_scale(value)
        return SqlValue("number", f"CAST('{value:f}' AS {decimal_type(s)})", s, bound=abs(value))

    nrr = stored_fraction(total, "__a0")  # a mean of answers on the scale: within its ends
    return {
        "nrr": replace(nrr, bound=max(abs(scale.min), abs(scale.max))),
        "n": n,
        "total": total,
        "scale_min": lit(scale.min),
        "scale_max": lit(scale.max),
    }
