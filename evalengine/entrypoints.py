"""Entry points of one group, found without importing :mod:`importlib.metadata`.

``importlib.metadata.entry_points(group=…)`` costs ~60 ms at start-up here (the import
pulls in ``email``, ``zipfile``, ``csv``…, then every distribution's metadata goes
through ``pathlib``), a large share of what ``evalengine score`` may spend beyond the
interpreter and its dependencies. :func:`entry_points` does the same walk with plain
``os`` calls, following :mod:`importlib.metadata` step by step (Python 3.11/3.12):

* every directory on ``sys.path``, in order; in each, the ``*.dist-info`` and
  ``*.egg-info`` children in directory-listing order, grouped by normalized name;
* the first distribution of each normalized name wins (``unique_everseen``);
* ``entry_points.txt``: ``[group]`` sections, ``name = value`` lines, ``#`` comments;
* the distribution's name and version from ``METADATA`` (else ``PKG-INFO``).

Whatever it does not reproduce exactly — a zip file or ``.egg`` on ``sys.path``, a
meta-path finder that provides distributions of its own, an odd file name, a line it
cannot parse — makes it return None, and the caller uses :mod:`importlib.metadata`.
``tests/test_startup_entrypoints.py`` compares both on this environment and on
made-up ones.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from importlib import import_module
from typing import Any

#: ``importlib.metadata.EntryPoint.pattern`` (compiled on first ``load()``).
_PATTERN = r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$"
#: ``importlib.metadata.Prepared.normalize``: runs of ``-_.`` become one ``_``.
_SEPARATORS = re.compile(r"[-_.]+")


class _Fallback(Exception):
    """Something the fast walk does not reproduce: use importlib.metadata instead."""


class Metadata:
    """The two headers evalengine reads (``Name``, ``Version``); None when absent."""

    def __init__(self, headers: dict[str, str]) -> None:
        self._headers = headers

    def __getitem__(self, key: str) -> str | None:
        return self._headers.get(key.lower())


class Distribution:
    """An installed distribution, as much of it as plugin loading uses."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._metadata: Metadata | None = None

    @property
    def metadata(self) -> Metadata:
        """``Name`` and ``Version`` from ``METADATA`` (or ``PKG-INFO``)."""
        if self._metadata is None:
            text = _read(self._path, "METADATA") or _read(self._path, "PKG-INFO")
            if text is None:
                raise _Fallback(self._path)
            self._metadata = Metadata(_headers(text))
        return self._metadata

    @property
    def version(self) -> str | None:
        """The ``Version`` header."""
        return self.metadata["Version"]


class EntryPoint:
    """``name = value`` of ``group``, declared by ``dist``; ``load()`` imports it."""

    def __init__(self, name: str, value: str, group: str, dist: Distribution) -> None:
        self.name, self.value, self.group, self.dist = name, value, group, dist

    def load(self) -> Any:
        """The module, or the object inside it, that ``value`` names."""
        match = re.match(_PATTERN, self.value)
        if match is None:
            msg = f"malformed entry point value {self.value!r}"
            raise ValueError(msg)
        module = import_module(match.group("module"))
        attrs = filter(None, (match.group("attr") or "").split("."))
        return functools.reduce(getattr, attrs, module)

    def __repr__(self) -> str:
        return f"EntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r})"


def _read(folder: str, name: str) -> str | None:
    try:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            return f.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None


def _headers(text: str) -> dict[str, str]:
    """The first value of each header of an RFC 822 block (what ``msg[key]`` returns)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break
        if line[0] in " \t":  # a folded header: only Name and Version matter, never folded
            raise _Fallback(line)
        key, sep, value = line.partition(":")
        if not sep:
            raise _Fallback(line)
        out.setdefault(key.strip().lower(), value.strip())
    return out


def _normalize(name: str) -> str:
    return _SEPARATORS.sub("-", name).lower().replace("-", "_")


def _distributions() -> list[str]:
    """Metadata folders of the installed distributions, first of each name only."""
    finders = [getattr(f, "find_distributions", None) for f in sys.meta_path]
    from importlib.machinery import PathFinder

    if any(f is not None and f != PathFinder.find_distributions for f in finders):
        raise _Fallback(sys.meta_path)
    seen: set[str] = set()
    out: list[str] = []
    for root in sys.path:
        if os.path.basename(root).lower().endswith(".egg"):
            raise _Fallback(root)
        try:
            children = os.listdir(root or ".")
        except OSError:
            if os.path.isfile(root):  # a zip archive
                raise _Fallback(root) from None
            continue
        groups: dict[str, list[str]] = {}
        for child in children:
            low = child.lower()
            if not low.endswith((".dist-info", ".egg-info")):
                continue
            if not child.endswith((".dist-info", ".egg-info")):
                raise _Fallback(child)
            name = low.rpartition(".")[0].partition("-")[0]
            groups.setdefault(_normalize(name), []).append(os.path.join(root, child))
        for normalized, paths in groups.items():
            if normalized not in seen:
                seen.add(normalized)
                out.append(paths[0])
    return out


def _parse(text: str, group: str, dist: Distribution) -> list[EntryPoint]:
    out = []
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
            continue
        if section != group:
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise _Fallback(line)
        out.append(EntryPoint(name.strip(), value.strip(), group, dist))
    return out


def entry_points(group: str) -> list[EntryPoint] | None:
    """The entry points of ``group`` in installation order, or None (use importlib)."""
    try:
        found = []
        for path in _distributions():
            text = _read(path, "entry_points.txt")
            if text and f"[{group}]" in text:
                dist = Distribution(path)
                eps = _parse(text, group, dist)
                if eps:
                    dist.metadata  # noqa: B018 - a missing METADATA falls back now
                found.extend(eps)
        return found
    except _Fallback:
        return None
