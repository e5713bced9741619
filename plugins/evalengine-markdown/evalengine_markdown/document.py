"""Markdown tables in the layout of an LKjIP chapter, ready to paste into a report.

Two tables, modelled on LKjIP 2024 BKPSDM Kabupaten Belitung Timur:

- the summary (like *Tabel 3.8 Hasil Evaluasi AKIP*): ``No | Komponen | Bobot | Nilai | %``
  per aspect and its indicators, closed by the headline row with its predikat;
- for rubrics with stages, the detail (like *Tabel 3.4 Nilai Sistem Merit*):
  ``No | Aspek | Indikator | Bobot Indikator | <answer per stage> | Nilai Akhir``, a
  ``Total`` row after each aspect, and the total of every stage at the end
  (``Total Penilaian Mandiri : 340``, ``Total Akhir (Hasil Verifikasi) : 252``).

Numbers are written the Indonesian way (``42,5``; ``70,30``; ``8.357.764.610,00``);
cells are escaped so a ``|`` in a title cannot break a table.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from evalengine.evaluate.result import NodeResult, ScoreResult
from evalengine.report import view
from evalengine.safe_text import printable

#: Decimal places of scores in the summary table (LKjIP prints 23,10 and 77,00%).
PLACES = 2


def cell(value: Any) -> str:
    """Text for a table cell: no line breaks, ``|`` escaped, Markdown specials kept literal."""
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    for char in ("\\", "|", "*", "_", "`", "<", ">", "[", "]"):
        text = text.replace(char, "\\" + char)
    return text


def fixed(value: Any, places: int = PLACES) -> str:
    """A Decimal with fixed places, Indonesian style (``23,10``); ``—`` for none."""
    return view.number(value, places) if isinstance(value, Decimal) else view.number(value)


def nilai(title: str) -> str:
    """``Nilai <title>``, without doubling a title that already starts with "Nilai"."""
    return title if title.lower().startswith("nilai") else f"Nilai {title}"


def table(header: list[str], align: list[str], rows: list[list[str]]) -> str:
    """A pipe table; ``align`` holds ``l`` or ``r`` per column."""
    marks = {"l": ":---", "r": "---:"}
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(marks[a] for a in align) + " |",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def stage_title(stage: str, result: ScoreResult) -> str:
    """``Mandiri`` → ``Penilaian Mandiri``; the final stage → ``Akhir (Hasil Verifikasi)``."""
    if stage == result.final_stage:
        return f"Akhir (Hasil {stage.capitalize()})"
    return f"Penilaian {stage.capitalize()}"


def summary_table(result: ScoreResult) -> str:
    """Aspects and their indicators with bobot, nilai and % (the Tabel 3.8 layout)."""
    earlier = view.earlier_stages(result)
    header = ["No", "Aspek/Indikator", "Bobot"]
    header += [s.capitalize() for s in earlier]
    header += ["Nilai", "Maks", "%"]
    align = ["l", "l", "r"] + ["r"] * len(earlier) + ["r", "r", "r"]
    rows = []
    for aspect in view.aspects(result):
        nodes = [(aspect, 0)] + [(r.node, r.depth) for r in view.indicator_rows(aspect)]
        for node, depth in nodes:
            if depth > 1:
                continue  # the summary keeps aspects and their direct indicators
            title = f"**{cell(node.title)}**" if depth == 0 else cell(node.title)
            rows.append(
                [cell(node.code or ""), title, fixed(node.weight)]
                + [fixed(node.stages.get(s)) for s in earlier]
                + [fixed(node.value), fixed(node.max), percent(node)]
            )
    root = result.root
    band = view.band_text(root)
    rows.append(
        [
            "",
            f"**{cell(nilai(result.rubric.title))}**",
            fixed(root.weight) if root.weight is not None else fixed(total_weight(root)),
        ]
        + [fixed(root.stages.get(s)) for s in earlier]
        + [f"**{fixed(root.value)}**", fixed(root.max), cell(band) or percent(root)]
    )
    return table(header, align, rows)


def percent(node: NodeResult) -> str:
    """``77,00%`` for a node with a maximum, else empty."""
    return f"{fixed(node.percent)}%" if node.percent is not None else ""


def total_weight(node: NodeResult) -> Decimal | None:
    """The sum of the children's weights (for a root without its own weight)."""
    weights = [c.weight for c in node.children if c.weight is not None]
    return sum(weights, Decimal(0)) if weights else None


