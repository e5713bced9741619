"""Rendering ``gap`` analyses, what-if comparisons and leverage tables: rich, Markdown, JSON.

People read Indonesian-formatted numbers (``42,5``); JSON keeps exact decimal strings.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..report.summary import number, render_text, titled_panel

if TYPE_CHECKING:
    from .leverage import Leverage
    from .search import GapAnalysis, Move, Plan, TargetDistance
    from .whatif import WhatIf

TITLE_WIDTH = 60


def signed(value: Decimal) -> str:
    """``+10`` / ``-2,5`` for gains."""
    text = number(value)
    return text if text.startswith("-") else f"+{text}"


def hn(value: Decimal | None, places: int | None) -> str:
    """A headline value with the rubric's decimal places (``70,30``), else as it is."""
    return number(value, places) if places is not None and value is not None else number(value)


def short(title: str, width: int = TITLE_WIDTH) -> str:
    """A title cut to ``width`` characters with an ellipsis."""
    return title if len(title) <= width else title[: width - 1].rstrip() + "…"


def band_name(band) -> str:
    """``IV Sangat Baik`` (empty without a band)."""
    return "" if band is None else f"{band.label} {band.meaning}".strip()


def move_label(move: Move) -> str:
    """``3.3 Ketersediaan Talent Pool…``."""
    ind = move.change.indicator
    return f"{ind.code} {short(ind.title)}" if ind.code else short(ind.title)


def summary_lines(a: GapAnalysis) -> list[str]:
    """The plain-language summary shared by every human format."""
    p = a.prober
    cur = a.current
    stage = f" ({p.stage})" if p.stage else ""
    lines = [f"Now: {hn(cur.value, p.places)} → {band_name(cur.band) or 'no band'}{stage}"]
    if cur.unrounded != cur.value:
        lines[-1] += f" (unrounded {number(cur.unrounded)})"
    if cur.warning:
        lines.append(f"⚠ {cur.warning}")
    if a.status == "top":
        lines.append("Already in the highest band.")
        return lines
    if a.target is not None and a.target.meaning == "target value":
        target = f"value {a.edge_text()}"
    else:
        target = f"{band_name(a.target)} needs {a.edge_text()}"
    if a.status == "reached":
        lines.append(f"Target {target}: already reached.")
        return lines
    lines.append(f"Target {target}: {hn(a.distance, p.places)} points to go.")
    if a.status == "reachable" and a.plans:
        how = "exact" if a.minimal else "verified, not proven smallest"
        lines.append(
            f"Smallest plan: {a.size} change{'s' if a.size != 1 else ''} ({how}); "
            f"ranked by {'fewest scale steps' if a.rank_by == 'steps' else 'highest value'}."
        )
    elif a.status == "limited":
        lines.append(
            f"Not reachable with at most {a.max_changes} changes; the best "
            f"{a.max_changes} reach {hn(a.best.reading.value, p.places)} "
            f"({band_name(a.best.reading.band)})."
        )
    elif a.status == "unreachable":
        best = a.best
        value = hn(best.reading.value if best and best.reading else cur.value, p.places)
        lines.append(
            f"Cannot be reached: the highest reachable value is {value}"
            + (f" ({band_name(best.reading.band)})" if best and best.reading else "")
            + "."
        )
    if p.places is not None:
        lines.append(
            f"The headline is rounded {p.mode.replace('_', '-')} to {p.places} places "
            "before banding; every plan is checked after rounding."
        )
    return lines


# -- rich ---------------------------------------------------------------------------------


def _plan_table(plan: Plan, title: str, places: int | None = None) -> Table:
    table = Table(title=title, title_justify="left", expand=True)
    table.add_column("Kode", style="dim", no_wrap=True)
    table.add_column("Indikator", no_wrap=True, overflow="ellipsis", ratio=1)
    table.add_column("Perubahan", no_wrap=True, style="stage")
    table.add_column("Langkah", justify="right", min_width=7)
    table.add_column("Tambahan", justify="right", min_width=8)
    for move in plan.moves:
        ind = move.change.indicator
        table.add_row(
            ind.code or ind.id,
            short(ind.title),
            move.change.describe(),
            str(move.steps),
            signed(move.gain),
        )
    table.add_section()
    reading = plan.reading
    result = (
        f"{hn(reading.value, places)} → {band_name(reading.band)}" if reading is not None else ""
    )
    table.add_row("", Text("Jumlah", style="title"), result, str(plan.steps), signed(plan.gain))
    if reading is not None and reading.warning:
        table.caption = f"⚠ {reading.warning}"
        table.caption_justify = "left"
    return table


