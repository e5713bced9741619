"""The built-in indicator types ``group``, ``score`` and ``formula``, registered as a plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import Diagnostic, EvidenceError
from ..hookspecs import hookimpl
from .base import Fact, IndicatorType, Option

if TYPE_CHECKING:
    from ..evaluate.engine import IndicatorContext
    from ..rubric.model import Indicator, Rubric


class GroupType(IndicatorType):
    """A node whose value comes from its children: ``sum(children)`` unless ``value`` says."""

    name = "group"
    description = "value from child indicators (default sum(children)); max = sum of child maxima"

    def default_value(self, indicator: Indicator, rubric: Rubric) -> str | None:
        return "sum(children)"

    def default_max(self, indicator: Indicator, rubric: Rubric) -> str | None:
        return "sum(children.max)"

    def validate(self, indicator: Indicator, rubric: Rubric) -> list[Diagnostic]:
        if indicator.children:
            return []
        return [
            Diagnostic(
                "error",
                "empty-group",
                f"group indicator '{indicator.id}' has no children",
                indicator.location,
                "add child indicators, or give it a `scale` or a `value` formula",
            )
        ]


class ScoreType(IndicatorType):
    """An answer on a scale, times the indicator's weight (``self.weight * self.answer``)."""

    name = "score"
    description = "an answer on a scale (per stage), value = weight × answer value"
    answered = True

    def default_value(self, indicator: Indicator, rubric: Rubric) -> str | None:
        return "self.weight * self.answer" if indicator.weight is not None else "self.answer"

    def default_max(self, indicator: Indicator, rubric: Rubric) -> str | None:
        scale_max = "self.scale_max"
        return f"self.weight * {scale_max}" if indicator.weight is not None else scale_max

    def validate(self, indicator: Indicator, rubric: Rubric) -> list[Diagnostic]:
        if indicator.scale is None:
            return [
                Diagnostic(
                    "error",
                    "missing-scale",
                    f"score indicator '{indicator.id}' has no `scale`",
                    indicator.location,
                    f"add scale = one of: {', '.join(rubric.scales) or '(no scales declared)'}",
                )
            ]
        return []

    def answer_options(self, indicator: Indicator, rubric: Rubric) -> list[Option]:
        scale = rubric.scales[indicator.scale]
        options = [Option(label, value) for label, value in scale.values.items()]
        return sorted(options, key=lambda o: o.value)

    def facts(self, indicator: Indicator, ctx: IndicatorContext) -> dict[str, Fact]:
        scale = ctx.rubric.scales[indicator.scale]
        facts = {"scale_max": Fact(scale.max), "scale_min": Fact(scale.min)}
        answer = ctx.answer(indicator)
        if answer is None:
            if indicator.optional:
                facts["answer"] = Fact(scale.min)
                facts["answer_label"] = Fact(None)
                return facts
            msg = f"no answer for indicator '{indicator.id}' ({indicator.title})"
            raise EvidenceError(
                msg,
                location=ctx.evidence.location(("answers",)),
                hint=f"add `{indicator.id} = …` under [answers]; scale: {scale.describe()}",
                code="missing-answer",
            )
        resolved = scale.resolve(answer.value)
        if resolved is None:  # evidence validation reports this first; kept as a guard
            msg = f"answer {answer.value!r} for '{indicator.id}' is not on scale '{scale.name}'"
            raise EvidenceError(msg, location=answer.location, hint=f"allowed: {scale.describe()}")
        label, value = resolved
        facts["answer"] = Fact(value, answer)
        facts["answer_label"] = Fact(label, answer)
        return facts


class FormulaType(IndicatorType):
    """Any computed value: the ``value`` formula is required."""

    name = "formula"
    description = "a value computed by the indicator's `value` formula"

    def validate(self, indicator: Indicator, rubric: Rubric) -> list[Diagnostic]:
        if indicator.value is None:
            return [
                Diagnostic(
                    "error",
                    "missing-value",
                    f"formula indicator '{indicator.id}' has no `value` formula",
                    indicator.location,
                    'add value = "…"',
                )
            ]
        return []


@hookimpl
def register_indicator_types():
    """The core's own indicator types."""
    return [GroupType, ScoreType, FormulaType]
