"""Progress of the long DuckDB scans, for a progress bar while a big table is read.

A national roster or a survey of tens of millions of responses takes seconds to
minutes to scan. While :func:`fetch_all` runs a query on a worker thread (DuckDB
releases the GIL while it works), this thread asks DuckDB how far the query got
(``query_progress``, a percentage) and hands it to the reporter the caller installed
with :func:`reporting`: the CLI draws a rich progress bar on standard error. Without a
reporter the query simply runs here, with no thread.

The reporter is a context variable, not a parameter threaded through every layer of
the bulk path: it is a concern of the user interface, set once around the scoring.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

#: ``report(label, percent)``: ``label`` names the table being read, ``percent`` is 0–100.
Reporter = Callable[[str, float], None]

_REPORTER: ContextVar[Reporter | None] = ContextVar("evalengine_bulk_progress", default=None)

#: Seconds between two questions to DuckDB about the query's progress.
POLL_SECONDS = 0.1


@contextlib.contextmanager
def reporting(report: Reporter | None) -> Iterator[None]:
    """Send the progress of the bulk path's scans to ``report`` (None: no reporting)."""
    token = _REPORTER.set(report)
    try:
        yield
    finally:
        _REPORTER.reset(token)


def fetch_all(con: Any, sql: str, label: str, *, rows: bool = True) -> list[tuple]:
    """Run ``sql`` on ``con`` and return its rows (``rows=False``: for a statement).

    With a reporter installed, the query runs on a worker thread while this one
    reports its progress; DuckDB's errors are raised here as they would be without
    one. Ctrl+C interrupts the query.
    """
    report = _REPORTER.get()
    if report is None:
        result = con.execute(sql)
        return result.fetchall() if rows else []
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")  # DuckDB's own bar: never
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            result = con.execute(sql)
            outcome["rows"] = result.fetchall() if rows else []
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="evalengine-query", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(POLL_SECONDS)
            percent = con.query_progress()
            if percent >= 0:
                report(label, float(percent))
    except KeyboardInterrupt:
        con.interrupt()
        worker.join()
        raise
    if "error" in outcome:
        raise outcome["error"]
    report(label, 100.0)
    return outcome["rows"]
