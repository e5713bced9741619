"""Two versions of a rubric side by side: what changed, and what it does to given evidence.

Structure: indicators are matched by id, then the unmatched ones by title similarity
(``difflib``, ratio ≥ :data:`RENAME_RATIO`) as renames; matched indicators are compared
on title, code, type, weight, scale, band, rounding, parent and formulas (as canonical
``unparse`` text, so spacing does not count). Scales, band tables, metadata,
parameters and lookup tables are compared too.

Effect: each evidence file is scored under both versions (answers of renamed
indicators follow the rename; answers the other version has no place for are left
out and listed). The headline, its band and every stage are shown side by side, and
the indicators whose values moved most are listed as the causes of the change.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from ..errors import EvalEngineError
from ..formula import unparse
from ..numbers import plain
from .model import Indicator, Rubric

#: Lowest title similarity for an unmatched pair of indicators to count as a rename.
RENAME_RATIO = 0.6
#: How many indicators ``diff`` lists as causes of a change.
TOP_CAUSES = 10


@dataclass(frozen=True)
class Change:
    """One structural difference."""

    kind: str  # added, removed, renamed, changed
    what: str  # indicator, scale, band, rubric, params, tables
    name: str
    detail: str
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "what": self.what,
            "name": self.name,
            "detail": self.detail,
            "old": _json(self.old),
            "new": _json(self.new),
        }


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


@dataclass
class RubricDiff:
    """The structural differences and the indicator mapping old id → new id."""

    old: Rubric
    new: Rubric
    changes: list[Change] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "old": {"id": self.old.id, "version": self.old.version, "path": self.old.path},
            "new": {"id": self.new.id, "version": self.new.version, "path": self.new.path},
            "changes": [c.to_dict() for c in self.changes],
            "mapping": self.mapping,
        }


def _formula_text(formula) -> str | None:
    return unparse(formula.tree) if formula is not None else None


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


def match_indicators(old: Rubric, new: Rubric) -> tuple[dict[str, str], dict[str, float]]:
    """Old id → new id: declared, then by id, then by title similarity; and rename ratios.

    A new indicator's ``previous`` declares its predecessor (when ids were reused for other
    indicators, as the SKM unsur u1 … u9 were in 2017); ``previous = ""`` declares it new,
    so it is matched to nothing. A ``previous`` naming no old indicator is not followed.
    """
    old_ids = [i.id for i in old.indicators()]
    new_by_id = {i.id: i for i in new.indicators()}
    mapping: dict[str, str] = {}
    declared_new: set[str] = set()
    for ind in new.indicators():
        if ind.previous is None:
            continue
        if ind.previous == "":
            declared_new.add(ind.id)
        elif ind.previous in old_ids and ind.previous not in mapping:
            mapping[ind.previous] = ind.id
    taken = set(mapping.values()) | declared_new
    for i in old_ids:
        if i in new_by_id and i not in mapping and i not in taken:
            mapping[i] = i
    old_left = [i for i in old.indicators() if i.id not in mapping]
    new_left = [
        i for i in new.indicators() if i.id not in mapping.values() and i.id not in declared_new
    ]
    pairs = sorted(
        (
            (_similar(a.title, b.title), a.id, b.id)
            for a in old_left
            for b in new_left
            if bool(a.children) == bool(b.children)  # a leaf becomes a leaf, a group a group
        ),
        reverse=True,
    )
    ratios: dict[str, float] = {}
    used: set[str] = set()
    for ratio, a, b in pairs:
        if ratio < RENAME_RATIO:
            break
        if a in mapping or b in used:
            continue
        mapping[a] = b
        used.add(b)
        ratios[a] = ratio
    return mapping, ratios


def _indicator_changes(a: Indicator, b: Indicator, mapping: dict[str, str]) -> list[str]:
    out = []

    def cmp(label: str, x: Any, y: Any) -> None:
        if x != y:
            out.append(f"{label}: {_show(x)} → {_show(y)}")

    cmp("title", a.title, b.title)
    cmp("code", a.code, b.code)
    cmp("type", a.type, b.type)
    cmp("weight", a.weight, b.weight)
    cmp("scale", a.scale, b.scale)
    cmp("band", a.band, b.band)
    cmp("round", a.round, b.round)
    cmp("optional", a.optional, b.optional)
    cmp("value", _formula_text(a.value), _formula_text(b.value))
    cmp("max", _formula_text(a.max), _formula_text(b.max))
    cmp("options", a.options, b.options)
    parent_a = a.parent.id if a.parent is not None else None
    parent_b = b.parent.id if b.parent is not None else None
    if (
        parent_a is not None
        and parent_b is not None
        and mapping.get(parent_a, parent_a) != (parent_b)
    ):
        out.append(f"moved: under {parent_a} → under {parent_b}")
    return out


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


def diff_rubrics(old: Rubric, new: Rubric) -> RubricDiff:
    """Every structural difference between two rubrics."""
    result = RubricDiff(old, new)
    changes = result.changes
    for key in ("id", "title", "version", "regulation", "valid_from", "valid_until", "stages"):
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            changes.append(Change("changed", "rubric", key, f"{_show(a)} → {_show(b)}", a, b))
    if old.rounding != new.rounding:
        changes.append(Change("changed", "rubric", "rounding", f"{old.rounding} → {new.rounding}"))
    for label, a, b in (
        ("headline band", old.root.band, new.root.band),
        ("headline value", _formula_text(old.root.value), _formula_text(new.root.value)),
        ("headline max", _formula_text(old.root.max), _formula_text(new.root.max)),
    ):
        if a != b:
            changes.append(Change("changed", "rubric", label, f"{_show(a)} → {_show(b)}", a, b))

    mapping, ratios = match_indicators(old, new)
    result.mapping = mapping
    old_by, new_by = old.by_id(), new.by_id()
    for ind in old.indicators():
        if ind.id not in mapping:
            changes.append(Change("removed", "indicator", ind.id, ind.label, ind.label, None))
    for ind in new.indicators():
        if ind.id not in mapping.values():
            changes.append(Change("added", "indicator", ind.id, ind.label, None, ind.label))
    for a_id, b_id in mapping.items():
        a, b = old_by[a_id], new_by[b_id]
        details = _indicator_changes(a, b, mapping | {old.root.id: new.root.id})
        if a_id != b_id:
            changes.append(
                Change(
                    "renamed",
                    "indicator",
                    f"{a_id} → {b_id}",
                    (
                        f"title similarity {ratios[a_id]:.2f}"
                        if a_id in ratios
                        else f"declared: previous = {a_id}"
                    )
                    + (f"; {'; '.join(details)}" if details else ""),
                    a_id,
                    b_id,
                )
            )
        elif details:
            for detail in details:
                field_name = detail.split(":", 1)[0]
                changes.append(Change("changed", "indicator", f"{a_id}.{field_name}", detail))

    for name in sorted(set(old.scales) | set(new.scales)):
        a, b = old.scales.get(name), new.scales.get(name)
        if a is None:
            changes.append(Change("added", "scale", name, b.describe()))
        elif b is None:
            changes.append(Change("removed", "scale", name, a.describe()))
        elif a.values != b.values:
            changes.append(Change("changed", "scale", name, f"{a.describe()} → {b.describe()}"))
    for name in sorted(set(old.bands) | set(new.bands)):
        ta, tb = old.bands.get(name), new.bands.get(name)
        if ta is None or tb is None:
            table = ta or tb
            labels = ", ".join(f"{band.label} {band.interval}" for band in table.ordered())
            changes.append(Change("added" if ta is None else "removed", "band", name, labels))
            continue
        if ta.domain != tb.domain:
            changes.append(
                Change("changed", "band", f"{name}.domain", f"{ta.domain} → {tb.domain}")
            )
        a_bands = {band.label: band for band in ta.bands}
        b_bands = {band.label: band for band in tb.bands}
        for label in a_bands.keys() - b_bands.keys():
            changes.append(
                Change("removed", "band", f"{name}.{label}", str(a_bands[label].interval))
            )
        for label in b_bands.keys() - a_bands.keys():
            changes.append(Change("added", "band", f"{name}.{label}", str(b_bands[label].interval)))
        for label in a_bands.keys() & b_bands.keys():
            x, y = a_bands[label], b_bands[label]
            if x.interval != y.interval:
                changes.append(
                    Change("changed", "band", f"{name}.{label}", f"{x.interval} → {y.interval}")
                )
            if x.meaning != y.meaning:
                changes.append(
                    Change(
                        "changed",
                        "band",
                        f"{name}.{label}.meaning",
                        f"{x.meaning!r} → {y.meaning!r}",
                    )
                )
    for what in ("params", "tables"):
        a, b = getattr(old, what), getattr(new, what)
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                kind = "added" if key not in a else "removed" if key not in b else "changed"
                changes.append(
                    Change(kind, what, key, f"{_show(a.get(key))} → {_show(b.get(key))}")
                )
    order = {"rubric": 0, "indicator": 1, "scale": 2, "band": 3, "params": 4, "tables": 5}
    changes.sort(key=lambda c: (order.get(c.what, 9), c.kind != "renamed", c.name))
    return result


# -- effect on evidence ----------------------------------------------------------
@dataclass
class Side:
    """One version's score of one evidence file (or why it could not be scored)."""

    value: Any = None
    band: str | None = None
    meaning: str | None = None
    stages: dict[str, tuple[Any, str | None]] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    leaves: set[str] = field(default_factory=set)
    dropped: list[str] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "value": _json(self.value),
            "band": self.band,
            "meaning": self.meaning,
            "stages": {s: {"value": _json(v), "band": b} for s, (v, b) in self.stages.items()},
            "dropped_answers": self.dropped,
            "error": self.error,
        }


