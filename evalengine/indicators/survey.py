"""The ``survey`` indicator type: the mean of valid answers in one column of a response table (NRR).

A rubric writes, per question (*unsur*)::

    [indicators.u1]
    type = "survey"
    table = "responses"        # [tables.responses] of the evidence: one row per respondent
    column = "u1"              # the answer column (declared in [evidence.tables.responses])
    scale = "jawaban"          # the answer scale, e.g. 1–4
    fallback = "evidence.nrr.u1"   # optional: the published NRR when there is no table

and, for the table as a whole, in the rubric's ``[evidence.tables.responses]``::

    invalid = "drop_respondent"   # or "drop_answer"
    min_sample = "krejcie_morgan" # warn below the minimum for [evidence] population = N
    between_rows = "formula_up"   # or "next_row"

**Invalid answers are never summed.** An answer that is not on the scale (a 5 on a
1–4 scale, ``"x"``, 2.5) or blank is invalid. The rubric states one policy for the
table: ``drop_respondent`` leaves the whole respondent out of every question (the
respondent is incomplete), ``drop_answer`` leaves out only that answer. Either way the
count and the reasons are in ``extra`` (``dropped``, ``dropped_reasons``) and in a
warning on the question concerned; the table-level summary and the sample-size
warning are on the first question of the table.

Value: NRR = Σ valid answers / n (exact). Facts for formulas: ``self.nrr``, ``self.n``,
``self.total``, ``self.scale_min``, ``self.scale_max``; the default value is ``self.nrr``
and the default maximum ``self.scale_max``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import Diagnostic, EvidenceError, Location
from ..evaluate.interpreter import Input
from ..evidence.model import EvidenceValue, Provenance
from ..hookspecs import hookimpl
from ..numbers import CONTEXT, plain, to_decimal
from .base import Fact, IndicatorType
from .sampling import POLICIES, min_sample
from .tabular import (
    SHOWN_ROWS,
    bound_table,
    fallback_value,
    formula_problems,
    required_options,
    row_label,
    spec_problems_once,
)

if TYPE_CHECKING:
    from ..evaluate.engine import IndicatorContext, Outcome
    from ..evidence.schema import BoundTable
    from ..rubric.model import Indicator, Rubric, Scale

#: Policies for invalid (out-of-scale or blank) answers, and what they mean.
INVALID_POLICIES = {
    "drop_respondent": "drop the whole respondent (incomplete or invalid answers)",
    "drop_answer": "drop only the invalid answer; the respondent counts for the other questions",
}
#: Most reasons listed in ``extra.dropped_reasons`` (the count is always complete).
MAX_REASONS = 20


@dataclass(frozen=True)
class Problem:
    """One invalid answer: where, which column, what was written, and why it is invalid."""

    row_index: int
    label: str
    column: str
    raw: Any
    reason: str
    provenance: Provenance

    def describe(self) -> str:
        """``row 5 (responses.csv): u3 = '5' is not on scale 1, 2, 3, 4``."""
        name = column_name(self.column, self.provenance.key)
        return f"{self.label}: {name} = {_shown(self.raw)} {self.reason}"


def _shown(raw: Any) -> str:
    """An answer as written: ``5`` (a number cell), ``'5'`` (text)."""
    return plain(raw) if isinstance(raw, Decimal) else repr(raw)


@dataclass(frozen=True)
class SampleRule:
    """The Krejcie–Morgan minimum a sample is held to, for the population the evidence
    gives (``[evidence] population``) and the rubric's ``between_rows`` policy."""

    population: Decimal
    policy: str
    minimum: int

    def extra(self, sample: int) -> dict[str, Any]:
        """The fields a survey question's ``extra`` carries about its sample."""
        return {
            "population": self.population,
            "sample": Decimal(sample),
            "sample_min": Decimal(self.minimum),
            "sample_rule": f"Krejcie–Morgan ({self.policy})",
        }

    def warning(self, sample: int) -> str | None:
        """The warning for a ``sample`` below the minimum (None when it is enough)."""
        if sample >= self.minimum:
            return None
        return (
            f"sample of {sample} respondents is below the Krejcie–Morgan minimum of "
            f"{self.minimum} for a population of {plain(self.population)} ({self.policy})"
        )


#: Rows a per-reason warning names (the count is always complete).
WARNED_ROWS = 5


def column_name(column: str, header: str | None) -> str:
    """``u3 (Waktu Pelayanan)``: the declared answer column and the header it was read
    from, when they differ."""
    return f"{column} ({header})" if header and header != column else column


