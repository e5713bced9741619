"""Builds the plugin manager and the registries of everything plugins provide.

Order: hookspecs, then the built-in plugins (``DEFAULT_PLUGINS``), then third-party
plugins from the ``evalengine`` entry-point group (minus those named in
``EVALENGINE_DISABLE_PLUGINS``), then one-off modules from ``--plugins-dir``.
Nothing here is a module-level global: :func:`default_plugins` caches one
:class:`Plugins` for the CLI; tests build their own.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import pluggy

from . import hookspecs
from .errors import PluginError
from .registry import Registry

#: Modules that implement the built-in kinds, registered like any plugin.
DEFAULT_PLUGINS = (
    "evalengine.indicators.builtin",
    "evalengine.evaluate.functions",
    "evalengine.evidence.readers",
    "evalengine.evidence.xlsx_reader",
    "evalengine.report.terminal",
    "evalengine.report.json",
)

#: Comma-separated plugin names to leave out (entry-point names or distribution names).
DISABLE_ENV = "EVALENGINE_DISABLE_PLUGINS"
#: Set to 1 to print every hook call with its arguments and results to stderr.
TRACE_ENV = "EVALENGINE_TRACE_PLUGINS"


def get_plugin_manager(
    *, entry_points: bool = True, plugins_dir: str | Path | None = None
) -> pluggy.PluginManager:
    """A fresh plugin manager with the built-ins and, optionally, external plugins."""
    pm = pluggy.PluginManager("evalengine")
    pm.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
    if entry_points:
        for name in filter(None, (n.strip() for n in os.environ.get(DISABLE_ENV, "").split(","))):
            pm.set_blocked(name)
        try:
            pm.load_setuptools_entrypoints("evalengine")
        except Exception as exc:  # a broken third-party plugin must not look like our bug
            msg = f"a plugin in the 'evalengine' entry-point group failed to load: {exc}"
            raise PluginError(msg, hint=f"uninstall it or list it in {DISABLE_ENV}") from exc
    if plugins_dir is not None:
        _load_plugins_dir(pm, Path(plugins_dir))
    pm.check_pending()
    if os.environ.get(TRACE_ENV) == "1":
        pm.trace.root.setwriter(sys.stderr.write)
        pm.enable_tracing()
    return pm


def _load_plugins_dir(pm: pluggy.PluginManager, directory: Path) -> None:
    if not directory.is_dir():
        msg = f"--plugins-dir {directory} is not a directory"
        raise PluginError(msg)
    for file in sorted(directory.glob("*.py")):
        name = f"evalengine_local_{file.stem}"
        spec = importlib.util.spec_from_file_location(name, file)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            msg = f"plugin file {file} failed to load: {type(exc).__name__}: {exc}"
            raise PluginError(msg, hint="fix or remove the file") from exc
        pm.register(module, name=str(file))


class Plugins:
    """A plugin manager plus the registries built from its hooks (built on first use)."""

    def __init__(self, pm: pluggy.PluginManager | None = None) -> None:
        self.pm = pm or get_plugin_manager()
        self._registries: dict[str, Registry[Any]] = {}

    def _collect(self, hook_name: str, kind: str, base: type) -> Registry[Any]:
        if hook_name in self._registries:
            return self._registries[hook_name]
        registry: Registry[Any] = Registry(kind, base)
        hook = getattr(self.pm.hook, hook_name)
        for impl in hook.get_hookimpls():
            provider = self.pm.get_name(impl.plugin) or repr(impl.plugin)
            try:
                result = impl.function()
            except Exception as exc:
                msg = f"plugin '{provider}' raised in hook {hook_name}: {type(exc).__name__}: {exc}"
                raise PluginError(msg, hint="fix the plugin or disable it") from exc
            if result is None:
                continue
            registry.extend(result if isinstance(result, list | tuple) else [result], provider)
        self._registries[hook_name] = registry
        return registry

    @property
    def indicator_types(self):
        """Registry of :class:`~evalengine.indicators.base.IndicatorType` classes."""
        from .indicators.base import IndicatorType

        return self._collect("register_indicator_types", "indicator type", IndicatorType)

    @property
    def functions(self):
        """Registry of formula :class:`~evalengine.evaluate.functions.Function` classes."""
        from .evaluate.functions import Function

        return self._collect("register_functions", "function", Function)

    @property
    def evidence_readers(self):
        """Registry of :class:`~evalengine.evidence.readers.EvidenceReader` classes."""
        from .evidence.readers import EvidenceReader

        return self._collect("register_evidence_readers", "evidence reader", EvidenceReader)

    @property
    def report_formats(self):
        """Registry of :class:`~evalengine.report.base.ReportFormat` classes."""
        from .report.base import ReportFormat

        return self._collect("register_report_formats", "report format", ReportFormat)


@functools.cache
def default_plugins() -> Plugins:
    """The plugins of this installation (built-ins and entry points), built once."""
    return Plugins()
