"""Builds the plugin manager and the registries of everything plugins provide.

Order: hookspecs, then the built-in plugins (``DEFAULT_PLUGINS``), then third-party
plugins from the ``evalengine`` entry-point group (minus those named in
``EVALENGINE_DISABLE_PLUGINS``), then one-off modules from ``--plugins-dir``.
The CLI uses one :class:`Plugins` (see :func:`default_plugins`); tests build their own
with :func:`get_plugin_manager` and :class:`Plugins`.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from . import hookspecs
from .errors import EvalEngineError, PluginError
from .registry import Registry

if TYPE_CHECKING:
    import importlib.metadata

    from .entry_points import InstalledEntryPoint

#: Modules that implement the built-in kinds, registered like any plugin.
DEFAULT_PLUGINS = (
    "evalengine.indicators.builtin",
    "evalengine.indicators.records",
    "evalengine.indicators.survey",
    "evalengine.indicators.sampling",
    "evalengine.indicators.target",
    "evalengine.indicators.anggaran",
    "evalengine.evaluate.functions",
    "evalengine.evidence.readers",
    "evalengine.evidence.xlsx_reader",
    "evalengine.report.terminal",
    "evalengine.report.json",
)

#: The entry-point group third-party plugins declare (``[project.entry-points.evalengine]``).
ENTRY_POINT_GROUP = "evalengine"
#: Comma-separated plugin names to leave out (entry-point names or distribution names).
DISABLE_ENV = "EVALENGINE_DISABLE_PLUGINS"
#: Set to 1 to print every hook call with its arguments and results to stderr.
TRACE_ENV = "EVALENGINE_TRACE_PLUGINS"


@dataclass(frozen=True)
class PluginSource:
    """Where a registered plugin came from, for ``evalengine plugins`` and error messages.

    ``origin`` is ``builtin``, ``entry point`` or ``plugins-dir``; ``distribution`` and
    ``version`` come from the installed distribution's metadata (the core's own
    version for built-ins); ``location`` is the module or file that was loaded.
    """

    name: str
    origin: str
    distribution: str | None = None
    version: str | None = None
    location: str | None = None


class PluginManager(pluggy.PluginManager):
    """A pluggy manager that also remembers where each plugin came from (``sources``)."""

    def __init__(self) -> None:
        super().__init__("evalengine")
        self.sources: dict[str, PluginSource] = {}

    def register_source(self, plugin: object, source: PluginSource) -> None:
        """Register ``plugin`` under ``source.name`` and remember its source."""
        self.register(plugin, name=source.name)
        self.sources[source.name] = source


def disabled_plugins() -> set[str]:
    """Names listed in ``EVALENGINE_DISABLE_PLUGINS`` (entry-point or distribution names)."""
    return {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}


def get_plugin_manager(
    *,
    entry_points: bool | Iterable[InstalledEntryPoint | importlib.metadata.EntryPoint] = True,
    plugins_dir: str | Path | None = None,
) -> PluginManager:
    """A fresh plugin manager with the built-ins and, optionally, external plugins.

    ``entry_points`` is True for the installed ``evalengine`` entry points, False for
    none, or an explicit list of :class:`importlib.metadata.EntryPoint` (tests use this
    to "install" a plugin without touching the environment).

    The installed entry points come from memory (:mod:`evalengine.entry_points`); when
    one of them fails to load, they are looked up again before the failure is reported,
    so a memory gone stale can never be what breaks a start.
    """
    if entry_points is True:
        try:
            return _plugin_manager(installed_entry_points(), plugins_dir)
        except PluginError:
            return _plugin_manager(installed_entry_points(refresh=True), plugins_dir)
    return _plugin_manager(entry_points or (), plugins_dir)


def _plugin_manager(entry_points: Iterable[Any], plugins_dir: str | Path | None) -> PluginManager:
    from . import __version__

    pm = PluginManager()
    pm.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        source = PluginSource(module_name, "builtin", "evalengine", __version__, module_name)
        pm.register_source(importlib.import_module(module_name), source)
    _load_entry_points(pm, entry_points)
    if plugins_dir is not None:
        _load_plugins_dir(pm, Path(plugins_dir))
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or repr(exc.plugin)
        msg = f"plugin '{name}' implements an unknown hook: {exc}"
        raise PluginError(msg, hint=f"hooks are: {', '.join(hook_names())}") from exc
    if os.environ.get(TRACE_ENV) == "1":
        pm.trace.root.setwriter(sys.stderr.write)
        pm.enable_tracing()
    return pm


def installed_entry_points(*, refresh: bool = False) -> list[InstalledEntryPoint]:
    """The installed entry points of the ``evalengine`` group.

    Remembered between runs while nothing is installed or removed
    (:mod:`evalengine.entry_points`), so a start usually never imports
    :mod:`importlib.metadata`; ``refresh`` looks again.
    """
    from .entry_points import installed_entry_points as installed

    return installed(ENTRY_POINT_GROUP, refresh=refresh)


def _distribution(ep: Any) -> tuple[str | None, str | None]:
    """The name and version of the distribution that installed ``ep`` (None when unknown).

    ``ep`` is an :class:`~evalengine.entry_points.InstalledEntryPoint` or, from tests, an
    :class:`importlib.metadata.EntryPoint`.
    """
    if hasattr(ep, "distribution"):
        return ep.distribution, ep.version
    dist = getattr(ep, "dist", None)
    return (dist.metadata["Name"], dist.version) if dist is not None else (None, None)


def hook_names() -> list[str]:
    """The names of every hook in :mod:`evalengine.hookspecs`, in file order."""
    return [
        name
        for name, obj in vars(hookspecs).items()
        if callable(obj) and hasattr(obj, "evalengine_spec")
    ]


def _load_entry_points(pm: PluginManager, eps: Iterable[Any]) -> None:
    """Load each entry point, naming the plugin (and its distribution) when one fails."""
    disabled = disabled_plugins()
    for ep in eps:
        dist_name, dist_version = _distribution(ep)
        if ep.name in disabled or (dist_name and dist_name in disabled):
            continue
        if pm.has_plugin(ep.name) or pm.is_blocked(ep.name):
            continue
        where = f"plugin '{ep.name}'" + (f" (distribution {dist_name})" if dist_name else "")
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken third-party plugin must not look like our bug
            msg = (
                f"{where} failed to load from entry point '{ep.value}': {type(exc).__name__}: {exc}"
            )
            raise PluginError(
                msg, hint=f"reinstall or uninstall it, or set {DISABLE_ENV}={ep.name}"
            ) from exc
        source = PluginSource(
            ep.name,
            "entry point",
            dist_name,
            dist_version,
            ep.value,
        )
        try:
            pm.register_source(plugin, source)
        except ValueError as exc:  # the same module registered twice under two names
            msg = f"{where} is already registered: {exc}"
            raise PluginError(msg, hint="install it only once") from exc


def _load_plugins_dir(pm: PluginManager, directory: Path) -> None:
    import importlib.util

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
        pm.register_source(module, PluginSource(str(file), "plugins-dir", location=str(file)))


def plugin_failure(registry: Registry[Any], name: str, what: str, exc: Exception) -> Exception:
    """The error to raise when a registered class fails while being used.

    A class from a third-party plugin becomes a :class:`PluginError` naming the plugin,
    the class and the method; a built-in class keeps its exception (a bug in the core
    must keep its traceback).
    """
    if isinstance(exc, EvalEngineError):
        return exc
    provider = registry.provider(name)
    if provider in DEFAULT_PLUGINS:
        return exc
    msg = (
        f"plugin '{provider}' failed: {registry.kind} '{name}' raised in {what}: "
        f"{type(exc).__name__}: {exc}"
    )
    return PluginError(msg, hint=f"fix the plugin, or set {DISABLE_ENV}={provider}")


#: The registries :class:`Plugins` builds: hook name → (property name, kind).
KINDS = {
    "register_indicator_types": ("indicator_types", "indicator type"),
    "register_functions": ("functions", "function"),
    "register_evidence_readers": ("evidence_readers", "evidence reader"),
    "register_report_formats": ("report_formats", "report format"),
}


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
        # get_hookimpls() is in registration order: built-ins first, so a duplicate name
        # is reported against the later plugin.
        for impl in hook.get_hookimpls():
            provider = self.pm.get_name(impl.plugin) or repr(impl.plugin)
            try:
                result = impl.function()
            except Exception as exc:
                msg = f"plugin '{provider}' raised in hook {hook_name}: {type(exc).__name__}: {exc}"
                raise PluginError(
                    msg, hint=f"fix the plugin, or set {DISABLE_ENV}={provider}"
                ) from exc
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

    def load_all(self) -> None:
        """Build every registry now, so a failing plugin fails here and not midway."""
        for attribute, _ in KINDS.values():
            getattr(self, attribute)

    def source(self, name: str) -> PluginSource:
        """Where the plugin called ``name`` came from."""
        sources = getattr(self.pm, "sources", {})
        return sources.get(name) or PluginSource(name, "unknown")

    def describe(self) -> list[dict[str, Any]]:
        """Every plugin with its source, its hooks and what it registers (JSON-ready).

        Used by ``evalengine plugins``; builds every registry first.
        """
        self.load_all()
        out = []
        for plugin_name, plugin in self.pm.list_name_plugin():
            if plugin is None:  # blocked
                continue
            source = self.source(plugin_name)
            hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])
            registers: dict[str, list[dict[str, str]]] = {}
            for hook_name, (attribute, _) in KINDS.items():
                registry = getattr(self, attribute)
                items = [
                    {"name": name, "description": _description(cls), "class": _qualname(cls)}
                    for name, cls in registry.items()
                    if registry.provider(name) == plugin_name
                ]
                if items:
                    registers[attribute] = items
                elif hook_name in hooks:
                    registers.setdefault(attribute, [])
            out.append(
                {
                    "name": plugin_name,
                    "origin": source.origin,
                    "distribution": source.distribution,
                    "version": source.version,
                    "location": source.location,
                    "hooks": hooks,
                    "registers": registers,
                }
            )
        return out


def _description(cls: type) -> str:
    text = getattr(cls, "description", "") or ""
    signature = getattr(cls, "signature", "")
    if signature:
        text = f"{signature} — {text}" if text else signature
    suffixes = getattr(cls, "suffixes", None)
    if suffixes:
        text = f"{text} ({', '.join(suffixes)})" if text else ", ".join(suffixes)
    return text


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


_default: Plugins | None = None


def default_plugins() -> Plugins:
    """The plugins of this installation (built-ins and entry points), built once.

    The CLI replaces them with :func:`use_plugins` when ``--plugins-dir`` is given.
    """
    global _default
    if _default is None:
        _default = Plugins()
    return _default


def use_plugins(plugins: Plugins | None) -> None:
    """Make ``plugins`` what :func:`default_plugins` returns (None: rebuild on next use)."""
    global _default
    _default = plugins


# Kept for callers that cleared the old functools cache.
default_plugins.cache_clear = lambda: use_plugins(None)  # type: ignore[attr-defined]
