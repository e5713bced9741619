"""Rubric-declared layouts of evidence tables: expected columns, their names, aliases and types.

A rubric says what its tables look like in its ``[evidence]`` section::

    [evidence.tables.pegawai]
    title = "Data PNS, satu baris per pegawai"

    [evidence.tables.pegawai.columns]
    pendidikan = { title = "Pendidikan terakhir", type = "text", aliases = ["Pendidikan Terakhir"] }
    diklat_teknis_jp = { type = "number", default = 0 }

A column's key is the name formulas use (``row.pendidikan``). The header of the
evidence file may use the key or any alias; matching ignores case, spaces, ``_``
and ``-``. :func:`bind_table` maps an evidence :class:`Table` onto its layout and
converts every cell to its declared type, so a missing column, a wrong type in row
N or an empty sheet is reported once, with the file, sheet, row and a hint, before
any formula runs.

Column types: ``number`` (Indonesian formats accepted: ``"3,42"``), ``integer``,
``text``, ``boolean`` (ya/tidak, y/t, true/false, 1/0, sudah/belum) and ``answer``
(kept as written, blanks allowed: survey answers are validated by the survey type,
which reports invalid ones instead of failing).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..errors import Diagnostic, EvidenceError, Location, with_suggestion
from ..numbers import to_decimal
from .improve import ladder_problems
from .model import EvidenceValue, Provenance, Table

COLUMN_TYPES = {
    "number": 'a number (79.03, "79,03", "1.500")',
    "integer": "a whole number",
    "text": "any text",
    "boolean": "ya/tidak (also y/t, true/false, 1/0, sudah/belum)",
    "answer": "a survey answer, kept as written (checked against the scale by the survey type)",
}
TABLE_SPEC_KEYS = {
    "title": "what one row is",
    "columns": "column name → { title, type, aliases, default, required }",
    "invalid": 'survey policy for invalid answers: "drop_respondent" (default) or "drop_answer"',
    "min_sample": 'sample-size rule for survey tables: "krejcie_morgan"',
    "between_rows": 'Krejcie–Morgan between table rows: "formula_up" or "next_row"',
    "label": "column that names a row in reports (e.g. nama), used by gap",
}
#: improve / improve_steps: the column's improvement ladder for `gap` (evidence/improve.py)
COLUMN_SPEC_KEYS = {"title", "type", "aliases", "default", "required", "improve", "improve_steps"}

_TRUE = {"ya", "y", "yes", "true", "1", "sudah", "v", "x", "✓"}
_FALSE = {"tidak", "t", "no", "n", "false", "0", "belum", "-"}


def normalize_header(text: str) -> str:
    """Header text for matching: case-folded, without spaces, ``_``, ``-`` or ``.``."""
    return re.sub(r"[\s_\-.]+", "", str(text)).casefold()


@dataclass(frozen=True)
class ColumnSpec:
    """One expected column: its formula name, title, type, header aliases and blank default."""

    name: str
    title: str | None = None
    type: str = "text"
    aliases: tuple[str, ...] = ()
    default: Any = None
    required: bool = True

    def accepts(self, header: str) -> bool:
        """True when an evidence header names this column."""
        wanted = {normalize_header(self.name), *(normalize_header(a) for a in self.aliases)}
        return normalize_header(header) in wanted

    def describe(self) -> str:
        """``pendidikan (Pendidikan terakhir)`` for messages."""
        return f"'{self.name}'" + (f" ({self.title})" if self.title else "")


@dataclass(frozen=True)
class TableSpec:
    """The layout a rubric expects of one evidence table, plus table-level policies."""

    name: str
    title: str | None = None
    columns: tuple[ColumnSpec, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> ColumnSpec | None:
        """The declared column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        return None


@dataclass
class BoundTable:
    """An evidence table mapped onto its layout: rows keyed by column name, typed cells."""

    name: str
    source: Provenance
    columns: list[str]
    rows: list[dict[str, EvidenceValue]]
    spec: TableSpec | None = None

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def where(self) -> str:
        """``pegawai.csv`` or ``data.xlsx [Sheet1]`` for messages."""
        return describe_source(self.source)


def describe_source(source: Provenance) -> str:
    """A table's file (and sheet) for messages."""
    text = source.file or "the evidence file"
    if "/" in text:
        text = text.rsplit("/", 1)[-1]
    return text + (f" [sheet {source.sheet}]" if source.sheet else "")


