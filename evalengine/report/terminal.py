"""The rich terminal summary: headline and predikat, a table per aspect, stages side by side.

Registered as the ``rich`` report format (a built-in plugin, like pytest's terminal
reporter). Colours come from named styles in :data:`THEME`.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from ..evaluate.result import NodeResult, ScoreResult
from ..hookspecs import hookimpl
from ..numbers import format_id, plain
from .base import ReportFormat

THEME = Theme(
    {
        "headline": "bold",
        "band": "bold cyan",
        "score.max": "dim",
        "bar.full": "green",
        "bar.empty": "grey35",
        "stage": "magenta",
        "diag.warning": "yellow",
        "title": "bold",
    }
)

BAR_WIDTH = 16


def number(value: Any, places: int | None = None) -> str:
    """Indonesian-formatted number for people (``42,5``, ``79,03``); text as is."""
    if isinstance(value, Decimal):
        return (
            format_id(value, places)
            if places is not None
            else format_id(Decimal(plain(value)), None)
        )
    return "—" if value is None else str(value)


def bar(value: Any, maximum: Any, width: int = BAR_WIDTH) -> Text:
    """A bar of ``value / maximum`` in ``width`` cells (clamped to the range)."""
    if not isinstance(value, Decimal) or not maximum:
        return Text("")
    share = max(Decimal(0), min(Decimal(1), value / maximum))
    filled = int((share * width).to_integral_value())
    return Text("█" * filled, style="bar.full") + Text("░" * (width - filled), style="bar.empty")


def band_text(node: NodeResult) -> str:
    """``III Baik`` for a node with a band."""
    if node.band is None:
        return ""
    return f"{node.band.label} {node.band.meaning}".strip()


def headline(result: ScoreResult) -> Panel:
    """The headline panel: value, maximum, band, and the other stages' values."""
    root = result.root
    rubric = result.rubric
    meta = result.evidence.meta
    lines = Text()
    subject = " · ".join(str(meta[k]) for k in ("subject", "period") if meta.get(k))
    if subject:
        lines.append(subject + "\n")
    lines.append(f"{number(root.value)}", style="headline")
    if root.max is not None:
        lines.append(f" / {number(root.max)}", style="score.max")
    if root.band is not None:
        lines.append("  →  ")
        lines.append(band_text(root), style="band")
    if result.final_stage:
        lines.append(f"   ({result.final_stage})", style="stage")
    for stage in result.stages[:-1]:
        value = root.stages.get(stage)
        band = root.stage_bands.get(stage)
        lines.append(f"\n{stage}: ", style="stage")
        lines.append(number(value))
        if band is not None:
            lines.append(f"  →  {band.label} {band.meaning}")
    if root.derivation.rounding:
        lines.append(
            f"\nrounded {root.derivation.rounding} from {plain(root.derivation.unrounded)}",
            style="score.max",
        )
    title = f"{rubric.title} — {rubric.regulation or ''} (versi {rubric.version})"
    return Panel(lines, title=title, title_align="left")


def aspect_summary(result: ScoreResult) -> Table:
    """One row per top-level indicator: value / max, %, contribution, bar, other stages."""
    table = Table(title="Ringkasan per aspek", title_justify="left", expand=False)
    table.add_column("Kode", style="dim", no_wrap=True)
    table.add_column("Aspek / indikator")
    table.add_column("Bobot", justify="right")
    for stage in result.stages[:-1]:
        table.add_column(stage.capitalize(), justify="right", style="stage")
    table.add_column("Nilai", justify="right")
    table.add_column("Maks", justify="right", style="score.max")
    table.add_column("%", justify="right")
    table.add_column("Kontribusi", justify="right")
    table.add_column("", no_wrap=True)
    for node in result.root.children:
        stage_cells = [number(node.stages.get(s)) for s in result.stages[:-1]]
        table.add_row(
            node.code or "",
            node.title,
            number(node.weight),
            *stage_cells,
            number(node.value),
            number(node.max),
            number(node.percent, 2),
            number(node.contribution, 2) + "%" if node.contribution is not None else "—",
            bar(node.value, node.max),
        )
    root = result.root
    table.add_section()
    table.add_row(
        "",
        Text("Total", style="title"),
        number(root.weight),
        *[number(root.stages.get(s)) for s in result.stages[:-1]],
        Text(number(root.value), style="headline"),
        number(root.max),
        number(root.percent, 2),
        "",
        bar(root.value, root.max),
    )
    return table


