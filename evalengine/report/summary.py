"""The rich terminal summary: headline and predikat, a table per aspect, stages side by side.

The ``rich`` report format (:mod:`evalengine.report.terminal`) renders with this module;
other commands' terminal output (gap, reconcile, batch) use its helpers. Colours come
from named styles in :data:`THEME`.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from ..evaluate.result import NodeResult, ScoreResult
from ..numbers import format_id, plain, shown
from ..safe_text import printable
from .fitted import FittedTable
from .rows import rows_table
from .view import band_text

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
#: Aspects shown beside the headline in the terminal ranking (the rest: -f json, xlsx).
RANKING_COLUMNS = 6
#: Rows shown in a terminal ranking (score --group-by, batch): 600 agencies would be 600 lines.
RANKING_ROWS = 50


def number(value: Any, places: int | None = None) -> str:
    """Indonesian-formatted number for people (``42,5``, ``79,03``); text as is."""
    if isinstance(value, Decimal):
        if places is not None:
            return format_id(value, places)
        cut = shown(value)
        if cut is not None:
            return format_id(cut, None) + "…"
        return format_id(Decimal(plain(value)), None)
    return "—" if value is None else str(value)


def short(value: Any, digits: int = 6) -> str:
    """A number with at most ``digits`` decimals, marked with … when cut (``88,583333…``)."""
    if not isinstance(value, Decimal):
        return str(value)
    text = number(value)
    integer, sep, fraction = text.partition(",")
    return f"{integer},{fraction[:digits]}…" if sep and len(fraction) > digits else text


def bar(value: Any, maximum: Any, width: int = BAR_WIDTH) -> Text:
    """A bar of ``value / maximum`` in ``width`` cells (clamped to the range)."""
    if not isinstance(value, Decimal) or not maximum:
        return Text("")
    share = max(Decimal(0), min(Decimal(1), value / maximum))
    filled = int((share * width).to_integral_value())
    return Text("█" * filled, style="bar.full") + Text("░" * (width - filled), style="bar.empty")


def scalar_params(rubric: Any) -> dict[str, Any]:
    """The rubric's scalar parameters (conventions such as the SKM weight), named in reports."""
    return {
        k: v
        for k, v in (getattr(rubric, "params", None) or {}).items()
        if isinstance(v, str | Decimal | int | bool)
    }


def headline(result: ScoreResult) -> Panel:
    """The headline panel: value, maximum, band, and the other stages' values."""
    root = result.root
    rubric = result.rubric
    meta = result.evidence.meta
    lines = Text()
    subject = " · ".join(str(meta[k]) for k in ("subject", "period") if meta.get(k))
    if subject:
        lines.append(subject + "\n")
    lines.append(f"{number(root.value, root.derivation.places)}", style="headline")
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
            f"\nrounded {root.derivation.rounding} from {short(root.derivation.unrounded)}",
            style="score.max",
        )
    params = scalar_params(rubric)
    if params:
        lines.append(
            "\nparameter: " + ", ".join(f"{k} = {number(v)}" for k, v in params.items()),
            style="score.max",
        )
    selection = getattr(result, "selection", None)
    if selection is not None:
        lines.append(f"\nversi {rubric.version}: {selection.reason}", style="score.max")
    title = f"{rubric.title} — {rubric.regulation or ''} (versi {rubric.version})"
    return titled_panel(lines, title)


def aspect_summary(result: ScoreResult) -> FittedTable:
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
    rows: list[list[str | Text]] = []
    for node in result.root.children:
        stage_cells = [number(node.stages.get(s)) for s in result.stages[:-1]]
        rows.append(
            [
                node.code or "",
                node.title,
                number(node.weight),
                *stage_cells,
                number(node.value),
                number(node.max),
                number(node.percent, 2),
                number(node.contribution, 2) + "%" if node.contribution is not None else "—",
                bar(node.value, node.max),
            ]
        )
    root = result.root
    total = [
        "",
        Text("Total", style="title"),
        number(root.weight),
        *[number(root.stages.get(s)) for s in result.stages[:-1]],
        Text(number(root.value), style="headline"),
        number(root.max),
        number(root.percent, 2),
        "",
        bar(root.value, root.max),
    ]
    return FittedTable.filled(table, rows, total=total)


def aspect_detail(node: NodeResult, stages: tuple[str, ...]) -> FittedTable:
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
    rows: list[list[str | Text]] = [
        [
            child.code or "",
            child.title,
            number(child.weight),
            *[child.stage_answers.get(s) or "" for s in stages],
            number(child.value),
            number(child.max),
        ]
        for child in node.children
    ]
    rows.append(
        [
            "",
            Text("Jumlah", style="title"),
            number(sum((c.weight for c in node.children if c.weight is not None), Decimal(0))),
            *["" for _ in stages],
            Text(number(node.value), style="headline"),
            number(node.max),
        ]
    )
    return FittedTable.filled(table, rows)