def detail_table(result: ScoreResult) -> str:
    """Every indicator with its answer at each stage and its final value (Tabel 3.4 layout)."""
    stages = result.stages
    header = ["No", "Aspek", "Indikator", "Bobot Indikator"]
    header += [f"Skor {s.capitalize()}" for s in stages]
    header += ["Nilai Akhir"]
    align = ["l", "l", "l", "r"] + ["r"] * len(stages) + ["r"]
    rows = []
    for number, aspect in enumerate(view.aspects(result), start=1):
        first = True
        for row in view.indicator_rows(aspect):
            node = row.node
            if node.children:
                continue  # sub-groups: their indicators carry the answers
            rows.append(
                [
                    cell(aspect.code or number) if first else "",
                    cell(aspect.title) if first else "",
                    f"{cell(node.code or '')} {cell(node.title)}".strip(),
                    view.number(node.weight),
                ]
                + [cell(node.stage_answers.get(s) or "") for s in stages]
                + [view.number(node.value)]
            )
            first = False
        rows.append(
            ["", "", f"**Total {cell(aspect.title)}**", view.number(aspect.weight)]
            + ["" for _ in stages]  # the answer columns hold scores, not values
            + [f"**{view.number(aspect.value)}**"]
        )
    return table(header, align, rows)


def ranking_section(result: ScoreResult) -> list[str]:
    """``score --group-by``: the ranking table, then the groups that failed (or nothing)."""
    ranked = view.ranking(result)
    if ranked is None:
        return []
    header = ["Peringkat", cell(ranked.group_by)]
    header += [cell(c.heading) for c in ranked.columns] + ["Nilai", "Predikat"]
    align = ["r", "l"] + ["r"] * len(ranked.columns) + ["r", "l"]
    rows = [
        [str(g.rank), cell(g.key)]
        + [view.number(v, c.places) for v, c in zip(g.values, ranked.columns, strict=True)]
        + [f"**{view.number(g.value, ranked.value_places)}**", cell(g.band)]
        for g in ranked.groups
    ]
    out = ["", f"**Tabel {cell(ranked.title)}**", "", table(header, align, rows)]
    if ranked.failed:
        out += ["", "Kelompok gagal:", ""]
        out += [f"- {cell(g.key)}: {cell(g.error)}" for g in ranked.failed]
    return out


def render_markdown(result: ScoreResult) -> str:
    """The whole Markdown section, without terminal control characters (it is often
    printed to a terminal: :mod:`evalengine.safe_text`)."""
    h = view.headline(result)
    subject = " ".join(x for x in (h.subject, f"Tahun {h.period}" if h.period else None) if x)
    out = [f"**Tabel {cell(nilai(h.title))}{' ' + cell(subject) if subject else ''}**", ""]
    out.append(summary_table(result))
    if len(result.stages) > 1 and any(a.children for a in result.root.children):
        out += [
            "",
            f"**Tabel Rincian {cell(h.title)}{' ' + cell(subject) if subject else ''}**",
            "",
        ]
        out.append(detail_table(result))
        out.append("")
        for stage, value, label, meaning in h.stages:
            band = f" ({' '.join(cell(x) for x in (label, meaning) if x)})" if label else ""
            out.append(f"Total {stage_title(stage, result)} : {view.number(value)}{band}  ")
    out.append("")
    band = ""
    if h.band_label:
        band = f", predikat **{cell(h.band_label)}**"
        if h.band_meaning and h.band_meaning != h.band_label:
            band += f" ({cell(h.band_meaning)})"
    out.append(
        f"Nilai akhir: **{view.number(h.value)}** dari {view.number(h.max)}"
        f" ({fixed(h.percent)}%){band}."
        if h.max is not None
        else f"Nilai akhir: **{view.number(h.value)}**{band}."
    )
    out += ranking_section(result)
    warnings = result.warnings()
    if warnings:
        out += ["", "Catatan:", ""]
        out += [f"- {cell(w)}" for w in warnings]
    source = result.evidence.meta.get("source")
    if source:
        out += ["", f"Sumber Data: {cell(source)}"]
    return printable("\n".join(out) + "\n")
