"""Rubrics: TOML files → checked :class:`Rubric` models.

Names are imported on first use, so importing :mod:`evalengine.rubric.model` (as
every result and pickle of a rubric does) does not import the loader.
"""

from __future__ import annotations

from ..lazy import lazy_names

__all__ = ["Rubric", "load_rubric", "read_rubric"]

_LAZY = {"Rubric": ".model", "load_rubric": ".load", "read_rubric": ".load"}


__getattr__ = lazy_names(__name__, _LAZY)
