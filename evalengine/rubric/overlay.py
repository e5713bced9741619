"""Rubric overlays: ``extends = "base.toml"`` plus overrides, without copying the base.

A regional variant of a national rubric names its base in ``[rubric] extends`` and
writes only what differs. The raw TOML of the base (itself possibly an overlay) is
merged with the overlay before the model is built, so every later stage sees one
ordinary rubric:

- ``[rubric]``: the overlay's keys replace the base's (give the variant its own
  ``id``/``version``/``title``); ``extends`` and ``skip`` are not inherited.
- ``[scales.<name>]`` and ``[bands.<name>]``: a table the overlay declares replaces the
  base's table of that name *whole* (bands are one unit: merging labels would leave
  stale ranges behind).
- ``[indicators…]``, ``[params]``, ``[tables]``, ``[rounding]``, ``[evidence]``: merged key
  by key, so ``[indicators.a.children.a1] weight = 5`` changes one weight and an
  overlay may add indicators.
- ``skip = ["i3_4", …]`` in ``[rubric]`` removes indicators (and their children) by id.

Positions stay honest: a problem in a key that comes from the base is reported in
the base file, a problem in an override in the overlay file (:class:`LayeredSourceMap`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import toml
from ..errors import Diagnostic, Location, with_suggestion
from ..sourcemap import SourceMap

#: Top-level tables whose named entries an overlay replaces whole.
REPLACED_WHOLE = ("scales", "bands")
#: Keys of [rubric] that belong to one file and are not inherited.
NOT_INHERITED = ("extends", "skip")


@dataclass
class LayeredSourceMap:
    """Several source maps, the overlay first: a key is placed in the file that wrote it."""

    layers: list[SourceMap] = field(default_factory=list)

    @property
    def path(self) -> str | None:
        """The top (overlay) file."""
        return self.layers[0].path if self.layers else None

    def locate(self, parts) -> Location:
        """The location of ``parts`` in the file that defines it (nearest ancestor otherwise)."""
        parts = tuple(str(p) for p in parts)
        best: tuple[int, Location] | None = None
        for layer in self.layers:
            for n in range(len(parts), 0, -1):
                if parts[:n] in layer.positions:
                    if best is None or n > best[0]:
                        best = (n, layer.locate(parts))
                    break
        if best is not None:
            return best[1]
        return self.layers[0].locate(parts) if self.layers else Location(None)


def find_base(ref: str, overlay_path: str) -> Path | None:
    """The base rubric file: relative to the overlay, or a built-in rubric by stem or id."""
    builtin = Path(__file__).resolve().parents[2] / "rubrics"
    options = [Path(overlay_path).parent / ref, Path(ref), builtin / ref, builtin / f"{ref}.toml"]
    for option in options:
        try:
            # a file: "" or "." name the overlay's folder, and a FIFO would never end
            if ref and option.is_file():
                return option
        except (OSError, ValueError):  # a name too long, a NUL in it
            continue
    return None


def _builtin_stems() -> list[str]:
    """File names (without .toml) of the built-in rubrics, for did-you-mean hints."""
    builtin = Path(__file__).resolve().parents[2] / "rubrics"
    return sorted(p.stem for p in builtin.glob("*.toml"))


def merge(base: dict[str, Any], over: dict[str, Any], *, depth: int = 0) -> dict[str, Any]:
    """``base`` with ``over`` merged in (see the module docstring for the rules)."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if depth == 0 and key == "rubric" and isinstance(value, dict):
            base_meta = out.get("rubric")
            base_meta = base_meta if isinstance(base_meta, dict) else {}
            meta = {k: v for k, v in base_meta.items() if k not in NOT_INHERITED}
            out["rubric"] = meta | value
        elif depth == 0 and key in REPLACED_WHOLE and isinstance(value, dict):
            base_tables = out.get(key)
            base_tables = base_tables if isinstance(base_tables, dict) else {}
            out[key] = {**base_tables, **copy.deepcopy(value)}
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value, depth=depth + 1)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _remove(indicators: dict[str, Any], iid: str) -> bool:
    if iid in indicators:
        del indicators[iid]
        return True
    for raw in indicators.values():
        children = raw.get("children") if isinstance(raw, dict) else None
        if isinstance(children, dict) and _remove(children, iid):
            return True
    return False


