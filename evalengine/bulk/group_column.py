"""Which column ``score --group-by NAME`` means, the same way on both engines.

Users type the column as they say it (``--group-by instansi``, ``--group-by "unit
layanan"``), not always as the file writes it (``Instansi``, ``Unit_Layanan``). A
name is looked for, in this order, among the table's header:

1. a header written exactly so (``--group-by Instansi`` on a header ``Instansi``);
2. a column the rubric declares under that name (``[evidence.tables.<t>.columns]``),
   through the header it accepts (``jenis_jabatan`` → ``Jenis Jabatan``);
3. a header that is the name up to case, spaces, ``_``, ``-`` and ``.`` (the rule
   declared columns' spellings are matched with, :func:`~evalengine.evidence.schema.
   normalize_header`): ``instansi`` → ``Instansi``, ``unit layanan`` → ``Unit_Layanan``;
4. a declared column one of whose spellings the name is (``hukdis`` → the header the
   declared ``hukuman_disiplin`` column accepts).

A column the rubric declares, however it was named, is grouped by its values as the
formulas read them (:func:`declared_key`): a blank cell is the declared default, a
yes/no column's ``ya``/``Ya``/``y`` is ``ya``, a number is written plainly (``2,5``
and ``2.50`` are ``2.5``). An undeclared column is grouped by its cells as written
(trimmed).

Several headers at one step (``Instansi`` and ``INSTANSI`` for ``instansi``) are a usage
error naming them; none at all is a usage error listing the columns. Reports name
the column as the user typed it when it is a header or a declared column's name, and
otherwise as the file writes it (``Peringkat per Instansi``).

Pure Python (no DuckDB): the interpreter's path (:func:`.grouped.group_columns`) and
the DuckDB path (:func:`.grouped.precompute`, and :func:`.source.open_table` choosing
which header to keep as text) both resolve with :func:`find_group_column`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..errors import EvidenceError
from ..evidence.schema import TableSpec, normalize_header


@dataclass(frozen=True)
class GroupColumn:
    """The column ``--group-by`` named in one table."""

    #: The header (as the table's reader names the column) whose cells are the keys.
    header: str
    #: The column the keys are read from once the rubric's layout is applied: ``header``,
    #: or the name of the declared column that reads it (its keys are then the values
    #: formulas see: a blank is the column's default, ``ya``/``Ya`` are ``ya``).
    name: str
    #: How reports name the column (ranking heading, JSON ``group_by``).
    shown: str

    @property
    def declared(self) -> bool:
        """True when the keys are a declared column's values (the rubric's layout)."""
        return self.name != self.header


def find_group_column(
    header: Iterable[str],
    group_by: str,
    spec: TableSpec | None = None,
    *,
    table: str,
    where: str,
) -> GroupColumn:
    """The column of a table with ``header`` that ``group_by`` names (module docstring).

    ``spec`` is the rubric's declared layout of the table (or None); ``table`` and
    ``where`` (``pegawai``, ``pegawai.csv``) name the table in errors.
    """
    names = [h for h in dict.fromkeys(header) if h]
    declared = list(spec.columns) if spec is not None else []

    def column(found: str, shown: str) -> GroupColumn:
        """The header ``found``; the keys are the values of the declared column reading
        it, if one does (as the formulas read them)."""
        for col in declared:
            if col.accepts(found) and [h for h in names if col.accepts(h)] == [found]:
                return GroupColumn(found, col.name, shown)
        return GroupColumn(found, found, shown)

    if group_by in names:
        return column(group_by, group_by)
    for col in declared:
        if col.name == group_by:
            found = [h for h in names if col.accepts(h)]
            if len(found) == 1:
                return GroupColumn(found[0], col.name, group_by)
    wanted = normalize_header(group_by)
    found = [h for h in names if normalize_header(h) == wanted]
    if len(found) > 1:
        raise _ambiguous(group_by, found, table, where)
    if found:
        return column(found[0], found[0].strip())
    spelled = [col for col in declared if col.accepts(group_by)]
    matches = {col.name: [h for h in names if col.accepts(h)] for col in spelled}
    usable = {name: hs[0] for name, hs in matches.items() if len(hs) == 1}
    if len(usable) == 1:
        ((name, found_header),) = usable.items()
        return GroupColumn(found_header, name, found_header.strip())
    if len(usable) > 1:
        raise _ambiguous(group_by, list(usable.values()), table, where)
    msg = f"table '{table}' ({where}) has no column '{group_by}' to group by"
    listed = ", ".join(names) or "(none)"
    extra = [col.name for col in declared if col.name not in names]
    hint = f"columns: {listed}"
    if extra:
        hint += f"; declared by the rubric: {', '.join(extra)}"
    raise EvidenceError(msg, hint=hint, code="usage")


def _ambiguous(group_by: str, found: list[str], table: str, where: str) -> EvidenceError:
    listed = ", ".join(f"'{h}'" for h in found)
    msg = f"table '{table}' ({where}): --group-by '{group_by}' could mean any of {listed}"
    return EvidenceError(
        msg,
        hint=f'give the header exactly as the file writes it, e.g. --group-by "{found[0]}"',
        code="usage",
    )


def text_key_columns(
    group_by: str, spec: TableSpec | None, table: str
) -> Callable[[list[str]], set[str]]:
    """For :func:`.source.open_table`: given the header it reads, the header whose cells
    are group keys and so stay text (none when the name matches no header, or names a
    declared column: its error, or the declared column's value, comes once the table
    is open)."""

    def keys(header: list[str]) -> set[str]:
        try:
            found = find_group_column(header, group_by, spec, table=table, where="")
        except EvidenceError:
            return set()
        return set() if found.declared else {found.header}

    return keys


def shown_name(group_by: str, columns: Iterable[GroupColumn]) -> str:
    """The name reports give the group column: the one every table agrees on, else
    ``group_by`` as typed."""
    shown = {c.shown for c in columns}
    return shown.pop() if len(shown) == 1 else group_by


def declared_key(value: object) -> str:
    """A declared column's value as a group key: ``ya``/``tidak`` (as reports write a
    yes/no value), a number without trailing zeros (``2.5``, ``24``, ``100``), text as
    it is; nothing is ``""``. The DuckDB path writes the same text
    (:func:`.compute.group_expr`)."""
    from decimal import Decimal

    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, Decimal):
        if value == 0:
            return "0"  # -0 and 0.00 too (DuckDB's DECIMAL has no negative zero)
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value).strip()
