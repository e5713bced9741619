"""A cache of loaded, checked rubrics, so ``evalengine score`` starts quickly.

Loading a rubric parses every formula with Lark and runs every check, including the
maintainer analyses (attainable ranges, the type pass): ~0.1–0.3 s for the Sistem Merit
rubric, most of what ``score`` spends beyond the interpreter's own start-up. The result
depends only on the inputs below, so :func:`load_rubric_cached` keeps it, pickled, and
the next run with the same inputs unpickles it (~2 ms) and never imports Lark.

An entry is used only when all of these are unchanged, compared exactly (not by hash):

* the bytes of the rubric file and of every file it ``extends`` (each entry lists them);
* the path as given and the working directory (error locations print the path as
  given, and a relative ``extends`` is found from there);
* evalengine's version, the Python version, and the size and modification time of every
  source file of evalengine and of each plugin module that contributes indicator types
  or formula functions (so an edit to a check, a type or a plugin invalidates it);
* which plugins contribute which indicator types and functions (name, provider, class).

Only rubrics that load without errors are stored (their warnings are part of the
entry, so ``score`` shows the same ones). Entries live in ``$EVALENGINE_CACHE_DIR``,
else ``$XDG_CACHE_HOME/evalengine``, else ``~/.cache/evalengine``; they are written
atomically (temporary file + rename); one that cannot be read, unpickled or matched is
ignored and rewritten. There is one entry per rubric path, working directory and set of
plugins (a new version replaces the old one), plus ``metadata.pickle`` with the version
metadata of the rubrics read to choose a version by id. ``EVALENGINE_NO_CACHE=1`` turns
the cache off. The entries are pickles: like any cache directory, it must not be
writable by others.
"""

from __future__ import annotations

import os
import sys
import zlib
from pathlib import Path
from typing import Any

from .. import __version__
from ..formula import parser

#: Environment variables.
DIR_ENV = "EVALENGINE_CACHE_DIR"
OFF_ENV = "EVALENGINE_NO_CACHE"
#: Bumped when the entry layout changes.
FORMAT = 2


def cache_dir() -> Path:
    """Where entries are stored (not created here)."""
    if os.environ.get(DIR_ENV):
        return Path(os.environ[DIR_ENV])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "evalengine"
    return Path.home() / ".cache" / "evalengine"


def enabled() -> bool:
    """False when ``EVALENGINE_NO_CACHE`` is set to 1 (or yes/true)."""
    return os.environ.get(OFF_ENV, "").strip().lower() not in ("1", "yes", "true")


def _source_stamps(folder: str, *, recursive: bool) -> list[tuple[str, int, int]]:
    """(path, mtime in ns, size) of the source files under ``folder``."""
    out = []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.endswith((".py", ".lark")):
                st = entry.stat()
                out.append((entry.path, st.st_mtime_ns, st.st_size))
            elif recursive and name != "__pycache__" and entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    out.sort()
    return out


#: The evalengine package folder.
PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


_code: list[Any] = []


def _code_parts() -> list[Any]:
    """The format, versions, working directory and evalengine's sources.

    The sources are stamped once a process (the code that runs is the code imported).
    """
    if not _code:
        _code.extend([FORMAT, __version__, sys.version])
        _code.extend(_source_stamps(PACKAGE, recursive=True))
    return [os.getcwd(), *_code]


def fingerprint(plugins) -> str:
    """Everything besides the rubric's bytes that a loaded rubric depends on."""
    return repr(_code_parts() + _plugin_parts(plugins))


def _plugin_parts(plugins) -> list[Any]:
    """Who provides which indicator types and functions, and those plugins' sources."""
    parts: list[Any] = []
    folders: set[str] = set()
    for registry in (plugins.indicator_types, plugins.functions):
        for name, cls in registry.items():
            module = cls.__module__
            parts.append((registry.kind, name, registry.provider(name), module, cls.__qualname__))
            if module.partition(".")[0] != "evalengine":
                file = getattr(sys.modules.get(module), "__file__", None)
                if file:
                    folders.add(os.path.dirname(os.path.realpath(file)))
    for folder in sorted(folders):
        parts += _source_stamps(folder, recursive=False)
    return parts


