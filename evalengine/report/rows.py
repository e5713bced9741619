"""Terminal tables of the result nodes an indicator type built from evidence rows.

Budget lines (``anggaran-row``) and IKU rows (``sasaran`` / ``target-row``) are not
rubric indicators, so the aspect tables do not show them; this module renders them
as one indented table per indicator, with the columns each kind of row carries.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.table import Table
from rich.text import Text

from ..evaluate.result import NodeResult
from ..numbers import format_id
from .fitted import FittedTable

#: Row node type → columns: (extra field, header, decimal places or None for text).
ROW_COLUMNS: dict[str, tuple[tuple[str, str, int | None], ...]] = {
    "anggaran-row": (
        ("pagu", "Pagu (Rp)", 2),
        ("realisasi", "Realisasi (Rp)", 2),
        ("serapan", "Serapan %", 2),
        ("sisa", "Sisa (Rp)", 2),
        ("fisik", "Fisik %", 2),
    ),
    "target-row": (
        ("target", "Target", None),
        ("realisasi", "Realisasi", None),
        ("capaian", "Capaian %", 2),
        ("status", "Status", None),
    ),
}
ROW_COLUMNS["sasaran"] = ROW_COLUMNS["target-row"]


def _cell(value: Any, places: int | None) -> str:
    if isinstance(value, Decimal):
        return format_id(value, places) if places is not None else format_id(value, None)
    return "" if value is None else str(value)


def rows_table(node: NodeResult) -> FittedTable | None:
    """The table of the row nodes below ``node`` (None when it has none)."""
    kinds = [c.type for c in node.children if c.type in ROW_COLUMNS]
    if not kinds:
        return None
    columns = ROW_COLUMNS[kinds[-1]]
    extra_targets = list(
        dict.fromkeys(
            k
            for n in node.walk()
            for k in n.extra
            if k.startswith("capaian_") and n.type == "target-row"
        )
    )
    cols = list(columns) + [(k, k.replace("_", " ").capitalize() + " %", 2) for k in extra_targets]
    table = Table(title=node.label, title_justify="left", show_edge=False)
    table.add_column("Kode", style="dim", no_wrap=True)
    table.add_column("Uraian", ratio=1)
    for _, header, _places in cols:
        table.add_column(header, justify="right")
    table.add_column("Kategori")

    rows: list[list[str | Text]] = []

    def add(n: NodeResult, depth: int) -> None:
        style = "bold" if n.children else ""
        rows.append(
            [
                n.code or "",
                Text("  " * depth + n.title, style=style),
                *[_cell(n.extra.get(f), p) for f, _, p in cols],
                f"{n.band.label} {n.band.meaning}" if n.band else "",
            ]
        )
        for child in n.children:
            add(child, depth + 1)

    for child in node.children:
        if child.type in ROW_COLUMNS:
            add(child, 0)
    total = [
        "",
        Text("Jumlah / rata-rata", style="bold"),
        *[_cell(node.extra.get(f), p) for f, _, p in cols],
        f"{node.band.label} {node.band.meaning}" if node.band else "",
    ]
    return FittedTable.filled(table, rows, total=total)
