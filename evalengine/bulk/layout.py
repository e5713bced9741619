"""A rubric's declared table layout on DuckDB: declared names, yes/no words and defaults.

A rubric may declare ``[evidence.tables.<name>.columns]`` (``u1`` is the column headed
"Persyaratan", ``diklat`` a yes/no column whose blank cells are "tidak"); formulas use
the declared names. :func:`apply_layout` adds them to a :class:`.source.BulkTable`'s rows
as the document path reads them (:mod:`evalengine.evidence.schema`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import Location
from ..rubric.model import Rubric


def apply_layout(rubric: Rubric, bt) -> None:
    """Give columns the names and types the rubric's declared table layout uses.

    A rubric may declare ``[evidence.tables.<name>.columns]`` with aliases (``u1`` is
    the column headed "Persyaratan"), types and blank defaults; formulas use the declared
    names. Each declared column is added to the table's rows under its declared name: a boolean
    column as ``true``/``false`` from the same words the document path accepts ("ya",
    "tidak" …), a blank cell replaced by the declared default. Number and text columns
    keep the reading the SQL compiler gives every cell (the interpreter's reading).
    """
    from ..evaluate.sql import Column, quote_ident
    from ..evidence.schema import table_spec
    from ..numbers import to_decimal
    from .cells import not_blank

    spec = table_spec(rubric, bt.name)
    if spec is None:
        return
    _refuse_repeated(spec, bt)
    added, replaced, late = [], [], []
    checks: list[tuple[Any, str]] = []  # (column, SQL giving one value it cannot read)
    for col in spec.columns:
        found = [h for h in bt.columns if col.accepts(h)]
        if len(found) != 1:
            continue  # missing or ambiguous: the document path reports it with its place
        header = found[0]
        source = bt.columns[header]
        default = col.default
        if isinstance(default, bool):
            default = str(default).lower()

        def cell_of(text: str, default=default) -> str:
            """The trimmed cell from the column's text (blank: the default, or NULL)."""
            cell = f"NULLIF(TRIM(CAST({text} AS VARCHAR)), '')"
            return cell if default is None else f"COALESCE({cell}, {_sql_text(default)})"

        cell = cell_of(quote_ident(header))
        if default is not None and source.kind == "number" and col.type != "boolean":
            # keep the column's DECIMAL type: a blank is the declared number
            cell = f"COALESCE({quote_ident(header)}, {to_decimal(col.default):f})"
        # DuckDB names are case-insensitive: "Seminar" and seminar are one column
        same = header.casefold() == col.name.casefold()
        target = quote_ident(header if same else col.name)
        if col.type == "boolean":
            # a word that is neither yes nor no, beside the column: checked in the first
            # scan of the table (compute.grouped_query), not in a scan of its own
            bad = quote_ident(f"__unreadable__{col.name}")
            if source.raw:
                expr, unreadable = _yes_no_as_read(source.raw, target, cell_of)
                late.append(f"{unreadable} AS {bad}")
            else:
                expr = _yes_no(f"lower({cell})")
                added.append(
                    f"CASE WHEN {cell} IS NOT NULL AND {expr} IS NULL THEN {cell} END AS {bad}"
                )
            checks.append((col, f"max({bad})"))
            column = Column(col.name, "bool")
        elif header != col.name or col.default is not None:
            expr = cell if col.default is not None else quote_ident(header)
            raw = source.raw
            if default is not None and raw and source.kind == "text":
                # the cell as read, a blank one replaced by the default, stands for the
                # column (it trims to the column's value): comparisons and lookups read
                # it first, and the column is trimmed only where they need it
                q_raw = quote_ident(raw)
                raw = f"__raw_default__{col.name}"
                added.append(
                    f"CASE WHEN {not_blank(q_raw)} THEN {q_raw} ELSE {_sql_text(default)} END "
                    f"AS {quote_ident(raw)}"
                )
            elif default is not None:
                raw = None  # blanks read as the default: the cell as read is not the value
            column = replace(source, name=col.name, raw=raw)
        else:
            continue
        (replaced if same else added).append(f"{expr} AS {target}")
        bt.columns[col.name] = column
        bt.keys.pop(header, None)  # the group key is now the declared column's value
        bt.keys.pop(col.name, None)
    bt.checks = checks
    if not added and not replaced:
        return
    star = f"* REPLACE ({', '.join(replaced)})" if replaced else "*"
    select = f"SELECT {', '.join([star, *added])} FROM {bt.relation}"
    if late:  # read from the declared columns
        select = f"SELECT {', '.join(['*', *late])} FROM ({select})"
    bt.query = select


def _yes_no_as_read(raw: str, target: str, cell_of) -> tuple[str, str]:
    """SQL of a yes/no text column and of its unreadable cell, the cell as read first.

    ``raw`` names the cell as read, ``target`` the declared column the value becomes,
    ``cell_of(text)`` trims a cell and gives blanks their default. "ya", "Tidak" need no
    trimming; the exact strip (a regex, ~0.3 s a million cells) runs on the other cells
    alone, inside ``coalesce``, which DuckDB evaluates lazily. No piece of that arm may
    appear twice (DuckDB computes a repeated piece for every row, before the query): the
    trimmed cell is bound once, and the unreadable cell is found from the declared column
    in a query above this one.
    """
    from ..evaluate.sql import quote_ident
    from .cells import not_blank, sql_strip, sql_trim

    q = quote_ident(raw)
    # the cell trimmed as the table's typed rows trim it, bound once (NULLIF and COALESCE
    # repeat their argument)
    trimmed = f"list_transform([{sql_trim(q)}], lambda __ee_c: lower({cell_of('__ee_c')}))[1]"
    value = f"coalesce({_yes_no(f'lower({q})')}, {_yes_no(trimmed)})"
    unreadable = (
        f"CASE WHEN {target} IS NOT NULL THEN NULL WHEN {not_blank(q)} THEN {sql_strip(q)} END"
    )
    return value, unreadable


def _yes_no(word: str) -> str:
    """SQL: true or false for a yes/no word as the document path reads it (else NULL).

    The word is written once (a list position, not ``CASE word WHEN …``, which repeats
    it at each arm): DuckDB computes a repeated piece once for every row before the
    query, even one meant for a few rows only (the exact strip of an odd cell). An
    ``IN`` list of this length would be planned as a join, slower still.
    """
    from ..evidence.schema import _FALSE, _TRUE

    words = ["ya", "tidak", *sorted((_TRUE | _FALSE) - {"ya", "tidak"})]
    listed = ", ".join(_sql_text(w) for w in words)
    values = ", ".join(str(w in _TRUE).lower() for w in words)
    return f"[{values}][list_position([{listed}], {word})]"


def _refuse_repeated(spec, bt) -> None:
    """A header naming a declared column twice (``Jenis Jabatan`` twice, or ``Jenis
    Jabatan`` and ``jenis jabatan``) is the document path's ``duplicate-column`` error:
    the readers keep one of the columns, so the header as read is checked (no scan)."""
    from ..evidence.schema import describe_source, duplicate_column

    for col in spec.columns:
        found = [h for h in bt.header if col.accepts(h)]
        if len(found) > 1:
            file = bt.source.file
            location = Location(file, 1 if file else None, None, f"tables.{bt.name}")
            raise duplicate_column(bt.name, describe_source(bt.source), col, found, location)


def _sql_text(value: object) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"
