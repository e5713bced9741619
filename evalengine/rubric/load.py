"""Rubric TOML → :class:`Rubric`, collecting every problem with its file position.

The loader reads the file with ``tomllib`` (floats as exact Decimals), maps keys to
lines with a :class:`SourceMap`, and builds the model. Problems are collected as
:class:`Diagnostic` rows rather than raised one by one, so ``check`` can show all
of them; :func:`load_rubric` raises a :class:`RubricError` carrying them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import toml
from ..errors import Diagnostic, FormulaSyntaxError, Location, RubricError, with_suggestion
from ..formula import ast, parse_formula
from ..numbers import ROUNDING_MODES, to_decimal
from ..sourcemap import SourceMap
from .model import Band, BandTable, Formula, Indicator, Interval, Rounding, Rubric, Scale

RUBRIC_KEYS = {
    "id": 'short identifier, e.g. "merit"',
    "title": "full title",
    "version": 'version of the instrument, e.g. "2019"',
    "regulation": "the regulation that fixes the rubric",
    "description": "what the rubric measures",
    "valid_from": "first day the version applies (date)",
    "valid_until": "last day the version applies (date)",
    "supersedes": "version this one replaces",
    "stages": 'assessment stages in order, the last is final (e.g. ["mandiri", "verifikasi"])',
    "band": "band table that classifies the headline value",
    "value": "formula of the headline value (default: sum(children))",
    "max": "formula of the headline maximum",
    "round": "decimal places of the headline value",
    "extends": "path of a base rubric this one overrides",
    "skip": "indicator ids of the base rubric to leave out (with `extends`)",
}
TOP_LEVEL_KEYS = {
    "rubric": "metadata",
    "rounding": "rounding policy",
    "scales": "answer scales",
    "bands": "band tables",
    "tables": "lookup tables",
    "params": "named constants formulas read as params.<name>",
    "evidence": "how evidence tables map onto the rubric",
    "indicators": "the indicator tree",
    "tests": "test cases stored with the rubric",
}
INDICATOR_KEYS = {
    "title": "name of the indicator",
    "code": 'number shown in reports, e.g. "3.3"',
    "description": "longer explanation",
    "type": "indicator type (group, score, formula, or one from a plugin)",
    "weight": "bobot",
    "scale": "answer scale of a score indicator",
    "value": "formula of the value",
    "max": "formula of the maximum",
    "round": "decimal places to round the value to",
    "band": "band table that classifies this value",
    "optional": "true when the evidence may leave it out",
    "previous": 'id of the indicator it continues in the superseded version ("" if new); for diff',
    "children": "child indicators",
}
BAND_TABLE_KEYS = {"title", "domain"}
ROUNDING_KEYS = {"places", "mode", "apply"}
SCALE_KEYS = {"title", "values", "range"}


@dataclass
class LoadResult:
    """The rubric (None when it could not be built) and every diagnostic found."""

    rubric: Rubric | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        """Diagnostics of severity error."""
        return [d for d in self.diagnostics if d.severity == "error"]


def _drop_non_finite(node: Any, parts: tuple[str, ...], smap: SourceMap) -> list[Diagnostic]:
    """Report every ``nan`` / ``inf`` of the TOML and leave it out (nothing computes with it).

    TOML has them as floats; a rubric's numbers are exact and finite, and a NaN that
    reached a formula would make every comparison with it fail.
    """
    found: list[Diagnostic] = []
    keys = list(node) if isinstance(node, dict) else range(len(node))
    for key in reversed(keys) if isinstance(node, list) else keys:
        value = node[key]
        here = (*parts, str(key)) if isinstance(node, dict) else parts
        if isinstance(value, Decimal) and not value.is_finite():
            found.append(
                Diagnostic(
                    "error",
                    "type",
                    f"`{here[-1] if here else key}` is {value}, not a finite number",
                    smap.locate(here),
                    "write the number itself (a rubric computes with exact numbers)",
                )
            )
            del node[key]
        elif isinstance(value, dict | list):
            found += _drop_non_finite(value, here, smap)
    return found


def load_rubric(path: str | Path, *, plugins=None, warnings_ok: bool = True) -> Rubric:
    """Load and check a rubric file; raise :class:`RubricError` listing every error."""
    result = read_rubric(path, plugins=plugins)
    if result.errors or result.rubric is None:
        first = result.errors[0] if result.errors else None
        raise RubricError(
            first.message if first else "rubric could not be loaded",
            location=first.location if first else Location(str(path)),
            hint=first.hint if first else None,
            diagnostics=sorted(result.errors, key=lambda d: d.location.sort_key()),
        )
    result.rubric.diagnostics = result.diagnostics
    return result.rubric


def read_rubric(path: str | Path, *, plugins=None) -> LoadResult:
    """Read a rubric and collect diagnostics (syntax, keys, formulas, bands, references)."""
    from ..plugins import default_plugins
    from .check import check_rubric

    plugins = plugins or default_plugins()
    path_str = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadResult(
            None,
            [
                Diagnostic(
                    "error",
                    "not-found",
                    f"rubric file {path} does not exist",
                    Location(path_str),
                    "check the path, or run `evalengine rubrics`",
                )
            ],
        )
    except (OSError, UnicodeDecodeError) as exc:
        return LoadResult(None, [Diagnostic("error", "unreadable", str(exc), Location(path_str))])
    try:
        data = toml.loads(text, parse_float=Decimal)
    except toml.TOMLDecodeError as exc:
        return LoadResult(None, [toml_error(exc, path_str)])
    smap = SourceMap.from_toml(text, path_str)
    overlay_diags: list[Diagnostic] = []
    meta = data.get("rubric")
    if isinstance(meta, dict) and "skip" in meta and "extends" not in meta:
        overlay_diags.append(
            Diagnostic(
                "error",
                "skip-without-extends",
                "`skip` leaves out indicators of a base rubric, but this rubric extends none",
                smap.locate(("rubric", "skip")),
                'add extends = "base.toml", or delete the indicators instead',
            )
        )
    if isinstance(meta, dict) and "extends" in meta:
        from .overlay import resolve_overlay

        data, smap, overlay_diags = resolve_overlay(data, smap, path_str)
        fatal = {"extends-not-found", "extends-cycle", "toml-syntax", "type"}
        if any(d.code in fatal for d in overlay_diags):
            return LoadResult(None, overlay_diags)
    overlay_diags += _drop_non_finite(data, (), smap)
    builder = _Builder(path_str, smap, plugins)
    rubric = builder.build(data)
    diagnostics = overlay_diags + builder.diagnostics
    if rubric is not None:
        # Checks run even after loader errors, so one pass shows every problem; what the
        # loader could not build (a band table with a bad range) is not reported again.
        failed = {
            name
            for section in ("scales", "bands")
            if isinstance(data.get(section), dict)
            for name in data[section]
            if name not in (rubric.scales if section == "scales" else rubric.bands)
        }
        seen = {(d.code, d.location) for d in diagnostics}
        diagnostics += [
            d
            for d in check_rubric(rubric, plugins=plugins)
            if not any(f"'{name}'" in d.message for name in failed)
            and (d.code, d.location) not in seen
        ]
    return LoadResult(rubric, sorted(diagnostics, key=lambda d: d.location.sort_key()))


def toml_error(exc: toml.TOMLDecodeError, path: str) -> Diagnostic:
    """A TOML syntax error as a diagnostic with line and column (parsed from the message)."""
    import re

    message = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", message)
    line = int(m.group(1)) if m else getattr(exc, "lineno", None)
    column = int(m.group(2)) if m else getattr(exc, "colno", None)
    text = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
    text = re.sub(r"\s*\(at end of document\)", " at the end of the file", text)
    hint = "check quotes, brackets and `key = value` syntax on this line"
    if "unclosed inline table" in text.casefold() and line and line > 1 and column == 1:
        # An inline table lives on one line; the parser notices only at the next one.
        line, column = _end_of_previous_line(path, line)
        hint = "close the `{ … }` on this line"
    elif toml.TOO_DEEP in text:
        hint = "nest arrays and tables a few levels deep at most"
    return Diagnostic(
        "error",
        "toml-syntax",
        f"invalid TOML: {text[:1].lower()}{text[1:]}",
        Location(path, line, column),
        hint,
    )


def _end_of_previous_line(path: str, line: int) -> tuple[int, int]:
    """(line, column after its last character) of the last non-blank line before ``line``."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return line, 1
    for number in range(min(line - 1, len(lines)), 0, -1):
        text = lines[number - 1].split("#", 1)[0].rstrip()
        if text:
            return number, len(text) + 1
    return line, 1


