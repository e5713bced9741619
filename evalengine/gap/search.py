"""How far to the next band, and the smallest set of answer changes that gets there.

The algorithm (documented for users in ``docs/gap.md``):

1. **Single moves.** For every answerable indicator and every other option on its
   scale, the engine re-evaluates the stage with that one answer changed. The gain of
   a move is the change of the *unrounded* headline; moves that do not raise it are
   dropped. Because these are real evaluations, weights, caps and formulas are
   respected and only values on the scale are tried.
2. **Smallest size.** With gains that add up (a headline that is a sum of weighted
   answers: merit, AKIP), the most any *k* changes can add is the sum of the *k*
   largest per-indicator best gains. Reaching a band is monotone in the headline
   (rounding is monotone and bands are ordered), so the smallest *k* whose top-*k* sum
   reaches the target after the rubric's rounding is the exact minimum.
3. **Alternatives of that size.** A depth-first search over indicators sorted by best
   gain enumerates every *k*-set that reaches the target, pruned by the bound "gain so
   far + the next largest best gains" (sorted order makes the bound a window sum, and
   the loop can stop at the first window that falls short) and by the ranking
   (fewest total scale steps, or highest value). Alternatives are distinct indicator
   sets, each with its best option choice under the ranking.
4. **Verification.** Every reported plan is re-evaluated with all its changes. The
   additivity is checked on each plan and on the plan that sets every indicator to its
   best answer; a rubric whose gains do not add up (caps, ``min``, rounding inside the
   tree) is reported as such, only verified plans are shown, and if none of the
   predicted plans reaches the target a greedy search with exact re-evaluation gives a
   verified (but not provably smallest) plan.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..errors import UsageError, with_suggestion
from ..numbers import plain
from ..rubric.model import Band, Interval
from .probe import Answerable, Change, Prober, Reading

#: Default number of DFS nodes before the alternatives search stops (then not exhaustive).
DEFAULT_BUDGET = 200_000
RANKINGS = ("steps", "value")


@dataclass(frozen=True)
class Move:
    """One changed answer with its headline gain, measured by re-evaluation."""

    change: Change
    gain: Decimal
    reading: Reading

    @property
    def steps(self) -> int:
        """Scale positions moved."""
        return self.change.steps

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return self.change.to_dict() | {
            "gain": plain(self.gain),
            "value": plain(self.reading.value),
            "band": self.reading.band.label if self.reading.band else None,
        }


@dataclass
class Plan:
    """A set of changes: predicted value from the single gains, and the verified reading."""

    moves: tuple[Move, ...]
    baseline: Decimal
    reading: Reading | None = None
    reaches: bool = False

    @property
    def gain(self) -> Decimal:
        """Sum of the single-move gains."""
        return sum((m.gain for m in self.moves), Decimal(0))

    @property
    def predicted(self) -> Decimal:
        """Unrounded headline predicted from the gains (baseline + Σ gains)."""
        return self.baseline + self.gain

    @property
    def steps(self) -> int:
        """Total scale positions moved."""
        return sum(m.steps for m in self.moves)

    @property
    def additive(self) -> bool:
        """True when the verified headline equals the prediction exactly."""
        return self.reading is not None and self.reading.unrounded == self.predicted

    def set_args(self) -> list[str]:
        """The ``--set`` arguments that apply this plan."""
        return [m.change.set_spec() for m in self.moves]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        r = self.reading
        return {
            "changes": [m.to_dict() for m in self.moves],
            "size": len(self.moves),
            "steps": self.steps,
            "gain": plain(self.gain),
            "predicted": plain(self.predicted),
            "value": None if r is None else plain(r.value),
            "unrounded": None if r is None else plain(r.unrounded),
            "band": None if r is None or r.band is None else r.band.label,
            "warning": None if r is None else r.warning,
            "reaches_target": self.reaches,
            "additive": self.additive,
            "set": self.set_args(),
        }


class TargetDistance:
    """How far the evidence stands from the target band: what both ``gap`` analyses
    (answers and table records) report. Needs ``prober`` and ``target``."""

    prober: Prober
    target: Band | None

    @property
    def current(self) -> Reading:
        """The headline as the evidence stands."""
        return self.prober.baseline

    @property
    def threshold(self) -> Decimal | None:
        """The target band's lower edge."""
        if self.target is None:
            return None
        return self.target.interval.lo

    @property
    def distance(self) -> Decimal | None:
        """Headline points from the current value to the target's lower edge (≥ 0)."""
        if self.threshold is None:
            return None
        return max(Decimal(0), self.threshold - self.current.value)

    def edge_text(self) -> str:
        """``≥ 325`` or ``> 80``: what the target band needs."""
        if self.target is None or self.threshold is None:
            return ""
        sign = "≥" if self.target.interval.lo_closed else ">"
        return f"{sign} {plain(self.threshold)}"


