"""Registries of named plugin-provided classes, with duplicate and did-you-mean checks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

from .errors import EvalEngineError, PluginError, with_suggestion

T = TypeVar("T")


class Registry(Generic[T]):
    """Classes of one kind keyed by their ``name`` attribute.

    ``add`` rejects a second class with the same name, naming both providers;
    ``get`` rejects an unknown name with a suggestion and the list of known names.
    """

    def __init__(self, kind: str, base: type) -> None:
        self.kind = kind
        self.base = base
        self._items: dict[str, type[T]] = {}
        self._providers: dict[str, str] = {}

    def add(self, cls: type[T], provider: str) -> None:
        """Register ``cls`` on behalf of the plugin named ``provider``."""
        if not (isinstance(cls, type) and issubclass(cls, self.base)):
            hook = f"register_{self.kind.replace(' ', '_')}s"
            msg = (
                f"plugin '{provider}' returned {cls!r} from hook {hook};"
                f" expected a subclass of {self.base.__module__}.{self.base.__name__}"
            )
            raise PluginError(msg, hint="return the class itself (or a list of classes)")
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not name:
            msg = f"{self.kind} class {cls.__qualname__} from plugin '{provider}' has no name"
            raise PluginError(msg, hint='set a class attribute `name = "..."`')
        if name in self._items:
            other = self._items[name]
            msg = (
                f"duplicate {self.kind} name '{name}': {cls.__module__}.{cls.__qualname__}"
                f" (plugin '{provider}') and {other.__module__}.{other.__qualname__}"
                f" (plugin '{self._providers[name]}')"
            )
            raise PluginError(msg, hint="rename one of them, or disable one plugin")
        self._items[name] = cls
        self._providers[name] = provider

    def extend(self, classes: Iterable[type[T]], provider: str) -> None:
        """Register several classes from one provider."""
        for cls in classes:
            self.add(cls, provider)

    def get(self, name: str, *, error: type[EvalEngineError] = EvalEngineError, **kw) -> type[T]:
        """The class registered as ``name``; an unknown name raises ``error``."""
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items))
            msg = f"unknown {self.kind} '{name}'"
            hint = with_suggestion(f"installed: {known}", name, self._items)
            raise error(msg, hint=hint, **kw) from None

    def provider(self, name: str) -> str:
        """The plugin that registered ``name``."""
        return self._providers[name]

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._items))

    def items(self) -> list[tuple[str, type[T]]]:
        """(name, class) pairs sorted by name."""
        return sorted(self._items.items())
