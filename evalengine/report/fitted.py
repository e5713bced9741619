"""Tables laid out from their own text: rich is given each column's width.

rich sizes a table's columns by measuring every cell, and measures them all again when
the table is wider than the console. The report's tables hold the report's own text, so
their widths are known before rich draws them (:class:`FittedTable`).
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text


def text_width(cell: Any) -> int:
    """The terminal cells the widest line of a table cell's text takes."""
    text = cell.plain if isinstance(cell, Text) else "" if cell is None else str(cell)
    return max(cell_len(line) for line in text.split("\n"))


class FittedTable:
    """A table whose column widths are worked out from its cells' text, as rich would
    work them out: each column as wide as its widest cell (header included), the
    ``flexible`` column narrowed to what the console's width leaves, if need be.

    rich sizes a column by measuring every cell in it, and measures them all again when
    the table is wider than the console (the aspect tables of a long rubric): about a
    third of the time the merit report took to draw its ~300 cells. The cells here are
    the report's own text, so their widths are known; rich takes a column's ``width`` as
    given. When rich would narrow other columns too (the flexible one would end up
    narrower than another wrapping column), the table is left for rich to size
    (``tests/test_report_layout.py`` draws every example both ways).
    """

    def __init__(self, table: Table, rows: list[list[str | Text]], flexible: int) -> None:
        self.table = table
        self.flexible = flexible
        self.widths: list[int] | None = None
        #: The columns' own ``no_wrap`` (a fitted column's is set while it is drawn).
        self.no_wrap = [column.no_wrap for column in table.columns]
        if table.pad_edge and not table.collapse_padding:  # padded as fit() counts
            self.widths = [
                max(text_width(cell) for cell in [column.header, *(row[i] for row in rows)])
                for i, column in enumerate(table.columns)
            ]

    @classmethod
    def filled(
        cls,
        table: Table,
        rows: list[list[str | Text]],
        *,
        total: list[str | Text] | None = None,
        flexible: int = 1,
    ) -> FittedTable:
        """``table`` with ``rows`` added (and the ``total`` row under a line), fitted."""
        for row in rows:
            table.add_row(*row)
        if total is not None:
            table.add_section()
            table.add_row(*total)
            rows = [*rows, total]
        return cls(table, rows, flexible)

    def __rich_console__(self, console: Console, options: Any) -> Any:
        widths = self.fit(options.max_width)
        for i, column in enumerate(self.table.columns):
            column.width = widths[i] if widths is not None else None
            # a column as wide as its widest cell wraps nothing: rich need not try
            # (~15 % of drawing the merit report), and draws the same
            fits = widths is not None and self.widths is not None and widths[i] >= self.widths[i]
            column.no_wrap = self.no_wrap[i] or fits
        yield self.table

    def fit(self, max_width: int) -> list[int] | None:
        """The columns' widths in ``max_width`` cells, or None: rich sizes them."""
        if self.widths is None:
            return None
        table, columns, flexible = self.table, self.table.columns, self.flexible
        _, pad_right, _, pad_left = table.padding
        edges = (len(columns) - 1 + (2 if table.show_edge else 0)) if table.box else 0
        others = [w for i, w in enumerate(self.widths) if i != flexible]
        spare = max_width - edges - (pad_left + pad_right) * len(columns) - sum(others)
        wrapping = [w for i, w in enumerate(self.widths) if i != flexible and not self.no_wrap[i]]
        if spare < max(wrapping, default=1):
            return None
        widths = list(self.widths)
        widths[flexible] = min(widths[flexible], spare)
        return widths
