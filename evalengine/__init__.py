"""evalengine: score institutions against regulated rubrics written as data.

Public API::

    from evalengine import load_rubric, read_evidence, evaluate
    result = evaluate(load_rubric("rubrics/merit-2019.toml"),
                      read_evidence("examples/merit-belitung-timur/evidence.toml"))
    result.root.value, result.root.band.label

The names are imported on first use (PEP 562), so ``import evalengine`` (and every
plugin's ``from evalengine import hookimpl``) stays cheap: the command line imports only
what the command it runs needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

__all__ = ["Engine", "__version__", "evaluate", "hookimpl", "load_rubric", "read_evidence"]

#: Public name → module that defines it.
_LAZY = {
    "Engine": "evalengine.evaluate.engine",
    "evaluate": "evalengine.evaluate.engine",
    "read_evidence": "evalengine.evidence.readers",
    "hookimpl": "evalengine.hookspecs",
    "load_rubric": "evalengine.rubric.load",
}

# Load the (empty) ``evalengine.evaluate`` package now and drop the name it binds here,
# so that ``evalengine.evaluate`` is the function, as it always was, and never the
# sub-package (which the import system would bind if it were first imported later).
from . import evaluate  # noqa: E402

del evaluate


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
