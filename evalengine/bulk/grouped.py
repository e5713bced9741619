"""Scoring per group (``score --group-by COLUMN``) on either engine, and the ranking."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import EvalEngineError, EvidenceError, UsageError
from ..evaluate.result import json_value
from ..evidence.model import Evidence, Table
from ..rubric.model import Rubric

#: Engines ``--engine`` accepts.
ENGINES = ("auto", "duckdb", "python")
#: ``auto`` uses DuckDB for table files from this size up (and for every Parquet file):
#: about 2,500 roster rows or 4,000 survey responses. Measured on the bench machine: DuckDB
#: costs ~0.3 s to start and the interpreter ~0.25 ms a row, so they break even near
#: 1,000 rows; below this size the interpreter's row-by-row account (the rows of invalid
#: answers, the first rows in a calculation sheet) is worth its second.
BULK_FILE_BYTES = 100_000


def rounding_units(rubric: Rubric) -> dict[str, Decimal | None]:
    """Indicator id → the unit the rubric rounds its value to (``0.01`` for 2 places;
    None when it does not round it), worked out once for all groups."""
    places = {ind.id: rubric.rounding_places(ind) for ind in rubric.root.walk()}
    return {i: None if p is None else Decimal(1).scaleb(-p) for i, p in places.items()}


@dataclass
class GroupResult:
    """The result of one group (one agency, one service unit), or why it failed.

    A group DuckDB computed whole (:class:`~.finish.LightGroup`) builds its result tree
    only when something reads ``result``; its value and JSON form come from the values.
    """

    key: str
    _result: Any = None  # ScoreResult
    error: EvalEngineError | None = None
    rank: int | None = None
    light: Any = None  # finish.LightGroup

    @property
    def result(self):
        """The group's :class:`~evalengine.evaluate.result.ScoreResult` (None: it failed)."""
        if self._result is None and self.light is not None:
            self._result = self.light.build()
        return self._result

    @property
    def scored(self) -> bool:
        """True unless the group failed (its result is not built to tell)."""
        return self.light is not None or self._result is not None

    @property
    def value(self) -> Decimal | None:
        if self.light is not None:
            return self.light.value
        if self._result is None:
            return None
        value = self._result.root.value
        return value if isinstance(value, Decimal) else None

    @property
    def band(self):
        """The headline's band (None: none, or the group failed)."""
        if self.light is not None:
            return self.light.band
        return self._result.root.band if self._result is not None else None

    def values(self) -> dict[str, Any]:
        """Every node's value by indicator id, the root's first, parents before children
        (a light group's without building its tree; nothing for a failed group)."""
        if self.light is not None:
            return self.light.by_id()
        if self._result is None:
            return {}
        return {node.id: node.value for node in self._result.root.walk()}

    def to_dict(self, units: dict[str, Decimal | None] | None = None) -> dict[str, Any]:
        """Compact JSON form: headline, band and every indicator's value, each as the
        rubric rounds it ("56.10"), as the headline's value is written.

        ``units``: :func:`rounding_units` of the rubric, when the caller has it.
        """
        if not self.scored:
            return {"group": self.key, "rank": None, "error": str(self.error)}
        if self.light is not None:
            rubric, top, warnings = self.light.plan.engine.rubric, self.light.root.max, []
        else:
            result = self._result
            rubric, top, warnings = result.rubric, result.root.max, result.warnings(rubric=False)
        units = units if units is not None else rounding_units(rubric)
        texts = {}
        for node_id, value in self.values().items():
            unit = units.get(node_id)
            if unit is None or not isinstance(value, Decimal):
                texts[node_id] = json_value(value)
            else:
                texts[node_id] = f"{value.quantize(unit):f}"
        root = texts.pop(rubric.root.id)
        band = self.band
        return {
            "group": self.key,
            "rank": self.rank,
            "value": root,
            "max": json_value(top),
            "band": band.label if band else None,
            "meaning": band.meaning if band else None,
            "indicators": texts,
            "warnings": warnings,
        }


def rank_groups(groups: list[GroupResult]) -> list[GroupResult]:
    """Rank by headline value, highest first (equal values share a rank); failures last."""
    from ..ranking import competition_rank

    return competition_rank(groups, lambda g: g.value, lambda g: g.key)


