"""Every evalengine hook, in one place.

Plugins implement these with ``@evalengine.hookimpl``. The built-in indicator
types, evidence readers, functions and report formats are registered through the
same hooks (see ``evalengine.plugins.DEFAULT_PLUGINS``). Each ``register_*`` hook
returns a class (or a list of classes) with a unique ``name``; the results of all
plugins are gathered into a :class:`evalengine.registry.Registry`.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("evalengine")
hookimpl = pluggy.HookimplMarker("evalengine")


# ---------------------------------------------------------------------------
# Registration hooks: called once, while the plugin manager is being built.
# ---------------------------------------------------------------------------


@hookspec
def register_indicator_types() -> Any:
    """Return indicator type classes to add.

    Called once when the registry of indicator types is first needed.

    :return: a subclass of :class:`evalengine.indicators.base.IndicatorType`, or a
        list of them. Each ``name`` (the ``type = "…"`` of a rubric) must be unique
        across all plugins.
    """


@hookspec
def register_evidence_readers() -> Any:
    """Return evidence reader classes to add.

    Called once when evidence is first read.

    :return: a subclass of :class:`evalengine.evidence.readers.EvidenceReader`, or a
        list of them; each declares the file suffixes it reads.
    """


@hookspec
def register_functions() -> Any:
    """Return formula function classes to add.

    Called once when the first formula is evaluated.

    :return: a subclass of :class:`evalengine.evaluate.functions.Function`, or a list
        of them; ``name`` is how formulas call it.
    """


@hookspec
def register_report_formats() -> Any:
    """Return report format classes to add.

    Called once when the first report is rendered.

    :return: a subclass of :class:`evalengine.report.base.ReportFormat`, or a list of
        them; ``name`` is what ``--format`` accepts.
    """
