"""The rubric model: what a rubric file means once loaded and checked.

Frozen where possible; formulas are kept as text *and* parsed AST with the
location of the string in its file, so every later error can point back there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..errors import Location
from ..formula import ast

#: Indicator types that read an evidence table row by row (the bulk path's work).
TABLE_TYPES = ("records", "survey")


@dataclass(frozen=True)
class Formula:
    """A formula as written, its AST, and where its text starts in the rubric file."""

    text: str
    tree: ast.Expr
    location: Location


@dataclass(frozen=True)
class Interval:
    """An interval of numbers; ``None`` ends are unbounded."""

    lo: Decimal | None
    hi: Decimal | None
    lo_closed: bool
    hi_closed: bool

    def contains(self, x: Decimal) -> bool:
        """True when ``x`` lies inside, respecting open and closed ends."""
        if self.lo is not None and (x < self.lo or (x == self.lo and not self.lo_closed)):
            return False
        return not (self.hi is not None and (x > self.hi or (x == self.hi and not self.hi_closed)))

    def __str__(self) -> str:
        lo = "" if self.lo is None else f"{self.lo:f}"
        hi = "" if self.hi is None else f"{self.hi:f}"
        return ("[" if self.lo_closed else "(") + f"{lo}..{hi}" + ("]" if self.hi_closed else ")")


@dataclass(frozen=True)
class Band:
    """One band of a band table: a label (``BB``), its meaning and its interval."""

    label: str
    meaning: str
    interval: Interval
    location: Location = field(default_factory=Location, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        iv = self.interval
        return {
            "label": self.label,
            "meaning": self.meaning,
            "range": str(iv),
            "lower": None if iv.lo is None else f"{iv.lo:f}",
            "upper": None if iv.hi is None else f"{iv.hi:f}",
        }


@dataclass(frozen=True)
class BandTable:
    """Named bands over a domain, without gaps or overlaps (checked at load)."""

    name: str
    title: str
    bands: tuple[Band, ...]
    domain: Interval | None = None
    location: Location = field(default_factory=Location, compare=False)

    def classify(self, x: Decimal) -> Band | None:
        """The band containing ``x``, or None when ``x`` is outside every band."""
        for band in self.bands:
            if band.interval.contains(x):
                return band
        return None

    def ordered(self) -> list[Band]:
        """Bands from lowest to highest interval."""
        return sorted(self.bands, key=_band_order)

    def rank(self, label: str) -> int | None:
        """Ordinal position of ``label`` (0 = lowest band), for predikat targets."""
        for i, band in enumerate(self.ordered()):
            if band.label == label:
                return i
        return None


def _band_order(band: Band) -> tuple[Decimal, int]:
    lo = band.interval.lo
    return (lo if lo is not None else Decimal("-1e30"), 0 if band.interval.lo_closed else 1)


@dataclass(frozen=True)
class Scale:
    """An answer scale: label → numeric value (``"BB" → 0.8``, ``"4" → 4``)."""

    name: str
    title: str
    values: dict[str, Decimal]
    location: Location = field(default_factory=Location, compare=False)
    #: The declared range of the scale's values (``range = "[0..4]"``), if any.
    range: Interval | None = None

    @property
    def max(self) -> Decimal:
        """The highest value on the scale."""
        return max(self.values.values())

    @property
    def min(self) -> Decimal:
        """The lowest value on the scale."""
        return min(self.values.values())

    def describe(self) -> str:
        """``0, 1, 2, 3, 4`` or ``AA=1, A=0.9, …`` for messages and templates."""
        if all(label == f"{value:f}" for label, value in self.values.items()):
            return ", ".join(self.values)
        return ", ".join(f"{label}={value:f}" for label, value in self.values.items())

    def resolve(self, answer: object) -> tuple[str, Decimal] | None:
        """The (label, value) an answer stands for, or None if it is not on the scale.

        A string answer is matched by label; a number by value (``4`` or ``4.0``).
        """
        if isinstance(answer, int) and not isinstance(answer, bool):
            answer = Decimal(answer)
        if isinstance(answer, str):
            if answer in self.values:
                return answer, self.values[answer]
            folded = {k.casefold(): k for k in self.values}
            key = folded.get(answer.strip().casefold())
            return (key, self.values[key]) if key is not None else None
        if isinstance(answer, Decimal):
            for label, value in self.values.items():
                if value == answer:
                    return label, value
        return None


@dataclass
class Indicator:
    """A node of the indicator tree.

    ``type`` names an indicator type from the registry (``group``, ``score``,
    ``formula`` or one from a plugin); ``options`` keeps the keys that type declared.
    """

    id: str
    title: str
    type: str
    code: str | None = None
    description: str | None = None
    weight: Decimal | None = None
    scale: str | None = None
    value: Formula | None = None
    max: Formula | None = None
    round: int | None = None
    band: str | None = None
    optional: bool = False
    #: Id of the indicator this one continues in the superseded version ("" = new in this
    #: version); only ``diff`` reads it, to pair indicators whose ids were reused or changed.
    previous: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    children: list[Indicator] = field(default_factory=list)
    parent: Indicator | None = field(default=None, repr=False)
    location: Location = field(default_factory=Location, compare=False)
    key: tuple[str, ...] = ()
    #: True when one of its formulas failed to parse (already reported; skip follow-ups).
    broken: bool = False
    #: Where each key of the indicator's table is written (for precise diagnostics).
    key_locations: dict[str, Location] = field(default_factory=dict, compare=False, repr=False)

    def walk(self) -> Iterator[Indicator]:
        """This indicator and all below it, parents before children."""
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def label(self) -> str:
        """``3.3 Ketersediaan Talent Pool…`` for messages."""
        return f"{self.code} {self.title}" if self.code else self.title


@dataclass(frozen=True)
class Rounding:
    """The rubric's rounding policy: decimal places, mode, and where rounding applies.

    ``apply = "headline"`` rounds the headline value to ``places`` (the default when a
    ``[rounding]`` table is present); ``"none"`` rounds nothing beyond the indicators
    that declare ``round = N`` (the default without a ``[rounding]`` table).
    """

    places: int = 2
    mode: str = "half_up"
    apply: str = "none"


@dataclass
class Rubric:
    """A loaded rubric: metadata, scales, bands, tables, parameters and the indicator tree."""

    id: str
    title: str
    version: str
    root: Indicator
    path: str | None = None
    regulation: str | None = None
    description: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    supersedes: str | None = None
    stages: tuple[str, ...] = ()
    rounding: Rounding = field(default_factory=Rounding)
    scales: dict[str, Scale] = field(default_factory=dict)
    bands: dict[str, BandTable] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    evidence_spec: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    #: Warnings found while loading (errors stop loading); reports repeat them.
    diagnostics: list[Any] = field(default_factory=list)

    @property
    def final_stage(self) -> str | None:
        """The stage whose values are official (the last one declared)."""
        return self.stages[-1] if self.stages else None

    def indicators(self) -> Iterator[Indicator]:
        """Every indicator below the root, parents first."""
        for child in self.root.children:
            yield from child.walk()

    def table_indicators(self) -> list[Indicator]:
        """The indicators that read evidence tables (:data:`TABLE_TYPES`), in tree order:
        what the bulk path computes on DuckDB."""
        return [ind for ind in self.indicators() if ind.type in TABLE_TYPES]

    def find(self, ref: str) -> Indicator | None:
        """An indicator by id or by code (``i3_3`` or ``3.3``); the root by rubric id."""
        for ind in self.root.walk():
            if ref in (ind.id, ind.code):
                return ind
        return None

    def by_id(self) -> dict[str, Indicator]:
        """Indicator id → indicator, the root included."""
        return {ind.id: ind for ind in self.root.walk()}

    def rounding_places(self, ind: Indicator) -> int | None:
        """Decimal places ``ind``'s value is rounded to: its own ``round = N``, or for the
        root the ``[rounding]`` places when they apply to the headline (``70,30``)."""
        if ind.round is not None:
            return ind.round
        if ind is self.root and self.rounding.apply == "headline":
            return self.rounding.places
        return None