def _moves_table(moves: list[Move], top: int | None, places: int | None = None) -> Table:
    shown = moves if top is None else moves[:top]
    title = "Single improvements, by gain"
    if top is not None and len(moves) > top:
        title += f" (top {top} of {len(moves)})"
    table = Table(title=title, title_justify="left", expand=True)
    table.add_column("Kode", style="dim", no_wrap=True)
    table.add_column("Indikator", no_wrap=True, overflow="ellipsis", ratio=1)
    table.add_column("Perubahan", no_wrap=True, style="stage")
    table.add_column("Tambahan", justify="right", min_width=8)
    table.add_column("Menjadi", justify="right", no_wrap=True)
    for move in shown:
        ind = move.change.indicator
        band = move.reading.band.label if move.reading.band else ""
        table.add_row(
            ind.code or ind.id,
            short(ind.title),
            move.change.describe(),
            signed(move.gain),
            f"{hn(move.reading.value, places)} {band}",
        )
    return table


def _alternatives_text(a: GapAnalysis) -> Text:
    text = Text()
    for i, plan in enumerate(a.plans[1:], start=2):
        changes = ", ".join(
            f"{m.change.ref} {m.change.old.label if m.change.old else '—'}→{m.change.option.label}"
            for m in plan.moves
        )
        text.append(f"{i}. {changes}  = {hn(plan.reading.value, a.prober.places)}")
        text.append(f" {plan.reading.band.label if plan.reading.band else ''}", style="band")
        steps = f"{plan.steps} step{'s' if plan.steps != 1 else ''}"
        text.append(f"  ({steps}, {signed(plan.gain)})\n", style="score.max")
    text.rstrip()
    return text


def gap_renderables(a: GapAnalysis, *, top: int | None = 15) -> list[Any]:
    """The rich renderables of a gap analysis."""
    p = a.prober
    meta = p.evidence.meta
    subject = " · ".join(str(meta[k]) for k in ("subject", "period") if meta.get(k))
    head = Text()
    if subject:
        head.append(subject + "\n")
    head.append("\n".join(summary_lines(a)))
    parts: list[Any] = [titled_panel(head, f"gap — {p.rubric.title}")]
    if a.plans:
        parts.append(_plan_table(a.plans[0], f"Plan 1 of {len(a.plans)}", p.places))
        if len(a.plans) > 1:
            parts.append(
                titled_panel(
                    _alternatives_text(a),
                    f"Alternatives with {a.size} change{'s' if a.size != 1 else ''}",
                )
            )
        args = " \\\n  ".join(f"--set {s}" for s in a.plans[0].set_args())
        parts.append(Text(f"apply plan 1 with `evalengine score`:\n  {args}", style="dim"))
    elif a.best is not None and a.best.moves:
        parts.append(_plan_table(a.best, "Highest reachable", p.places))
    if a.moves:
        parts.append(_moves_table(a.moves, top, p.places))
    if a.notes:
        text = Text("\n".join(f"⚠ {n}" for n in a.notes), style="diag.warning")
        parts.append(titled_panel(text, "Catatan", border_style="diag.warning"))
    return parts


def render_rich(renderables: list[Any], options: dict[str, Any]) -> str:
    """Print renderables into a string with the report theme."""
    return render_text(Group(*renderables), options=options)


# -- markdown -----------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_head(a: TargetDistance, lines: list[str]) -> list[str]:
    """The Markdown report's first lines: title, subject and period, the summary ``lines``."""
    meta = a.prober.evidence.meta
    subject = " · ".join(str(meta[k]) for k in ("subject", "period") if meta.get(k))
    out = [f"# gap — {a.prober.rubric.title}", ""]
    if subject:
        out += [f"*{subject}*", ""]
    return out + [f"- {line}" for line in lines]


