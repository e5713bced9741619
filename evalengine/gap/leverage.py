"""The leverage table: where the headline points still are.

For each indicator (and each group of indicators), the headline points still
available — the headline gained when every answer at or below it is raised to its
best option, measured by re-evaluation — and the share of the gap to the next band
that this would close. ``score --leverage`` attaches it to the :class:`ScoreResult`
(``result.leverage``; ``"leverage"`` in JSON) for every report to render.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..numbers import plain
from ..rubric.model import Band
from .probe import Prober
from .search import single_moves


@dataclass
class LeverageRow:
    """One indicator's headroom."""

    id: str
    code: str | None
    title: str
    group: bool
    value: Any
    max: Decimal | None
    #: Headline points gained with every answer at or below this indicator at its best.
    available: Decimal
    #: Share of the gap to the next band those points close, in percent (≤ 100).
    share: Decimal | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "code": self.code,
            "title": self.title,
            "group": self.group,
            "value": plain(self.value) if isinstance(self.value, Decimal) else self.value,
            "max": None if self.max is None else plain(self.max),
            "headroom": plain(self.max - self.value)
            if isinstance(self.value, Decimal) and self.max is not None
            else None,
            "available": plain(self.available),
            "share": None if self.share is None else plain(self.share),
        }


@dataclass
class Leverage:
    """The leverage table of one scored stage."""

    stage: str | None
    value: Decimal
    target: Band | None
    distance: Decimal | None
    edge: str
    rows: list[LeverageRow] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``"leverage"`` in the score JSON)."""
        return {
            "stage": self.stage,
            "value": plain(self.value),
            "next_band": None if self.target is None else self.target.label,
            "threshold": self.edge or None,
            "distance": None if self.distance is None else plain(self.distance),
            "rows": [row.to_dict() for row in self.rows],
        }


def leverage(prober: Prober) -> Leverage:
    """The leverage table of the prober's stage."""
    base = prober.baseline
    target = None
    distance = None
    edge = ""
    if prober.table is not None:
        ordered = prober.table.ordered()
        rank = prober.rank(base.band)
        rank = -1 if rank is None else rank
        if rank + 1 < len(ordered):
            target = ordered[rank + 1]
            lo = target.interval.lo
            if lo is not None:
                distance = max(Decimal(0), lo - base.value)
                edge = ("≥ " if target.interval.lo_closed else "> ") + plain(lo)
    best: dict[str, Any] = {}
    for move in single_moves(prober):  # best gain first
        best.setdefault(move.change.indicator.id, move.change)
    answerable = {item.indicator.id for item in prober.answerables()}
    out = Leverage(prober.stage, base.value, target, distance, edge)
    for ind in prober.rubric.indicators():
        below = [i.id for i in ind.walk() if i.id in answerable]
        if not below:
            continue
        changes = [best[i] for i in below if i in best]
        available = Decimal(0)
        if changes:
            available = max(Decimal(0), prober.reading(changes).unrounded - base.unrounded)
        share = None
        if distance:
            share = min(Decimal(100), available / distance * 100)
        outcome = prober.baseline_outcomes[ind.id]
        out.rows.append(
            LeverageRow(
                ind.id,
                ind.code,
                ind.title,
                bool(ind.children),
                outcome.value,
                outcome.max,
                available,
                share,
            )
        )
    return out


__all__ = ["Leverage", "LeverageRow", "leverage"]
