"""Installed rubrics and their versions: which version of an instrument applies on a date.

Each rubric declares ``id``, ``version``, ``valid_from``/``valid_until`` (TOML dates,
both inclusive, either may be left out) and may name the version it ``supersedes``.
Rubrics are found in the built-in ``rubrics/`` folder and in the folders listed in
the ``EVALENGINE_RUBRICS_PATH`` environment variable (``os.pathsep``-separated).

:func:`select_version` picks, among the installed rubrics with one id, the version in
force on a date, and says why, so the report can state it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import UsageError, with_suggestion

PATH_ENV = "EVALENGINE_RUBRICS_PATH"


@dataclass(frozen=True)
class RubricInfo:
    """What ``evalengine rubrics`` lists about one rubric file (read without building it)."""

    id: str
    version: str
    path: Path
    title: str | None = None
    regulation: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    supersedes: str | None = None
    extends: str | None = None

    def in_force(self, on: dt.date) -> bool:
        """True when ``on`` lies within valid_from..valid_until (open ends unbounded)."""
        if self.valid_from is not None and on < self.valid_from:
            return False
        return not (self.valid_until is not None and on > self.valid_until)

    def validity(self) -> str:
        """``2022-01-01 – 2024-12-31`` or ``from 2019-01-01``."""
        lo = self.valid_from.isoformat() if self.valid_from else None
        hi = self.valid_until.isoformat() if self.valid_until else None
        if lo and hi:
            return f"{lo} – {hi}"
        if lo:
            return f"from {lo}"
        if hi:
            return f"until {hi}"
        return "no dates"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "regulation": self.regulation,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "supersedes": self.supersedes,
            "extends": self.extends,
            "path": str(self.path),
        }


def rubric_dirs() -> list[Path]:
    """Folders searched for rubrics: the built-in folder, then EVALENGINE_RUBRICS_PATH."""
    builtin = Path(__file__).resolve().parents[2] / "rubrics"
    extra = [Path(p) for p in os.environ.get(PATH_ENV, "").split(os.pathsep) if p]
    return [builtin, *extra]


def _meta(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any] | None:
    from .. import toml

    try:
        data = toml.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, UnicodeDecodeError, toml.TOMLDecodeError):
        return None
    meta = data.get("rubric")
    if not isinstance(meta, dict):
        return None
    base_ref = meta.get("extends")
    if isinstance(base_ref, str) and path not in seen:
        from .overlay import find_base

        base = find_base(base_ref, str(path))
        base_meta = _meta(base, (*seen, path)) if base else None
        if base_meta:
            meta = {k: v for k, v in base_meta.items() if k not in ("extends", "skip")} | meta
    return meta


def read_info(path: Path) -> RubricInfo | None:
    """The metadata of a rubric file (inherited through ``extends``), or None if not one."""
    meta = _meta(path)
    if meta is None or "id" not in meta:
        return None

    def date(key: str) -> dt.date | None:
        value = meta.get(key)
        return value if isinstance(value, dt.date) else None

    return RubricInfo(
        id=str(meta["id"]),
        version=str(meta.get("version", "1")),
        path=path,
        title=meta.get("title"),
        regulation=meta.get("regulation"),
        valid_from=date("valid_from"),
        valid_until=date("valid_until"),
        supersedes=None if meta.get("supersedes") is None else str(meta["supersedes"]),
        extends=meta.get("extends") if isinstance(meta.get("extends"), str) else None,
    )


def installed_rubrics(dirs: list[Path] | None = None) -> list[RubricInfo]:
    """Every rubric in the rubric folders, sorted by id then valid_from."""
    from .cache import read_info_cached

    infos = []
    for directory in dirs or rubric_dirs():
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            if not path.is_file():  # a folder, a symlink loop, a FIFO (reading it would hang)
                continue
            info = read_info_cached(path)  # read_info, through the rubric cache
            if info is not None:
                infos.append(info)
    return sorted(infos, key=lambda i: (i.id, i.valid_from or dt.date.min, i.version))


def parse_as_of(value: Any) -> dt.date | None:
    """A date from ``2024-06-30``, a year ``2023`` (its last day) or ``2023-06`` (month end)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:  # a month 13, a 30 February, a year 0000: no date
        if re.fullmatch(r"\d{4}", text):
            return dt.date(int(text), 12, 31)
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if m:
            import calendar

            year, month = int(m.group(1)), int(m.group(2))
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return None


@dataclass(frozen=True)
class Selection:
    """The rubric chosen for scoring and the reason, stated in the report."""

    path: Path
    reason: str
    as_of: dt.date | None = None
    source: str | None = None  # "--as-of", "evidence as_of", "evidence period", "latest", "path"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "path": str(self.path),
            "reason": self.reason,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "source": self.source,
        }


def select_version(
    ref: str,
    as_of: dt.date | None,
    source: str | None,
    dirs: list[Path] | None = None,
    *,
    version: str | None = None,
) -> Selection:
    """The installed version of rubric ``ref`` (an id or file stem) in force on ``as_of``.

    ``version`` (named by the evidence) wins over the date when given.
    """
    infos = installed_rubrics(dirs)
    candidates = [i for i in infos if ref in (i.id, i.path.stem)]
    if not candidates:
        names = sorted({i.id for i in infos} | {i.path.stem for i in infos})
        msg = f"no installed rubric with id '{ref}'"
        raise UsageError(
            msg, hint=with_suggestion("run `evalengine rubrics` to list them", ref, names)
        )
    if version is not None:
        named = [i for i in candidates if i.version == version]
        if not named:
            listing = ", ".join(i.version for i in candidates)
            msg = f"rubric '{ref}' has no installed version '{version}'"
            raise UsageError(msg, hint=f"installed versions: {listing}")
        chosen = named[0]
        reason = f"{chosen.id} {chosen.version}: the version the evidence names"
        if as_of is not None and not chosen.in_force(as_of):
            reason += f" (note: valid {chosen.validity()}, not on {as_of.isoformat()})"
        return Selection(chosen.path, reason, as_of, "evidence version")
    if as_of is None:
        today = dt.date.today()
        current = [i for i in candidates if i.in_force(today)] or candidates
        chosen = max(current, key=lambda i: (i.valid_from or dt.date.min, i.version))
        return Selection(
            chosen.path,
            f"{chosen.id} {chosen.version} ({chosen.validity()}): no date given, so the "
            f"latest version in force",
            None,
            "latest",
        )
    in_force = [i for i in candidates if i.in_force(as_of)]
    if not in_force:
        listing = "; ".join(f"{i.version}: {i.validity()}" for i in candidates)
        msg = f"no version of rubric '{ref}' is in force on {as_of.isoformat()}"
        raise UsageError(msg, hint=f"installed versions: {listing}")
    chosen = max(in_force, key=lambda i: (i.valid_from or dt.date.min, i.version))
    return Selection(
        chosen.path,
        f"{chosen.id} {chosen.version} is in force on {as_of.isoformat()} ({source}); "
        f"valid {chosen.validity()}",
        as_of,
        source,
    )
