"""Blank evidence files for a rubric: TOML with the scale of each answer as a comment, or an
XLSX workbook with drop-down lists, that score without edits once filled in.

What a template asks for is read from the rubric, so it works for any rubric:

- an answer per *answered* indicator (score and plugin types with ``answered = True``),
  per stage when the rubric has stages (``i1_1 = { mandiri = "", verifikasi = "" }``);
- every fact a formula reads as ``evidence.<path>``;
- every evidence table a plugin indicator names in a ``table`` option, with the columns
  its per-row formulas read (``row.<column>``);
- optional stated figures (``[stated]``), commented out in TOML, columns in XLSX.

The XLSX layout is what :mod:`evalengine.evidence.xlsx_reader` reads back: sheets
``evidence`` (key, value), ``indicators`` (one row per indicator: id, code, title,
scale, ``answer:<stage>`` …, ``stated:<stage>`` …, ``stated:band``, note), ``facts``
(key, value) and ``tables`` (name, file, sheet).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from ..formula import ast, parse_formula
from ..rubric.model import Indicator, Rubric

INDICATORS_SHEET = "indicators"
EVIDENCE_SHEET = "evidence"
FACTS_SHEET = "facts"
TABLES_SHEET = "tables"
META_FIELDS = ("rubric", "version", "subject", "period", "as_of", "source")


@dataclass
class TemplateSpec:
    """What an evidence file for a rubric must contain."""

    rubric: Rubric
    answered: list[Indicator] = field(default_factory=list)
    facts: list[tuple[str, ...]] = field(default_factory=list)
    tables: dict[str, list[str]] = field(default_factory=dict)

    @property
    def stages(self) -> tuple[str, ...]:
        return self.rubric.stages

    def options(self, ind: Indicator, plugins) -> list[str]:
        """The answer labels of an answered indicator, lowest value first."""
        itype = plugins.indicator_types.get(ind.type)()
        return [o.label for o in itype.answer_options(ind, self.rubric)]


def _refs(tree: ast.Expr) -> list[tuple[str, ...]]:
    return [n.path for n in tree.walk() if isinstance(n, ast.Ref)]


def template_spec(rubric: Rubric, plugins=None) -> TemplateSpec:
    """Collect the answers, facts and tables a rubric reads."""
    from ..plugins import default_plugins

    plugins = plugins or default_plugins()
    types = plugins.indicator_types
    spec = TemplateSpec(rubric)
    facts: dict[tuple[str, ...], None] = {}
    for ind in rubric.root.walk():
        if ind is not rubric.root and ind.type in types and types.get(ind.type).answered:
            spec.answered.append(ind)
        trees = [f.tree for f in (ind.value, ind.max) if f is not None]
        columns: list[str] = []
        for key, option in ind.options.items():
            if not isinstance(option, str) or key == "table":
                continue
            if key == "column":
                columns.append(option)
                continue
            try:
                trees.append(parse_formula(option))
            except Exception:  # an option that is not a formula (a name, a label)
                continue
        for tree in trees:
            for path in _refs(tree):
                if path[0] == "evidence" and len(path) > 1:
                    facts[path[1:]] = None
                if path[0] == "row" and len(path) > 1:
                    columns.append(path[1])
        table = ind.options.get("table")
        if isinstance(table, str):
            known = spec.tables.setdefault(table, [])
            known.extend(c for c in columns if c not in known)
    spec.facts = list(facts)
    return spec


# -- TOML ----------------------------------------------------------------------
def _comment(text: str) -> str:
    return " ".join(str(text).split())


def _key(part: str) -> str:
    import re

    return part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else '"' + part.replace('"', '\\"') + '"'


def toml_template(rubric: Rubric, *, plugins=None) -> str:
    """A blank TOML evidence file: fill every ``""`` and score it."""
    from ..plugins import default_plugins

    plugins = plugins or default_plugins()
    spec = template_spec(rubric, plugins)
    from ..rubric.versions import installed_rubrics

    installed = any(i.id == rubric.id for i in installed_rubrics())
    out = [
        f"# Evidence template for {_comment(rubric.title)} ({rubric.id} {rubric.version})",
        *([f"# {_comment(rubric.regulation)}"] if rubric.regulation else []),
        '# Fill in every "" (answers from the scale shown above each line), then run',
        f"#   evalengine score {rubric.id if installed else rubric.path} THIS_FILE",
        "",
        "[evidence]",
        f'rubric = "{rubric.id}"',
        f'version = "{rubric.version}"',
        'subject = ""      # the assessed institution',
        'period = ""       # e.g. "2024"; picks the rubric version in force then',
        'source = ""       # where the answers come from',
        "",
    ]
    if spec.answered:
        out.append("[answers]")
        parent = None
        for ind in spec.answered:
            if ind.parent is not None and ind.parent is not parent and ind.parent.parent:
                parent = ind.parent
                out.append(f"# — {_comment(parent.label)}")
            weight = f" (bobot {ind.weight:f})" if ind.weight is not None else ""
            optional = " (optional)" if ind.optional else ""
            out.append(f"# {_comment(ind.label)}{weight}{optional}")
            scale = rubric.scales.get(ind.scale) if ind.scale else None
            labels = scale.describe() if scale else ", ".join(spec.options(ind, plugins))
            out.append(f"# {scale.name if scale else 'answers'}: {labels}")
            if spec.stages:
                cells = ", ".join(f'{_key(s)} = ""' for s in spec.stages)
                out.append(f"{_key(ind.id)} = {{ {cells} }}")
            else:
                out.append(f'{_key(ind.id)} = ""')
        out.append("")
    if spec.facts:
        out.append("[facts]")
        out.append("# read by formulas as evidence.<name>; numbers may be written 79,03")
        out.extend(f'{".".join(_key(p) for p in path)} = ""' for path in spec.facts)
        out.append("")
    for name, columns in spec.tables.items():
        out.append(f"[tables.{_key(name)}]")
        cols = f"  # columns: {', '.join(columns)}" if columns else ""
        out.append(f'file = ""{cols}')
        out.append("")
    out.append("# Figures a report states (optional; checked, never used as input):")
    out.append("# [stated]")
    stage_keys = ", ".join(f"{s} = 0" for s in spec.stages) if spec.stages else "value = 0"
    out.append(f'# {rubric.id} = {{ {stage_keys}, band = "" }}')
    return "\n".join(out).rstrip() + "\n"


# -- XLSX ----------------------------------------------------------------------
def indicator_columns(stages: tuple[str, ...]) -> list[str]:
    """Header of the indicators sheet."""
    answers = [f"answer:{s}" for s in stages] or ["answer"]
    stated = [f"stated:{s}" for s in stages] or ["stated:value"]
    return ["id", "code", "title", "scale", *answers, *stated, "stated:band", "note"]


def xlsx_template(rubric: Rubric, *, plugins=None) -> bytes:
    """A blank XLSX evidence workbook with drop-down lists for scale answers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from ..plugins import default_plugins

    plugins = plugins or default_plugins()
    spec = template_spec(rubric, plugins)
    answered = {ind.id for ind in spec.answered}
    wb = Workbook()
    meta = wb.active
    meta.title = EVIDENCE_SHEET
    meta.append(["key", "value"])
    values = {"rubric": rubric.id, "version": rubric.version}
    for key in META_FIELDS:
        meta.append([key, values.get(key, "")])
    meta.append([])
    meta.append([f"{rubric.title} — {rubric.regulation or ''}"])

    sheet = wb.create_sheet(INDICATORS_SHEET)
    header = indicator_columns(spec.stages)
    sheet.append(header)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    grey = PatternFill("solid", fgColor="DDDDDD")
    answer_cols = [i + 1 for i, h in enumerate(header) if h.startswith("answer")]
    validations: dict[str, DataValidation] = {}
    for row, ind in enumerate(rubric.root.walk(), start=2):
        scale = rubric.scales.get(ind.scale) if ind.scale else None
        sheet.append(
            [ind.id, ind.code or "", ind.title, scale.describe() if scale else ""]
            + [""] * (len(header) - 4)
        )
        for col in answer_cols:
            cell = sheet.cell(row=row, column=col)
            if ind.id not in answered:
                cell.fill = grey
                continue
            labels = spec.options(ind, plugins)
            formula = '"' + ",".join(labels) + '"'
            if len(formula) > 255:  # Excel's limit for an inline list
                continue
            dv = validations.get(formula)
            if dv is None:
                dv = DataValidation(type="list", formula1=formula, allow_blank=True)
                dv.error = f"choose one of: {', '.join(labels)}"
                dv.errorTitle = "not on the scale"
                sheet.add_data_validation(dv)
                validations[formula] = dv
            dv.add(cell)
    widths = {"id": 22, "code": 8, "title": 70, "scale": 18}
    for i, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = widths.get(name, 16)
    sheet.freeze_panes = "E2"

    facts = wb.create_sheet(FACTS_SHEET)
    facts.append(["key", "value"])
    for path in spec.facts:
        facts.append([".".join(path), ""])
    tables = wb.create_sheet(TABLES_SHEET)
    tables.append(["name", "file", "sheet", "columns"])
    for name, columns in spec.tables.items():
        tables.append([name, "", "", ", ".join(columns)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def render_template(rubric: Rubric, fmt: str, *, plugins=None) -> Any:
    """``toml`` → text, ``xlsx`` → bytes."""
    if fmt == "xlsx":
        return xlsx_template(rubric, plugins=plugins)
    return toml_template(rubric, plugins=plugins)
