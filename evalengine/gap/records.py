"""``gap`` for rubrics computed from evidence tables: "raise N persons' <column> from A to B".

Indicators of type ``records`` (IP ASN per PNS, …) have no answer options; what an
agency can change is the data of its people. The rubric declares, per table column,
an improvement ladder (``improve = [...]`` worst → best, see ``evidence/improve.py``).
A *cell move* changes one row's column to a better level; its gain is measured by
re-evaluating the whole rubric with the changed row (exact Decimal), so per-row caps
(``min(40, …)``), the mean over persons and the headline rounding are respected.

The plan (documented in ``docs/gap.md``):

1. **Single moves.** Every row × laddered column × better level is measured from the
   evidence as it stands. Rows with equal cells give equal gains when every ``records``
   indicator on the table aggregates with ``sum``/``mean``/``count``; then one
   evaluation per distinct (row content, column, level) is enough.
2. **Greedy plan.** Repeatedly take the cell move with the largest gain *given the
   changes already taken* (each cell changes at most once, to its best level at that
   point), until the rounded headline reaches the target band (lazy greedy: a stored
   gain is refreshed before the move is taken). With row-separable aggregates a row's
   gain does not depend on other rows, so an untouched row keeps its single gain and a
   changed row is measured with only its own changes (cached by row content); otherwise
   every gain is measured against the whole plan so far. The value is re-evaluated
   whenever the predicted one reaches the target, and the plan as a whole at the end.
3. **Minimality.** The smallest number ``k`` such that the ``k`` largest single gains
   (one per cell) reach the target is a lower bound on the cells any plan must change
   *if combining changes never gains more than the sum of their single gains* (true for
   sums/means of capped per-row points). When the greedy plan has ``k`` cells it is
   reported as minimal under that assumption; otherwise "verified, not proven smallest".
4. **What cannot be reached.** Every cell raised to its best reachable level at once
   gives the highest value the declared ladders allow, and each indicator's value
   then, against its maximum.
"""

from __future__ import annotations

import heapq
import json
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from ..errors import UsageError
from ..evidence.improve import Ladder, ladders, show
from ..evidence.model import Evidence, EvidenceValue, Provenance, Table
from ..evidence.schema import bind_table, reusing_bound_rows, table_spec
from ..numbers import plain
from ..rubric.model import Band, Interval
from .probe import Prober, Reading
from .search import TargetDistance, find_band

ROW_SEPARABLE = ("sum", "mean", "count")
#: predicted (sum of gains) vs re-evaluated headline: differences below this are digit noise
TOLERANCE = Decimal("1e-20")


@dataclass(frozen=True)
class Cell:
    """One row's column: row index (0-based, in file order), its label, column, current value."""

    row: int
    label: str
    column: str
    value: Any


@dataclass(frozen=True)
class CellMove:
    """One cell raised to a better level, with the headline gain measured by re-evaluation."""

    cell: Cell
    to: Any
    steps: int
    gain: Decimal
    #: indicator id → change of its value (only indicators that changed)
    deltas: tuple[tuple[str, Decimal], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "row": self.cell.row + 1,
            "label": self.cell.label,
            "column": self.cell.column,
            "from": show(self.cell.value),
            "to": show(self.to),
            "steps": self.steps,
            "gain": plain(self.gain),
            "indicators": {k: plain(v) for k, v in self.deltas},
        }


@dataclass(frozen=True)
class MoveGroup:
    """Moves of the same column from A to B: "raise N persons' <column> from A to B"."""

    column: str
    title: str | None
    frm: str
    to: str
    moves: tuple[CellMove, ...]

    @property
    def gain(self) -> Decimal:
        """Sum of the moves' gains."""
        return sum((m.gain for m in self.moves), Decimal(0))

    @property
    def persons(self) -> list[str]:
        """Labels of the rows changed."""
        return [m.cell.label for m in self.moves]

    def describe(self) -> str:
        """``raise 2 persons' diklat_teknis_jp from 0 to 20``."""
        n = len(self.moves)
        who = "1 person's" if n == 1 else f"{n} persons'"
        return f"raise {who} {self.column} from {self.frm} to {self.to}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "column": self.column,
            "title": self.title,
            "from": self.frm,
            "to": self.to,
            "persons": len(self.moves),
            "rows": [m.cell.row + 1 for m in self.moves],
            "labels": self.persons,
            "gain": plain(self.gain),
            "moves": [m.to_dict() for m in self.moves],
            "text": self.describe(),
        }