def _dependencies(path: Path) -> list[tuple[str, bytes]]:
    """(path, bytes) of every file the rubric ``extends``, transitively."""
    from .. import toml
    from .overlay import find_base

    out: list[tuple[str, bytes]] = []
    seen = {str(path.resolve())}
    current = path
    while True:
        try:
            data = toml.loads(current.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return out
        meta = data.get("rubric")
        ref = meta.get("extends") if isinstance(meta, dict) else None
        if not isinstance(ref, str):
            return out
        base = find_base(ref, str(current))
        if base is None or str(base.resolve()) in seen:
            return out
        seen.add(str(base.resolve()))
        try:
            out.append((str(base), base.read_bytes()))
        except OSError:  # the loader reports the unreadable base
            return out
        current = base


def _entry_path(slot: bytes) -> Path:
    """The entry file of a rubric path, working directory and set of plugins.

    One file per slot: a new version of the rubric (or of evalengine) replaces the
    entry of the old one, so the cache does not grow with every edit.
    """
    return cache_dir() / f"rubric-{zlib.crc32(slot):08x}-{zlib.adler32(slot):08x}.pickle"


def _read_entry(file: Path, key: bytes):
    """The cached rubric and formula trees, or None when missing, unreadable or stale."""
    import pickle

    try:
        with open(file, "rb") as f:
            entry = pickle.load(f)
    except Exception:  # a missing, truncated or foreign file is a miss, never an error
        return None
    try:
        if entry["format"] != FORMAT or entry["key"] != key:
            return None
        for dep, data in entry["dependencies"]:
            if Path(dep).read_bytes() != data:
                return None
        return entry["rubric"], entry["trees"], entry["info"]
    except Exception:
        return None


def write_entry(file: Path, entry: dict[str, Any]) -> None:
    """Write atomically; a cache that cannot be written is silently skipped."""
    import pickle
    import tempfile

    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(entry, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except Exception:  # unwritable folder, or something unpicklable a plugin put in the rubric
        return


def load_rubric_cached(path: str | Path, *, plugins=None):
    """:func:`evalengine.rubric.load.load_rubric`, through the cache when it is enabled.

    Same result, same errors (a rubric with errors is never cached, so it is loaded
    and refused every time).
    """
    return load_rubric_and_info(path, plugins=plugins)[0]


def load_rubric_and_info(path: str | Path, *, plugins=None):
    """The rubric (as :func:`load_rubric_cached`) and its version metadata.

    The metadata is :func:`evalengine.rubric.versions.read_info` of the same file,
    which ``score`` reads to say whether the version is in force; it is kept in the
    same entry (it depends on the same bytes), so a warm start does not parse the TOML.
    """
    from ..plugins import default_plugins

    plugins = plugins or default_plugins()
    text = None
    if enabled():
        try:
            text = Path(path).read_bytes()
        except OSError:
            text = None
    if text is None:  # cache off, or the loader's own not-found / unreadable error
        rubric = _load(path, plugins=plugins)
        return rubric, _info(path)
    code, plugin_parts = _code_parts(), _plugin_parts(plugins)
    key = repr((str(path), code, plugin_parts)).encode() + b"\0" + text
    file = _entry_path(repr((str(path), os.getcwd(), plugin_parts)).encode())
    hit = _read_entry(file, key)
    if hit is not None:
        rubric, trees, info = hit
        parser.remember(trees)
        return rubric, info
    with parser.recording() as texts:
        rubric = _load(path, plugins=plugins)
    info = _info(path)
    try:
        deps = _dependencies(Path(path))
    except OSError:
        return rubric, info
    entry = {
        "format": FORMAT,
        "key": key,
        "dependencies": deps,
        "rubric": rubric,
        "trees": parser.parsed(texts),
        "info": info,
    }
    write_entry(file, entry)
    return rubric, info


#: File name of the entry that keeps every rubric's metadata (``read_info``).
INFOS = "metadata.pickle"
_infos: dict[str, Any] | None = None


def read_info_cached(path: Path):
    """:func:`evalengine.rubric.versions.read_info`, kept in one cache entry for all rubrics.

    Choosing a version by id (``score merit …``) reads the metadata of every installed
    rubric; with the cache that is a comparison of each file's bytes (and its bases')
    with the entry instead of a TOML parse each. Same result; stale parts are recomputed.
    """
    global _infos
    from .versions import read_info

    if not enabled():
        return read_info(path)
    try:
        own = path.read_bytes()
    except OSError:
        return read_info(path)
    code = repr(_code_parts())
    if _infos is None:
        _infos = {}
        loaded = read_pickle(cache_dir() / INFOS)
        if isinstance(loaded, dict) and loaded.get("code") == code:
            _infos = loaded.get("infos", {})
    key = str(path)
    hit = _infos.get(key)
    if hit is not None:
        data, deps, info = hit
        try:
            if data == own and all(Path(d).read_bytes() == b for d, b in deps):
                return info
        except OSError:
            pass
    info = read_info(path)
    try:
        deps = _dependencies(path)
    except OSError:
        return info
    _infos[key] = (own, deps, info)
    write_entry(cache_dir() / INFOS, {"code": code, "infos": _infos})
    return info


def read_pickle(file: Path) -> Any:
    import pickle

    try:
        with open(file, "rb") as f:
            return pickle.load(f)
    except Exception:  # missing, truncated or foreign: a miss
        return None


def _load(path: str | Path, *, plugins):
    from .load import load_rubric  # the loader (and its checks) only on a miss

    return load_rubric(path, plugins=plugins)


def _info(path: str | Path):
    from .versions import read_info

    return read_info(Path(path))
