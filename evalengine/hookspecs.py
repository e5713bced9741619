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
# Registration hooks. None takes arguments. Each is called at most once per
# plugin manager, lazily, by evalengine.plugins.Plugins the first time the
# registry of that kind is needed (or by `evalengine plugins`, which builds all).
# Every plugin's result is added to one Registry in load order: built-ins, then
# entry points, then --plugins-dir files. A name that two plugins register,
# a result that is not a subclass of the kind's base class, or an exception
# raised by the hook stops the run with a PluginError naming the plugin and
# the hook (exit code 2). Returning None registers nothing.
# ---------------------------------------------------------------------------


@hookspec
def register_indicator_types() -> Any:
    """Return indicator type classes to add.

    When: the first time a rubric is loaded, checked or scored (the loader validates
    each indicator with its type).

    Arguments: none.

    Returns: one subclass of :class:`evalengine.indicators.base.IndicatorType`, or a
    list of them, or None. ``name`` is the ``type = "…"`` a rubric writes and must be
    unique across all plugins; ``description`` is what ``evalengine plugins`` shows.

    Combining: the lists of all plugins are merged into one registry keyed by name;
    a duplicate name is an error naming both providers. An unknown ``type`` in a
    rubric gets a did-you-mean suggestion from this registry.
    """


@hookspec
def register_evidence_readers() -> Any:
    """Return evidence reader classes to add.

    When: the first time an evidence file is read.

    Arguments: none.

    Returns: one subclass of :class:`evalengine.evidence.readers.EvidenceReader`, or a
    list of them, or None. Each declares ``name`` (unique) and the file ``suffixes``
    it reads; :meth:`~evalengine.evidence.readers.EvidenceReader.read` returns an
    :class:`~evalengine.evidence.model.Evidence`.

    Combining: merged into one registry keyed by name; a file is read by the first
    reader (in name order) that lists its suffix.
    """


@hookspec
def register_functions() -> Any:
    """Return formula function classes to add.

    When: the first time an :class:`~evalengine.evaluate.engine.Engine` is built
    (before any formula is evaluated).

    Arguments: none.

    Returns: one subclass of :class:`evalengine.evaluate.functions.Function`, or a
    list of them, or None. ``name`` is how formulas call it (``sum``, ``band``…),
    ``signature`` and ``description`` document it; ``min_args``/``max_args`` bound
    the argument count and :meth:`~evalengine.evaluate.functions.Function.apply`
    computes the value from evaluated arguments (Decimals, strings, lists).

    Combining: merged into one registry keyed by name; a plugin cannot replace a
    built-in function (duplicate names are an error).
    """


@hookspec
def register_report_formats() -> Any:
    """Return report format classes to add.

    When: the first time a report is rendered (``evalengine score``), or when
    ``evalengine plugins`` lists them.

    Arguments: none.

    Returns: one subclass of :class:`evalengine.report.base.ReportFormat`, or a list
    of them, or None. ``name`` is what ``--format`` accepts, ``suffix`` the file
    suffix, ``binary`` True when :meth:`~evalengine.report.base.ReportFormat.render`
    returns bytes (then the format must be written to a file).

    Combining: merged into one registry keyed by name. ``score`` renders every
    requested format before writing any file, so a format that fails leaves no
    half-written report.
    """