@dataclass
class RecordsGap(TargetDistance):
    """The gap analysis of a table-based rubric."""

    prober: Prober
    table: str
    target: Band | None
    status: str  # reached | top | reachable | limited | unreachable
    singles: list[CellMove] = field(default_factory=list)
    plan: list[CellMove] = field(default_factory=list)
    reading: Reading | None = None
    lower_bound: int | None = None
    minimal: bool = False
    best: Reading | None = None
    #: indicator id → (now, with every improvement, max)
    ceilings: list[tuple[str, str, Decimal | None, Decimal | None, Decimal | None]] = field(
        default_factory=list
    )
    max_changes: int | None = None
    notes: list[str] = field(default_factory=list)
    titles: dict[str, str | None] = field(default_factory=dict)

    @property
    def persons(self) -> int:
        """Distinct rows the plan changes."""
        return len({m.cell.row for m in self.plan})

    def groups(self, moves: list[CellMove] | None = None) -> list[MoveGroup]:
        """Plan moves grouped by (column, from, to), in the order first taken."""
        out: dict[tuple[str, str, str], list[CellMove]] = {}
        for m in self.plan if moves is None else moves:
            out.setdefault((m.cell.column, show(m.cell.value), show(m.to)), []).append(m)
        return [MoveGroup(c, self.titles.get(c), f, t, tuple(ms)) for (c, f, t), ms in out.items()]

    def single_groups(self) -> list[tuple[MoveGroup, Decimal]]:
        """Single moves grouped by (column, from, to, gain per person), best gain first."""
        out: dict[tuple[str, str, str, Decimal], list[CellMove]] = {}
        for m in self.singles:
            out.setdefault((m.cell.column, show(m.cell.value), show(m.to), m.gain), []).append(m)
        groups = [
            (MoveGroup(c, self.titles.get(c), f, t, tuple(ms)), g)
            for (c, f, t, g), ms in out.items()
        ]
        groups.sort(key=lambda x: (-x[1], x[0].column))
        return groups

    def to_dict(self) -> dict[str, Any]:
        """JSON form (schema ``evalengine.gap-records/1``)."""
        p = self.prober
        cur = self.current
        r = self.reading
        return {
            "schema": "evalengine.gap-records/1",
            **p.identity(),
            "table": self.table,
            "current": {
                "value": plain(cur.value),
                "unrounded": plain(cur.unrounded),
                "band": cur.band.to_dict() if cur.band else None,
            },
            "target": None
            if self.target is None
            else self.target.to_dict()
            | {"threshold": self.edge_text(), "distance": plain(self.distance)},
            "status": self.status,
            "rounding": None if p.places is None else {"places": p.places, "mode": p.mode},
            "cost": "cells changed (one person's column); persons = distinct rows",
            "plan": {
                "changes": len(self.plan),
                "persons": self.persons,
                "lower_bound": self.lower_bound,
                "minimal": self.minimal,
                "value": None if r is None else plain(r.value),
                "unrounded": None if r is None else plain(r.unrounded),
                "band": None if r is None or r.band is None else r.band.label,
                "reaches_target": self.status == "reachable",
                "groups": [g.to_dict() for g in self.groups()],
            },
            "best": None
            if self.best is None
            else {
                "value": plain(self.best.value),
                "unrounded": plain(self.best.unrounded),
                "band": self.best.band.label if self.best.band else None,
            },
            "ceilings": [
                {
                    "indicator": i,
                    "title": t,
                    "now": None if now is None else plain(now),
                    "best": None if best is None else plain(best),
                    "max": None if mx is None else plain(mx),
                }
                for i, t, now, best, mx in self.ceilings
            ],
            "moves": [m.to_dict() for m in self.singles],
            "max_changes": self.max_changes,
            "notes": list(self.notes),
            "evaluations": p.evaluations,
        }


# -- evidence with changed cells ----------------------------------------------------------


def _header(table: Table, rubric, column: str) -> str:
    spec = table_spec(rubric, table.name)
    col = spec.column(column) if spec is not None else None
    if col is not None:
        for h in table.columns:
            if col.accepts(h):
                return h
    return column