def gap_markdown(a: GapAnalysis, *, top: int | None = 15) -> str:
    """The gap analysis as GitHub-flavoured Markdown."""
    p = a.prober
    out = markdown_head(a, summary_lines(a))
    plans = a.plans or ([a.best] if a.best is not None and a.best.moves else [])
    for i, plan in enumerate(plans, start=1):
        title = f"Plan {i}" if a.plans else "Highest reachable"
        r = plan.reading
        out += [
            "",
            f"## {title}: {hn(r.value, p.places)} → {band_name(r.band)} "
            f"({len(plan.moves)} changes, {plan.steps} steps, {signed(plan.gain)})",
            "",
            "| Kode | Indikator | Perubahan | Langkah | Tambahan |",
            "|---|---|---|---:|---:|",
        ]
        for m in plan.moves:
            ind = m.change.indicator
            out.append(
                f"| {ind.code or ind.id} | {_md_cell(ind.title)} | {m.change.describe()} | "
                f"{m.steps} | {signed(m.gain)} |"
            )
        if r.warning:
            out += ["", f"⚠ {r.warning}"]
        out += ["", "Apply: `" + " ".join(f"--set {s}" for s in plan.set_args()) + "`"]
    if a.moves:
        shown = a.moves if top is None else a.moves[:top]
        out += [
            "",
            "## Single improvements, by gain",
            "",
            "| Kode | Indikator | Perubahan | Tambahan | Menjadi |",
            "|---|---|---|---:|---:|",
        ]
        for m in shown:
            ind = m.change.indicator
            band = m.reading.band.label if m.reading.band else ""
            out.append(
                f"| {ind.code or ind.id} | {_md_cell(ind.title)} | {m.change.describe()} | "
                f"{signed(m.gain)} | {hn(m.reading.value, p.places)} {band} |"
            )
        if len(shown) < len(a.moves):
            out.append(f"\n({len(a.moves) - len(shown)} more; `--top 0` shows all)")
    if a.notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in a.notes]
    return "\n".join(out) + "\n"


def gap_json(a: GapAnalysis) -> str:
    """The gap analysis as JSON (schema ``evalengine.gap/1``)."""
    return json.dumps(a.to_dict(), ensure_ascii=False, indent=2) + "\n"


# -- score extras: what-if and leverage -----------------------------------------------------


def whatif_panel(w: WhatIf) -> Panel:
    """Old → new headline and predikat, with the changes applied."""
    text = Text()
    for c in w.changes:
        text.append(f"{c.ref} {short(c.indicator.title, 50)}: {c.describe()}\n", style="stage")
    text.append(f"{number(w.before.value)} {band_name(w.before.band)}")
    text.append("  →  ")
    text.append(f"{number(w.after.value)} {band_name(w.after.band)}", style="band")
    text.append(f"   ({signed(w.after.value - w.before.value)})", style="score.max")
    for stage, (before, after) in w.stages.items():
        text.append(f"\n{stage}: ", style="stage")
        text.append(f"{number(before.value)} {band_name(before.band)}  →  ")
        text.append(f"{number(after.value)} {band_name(after.band)}", style="band")
        text.append(f"   ({signed(after.value - before.value)})", style="score.max")
    return titled_panel(text, "What-if (--set)")


def leverage_table(lev: Leverage) -> Table:
    """Per indicator: points still available in the headline and share of the gap."""
    title = "Leverage"
    if lev.target is not None:
        title += f": {number(lev.distance)} points to {band_name(lev.target)} ({lev.edge})"
    table = Table(title=title, title_justify="left", expand=True)
    table.add_column("Kode", style="dim", no_wrap=True)
    table.add_column("Indikator", no_wrap=True, overflow="ellipsis", ratio=1)
    table.add_column("Nilai", justify="right")
    table.add_column("Maks", justify="right", style="score.max")
    table.add_column("Tersedia", justify="right")
    table.add_column("% gap", justify="right")
    for row in lev.rows:
        if row.available <= 0 and not row.group:
            continue
        style = "title" if row.group else None
        table.add_row(
            row.code or row.id,
            Text(short(row.title), style=style or ""),
            number(row.value),
            number(row.max),
            Text(signed(row.available) if row.available else "0", style=style or ""),
            "—" if row.share is None else number(row.share, 2) + "%",
        )
    return table


def leverage_markdown(lev: Leverage) -> str:
    """The leverage table in Markdown."""
    out = [
        "| Kode | Indikator | Nilai | Maks | Tersedia | % gap |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in lev.rows:
        share = "—" if row.share is None else number(row.share, 2) + "%"
        out.append(
            f"| {row.code or row.id} | {_md_cell(row.title)} | {number(row.value)} | "
            f"{number(row.max)} | {signed(row.available)} | {share} |"
        )
    return "\n".join(out) + "\n"
