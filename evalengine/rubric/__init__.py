"""Rubrics: TOML files → checked :class:`Rubric` models."""

from .load import load_rubric, read_rubric
from .model import Rubric

__all__ = ["Rubric", "load_rubric", "read_rubric"]