def with_cells(prober: Prober, table_name: str, changes: dict[tuple[int, str], Any]) -> Evidence:
    """A copy of the evidence whose table has the given (row, column) cells replaced."""
    ev = prober.evidence
    table = ev.tables[table_name]
    rows = list(table.rows)
    columns = list(table.columns)
    for (i, column), value in changes.items():
        header = _header(table, prober.rubric, column)
        if header not in columns:
            columns.append(header)
        row = dict(rows[i])
        old = row.get(header)
        if old is not None:
            prov = old.provenance
        else:
            base = next(iter(rows[i].values())).provenance
            prov = Provenance(base.file, header, base.line, sheet=base.sheet, row=base.row)
        row[header] = EvidenceValue(value, prov)
        rows[i] = row
    tables = dict(ev.tables)
    tables[table_name] = Table(table.name, columns, rows, table.source)
    return replace(ev, tables=tables)


# -- analysis -----------------------------------------------------------------------------


def improvable(prober: Prober) -> list[Ladder]:
    """Ladders of columns of tables the evidence has and some ``records`` indicator reads."""
    names = {
        str(ind.options.get("table"))
        for ind in prober.rubric.indicators()
        if ind.type == "records" and ind.options.get("table")
    }
    return [
        lad
        for lad in ladders(prober.rubric)
        if lad.table in names and lad.table in prober.evidence.tables
    ]


def _resolve_goal(prober: Prober, target: str | None, to_value: Decimal | None):
    """(goal band, already reached?, at top?) as `gap` resolves it for answered rubrics."""
    if target is not None and to_value is not None:
        msg = "give either a target band or a target value, not both"
        raise UsageError(msg)
    if to_value is not None:
        goal = Band(f"≥ {plain(to_value)}", "target value", Interval(to_value, None, True, False))
        return goal, prober.baseline.value >= to_value, False
    if prober.table is None:
        msg = f"rubric '{prober.rubric.id}' has no band table for its headline"
        raise UsageError(msg, hint="gap needs bands or --to VALUE")
    ordered = prober.table.ordered()
    cur = prober.rank(prober.baseline.band)
    cur = -1 if cur is None else cur
    if target is not None:
        goal = find_band(prober, target)
    elif cur + 1 < len(ordered):
        goal = ordered[cur + 1]
    else:
        return None, True, True
    rank = prober.table.rank(goal.label)
    return goal, rank is not None and rank <= cur, False


def analyse_records(
    prober: Prober,
    *,
    target: str | None = None,
    to_value: Decimal | None = None,
    max_changes: int | None = None,
) -> RecordsGap:
    """The cheapest (greedy, verified) plan of table-cell improvements reaching ``target``."""
    with reusing_bound_rows():  # every try shares the unchanged rows of the table
        return _analyse_records(prober, target, to_value, max_changes)


