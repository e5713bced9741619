"""Evidence: the facts, answers, tables and stated figures of one assessed institution.

Every value keeps its provenance (file, key path, line and column; sheet, cell or
row for tables), so a derivation can say where each number came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from ..errors import EvidenceError, Location
from ..numbers import to_decimal
from ..sourcemap import SourceMap

#: The stage key used for answers and stated figures given without a stage.
ANY_STAGE = ""


@dataclass(frozen=True)
class Provenance:
    """Where an evidence value was read: file and key (TOML/JSON) or sheet/cell/row (tables)."""

    file: str | None
    key: str | None = None
    line: int | None = None
    column: int | None = None
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.sheet:
            where += f" [{self.sheet}]"
        if self.cell:
            where += f"!{self.cell}"
        elif self.row is not None:
            where += f" row {self.row}"
        elif self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        return f"{where} ({self.key})" if self.key else where

    @property
    def location(self) -> Location:
        """The provenance as an error :class:`Location`."""
        return Location(
            self.file, self.line if self.row is None else self.row, self.column, self.key
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form without empty fields."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class EvidenceValue:
    """One value from an evidence file, as written, with its provenance."""

    value: Any
    provenance: Provenance

    @property
    def location(self) -> Location:
        """Where the value is, for error messages."""
        return self.provenance.location

    def number(self) -> Decimal:
        """The value as a Decimal (Indonesian formats accepted), or a clear EvidenceError."""
        try:
            return to_decimal(self.value)
        except ValueError as exc:
            msg = f"expected a number at `{self.provenance.key}`: {exc}"
            raise EvidenceError(
                msg,
                location=self.location,
                hint='write numbers like 79.03 or "79,03" or "8.357.764.610,00"',
            ) from None


@dataclass
class Table:
    """Rows of a table (responses, employees, budget lines), each cell with provenance."""

    name: str
    columns: list[str]
    rows: list[dict[str, EvidenceValue]]
    source: Provenance

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class Evidence:
    """Everything known about one assessed subject, as read from its evidence file(s)."""

    path: str | None
    meta: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, dict[str, EvidenceValue]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)  # nested dicts of EvidenceValue
    stated: dict[str, dict[str, EvidenceValue]] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    source_map: SourceMap | None = None

    def location(self, parts: tuple[str, ...]) -> Location:
        """Location of the key path ``parts`` in the evidence file."""
        if self.source_map is None:
            return Location(self.path, key=".".join(parts))
        return self.source_map.locate(parts)

    def answer(self, indicator_id: str, stage: str | None) -> EvidenceValue | None:
        """The answer for an indicator at a stage (falls back to a stage-less answer)."""
        per_stage = self.answers.get(indicator_id)
        if not per_stage:
            return None
        if stage is not None and stage in per_stage:
            return per_stage[stage]
        return per_stage.get(ANY_STAGE)

    def fact(self, path: tuple[str, ...]) -> EvidenceValue | dict | None:
        """A fact by key path below ``[facts]``; a table of facts returns a dict."""
        node: Any = self.facts
        for part in path:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def with_answer(
        self, indicator_id: str, value: Any, stage: str | None = None, origin: str = "--set"
    ) -> Evidence:
        """A copy with one answer replaced (what-if scoring); other answers are shared."""
        answers = dict(self.answers)
        per_stage = dict(answers.get(indicator_id, {}))
        ev = EvidenceValue(value, Provenance(origin, key=f"answers.{indicator_id}"))
        if stage is None:
            per_stage = {k: ev for k in per_stage} or {ANY_STAGE: ev}
        else:
            per_stage[stage] = ev
        answers[indicator_id] = per_stage
        return replace(self, answers=answers)
