"""What-if scoring: ``score … --set INDICATOR[@STAGE]=VALUE`` without editing the evidence.

``INDICATOR`` is an indicator id or code (``i3_3`` or ``3.3``); ``@STAGE`` changes the
answer of one stage only (without it every stage's answer changes); ``VALUE`` must be
one of the indicator type's :meth:`~evalengine.indicators.base.IndicatorType.answer_options`
(a label such as ``4`` or ``BB``, or an option's value), so an answer off the scale is
refused, not scored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..errors import UsageError, with_suggestion
from ..evaluate.engine import Engine
from ..evaluate.result import ScoreResult
from ..evidence.model import Evidence
from ..numbers import plain
from ..rubric.model import Rubric
from .probe import Change, Reading, answer_value, match_option


def parse_set(spec: str) -> tuple[str, str | None, str]:
    """``"3.3@verifikasi=2"`` → ``("3.3", "verifikasi", "2")``."""
    ref, sep, value = spec.partition("=")
    ref, value = ref.strip(), value.strip()
    if not sep or not ref or not value:
        msg = f"--set {spec!r}: expected INDICATOR=VALUE or INDICATOR@STAGE=VALUE"
        raise UsageError(msg, hint="e.g. --set 3.3=2 or --set 3.3@verifikasi=2")
    ref, at, stage = ref.partition("@")
    return ref.strip(), (stage.strip() or None) if at else None, value


def resolve_change(rubric: Rubric, evidence: Evidence, spec: str, *, plugins=None) -> Change:
    """The :class:`Change` a ``--set`` argument stands for, checked against the rubric."""
    from ..plugins import default_plugins

    plugins = plugins or default_plugins()
    ref, stage, raw = parse_set(spec)
    ind = rubric.find(ref)
    if ind is None or ind is rubric.root:
        names = [i.code or i.id for i in rubric.indicators()]
        msg = f"--set {spec}: no indicator '{ref}' in rubric '{rubric.id}'"
        raise UsageError(msg, hint=with_suggestion("use an indicator id or code", ref, names))
    options = []
    if ind.type in plugins.indicator_types:
        options = plugins.indicator_types.get(ind.type)().answer_options(ind, rubric)
    if not options:
        msg = f"--set {spec}: indicator '{ind.label}' is computed, not answered"
        raise UsageError(msg, hint="only answered indicators (on a scale) can be set")
    if stage is not None and stage not in rubric.stages:
        msg = f"--set {spec}: rubric '{rubric.id}' has no stage '{stage}'"
        raise UsageError(
            msg,
            hint=with_suggestion(
                f"stages: {', '.join(rubric.stages) or '(none)'}", stage, rubric.stages
            ),
        )
    index = match_option(options, raw)
    if index is None:
        allowed = ", ".join(o.label for o in options)
        msg = f"--set {spec}: {raw!r} is not an answer of '{ind.label}'"
        raise UsageError(msg, hint=f"allowed: {allowed}")
    current_stage = stage or rubric.final_stage
    current = evidence.answer(ind.id, current_stage)
    old_index = None if current is None else match_option(options, current.value)
    old = None if old_index is None else options[old_index]
    steps = index + 1 if old_index is None else abs(index - old_index)
    return Change(ind, stage, options[index], old, steps)


def apply_changes(evidence: Evidence, changes: list[Change]) -> Evidence:
    """The evidence with every change applied (copies; the file is untouched)."""
    for change in changes:
        value = answer_value(change.indicator, change.option)
        evidence = evidence.with_answer(change.indicator.id, value, stage=change.stage)
    return evidence


@dataclass
class WhatIf:
    """The changes applied and the headline before and after them."""

    changes: list[Change]
    before: Reading
    after: Reading
    #: Non-final stages whose headline changed: stage → (before, after).
    stages: dict[str, tuple[Reading, Reading]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""

        def reading(r: Reading) -> dict[str, Any]:
            return {
                "value": plain(r.value),
                "unrounded": plain(r.unrounded),
                "band": None if r.band is None else r.band.label,
                "meaning": None if r.band is None else r.band.meaning,
            }

        return {
            "changes": [c.to_dict() for c in self.changes],
            "before": reading(self.before),
            "after": reading(self.after),
            "delta": plain(self.after.value - self.before.value),
            "stages": {
                stage: {"before": reading(b), "after": reading(a)}
                for stage, (b, a) in self.stages.items()
            },
        }


def headline_reading(result: ScoreResult) -> Reading:
    """The final headline of a scored result as a :class:`Reading`."""
    root = result.root
    unrounded = root.derivation.unrounded if root.derivation.rounding else root.value
    return Reading(root.value, unrounded, root.band)


def stage_changes(before: ScoreResult, after: ScoreResult) -> dict[str, tuple[Reading, Reading]]:
    """Non-final stages whose headline differs between two results."""
    out = {}
    for stage in before.stages[:-1]:
        old, new = before.root.stages.get(stage), after.root.stages.get(stage)
        if isinstance(old, Decimal) and isinstance(new, Decimal) and old != new:
            out[stage] = (
                Reading(old, old, before.root.stage_bands.get(stage)),
                Reading(new, new, after.root.stage_bands.get(stage)),
            )
    return out


def what_if(
    rubric: Rubric, evidence: Evidence, specs: list[str], *, plugins=None
) -> tuple[ScoreResult, WhatIf]:
    """Score ``evidence`` with the ``--set`` changes; the result carries the comparison."""
    engine = Engine(rubric, plugins=plugins)
    before = engine.evaluate(evidence)
    changes = [resolve_change(rubric, evidence, spec, plugins=plugins) for spec in specs]
    after = engine.evaluate(apply_changes(evidence, changes))
    comparison = WhatIf(
        changes, headline_reading(before), headline_reading(after), stage_changes(before, after)
    )
    after.what_if = comparison
    return after, comparison


__all__ = ["WhatIf", "apply_changes", "parse_set", "resolve_change", "what_if"]
