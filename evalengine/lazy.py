"""Module attributes imported on first use (PEP 562), to keep start-up cheap.

A module assigns ``__getattr__ = lazy_names(__name__, {...})`` to name what it offers
without importing it, or ``__getattr__ = forward_to(__name__, "pkg.other")`` when its
heavy contents moved to another module that old imports should still reach.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def _missing(module: str, name: str) -> AttributeError:
    return AttributeError(f"module {module!r} has no attribute {name!r}")


def lazy_names(module: str, names: dict[str, str]) -> Callable[[str], Any]:
    """``__getattr__`` for the package ``module``: each name of ``names`` comes from the
    module it maps to (absolute, or relative to the package when it starts with ``.``)."""

    def __getattr__(name: str) -> Any:
        target = names.get(name)
        if target is None:
            raise _missing(module, name)
        return getattr(import_module(target, module), name)

    return __getattr__


def forward_to(module: str, target: str) -> Callable[[str], Any]:
    """``__getattr__`` for ``module``: any other public name is looked up in ``target``."""

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return getattr(import_module(target), name)
        except AttributeError:
            raise _missing(module, name) from None

    return __getattr__
