"""The ``XlsxReport`` report format; the code that renders it is in :mod:`.workbook`.

This module is what the plugin's entry point imports while evalengine starts, so it
stays light: the rendering module (and what it imports) is loaded when a report of this
format is rendered. Its names are still importable from here (``from
evalengine_xlsx.render import render_xlsx``) through the module ``__getattr__`` below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evalengine.lazy import forward_to
from evalengine.report.base import ReportFormat

if TYPE_CHECKING:
    from evalengine.evaluate.result import ScoreResult


class XlsxReport(ReportFormat):
    """A workbook: summary sheet plus one sheet per aspect, figures as numbers."""

    name = "xlsx"
    description = (
        "workbook: summary sheet and one sheet per aspect, figures as numbers in "
        "Indonesian number formats (write to a file: -f xlsx:report.xlsx)"
    )
    suffix = ".xlsx"
    binary = True

    def render(self, result: ScoreResult, options: dict[str, Any]) -> bytes:
        from .workbook import render_xlsx

        return render_xlsx(result)


#: The rendering code moved to :mod:`.workbook`; old imports still find it.
__getattr__ = forward_to(__name__, "evalengine_xlsx.workbook")
