"""Self-assessment analysis: how far to the next band, what-if scoring, leverage."""

from .probe import Answerable, Change, Prober, Reading
from .search import GapAnalysis, Move, Plan, analyse

__all__ = ["Answerable", "Change", "GapAnalysis", "Move", "Plan", "Prober", "Reading", "analyse"]