def table_of(evidence: Evidence, name: str) -> Table | None:
    return evidence.tables.get(name)


def choose_engine(rubric: Rubric, evidence: Evidence, requested: str = "auto") -> str:
    """``duckdb`` or ``python`` for this rubric and evidence (see the module docstring)."""
    from .compute import bulk_indicators

    if requested not in ENGINES:
        msg = f"unknown engine '{requested}'"
        raise UsageError(msg, hint=f"engines: {', '.join(ENGINES)}")
    if requested != "auto":
        return requested
    for ind in bulk_indicators(rubric):
        table = evidence.tables.get(str(ind.options.get("table")))
        file = getattr(table, "file", None)
        if file is None:
            continue
        path = Path(file)
        if path.suffix.lower() == ".parquet" or path.stat().st_size >= BULK_FILE_BYTES:
            return "duckdb"
    return "python"


def precompute(
    engine,
    evidence: Evidence,
    group_by: str | None,
    *,
    threads: int | None = None,
    finish=None,
    columns: dict[str, Any] | None = None,
):
    """Table facts of every records/survey indicator, per group key (None = overall).

    ``group_by`` names the column as the user typed it (:mod:`.group_column` finds it in
    each table); ``columns``, when given, learns the :class:`~.group_column.GroupColumn`
    found in each table. With ``finish`` (a function of the overall facts, the stored
    aggregates and the connection, called before the connection closes), the rubric's
    upper levels may be computed per group on DuckDB too (:mod:`.finish`); its result is
    returned beside the facts.
    """
    from ..evidence.schema import table_spec
    from .compute import (
        Precomputed,
        Resniff,
        Stored,
        bulk_indicators,
        check_cells,
        columns_read,
        group_expr,
        table_facts,
        tables_used,
    )
    from .group_column import text_key_columns
    from .sheets import load_sheets
    from .source import connect, open_table

    rubric = engine.rubric
    per_indicator: dict[str, dict[Any, Precomputed]] = {}
    used = tables_used(bulk_indicators(rubric))
    # spreadsheets are read while DuckDB is imported and connected
    sheets = load_sheets(t for name in used if (t := evidence.tables.get(name)) is not None)
    con = connect(threads)
    opened = []
    stored = Stored() if finish is not None and group_by else None
    finished = None
    try:
        for i, (name, inds) in enumerate(used.items()):
            table = evidence.tables.get(name)
            if table is None:
                continue  # the indicator type reports it (or uses its published fallback)
            # the header --group-by names stays text (found once the reader has the header)
            spec = table_spec(rubric, name) if group_by else None
            text_cols = text_key_columns(group_by, spec, name) if group_by else set()
            read = columns_read(rubric, name, inds)
            bt = open_table(
                con, table, f"t{i}", text_columns=text_cols, sheets=sheets, columns_read=read
            )
            opened.append(bt)
            found = _laid_out(rubric, bt, group_by, spec)
            try:
                facts = table_facts(con, engine, evidence, inds, bt, group_expr(bt, found), stored)
            except Resniff:
                bt = open_table(
                    con, table, f"t{i}", text_columns=text_cols, sniff=False, columns_read=read
                )
                opened.append(bt)
                found = _laid_out(rubric, bt, group_by, spec)
                facts = table_facts(con, engine, evidence, inds, bt, group_expr(bt, found), stored)
            if found is not None and columns is not None:
                columns[name] = found
            check_cells(con, bt)  # when no scan of the table made them
            per_indicator.update(facts)
        out = _by_group(rubric, per_indicator)
        if stored is not None:
            finished = finish(out, stored, con)
    finally:
        for bt in opened:
            bt.cleanup()
        con.close()
    return out, finished


def _laid_out(rubric: Rubric, bt, group_by: str | None, spec):
    """Apply the rubric's layout to ``bt``; the column ``group_by`` names in it (or None).

    The column is looked for in the header as the document path reads it (``bt.header``:
    the interpreter's engine finds the same column, or the same error), not among the
    view's columns, to which the layout adds declared names (``jenis_jabatan`` would
    match both ``Jenis Jabatan`` and itself).
    """
    from .group_column import find_group_column
    from .layout import apply_layout

    apply_layout(rubric, bt)
    if not group_by:
        return None
    return find_group_column(bt.header, group_by, spec, table=bt.name, where=bt.where)