def group_tables(result: ScoreResult, *, top: int = RANKING_ROWS) -> list[Any]:
    """The ranking of groups (``score --group-by``), its first ``top`` rows, and the groups
    that failed; the whole ranking is in the other report formats."""
    from .view import ranking

    ranked = ranking(result)
    if ranked is None:
        return []
    table = Table(title=ranked.title, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column(ranked.group_by)
    columns = ranked.columns[:RANKING_COLUMNS]
    for column in columns:
        table.add_column(column.heading, justify="right")
    table.add_column("Nilai", justify="right")
    table.add_column("Predikat")
    rows: list[list[str | Text]] = [
        [
            str(g.rank),
            g.key,
            *[number(v, c.places) for v, c in zip(g.values, columns, strict=False)],
            Text(number(g.value, ranked.value_places), style="headline"),
            g.band,
        ]
        for g in ranked.groups[:top]
    ]
    parts: list[Any] = [FittedTable.filled(table, rows)]
    if len(ranked.groups) > top:
        parts.append(
            Text(
                f"… and {len(ranked.groups) - top} more groups "
                "(the whole ranking: -f xlsx, html, markdown or json)",
                style="dim",
            )
        )
    if ranked.failed:
        text = Text()
        for g in ranked.failed[:top]:
            text.append(f"✗ {g.key}: {g.error}\n", style="diag.warning")
        if len(ranked.failed) > top:
            text.append(f"… and {len(ranked.failed) - top} more (-f json lists them all)\n")
        parts.append(titled_panel(text.rstrip() or text, f"Kelompok gagal ({len(ranked.failed)})"))
    return parts


def render_console(result: ScoreResult, console: Console, *, details: bool = True) -> None:
    """Print the summary on ``console``."""
    console.print(Group(*summary_parts(result, details=details)))


def summary_parts(
    result: ScoreResult, *, details: bool = True, top: int = RANKING_ROWS
) -> list[Any]:
    """The renderables of the summary: headline, aspect tables, warnings."""
    parts: list[Any] = [headline(result)]
    if result.what_if is not None:
        from ..gap.render import whatif_panel

        parts.append(whatif_panel(result.what_if))
    if result.root.children:
        parts.append(aspect_summary(result))
    if details:
        stages = result.stages or ()
        for node in result.root.children:
            if (rows := rows_table(node)) is not None:
                parts.append(rows)
            elif node.children and all(not c.children for c in node.children):
                parts.append(aspect_detail(node, stages))
    if result.leverage is not None:
        from ..gap.render import leverage_table

        parts.append(leverage_table(result.leverage))
    if getattr(result, "group_by", None):
        parts.extend(group_tables(result, top=top))
    warnings = result.warnings()
    if warnings:
        text = Text()
        for w in warnings:
            text.append(f"⚠ {w}\n", style="diag.warning")
        parts.append(titled_panel(text.rstrip() or text, "Peringatan", border_style="diag.warning"))
    return parts


def titled_panel(body: Any, title: str, **options: Any) -> Panel:
    """A panel titled at its top left with ``title`` as written.

    rich reads a panel's ``str`` title as markup whatever the console says (a rubric
    title holding ``[/draft]`` stopped the report with a traceback, ``:smile:`` became
    an emoji); a ``Text`` title is printed as it is.
    """
    return Panel(body, title=Text(title), title_align="left", **options)


class _Printable:
    """``renderable`` as rich lays it out, with terminal control characters removed.

    rich measures a control character as zero cells wide, so removing it after the layout
    changes no column; :mod:`evalengine.safe_text` says why they must not reach a terminal.
    """

    def __init__(self, renderable: Any) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: Any) -> Any:
        for segment in console.render(self.renderable, options):
            if segment.control is None and segment.text:
                cleaned = printable(segment.text, tabs=False)
                if cleaned is not segment.text:
                    segment = Segment(cleaned, segment.style)
            yield segment


class ReportConsole(Console):
    """A console with the report theme that prints every string as it is written.

    Rubric titles, group keys, file names and evidence text are the users' own words: rich
    would read ``[draft]`` in them as a style (``[/draft]`` stops the report with an
    error) and ``:smile:`` as an emoji, so markup, emoji codes and highlighting are off
    (styles are given as ``Text`` styles instead), and terminal control characters in
    them are dropped (:mod:`evalengine.safe_text`).
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(theme=THEME, markup=False, emoji=False, highlight=False, **options)

    def print(self, *objects: Any, **options: Any) -> None:
        cleaned = (printable(o) if isinstance(o, str) else _Printable(o) for o in objects)
        super().print(*cleaned, **options)


def render_text(*renderables: Any, options: dict[str, Any] | None = None) -> str:
    """Render rich renderables to a string with the report theme.

    ``options``: ``width`` (default 110), ``color_system`` (None: plain text) and
    ``force_terminal`` — the same options every report format receives, so each command
    colours its output only when it goes to a terminal.
    """
    options = options or {}
    buffer = io.StringIO()
    console = ReportConsole(
        file=buffer,
        width=options.get("width", 110),
        color_system=options.get("color_system"),
        force_terminal=options.get("force_terminal", False),
    )
    console.print(*renderables)
    return buffer.getvalue()


def terminal_options(width: int | None = None) -> dict[str, Any]:
    """Options for output to standard output: colour only when it is a terminal."""
    import sys

    tty = sys.stdout.isatty()
    return {"width": width or 110, "force_terminal": tty, "color_system": "auto" if tty else None}