class _Builder:
    """Turns the raw TOML dict into the model, noting every problem."""

    def __init__(self, path: str, smap: SourceMap, plugins) -> None:
        self.path = path
        self.smap = smap
        self.plugins = plugins
        self.diagnostics: list[Diagnostic] = []

    # -- helpers ---------------------------------------------------------------
    def loc(self, *parts: str) -> Location:
        return self.smap.locate(parts)

    def error(self, code: str, message: str, parts: tuple[str, ...], hint: str | None = None):
        self.diagnostics.append(Diagnostic("error", code, message, self.loc(*parts), hint))

    def unknown_keys(self, table: dict, allowed, parts: tuple[str, ...], what: str) -> None:
        for key in table:
            if key not in allowed:
                hint = with_suggestion(f"{what} keys: {', '.join(sorted(allowed))}", key, allowed)
                self.error("unknown-key", f"unknown key `{key}` in {what}", (*parts, key), hint)

    def expect_table(self, value: Any, parts: tuple[str, ...]) -> dict:
        if isinstance(value, dict):
            return value
        self.error("type", f"`{'.'.join(parts)}` must be a table", parts)
        return {}

    def text(self, table: dict, key: str, parts: tuple[str, ...], *, required=False) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.error(
                    "missing-key", f"missing required key `{key}`", parts, f'add {key} = "…"'
                )
            return None
        if not isinstance(value, str):
            self.error(
                "type", f"`{key}` must be a string, got {type(value).__name__}", (*parts, key)
            )
            return None
        return value

    def number(self, table: dict, key: str, parts: tuple[str, ...]) -> Decimal | None:
        value = table.get(key)
        if value is None:
            return None
        try:
            return to_decimal(value)
        except ValueError as exc:
            self.error("type", f"`{key}` must be a number: {exc}", (*parts, key))
            return None

    def formula(self, table: dict, key: str, parts: tuple[str, ...]) -> Formula | None:
        text = table.get(key)
        if text is None:
            return None
        if isinstance(text, int | Decimal) and not isinstance(text, bool):
            text = f"{text}"
        if not isinstance(text, str):
            self.error("type", f"`{key}` must be a formula string", (*parts, key))
            return None
        origin = self.formula_origin((*parts, key))
        try:
            tree = parse_formula(text, origin=origin)
        except FormulaSyntaxError as exc:
            self.diagnostics.append(exc.as_diagnostic())
            return None
        return Formula(text, tree, origin)

    def formula_failed(self, parts: tuple[str, ...], key: str) -> bool:
        """True when the formula at ``parts.key`` was reported as a syntax error."""
        wanted = ".".join((*parts, key))
        return any(
            d.code == "formula-syntax" and d.location.key == wanted for d in self.diagnostics
        )

    def formula_origin(self, parts: tuple[str, ...]) -> Location:
        """Location of the first character inside the quotes of the string at ``parts``."""
        loc = self.loc(*parts)
        if loc.line is None or loc.column is None:
            return loc
        return Location(loc.path, loc.line, loc.column + 1, loc.key)

    # -- sections --------------------------------------------------------------
    def build(self, data: dict) -> Rubric | None:
        self.unknown_keys(data, TOP_LEVEL_KEYS, (), "the rubric file")
        meta = self.expect_table(data.get("rubric", {}), ("rubric",))
        if "rubric" not in data:
            self.error("missing-key", "missing [rubric] table", (), "start the file with [rubric]")
            return None
        self.unknown_keys(meta, RUBRIC_KEYS, ("rubric",), "[rubric]")
        rid = self.text(meta, "id", ("rubric",), required=True) or "rubric"
        title = self.text(meta, "title", ("rubric",), required=True) or rid
        version = meta.get("version")
        version = str(version) if version is not None else "1"
        stages = meta.get("stages", [])
        if not (isinstance(stages, list) and all(isinstance(s, str) for s in stages)):
            self.error("type", "`stages` must be a list of names", ("rubric", "stages"))
            stages = []
        rounding = self.rounding(data.get("rounding", {}))
        scales = {
            name: scale
            for name, raw in self.expect_table(data.get("scales", {}), ("scales",)).items()
            if (scale := self.scale(name, raw)) is not None
        }
        bands = {
            name: table
            for name, raw in self.expect_table(data.get("bands", {}), ("bands",)).items()
            if (table := self.band_table(name, raw)) is not None
        }
        root = Indicator(
            id=rid,
            title=title,
            type="group",
            value=self.formula(meta, "value", ("rubric",)),
            max=self.formula(meta, "max", ("rubric",)),
            round=self.places(meta, "round", ("rubric",)),
            band=self.text(meta, "band", ("rubric",)),
            location=self.loc("rubric"),
            key=("rubric",),
            key_locations={k: self.loc("rubric", k) for k in meta},
        )
        indicators = self.expect_table(data.get("indicators", {}), ("indicators",))
        if not indicators:
            self.error(
                "missing-key",
                "the rubric has no indicators",
                ("indicators",),
                "add at least one [indicators.<id>] table",
            )
        for iid, raw in indicators.items():
            child = self.indicator(iid, raw, ("indicators", iid), root)
            if child is not None:
                root.children.append(child)
        if root.value is not None and not root.children:
            root.type = "formula"
        return Rubric(
            id=rid,
            title=title,
            version=version,
            root=root,
            path=self.path,
            regulation=self.text(meta, "regulation", ("rubric",)),
            description=self.text(meta, "description", ("rubric",)),
            valid_from=self.date(meta, "valid_from"),
            valid_until=self.date(meta, "valid_until"),
            supersedes=None if meta.get("supersedes") is None else str(meta["supersedes"]),
            stages=tuple(stages),
            rounding=rounding,
            scales=scales,
            bands=bands,
            tables=self.lookup_tables(data.get("tables", {})),
            params=self.expect_table(data.get("params", {}), ("params",)),
            evidence_spec=self.evidence_layout(data.get("evidence", {})),
            extra={k: data[k] for k in ("tests",) if k in data}
            | ({"extends": meta["extends"]} if "extends" in meta else {}),
        )

    def lookup_tables(self, raw: Any) -> dict[str, dict]:
        """``[tables.<name>]``: each a table of key → value (others reported and left out)."""
        return {
            name: table
            for name, table in self.expect_table(raw, ("tables",)).items()
            if isinstance(table, dict) or self.expect_table(table, ("tables", name))
        }

    def evidence_layout(self, raw: Any) -> dict[str, Any]:
        """``[evidence]``, with every value of the wrong kind reported and left out.

        What stays has the shape :mod:`evalengine.evidence.schema` and the table types
        read: tables of tables, columns written as a table or a type name, text where a
        name or policy goes, aliases as text or a list of texts.
        """
        spec = dict(self.expect_table(raw, ("evidence",)))
        if "tables" not in spec:
            return spec
        tables: dict[str, Any] = {}
        for tname, traw in self.expect_table(spec["tables"], ("evidence", "tables")).items():
            parts = ("evidence", "tables", tname)
            if not isinstance(traw, dict):
                self.expect_table(traw, parts)
                continue
            table = {k: v for k, v in traw.items() if self.layout_value(parts, k, v)}
            if "columns" in table:
                columns = {}
                for cname, craw in self.expect_table(table["columns"], (*parts, "columns")).items():
                    cparts = (*parts, "columns", cname)
                    if isinstance(craw, str):
                        columns[cname] = craw
                    elif isinstance(craw, dict):
                        columns[cname] = {
                            k: v for k, v in craw.items() if self.layout_value(cparts, k, v)
                        }
                    else:
                        self.error(
                            "type",
                            f"column '{cname}' must be a table or a type name",
                            cparts,
                            '{ type = "number", aliases = ["…"] }, or "number"',
                        )
                table["columns"] = columns
            tables[tname] = table
        spec["tables"] = tables
        return spec

    def layout_value(self, parts: tuple[str, ...], key: str, value: Any) -> bool:
        """Whether ``value`` has the kind key ``key`` of a table or column layout needs."""
        if key in ("title", "type", "label", "invalid", "between_rows", "min_sample"):
            ok, kind = isinstance(value, str), "text"
        elif key == "aliases":
            ok = isinstance(value, str) or (
                isinstance(value, list) and all(isinstance(a, str) for a in value)
            )
            kind = "text or a list of texts"
        elif key == "required":
            ok, kind = isinstance(value, bool), "true or false"
        elif key == "default":
            ok, kind = not isinstance(value, dict | list), "one value"
        else:  # columns, improve, improve_steps: checked by their readers
            return True
        if not ok:
            self.error("type", f"`{key}` must be {kind}, got {type(value).__name__}", (*parts, key))
        return ok

    def date(self, meta: dict, key: str) -> dt.date | None:
        value = meta.get(key)
        if value is None or isinstance(value, dt.date):
            return value
        self.error(
            "type", f"`{key}` must be a TOML date like 2022-01-01 (no quotes)", ("rubric", key)
        )
        return None

    def places(self, table: dict, key: str, parts: tuple[str, ...]) -> int | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            self.error(
                "type", f"`{key}` must be a whole number of decimal places (0–10)", (*parts, key)
            )
            return None
        return value

    def rounding(self, raw: Any) -> Rounding:
        table = self.expect_table(raw, ("rounding",))
        self.unknown_keys(table, ROUNDING_KEYS, ("rounding",), "[rounding]")
        places = self.places(table, "places", ("rounding",))
        mode = table.get("mode", "half_up")
        if not isinstance(mode, str) or mode not in ROUNDING_MODES:
            self.error(
                "value",
                f"unknown rounding mode '{mode}'",
                ("rounding", "mode"),
                with_suggestion(f"modes: {', '.join(ROUNDING_MODES)}", str(mode), ROUNDING_MODES),
            )
            mode = "half_up"
        apply = table.get("apply", "headline" if table else "none")
        if not isinstance(apply, str) or apply not in ("headline", "none"):
            self.error(
                "value",
                f"unknown rounding apply '{apply}'",
                ("rounding", "apply"),
                "use headline or none",
            )
            apply = "headline"
        return Rounding(places if places is not None else 2, mode, apply)

    def scale(self, name: str, raw: Any) -> Scale | None:
        parts = ("scales", name)
        table = self.expect_table(raw, parts)
        self.unknown_keys(table, SCALE_KEYS, parts, f"scale '{name}'")
        values_raw = table.get("values")
        values: dict[str, Decimal] = {}
        if isinstance(values_raw, list):
            for item in values_raw:
                try:
                    number = to_decimal(item)
                except ValueError as exc:
                    self.error("type", f"scale value {item!r}: {exc}", (*parts, "values"))
                    continue
                values[f"{number:f}"] = number
        elif isinstance(values_raw, dict):
            for label, value in values_raw.items():
                try:
                    values[str(label)] = to_decimal(value)
                except ValueError as exc:
                    self.error(
                        "type", f"scale value of '{label}': {exc}", (*parts, "values", label)
                    )
        else:
            self.error(
                "missing-key",
                f"scale '{name}' needs `values`",
                parts,
                'values = { "1" = 1, "2" = 2 } or values = [1, 2, 3, 4]',
            )
            return None
        if not values:
            self.error("value", f"scale '{name}' has no values", (*parts, "values"))
            return None
        declared = None
        if "range" in table:
            declared = self.interval(table["range"], (*parts, "range"))
        if declared is not None:
            for label, number in values.items():
                if not declared.contains(number):
                    where = (
                        (*parts, "values", label)
                        if isinstance(values_raw, dict)
                        else (
                            *parts,
                            "values",
                        )
                    )
                    self.error(
                        "scale-range",
                        f"scale '{name}' value {label}={number:f} is outside its range {declared}",
                        where,
                        "correct the value, or widen `range`",
                    )
        return Scale(name, str(table.get("title", name)), values, self.loc(*parts), declared)

    def interval(self, text: Any, parts: tuple[str, ...]) -> Interval | None:
        if not isinstance(text, str):
            self.error("type", 'an interval must be a string like "(90..100]"', parts)
            return None
        origin = self.formula_origin(parts)
        try:
            tree = parse_formula(text, origin=origin)
        except FormulaSyntaxError as exc:
            self.diagnostics.append(exc.as_diagnostic())
            return None
        if not isinstance(tree, ast.Interval) or not all(
            isinstance(e, ast.Number) for e in tree.children()
        ):
            self.error(
                "type",
                f"{text!r} is not an interval of numbers",
                parts,
                'write it like "(80..90]" or "[91..)"',
            )
            return None
        lo = tree.lo.value if isinstance(tree.lo, ast.Number) else None
        hi = tree.hi.value if isinstance(tree.hi, ast.Number) else None
        if lo is not None and hi is not None and lo > hi:
            self.error(
                "value", f"interval {text} is empty: its lower end is above its upper end", parts
            )
            return None
        return Interval(
            lo, hi, tree.lo_closed and lo is not None, tree.hi_closed and hi is not None
        )

    def band_table(self, name: str, raw: Any) -> BandTable | None:
        parts = ("bands", name)
        table = self.expect_table(raw, parts)
        domain = None
        if "domain" in table:
            domain = self.interval(table["domain"], (*parts, "domain"))
        bands: list[Band] = []
        for label, spec in table.items():
            if label in BAND_TABLE_KEYS:
                continue
            bparts = (*parts, label)
            if not isinstance(spec, dict):
                self.error(
                    "type",
                    f'band \'{label}\' must be a table: {{ range = "…", meaning = "…" }}',
                    bparts,
                )
                continue
            self.unknown_keys(spec, {"range", "meaning"}, bparts, f"band '{label}'")
            if "range" not in spec:
                self.error(
                    "missing-key",
                    f"band '{label}' has no `range`",
                    bparts,
                    'add range = "(80..90]"',
                )
                continue
            interval = self.interval(spec["range"], (*bparts, "range"))
            if interval is not None:
                bands.append(Band(label, str(spec.get("meaning", "")), interval, self.loc(*bparts)))
        if not bands:
            self.error("value", f"band table '{name}' has no bands", parts)
            return None
        result = BandTable(
            name, str(table.get("title", name)), tuple(bands), domain, self.loc(*parts)
        )
        self.diagnostics.extend(band_problems(result))
        return result

    def indicator(self, iid: str, raw: Any, parts: tuple[str, ...], parent: Indicator):
        table = self.expect_table(raw, parts)
        if not table:
            return None
        if not iid.isidentifier():
            self.error(
                "value",
                f"indicator id '{iid}' must be a name (letters, digits, _)",
                parts,
                "use ids like i3_3; put the printed number in `code`",
            )
        type_name = self.text(table, "type", parts)  # not a string: reported, then inferred
        if type_name is None:
            type_name = (
                "group"
                if "children" in table
                else "score"
                if "scale" in table
                else "formula"
                if "value" in table
                else None
            )
        if type_name is None:
            self.error(
                "missing-key",
                f"indicator '{iid}' has no children, scale, value or type",
                parts,
                "give it children, a `scale` (score) or a `value` formula",
            )
            type_name = "formula"
        registry = self.plugins.indicator_types
        options: dict[str, str] = {}
        if type_name in registry:
            options = dict(registry.get(type_name).options)
        else:
            hint = with_suggestion(f"installed: {', '.join(registry)}", str(type_name), registry)
            self.error(
                "unknown-type", f"unknown indicator type '{type_name}'", (*parts, "type"), hint
            )
        self.unknown_keys(table, INDICATOR_KEYS | options, parts, f"indicator '{iid}'")
        scale = self.text(table, "scale", parts)
        ind = Indicator(
            id=iid,
            title=self.text(table, "title", parts) or iid,
            type=str(type_name),
            code=None if table.get("code") is None else str(table["code"]),
            description=self.text(table, "description", parts),
            weight=self.number(table, "weight", parts),
            scale=scale,
            value=self.formula(table, "value", parts),
            max=self.formula(table, "max", parts),
            round=self.places(table, "round", parts),
            band=self.text(table, "band", parts),
            optional=bool(table.get("optional", False)),
            previous=self.text(table, "previous", parts),
            broken=any(k in table and self.formula_failed(parts, k) for k in ("value", "max")),
            options={k: table[k] for k in options if k in table},
            parent=parent,
            location=self.loc(*parts),
            key=parts,
            key_locations={k: self.loc(*parts, k) for k in table if k != "children"},
        )
        children = self.expect_table(table.get("children", {}), (*parts, "children"))
        for cid, craw in children.items():
            child = self.indicator(cid, craw, (*parts, "children", cid), ind)
            if child is not None:
                ind.children.append(child)
        return ind


