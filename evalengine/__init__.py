"""evalengine: score institutions against regulated rubrics written as data.

Public API::

    from evalengine import load_rubric, read_evidence, evaluate
    result = evaluate(load_rubric("rubrics/merit-2019.toml"),
                      read_evidence("examples/merit-belitung-timur/evidence.toml"))
    result.root.value, result.root.band.label
"""

from .evaluate.engine import Engine, evaluate
from .evidence.readers import read_evidence
from .hookspecs import hookimpl
from .rubric.load import load_rubric

__version__ = "0.1.0"

__all__ = ["Engine", "__version__", "evaluate", "hookimpl", "load_rubric", "read_evidence"]