def _by_group(rubric: Rubric, per_indicator: dict[str, dict[Any, Any]]):
    """{indicator: {group: facts}} → {group: {indicator: facts}}, a missing group an error."""
    from .compute import OVERALL, Precomputed

    keys: set[Any] = set()
    for results in per_indicator.values():
        keys.update(results)
    out: dict[Any, dict[str, Precomputed]] = {}
    for key in keys | {OVERALL}:
        out[key] = {}
        for iid, results in per_indicator.items():
            if key in results:
                out[key][iid] = results[key]
            else:
                ind = rubric.by_id()[iid]
                out[key][iid] = Precomputed(
                    {},
                    error=EvidenceError(
                        f"'{iid}': group '{key}' has no rows in table '{ind.options.get('table')}'",
                        location=ind.location,
                    ),
                )
    return out


def group_columns(evidence: Evidence, rubric: Rubric, group_by: str) -> dict[str, Any]:
    """Table name → the :class:`~.group_column.GroupColumn` ``group_by`` names in it, for
    every table the bulk indicators read (the interpreter's engine: each table's header
    as read; the table is read here, once, as its evaluation would read it).

    Found before the rubric is evaluated, as the DuckDB path finds it before its scan: a
    mistyped name is reported at once, not after scoring the whole table.
    """
    from ..evidence.schema import table_spec
    from .compute import bulk_indicators, tables_used
    from .group_column import find_group_column
    from .source import table_file

    names = [n for n in tables_used(bulk_indicators(rubric)) if n in evidence.tables]
    if not names:
        msg = f"nothing to group by '{group_by}': the rubric reads no evidence table"
        raise UsageError(msg, hint="--group-by needs records or survey indicators")
    found = {}
    for name in names:
        table = evidence.tables[name]
        file = table_file(table)
        where = file.name if file is not None else f"inline table '{name}'"
        spec = table_spec(rubric, name)
        found[name] = find_group_column(table.columns, group_by, spec, table=name, where=where)
    return found


def split_evidence(
    evidence: Evidence, rubric: Rubric, found: dict[str, Any]
) -> dict[str, Evidence]:
    """The evidence once per group: every table the bulk indicators read, filtered by key.

    ``found`` is :func:`group_columns`: the :class:`~.group_column.GroupColumn`
    ``--group-by`` names in each table.
    """
    from ..evaluate.engine import evidence_value
    from ..evidence.schema import _convert, table_spec
    from .group_column import declared_key

    names = list(found)
    keyed: dict[str, dict[str, list]] = {}
    for name, column in found.items():
        table = evidence.tables[name]
        spec = table_spec(rubric, name)
        header = column.header
        declared = spec.column(column.name) if column.declared and spec is not None else None
        for row in table.rows:
            cell = row.get(header)
            if declared is not None:  # its value as formulas read it (as DuckDB groups it)
                key = declared_key(_convert(table, declared, cell, row).value)
                keyed.setdefault(key, {n: [] for n in names})[name].append(row)
                continue
            value = "" if cell is None or cell.value is None else cell.value
            if isinstance(value, Decimal):
                value = format(evidence_value(cell), "f")
            keyed.setdefault(str(value).strip(), {n: [] for n in names})[name].append(row)
    out = {}
    for key, rows in keyed.items():
        tables = dict(evidence.tables)
        for name in names:
            t = evidence.tables[name]
            tables[name] = Table(t.name, list(t.columns), rows[name], t.source)
        out[key] = replace(evidence, tables=tables)
    return out


