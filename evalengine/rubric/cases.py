"""Rubric tests as data: cases of evidence and expected results, stored beside a rubric.

Where cases live (both are found by ``evalengine test``):

- ``rubrics/tests/<rubric-stem>/*.toml`` — the documented place: one or more files of
  cases per rubric, found by folder name (``rubrics/tests/merit-2019/`` tests
  ``rubrics/merit-2019.toml``). A file may name its rubric with a top-level
  ``rubric = "path/relative/to/the/file.toml"``.
- ``[tests.<name>]`` tables inside the rubric itself, for a small rubric.

One case::

    [cases.m2_all_3]
    description = "every indicator skor 3"
    source = "regulations.md §6.1 M2"
    answer_all = 3                    # every answered indicator not listed in [answers]
    evidence_file = "../../../examples/x/evidence.toml"   # optional base evidence
    [cases.m2_all_3.answers]          # and [evidence] [facts] [stated] [tables], as in
    i1_1 = 4                          # an evidence file
    [cases.m2_all_3.expect]
    value = 307.5                     # headline, final stage
    band = "III"
    stages = { mandiri = { value = 340, band = "IV" } }
    indicators = { pengadaan = 10, i3_3 = { value = 0, band = "…" } }
    warnings = ["falls in no band"]   # node warnings expected (exactly these, by substring)

A case may set rubric parameters (``[cases.<name>.params]``, like ``score --param``:
only parameters the rubric declares, a number stays a number), and an indicator
expectation may name fields of the node's ``extra`` besides value, band and meaning
(``indicators = { belanja = { value = 95.25, sisa_persen = 4.75 } }``), as stated
figures do.

A *band case* tests the headline band table alone: ``value = 174.5`` with
``expect.band``; the rubric's headline rounding is applied first.

Numbers are compared at the precision the expected value is written with (an
expected ``88.58`` matches a computed 88.5833…, half-up), like a printed figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import toml
from ..errors import EvalEngineError, Location
from ..numbers import plain, round_to, to_decimal
from .model import BandTable, Rubric

EVIDENCE_SECTIONS = ("evidence", "answers", "facts", "stated", "tables")
CASE_KEYS = {
    "description",
    "source",
    "answer_all",
    "evidence_file",
    "expect",
    "band_table",
    "value",
    "params",
    *EVIDENCE_SECTIONS,
}
EXPECT_KEYS = {"value", "band", "meaning", "max", "stages", "indicators", "warnings"}


@dataclass
class Case:
    """One test case: where it is written, its rubric, and its raw definition."""

    name: str
    file: Path
    rubric_path: Path
    spec: dict[str, Any]

    @property
    def is_band_case(self) -> bool:
        """True for a case that classifies a value with the headline band table only."""
        spec = self.spec if isinstance(self.spec, dict) else {}
        return "value" in spec and not any(k in spec for k in EVIDENCE_SECTIONS)


@dataclass
class CaseResult:
    """The outcome of one case."""

    case: Case
    failures: list[str] = field(default_factory=list)
    bands: set[str] = field(default_factory=set)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return not self.failures and self.error is None


@dataclass
class SuiteResult:
    """All cases run, grouped by rubric, with band coverage of each headline table."""

    results: list[CaseResult] = field(default_factory=list)
    #: rubric path → (band table name, all labels, labels reached)
    coverage: dict[Path, tuple[str, list[str], set[str]]] = field(default_factory=dict)
    #: rubrics found without any case
    untested: list[Path] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    def missing_bands(self) -> dict[Path, list[str]]:
        """Rubric → headline bands no case reached."""
        out = {}
        for path, (_, labels, reached) in self.coverage.items():
            missing = [label for label in labels if label not in reached]
            if missing:
                out[path] = missing
        return out

    @property
    def ok(self) -> bool:
        return (
            bool(self.results)
            and not self.failed
            and not self.missing_bands()
            and not (self.untested)
        )


# -- discovery -----------------------------------------------------------------
def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return toml.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except FileNotFoundError:
        msg = f"{path} does not exist"
        raise EvalEngineError(
            msg, location=Location(str(path)), hint="a case file names its rubric by a path"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"cannot read {path}: {exc}"
        raise EvalEngineError(msg, location=Location(str(path))) from None
    except toml.TOMLDecodeError as exc:
        from .load import toml_error

        d = toml_error(exc, str(path))
        raise EvalEngineError(d.message, location=d.location, hint=d.hint, code=d.code) from None


def rubric_for_case_file(path: Path, data: dict[str, Any]) -> Path:
    """The rubric a case file tests: its ``rubric`` key, else its folder's name."""
    if "rubric" in data and isinstance(data["rubric"], str):
        return (path.parent / data["rubric"]).resolve()
    stem = path.parent.name
    for candidate in (path.parent.parent.parent / f"{stem}.toml", path.parent / f"{stem}.toml"):
        if candidate.exists():
            return candidate.resolve()
    from ..cli.common import resolve_rubric_path

    return resolve_rubric_path(stem).resolve()


