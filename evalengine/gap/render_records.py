"""Rendering the table-based ``gap`` analysis (:class:`RecordsGap`): rich and Markdown."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.table import Table
from rich.text import Text

from ..numbers import round_to
from ..report.summary import number, titled_panel
from .records import CellMove, MoveGroup, RecordsGap
from .render import _md_cell, band_name, hn, markdown_head, signed


def gain(value: Decimal, places: int | None) -> str:
    """A gain for people: ``+2,5`` when exact, else rounded half-up to the headline's places
    (at least 2) and prefixed ``≈`` (JSON keeps the exact value)."""
    digits = max(places or 0, 2)
    rounded = round_to(value, digits)
    text = signed(rounded)
    return text if rounded == value else f"≈{text}"


def _deltas(moves: tuple[CellMove, ...] | list[CellMove], a: RecordsGap) -> str:
    """``kompetensi +2,5`` summed over moves (per indicator)."""
    total: dict[str, Decimal] = {}
    for m in moves:
        for ind, d in m.deltas:
            total[ind] = total.get(ind, Decimal(0)) + d
    places = a.prober.places
    return ", ".join(f"{ind} {gain(d, places)}" for ind, d in total.items())


def _plan_title(a: RecordsGap) -> str:
    if a.status == "reachable":
        return "Plan (in the order taken)"
    return "Best greedy changes (the target is not reached)"


def summary_lines(a: RecordsGap) -> list[str]:
    """The plain-language summary shared by rich and Markdown."""
    p = a.prober
    cur = a.current
    lines = [f"Now: {hn(cur.value, p.places)} → {band_name(cur.band) or 'no band'}"]
    if cur.unrounded != cur.value:
        lines[-1] += f" (unrounded {number(cur.unrounded)})"
    lines.append(f"Changes are made to rows of table '{a.table}' (one person's column each).")
    if a.status == "top":
        return [*lines, "Already in the highest band."]
    target = (
        f"value {a.edge_text()}"
        if a.target is not None and a.target.meaning == "target value"
        else f"{band_name(a.target)} needs {a.edge_text()}"
    )
    if a.status == "reached":
        return [*lines, f"Target {target}: already reached."]
    lines.append(f"Target {target}: {hn(a.distance, p.places)} points to go.")
    r = a.reading
    if a.status == "reachable" and r is not None:
        how = (
            "minimal: no plan changes fewer cells, given that combined changes never gain "
            "more than the sum of their single gains"
            if a.minimal
            else f"greedy, verified, not proven smallest (lower bound {a.lower_bound})"
        )
        lines.append(
            f"Plan: {len(a.plan)} change{'s' if len(a.plan) != 1 else ''} for {a.persons} "
            f"person{'s' if a.persons != 1 else ''} → {hn(r.value, p.places)} "
            f"({band_name(r.band)}); {how}."
        )
    elif a.status == "limited":
        lines.append(
            f"Not reachable with at most {a.max_changes} changes"
            + (f"; they reach {hn(r.value, p.places)} ({band_name(r.band)})." if r else ".")
        )
    if a.best is not None and a.status in ("unreachable", "limited", "reachable"):
        verb = "Cannot be reached: with" if a.status == "unreachable" else "With"
        lines.append(
            f"{verb} every declared improvement applied to every person the index is "
            f"{hn(a.best.value, p.places)} ({band_name(a.best.band)})."
        )
    if p.places is not None:
        lines.append(
            f"The headline is rounded {p.mode.replace('_', '-')} to {p.places} places before "
            "banding; the plan is checked after rounding by re-evaluating the rubric."
        )
    return lines


def _group_rows(groups: list[MoveGroup], a: RecordsGap) -> list[tuple[str, str, str, str]]:
    return [
        (g.describe(), ", ".join(g.persons), _deltas(g.moves, a), gain(g.gain, a.prober.places))
        for g in groups
    ]


def records_renderables(a: RecordsGap, *, top: int | None = 15) -> list[Any]:
    """Rich renderables: summary panel, plan, single moves, ceilings, notes."""
    p = a.prober
    meta = p.evidence.meta
    subject = " · ".join(str(meta[k]) for k in ("subject", "period") if meta.get(k))
    head = "\n".join(([subject] if subject else []) + summary_lines(a))
    out: list[Any] = [titled_panel(Text(head), f"gap — {p.rubric.title}")]
    if a.plan:
        table = Table(title=_plan_title(a), title_justify="left", expand=True)
        for name, just in (("Perubahan", "left"), ("Pegawai", "left"), ("Dimensi", "left")):
            table.add_column(name, justify=just, ratio=1)
        table.add_column("Tambahan", justify="right", min_width=8)
        for row in _group_rows(a.groups(), a):
            table.add_row(*row)
        table.add_section()
        r = a.reading
        result = f"{hn(r.value, p.places)} → {band_name(r.band)}" if r else ""
        total = sum((m.gain for m in a.plan), Decimal(0))
        table.add_row(
            Text("Jumlah", style="bold"), f"{a.persons} pegawai", result, gain(total, p.places)
        )
        out.append(table)
    groups = a.single_groups()
    if groups:
        shown = groups if top is None else groups[:top]
        table = Table(
            title="Single improvements (each alone, per person)", title_justify="left", expand=True
        )
        table.add_column("Perubahan", ratio=1)
        table.add_column("Pegawai", ratio=1)
        table.add_column("Dimensi", ratio=1)
        table.add_column("Per orang", justify="right", min_width=8)
        for g, per in shown:
            table.add_row(
                f"{g.column} {g.frm} → {g.to}",
                ", ".join(g.persons),
                _deltas(g.moves[:1], a),
                gain(per, p.places),
            )
        if len(shown) < len(groups):
            table.caption = f"{len(groups) - len(shown)} more; --top 0 shows all"
        out.append(table)
    if a.ceilings:
        table = Table(
            title="Dimensions: now, with every improvement, maximum", title_justify="left"
        )
        for name in ("Indikator", "Sekarang", "Terbaik", "Maks"):
            table.add_column(name, justify="left" if name == "Indikator" else "right")
        for ind, title, now, best, mx in a.ceilings:
            table.add_row(
                f"{ind} {title or ''}".strip(),
                "" if now is None else number(round_to(now, max(p.places or 0, 2))),
                "" if best is None else number(round_to(best, max(p.places or 0, 2))),
                "" if mx is None else number(mx),
            )
        out.append(table)
    if a.notes:
        out.append(titled_panel(Text("\n".join(f"⚠ {n}" for n in a.notes)), "Catatan"))
    return out


def records_markdown(a: RecordsGap, *, top: int | None = 15) -> str:
    """The analysis as GitHub-flavoured Markdown."""
    p = a.prober
    out = markdown_head(a, summary_lines(a))
    if a.plan:
        out += [
            "",
            f"## {_plan_title(a)}",
            "",
            "| Perubahan | Pegawai | Dimensi | Tambahan |",
            "|---|---|---|---:|",
        ]
        out += [f"| {' | '.join(_md_cell(c) for c in row)} |" for row in _group_rows(a.groups(), a)]
    groups = a.single_groups()
    if groups:
        shown = groups if top is None else groups[:top]
        out += [
            "",
            "## Single improvements (each alone, per person)",
            "",
            "| Perubahan | Pegawai | Dimensi | Per orang |",
            "|---|---|---|---:|",
        ]
        for g, per in shown:
            change = _md_cell(f"{g.column} {g.frm} → {g.to}")
            who = _md_cell(", ".join(g.persons))
            out.append(f"| {change} | {who} | {_deltas(g.moves[:1], a)} | {gain(per, p.places)} |")
        if len(shown) < len(groups):
            out.append(f"\n({len(groups) - len(shown)} more; `--top 0` shows all)")
    if a.ceilings:
        out += [
            "",
            "## Dimensions",
            "",
            "| Indikator | Sekarang | Terbaik | Maks |",
            "|---|---:|---:|---:|",
        ]
        for ind, title, now, best, mx in a.ceilings:
            cells = [
                "" if v is None else number(round_to(v, max(p.places or 0, 2)))
                for v in (now, best, mx)
            ]
            name = _md_cell(f"{ind} {title or ''}".strip())
            out.append(f"| {name} | {' | '.join(cells)} |")
    if a.notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in a.notes]
    return "\n".join(out) + "\n"


__all__ = ["records_markdown", "records_renderables", "summary_lines"]
