"""One self-contained HTML page for a scored result.

Everything is inline: CSS (screen, phone and print), SVG bars, one tiny script that
opens the calculation sheets before printing. No fonts, images or scripts are fetched,
so the page works offline and can be mailed as one file. Every piece of text from the
rubric or the evidence is escaped.
"""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

from evalengine import __version__ as evalengine_version
from evalengine.evaluate.result import NodeResult, ScoreResult
from evalengine.report import view
from evalengine.safe_text import printable

CSS = """
:root { --ink:#1d2430; --muted:#5b6575; --line:#d8dde5; --bar:#2f7d4f; --bar-bg:#e7ebf0;
  --stage:#7a3e9d; --warn-bg:#fff6db; --warn-line:#e0b000; --accent:#14506e; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.25rem; margin: .2rem 0; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
.meta { color: var(--muted); margin: 0; }
.headline { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline;
  border: 1px solid var(--line); border-radius: .5rem; padding: .8rem 1rem; margin-top: .8rem; }
.headline .value { font-size: 2.4rem; font-weight: 700; }
.headline .max { color: var(--muted); }
.headline .band { font-size: 1.3rem; font-weight: 600; color: var(--accent); }
.stages { list-style: none; margin: 0; padding: 0; width: 100%; color: var(--stage); }
.aspects { list-style: none; margin: 0; padding: 0; }
.aspects li { display: grid; grid-template-columns: minmax(8rem, 16rem) 1fr auto;
  gap: .2rem .8rem; align-items: center; padding: .25rem 0; border-bottom: 1px dotted var(--line); }
.aspects svg { width: 100%; height: 1rem; display: block; }
.aspects .fig { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.aspects .stagefig { grid-column: 2 / 4; color: var(--stage); font-size: .85rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .4rem; vertical-align: top; }
th { text-align: left; background: #f3f5f8; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.stage, th.stage { color: var(--stage); }
tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
.depth-2 td.title { padding-left: 1.4rem; } .depth-3 td.title { padding-left: 2.4rem; }
details { margin: .1rem 0; } summary { cursor: pointer; color: var(--accent); }
.sheet { font: .8rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  white-space: pre-wrap; margin: .3rem 0; padding: .4rem; background: #f7f8fa; }
.warnings { background: var(--warn-bg); border-left: 4px solid var(--warn-line);
  padding: .5rem 1rem; }
footer { color: var(--muted); font-size: .8rem; margin: 2rem 0 1rem; }
@media (max-width: 40rem) {
  body { font-size: 14px; }
  .headline .value { font-size: 2rem; }
  .aspects li { grid-template-columns: 1fr auto; }
  .aspects li svg { grid-column: 1 / 3; grid-row: 2; }
  .aspects .stagefig { grid-column: 1 / 3; }
  /* indicator tables become cards: code and title, then the figures, then the sheet */
  table, tbody, tr, td { display: block; }
  thead { display: none; }
  tr { display: flex; flex-wrap: wrap; gap: 0 .8rem; padding: .4rem 0;
    border-bottom: 1px solid var(--line); }
  td { border: none; padding: .1rem 0; }
  td.code { flex: 0 0 2.6rem; color: var(--muted); }
  td.title, .depth-2 td.title, .depth-3 td.title { flex: 1 1 calc(100% - 3.5rem); padding-left: 0; }
  td.num::before { content: attr(data-label) " "; color: var(--muted); font-weight: 400; }
  td.num:empty { display: none; }
  td.calc { flex: 1 1 100%; }
  tr.total { border-top: 2px solid var(--ink); } tr.total td { border-top: none; }
}
@media print {
  @page { size: A4; margin: 14mm; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  summary { display: none; }
  details::details-content { content-visibility: visible; display: block; }
  h2 { break-after: avoid; } tr, li, .headline { break-inside: avoid; }
  th { background: none; } .scroll { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
"""

#: Opens every <details> before printing so the calculation sheets are on paper.
SCRIPT = (
    "window.addEventListener('beforeprint',function(){"
    "document.querySelectorAll('details').forEach(function(d){d.open=true;});});"
)