def spec_problems(rubric) -> list[Diagnostic]:
    """Problems in a rubric's ``[evidence]`` section (unknown keys, bad column types)."""
    diags: list[Diagnostic] = []
    loc = Location(rubric.path, key="evidence")
    tables = rubric.evidence_spec.get("tables", {})
    if not isinstance(tables, dict):
        return [Diagnostic("error", "type", "`evidence.tables` must be a table", loc)]
    for tname, raw in tables.items():
        where = Location(rubric.path, key=f"evidence.tables.{tname}")
        if not isinstance(raw, dict):
            diags.append(
                Diagnostic("error", "type", f"`evidence.tables.{tname}` must be a table", where)
            )
            continue
        for key in raw:
            if key not in TABLE_SPEC_KEYS:
                hint = with_suggestion(f"keys: {', '.join(TABLE_SPEC_KEYS)}", key, TABLE_SPEC_KEYS)
                diags.append(
                    Diagnostic(
                        "error",
                        "unknown-key",
                        f"unknown key `{key}` in table spec '{tname}'",
                        where,
                        hint,
                    )
                )
        for cname, craw in (raw.get("columns") or {}).items():
            cwhere = Location(rubric.path, key=f"evidence.tables.{tname}.columns.{cname}")
            if not cname.isidentifier():
                diags.append(
                    Diagnostic(
                        "error",
                        "value",
                        f"column name '{cname}' must be a name (letters, digits, _)",
                        cwhere,
                        "formulas read it as row.<name>; put the printed header in `aliases`",
                    )
                )
            if not isinstance(craw, dict):
                continue
            for key in craw:
                if key not in COLUMN_SPEC_KEYS:
                    hint = with_suggestion(
                        f"keys: {', '.join(sorted(COLUMN_SPEC_KEYS))}", key, COLUMN_SPEC_KEYS
                    )
                    diags.append(
                        Diagnostic(
                            "error",
                            "unknown-key",
                            f"unknown key `{key}` in column '{cname}'",
                            cwhere,
                            hint,
                        )
                    )
            diags.extend(ladder_problems(rubric, tname, cname, craw, cwhere))
            ctype = craw.get("type", "text")
            if ctype not in COLUMN_TYPES:
                hint = with_suggestion(
                    f"types: {', '.join(COLUMN_TYPES)}", str(ctype), COLUMN_TYPES
                )
                diags.append(
                    Diagnostic("error", "value", f"unknown column type '{ctype}'", cwhere, hint)
                )
    return diags


def table_spec(rubric, name: str) -> TableSpec | None:
    """The layout the rubric declares for evidence table ``name`` (None: no declaration)."""
    raw = (rubric.evidence_spec.get("tables") or {}).get(name)
    if not isinstance(raw, dict):
        return None
    columns = []
    for cname, craw in (raw.get("columns") or {}).items():
        craw = craw if isinstance(craw, dict) else {"type": str(craw)}
        aliases = craw.get("aliases", ())
        columns.append(
            ColumnSpec(
                name=cname,
                title=craw.get("title"),
                type=str(craw.get("type", "text")),
                aliases=(aliases,) if isinstance(aliases, str) else tuple(aliases),
                default=craw.get("default"),
                required=bool(craw.get("required", True)),
            )
        )
    options = {k: v for k, v in raw.items() if k not in ("title", "columns")}
    return TableSpec(name, raw.get("title"), tuple(columns), options)


def duplicate_column(
    table: str, where: str, col: ColumnSpec, found: list[str], location: Location
) -> EvidenceError:
    """The error for a header naming the declared column ``col`` more than once
    (``found``: the headers that name it). The bulk path raises it too."""
    msg = f"table '{table}' ({where}) has {len(found)} columns for {col.describe()}: " + ", ".join(
        found
    )
    return EvidenceError(msg, location=location, hint="keep one of them", code="duplicate-column")


def bind_table(table: Table, spec: TableSpec | None) -> BoundTable:
    """Map ``table`` onto ``spec``: find each column, convert each cell, or raise a clear error.

    Without a spec the table is used as read, each header also reachable by its
    normalized name (``"Jenis Jabatan"`` → ``row.jenisjabatan``, ``row.jenis_jabatan``
    when written so).
    """
    rows = table.rows  # a table file is read here; its source then names the sheet
    where = describe_source(table.source)
    header_loc = Location(
        table.source.file, 1 if table.source.file else None, None, f"tables.{table.name}"
    )
    if not rows:
        msg = f"table '{table.name}' ({where}) has no data rows"
        raise EvidenceError(
            msg,
            location=header_loc,
            hint="the first row names the columns; every following row is one record",
            code="empty-table",
        )
    if spec is None:
        return BoundTable(table.name, table.source, list(table.columns), list(table.rows))
    mapping: dict[str, str] = {}  # spec column → header in the file
    for col in spec.columns:
        found = [h for h in table.columns if col.accepts(h)]
        if len(found) > 1:
            raise duplicate_column(table.name, where, col, found, header_loc)
        if found:
            mapping[col.name] = found[0]
        elif col.required and col.default is None:
            accepted = ", ".join(repr(n) for n in (col.name, *col.aliases))
            guess = with_suggestion(
                f"columns found: {', '.join(table.columns)}; accepted headers: {accepted}",
                col.name,
                table.columns,
            )
            msg = f"table '{table.name}' ({where}) has no column {col.describe()}"
            raise EvidenceError(msg, location=header_loc, hint=guess, code="missing-column")
    reuse = _BOUND_ROWS.get()
    if reuse is not None:  # one rubric at a time: its table name and header mapping
        reuse = reuse.setdefault((spec.name, tuple(mapping.items())), {})
    rows = []
    for record in table.rows:
        if reuse is not None and (kept := reuse.get(id(record))) is not None:
            rows.append(kept[1])
            continue
        out: dict[str, EvidenceValue] = {}
        for col in spec.columns:
            header = mapping.get(col.name)
            cell = record.get(header) if header is not None else None
            out[col.name] = _convert(table, col, cell, record)
        for header, cell in record.items():  # undeclared columns stay readable as written
            if header not in mapping.values():
                out.setdefault(header, cell)
        rows.append(out)
        if reuse is not None:  # the record is kept too, so that its id is not reused
            reuse[id(record)] = (record, out)
    return BoundTable(table.name, table.source, [c.name for c in spec.columns], rows, spec)


