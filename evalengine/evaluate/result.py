"""The result tree: every node's value, maximum, weight, contribution, band, warnings,
per-stage values and the derivation of its number.

Reports read this tree and nothing else. :meth:`ScoreResult.to_dict` is the stable
JSON form documented in ``docs/json-schema.md`` (numbers as exact decimal strings).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..errors import Diagnostic
from ..numbers import plain
from ..rubric.model import Band
from .interpreter import Input, Record

#: Version of the JSON layout produced by :meth:`ScoreResult.to_dict`.
JSON_SCHEMA = "evalengine.score/1"


def json_value(value: Any) -> Any:
    """A formula value in JSON form: Decimals as plain strings, records as dicts."""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, list):
        return [json_value(v) for v in value]
    if isinstance(value, Record):
        return {k: json_value(v) for k, v in value.fields.items()}
    if value is None or isinstance(value, bool | str | int):
        return value
    return str(value)


def _provenance_dict(provenance: Any) -> Any:
    """Where an input came from: an evidence position, an indicator, or nothing."""
    if provenance is None:
        return None
    provenance = getattr(provenance, "provenance", provenance)  # EvidenceValue → Provenance
    if hasattr(provenance, "to_dict"):
        return provenance.to_dict()
    if isinstance(provenance, Input):
        return {"indicator": provenance.name}
    return str(provenance)


class _Deferred:
    """A dataclass field whose value may be given as a function, called on first read.

    The substituted formula text (``2.5 * 4``) is worth building only for the numbers
    someone looks at; scoring thousands of documents should not pay for it.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return None  # the field's default
        value = obj.__dict__.get(self.slot)
        if callable(value):
            value = value()
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.slot] = value


@dataclass
class Derivation:
    """How a number was obtained: the formula, what it read, and the rounding applied."""

    formula: str | None = None
    #: The formula with the values read put in; may be given as a function (built lazily).
    substituted: str | None = _Deferred()  # type: ignore[assignment]
    inputs: list[Input] = field(default_factory=list)
    unrounded: Any = None
    rounding: str | None = None
    max_formula: str | None = None
    note: str | None = None
    #: Decimal places the value was rounded to; reports print exactly that many.
    places: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "formula": self.formula,
            "substituted": self.substituted,
            "inputs": [
                {
                    "name": i.name,
                    "value": json_value(i.value),
                    "source": _provenance_dict(i.provenance),
                }
                for i in self.inputs
            ],
            "unrounded": json_value(self.unrounded),
            "rounding": self.rounding,
            "max_formula": self.max_formula,
            "note": self.note,
        }