@dataclass
class GapAnalysis(TargetDistance):
    """Everything ``gap`` reports: distance, ranked moves, smallest plans, or why not."""

    prober: Prober
    target: Band | None
    #: reached | top | reachable | limited (more changes than --max-changes) | unreachable
    status: str
    moves: list[Move] = field(default_factory=list)
    size: int | None = None
    plans: list[Plan] = field(default_factory=list)
    best: Plan | None = None
    additive: bool = True
    exhaustive: bool = True
    minimal: bool = True
    rank_by: str = "steps"
    max_changes: int | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (schema ``evalengine.gap/1``)."""
        p = self.prober
        cur = self.current
        return {
            "schema": "evalengine.gap/1",
            **p.identity(),
            "stage": p.stage,
            "current": {
                "value": plain(cur.value),
                "unrounded": plain(cur.unrounded),
                "band": cur.band.to_dict() if cur.band else None,
                "warning": cur.warning,
            },
            "target": None
            if self.target is None
            else self.target.to_dict()
            | {
                "threshold": self.edge_text(),
                "distance": None if self.distance is None else plain(self.distance),
            },
            "status": self.status,
            "rounding": None if p.places is None else {"places": p.places, "mode": p.mode},
            "size": self.size,
            "max_changes": self.max_changes,
            "rank_by": self.rank_by,
            "additive": self.additive,
            "exhaustive": self.exhaustive,
            "minimal": self.minimal,
            "plans": [plan.to_dict() for plan in self.plans],
            "best": None if self.best is None else self.best.to_dict(),
            "moves": [m.to_dict() for m in self.moves],
            "notes": list(self.notes),
            "evaluations": p.evaluations,
        }


def find_band(prober: Prober, label: str) -> Band:
    """The band of the headline table named ``label`` (case-insensitive), or a UsageError."""
    assert prober.table is not None
    for band in prober.table.bands:
        if band.label.casefold() == label.strip().casefold():
            return band
    labels = [b.label for b in prober.table.ordered()]
    msg = f"no band '{label}' in band table '{prober.table.name}'"
    raise UsageError(msg, hint=with_suggestion(f"bands: {', '.join(labels)}", label, labels))


def single_moves(prober: Prober, items: list[Answerable] | None = None) -> list[Move]:
    """Every single answer change that raises the headline, best gain first."""
    base = prober.baseline.unrounded
    moves = []
    for item in items if items is not None else prober.answerables():
        for index in range(len(item.options)):
            if index == item.current:
                continue
            change = prober.change(item, index)
            reading = prober.reading([change])
            if reading.unrounded > base:
                moves.append(Move(change, reading.unrounded - base, reading))
    moves.sort(key=lambda m: (-m.gain, m.steps, m.change.indicator.id))
    return moves


class _Budget(Exception):
    """The alternatives search used its node budget."""


def _rank_below(ordered: list[Band], value: Decimal) -> int:
    """The rank of the highest band whose lower edge ``value`` has passed (-1: none).

    For a value that falls in no band: below the lowest band it is -1 (the next band up
    is the lowest), above a table that stops short of it (a rubric whose top band was
    left out) it is the top rank, so no band is "next".
    """
    rank = -1
    for i, band in enumerate(ordered):
        lo = band.interval.lo
        if lo is None or value > lo or (value == lo and band.interval.lo_closed):
            rank = i
    return rank


def analyse(
    prober: Prober,
    *,
    target: str | None = None,
    max_changes: int | None = None,
    alternatives: int = 5,
    rank_by: str = "steps",
    budget: int = DEFAULT_BUDGET,
    to_value: Decimal | None = None,
) -> GapAnalysis:
    """The gap from the current headline to ``target`` (default: the next band up).

    Args:
        prober: the rubric, evidence and stage to analyse.
        target: a band label; default the band above the current one.
        max_changes: the most indicators a plan may change (default: no limit).
        alternatives: how many plans of the smallest size to report.
        rank_by: ``steps`` (fewest scale steps first) or ``value`` (highest value first).
        budget: DFS nodes the alternatives search may visit.
        to_value: a headline value to reach instead of a band (``≥ to_value``).
    """
    if rank_by not in RANKINGS:
        msg = f"unknown ranking '{rank_by}'"
        raise UsageError(msg, hint=f"use one of: {', '.join(RANKINGS)}")
    if prober.table is None and to_value is None:
        msg = f"rubric '{prober.rubric.id}' has no band table for its headline"
        raise UsageError(msg, hint='gap needs bands (`band = "…"` under [rubric]) or --to VALUE')
    if target is not None and to_value is not None:
        msg = "give either a target band or a target value, not both"
        raise UsageError(msg)
    if max_changes is not None and max_changes < 1:
        msg = "--max-changes must be at least 1"
        raise UsageError(msg)
    goal = find_band(prober, target) if target is not None else None  # bad label: fail fast
    moves = single_moves(prober)
    if to_value is not None:
        # a value target (e.g. the Perjanjian Kinerja's 257): an open-ended pseudo-band
        goal = Band(f"≥ {plain(to_value)}", "target value", Interval(to_value, None, True, False))

        def really_reaches(reading: Reading) -> bool:
            return reading.value >= to_value

        already = prober.baseline.value >= to_value
    else:
        assert prober.table is not None
        ordered = prober.table.ordered()
        current_rank = prober.rank(prober.baseline.band)
        if current_rank is None:  # in no band: placed by value among the bands' edges
            current_rank = _rank_below(ordered, prober.baseline.value)
        if goal is None and current_rank + 1 < len(ordered):
            goal = ordered[current_rank + 1]
        if goal is None:
            top = GapAnalysis(prober, None, "top", moves, rank_by=rank_by, max_changes=max_changes)
            if prober.baseline.band is None:
                top.notes.append(
                    f"the value is above every band of '{prober.table.name}': "
                    "its highest band stops below it"
                )
            return top
        goal_rank = prober.table.rank(goal.label)
        assert goal_rank is not None

        def really_reaches(reading: Reading) -> bool:
            rank = prober.rank(reading.band)
            return rank is not None and rank >= goal_rank

        already = goal_rank <= current_rank
    result = GapAnalysis(prober, goal, "reachable", moves, rank_by=rank_by, max_changes=max_changes)
    if already:
        result.status = "reached"
        return result

    if not prober.answerables():
        result.status = "unreachable"
        result.best = Plan((), prober.baseline.unrounded, prober.baseline, False)
        result.minimal = False
        result.notes.append(
            "this rubric has no answered indicators (its values come from facts or tables), "
            "so gap has no answers to change"
        )
        return result

    lo, closed = goal.interval.lo, goal.interval.lo_closed

    def reaches(unrounded: Decimal) -> bool:
        # Bands are contiguous and ordered (the loader rejects gaps and overlaps), so the
        # rounded value reaches the goal band or a higher one iff it passes the goal's edge.
        # Plans are verified with the real band of the re-evaluated value (_verify).
        value = prober.round(unrounded)
        return lo is None or value > lo or (closed and value == lo)

    base = prober.baseline.unrounded
    # every unrounded value that rounds to the goal edge or above exceeds this
    floor = (
        None
        if lo is None
        else lo - (Decimal(1).scaleb(-prober.places) if prober.places is not None else 0)
    )
    per_indicator: dict[str, list[Move]] = {}
    for move in moves:  # already best gain first
        per_indicator.setdefault(move.change.indicator.id, []).append(move)
    order = {item.indicator.id: i for i, item in enumerate(prober.answerables())}
    candidates = sorted(
        per_indicator.values(), key=lambda ms: (-ms[0].gain, order[ms[0].change.indicator.id])
    )
    bests = [ms[0].gain for ms in candidates]
    prefix = [Decimal(0)]
    for gain in bests:
        prefix.append(prefix[-1] + gain)
    n = len(candidates)
    limit = n if max_changes is None else min(n, max_changes)

    # Additivity probe: every indicator at its best answer.
    everything = _verify(prober, Plan(tuple(ms[0] for ms in candidates), base), really_reaches)
    if n and not everything.additive:
        result.additive = False
        result.notes.append(
            "gains do not add up on this rubric (every indicator at its best answer gives "
            f"{plain(everything.reading.unrounded)}, the single gains predict "
            f"{plain(everything.predicted)}): plans are verified, minimality is not guaranteed"
        )

    size = next((k for k in range(1, limit + 1) if reaches(base + prefix[k])), None)
    if size is None:
        if limit < n and reaches(base + prefix[n]):
            result.status = "limited"
            result.best = _verify(
                prober, Plan(tuple(ms[0] for ms in candidates[:limit]), base), really_reaches
            )
            result.notes.append(
                f"{goal.label} needs more than {limit} changes; the best {limit} reach "
                f"{plain(result.best.reading.value)}"
            )
        else:
            result.status = "unreachable"
            result.best = everything
        if result.best is not None and result.best.reaches:  # non-additive surprise
            result.status = "reachable"
            result.size = len(result.best.moves)
            result.plans = [result.best]
            result.best = None
            result.minimal = False
        return result

    while size is not None and size <= limit:
        found, exhaustive = _enumerate(
            candidates, size, base, reaches, alternatives, rank_by, budget, floor
        )
        result.exhaustive = result.exhaustive and exhaustive
        plans = [_verify(prober, plan, really_reaches) for plan in found]
        if not all(plan.additive for plan in plans):
            if result.additive:
                result.notes.append(
                    "a verified plan differs from the sum of its gains: the rubric is not "
                    "additive here, so minimality is not guaranteed"
                )
            result.additive = False
        good = [plan for plan in plans if plan.reaches]
        if good:
            result.size = size
            result.plans = good
            result.minimal = result.additive
            if not exhaustive:
                result.notes.append(
                    f"the search for alternatives stopped after {budget} nodes: the smallest "
                    "size does not depend on it, but the alternatives shown may not be the "
                    "best-ranked ones"
                )
            return result
        size += 1
        while size <= limit and not reaches(base + prefix[size]):
            size += 1

    greedy = _greedy(prober, limit, really_reaches)
    result.minimal = False
    if greedy.reaches:
        result.size = len(greedy.moves)
        result.plans = [greedy]
        result.notes.append("plan found by greedy search with exact re-evaluation")
    else:
        result.status = "unreachable"
        result.best = greedy
    return result


def _verify(prober: Prober, plan: Plan, really_reaches) -> Plan:
    plan.reading = prober.reading(m.change for m in plan.moves)
    plan.reaches = really_reaches(plan.reading)
    return plan


def _enumerate(candidates, k, base, reaches, keep, rank_by, budget, floor=None):
    """The ``keep`` best k-plans (distinct indicator sets) predicted to reach the target.

    ``floor`` is a value every reaching unrounded headline exceeds (the goal edge minus one
    rounding unit); with the best gain per scale step it bounds the steps still needed.
    """
    n = len(candidates)
    per_step = max((m.gain / m.steps for ms in candidates for m in ms if m.steps), default=None)
    bests = [ms[0].gain for ms in candidates]
    prefix = [Decimal(0)]
    for gain in bests:
        prefix.append(prefix[-1] + gain)

    def window(j: int, r: int) -> Decimal:
        return prefix[j + r] - prefix[j]

    keys: list[tuple] = []  # sorted ranking keys of the kept plans
    entries: dict[frozenset, tuple[tuple, tuple[Move, ...]]] = {}
    chosen: list[tuple[int, Move]] = []
    nodes = 0
    by_value = rank_by == "value"

    def full() -> bool:
        return len(keys) >= keep

    def record(gain: Decimal, steps: int) -> None:
        ids = frozenset(j for j, _ in chosen)
        order = tuple(j for j, _ in chosen)
        key = (-(base + gain), steps, order) if by_value else (steps, -(base + gain), order)
        old = entries.get(ids)
        if old is not None:
            if key >= old[0]:
                return
            keys.remove(old[0])
            del entries[ids]
        elif full() and key >= keys[-1]:
            return
        bisect.insort(keys, key)
        entries[ids] = (key, tuple(m for _, m in chosen))
        if len(keys) > keep:
            dropped = keys.pop()
            for s, (kk, _) in list(entries.items()):
                if kk == dropped:
                    del entries[s]
                    break

    def min_steps(gain: Decimal, r: int) -> int:
        """Fewest scale steps r more changes need: one each, and enough for the gain."""
        if floor is None or not per_step:
            return r
        missing = floor - (base + gain)
        return max(r, int(-(-missing // per_step)) if missing > 0 else 0)

    def dfs(start: int, gain: Decimal, steps: int) -> None:
        nonlocal nodes
        r = k - len(chosen)
        if r == 0:
            if reaches(base + gain):
                record(gain, steps)
            return
        for j in range(start, n - r + 1):
            upper = base + gain + window(j, r)
            if not reaches(upper):
                break  # windows only shrink further right
            if full():
                worst = keys[-1]
                if by_value and upper < -worst[0]:
                    break
                if not by_value and steps + min_steps(gain, r) > worst[0]:
                    return
            rest = window(j + 1, r - 1)
            for move in candidates[j]:
                nodes += 1
                if nodes > budget:
                    raise _Budget
                top = base + gain + move.gain + rest
                if not reaches(top):
                    break  # moves are sorted by gain
                if full():
                    worst = keys[-1]
                    if by_value and top < -worst[0]:
                        break
                    if not by_value and (
                        steps + move.steps + min_steps(gain + move.gain, r - 1) > worst[0]
                    ):
                        continue
                chosen.append((j, move))
                dfs(j + 1, gain + move.gain, steps + move.steps)
                chosen.pop()

    exhaustive = True
    try:
        dfs(0, Decimal(0), 0)
    except _Budget:
        exhaustive = False
    plans = [Plan(moves, base) for _, moves in sorted(entries.values(), key=lambda e: e[0])]
    return plans, exhaustive


def _greedy(prober: Prober, limit: int, really_reaches) -> Plan:
    """Add, one at a time, the change with the largest exact marginal gain."""
    base = prober.baseline.unrounded
    moves: list[Move] = []
    used: set[str] = set()
    current = prober.baseline
    while len(moves) < limit:
        best: Move | None = None
        for item in prober.answerables():
            if item.indicator.id in used:
                continue
            for index in range(len(item.options)):
                if index == item.current:
                    continue
                change = prober.change(item, index)
                reading = prober.reading([*(m.change for m in moves), change])
                gain = reading.unrounded - current.unrounded
                if gain > 0 and (best is None or gain > best.gain):
                    best = Move(change, gain, reading)
        if best is None:
            break
        moves.append(best)
        used.add(best.change.indicator.id)
        current = best.reading
        if really_reaches(current):
            break
    plan = Plan(tuple(moves), base)
    return _verify(prober, plan, really_reaches)


__all__ = ["RANKINGS", "GapAnalysis", "Move", "Plan", "analyse", "find_band", "single_moves"]
