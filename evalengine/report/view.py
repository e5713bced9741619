"""What every report shows, computed once: headline, aspect rows, indicator rows, derivations.

Report formats (rich and JSON in the core; HTML, Markdown, XLSX as plugins) read the
result tree through these helpers so that they all show the same figures: the same
rows in the same order, the same stage columns, the same derivation of each number.
The helpers return plain data (Decimals stay Decimals); each format decides how to
draw it. Text formatting for people uses :func:`number` (Indonesian style).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..evaluate.result import NodeResult, ScoreResult
from ..numbers import format_id, plain


def number(value: Any, places: int | None = None) -> str:
    """A value as people read it: ``42,5``, ``79,03``, ``8.357.764.610``; ``—`` for none."""
    if isinstance(value, Decimal):
        return (
            format_id(value, places)
            if places is not None
            else format_id(Decimal(plain(value)), None)
        )
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return str(value)


def percent(node: NodeResult, places: int = 2) -> str:
    """``61,46`` for a node at 61.46 % of its maximum; ``—`` without a maximum."""
    return number(node.percent, places) if node.percent is not None else "—"


@dataclass(frozen=True)
class Headline:
    """The root's figures: value, maximum, band, and the value at every stage."""

    title: str
    regulation: str | None
    version: str | None
    subject: str | None
    period: str | None
    value: Any
    max: Decimal | None
    percent: Decimal | None
    band_label: str | None
    band_meaning: str | None
    final_stage: str | None
    #: (stage, value, band label, band meaning) for every stage, final last.
    stages: tuple[tuple[str, Any, str | None, str | None], ...] = ()
    rounding: str | None = None
    unrounded: Any = None


def headline(result: ScoreResult) -> Headline:
    """The headline of ``result``."""
    root = result.root
    rubric = result.rubric
    meta = result.evidence.meta
    stages = []
    for stage in result.stages:
        band = root.stage_bands.get(stage)
        stages.append(
            (
                stage,
                root.stages.get(stage),
                band.label if band else None,
                band.meaning if band else None,
            )
        )
    return Headline(
        title=rubric.title,
        regulation=rubric.regulation,
        version=rubric.version,
        subject=str(meta["subject"]) if meta.get("subject") else None,
        period=str(meta["period"]) if meta.get("period") else None,
        value=root.value,
        max=root.max,
        percent=root.percent,
        band_label=root.band.label if root.band else None,
        band_meaning=root.band.meaning if root.band else None,
        final_stage=result.final_stage,
        stages=tuple(stages),
        rounding=root.derivation.rounding,
        unrounded=root.derivation.unrounded,
    )


def earlier_stages(result: ScoreResult) -> tuple[str, ...]:
    """The stages before the final one (``mandiri`` before ``verifikasi``), shown beside it."""
    return tuple(result.stages[:-1])


def aspects(result: ScoreResult) -> list[NodeResult]:
    """The top-level indicators (aspek / komponen), or the root alone for a flat rubric."""
    return list(result.root.children) or [result.root]


@dataclass(frozen=True)
class Row:
    """One indicator below an aspect, with its depth (1 = direct child of the aspect)."""

    node: NodeResult
    depth: int


def indicator_rows(aspect: NodeResult) -> list[Row]:
    """Every indicator below ``aspect``, parents before children, with depth."""

    def walk(node: NodeResult, depth: int) -> Iterator[Row]:
        for child in node.children:
            yield Row(child, depth)
            yield from walk(child, depth + 1)

    return list(walk(aspect, 1))


@dataclass
class Sheet:
    """The calculation sheet behind one number, as lines of text for people."""

    formula: str | None = None
    substituted: str | None = None
    #: (reference, value as text, source as text or None)
    inputs: list[tuple[str, str, str | None]] = field(default_factory=list)
    rounding: str | None = None
    max_formula: str | None = None
    note: str | None = None
    result: str = "—"

    def lines(self) -> list[str]:
        """The sheet as lines: formula, substitution, inputs with sources, rounding."""
        out = []
        if self.formula:
            out.append(f"rumus: {self.formula}")
        if self.substituted and self.substituted != self.formula:
            out.append(f"= {self.substituted}")
        out.append(f"= {self.result}")
        if self.rounding:
            out.append(f"pembulatan: {self.rounding}")
        for name, value, source in self.inputs:
            out.append(f"{name} = {value}" + (f"  ← {source}" if source else ""))
        if self.max_formula:
            out.append(f"maks: {self.max_formula}")
        if self.note:
            out.append(self.note)
        return out


def sheet(node: NodeResult) -> Sheet:
    """The calculation sheet (derivation) of ``node``'s value."""
    d = node.derivation
    inputs = []
    seen = set()
    for item in d.inputs:
        if item.name in seen:
            continue
        seen.add(item.name)
        provenance = item.provenance
        if provenance is not None and hasattr(provenance, "provenance"):
            provenance = provenance.provenance  # an EvidenceValue: show where it was read
        source = None
        if provenance is not None and not _is_plain_input(provenance):
            source = str(provenance)
        inputs.append((item.name, _value_text(item.value), source))
    result = number(node.value)
    if d.rounding and d.unrounded is not None:
        result = f"{number(d.unrounded)} → {number(node.value)}"
    return Sheet(d.formula, d.substituted, inputs, d.rounding, d.max_formula, d.note, result)


def _is_plain_input(provenance: Any) -> bool:
    from ..evaluate.interpreter import Input

    return isinstance(provenance, Input)


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        items = [_value_text(v) for v in value[:12]]
        return "[" + "; ".join(items) + ("; …" if len(value) > 12 else "") + "]"
    return number(value)


def band_words(label: str | None, meaning: str | None) -> str:
    """``III Baik``; the label alone when the meaning repeats it (``Rendah``, not twice)."""
    if not label:
        return meaning or ""
    return label if not meaning or meaning == label else f"{label} {meaning}"


def band_text(node: NodeResult) -> str:
    """``III Baik`` for a node with a band, else empty."""
    return band_name(node.band)


def band_name(band: Any) -> str:
    """``III Baik`` for a band, empty for None."""
    return "" if band is None else band_words(band.label, band.meaning)


def declared_places(rubric: Any, indicator_id: str) -> int | None:
    """The decimal places ``indicator_id``'s value is rounded to by the rubric, if any.

    An indicator's own ``round = N``; for the root, the ``[rounding]`` places when they
    apply to the headline. This is how ``score`` prints the headline (``70,30``).
    """
    ind = rubric.by_id().get(indicator_id)
    return rubric.rounding_places(ind) if ind is not None else None


#: A column without declared places shows as many decimals as its values have, up to this.
COLUMN_PLACES = 4


def column_places(rubric: Any, indicator_id: str, values: list[Any]) -> int | None:
    """Places for a column of values: declared ones, else the most any value has (≤ 4).

    A ranking reads down its columns, so ``61,00`` sits under ``61,30`` rather than
    ``61`` under ``61,3``. None (each value as it is) when a value has more decimals
    than :data:`COLUMN_PLACES`.
    """
    declared = declared_places(rubric, indicator_id)
    if declared is not None:
        return declared
    scales = [
        max(0, -value.as_tuple().exponent)
        for value in values
        if isinstance(value, Decimal) and value.is_finite()
    ]
    most = max(scales, default=0)
    return most if most <= COLUMN_PLACES else None


#: A ranking column is headed by its title up to this length, else by its code.
SHORT_TITLE = 14


@dataclass(frozen=True)
class RankingColumn:
    """An indicator shown in the ranking: its id, heading, title and places.

    The heading is the title when it is short (``Kinerja``), else the code (``3``).
    """

    id: str
    heading: str
    title: str
    places: int | None


@dataclass(frozen=True)
class RankedGroup:
    """One group's line in the ranking, or (with ``error``) why it has none."""

    key: str
    rank: int | None
    values: tuple[Any, ...]
    value: Any
    band: str
    error: str | None = None


@dataclass(frozen=True)
class Ranking:
    """``score --group-by``: the groups ranked by headline, with the aspects beside it."""

    group_by: str
    engine: str | None
    columns: tuple[RankingColumn, ...]
    value_places: int | None
    groups: tuple[RankedGroup, ...]
    failed: tuple[RankedGroup, ...]

    @property
    def title(self) -> str:
        """``Peringkat per instansi (600 kelompok, mesin duckdb)``."""
        count = len(self.groups) + len(self.failed)
        engine = f", mesin {self.engine}" if self.engine else ""
        return f"Peringkat per {self.group_by} ({count} kelompok{engine})"


def ranking(result: ScoreResult) -> Ranking | None:
    """The ranking of a result scored per group (None when it was not)."""
    group_by = getattr(result, "group_by", None)
    if not group_by:
        return None
    rubric = result.rubric
    # a group's values, not its result tree: DuckDB's groups build theirs only if read
    scored = [g for g in result.groups if g.scored]
    nodes = aspects(result) if result.root.children else []
    values = [g.values() for g in scored]
    columns = tuple(
        RankingColumn(
            node.id,
            node.title if len(node.title) <= SHORT_TITLE else node.code or node.id,
            node.title,
            column_places(rubric, node.id, [v.get(node.id) for v in values]),
        )
        for node in nodes
    )
    root = rubric.root.id
    value_places = column_places(rubric, root, [v[root] for v in values])
    groups = tuple(
        RankedGroup(
            g.key,
            g.rank,
            tuple(v.get(c.id) for c in columns),
            v[root],
            band_name(g.band),
        )
        for g, v in zip(scored, values, strict=True)
    )
    failed = tuple(
        RankedGroup(g.key, None, (), None, "", error=str(g.error))
        for g in result.groups
        if not g.scored
    )
    return Ranking(group_by, result.engine, columns, value_places, groups, failed)
