"""The bulk path: records and survey indicators over big tables, on DuckDB, per group.

``score_grouped`` scores a rubric against evidence whose tables may hold millions
of rows. The engine that computes the table indicators is chosen by
:func:`choose_engine`:

* ``duckdb``: per-row formulas are compiled to SQL (:mod:`evalengine.evaluate.sql`)
  and run in-process on DuckDB; results per group come from one query per table;
* ``python``: the indicator types evaluate row by row with the Decimal interpreter;
* ``auto`` (the default): ``duckdb`` when a records/survey indicator reads a table
  file that is Parquet or at least :data:`BULK_FILE_BYTES` large, else ``python``.

Both give identical numbers (property tests check it). On DuckDB, along the data flow:

* :mod:`.source` opens a table (CSV and Parquet read by DuckDB, spreadsheets by
  :mod:`.sheets`, inline tables as VALUES) and types its columns, a text cell read by
  the SQL of :mod:`.cells` as the document path reads it;
* :mod:`.layout` adds the rubric's declared columns, :mod:`.group_column` finds the
  ``--group-by`` column;
* :mod:`.compute` compiles the table indicators into one scan a table and gives each
  group its facts; :mod:`.finish` computes the rubric above them per group in one
  small query, when the rubric compiles (else the Decimal engine evaluates each group);
* :mod:`.grouped` puts it together and ranks the groups; :mod:`.progress` shows a long
  query's progress.
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