def invalid_warning(
    count: int, where: str, name: str, reason: str, action: str, rows: list[str] = ()
) -> str:
    """The warning for the invalid answers of one question with one reason, worded alike
    on both engines: ``2 row(s) (responses.csv): u7 (Prilaku Pelaksana) is blank —
    reported, never summed (respondent dropped)``. The document path, which has the
    rows, adds the first of them (``; rows 103, 104``); DuckDB counts them only."""
    text = f"{count} row(s) ({where}): {name} {reason} — reported, never summed ({action})"
    if rows:
        more = ", …" if count > len(rows) else ""
        text += f"; {'row' if count == 1 else 'rows'} {', '.join(rows)}{more}"
    return text


def dropped_summary(
    name: str, where: str, policy: str, respondents: tuple[int, int], answers: int
) -> str:
    """The warning on a table's first question: what the invalid answers cost, under
    ``policy`` (``respondents``: dropped and all; ``answers``: invalid answers)."""
    what = (
        f"{respondents[0]} of {respondents[1]} respondents dropped"
        if policy == "drop_respondent"
        else f"{answers} answers dropped"
    )
    return (
        f"table '{name}' ({where}): {what} (policy {policy}: {INVALID_POLICIES[policy]}); "
        "reasons in extra.dropped_reasons"
    )


def sample_rule(evidence, options: dict[str, Any]) -> SampleRule | None:
    """The sample rule when the rubric asks for one (``min_sample = "krejcie_morgan"`` on
    the table) and the evidence gives the population; the interpreter and the bulk path
    both use it."""
    if options.get("min_sample") != "krejcie_morgan":
        return None
    raw = evidence.meta.get("population")
    if raw is None:
        return None
    where = evidence.location(("evidence", "population"))
    try:
        population = to_decimal(raw)
    except ValueError as exc:
        msg = f"[evidence] population must be a number: {exc}"
        raise EvidenceError(msg, location=where) from None
    policy = str(options.get("between_rows", "formula_up"))
    try:
        minimum = min_sample(population, policy)
    except ValueError as exc:  # a population below 1
        msg = f"[evidence] population: {exc}"
        raise EvidenceError(
            msg, location=where, hint="the number of people the unit served in the period"
        ) from None
    return SampleRule(population, policy, minimum)


