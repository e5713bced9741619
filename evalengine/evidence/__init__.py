"""Evidence: files → facts, answers, tables and stated figures with provenance.

Names are imported on first use, so importing :mod:`evalengine.evidence.model` does
not import the readers.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["Evidence", "EvidenceValue", "Provenance", "Table", "read_evidence"]

_LAZY = {
    "Evidence": ".model",
    "EvidenceValue": ".model",
    "Provenance": ".model",
    "Table": ".model",
    "read_evidence": ".readers",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(import_module(_LAZY[name], __name__), name)
