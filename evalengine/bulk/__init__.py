"""The bulk path: records and survey indicators over big tables, on DuckDB, per group.

``score_grouped`` scores a rubric against evidence whose tables may hold millions
of rows. The engine that computes the table indicators is chosen by
:func:`choose_engine`:

* ``duckdb``: per-row formulas are compiled to SQL (:mod:`evalengine.evaluate.sql`)
  and run in-process on DuckDB, which reads CSV and Parquet itself (XLSX through
  python-calamine); results per group come from one query per table;
* ``python``: the indicator types evaluate row by row with the Decimal interpreter;
* ``auto`` (the default): ``duckdb`` when a records/survey indicator reads a table
  file that is Parquet or at least :data:`BULK_FILE_BYTES` large, else ``python``.

Both give identical numbers (a property test checks it); the rest of the rubric
(value formulas, maxima, rounding, bands) always runs on the Decimal engine.
"""

from __future__ import annotations

from .grouped import (
    BULK_FILE_BYTES,
    ENGINES,
    GroupResult,
    choose_engine,
    score_grouped,
)

__all__ = ["BULK_FILE_BYTES", "ENGINES", "GroupResult", "choose_engine", "score_grouped"]