def sidecar_dir(rubric_path: Path) -> Path:
    """``rubrics/tests/<stem>/`` for ``rubrics/<stem>.toml``."""
    return rubric_path.parent / "tests" / rubric_path.stem


def discover(paths: list[Path]) -> tuple[list[Case], list[Path]]:
    """Cases under ``paths`` (rubrics, case files or folders) and the rubrics found."""
    case_files: set[Path] = set()
    rubrics: set[Path] = set()
    for path in paths:
        files = sorted(path.rglob("*.toml")) if path.is_dir() else [path]
        for file in files:
            data = _read_toml(file)
            if "cases" in data:
                case_files.add(file.resolve())
            elif isinstance(data.get("rubric"), dict):
                rubrics.add(file.resolve())
                side = sidecar_dir(file)
                if side.is_dir():
                    case_files.update(p.resolve() for p in side.glob("*.toml"))
    cases: list[Case] = []
    for file in sorted(case_files):
        data = _read_toml(file)
        rubric_path = rubric_for_case_file(file, data)
        rubrics.add(rubric_path)
        for name, spec in _tables(data.get("cases"), file, "cases").items():
            cases.append(Case(name, file, rubric_path, spec))
    for rubric_path in sorted(rubrics):
        data = _read_toml(rubric_path)
        for name, spec in _tables(data.get("tests"), rubric_path, "tests").items():
            cases.append(Case(name, rubric_path, rubric_path, spec))
    return cases, sorted(rubrics)


def _tables(raw: Any, file: Path, section: str) -> dict[str, Any]:
    """``[cases]`` (or a rubric's ``[tests]``): a table of cases; anything else an error."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        msg = f"`{section}` must be a table of cases, got {type(raw).__name__}"
        raise EvalEngineError(
            msg, location=Location(str(file), key=section), hint=f"[{section}.<name>] …"
        )
    return raw


def _spec_problem(spec: Any) -> str | None:
    """Why a case's definition cannot be run (a value of the wrong kind), if it cannot.

    The runner reads expected figures as numbers or text, expected nodes as tables, and
    the case's sections as tables; each is checked here so that a case written oddly
    is a failed case with a reason, not a crash of the whole run.
    """
    if not isinstance(spec, dict):
        return f"a case must be a table, got {type(spec).__name__}"
    for key in ("params", "expect", *EVIDENCE_SECTIONS):
        if key in spec and not isinstance(spec[key], dict):
            return f"`{key}` must be a table, got {type(spec[key]).__name__}"
    for key in ("band_table", "evidence_file", "description", "source"):
        if key in spec and not isinstance(spec[key], str):
            return f"`{key}` must be text, got {type(spec[key]).__name__}"
    if "value" in spec and (problem := _figure_problem("value", spec["value"], text=False)):
        return problem  # a band case classifies a number
    if "answer_all" in spec and (problem := _figure_problem("answer_all", spec["answer_all"])):
        return problem  # a number, or a label of the scale
    expect = spec.get("expect", {})
    for key in ("value", "max"):
        if key in expect and (problem := _figure_problem(f"expect.{key}", expect[key])):
            return problem
    for key in ("band", "meaning"):
        if key in expect and not isinstance(expect[key], str):
            return f"`expect.{key}` must be text, got {type(expect[key]).__name__}"
    warnings = expect.get("warnings", [])
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        return "`expect.warnings` must be a list of texts"
    for key in ("stages", "indicators"):
        nodes = expect.get(key, {})
        if not isinstance(nodes, dict):
            return f"`expect.{key}` must be a table, got {type(nodes).__name__}"
        for name, want in nodes.items():
            fields = want if isinstance(want, dict) else {"value": want}
            for field_name, figure in fields.items():
                where = f"expect.{key}.{name}.{field_name}"
                if field_name in ("band", "meaning") and not isinstance(figure, str):
                    return f"`{where}` must be text, got {type(figure).__name__}"
                if field_name not in ("band", "meaning") and (
                    problem := _figure_problem(where, figure)
                ):
                    return problem
    return None


def _figure_problem(where: str, value: Any, *, text: bool = True) -> str | None:
    """Why ``value`` is no figure: a number, or (``text``) text compared as written."""
    if text and isinstance(value, str):
        return None
    try:
        to_decimal(value)
    except ValueError as exc:
        return f"`{where}` must be a number or text: {exc}"
    return None


# -- running -------------------------------------------------------------------
def _matches(expected: Any, actual: Any) -> bool:
    """A number at the precision written; text exactly."""
    if isinstance(expected, str) and not _numeric(expected):
        return isinstance(actual, str) and expected == actual
    if not isinstance(actual, Decimal):
        return False
    want = to_decimal(expected)
    places = max(0, -want.as_tuple().exponent) if isinstance(want.as_tuple().exponent, int) else 0
    return round_to(actual, places) == want or actual == want


def _numeric(text: str) -> bool:
    try:
        to_decimal(text)
    except ValueError:
        return False
    return True


def headline_rounded(rubric: Rubric, value: Decimal) -> Decimal:
    """``value`` after the rounding the rubric applies to its headline."""
    places = rubric.root.round
    if places is None and rubric.rounding.apply == "headline":
        places = rubric.rounding.places
    return round_to(value, places, rubric.rounding.mode) if places is not None else value


def with_params(rubric: Rubric, params: dict[str, Any]) -> Rubric:
    """``rubric`` with the case's parameters set (a shallow copy; the loaded rubric is shared)."""
    if not params:
        return rubric
    import copy

    from ..cli.common import apply_params

    changed = copy.copy(rubric)
    changed.params = dict(rubric.params)
    apply_params(changed, [f"{name}={value}" for name, value in params.items()])
    return changed