def esc(value: Any) -> str:
    """Escape text for HTML (element content and quoted attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def num(value: Any, places: int | None = None) -> str:
    """An escaped Indonesian-formatted number."""
    return esc(view.number(value, places))


def svg_bar(value: Any, maximum: Any, label: str) -> str:
    """An inline SVG bar of value / maximum (clamped to 0–100 %)."""
    share = Decimal(0)
    if isinstance(value, Decimal) and isinstance(maximum, Decimal) and maximum:
        share = max(Decimal(0), min(Decimal(1), value / maximum))
    width = f"{share * 100:.2f}"
    return (
        f'<svg viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
        f'aria-label="{esc(label)}"><rect x="0" y="0" width="100" height="10" rx="2" '
        f'fill="var(--bar-bg)"/><rect x="0" y="0" width="{width}" height="10" rx="2" '
        f'fill="var(--bar)"/></svg>'
    )


def sheet_html(node: NodeResult, summary: str = "rincian") -> str:
    """The calculation sheet behind ``node``'s value, in a <details> element."""
    lines = view.sheet(node).lines()
    return (
        f'<details class="derivation"><summary>{esc(summary)}</summary>'
        f'<div class="sheet">{esc(chr(10).join(lines))}</div></details>'
    )


def headline_html(result: ScoreResult) -> str:
    """The header and the headline box: value / max, band, the value at every stage."""
    h = view.headline(result)
    subtitle = " · ".join(x for x in (h.subject, h.period) if x)
    reg = " — ".join(x for x in (h.regulation, f"versi {h.version}" if h.version else None) if x)
    parts = [
        f"<header><h1>{esc(h.title)}</h1>",
        f'<p class="meta">{esc(reg)}</p>' if reg else "",
        f'<p class="meta" data-testid="subject">{esc(subtitle)}</p>' if subtitle else "",
        "</header>",
        '<section class="headline" id="headline" data-testid="headline" '
        f'data-value="{esc(view.number(h.value))}">',
        f'<span class="value">{num(h.value)}</span>',
        f'<span class="max">/ {num(h.max)}</span>' if h.max is not None else "",
    ]
    if h.band_label:
        parts.append(
            f'<span class="band" data-testid="band">'
            f"{esc(view.band_words(h.band_label, h.band_meaning))}</span>"
        )
    if h.final_stage:
        parts.append(f'<span class="meta">({esc(h.final_stage)})</span>')
    if len(h.stages) > 1:
        items = []
        for stage, value, label, meaning in h.stages:
            band = f" → {esc(view.band_words(label, meaning))}" if label else ""
            items.append(f"<li>{esc(stage)}: {num(value)}{band}</li>")
        parts.append(f'<ul class="stages">{"".join(items)}</ul>')
    parts.append(sheet_html(result.root, "lembar perhitungan nilai akhir"))
    parts.append("</section>")
    return "".join(parts)


def aspects_html(result: ScoreResult) -> str:
    """Per-aspect bars (inline SVG) with value / max, % and the earlier stages."""
    earlier = view.earlier_stages(result)
    items = []
    for node in view.aspects(result):
        stage_text = " · ".join(f"{s}: {view.number(node.stages.get(s))}" for s in earlier)
        label = f"{node.label}: {view.number(node.value)} / {view.number(node.max)}"
        items.append(
            f'<li data-testid="aspect" data-id="{esc(node.id)}" '
            f'data-value="{esc(view.number(node.value))}">'
            f'<span class="name">{esc(node.label)}</span>'
            f"{svg_bar(node.value, node.max, label)}"
            f'<span class="fig">{num(node.value)} / {num(node.max)} '
            f"({esc(view.percent(node))} %)</span>"
            + (f'<span class="stagefig">{esc(stage_text)}</span>' if stage_text else "")
            + "</li>"
        )
    return f'<h2>Ringkasan per aspek</h2><ul class="aspects">{"".join(items)}</ul>'


