"""Re-evaluating one stage of a rubric with changed answers, fast and exactly.

Every number ``gap``, the leverage table and what-if scoring report comes from a real
evaluation by the engine with the changed answers (so formulas, caps, weights and the
rubric's rounding are respected), never from arithmetic on the printed values. A
:class:`Prober` validates the evidence once, then runs only the stage being analysed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..errors import UsageError, with_suggestion
from ..evaluate.edges import edge_warning
from ..evaluate.engine import Engine, Outcome
from ..evidence.model import Evidence
from ..evidence.validate import check_evidence
from ..indicators.base import Option
from ..numbers import plain, round_to, to_decimal
from ..rubric.model import Band, BandTable, Indicator, Rubric


@dataclass(frozen=True)
class Answerable:
    """An indicator whose answer can change: its options (lowest first) and current answer."""

    indicator: Indicator
    options: tuple[Option, ...]
    #: Index of the current answer in ``options`` (None: no answer given, an optional one).
    current: int | None

    @property
    def current_label(self) -> str | None:
        """The label of the current answer (None when unanswered)."""
        return None if self.current is None else self.options[self.current].label

    def steps(self, index: int) -> int:
        """Scale positions between the current answer and option ``index``."""
        if self.current is None:
            return index + 1
        return abs(index - self.current)


@dataclass(frozen=True)
class Change:
    """One changed answer: indicator, stage, and the option it changes from and to."""

    indicator: Indicator
    stage: str | None
    option: Option
    old: Option | None
    steps: int

    @property
    def ref(self) -> str:
        """``3.3`` (the code) or the id: what ``--set`` accepts."""
        return self.indicator.code or self.indicator.id

    def set_spec(self) -> str:
        """The ``--set`` argument that applies this change: ``3.3@verifikasi=4``."""
        stage = f"@{self.stage}" if self.stage else ""
        return f"{self.ref}{stage}={self.option.label}"

    def describe(self) -> str:
        """``verifikasi 0 → 2`` (stage, old and new answer)."""
        old = self.old.label if self.old is not None else "—"
        stage = f"{self.stage} " if self.stage else ""
        return f"{stage}{old} → {self.option.label}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "indicator": self.indicator.id,
            "code": self.indicator.code,
            "title": self.indicator.title,
            "stage": self.stage,
            "from": None if self.old is None else self.old.label,
            "to": self.option.label,
            "from_value": None if self.old is None else plain(self.old.value),
            "to_value": plain(self.option.value),
            "steps": self.steps,
            "set": self.set_spec(),
        }


@dataclass(frozen=True)
class Reading:
    """The headline after an evaluation: rounded value, unrounded value and band."""

    value: Decimal
    unrounded: Decimal
    band: Band | None
    #: A band-edge warning (band decided by rounding, or at an edge), as the engine gives.
    warning: str | None = None


def answer_value(indicator: Indicator, option: Option) -> Any:
    """What an evidence file would write for ``option``: the label on a scale, else the value.

    Scale answers are matched by label (``"BB"``, ``"4"``); other answered types are
    validated against their options' values (see ``evidence/validate.py``).
    """
    return option.label if indicator.scale else option.value


def match_option(options: Iterable[Option], raw: Any) -> int | None:
    """Index of the option an answer stands for (by label, case-folded, or by value)."""
    options = list(options)
    if isinstance(raw, str):
        folded = raw.strip().casefold()
        for i, option in enumerate(options):
            if option.label.casefold() == folded:
                return i
    try:
        number = to_decimal(raw)
    except ValueError:
        return None
    for i, option in enumerate(options):
        if option.value == number:
            return i
    return None


class Prober:
    """Evaluates one stage of ``rubric`` on ``evidence`` with changed answers.

    Args:
        rubric: the loaded rubric; its headline needs a value (a band is needed by gap).
        evidence: the evidence; validated once here.
        stage: the stage whose answers change and whose headline is read (default: final).
        plugins: the plugin registries (default: the installation's).
    """

    def __init__(
        self, rubric: Rubric, evidence: Evidence, *, stage: str | None = None, plugins=None
    ) -> None:
        from ..plugins import default_plugins

        self.rubric = rubric
        self.plugins = plugins or default_plugins()
        self.engine = Engine(rubric, plugins=self.plugins)
        check_evidence(rubric, evidence, plugins=self.plugins)
        if stage is not None and stage not in rubric.stages:
            msg = f"rubric '{rubric.id}' has no stage '{stage}'"
            raise UsageError(
                msg,
                hint=with_suggestion(
                    f"stages: {', '.join(rubric.stages) or '(none)'}", stage, rubric.stages
                ),
            )
        self.stage = stage if stage is not None else rubric.final_stage
        self.evidence = evidence
        root = rubric.root
        self.places = self.engine.rounding_places(root)
        self.mode = rubric.rounding.mode
        self.table: BandTable | None = rubric.bands.get(root.band) if root.band else None
        self.evaluations = 0
        self.baseline_outcomes = self._run(evidence)
        self.baseline = self._reading(self.baseline_outcomes)
        self._answerables: list[Answerable] | None = None

    # -- evaluation ------------------------------------------------------------
    def _run(self, evidence: Evidence) -> dict[str, Outcome]:
        self.evaluations += 1
        return self.engine.run_stage(evidence, self.stage)

    def _reading(self, outcomes: dict[str, Outcome]) -> Reading:
        outcome = outcomes[self.rubric.root.id]
        value = outcome.value
        if not isinstance(value, Decimal):
            msg = f"the headline of rubric '{self.rubric.id}' is not a number ({value!r})"
            raise UsageError(msg)
        unrounded = outcome.derivation.unrounded
        if not isinstance(unrounded, Decimal):
            unrounded = value
        warning = None
        if self.table is not None and outcome.derivation.rounding:
            warning = edge_warning(self.table, value, unrounded, self.places)
        return Reading(value, unrounded, self.band(value), warning)

    def apply(self, changes: Iterable[Change]) -> Evidence:
        """The evidence with ``changes`` applied (the file is never edited)."""
        evidence = self.evidence
        for change in changes:
            value = answer_value(change.indicator, change.option)
            evidence = evidence.with_answer(change.indicator.id, value, stage=change.stage)
        return evidence

    def outcomes(self, changes: Iterable[Change] = ()) -> dict[str, Outcome]:
        """Every indicator's outcome at the analysed stage with ``changes`` applied."""
        changes = list(changes)
        if not changes:
            return self.baseline_outcomes
        return self._run(self.apply(changes))

    def reading(self, changes: Iterable[Change] = ()) -> Reading:
        """The headline with ``changes`` applied, evaluated by the engine."""
        changes = list(changes)
        if not changes:
            return self.baseline
        return self._reading(self._run(self.apply(changes)))

    # -- headline arithmetic ---------------------------------------------------
    def round(self, unrounded: Decimal) -> Decimal:
        """The headline value the rubric would report for an unrounded headline."""
        if self.places is None:
            return unrounded
        return round_to(unrounded, self.places, self.mode)

    def band(self, value: Decimal) -> Band | None:
        """The band of a (rounded) headline value."""
        return self.table.classify(value) if self.table is not None else None

    def rank(self, band: Band | None) -> int | None:
        """Ordinal of a band (0 = lowest), None outside every band."""
        if band is None or self.table is None:
            return None
        return self.table.rank(band.label)

    # -- answers ---------------------------------------------------------------
    def answerables(self) -> list[Answerable]:
        """Indicators with a finite set of possible answers, in rubric order."""
        if self._answerables is not None:
            return self._answerables
        types = self.plugins.indicator_types
        out = []
        for ind in self.rubric.indicators():
            if ind.type not in types:
                continue
            options = tuple(types.get(ind.type)().answer_options(ind, self.rubric))
            if not options:
                continue
            out.append(Answerable(ind, options, self._current(ind, options)))
        self._answerables = out
        return out

    def _current(self, ind: Indicator, options: tuple[Option, ...]) -> int | None:
        label = self.baseline_outcomes[ind.id].answer
        if label is not None:
            index = match_option(options, label)
            if index is not None:
                return index
        answer = self.evidence.answer(ind.id, self.stage)
        return None if answer is None else match_option(options, answer.value)

    def change(self, item: Answerable, index: int) -> Change:
        """The change of ``item`` to its option ``index`` at the analysed stage."""
        old = None if item.current is None else item.options[item.current]
        return Change(item.indicator, self.stage, item.options[index], old, item.steps(index))

    def identity(self) -> dict[str, Any]:
        """The rubric and evidence an analysis is about, for the JSON forms."""
        rubric, evidence = self.rubric, self.evidence
        meta = {k: str(v) for k, v in evidence.meta.items() if not k.startswith("_")}
        return {
            "rubric": {"id": rubric.id, "title": rubric.title, "version": rubric.version},
            "evidence": {"path": evidence.path} | meta,
        }


__all__ = ["Answerable", "Change", "Prober", "Reading", "answer_value", "match_option"]
