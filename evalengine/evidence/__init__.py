"""Evidence: files → facts, answers, tables and stated figures with provenance.

Names are imported on first use, so importing :mod:`evalengine.evidence.model` does
not import the readers.
"""

from __future__ import annotations

from ..lazy import lazy_names

__all__ = ["Evidence", "EvidenceValue", "Provenance", "Table", "read_evidence"]

_LAZY = {
    "Evidence": ".model",
    "EvidenceValue": ".model",
    "Provenance": ".model",
    "Table": ".model",
    "read_evidence": ".readers",
}


__getattr__ = lazy_names(__name__, _LAZY)