def aspect_detail(node: NodeResult, stages: tuple[str, ...]) -> Table:
    """The indicators of one aspect with answers per stage and their values."""
    table = Table(
        title=f"{node.code + ' ' if node.code else ''}{node.title}",
        title_justify="left",
        show_edge=False,
    )
    table.add_column("Kode", style="dim", no_wrap=True)
    table.add_column("Indikator", ratio=1)
    table.add_column("Bobot", justify="right")
    for stage in stages:
        table.add_column(stage.capitalize(), justify="right", style="stage")
    table.add_column("Nilai", justify="right")
    table.add_column("Maks", justify="right", style="score.max")
    for child in node.children:
        answers = [child.stage_answers.get(s) or "" for s in stages]
        table.add_row(
            child.code or "",
            child.title,
            number(child.weight),
            *answers,
            number(child.value),
            number(child.max),
        )
    table.add_row(
        "",
        Text("Jumlah", style="title"),
        number(sum((c.weight for c in node.children if c.weight is not None), Decimal(0))),
        *["" for _ in stages],
        Text(number(node.value), style="headline"),
        number(node.max),
    )
    return table


def group_tables(result: ScoreResult) -> list[Any]:
    """The ranking of groups (``score --group-by``) and the groups that failed."""
    table = Table(
        title=f"Peringkat per {result.group_by} ({len(result.groups)} kelompok, "
        f"mesin {result.engine})",
        title_justify="left",
    )
    table.add_column("#", justify="right")
    table.add_column(result.group_by or "kelompok")
    indicators = [c for c in result.root.children][:6]
    for node in indicators:
        table.add_column(node.code or node.id, justify="right")
    table.add_column("Nilai", justify="right")
    table.add_column("Predikat")
    failed = []
    for g in result.groups:
        if g.result is None:
            failed.append(g)
            continue
        root = g.result.root
        values = {c.id: c.value for c in root.children}
        table.add_row(
            str(g.rank),
            g.key,
            *[number(values.get(n.id)) for n in indicators],
            Text(number(root.value), style="headline"),
            band_text(root),
        )
    parts: list[Any] = [table]
    if failed:
        text = Text()
        for g in failed:
            text.append(f"✗ {g.key}: {g.error}\n", style="diag.warning")
        parts.append(Panel(text.rstrip() or text, title="Kelompok gagal", title_align="left"))
    return parts


def render_console(result: ScoreResult, console: Console, *, details: bool = True) -> None:
    """Print the summary on ``console``."""
    parts: list[Any] = [headline(result)]
    if result.root.children:
        parts.append(aspect_summary(result))
    if details:
        stages = result.stages or ()
        for node in result.root.children:
            if node.children and all(not c.children for c in node.children):
                parts.append(aspect_detail(node, stages))
    if getattr(result, "group_by", None):
        parts.extend(group_tables(result))
    warnings = result.warnings()
    if warnings:
        text = Text()
        for w in warnings:
            text.append(f"⚠ {w}\n", style="diag.warning")
        parts.append(
            Panel(
                text.rstrip() or text,
                title="Peringatan",
                title_align="left",
                border_style="diag.warning",
            )
        )
    console.print(Group(*parts))


class RichReport(ReportFormat):
    """Terminal summary rendered with rich."""

    name = "rich"
    description = "terminal summary: headline, predikat, aspect table with bars, warnings"
    suffix = ".txt"
    terminal = True

    def render(self, result: ScoreResult, options: dict[str, Any]) -> str:
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            width=options.get("width", 110),
            theme=THEME,
            color_system=options.get("color_system"),
            force_terminal=options.get("force_terminal", False),
        )
        render_console(result, console, details=options.get("details", True))
        return buffer.getvalue()


@hookimpl
def register_report_formats():
    """The terminal report."""
    return [RichReport]