def build_case_evidence(case: Case, rubric: Rubric, plugins):
    """The evidence of a case: its base file (if any), its sections, and ``answer_all``."""
    from ..evidence.model import ANY_STAGE, EvidenceValue, Provenance
    from ..evidence.readers import build_evidence, read_evidence
    from ..evidence.tables import load_tables

    spec = case.spec
    data = {k: spec[k] for k in EVIDENCE_SECTIONS if k in spec}
    if "evidence_file" in spec:
        evidence = read_evidence(case.file.parent / str(spec["evidence_file"]), plugins=plugins)
        extra = build_evidence(data, str(case.file), None)
        load_tables(extra, case.file, plugins=plugins)
        evidence.tables.update(extra.tables)
        for iid, per_stage in extra.answers.items():
            evidence.answers[iid] = per_stage
        evidence.facts.update(extra.facts)
        evidence.stated.update(extra.stated)
        evidence.meta.update({k: v for k, v in extra.meta.items() if not k.startswith("_")})
    else:
        evidence = build_evidence(data, str(case.file), None)
        load_tables(evidence, case.file, plugins=plugins)
    if "answer_all" in spec:
        types = plugins.indicator_types
        for ind in rubric.indicators():
            answered = ind.type in types and types.get(ind.type).answered
            if answered and ind.id not in evidence.answers:
                evidence.answers[ind.id] = {
                    ANY_STAGE: EvidenceValue(
                        spec["answer_all"],
                        Provenance(str(case.file), key=f"cases.{case.name}.answer_all"),
                    )
                }
    return evidence


def _check_node(label: str, expect: Any, value: Any, band, failures: list[str], extra=None) -> None:
    """Compare one node: value, band, meaning and (given ``extra``) fields of its extra."""
    if isinstance(expect, dict):
        if "value" in expect and not _matches(expect["value"], value):
            failures.append(f"{label}: expected {expect['value']}, got {_show(value)}")
        if "band" in expect:
            got = band.label if band else None
            if got != expect["band"]:
                failures.append(f"{label}: expected band {expect['band']}, got {got}")
        if "meaning" in expect:
            got = band.meaning if band else None
            if got != expect["meaning"]:
                failures.append(f"{label}: expected meaning {expect['meaning']!r}, got {got!r}")
        for key in sorted(set(expect) - {"value", "band", "meaning"}):
            if extra is None or key not in extra:
                failures.append(f"{label}: no field {key!r}")
            elif not _matches(expect[key], extra[key]):
                failures.append(f"{label}: {key} expected {expect[key]}, got {_show(extra[key])}")
    elif not _matches(expect, value):
        failures.append(f"{label}: expected {expect}, got {_show(value)}")