def _ids(indicators: dict[str, Any]) -> list[str]:
    out = []
    for iid, raw in indicators.items():
        out.append(iid)
        if isinstance(raw, dict) and isinstance(raw.get("children"), dict):
            out.extend(_ids(raw["children"]))
    return out


def resolve_overlay(
    data: dict[str, Any], smap: SourceMap, path: str, _seen: tuple[str, ...] = ()
) -> tuple[dict[str, Any], LayeredSourceMap | SourceMap, list[Diagnostic]]:
    """Merge ``data`` (an overlay) onto its base; returns merged data, positions, problems."""
    meta = data.get("rubric", {})
    if not isinstance(meta, dict):  # a base's `rubric = 5`: the loader reports it
        meta = {}
    ref = meta.get("extends")
    if ref is None:
        return data, smap, []
    diags: list[Diagnostic] = []
    where = smap.locate(("rubric", "extends"))
    if not isinstance(ref, str):
        diags.append(Diagnostic("error", "type", "`extends` must be a file path", where))
        return data, smap, diags
    base_path = find_base(ref, path)
    if base_path is None:
        diags.append(
            Diagnostic(
                "error",
                "extends-not-found",
                f"base rubric '{ref}' not found",
                where,
                with_suggestion(
                    "give a path relative to this file, or the file name of a built-in rubric",
                    ref,
                    _builtin_stems(),
                ),
            )
        )
        return data, smap, diags
    resolved = str(base_path.resolve())
    if resolved in _seen or resolved == str(Path(path).resolve()):
        diags.append(
            Diagnostic(
                "error", "extends-cycle", f"rubric '{ref}' extends itself (via {ref})", where
            )
        )
        return data, smap, diags
    try:
        text = base_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        diags.append(
            Diagnostic(
                "error",
                "extends-not-found",
                f"cannot read base rubric {base_path}: {exc}",
                where,
                "extends names a rubric file: TOML in UTF-8",
            )
        )
        return data, smap, diags
    try:
        base = toml.loads(text, parse_float=Decimal)
    except toml.TOMLDecodeError as exc:
        from .load import toml_error

        diags.append(toml_error(exc, str(base_path)))
        return data, smap, diags
    base_map = SourceMap.from_toml(text, str(base_path))
    base, base_positions, base_diags = resolve_overlay(
        base, base_map, str(base_path), (*_seen, str(Path(path).resolve()))
    )
    diags.extend(base_diags)
    merged = merge(base, data)
    skip = meta.get("skip", [])
    if not isinstance(skip, list) or not all(isinstance(s, str) for s in skip):
        diags.append(
            Diagnostic(
                "error",
                "type",
                "`skip` must be a list of indicator ids",
                smap.locate(("rubric", "skip")),
            )
        )
        skip = []
    indicators = merged.get("indicators", {})
    known = _ids(indicators) if isinstance(indicators, dict) else []
    for n, iid in enumerate(skip):
        if iid in skip[:n]:
            diags.append(
                Diagnostic(
                    "error",
                    "duplicate",
                    f"'{iid}' is listed twice in skip",
                    smap.locate(("rubric", "skip")),
                    "list each indicator once",
                )
            )
            continue
        if not isinstance(indicators, dict) or not _remove(indicators, iid):
            diags.append(
                Diagnostic(
                    "error",
                    "unknown-indicator",
                    f"cannot skip '{iid}': the base rubric has no such indicator",
                    smap.locate(("rubric", "skip")),
                    with_suggestion("skip lists indicator ids", iid, known),
                )
            )
    layers = [smap] + (
        base_positions.layers if isinstance(base_positions, LayeredSourceMap) else [base_positions]
    )
    return merged, LayeredSourceMap(layers), diags
