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
    other_answered, other_ids = _other_versions(rubric, evidence, diags, types)
    allowed_stages = set(rubric.stages) | {ANY_STAGE}
    for iid, per_stage in evidence.answers.items():
        if iid not in answered and iid in other_answered:
            continue  # an answer for another version this evidence declares it answers
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
        if iid not in by_id and iid not in node_ids and iid not in other_ids:
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


def declared_versions(evidence: Evidence) -> list[str]:
    """The rubric versions ``[evidence] versions`` says the file answers (empty if none)."""
    raw = evidence.meta.get("versions")
    if raw is None:
        return []
    return [str(v) for v in (raw if isinstance(raw, list) else [raw])]


def _other_versions(
    rubric: Rubric, evidence: Evidence, diags: list[Diagnostic], types
) -> tuple[set[str], set[str]]:
    """Ids answered, and all ids, in the *other* versions the evidence declares it answers.

    ``[evidence] versions = ["2015", "2021"]`` says one file answers several versions of
    one rubric id (a bridging file, e.g. for ``evalengine diff``). Scored under one of
    them, answers and stated figures that belong to another declared version are then
    tolerated; anything else unknown is still an error. The other versions are looked up
    beside the scored rubric's file first, then among the installed rubrics. A declared
    version that cannot be found, or a scored version the list does not name, is an error.
    """
    versions = declared_versions(evidence)
    if not versions:
        return set(), set()
    from pathlib import Path

    from ..rubric.load import load_rubric
    from ..rubric.versions import installed_rubrics, rubric_dirs

    where = evidence.location(("evidence", "versions"))
    if rubric.version not in versions:
        diags.append(
            Diagnostic(
                "error",
                "wrong-version",
                f"this evidence answers {rubric.id} version(s) {', '.join(versions)}, "
                f"not {rubric.version}",
                where,
                "score it with a version it names, or add this version to [evidence] versions",
            )
        )
        return set(), set()
    dirs = [Path(rubric.path).parent] if rubric.path else []
    found: dict[str, Path] = {}
    for info in installed_rubrics([*dirs, *rubric_dirs()]):
        if info.id == rubric.id:
            found.setdefault(info.version, info.path)
    answered: set[str] = set()
    ids: set[str] = set()
    for version in versions:
        if version == rubric.version:
            continue
        if version not in found:
            diags.append(
                Diagnostic(
                    "error",
                    "unknown-version",
                    f"[evidence] versions names {rubric.id} version {version}, "
                    "which is not installed",
                    where,
                    f"installed versions of {rubric.id}: {', '.join(sorted(found)) or '(none)'}",
                )
            )
            continue
        other = load_rubric(found[version])
        ids |= set(other.by_id())
        answered |= {
            i.id for i in other.indicators() if i.type in types and types.get(i.type).answered
        }
    return answered, ids


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