def band_problems(table: BandTable) -> list[Diagnostic]:
    """Gaps and overlaps between the bands of a table, and gaps at the ends of its domain."""
    problems: list[Diagnostic] = []
    bands = table.ordered()
    for a, b in itertools.pairwise(bands):
        ia, ib = a.interval, b.interval
        if ia.hi is None or ib.lo is None:
            problems.append(
                _band_diag(
                    "band-overlap", f"bands '{a.label}' {ia} and '{b.label}' {ib} overlap", b
                )
            )
            continue
        if ia.hi < ib.lo or (ia.hi == ib.lo and not ia.hi_closed and not ib.lo_closed):
            problems.append(
                _band_diag(
                    "band-gap",
                    f"gap between bands '{a.label}' {ia} and '{b.label}' {ib}: values from "
                    f"{ia.hi:f} to {ib.lo:f} fall in no band",
                    b,
                    "make one end closed where the other is open, e.g. (70..80] then (80..90]",
                )
            )
        elif ia.hi > ib.lo or (ia.hi == ib.lo and ia.hi_closed and ib.lo_closed):
            problems.append(
                _band_diag(
                    "band-overlap",
                    f"bands '{a.label}' {ia} and '{b.label}' {ib} overlap"
                    + (f" at {ia.hi:f}" if ia.hi == ib.lo else ""),
                    b,
                    "an edge belongs to one band only: close one side and open the other",
                )
            )
    domain = table.domain
    if domain is not None and bands:
        first, last = bands[0].interval, bands[-1].interval
        if first.lo is not None and (
            domain.lo is None
            or first.lo > domain.lo
            or (first.lo == domain.lo and domain.lo_closed and not first.lo_closed)
        ):
            problems.append(
                _band_diag(
                    "band-gap",
                    f"domain {domain} starts below the lowest band '{bands[0].label}' {first}",
                    bands[0],
                )
            )
        if last.hi is not None and (
            domain.hi is None
            or last.hi < domain.hi
            or (last.hi == domain.hi and domain.hi_closed and not last.hi_closed)
        ):
            problems.append(
                _band_diag(
                    "band-gap",
                    f"domain {domain} ends above the highest band '{bands[-1].label}' {last}",
                    bands[-1],
                )
            )
    return problems


def _band_diag(code: str, message: str, band: Band, hint: str | None = None) -> Diagnostic:
    return Diagnostic("error", code, message, band.location, hint)
