"""The contract of a report format, built-in or from a plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ..evaluate.result import ScoreResult


class ReportFormat:
    """Base class of report formats.

    Class attributes:
        name: what ``--format`` accepts (``rich``, ``json``, ``html`` …).
        description: one line for ``evalengine plugins``.
        suffix: file suffix when written to a file (``.html``).
        binary: True when :meth:`render` returns bytes.
        terminal: True when the format prints to the terminal by default.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    suffix: ClassVar[str] = ".txt"
    binary: ClassVar[bool] = False
    terminal: ClassVar[bool] = False

    def render(self, result: ScoreResult, options: dict[str, Any]) -> str | bytes:
        """Render ``result``; ``options`` carries flags such as ``width`` or ``leverage``."""
        raise NotImplementedError
