"""The installed plugins' entry points, remembered between runs while nothing is installed.

Finding entry points means importing :mod:`importlib.metadata` (with :mod:`email`,
:mod:`zipfile`, :mod:`csv`…) and reading every installed distribution's metadata:
~40 ms of every ``evalengine`` start, more than the rest of a warm ``score -f json``.
What it finds changes only when something is installed or removed, so the entry
points of the ``evalengine`` group are kept in the cache folder of the rubric cache
(:mod:`evalengine.rubric.cache`), one file per import path, with a stamp of that path:
every ``sys.path`` entry with its modification time and link count. Installing or removing a
distribution adds or removes a ``*.dist-info`` folder in a folder of ``sys.path``,
which changes that folder's time; a new ``.pth`` entry changes ``sys.path`` itself.
Either is a miss, and :mod:`importlib.metadata` finds the entry points again: it stays
the only reader of distribution metadata, this module only remembers its answer.

``evalengine plugins`` always looks again (``refresh``); ``EVALENGINE_NO_CACHE=1``
turns the memory off, as for rubrics.
"""

from __future__ import annotations

import os
import sys
import zlib
from dataclasses import dataclass
from typing import Any

#: Bumped when the layout of the cached entry changes.
FORMAT = 1


@dataclass(frozen=True)
class InstalledEntryPoint:
    """An entry point as :mod:`importlib.metadata` found it, with its distribution."""

    name: str
    value: str
    distribution: str | None = None
    version: str | None = None

    def load(self) -> Any:
        """The object the entry point names (``module`` or ``module:attribute``)."""
        import pkgutil

        return pkgutil.resolve_name(self.value)


def installed_entry_points(group: str, *, refresh: bool = False) -> list[InstalledEntryPoint]:
    """The entry points of ``group``: remembered while the stamp holds, else found again."""
    from .rubric.cache import cache_dir, enabled, read_pickle, write_entry

    if not enabled():
        return find_entry_points(group)
    stamp = import_path_stamp()
    # one entry per import path (the `evalengine` script and `python -m` in a folder
    # differ), so that alternating between them keeps both remembered
    file = cache_dir() / f"entry-points-{zlib.crc32(repr(sys.path).encode()):08x}.pickle"
    if not refresh:
        cached = read_pickle(file)
        if (
            isinstance(cached, dict)
            and cached.get("format") == FORMAT
            and cached.get("stamp") == stamp
            and group in cached.get("groups", {})
        ):
            return cached["groups"][group]
    found = find_entry_points(group)
    write_entry(file, {"format": FORMAT, "stamp": stamp, "groups": {group: found}})
    return found


def find_entry_points(group: str) -> list[InstalledEntryPoint]:
    """The entry points of ``group`` as :mod:`importlib.metadata` finds them now."""
    import importlib.metadata

    found = []
    for ep in importlib.metadata.entry_points(group=group):
        dist = ep.dist
        found.append(
            InstalledEntryPoint(
                ep.name,
                ep.value,
                dist.metadata["Name"] if dist is not None else None,
                dist.version if dist is not None else None,
            )
        )
    return found


def import_path_stamp() -> tuple[tuple[Any, ...], ...]:
    """Every ``sys.path`` entry with its modification time and link count.

    The link count of a folder counts its subfolders on most file systems, so a
    ``*.dist-info`` folder added or removed within the clock tick of the last change
    (file times are that coarse) still changes the stamp. An entry that does not
    exist is its path alone.

    The working folder is the first entry of ``python -m evalengine``, and the folder
    users write their reports to: each report would change its time. It is stamped by
    the distributions in it instead (their metadata folders' names and times), which is
    all :mod:`importlib.metadata` reads there.
    """
    here = os.getcwd()
    stamp: list[tuple[Any, ...]] = []
    for entry in sys.path:
        path = entry or os.curdir
        try:
            if os.path.abspath(path) == here:
                stamp.append((entry, _distributions(path)))
                continue
            st = os.stat(path)
        except OSError:
            stamp.append((entry,))
            continue
        stamp.append((entry, st.st_mtime_ns, st.st_nlink))
    return tuple(stamp)


def _distributions(folder: str) -> tuple[tuple[str, int], ...]:
    """The distribution metadata in ``folder`` (``*.dist-info``, ``*.egg-info``), each
    with its modification time."""
    with os.scandir(folder) as found:
        return tuple(
            sorted(
                (e.name, e.stat().st_mtime_ns)
                for e in found
                if e.name.endswith((".dist-info", ".egg-info"))
            )
        )
