"""The JSON report: the documented, stable form of the result tree (``docs/json-schema.md``)."""

from __future__ import annotations

from typing import Any

from ..evaluate.result import ScoreResult
from ..hookspecs import hookimpl
from .base import ReportFormat


class JsonReport(ReportFormat):
    """Machine-readable result with every node's derivation; numbers as decimal strings."""

    name = "json"
    description = "the full result tree with derivations (schema evalengine.score/1)"
    suffix = ".json"

    def render(self, result: ScoreResult, options: dict[str, Any]) -> str:
        import json  # on use: not needed to start

        return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"


@hookimpl
def register_report_formats():
    """The JSON report."""
    return [JsonReport]