def aspect_table(result: ScoreResult, aspect: NodeResult) -> str:
    """The indicator table of one aspect: answers per stage, value, max, calculation."""
    stages = result.stages
    head = ["<tr>", '<th>Kode</th><th>Indikator</th><th class="num">Bobot</th>']
    head += [f'<th class="num stage">{esc(s.capitalize())}</th>' for s in stages]
    indicator_rows = view.indicator_rows(aspect)
    # without stages, an answer (or a plugin type's category) still deserves a column
    show_answer = not stages and any(r.node.answer for r in indicator_rows)
    if show_answer:
        head.append('<th class="stage">Jawaban</th>')
    head += ['<th class="num">Nilai</th><th class="num">Maks</th><th>Perhitungan</th></tr>']
    rows = []
    for row in indicator_rows:
        node = row.node
        answers = "".join(
            f'<td class="num stage" data-label="{esc(s.capitalize())}">'
            f"{esc(node.stage_answers.get(s) or '')}</td>"
            for s in stages
        )
        if show_answer:
            answers += f'<td class="stage" data-label="Jawaban">{esc(node.answer or "")}</td>'
        rows.append(
            f'<tr class="depth-{min(row.depth, 3)}" data-id="{esc(node.id)}">'
            f'<td class="code">{esc(node.code or "")}</td>'
            f'<td class="title">{esc(node.title)}</td>'
            f'<td class="num" data-label="Bobot">{num(node.weight)}</td>{answers}'
            f'<td class="num" data-label="Nilai">{num(node.value)}</td>'
            f'<td class="num" data-label="Maks">{num(node.max)}</td>'
            f'<td class="calc">{sheet_html(node)}</td></tr>'
        )
    stage_totals = "".join(
        f'<td class="num stage" data-label="{esc(s.capitalize())}">{num(aspect.stages.get(s))}</td>'
        for s in stages
    )
    if show_answer:
        stage_totals += '<td class="stage"></td>'
    rows.append(
        f'<tr class="total"><td class="code"></td><td class="title">Jumlah</td>'
        f'<td class="num" data-label="Bobot">{num(aspect.weight)}</td>{stage_totals}'
        f'<td class="num" data-label="Nilai">{num(aspect.value)}</td>'
        f'<td class="num" data-label="Maks">{num(aspect.max)}</td>'
        f'<td class="calc">{sheet_html(aspect)}</td></tr>'
    )
    title = f"{aspect.code + ' ' if aspect.code else ''}{aspect.title}"
    return (
        f'<section class="aspect" id="aspect-{esc(aspect.id)}"><h3>{esc(title)}</h3>'
        f'<div class="scroll"><table><thead>{"".join(head)}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def ranking_html(result: ScoreResult) -> str:
    """``score --group-by``: the ranking table and the groups that failed (or nothing)."""
    ranked = view.ranking(result)
    if ranked is None:
        return ""
    head = ['<tr><th class="num">#</th>', f"<th>{esc(ranked.group_by)}</th>"]
    head += [
        f'<th class="num" title="{esc(c.title)}">{esc(c.heading)}</th>' for c in ranked.columns
    ]
    head.append('<th class="num">Nilai</th><th>Predikat</th></tr>')
    rows = []
    for g in ranked.groups:
        cells = "".join(
            f'<td class="num" data-label="{esc(c.heading)}">{num(v, c.places)}</td>'
            for v, c in zip(g.values, ranked.columns, strict=True)
        )
        rows.append(
            f'<tr data-testid="group" data-key="{esc(g.key)}">'
            f'<td class="num" data-label="#">{g.rank}</td><td class="title">{esc(g.key)}</td>'
            f'{cells}<td class="num" data-label="Nilai"><strong>'
            f"{num(g.value, ranked.value_places)}</strong></td><td>{esc(g.band)}</td></tr>"
        )
    failed = ""
    if ranked.failed:
        items = "".join(f"<li>{esc(g.key)}: {esc(g.error)}</li>" for g in ranked.failed)
        failed = (
            '<h3>Kelompok gagal</h3><section class="warnings" data-testid="failed-groups">'
            f"<ul>{items}</ul></section>"
        )
    return (
        f'<h2 id="ranking">{esc(ranked.title)}</h2><div class="scroll"><table>'
        f"<thead>{''.join(head)}</thead><tbody>{''.join(rows)}</tbody></table></div>{failed}"
    )


def warnings_html(result: ScoreResult) -> str:
    """The warnings box (empty string when there are none)."""
    warnings = result.warnings()
    if not warnings:
        return ""
    items = "".join(f"<li>{esc(w)}</li>" for w in warnings)
    return (
        f'<h2>Peringatan</h2><section class="warnings" data-testid="warnings">'
        f"<ul>{items}</ul></section>"
    )


def render_html(result: ScoreResult) -> str:
    """The whole page, without terminal control characters (HTML does not allow them, and
    a page printed to a terminal must not carry them: :mod:`evalengine.safe_text`)."""
    h = view.headline(result)
    title = " — ".join(x for x in (h.title, h.subject, h.period) if x)
    body = [
        headline_html(result),
        aspects_html(result),
        ranking_html(result),
        warnings_html(result),
    ]
    body.append("<h2>Rincian indikator</h2>")
    body.extend(aspect_table(result, aspect) for aspect in view.aspects(result) if aspect.children)
    source = result.evidence.meta.get("source")
    footer = (
        f"<footer>Dihitung dengan evalengine {esc(evalengine_version)} dari "
        f"{esc(result.rubric.path or result.rubric.id)} dan {esc(result.evidence.path)}"
        + (f". Sumber data: {esc(source)}" if source else "")
        + ".</footer>"
    )
    return printable(
        '<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(b for b in body if b)
        + f"\n{footer}\n</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )
