"""The ``rich`` report format: the terminal summary (a built-in plugin, like pytest's
terminal reporter).

Only the format class lives here; the rendering code (:mod:`evalengine.report.summary`)
and rich's console are imported when a report is rendered, so a command that writes
JSON never pays for them.
"""

from __future__ import annotations

from typing import Any

from ..hookspecs import hookimpl
from ..lazy import forward_to
from .base import ReportFormat


class RichReport(ReportFormat):
    """Terminal summary rendered with rich."""

    name = "rich"
    description = "terminal summary: headline, predikat, aspect table with bars, warnings"
    suffix = ".txt"
    terminal = True

    def render(self, result: Any, options: dict[str, Any]) -> str:
        from rich.console import Group

        from .summary import RANKING_ROWS, render_text, summary_parts

        parts = summary_parts(
            result, details=options.get("details", True), top=options.get("top", RANKING_ROWS)
        )
        return render_text(Group(*parts), options=options)


@hookimpl
def register_report_formats():
    """The terminal report."""
    return [RichReport]


#: The rendering helpers that lived here before (``number``, ``render_text``, ``THEME``…).
__getattr__ = forward_to(__name__, "evalengine.report.summary")
