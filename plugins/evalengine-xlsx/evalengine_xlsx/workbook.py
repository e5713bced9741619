"""A workbook evaluators can share: a summary sheet, the ranking, one sheet per aspect.

The ranking sheet (``Peringkat``) is there when the result was scored per group
(``score --group-by``): one row per group, ranked, every aspect a number column.

Every figure is a number cell (never text) with a number format tagged with the
Indonesian locale (``[$-421]``), so spreadsheet programs show ``42,5`` and
``8.357.764.610,00`` and the figures can be summed, charted and checked. Percentages
are fractions with a percent format (0.6146 shown as ``61,46%``). The workbook is built
in memory and returned as bytes; ``evalengine score`` writes it atomically.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

from evalengine import __version__ as evalengine_version
from evalengine.evaluate.result import NodeResult, ScoreResult
from evalengine.numbers import to_decimal
from evalengine.report import view

#: Number formats. ``[$-421]`` is the locale id of Indonesian (id-ID).
FORMATS = {
    "value": "[$-421]#,##0.00",
    "weight": "[$-421]#,##0.00",
    "answer": "[$-421]General",
    "percent": "[$-421]0.00%",
}

SUMMARY = "Ringkasan"
#: The sheet of ``score --group-by`` (one row per group).
RANKING = "Peringkat"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def as_number(value: Any) -> float | None:
    """A Decimal as a float for a number cell; None for anything that is not a number."""
    if isinstance(value, Decimal):
        return float(value)
    return None


def answer_cell(text: str | None) -> float | str | None:
    """An answer as written: a number cell when it is numeric (``4``), else its label."""
    if text is None or text == "":
        return None
    try:
        return float(to_decimal(text))
    except (ValueError, TypeError):
        return str(text)


def sheet_names(aspects: list[NodeResult]) -> list[str]:
    """Valid, unique sheet names (≤ 31 characters, no ``[]:*?/\\``) for the aspects."""
    names: list[str] = []
    used = {SUMMARY.lower(), RANKING.lower()}
    for aspect in aspects:
        base = _BAD_SHEET_CHARS.sub(
            " ", f"{aspect.code + ' ' if aspect.code else ''}{aspect.title}"
        )
        base = " ".join(base.split())[:31].rstrip() or aspect.id[:31]
        name, n = base, 2
        while name.lower() in used:
            suffix = f" ({n})"
            name = base[: 31 - len(suffix)] + suffix
            n += 1
        used.add(name.lower())
        names.append(name)
    return names


class _Book:
    """The workbook being written, with its cell formats."""

    def __init__(self, buffer: io.BytesIO) -> None:
        # text from rubrics and evidence stays text: never a formula, a number or a link
        import xlsxwriter  # imported when a workbook is written, not when plugins load

        self.wb = xlsxwriter.Workbook(
            buffer,
            {
                "in_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        wb = self.wb
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.bold = wb.add_format({"bold": True})
        self.muted = wb.add_format({"font_color": "#5b6575"})
        self.header = wb.add_format(
            {"bold": True, "bg_color": "#e7ebf0", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.text = wb.add_format({"text_wrap": True, "valign": "top"})
        self.num = {
            k: wb.add_format({"num_format": v, "valign": "top"}) for k, v in FORMATS.items()
        }
        self.total_num = {
            k: wb.add_format({"num_format": v, "bold": True, "top": 1}) for k, v in FORMATS.items()
        }
        self.total_text = wb.add_format({"bold": True, "top": 1})
        self.big = wb.add_format({"num_format": FORMATS["value"], "bold": True, "font_size": 14})
        self.link = wb.add_format({"font_color": "blue", "underline": 1})
        self.warning = wb.add_format({"font_color": "#8a6d00", "text_wrap": True})

    def put(self, ws, row: int, col: int, value: Any, kind: str, total: bool = False) -> None:
        """Write ``value`` as a number with format ``kind`` (blank when it is not a number)."""
        fmt = (self.total_num if total else self.num)[kind]
        number = as_number(value)
        if number is None:
            ws.write_blank(row, col, None, fmt)
        else:
            ws.write_number(row, col, number, fmt)


def _summary(book: _Book, result: ScoreResult, names: list[str]) -> None:
    ws = book.wb.add_worksheet(SUMMARY)
    h = view.headline(result)
    earlier = view.earlier_stages(result)
    ws.write(0, 0, h.title, book.title)
    reg = " — ".join(x for x in (h.regulation, f"versi {h.version}" if h.version else None) if x)
    ws.write(1, 0, reg, book.muted)
    ws.write(2, 0, " · ".join(x for x in (h.subject, h.period) if x))
    source = result.evidence.meta.get("source")
    if source:
        ws.write(3, 0, f"Sumber data: {source}", book.muted)

    row = 5
    ws.write(row, 0, "Nilai akhir", book.bold)
    headline_number = as_number(h.value)
    if headline_number is None:
        ws.write_string(row, 1, view.number(h.value), book.bold)
    else:
        ws.write_number(row, 1, headline_number, book.big)
    if h.final_stage:
        ws.write(row, 2, f"({h.final_stage})", book.muted)
    row += 1
    ws.write(row, 0, "Nilai maksimum")
    book.put(ws, row, 1, h.max, "value")
    row += 1
    ws.write(row, 0, "Persentase")
    book.put(ws, row, 1, h.percent / 100 if h.percent is not None else None, "percent")
    row += 1
    ws.write(row, 0, "Predikat")
    ws.write(row, 1, h.band_label or "", book.bold)
    ws.write(row, 2, h.band_meaning or "")
    for stage, value, label, meaning in h.stages:
        row += 1
        ws.write(row, 0, f"Nilai {stage}")
        book.put(ws, row, 1, value, "value")
        ws.write(row, 2, " ".join(x for x in (label, meaning) if x))

    row += 2
    header_row = row
    headers = ["Kode", "Aspek", "Bobot", *[s.capitalize() for s in earlier]]
    headers += ["Nilai", "Maks", "%", "Kontribusi", "Rincian"]
    for col, text in enumerate(headers):
        ws.write(row, col, text, book.header)
    aspects = view.aspects(result)
    for aspect, name in zip(aspects, names, strict=True):
        row += 1
        ws.write(row, 0, aspect.code or "", book.text)
        ws.write(row, 1, aspect.title, book.text)
        book.put(ws, row, 2, aspect.weight, "weight")
        col = 3
        for stage in earlier:
            book.put(ws, row, col, aspect.stages.get(stage), "value")
            col += 1
        book.put(ws, row, col, aspect.value, "value")
        book.put(ws, row, col + 1, aspect.max, "value")
        book.put(
            ws,
            row,
            col + 2,
            aspect.percent / 100 if aspect.percent is not None else None,
            "percent",
        )
        book.put(
            ws,
            row,
            col + 3,
            aspect.contribution / 100 if aspect.contribution is not None else None,
            "percent",
        )
        if aspect.children:
            ws.write_url(row, col + 4, f"internal:'{name}'!A1", book.link, string=name)
    row += 1
    root = result.root
    weights = [a.weight for a in aspects if a.weight is not None]
    _total_row(book, ws, row, "Total", sum(weights, Decimal(0)) if weights else None, root, earlier)

    warnings = result.warnings()
    if warnings:
        row += 2
        ws.write(row, 0, "Peringatan", book.bold)
        for w in warnings:
            row += 1
            ws.write(row, 0, w, book.warning)
    row += 2
    ws.write(row, 0, f"Dihitung dengan evalengine {evalengine_version}", book.muted)

    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 44)
    ws.set_column(2, len(headers) - 2, 12)
    ws.set_column(len(headers) - 1, len(headers) - 1, 28)
    ws.freeze_panes(header_row + 1, 0)
    ws.activate()


def _aspect_sheet(book: _Book, result: ScoreResult, aspect: NodeResult, name: str) -> None:
    ws = book.wb.add_worksheet(name)
    stages = result.stages
    ws.write(0, 0, f"{aspect.code + ' ' if aspect.code else ''}{aspect.title}", book.title)
    ws.write_url(1, 0, f"internal:'{SUMMARY}'!A1", book.link, string=f"← {SUMMARY}")
    row = 3
    headers = ["Kode", "Indikator", "Bobot", *[s.capitalize() for s in stages]]
    headers += ["Nilai", "Maks", "%", "Rumus", "Perhitungan"]
    for col, text in enumerate(headers):
        ws.write(row, col, text, book.header)
    header_row = row
    for item in view.indicator_rows(aspect):
        node = item.node
        row += 1
        ws.write(row, 0, node.code or "", book.text)
        ws.write(row, 1, ("  " * (item.depth - 1)) + node.title, book.text)
        book.put(ws, row, 2, node.weight, "weight")
        col = 3
        for stage in stages:
            answer = answer_cell(node.stage_answers.get(stage))
            if isinstance(answer, float):
                ws.write_number(row, col, answer, book.num["answer"])
            elif answer is not None:
                ws.write_string(row, col, answer, book.text)
            col += 1
        book.put(ws, row, col, node.value, "value")
        book.put(ws, row, col + 1, node.max, "value")
        book.put(
            ws, row, col + 2, node.percent / 100 if node.percent is not None else None, "percent"
        )
        sheet = view.sheet(node)
        ws.write_string(row, col + 3, sheet.formula or "", book.text)
        ws.write_string(row, col + 4, "\n".join(sheet.lines()[1:]), book.text)
    row += 1
    _total_row(book, ws, row, "Jumlah", aspect.weight, aspect, stages)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 2 + len(stages) + 2, 11)
    ws.set_column(3 + len(stages) + 2, 3 + len(stages) + 2, 8)
    ws.set_column(3 + len(stages) + 3, 3 + len(stages) + 4, 36)
    ws.freeze_panes(header_row + 1, 2)


def _total_row(book, ws, row: int, label: str, weight, node, stages) -> None:
    """A bold total line: label, weight, the value at each listed stage, value, max, %."""
    ws.write(row, 1, label, book.total_text)
    book.put(ws, row, 2, weight, "weight", total=True)
    col = 3
    for stage in stages:
        book.put(ws, row, col, node.stages.get(stage), "value", total=True)
        col += 1
    book.put(ws, row, col, node.value, "value", total=True)
    book.put(ws, row, col + 1, node.max, "value", total=True)
    percent = node.percent / 100 if node.percent is not None else None
    book.put(ws, row, col + 2, percent, "percent", total=True)


def places_format(places: int | None) -> str:
    """The Indonesian number format with ``places`` decimals (General when not fixed)."""
    if places is None:
        return FORMATS["answer"]
    return "[$-421]#,##0" + ("." + "0" * places if places else "")


def _ranking_sheet(book: _Book, ranked: view.Ranking) -> None:
    """``score --group-by``: one row per group, ranked, every aspect a number column."""
    ws = book.wb.add_worksheet(RANKING)
    ws.write(0, 0, ranked.title, book.title)
    ws.write_url(1, 0, f"internal:'{SUMMARY}'!A1", book.link, string=f"← {SUMMARY}")
    headers = ["Peringkat", ranked.group_by, *[c.heading for c in ranked.columns]]
    headers += ["Nilai", "Predikat"]
    header_row = 3
    for col, text in enumerate(headers):
        ws.write(header_row, col, text, book.header)
    for col, column in enumerate(ranked.columns, start=2):
        ws.write_comment(header_row, col, column.title)
    formats = [book.wb.add_format({"num_format": places_format(c.places)}) for c in ranked.columns]
    value_format = book.wb.add_format(
        {"num_format": places_format(ranked.value_places), "bold": True}
    )
    row = header_row
    for g in ranked.groups:
        row += 1
        ws.write_number(row, 0, g.rank)
        ws.write_string(row, 1, g.key)
        for col, (value, fmt) in enumerate(zip(g.values, formats, strict=True), start=2):
            number = as_number(value)
            if number is not None:
                ws.write_number(row, col, number, fmt)
        number = as_number(g.value)
        if number is not None:
            ws.write_number(row, 2 + len(formats), number, value_format)
        ws.write_string(row, 3 + len(formats), g.band)
    if ranked.failed:
        row += 2
        ws.write(row, 0, "Kelompok gagal", book.bold)
        for g in ranked.failed:
            row += 1
            ws.write_string(row, 1, g.key)
            ws.write_string(row, 2, g.error or "", book.warning)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 2 + len(formats), 12)
    ws.set_column(3 + len(formats), 3 + len(formats), 18)
    ws.autofilter(header_row, 0, header_row + len(ranked.groups), len(headers) - 1)
    ws.freeze_panes(header_row + 1, 2)


def render_xlsx(result: ScoreResult) -> bytes:
    """The workbook as bytes."""
    buffer = io.BytesIO()
    book = _Book(buffer)
    h = view.headline(result)
    book.wb.set_properties(
        {
            "title": h.title,
            "subject": " · ".join(x for x in (h.subject, h.period) if x),
            "comments": f"evalengine {evalengine_version}",
        }
    )
    aspects = view.aspects(result)
    names = sheet_names(aspects)
    _summary(book, result, names)
    ranked = view.ranking(result)
    if ranked is not None:
        _ranking_sheet(book, ranked)
    for aspect, name in zip(aspects, names, strict=True):
        if aspect.children:
            _aspect_sheet(book, result, aspect, name)
    book.wb.close()
    return buffer.getvalue()
