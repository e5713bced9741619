"""The ``HtmlReport`` report format; the code that renders it is in :mod:`.page`.

This module is what the plugin's entry point imports while evalengine starts, so it
stays light: the rendering module (and what it imports) is loaded when a report of this
format is rendered. Its names are still importable from here (``from
evalengine_html.render import render_html``) through the module ``__getattr__`` below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evalengine.lazy import forward_to
from evalengine.report.base import ReportFormat

if TYPE_CHECKING:
    from evalengine.evaluate.result import ScoreResult


class HtmlReport(ReportFormat):
    """One self-contained HTML page: headline, aspect bars, indicator tables, calculations."""

    name = "html"
    description = (
        "one self-contained HTML page (inline CSS/SVG, phone and print): headline, "
        "aspect bars, indicator tables, warnings, calculation sheets"
    )
    suffix = ".html"

    def render(self, result: ScoreResult, options: dict[str, Any]) -> str:
        from .page import render_html

        return render_html(result)


#: The rendering code moved to :mod:`.page`; old imports still find it.
__getattr__ = forward_to(__name__, "evalengine_html.page")
