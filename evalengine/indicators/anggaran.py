"""The ``anggaran`` indicator type: budget absorption (serapan) over a program tree.

The evidence table lists budget lines in the order a report prints them, each with
a ``level`` (``urusan``, ``program``, ``kegiatan``, ``subkegiatan`` by default, or
a number: 1 is the top), ``kode``, ``uraian``, ``pagu`` and ``realisasi`` (Rp,
Indonesian formats accepted) and optionally the printed ``persen``. A row's parent
is the nearest row above it with a higher level.

What is computed, exactly:

* a leaf's pagu and realisasi are its own (inputs);
* a parent's pagu and realisasi are the **sums of its children**; the figures the
  row prints are kept as stated figures, and a parent whose printed pagu or
  realisasi is not that sum gets a warning;
* serapan = realisasi / pagu × 100, sisa = pagu − realisasi (Rp and %), the
  Permendagri 86/2017 category from the indicator's band table;
* the indicator itself sums the top-level rows.

The printed ``persen`` of every row, and a parent's printed pagu and realisasi,
are stated figures that ``evalengine reconcile`` checks.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import Diagnostic, EvidenceError
from ..evidence.model import EvidenceValue
from ..hookspecs import hookimpl
from ..numbers import CONTEXT, format_id, round_to
from .base import IndicatorType

if TYPE_CHECKING:
    from ..evaluate.engine import IndicatorContext, Outcome
    from ..evaluate.result import NodeResult
    from ..rubric.model import Indicator, Rubric

HUNDRED = Decimal(100)
#: Level names from the top of the tree down (Permendagri 90/2019 nomenclature).
DEFAULT_LEVELS = ("urusan", "program", "kegiatan", "subkegiatan")
#: Printed-percentage column names → the field they state.
PERCENT_COLUMNS = {"persen": "serapan", "serapan": "serapan"}
#: Level names of a printed grand-total row: its figures are stated for the indicator.
TOTAL_LEVELS = ("total", "jumlah")
#: Columns kept on each node as information (numbers; not checked).
INFO_COLUMNS = ("target", "kinerja", "fisik")


def serapan(pagu: Decimal, realisasi: Decimal) -> Decimal | None:
    """Realisasi as a percentage of pagu, exact (None for a zero pagu)."""
    if pagu == 0:
        return None
    return CONTEXT.multiply(CONTEXT.divide(realisasi, pagu), HUNDRED)


class AnggaranType(IndicatorType):
    """Serapan anggaran over a urusan → program → kegiatan → sub-kegiatan tree."""

    name = "anggaran"
    description = "budget absorption (serapan %) and sisa over a program/kegiatan tree"
    options: ClassVar[dict[str, str]] = {
        "table": 'evidence table of budget lines (default "anggaran")',
        "levels": "level names from the top down (default urusan, program, kegiatan, subkegiatan)",
    }
    text_options: ClassVar[tuple[str, ...]] = ("table",)

    def _table_name(self, ind: Indicator) -> str:
        return str(ind.options.get("table", "anggaran"))

    def validate(self, indicator: Indicator, rubric: Rubric) -> list[Diagnostic]:
        levels = indicator.options.get("levels")
        if levels is not None and not (
            isinstance(levels, list) and levels and all(isinstance(x, str) for x in levels)
        ):
            return [
                Diagnostic(
                    "error",
                    "type",
                    f"`levels` of '{indicator.id}' must be a list of names",
                    indicator.location,
                    'levels = ["program", "kegiatan", "subkegiatan"]',
                )
            ]
        return []

    def node_ids(self, indicator: Indicator, evidence: Any) -> set[str]:
        table = evidence.tables.get(self._table_name(indicator))
        if table is None:
            return set()
        return {str(row["kode"].value).strip() for row in table.rows if "kode" in row}

    def evaluate(self, indicator: Indicator, ctx: IndicatorContext) -> Outcome:
        from ..evaluate.engine import Outcome
        from ..evaluate.result import Derivation

        name = self._table_name(indicator)
        table = ctx.evidence.tables.get(name)
        if table is None:
            msg = f"indicator '{indicator.id}' reads evidence table '{name}', which is missing"
            raise EvidenceError(
                msg,
                location=ctx.evidence.location(("tables",)),
                hint=f'add [tables.{name}] file = "anggaran.csv" (columns kode, level, uraian, '
                "pagu, realisasi, persen)",
                code="missing-table",
            )
        if not table.rows:
            msg = f"evidence table '{name}' has no rows"
            raise EvidenceError(msg, location=table.source.location)
        for column in ("level", "uraian", "pagu", "realisasi"):
            if column not in table.columns:
                msg = f"evidence table '{name}' has no column '{column}'"
                raise EvidenceError(
                    msg,
                    location=table.source.location,
                    hint=f"columns: {', '.join(table.columns)}; needed: kode, level, uraian, "
                    "pagu, realisasi (persen optional)",
                    code="missing-column",
                )
        levels = [str(x).casefold() for x in indicator.options.get("levels", DEFAULT_LEVELS)]
        rows = [r for r in table.rows if _level(r) not in TOTAL_LEVELS]
        totals = [r for r in table.rows if _level(r) in TOTAL_LEVELS]
        roots = self._tree(rows, levels, name)
        for root in roots:
            self._compute(root, indicator, ctx)
        pagu = _sum(r.extra["pagu"] for r in roots)
        realisasi = _sum(r.extra["realisasi"] for r in roots)
        extra = _figures(pagu, realisasi)
        stated: dict[str, list[EvidenceValue]] = {}
        warnings: list[str] = []
        for row in totals:
            for column, field_name in (
                ("pagu", "pagu"),
                ("realisasi", "realisasi"),
                *PERCENT_COLUMNS.items(),
            ):
                ev = row.get(column)
                if ev is None or str(ev.value).strip() in ("", "-"):
                    continue
                stated.setdefault(field_name, []).append(ev)
                if field_name in ("pagu", "realisasi") and ev.number() != extra[field_name]:
                    warnings.append(
                        f"printed total {field_name} Rp{format_id(ev.number())} "
                        f"({ev.provenance}) is not the sum of the top-level rows, "
                        f"Rp{format_id(extra[field_name])}"
                    )
        value = extra.get("serapan")
        derivation = Derivation(
            "realisasi / pagu × 100 (sums of the top-level rows)",
            f"{format_id(realisasi)} / {format_id(pagu)} × 100",
        )
        return Outcome(
            value, None, derivation, warnings=warnings, extra=extra, nodes=roots, stated=stated
        )

    # -- building the tree ---------------------------------------------------------
    def _tree(self, rows, levels: list[str], name: str) -> list[NodeResult]:
        from ..evaluate.result import NodeResult

        roots: list[NodeResult] = []
        stack: list[tuple[int, NodeResult]] = []
        for i, row in enumerate(rows, start=1):
            missing = [c for c in ("level", "uraian", "pagu", "realisasi") if c not in row]
            if missing:  # a row of an inline table may leave out a column the others have
                msg = f"row {i} of evidence table '{name}' has no {', '.join(missing)}"
                first = next(iter(row.values()), None)
                raise EvidenceError(
                    msg,
                    location=first.location if first is not None else None,
                    hint="every budget line needs level, uraian, pagu and realisasi",
                    code="missing-column",
                )
            level_ev = row["level"]
            depth = _depth(level_ev, levels, name, i)
            kode = str(row["kode"].value).strip() if "kode" in row else f"{name}_{i}"
            node = NodeResult(
                id=kode,
                title=str(row["uraian"].value).strip(),
                type="anggaran-row",
                code=kode,
            )
            node.extra["level"] = str(level_ev.value).strip()
            node.extra["_row"] = row
            while stack and stack[-1][0] >= depth:
                stack.pop()
            if stack:
                stack[-1][1].children.append(node)
            else:
                roots.append(node)
            stack.append((depth, node))
        return roots

    def _compute(self, node: NodeResult, ind: Indicator, ctx: IndicatorContext) -> None:
        from ..evaluate.result import Derivation

        row: dict[str, EvidenceValue] = node.extra.pop("_row")
        for child in node.children:
            self._compute(child, ind, ctx)
        printed_pagu = row["pagu"].number()
        printed_real = row["realisasi"].number()
        if node.children:
            pagu = _sum(c.extra["pagu"] for c in node.children)
            realisasi = _sum(c.extra["realisasi"] for c in node.children)
            node.stated["pagu"] = [row["pagu"]]
            node.stated["realisasi"] = [row["realisasi"]]
            for label, printed, total in (
                ("pagu", printed_pagu, pagu),
                ("realisasi", printed_real, realisasi),
            ):
                if printed != total:
                    node.warnings.append(
                        f"printed {label} Rp{format_id(printed)} is not the sum of its "
                        f"{len(node.children)} rows below, Rp{format_id(total)} "
                        f"(difference Rp{format_id(printed - total)})"
                    )
            how = "sums of the rows below"
        else:
            pagu, realisasi = printed_pagu, printed_real
            how = "its own pagu and realisasi"
        node.extra.update(_figures(pagu, realisasi))
        node.value = node.extra.get("serapan")
        node.derivation = Derivation(
            f"realisasi / pagu × 100 ({how})",
            f"{format_id(realisasi)} / {format_id(pagu)} × 100",
        )
        if node.value is None:
            node.warnings.append("pagu is 0: serapan is undefined")
        for column, field_name in PERCENT_COLUMNS.items():
            ev = row.get(column)
            if ev is not None and str(ev.value).strip() not in ("", "-"):
                node.stated.setdefault(field_name, []).append(ev)
        for column in INFO_COLUMNS:
            ev = row.get(column)
            if ev is not None and str(ev.value).strip() not in ("", "-"):
                try:
                    node.extra[column] = ev.number()
                except EvidenceError:
                    node.extra[column] = str(ev.value)
        table = ind.band
        if table is not None and table in ctx.rubric.bands and node.value is not None:
            node.band_table = table
            # Classified at the precision the indicator is printed with (its `round`), like the
            # indicator's own value, so a row and a total that print the same serapan get the
            # same category; the row's value stays exact.
            shown = node.value
            if ind.round is not None:
                shown = round_to(node.value, ind.round, ctx.rubric.rounding.mode)
            node.band = ctx.rubric.bands[table].classify(shown)


def _sum(values) -> Decimal:
    total = Decimal(0)
    for v in values:
        total = CONTEXT.add(total, v)
    return total


def _figures(pagu: Decimal, realisasi: Decimal) -> dict[str, Any]:
    sisa = CONTEXT.subtract(pagu, realisasi)
    out: dict[str, Any] = {"pagu": pagu, "realisasi": realisasi, "sisa": sisa}
    pct = serapan(pagu, realisasi)
    if pct is not None:
        out["serapan"] = pct
        out["sisa_persen"] = CONTEXT.subtract(HUNDRED, pct)
    return out


def _level(row: dict[str, EvidenceValue]) -> str:
    ev = row.get("level")
    return "" if ev is None else str(ev.value).strip().casefold()


def _depth(ev: EvidenceValue, levels: list[str], table: str, row: int) -> int:
    text = str(ev.value).strip().casefold().replace("-", "").replace(" ", "")
    names = [lv.replace("-", "").replace(" ", "") for lv in levels]
    if text in names:
        return names.index(text) + 1
    if text.isdigit():
        return int(text)
    msg = f"row {row} of '{table}': level {ev.value!r} is not one of {', '.join(levels)}"
    raise EvidenceError(msg, location=ev.location, hint="write a level name, or a number (1 = top)")


@hookimpl
def register_indicator_types():
    """The anggaran (budget absorption) indicator type."""
    return [AnggaranType]