@dataclass
class Effect:
    """The evidence scored under both versions, the change, and the indicators behind it."""

    path: str
    old: Side
    new: Side
    causes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def delta(self) -> Decimal | None:
        if isinstance(self.old.value, Decimal) and isinstance(self.new.value, Decimal):
            return self.new.value - self.old.value
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "evidence": self.path,
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "delta": _json(self.delta),
            "band_changed": self.old.band != self.new.band,
            "causes": [{k: _json(v) for k, v in c.items()} for c in self.causes],
        }


def adapt_evidence(evidence, rubric: Rubric, rename: dict[str, str], plugins):
    """A copy of ``evidence`` fitted to ``rubric``: renamed answers follow, others dropped."""
    types = plugins.indicator_types
    answered = {i.id for i in rubric.indicators() if i.type in types and types.get(i.type).answered}
    ids = set(rubric.by_id())
    answers, dropped = {}, []
    for iid, per_stage in evidence.answers.items():
        target = iid if iid in answered else rename.get(iid)
        if target in answered:
            answers[target] = per_stage
        else:
            dropped.append(iid)
    stated = {}
    for iid, per_stage in evidence.stated.items():
        target = iid if iid in ids else rename.get(iid)
        if target in ids:
            stated[target] = per_stage
    meta = dict(evidence.meta)
    if meta.get("rubric") is not None and str(meta["rubric"]) != rubric.id:
        meta.pop("rubric")
    # answers are fitted to this version already; a bridging file's version list has done
    # its job (evidence.validate) and must not reject a version it does not name
    meta.pop("versions", None)
    return replace(evidence, answers=answers, stated=stated, meta=meta), dropped


