"""Evidence: files → facts, answers, tables and stated figures with provenance."""

from .model import Evidence, EvidenceValue, Provenance, Table
from .readers import read_evidence

__all__ = ["Evidence", "EvidenceValue", "Provenance", "Table", "read_evidence"]