def score_grouped(
    rubric: Rubric,
    evidence: Evidence,
    *,
    group_by: str | None = None,
    engine: str = "auto",
    plugins=None,
    threads: int | None = None,
):
    """Score overall and, with ``group_by``, per group; returns (overall, groups, engine used).

    The overall result is the usual :class:`~evalengine.evaluate.result.ScoreResult`
    with ``groups`` (ranked :class:`GroupResult`) and ``group_by`` set.
    """
    from ..evaluate.engine import Engine
    from .group_column import shown_name

    chosen = choose_engine(rubric, evidence, engine)
    eng = Engine(rubric, plugins=plugins)
    groups: list[GroupResult] = []
    columns: dict[str, Any] = {}  # table name → the GroupColumn group_by named there
    if chosen == "duckdb":
        try:
            pre, finished = precompute(
                eng,
                evidence,
                group_by,
                threads=threads,
                finish=lambda out, stored, con: _finish(eng, evidence, out, stored, con),
                columns=columns,
            )
        except EvalEngineError:
            _reread_small_tables(rubric, evidence)
            raise
        overall, plan, rows = finished or (None, None, {})
        overall_pre = pre.pop(None)
        if overall is None:
            overall = eng.evaluate(evidence, precomputed=overall_pre)
        from .finish import light_result

        for key in sorted(pre):
            light = light_result(plan, evidence, pre[key], rows.get(key)) if plan else None
            if light is not None:
                groups.append(GroupResult(key, light=light))
                continue
            groups.append(
                _one(key, lambda p=pre[key]: eng.evaluate(evidence, precomputed=p, validate=False))
            )
    else:
        if group_by:  # found before scoring: a mistyped name is reported at once
            columns.update(group_columns(evidence, rubric, group_by))
        overall = eng.evaluate(evidence)
        if group_by:
            split = split_evidence(evidence, rubric, columns)
            for key, ev in sorted(split.items()):
                groups.append(_one(key, lambda ev=ev: eng.evaluate(ev, validate=False)))
    overall.groups = rank_groups(groups)
    overall.group_by = shown_name(group_by, columns.values()) if group_by else group_by
    overall.engine = chosen
    return overall


#: A table file DuckDB could not use is read in Python, for a more exact message, up to
#: this size (reading costs about 8 µs a cell: a second or two at this size).
REREAD_BYTES = 1_000_000


def _reread_small_tables(rubric: Rubric, evidence: Evidence) -> None:
    """Read the rubric's small CSV/XLSX table files in Python after DuckDB failed on them.

    A file with a malformed row, no header or nothing at all reaches DuckDB as a table
    without the columns the rubric reads; the Python reader says what is wrong with the
    file (``row 7 of pegawai.csv has 11 cells; the header has 10``, with line and column)
    and raises that instead. Files it reads without complaint leave DuckDB's error as is.
    """
    from .compute import bulk_indicators, tables_used

    for name in tables_used(bulk_indicators(rubric)):
        table = evidence.tables.get(name)
        file = getattr(table, "file", None)
        if file is None or Path(file).suffix.lower() == ".parquet":
            continue
        if Path(file).stat().st_size < REREAD_BYTES:
            table.rows  # noqa: B018 - reading is the point: it raises the file's own error


def _finish(engine, evidence: Evidence, out, stored, con):
    """The overall result, then every group's final values from DuckDB when the rubric
    compiles (see :mod:`.finish`): (overall, plan or None, {group: row})."""
    from ..evaluate.engine import _StageRun
    from .compute import OVERALL
    from .finish import Unsupported, build_plan
    from .source import duckdb_error, fetch_decimals

    overall = engine.evaluate(evidence, precomputed=out[OVERALL])
    if len(stored.stores) != 1:
        return overall, None, {}
    run = _StageRun(engine, evidence, None, out[OVERALL])
    run.evaluate()
    try:
        plan = build_plan(engine, evidence, stored.facts, run)
        query = f"({plan.query(next(iter(stored.stores)))}) f"
        found = fetch_decimals(con, query, ["__g", *plan.columns], set(plan.columns))
    except (Unsupported, duckdb_error()):
        return overall, None, {}
    rows: dict[str, tuple | None] = {}
    for row in found:
        key = row[0].strip() if row[0] is not None else ""
        rows[key] = None if key in rows else tuple(row[1:])  # merged keys: the engine adds up
    return overall, plan, rows


def _one(key: str, run) -> GroupResult:
    try:
        return GroupResult(key, run())
    except EvalEngineError as exc:
        return GroupResult(key, error=exc)