#: Rows already bound while :func:`reusing_bound_rows` runs: per table name and header
#: mapping, the record's id → (record, bound row).
_BOUND_ROWS: ContextVar[dict[tuple, dict[int, tuple[dict, dict]]] | None] = ContextVar(
    "bound_rows", default=None
)


@contextmanager
def reusing_bound_rows() -> Iterator[None]:
    """Bind each row of a table once while evaluating the same evidence many times.

    ``gap`` evaluates the rubric again for every change it weighs, each time on a copy
    of the table that shares every unchanged row (the row dicts themselves); binding
    converts every cell, so binding a 5,000-row roster anew for each of
    dozens of tries cost more than the tries. Rows are never changed in place (a changed
    row is a new dict), which is what makes the reuse exact.
    """
    token = _BOUND_ROWS.set({})
    try:
        yield
    finally:
        _BOUND_ROWS.reset(token)


def _row_provenance(table: Table, record: dict[str, EvidenceValue], column: str) -> Provenance:
    any_cell = next(iter(record.values()), None)
    base = any_cell.provenance if any_cell is not None else table.source
    return Provenance(base.file, column, base.line, sheet=base.sheet, row=base.row)


def _convert(
    table: Table, col: ColumnSpec, cell: EvidenceValue | None, record: dict[str, EvidenceValue]
) -> EvidenceValue:
    provenance = cell.provenance if cell is not None else _row_provenance(table, record, col.name)
    raw = cell.value if cell is not None else None
    blank = raw is None or (isinstance(raw, str) and not raw.strip())
    if col.type == "answer":
        return EvidenceValue(
            "" if blank else (raw.strip() if isinstance(raw, str) else raw), provenance
        )
    if blank:
        if col.default is not None:
            return EvidenceValue(_typed(col, col.default, provenance, table), provenance)
        if not col.required:
            return EvidenceValue(None, provenance)
        raise _cell_error(
            table,
            col,
            provenance,
            "is empty",
            "fill it in, or give the column a `default` in the rubric",
        )
    return EvidenceValue(_typed(col, raw, provenance, table), provenance)


def _typed(col: ColumnSpec, raw: Any, provenance: Provenance, table: Table) -> Any:
    if col.type == "text":
        return str(raw).strip() if not isinstance(raw, Decimal) else f"{raw:f}"
    if col.type == "boolean":
        if isinstance(raw, bool):
            return raw
        text = (f"{raw:f}" if isinstance(raw, Decimal) else str(raw)).strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _cell_error(
            table, col, provenance, f"must be ya or tidak, got {raw!r}", COLUMN_TYPES["boolean"]
        )
    try:
        value = to_decimal(raw)
    except ValueError as exc:
        raise _cell_error(
            table,
            col,
            provenance,
            f"must be {'a whole number' if col.type == 'integer' else 'a number'}, got {raw!r}",
            f'{exc}; write numbers like 20 or "20,5"',
        ) from None
    if col.type == "integer" and value != value.to_integral_value():
        raise _cell_error(
            table,
            col,
            provenance,
            f"must be a whole number, got {raw!r}",
            "write it without decimals",
        )
    return value


def _cell_error(
    table: Table, col: ColumnSpec, provenance: Provenance, problem: str, hint: str
) -> EvidenceError:
    where = describe_source(table.source)
    row = f"row {provenance.row}" if provenance.row is not None else "a row"
    cell = f", cell {provenance.cell}" if provenance.cell else ""
    msg = f"{row} of table '{table.name}' ({where}{cell}): column {col.describe()} {problem}"
    return EvidenceError(msg, location=provenance.location, hint=hint, code="cell-type")
