"""Writing reports: to the terminal, or atomically to files (never half-written)."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from ..errors import UsageError


def _mode(path: Path) -> int | None:
    """``st_mode`` of ``path`` (symlinks followed), or None when there is nothing there."""
    try:
        return path.stat().st_mode
    except FileNotFoundError:
        return None


def _is_device(mode: int | None) -> bool:
    """A character device, FIFO or socket (``/dev/null``, ``/dev/stdout``, a named pipe)."""
    return mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def check_writable(path: str | Path) -> None:
    """Raise :class:`UsageError` when a report cannot be written to ``path``.

    Commands that write several files call this for each before writing any, so that a
    missing folder, a folder in the file's place, or a read-only folder stops them
    before the first file is written.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        if not directory.is_dir():
            msg = f"cannot write {path}: folder {directory} does not exist"
            raise UsageError(msg, hint="create the folder first")
        mode = _mode(path)
    except OSError as exc:  # a name too long, a loop of symlinks, …
        msg = f"cannot write {path}: {exc.strerror or exc}"
        raise UsageError(msg, hint="choose another file name") from None
    if mode is not None and stat.S_ISDIR(mode):
        msg = f"cannot write {path}: it is a folder"
        raise UsageError(msg, hint=f"name a file, e.g. {path / 'report'}")
    if not _is_device(mode) and not os.access(directory, os.W_OK | os.X_OK):
        msg = f"cannot write {path}: folder {directory} is not writable"
        raise UsageError(msg, hint="choose a folder you can write to")


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename.

    A device or pipe (``-o /dev/stdout``, ``/dev/null``) is written to as it is: renaming
    a file over it would replace the device with a file.
    """
    path = Path(path)
    check_writable(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if _is_device(_mode(path)):
        try:
            with open(path, "wb") as handle:
                handle.write(payload)
        except OSError as exc:
            msg = f"cannot write {path}: {exc.strerror or exc}"
            raise UsageError(msg) from None
        return
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        msg = f"cannot write {path}: {exc.strerror or exc}"
        raise UsageError(msg, hint="choose a folder you can write to") from None
    try:
        # mkstemp creates the file 0600; a report is for sharing, so use the usual mode
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:  # the disk is full, the target became a folder, …
        Path(tmp).unlink(missing_ok=True)
        msg = f"cannot write {path}: {exc.strerror or exc}"
        raise UsageError(msg) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