def score_side(evidence, rubric: Rubric, rename: dict[str, str], plugins) -> Side:
    """Score ``evidence`` under ``rubric`` after fitting it."""
    from ..evaluate.engine import Engine

    fitted, dropped = adapt_evidence(evidence, rubric, rename, plugins)
    side = Side(dropped=dropped)
    try:
        result = Engine(rubric, plugins=plugins).evaluate(fitted)
    except EvalEngineError as exc:
        side.error = f"{exc.code}: {exc.message}"
        if len(exc.diagnostics) > 1:
            side.error += f" (and {len(exc.diagnostics) - 1} more)"
        return side
    root = result.root
    side.value = root.value
    side.band = root.band.label if root.band else None
    side.meaning = root.band.meaning if root.band else None
    for stage, value in root.stages.items():
        band = root.stage_bands.get(stage)
        side.stages[stage] = (value, band.label if band else None)
    # only the rubric's own indicators: a type may add result nodes of its own (anggaran's
    # program/kegiatan rows), which no rename mapping knows and no rubric can place
    ids = rubric.by_id()
    for node in root.walk():
        if node is root or node.id not in ids:
            continue
        side.values[node.id] = node.value
        side.titles[node.id] = node.label
        if not any(child.id in ids for child in node.children):
            side.leaves.add(node.id)
    return side


def _under(rubric: Rubric, iid: str, ids: set[str]) -> bool:
    """Whether an ancestor of ``iid`` in ``rubric`` is one of ``ids``."""
    node = rubric.by_id()[iid].parent
    while node is not None:
        if node.id in ids:
            return True
        node = node.parent
    return False


def effect(diff: RubricDiff, evidence, *, plugins=None) -> Effect:
    """Score one evidence set under both versions and find the indicators behind the change."""
    from ..plugins import default_plugins

    plugins = plugins or default_plugins()
    backward = {b: a for a, b in diff.mapping.items()}
    old = score_side(evidence, diff.old, backward, plugins)
    new = score_side(evidence, diff.new, diff.mapping, plugins)
    out = Effect(str(evidence.path), old, new)
    if old.error or new.error:
        return out
    causes = []
    for a_id, b_id in diff.mapping.items():
        if a_id not in old.leaves and b_id not in new.leaves:
            continue
        x, y = old.values.get(a_id), new.values.get(b_id)
        if isinstance(x, Decimal) and isinstance(y, Decimal) and x != y:
            causes.append(
                {
                    "id": b_id,
                    "title": new.titles[b_id],
                    "old": x,
                    "new": y,
                    "delta": y - x,
                    "why": "changed",
                }
            )
    backward_leaves = {a for a, b in diff.mapping.items() if b in new.leaves}
    forward_leaves = {b for a, b in diff.mapping.items() if a in old.leaves}
    for a_id in old.leaves - set(diff.mapping):
        if _under(diff.old, a_id, backward_leaves):
            continue  # counted at its ancestor, which the new version answers as one leaf
        x = old.values.get(a_id)
        if isinstance(x, Decimal) and x:
            causes.append(
                {
                    "id": a_id,
                    "title": old.titles[a_id],
                    "old": x,
                    "new": None,
                    "delta": -x,
                    "why": "removed",
                }
            )
    for b_id in new.leaves - set(diff.mapping.values()):
        if _under(diff.new, b_id, forward_leaves):
            continue  # counted at its ancestor, which the old version answered as one leaf
        y = new.values.get(b_id)
        if isinstance(y, Decimal) and y:
            causes.append(
                {
                    "id": b_id,
                    "title": new.titles[b_id],
                    "old": None,
                    "new": y,
                    "delta": y,
                    "why": "added",
                }
            )
    causes.sort(key=lambda c: (-abs(c["delta"]), c["id"]))
    out.causes = causes[:TOP_CAUSES]
    return out