def _show(value: Any) -> str:
    return plain(value) if isinstance(value, Decimal) else repr(value)


def run_case(case: Case, rubric: Rubric, plugins) -> CaseResult:
    """Run one case against its (loaded) rubric."""
    from ..evaluate.engine import Engine

    result = CaseResult(case)
    spec = case.spec
    result.error = _spec_problem(spec)
    if result.error:
        return result
    unknown = set(spec) - CASE_KEYS
    if unknown:
        result.error = f"unknown key(s) {', '.join(sorted(unknown))} in case"
        return result
    expect = spec.get("expect", {})
    if set(expect) - EXPECT_KEYS:
        result.error = f"unknown key(s) {', '.join(sorted(set(expect) - EXPECT_KEYS))} in expect"
        return result
    if not expect:
        result.error = "the case has no [expect] table"
        return result
    if case.is_band_case:
        table_name = str(spec.get("band_table", rubric.root.band))
        table: BandTable | None = rubric.bands.get(table_name)
        if table is None:
            result.error = f"unknown band table '{table_name}'"
            return result
        value = to_decimal(spec["value"])
        if table_name == rubric.root.band:
            value = headline_rounded(rubric, value)
        band = table.classify(value)
        _check_node(
            "band case",
            {k: v for k, v in expect.items() if k != "value"},
            value,
            band,
            result.failures,
        )
        if band is not None and table_name == rubric.root.band:
            result.bands.add(band.label)
        return result
    try:
        rubric = with_params(rubric, spec.get("params") or {})
        evidence = build_case_evidence(case, rubric, plugins)
        scored = Engine(rubric, plugins=plugins).evaluate(evidence)
    except EvalEngineError as exc:
        result.error = f"{exc.code}: {exc.message}" + (
            f" ({exc.location})" if exc.location != Location() else ""
        )
        return result
    root = scored.root
    headline = {k: expect[k] for k in ("value", "band", "meaning") if k in expect}
    if headline:
        _check_node("headline", headline, root.value, root.band, result.failures)
    if "max" in expect and not _matches(expect["max"], root.max):
        result.failures.append(f"headline max: expected {expect['max']}, got {_show(root.max)}")
    for stage, want in (expect.get("stages") or {}).items():
        if stage not in root.stages:
            result.failures.append(f"stage {stage}: the rubric has no such stage")
            continue
        _check_node(
            f"stage {stage}", want, root.stages[stage], root.stage_bands.get(stage), result.failures
        )
    for ref, want in (expect.get("indicators") or {}).items():
        node = scored.find(ref)
        if node is None:
            result.failures.append(f"indicator {ref}: not in the rubric")
            continue
        _check_node(
            f"indicator {ref}", want, node.value, node.band, result.failures, extra=node.extra
        )
    if "warnings" in expect:
        got = [f"{n.label}: {w}" for n in root.walk() for w in n.warnings]
        wanted = list(expect["warnings"])
        for w in wanted:
            if not any(w in g for g in got):
                result.failures.append(f"expected warning {w!r} not given")
        for g in got:
            if not any(w in g for w in wanted):
                result.failures.append(f"unexpected warning: {g}")
    if root.band is not None:
        result.bands.add(root.band.label)
    result.bands.update(b.label for b in root.stage_bands.values() if b is not None)
    return result


def run_suite(paths: list[Path], *, plugins=None) -> SuiteResult:
    """Discover and run every case under ``paths``; compute band coverage per rubric."""
    from ..plugins import default_plugins
    from .load import load_rubric

    plugins = plugins or default_plugins()
    cases, rubric_paths = discover(paths)
    suite = SuiteResult()
    loaded: dict[Path, Rubric] = {}
    for path in rubric_paths:
        loaded[path] = load_rubric(path, plugins=plugins)
    for case in cases:
        suite.results.append(run_case(case, loaded[case.rubric_path], plugins))
    tested = {c.rubric_path for c in cases}
    for path, rubric in loaded.items():
        if path not in tested:
            suite.untested.append(path)
            continue
        table = rubric.bands.get(rubric.root.band or "")
        if table is None:
            continue
        reached = set().union(*(r.bands for r in suite.results if r.case.rubric_path == path))
        suite.coverage[path] = (table.name, [b.label for b in table.ordered()], reached)
    return suite
