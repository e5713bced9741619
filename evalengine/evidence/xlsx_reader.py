"""Evidence from an XLSX workbook in the layout ``evalengine template --format xlsx`` writes.

Sheets (see :mod:`evalengine.evidence.template`): ``evidence`` (key | value),
``indicators`` (id, code, title, scale, ``answer:<stage>``…, ``stated:<stage>``…,
``stated:band``, note), optional ``facts`` (dotted key | value) and ``tables``
(name | file | sheet). Every value keeps its provenance: file, sheet and cell.
Empty cells are left out, so a half-filled workbook reports the missing answers.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import EvidenceError, Location
from ..hookspecs import hookimpl
from .model import ANY_STAGE, Evidence, EvidenceValue, Provenance
from .readers import META_KEYS, EvidenceReader


def _value(raw: Any) -> Any:
    """A cell value as evidence: floats become exact decimals (through their shortest text)."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, float):
        return Decimal(repr(raw))
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, str):
        return raw.strip()
    return raw


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


class XlsxEvidenceReader(EvidenceReader):
    """Evidence workbooks written from ``evalengine template --format xlsx``."""

    name = "xlsx-template"
    suffixes = (".xlsx",)
    description = "evidence workbooks in the layout of `evalengine template --format xlsx`"

    def read(self, path: Path) -> Evidence:
        from openpyxl import load_workbook

        from .tables import column_letter
        from .template import EVIDENCE_SHEET, FACTS_SHEET, INDICATORS_SHEET, TABLES_SHEET

        file = str(path)
        try:
            wb = load_workbook(path, data_only=True, read_only=True)
        except FileNotFoundError:
            msg = f"evidence file {path} does not exist"
            raise EvidenceError(msg, location=Location(file), hint="check the path") from None
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            msg = f"cannot read workbook {path}: {exc}"
            raise EvidenceError(msg, location=Location(file)) from None
        if INDICATORS_SHEET not in wb.sheetnames:
            msg = f"workbook {path.name} has no '{INDICATORS_SHEET}' sheet"
            raise EvidenceError(
                msg,
                location=Location(file),
                hint="start from `evalengine template RUBRIC --format xlsx`",
            )
        evidence = Evidence(path=file)

        def ev(raw: Any, sheet: str, row: int, col: int, key: str) -> EvidenceValue:
            cell = f"{column_letter(col)}{row}"
            return EvidenceValue(_value(raw), Provenance(file, key=key, sheet=sheet, cell=cell))

        if EVIDENCE_SHEET in wb.sheetnames:
            for r, row in enumerate(wb[EVIDENCE_SHEET].iter_rows(values_only=True), start=1):
                if r == 1 or not row or _blank(row[0]) or len(row) < 2 or _blank(row[1]):
                    continue
                key = str(row[0]).strip()
                if key in META_KEYS:
                    value = _value(row[1])
                    evidence.meta[key] = value if not isinstance(value, Decimal) else str(row[1])
        rows = list(wb[INDICATORS_SHEET].iter_rows(values_only=True))
        if not rows:
            msg = f"sheet '{INDICATORS_SHEET}' is empty"
            raise EvidenceError(msg, location=Location(file))
        header = [str(h).strip() if h is not None else "" for h in rows[0]]
        if "id" not in header:
            msg = f"sheet '{INDICATORS_SHEET}' has no `id` column in row 1"
            raise EvidenceError(msg, location=Location(file, 1, 1, INDICATORS_SHEET))
        id_col = header.index("id")
        for r, row in enumerate(rows[1:], start=2):
            if id_col >= len(row) or _blank(row[id_col]):
                continue
            iid = str(row[id_col]).strip()
            for c, name in enumerate(header):
                if c >= len(row) or _blank(row[c]):
                    continue
                kind, _, stage = name.partition(":")
                raw = row[c]
                if kind == "answer":
                    key = f"answers.{iid}" + (f".{stage}" if stage else "")
                    evidence.answers.setdefault(iid, {})[stage or ANY_STAGE] = ev(
                        raw, INDICATORS_SHEET, r, c, key
                    )
                elif kind == "stated":
                    slot = ANY_STAGE if stage in ("", "value") else stage
                    key = f"stated.{iid}.{stage or 'value'}"
                    evidence.stated.setdefault(iid, {})[slot] = ev(raw, INDICATORS_SHEET, r, c, key)
                elif kind == "note":
                    evidence.notes[iid] = str(raw)
        if FACTS_SHEET in wb.sheetnames:
            for r, row in enumerate(wb[FACTS_SHEET].iter_rows(values_only=True), start=1):
                if r == 1 or not row or _blank(row[0]) or len(row) < 2 or _blank(row[1]):
                    continue
                parts = str(row[0]).strip().split(".")
                node = evidence.facts
                for part in parts[:-1]:
                    node = node.setdefault(part, {})
                node[parts[-1]] = ev(row[1], FACTS_SHEET, r, 1, "facts." + ".".join(parts))
        tables: dict[str, dict[str, Any]] = {}
        if TABLES_SHEET in wb.sheetnames:
            for r, row in enumerate(wb[TABLES_SHEET].iter_rows(values_only=True), start=1):
                if r == 1 or not row or _blank(row[0]) or len(row) < 2 or _blank(row[1]):
                    continue
                spec = {"file": str(row[1]).strip()}
                if len(row) > 2 and not _blank(row[2]):
                    spec["sheet"] = str(row[2]).strip()
                tables[str(row[0]).strip()] = spec
        evidence.meta["_tables"] = tables
        wb.close()
        return evidence


@hookimpl
def register_evidence_readers():
    """The XLSX evidence-workbook reader."""
    return [XlsxEvidenceReader]