@dataclass
class NodeResult:
    """The evaluated form of one indicator."""

    id: str
    title: str
    type: str
    code: str | None = None
    value: Any = None
    max: Decimal | None = None
    weight: Decimal | None = None
    band: Band | None = None
    band_table: str | None = None
    answer: str | None = None
    stages: dict[str, Any] = field(default_factory=dict)
    stage_bands: dict[str, Band | None] = field(default_factory=dict)
    stage_answers: dict[str, str | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    derivation: Derivation = field(default_factory=Derivation)
    children: list[NodeResult] = field(default_factory=list)
    contribution: Decimal | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: Figures the evidence states for this node outside ``[stated]`` (a table's printed
    #: total or percentage column): field → list of EvidenceValue; checked by reconcile.
    stated: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``3.3 Ketersediaan Talent Pool…``."""
        return f"{self.code} {self.title}" if self.code else self.title

    @property
    def percent(self) -> Decimal | None:
        """Value as a percentage of the maximum (None without a maximum)."""
        if isinstance(self.value, Decimal) and self.max:
            return self.value / self.max * 100
        return None

    def value_text(self) -> Any:
        """The value for JSON: as rounded (``"70.30"``) when rounded, else without padding."""
        if self.derivation.places is not None and isinstance(self.value, Decimal):
            return f"{self.value:f}"
        return json_value(self.value)

    def walk(self) -> Iterator[NodeResult]:
        """This node and all below it, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of this node and its subtree."""
        return {
            "id": self.id,
            "code": self.code,
            "title": self.title,
            "type": self.type,
            "value": self.value_text(),
            "max": json_value(self.max),
            "percent": json_value(self.percent),
            "weight": json_value(self.weight),
            "contribution": json_value(self.contribution),
            "band": self.band.to_dict() | {"table": self.band_table} if self.band else None,
            "answer": self.answer,
            "stages": {
                stage: {
                    "value": json_value(value),
                    "band": (b.label if (b := self.stage_bands.get(stage)) else None),
                    "answer": self.stage_answers.get(stage),
                }
                for stage, value in self.stages.items()
            },
            "warnings": list(self.warnings),
            "derivation": self.derivation.to_dict(),
            "extra": {k: json_value(v) for k, v in self.extra.items()},
            "children": [c.to_dict() for c in self.children],
        }


@dataclass
class ScoreResult:
    """A scored evidence set: rubric and evidence identity, the result tree, warnings."""

    rubric: Any
    evidence: Any
    root: NodeResult
    stages: tuple[str, ...] = ()
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Which rubric version was chosen and why (a :class:`~evalengine.rubric.versions.Selection`).
    selection: Any = None
    #: ``score --leverage``: a :class:`evalengine.gap.leverage.Leverage` (has ``to_dict``).
    leverage: Any = None
    #: ``score --set``: a :class:`evalengine.gap.whatif.WhatIf` (old → new headline).
    what_if: Any = None
    #: Results per group (``score --group-by``), ranked; empty without grouping.
    groups: list[Any] = field(default_factory=list)
    #: The column grouped by, and the engine that computed table indicators.
    group_by: str | None = None
    engine: str | None = None

    @property
    def final_stage(self) -> str | None:
        """The stage whose values are official."""
        return self.stages[-1] if self.stages else None

    def find(self, ref: str) -> NodeResult | None:
        """A node by indicator id or code."""
        for node in self.root.walk():
            if ref in (node.id, node.code):
                return node
        return None

    def warnings(self, *, rubric: bool = True) -> list[str]:
        """Every warning: rubric diagnostics first, then node warnings with their node.

        ``rubric=False`` leaves out the rubric's own (one group of a ``--group-by``
        result lists only what is about its figures; the overall result has the rest).
        """
        out = [
            f"{d.location.relative()}: {d.message}"
            for d in (self.diagnostics if rubric else ())
            if d.severity == "warning"
        ]
        for node in self.root.walk():
            out.extend(f"{node.label}: {w}" for w in node.warnings)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON form (``docs/json-schema.md``)."""
        rubric = self.rubric
        root = self.root
        meta = {k: v for k, v in self.evidence.meta.items() if not k.startswith("_")}
        return (
            {
                "schema": JSON_SCHEMA,
                "rubric": {
                    "id": rubric.id,
                    "title": rubric.title,
                    "version": rubric.version,
                    "regulation": rubric.regulation,
                    "path": rubric.path,
                    "valid_from": rubric.valid_from.isoformat() if rubric.valid_from else None,
                    "valid_until": rubric.valid_until.isoformat() if rubric.valid_until else None,
                    "params": {
                        k: json_value(v)
                        for k, v in (getattr(rubric, "params", None) or {}).items()
                        if isinstance(v, str | Decimal | int | bool)
                    },
                    "supersedes": rubric.supersedes,
                    "selection": self.selection.to_dict() if self.selection is not None else None,
                },
                "evidence": {"path": self.evidence.path}
                | {k: json_value(v) for k, v in meta.items()},
                "stages": list(self.stages),
                "final_stage": self.final_stage,
                "headline": {
                    "value": root.value_text(),
                    "max": json_value(root.max),
                    "band": root.band.to_dict() | {"table": root.band_table} if root.band else None,
                    "stages": {
                        s: {
                            "value": json_value(v),
                            "band": (b.label if (b := root.stage_bands.get(s)) else None),
                        }
                        for s, v in root.stages.items()
                    },
                },
                "result": root.to_dict(),
                "warnings": self.warnings(),
                "diagnostics": [d.to_dict() for d in self.diagnostics],
            }
            | {
                name: part.to_dict()
                for name, part in (("leverage", self.leverage), ("what_if", self.what_if))
                if part is not None
            }
            | self._groups_dict()
        )

    def _groups_dict(self) -> dict[str, Any]:
        """``group_by``, ``engine`` and the ranked ``groups`` when scored per group."""
        if self.group_by is None:
            return {"engine": self.engine} if self.engine else {}
        from ..bulk.grouped import rounding_units

        units = rounding_units(self.rubric)
        return {
            "engine": self.engine,
            "group_by": self.group_by,
            "groups": [g.to_dict(units) for g in self.groups],
        }
