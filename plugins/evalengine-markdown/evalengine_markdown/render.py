"""The ``MarkdownReport`` report format; the code that renders it is in :mod:`.document`.

This module is what the plugin's entry point imports while evalengine starts, so it
stays light: the rendering module (and what it imports) is loaded when a report of this
format is rendered. Its names are still importable from here (``from
evalengine_markdown.render import render_markdown``) through the module ``__getattr__`` below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evalengine.lazy import forward_to
from evalengine.report.base import ReportFormat

if TYPE_CHECKING:
    from evalengine.evaluate.result import ScoreResult


class MarkdownReport(ReportFormat):
    """Markdown tables in the layout of an LKjIP chapter (Indonesian number format)."""

    name = "markdown"
    description = (
        "Markdown tables laid out like an LKjIP chapter (Tabel 3.4 / 3.8), Indonesian "
        "numbers, ready to paste"
    )
    suffix = ".md"

    def render(self, result: ScoreResult, options: dict[str, Any]) -> str:
        from .document import render_markdown

        return render_markdown(result)


#: The rendering code moved to :mod:`.document`; old imports still find it.
__getattr__ = forward_to(__name__, "evalengine_markdown.document")
