"""Improvement ladders of table columns: which values a column can be raised to, in order.

A rubric that computes indicators from an evidence table (``records`` indicators) may
say, per column of ``[evidence.tables.<name>.columns]``, which values are *better*, so
``evalengine gap`` can propose "raise N persons' <column> from A to B"::

    pendidikan = { type = "text", improve = ["SD", ["SLTP", "SMP"], …], improve_steps = 1 }
    diklat_teknis_jp = { type = "number", improve = ["params.diklat_teknis_min_jp"] }
    seminar = { type = "boolean", improve = [false, true] }

``improve`` lists the levels worst → best. A level is one value or a list of equivalent
spellings (the first is the one a proposed change writes). For ``number`` / ``integer``
columns the levels are target values in increasing order (a row may move to any level
above its current value; ``"params.<name>"`` reads a rubric parameter, so the threshold
the row formula uses is the one proposed). ``boolean`` levels are ya/tidak values.
``improve_steps`` (optional, ≥ 1) is the most levels one change may climb (e.g. one
education level at a time). A text cell whose value is not on the ladder gets no move.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any

from ..errors import Diagnostic, Location
from ..numbers import plain, to_decimal

_TRUE = {"ya", "y", "yes", "true", "1", "sudah"}
_FALSE = {"tidak", "t", "no", "n", "false", "0", "belum"}
IMPROVE_KEYS = ("improve", "improve_steps")


@dataclass(frozen=True)
class Ladder:
    """The ordered better values of one table column (worst first)."""

    table: str
    column: str
    type: str
    #: each level: equivalent values, the first is the one written by a change
    levels: tuple[tuple[Any, ...], ...]
    max_steps: int | None = None

    @property
    def numeric(self) -> bool:
        """True for number/integer columns (levels compared by magnitude)."""
        return self.type in ("number", "integer")

    def position(self, value: Any) -> int | None:
        """Index of ``value`` on the ladder (numbers: the highest level ≤ value, -1 below all).

        None: a text/boolean value that is not on the ladder (no move is proposed).
        """
        if self.numeric:
            if not isinstance(value, Decimal):
                value = Decimal(0) if value is None else value
            pos = -1
            for i, (level,) in enumerate(self.levels):
                if value >= level:
                    pos = i
            return pos
        for i, level in enumerate(self.levels):
            for v in level:
                if _same(v, value):
                    return i
        return None

    def targets(self, value: Any) -> list[tuple[int, Any, int]]:
        """``(level index, value to write, steps)`` of each better level one change reaches."""
        pos = self.position(value)
        if pos is None:
            return []
        out = []
        for i in range(pos + 1, len(self.levels)):
            steps = i - pos
            if self.max_steps is not None and steps > self.max_steps:
                break
            out.append((i, self.levels[i][0], steps))
        return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    return a == b


def show(value: Any) -> str:
    """A cell value as people write it: ``ya``/``tidak``, ``20``, ``S-1``, ``—`` for blank."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


def _level_value(raw: Any, ctype: str, params: dict[str, Any]) -> Any:
    """One ladder value converted to the column type, or ValueError."""
    if isinstance(raw, str) and raw.startswith("params."):
        name = raw[len("params.") :]
        if name not in params:
            msg = f"no parameter '{name}' in [params]"
            raise ValueError(msg)
        raw = params[name]
        raw = getattr(raw, "value", raw)
    if ctype in ("number", "integer"):
        if isinstance(raw, bool):
            msg = f"{raw!r} is not a number"
            raise ValueError(msg)
        return to_decimal(raw)
    if ctype == "boolean":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        msg = f"{raw!r} is not ya/tidak"
        raise ValueError(msg)
    return str(raw).strip()


def parse_ladder(table: str, column: str, raw: dict[str, Any], params: dict[str, Any]) -> Ladder:
    """The ladder a column declaration gives (raw: the column's inline table), or ValueError."""
    ctype = str(raw.get("type", "text"))
    spec = raw.get("improve")
    if not isinstance(spec, list) or not spec:
        msg = "`improve` must be a non-empty list of values, worst first"
        raise ValueError(msg)
    if ctype == "answer":
        msg = "`improve` is not supported on `answer` columns"
        raise ValueError(msg)
    levels = []
    for entry in spec:
        group = entry if isinstance(entry, list) else [entry]
        if not group:
            msg = "an `improve` level is an empty list"
            raise ValueError(msg)
        if ctype in ("number", "integer") and len(group) != 1:
            msg = "levels of a number column are single values"
            raise ValueError(msg)
        levels.append(tuple(_level_value(v, ctype, params) for v in group))
    if ctype in ("number", "integer"):
        nums = [lv[0] for lv in levels]
        if any(b <= a for a, b in pairwise(nums)):
            msg = f"levels of a number column must increase, got {', '.join(map(plain, nums))}"
            raise ValueError(msg)
    steps = raw.get("improve_steps")
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 1):
        msg = f"`improve_steps` must be a whole number ≥ 1, got {steps!r}"
        raise ValueError(msg)
    return Ladder(table, column, ctype, tuple(levels), steps)


def ladder_problems(
    rubric, table: str, column: str, raw: dict[str, Any], where: Location
) -> list[Diagnostic]:
    """Diagnostics for a column's ``improve`` / ``improve_steps`` keys (none when absent)."""
    if "improve" not in raw:
        if "improve_steps" in raw:
            return [
                Diagnostic(
                    "error",
                    "value",
                    "`improve_steps` without `improve`",
                    where,
                    'list the better values worst first: improve = ["D-III", "S-1"]',
                )
            ]
        return []
    try:
        parse_ladder(table, column, raw, rubric.params)
    except ValueError as exc:
        return [
            Diagnostic(
                "error",
                "value",
                f"column '{column}': {exc}",
                where,
                'e.g. improve = ["berat", "sedang", "ringan", ["tidak ada", "tidak"]]',
            )
        ]
    return []


def ladders(rubric) -> list[Ladder]:
    """Every column ladder the rubric declares, in declaration order (invalid ones skipped)."""
    out = []
    tables = rubric.evidence_spec.get("tables") or {}
    for tname, traw in tables.items():
        if not isinstance(traw, dict):
            continue
        for cname, craw in (traw.get("columns") or {}).items():
            if isinstance(craw, dict) and "improve" in craw:
                try:
                    out.append(parse_ladder(tname, cname, craw, rubric.params))
                except ValueError:
                    continue
    return out


__all__ = ["IMPROVE_KEYS", "Ladder", "ladder_problems", "ladders", "parse_ladder", "show"]
