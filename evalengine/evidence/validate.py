"""Does this evidence fit this rubric? Unknown ids, missing and out-of-scale answers, stages.

All problems are collected, so the user fixes the file in one pass.
"""

from __future__ import annotations

from ..errors import Diagnostic, EvidenceError, with_suggestion
from ..rubric.model import Rubric
from .model import ANY_STAGE, Evidence


def evidence_problems(rubric: Rubric, evidence: Evidence, *, plugins=None) -> list[Diagnostic]:
    """Every mismatch between ``evidence`` and ``rubric``."""
    from ..plugins import default_plugins

    plugins = plugins or default_plugins()
    types = plugins.indicator_types
    diags: list[Diagnostic] = []
    by_id = rubric.by_id()
    answered = {
        ind.id: ind
        for ind in rubric.indicators()
        if ind.type in types and types.get(ind.type).answered
    }
    named = evidence.meta.get("rubric")
    if named is not None and str(named) != rubric.id:
        diags.append(
            Diagnostic(
                "error",
                "wrong-rubric",
                f"this evidence is for rubric '{named}', not '{rubric.id}'",
                evidence.location(("evidence", "rubric")),
                "score it with the rubric it names, or correct [evidence] rubric",
            )
        )
    allowed_stages = set(rubric.stages) | {ANY_STAGE}
    for iid, per_stage in evidence.answers.items():
        if iid not in answered:
            hint = (
                "it is computed, not answered"
                if iid in by_id
                else with_suggestion(
                    f"answered indicators: {', '.join(list(answered)[:12])}…"
                    if len(answered) > 12
                    else f"answered indicators: {', '.join(answered)}",
                    iid,
                    answered,
                )
            )
            diags.append(
                Diagnostic(
                    "error",
                    "unknown-indicator",
                    f"unknown indicator `{iid}` in [answers]",
                    evidence.location(("answers", iid)),
                    hint,
                )
            )
            continue
        ind = answered[iid]
        for stage, value in per_stage.items():
            if stage not in allowed_stages:
                diags.append(
                    Diagnostic(
                        "error",
                        "unknown-stage",
                        f"unknown stage `{stage}` for `{iid}`",
                        value.location,
                        with_suggestion(
                            f"stages: {', '.join(rubric.stages) or '(none)'}", stage, rubric.stages
                        ),
                    )
                )
                continue
            option_values = {o.value for o in types.get(ind.type)().answer_options(ind, rubric)}
            scale = rubric.scales.get(ind.scale) if ind.scale else None
            if scale is not None and scale.resolve(value.value) is None:
                diags.append(
                    Diagnostic(
                        "error",
                        "out-of-scale",
                        f"answer {value.value!r} for `{iid}` is not on scale '{scale.name}'",
                        value.location,
                        f"allowed: {scale.describe()}",
                    )
                )
            elif scale is None and option_values and _as_answer(value.value) not in option_values:
                diags.append(
                    Diagnostic(
                        "error",
                        "out-of-scale",
                        f"answer {value.value!r} for `{iid}` is not allowed",
                        value.location,
                    )
                )
    for iid, ind in answered.items():
        if ind.optional:
            continue
        per_stage = evidence.answers.get(iid, {})
        stages = rubric.stages or (ANY_STAGE,)
        missing = [s for s in stages if s not in per_stage and ANY_STAGE not in per_stage]
        if missing:
            which = "" if missing == [ANY_STAGE] else f" (stage {', '.join(missing)})"
            diags.append(
                Diagnostic(
                    "error",
                    "missing-answer",
                    f"no answer for `{iid}` {ind.label}{which}",
                    evidence.location(("answers",)),
                    f"add {iid} = … under [answers]"
                    + (f"; scale: {rubric.scales[ind.scale].describe()}" if ind.scale else ""),
                )
            )
    node_ids: set[str] = set()
    for ind in rubric.indicators():
        if ind.type in types:
            node_ids |= types.get(ind.type)().node_ids(ind, evidence)
    for iid in evidence.stated:
        if iid not in by_id and iid not in node_ids:
            diags.append(
                Diagnostic(
                    "error",
                    "unknown-indicator",
                    f"unknown indicator `{iid}` in [stated]",
                    evidence.location(("stated", iid)),
                    with_suggestion("stated figures are keyed by indicator id", iid, by_id),
                )
            )
    return diags


def _as_answer(value):
    from decimal import Decimal

    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def check_evidence(rubric: Rubric, evidence: Evidence, *, plugins=None) -> None:
    """Raise one :class:`EvidenceError` listing every problem, if there are any."""
    diags = [
        d for d in evidence_problems(rubric, evidence, plugins=plugins) if d.severity == "error"
    ]
    if diags:
        first = diags[0]
        raise EvidenceError(
            first.message,
            location=first.location,
            hint=first.hint,
            code=first.code,
            diagnostics=diags,
        )