@dataclass
class SurveyTable:
    """One response table checked once: valid answers per column, problems, dropped rows."""

    table: BoundTable
    policy: str
    columns: dict[str, Scale]  # answer column → scale, in rubric order
    first_indicator: str
    valid: dict[str, list[tuple[int, Decimal, EvidenceValue]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    dropped_rows: set[int] = field(default_factory=set)
    sample_rule: SampleRule | None = None

    def answers(self, column: str) -> list[tuple[int, Decimal, EvidenceValue]]:
        """The valid answers of ``column`` that count under the policy."""
        if self.policy == "drop_respondent":
            return [a for a in self.valid[column] if a[0] not in self.dropped_rows]
        return self.valid[column]

    @property
    def sample(self) -> int:
        """Respondents that count: kept rows, or the smallest n of any question."""
        if self.policy == "drop_respondent":
            return len(self.table) - len(self.dropped_rows)
        return min((len(v) for v in self.valid.values()), default=0)


def _answer(raw: Any, scale: Scale) -> tuple[Decimal | None, str | None]:
    """The value of one answer on ``scale``, or None and why it is invalid."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "is blank"
    candidate: Any = raw
    if isinstance(raw, str):
        try:
            candidate = to_decimal(raw)
        except ValueError:
            candidate = raw.strip()
    resolved = scale.resolve(candidate)
    if resolved is None and isinstance(candidate, Decimal):
        resolved = scale.resolve(f"{candidate.normalize():f}")
    if resolved is None:
        return None, f"is not on scale '{scale.name}' ({scale.describe()})"
    return resolved[1], None


def survey_table(ctx: IndicatorContext, name: str) -> SurveyTable | None:
    """The response table ``name`` checked against every survey question that reads it (cached)."""
    cache: dict[str, SurveyTable] = ctx.run.__dict__.setdefault("_survey_tables", {})
    if name in cache:
        return cache[name]
    table = bound_table(ctx, name)
    if table is None:
        return None
    rubric = ctx.rubric
    owners = [
        ind
        for ind in rubric.indicators()
        if ind.type == "survey" and ind.options.get("table") == name
    ]
    columns = {str(ind.options["column"]): rubric.scales[ind.scale] for ind in owners}
    options = table.spec.options if table.spec is not None else {}
    policy = str(options.get("invalid", "drop_respondent"))
    st = SurveyTable(table, policy, columns, owners[0].id)
    for column in columns:
        if column not in table.columns and not any(column in row for row in table.rows[:1]):
            msg = f"table '{name}' ({table.where}) has no answer column '{column}'"
            raise EvidenceError(
                msg,
                location=Location(table.source.file, 1, None, f"tables.{name}"),
                hint=f"columns found: {', '.join(table.columns)}",
                code="missing-column",
            )
        st.valid[column] = []
    # a survey has a handful of distinct answers: each is read on its scale once
    answers: dict[tuple[str, type, str], tuple[Decimal | None, str | None]] = {}
    for index, row in enumerate(table.rows):
        for column, scale in columns.items():
            cell = row.get(column)
            if cell is None:  # an inline row without this key: a blank answer
                first = next(iter(row.values())).provenance
                cell = EvidenceValue(None, replace(first, key=column, cell=None))
            key = (scale.name, type(cell.value), str(cell.value))
            if key not in answers:
                answers[key] = _answer(cell.value, scale)
            value, reason = answers[key]
            if reason is not None:
                label = f"{row_label(table, row)} ({table.where})"
                st.problems.append(
                    Problem(index, label, column, cell.value, reason, cell.provenance)
                )
                if policy == "drop_respondent":
                    st.dropped_rows.add(index)
            else:
                st.valid[column].append((index, value, cell))
    st.sample_rule = sample_rule(ctx.evidence, options)
    cache[name] = st
    return st


class SurveyType(IndicatorType):
    """The mean of the valid answers of one question over a table of respondents (NRR)."""

    name = "survey"
    description = (
        "mean of valid answers in one column of a response table (NRR); invalid answers reported"
    )
    options: ClassVar[dict[str, str]] = {
        "table": "evidence table of responses ([tables.<name>]), one row per respondent",
        "column": "the answer column of this question",
        "fallback": "formula for the value when the evidence has no such table (published NRR)",
    }
    text_options: ClassVar[tuple[str, ...]] = ("table", "column")

    def __init__(self) -> None:
        self.extra: dict[str, Any] = {}
        self.warnings: list[str] = []
        self.inputs: list[Input] = []
        self.note: str | None = None

    def default_value(self, indicator: Indicator, rubric: Rubric) -> str | None:
        return "self.nrr"

    def default_max(self, indicator: Indicator, rubric: Rubric) -> str | None:
        return "self.scale_max"

    def validate(self, indicator: Indicator, rubric: Rubric) -> list[Diagnostic]:
        diags = required_options(indicator, ("table", "column"), "survey")
        if indicator.scale is None:
            diags.append(
                Diagnostic(
                    "error",
                    "missing-scale",
                    f"survey indicator '{indicator.id}' has no `scale`",
                    indicator.location,
                    f"add scale = one of: {', '.join(rubric.scales) or '(no scales declared)'}",
                )
            )
        table = indicator.options.get("table")
        tables = rubric.evidence_spec.get("tables") or {}
        # a `table` that is no name (a list, a number) is reported by the table check
        spec = tables.get(table, {}) if isinstance(table, str) and isinstance(tables, dict) else {}
        if isinstance(spec, dict):
            policy = spec.get("invalid", "drop_respondent")
            if not isinstance(policy, str) or policy not in INVALID_POLICIES:
                diags.append(
                    Diagnostic(
                        "error",
                        "value",
                        f"unknown invalid-answer policy '{policy}'",
                        Location(
                            rubric.path,
                            key=f"evidence.tables.{indicator.options.get('table')}.invalid",
                        ),
                        f"policies: {', '.join(INVALID_POLICIES)}",
                    )
                )
            between = spec.get("between_rows", "formula_up")
            if between not in POLICIES:
                diags.append(
                    Diagnostic(
                        "error",
                        "value",
                        f"unknown Krejcie–Morgan policy '{between}'",
                        Location(
                            rubric.path,
                            key=f"evidence.tables.{indicator.options.get('table')}.between_rows",
                        ),
                        f"policies: {', '.join(POLICIES)}",
                    )
                )
        return (
            diags
            + spec_problems_once(rubric, indicator)
            + formula_problems(rubric, indicator, ("fallback",))
        )

    def facts(self, indicator: Indicator, ctx: IndicatorContext) -> dict[str, Fact]:
        scale = ctx.rubric.scales[indicator.scale]
        name = str(indicator.options["table"])
        column = str(indicator.options["column"])
        facts = {"scale_max": Fact(scale.max), "scale_min": Fact(scale.min)}
        st = survey_table(ctx, name)
        if st is None:
            value, provenance, text = fallback_value(ctx, indicator, name)
            if not isinstance(value, Decimal) or not scale.min <= value <= scale.max:
                msg = (
                    f"published value {value!r} of '{indicator.id}' is outside scale "
                    f"'{scale.name}' ({plain(scale.min)}–{plain(scale.max)})"
                )
                location = getattr(provenance, "location", indicator.location)
                raise EvidenceError(msg, location=location, code="out-of-scale")
            self.extra = {"source": "fallback", "table": name, "fallback": text}
            self.note = f"published value (no table '{name}' in the evidence)"
            return facts | {"nrr": Fact(value, provenance), "n": Fact(None), "total": Fact(None)}
        answers = st.answers(column)
        if not answers:
            msg = (
                f"'{indicator.id}': no valid answer in column '{column}' "
                f"of table '{name}' ({st.table.where})"
            )
            raise EvidenceError(
                msg,
                location=Location(st.table.source.file, key=f"tables.{name}"),
                hint=f"{len(st.problems)} invalid answers; policy {st.policy}",
                code="no-answers",
            )
        n = len(answers)
        with localcontext(CONTEXT):
            total = sum((a[1] for a in answers), Decimal(0))
            nrr = total / n
        self._report(indicator, st, column, total, n, answers)
        return facts | {
            "nrr": Fact(nrr, st.table.source),
            "n": Fact(Decimal(n), st.table.source),
            "total": Fact(total, st.table.source),
        }

    def _report(self, indicator, st: SurveyTable, column: str, total, n, answers) -> None:
        """Fill extra, warnings, derivation rows and note for one question."""
        own = [p for p in st.problems if p.column == column]
        if st.policy == "drop_respondent":
            dropped = len(st.dropped_rows)
            reasons = st.problems
        else:
            dropped = len(own)
            reasons = own
        listed = [p.describe() for p in reasons[:MAX_REASONS]]
        if len(reasons) > MAX_REASONS:
            listed.append(f"… and {len(reasons) - MAX_REASONS} more")
        self.extra = {
            "source": "table",
            "table": st.table.name,
            "column": column,
            "n": Decimal(n),
            "total": total,
            "respondents": Decimal(len(st.table)),
            "policy": st.policy,
            "dropped": Decimal(dropped),
            "dropped_reasons": listed,
        }
        if st.sample_rule is not None:
            self.extra |= st.sample_rule.extra(st.sample)
        action = "respondent dropped" if st.policy == "drop_respondent" else "answer dropped"
        by_reason: dict[tuple[str, str], list[Problem]] = {}
        for p in own:
            by_reason.setdefault((column_name(p.column, p.provenance.key), p.reason), []).append(p)
        # blanks first, as DuckDB counts them
        for (name, reason), found in sorted(by_reason.items(), key=lambda k: k[0][1] != "is blank"):
            rows = [
                str(p.provenance.row) + ("" if reason == "is blank" else f" = {_shown(p.raw)}")
                for p in found[:WARNED_ROWS]
                if p.provenance.row is not None
            ]
            self.warnings.append(
                invalid_warning(len(found), st.table.where, name, reason, action, rows)
            )
        if indicator.id == st.first_indicator:
            if st.problems:
                self.warnings.append(
                    dropped_summary(
                        st.table.name,
                        st.table.where,
                        st.policy,
                        (len(st.dropped_rows), len(st.table)),
                        len(st.problems),
                    )
                )
            if st.sample_rule is not None and (low := st.sample_rule.warning(st.sample)):
                self.warnings.append(low)
        self.inputs = [
            Input(f"{row_label(st.table, st.table.rows[i])}: {column}", value, cell)
            for i, value, cell in answers[:SHOWN_ROWS]
        ]
        self.note = (
            f"NRR = Σ valid answers / n = {plain(total)} / {n} over column '{column}' of table "
            f"'{st.table.name}' ({st.table.where}); {dropped} "
            + ("respondents" if st.policy == "drop_respondent" else "answers")
            + f" dropped under policy {st.policy}"
        )

    def evaluate(self, indicator: Indicator, ctx: IndicatorContext) -> Outcome:
        outcome = ctx.evaluate_formulas(self)
        outcome.extra.update(self.extra)
        outcome.warnings.extend(self.warnings)
        outcome.derivation.inputs.extend(self.inputs)
        outcome.derivation.note = self.note
        return outcome


@hookimpl
def register_indicator_types():
    """The survey indicator type."""
    return [SurveyType]