def _analyse_records(
    prober: Prober, target: str | None, to_value: Decimal | None, max_changes: int | None
) -> RecordsGap:
    lads = improvable(prober)
    if not lads:
        msg = f"rubric '{prober.rubric.id}' declares no improvable table columns"
        raise UsageError(
            msg, hint="add `improve = [...]` to columns in [evidence.tables.<name>.columns]"
        )
    table_name = lads[0].table
    lads = [lad for lad in lads if lad.table == table_name]
    spec = table_spec(prober.rubric, table_name)
    titles = {c.name: c.title for c in spec.columns} if spec else {}
    goal, already, top = _resolve_goal(prober, target, to_value)
    result = RecordsGap(
        prober, table_name, goal, "reachable", max_changes=max_changes, titles=titles
    )
    if len({lad.table for lad in improvable(prober)}) > 1:
        result.notes.append(f"only table '{table_name}' is analysed")
    bound = bind_table(prober.evidence.tables[table_name], spec)
    label_col = (spec.options.get("label") if spec else None) or None
    records = [
        ind
        for ind in prober.rubric.indicators()
        if ind.type == "records" and ind.options.get("table") == table_name
    ]
    # the columns the per-row formulas read: rows equal on these give equal gains
    read = sorted(
        {
            m.group(1)
            for ind in records
            for key in ("row", "where")
            for m in re.finditer(r"\brow\.([A-Za-z_]\w*)", str(ind.options.get(key) or ""))
        }
    )
    separable = all(str(ind.options.get("aggregate", "sum")) in ROW_SEPARABLE for ind in records)

    def label(i: int) -> str:
        row = bound.rows[i]
        if label_col and label_col in row and row[label_col].value not in (None, ""):
            return str(row[label_col].value)
        prov = next(iter(row.values())).provenance
        return f"row {prov.row}" if prov.row is not None else f"row {i + 1}"

    base_out = prober.baseline_outcomes

    def evaluate(changes: dict[tuple[int, str], Any]):
        outcomes = prober._run(with_cells(prober, table_name, changes))
        return prober._reading(outcomes), outcomes

    def deltas(outcomes) -> tuple[tuple[str, Decimal], ...]:
        out = []
        for ind in records:
            a, b = base_out[ind.id].value, outcomes[ind.id].value
            if isinstance(a, Decimal) and isinstance(b, Decimal) and a != b:
                out.append((ind.id, b - a))
        return tuple(out)

    # 1. single moves from the evidence as it stands
    base = prober.baseline.unrounded
    cells: list[tuple[Cell, Ladder]] = []
    off_ladder: dict[str, list[str]] = {}
    cache: dict[tuple, tuple[Decimal, tuple]] = {}
    singles: list[CellMove] = []
    best_single: dict[tuple[int, str], Decimal] = {}
    for i, row in enumerate(bound.rows):
        signature = tuple(repr(row[c].value) if c in row else None for c in read)
        for lad in lads:
            value = row[lad.column].value if lad.column in row else None
            cell = Cell(i, label(i), lad.column, value)
            if lad.position(value) is None:
                off_ladder.setdefault(lad.column, []).append(f"{cell.label} ({show(value)})")
                continue
            cells.append((cell, lad))
            for _, to, steps in lad.targets(value):
                key = (signature, lad.column, repr(to))
                if separable and key in cache:
                    gain, dl = cache[key]
                else:
                    reading, outcomes = evaluate({(i, lad.column): to})
                    gain, dl = reading.unrounded - base, deltas(outcomes)
                    cache[key] = (gain, dl)
                if gain > 0:
                    singles.append(CellMove(cell, to, steps, gain, dl))
                    k = (i, lad.column)
                    best_single[k] = max(best_single.get(k, gain), gain)
    singles.sort(key=lambda m: (-m.gain, m.steps, m.cell.row, m.cell.column))
    result.singles = singles
    for col, rows in off_ladder.items():
        result.notes.append(
            f"column {col}: value not on its `improve` ladder, no move proposed for "
            + ", ".join(rows)
        )

    # 4. the ceiling: every cell at its best reachable level
    all_best = {}
    for cell, lad in cells:
        t = lad.targets(cell.value)
        if t:
            all_best[(cell.row, cell.column)] = t[-1][1]
    best_reading, best_out = evaluate(all_best) if all_best else (prober.baseline, base_out)
    result.best = best_reading
    for ind in records:
        result.ceilings.append(
            (
                ind.id,
                ind.title,
                base_out[ind.id].value,
                best_out[ind.id].value,
                base_out[ind.id].max,
            )
        )

    if top:
        result.status = "top"
        return result
    if already:
        result.status = "reached"
        return result
    assert goal is not None
    lo, closed = goal.interval.lo, goal.interval.lo_closed

    def reaches(reading: Reading) -> bool:
        if to_value is not None:
            return reading.value >= to_value
        assert prober.table is not None
        rank, want = prober.rank(reading.band), prober.table.rank(goal.label)
        return rank is not None and want is not None and rank >= want

    def reaches_unrounded(u: Decimal) -> bool:
        v = prober.round(u)
        return lo is None or v > lo or (closed and v == lo)

    # 3. lower bound on cells (under "no synergy")
    total = base
    for k, gain in enumerate(sorted(best_single.values(), reverse=True), start=1):
        total += gain
        if reaches_unrounded(total):
            result.lower_bound = k
            break

    # 2. lazy greedy. Each step's gain is exact: re-measured against the changes taken so
    # far, except that with row-separable aggregates the single gain of a row no change has
    # touched yet still holds (its contribution does not depend on other rows); the value is
    # then predicted, and re-evaluated whenever the prediction reaches the target.
    by_cell = {(c.row, c.column): (c, lad) for c, lad in cells}
    first_single: dict[tuple[int, str], CellMove] = {}
    for m in singles:  # best gain first, then fewest steps
        first_single.setdefault((m.cell.row, m.cell.column), m)
    heap = [(-g, k) for k, g in best_single.items()]
    heapq.heapify(heap)
    state: dict[tuple[int, str], Any] = {}
    touched: set[int] = set()
    exact: tuple[Decimal, Reading, dict] | None = (base, prober.baseline, base_out)
    predicted = base
    plan: list[CellMove] = []
    done = False

    def exact_now() -> tuple[Decimal, Reading, dict]:
        nonlocal exact
        if exact is None:
            reading, outcomes = evaluate(state)
            exact = (reading.unrounded, reading, outcomes)
        return exact

    row_cache: dict[tuple, tuple[Decimal, dict]] = {}
    move_cache: dict[tuple, tuple[Decimal, tuple]] = {}

    def row_move(key: tuple[int, str], cell: Cell, lad: Ladder) -> CellMove | None:
        """Best move of a cell in an already changed row, with row-separable aggregates.

        The row's contribution does not depend on other rows, so the gain is measured with
        only this row's changes applied, and cached by the row's (changed) content.
        """
        mine = {k: v for k, v in state.items() if k[0] == cell.row}
        row = bound.rows[cell.row]
        sig = tuple(repr(mine.get((cell.row, c), row[c].value if c in row else None)) for c in read)
        if sig not in row_cache:
            reading, outcomes = evaluate(mine)
            row_cache[sig] = (reading.unrounded, outcomes)
        start, start_out = row_cache[sig]
        best = None
        for _, to, steps in lad.targets(cell.value):
            ck = (sig, cell.column, repr(to))
            if ck not in move_cache:
                reading, outcomes = evaluate({**mine, key: to})
                dl = tuple(
                    (ind.id, outcomes[ind.id].value - start_out[ind.id].value)
                    for ind in records
                    if outcomes[ind.id].value != start_out[ind.id].value
                )
                move_cache[ck] = (reading.unrounded - start, dl)
            gain, dl = move_cache[ck]
            if gain > 0 and (best is None or gain > best.gain):
                best = CellMove(cell, to, steps, gain, dl)
        return best

    while heap and not done:
        if max_changes is not None and len(plan) >= max_changes:
            break
        _, key = heapq.heappop(heap)
        cell, lad = by_cell[key]
        if separable and cell.row not in touched:
            move = first_single[key]
        elif separable:
            move = row_move(key, cell, lad)
            if move is None:
                continue
            if heap and move.gain < -heap[0][0]:
                heapq.heappush(heap, (-move.gain, key))  # stale estimate: re-queue
                continue
        else:
            now, _, now_out = exact_now()
            best = None
            for _, to, steps in lad.targets(cell.value):
                reading, outcomes = evaluate({**state, key: to})
                gain = reading.unrounded - now
                if gain > 0 and (best is None or gain > best[0]):
                    best = (gain, to, steps, outcomes)
            if best is None:
                continue
            if heap and best[0] < -heap[0][0]:
                heapq.heappush(heap, (-best[0], key))  # stale estimate: re-queue
                continue
            gain, to, steps, outcomes = best
            dl = tuple(
                (ind.id, outcomes[ind.id].value - now_out[ind.id].value)
                for ind in records
                if outcomes[ind.id].value != now_out[ind.id].value
            )
            move = CellMove(cell, to, steps, gain, dl)
        plan.append(move)
        state[key] = move.to
        touched.add(cell.row)
        predicted = (exact[0] if exact is not None else predicted) + move.gain
        exact = None
        if reaches_unrounded(predicted) or not heap:
            now, reading, _ = exact_now()
            # mean-over-N gains are 40-digit decimals: sums may differ in the last digits
            if abs(now - predicted) > TOLERANCE:
                result.notes.append(
                    "gains did not add up exactly (the headline is not a sum of the row "
                    "values); the plan is verified by re-evaluation"
                )
            predicted = now
            done = reaches(reading)
    # verify the whole plan in one evaluation
    verified, _ = evaluate(state) if state else (prober.baseline, base_out)
    result.plan, result.reading = plan, verified
    if reaches(verified):
        result.status = "reachable"
        result.minimal = result.lower_bound is not None and len(plan) == result.lower_bound
    else:
        result.status = (
            "limited" if max_changes is not None and len(plan) >= max_changes else "unreachable"
        )
        result.reading = verified if plan else None
    return result


def records_json(a: RecordsGap) -> str:
    """The analysis as JSON."""
    return json.dumps(a.to_dict(), ensure_ascii=False, indent=2) + "\n"


__all__ = [
    "Cell",
    "CellMove",
    "MoveGroup",
    "RecordsGap",
    "analyse_records",
    "improvable",
    "records_json",
    "with_cells",
]
