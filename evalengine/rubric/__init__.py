"""Rubrics: TOML files → checked :class:`Rubric` models.

Names are imported on first use, so importing :mod:`evalengine.rubric.model` (as
every result and pickle of a rubric does) does not import the loader.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["Rubric", "load_rubric", "read_rubric"]

_LAZY = {"Rubric": ".model", "load_rubric": ".load", "read_rubric": ".load"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(import_module(_LAZY[name], __name__), name)
