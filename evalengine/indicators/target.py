"""The ``target`` indicator type: capaian kinerja, realisasi against target.

A target is a number (``257``), a range (``"76,61 - 88,30"``), a predikat
(``"BB"``, ordered by a band table of the rubric) or zero. Polarity says whether
a higher or a lower realisasi is better; lower-is-better has two formulas in use,
named per indicator (``"2t-r"``, variant A, the default; ``"t/r"``, variant B).
Capaian is kept exact and uncapped on every indicator; an optional cap applies
only where capaian values are averaged (sasaran and the headline).

Two ways to use it:

* one indicator per IKU: ``type = "target"``; target and realisasi come from
  ``[facts.<indicator id>]`` (``target = 257``, ``realisasi = 252``, optionally
  ``target_renstra = 143`` …);
* a whole capaian table: ``type = "target"`` with ``table = "iku"``; each row of
  the evidence table (columns ``id``, ``sasaran``, ``indikator``, ``target``,
  ``realisasi`` and optionally ``polarity``, ``formula``, ``bands``,
  ``target_<name>``) becomes a result node, rows are grouped by ``sasaran`` (mean
  of capaian), and the indicator's value is the mean over sasaran.

Every ``target_<name>`` column or fact is compared with the same realisasi and
gives ``capaian_<name>`` (e.g. ``target_renstra`` → ``capaian_renstra``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import Diagnostic, EvidenceError, Location, RubricError
from ..evidence.model import EvidenceValue
from ..hookspecs import hookimpl
from ..numbers import CONTEXT, format_id, plain, round_to, to_decimal
from .base import IndicatorType

if TYPE_CHECKING:
    from ..evaluate.engine import IndicatorContext, Outcome
    from ..evaluate.result import NodeResult
    from ..rubric.model import BandTable, Indicator, Rubric

HUNDRED = Decimal(100)

#: Polarity spellings accepted in rubrics and evidence → "higher" or "lower".
POLARITIES = {
    "higher": "higher",
    "lower": "lower",
    "tinggi": "higher",
    "rendah": "lower",
    "positif": "higher",
    "negatif": "lower",
    "maximize": "higher",
    "minimize": "lower",
    "+": "higher",
    "-": "lower",
}
#: Lower-is-better formulas: (2T − R)/T × 100 (variant A) and T/R × 100 (variant B).
LOWER_FORMULAS = ("2t-r", "t/r")
#: Range conventions: compare with the upper bound (the LKjIP's), or 100 % inside the range.
RANGE_CONVENTIONS = ("upper", "inside")
#: Status labels, as LKjIP tables print them.
MET, NOT_MET = "Tercapai", "Tidak tercapai"

_RANGE = re.compile(
    r"^\s*(?P<lo>[0-9][0-9.,]*)\s*(?:-|–|—|s\.?d\.?|\.\.)\s*(?P<hi>[0-9][0-9.,]*)"
    r"\s*(?::\s*\w+)?\s*$"  # a predikat printed after the range ("76,61 - 88,30: B") is ignored
)


@dataclass(frozen=True)
class Target:
    """A parsed target: ``kind`` is number, range or predikat."""

    kind: str
    value: Decimal | None = None
    lo: Decimal | None = None
    hi: Decimal | None = None
    label: str | None = None
    text: str = ""

    def __str__(self) -> str:
        if self.kind == "range":
            return f"{format_id(self.lo, None)}–{format_id(self.hi, None)}"
        if self.kind == "predikat":
            return str(self.label)
        return plain(self.value)


@dataclass
class Capaian:
    """One realisasi-against-target comparison, exact and uncapped."""

    capaian: Decimal
    met: bool
    target: Target
    realisasi: Any
    formula: str
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``Tercapai`` or ``Tidak tercapai``: follows the numbers, never a 99 %."""
        return MET if self.met else NOT_MET


def parse_target(raw: Any, bands: BandTable | None = None) -> Target:
    """A target from evidence: a number, ``"76,61 - 88,30"``, or a predikat label.

    Raises:
        ValueError: the text is none of these (the message says what was expected).
    """
    if isinstance(raw, str):
        text = raw.strip()
        m = _RANGE.match(text)
        if m:
            lo, hi = to_decimal(m["lo"]), to_decimal(m["hi"])
            if lo > hi:
                msg = f"range target '{raw}' has its lower end above its upper end"
                raise ValueError(msg)
            return Target("range", lo=lo, hi=hi, text=text)
        if bands is not None and bands.rank(text) is not None:
            return Target("predikat", label=text, text=text)
        first = text.split()[0] if text.split() else ""
        if bands is not None and bands.rank(first) is not None:  # "BB > 70-80" as printed
            return Target("predikat", label=first, text=text)
        try:
            return Target("number", value=to_decimal(text), text=text)
        except ValueError:
            pass
        if bands is not None:
            labels = ", ".join(b.label for b in bands.ordered())
            known = f" (predikat of '{bands.name}': {labels})"
        else:
            known = " (name a band table with `bands` for predikat)"
        msg = f"target {raw!r} is not a number, a range like '76,61 - 88,30' or a predikat{known}"
        raise ValueError(msg)
    return Target("number", value=to_decimal(raw), text=str(raw))


def compute_capaian(
    target: Target,
    realisasi: Any,
    *,
    polarity: str = "higher",
    formula: str = "2t-r",
    range_convention: str = "upper",
    bands: BandTable | None = None,
) -> Capaian:
    """Capaian (%) of ``realisasi`` against ``target``; see the module docstring.

    ``realisasi`` is a Decimal, or a predikat label when the target is a predikat.
    Lower-is-better variant A is floored at 0 % (a realisasi more than twice the
    target); a zero target is met (100 %) or not (0 %), never divided by.
    """
    if target.kind == "predikat":
        return _predikat(target, realisasi, bands)
    if not isinstance(realisasi, Decimal):
        msg = f"realisasi {realisasi!r} must be a number for target {target}"
        raise ValueError(msg)
    r = realisasi
    if target.kind == "range":
        assert target.lo is not None and target.hi is not None
        inside = target.lo <= r <= target.hi
        good_side = r > target.hi if polarity == "higher" else r < target.lo
        met = inside or good_side
        if range_convention == "inside":
            if inside:
                return Capaian(HUNDRED, True, target, r, "inside the range → 100")
            bound = target.hi if r > target.hi else target.lo
        else:
            bound = target.hi if polarity == "higher" else target.lo
        c = _ratio(bound, r, polarity, formula)
        return Capaian(c.capaian, met, target, r, c.formula, c.notes)
    assert target.value is not None
    c = _ratio(target.value, r, polarity, formula)
    c.target = target
    return c


def _ratio(t: Decimal, r: Decimal, polarity: str, formula: str) -> Capaian:
    tgt = Target("number", value=t, text=plain(t))
    if t == 0:
        met = r >= 0 if polarity == "higher" else r <= 0
        note = "zero target: met → 100, not met → 0 (no division)"
        return Capaian(HUNDRED if met else Decimal(0), met, tgt, r, note)
    if polarity == "higher":
        c = CONTEXT.multiply(CONTEXT.divide(r, t), HUNDRED)
        return Capaian(c, r >= t, tgt, r, f"{plain(r)} / {plain(t)} × 100")
    met = r <= t
    if formula == "t/r":
        if r <= 0:
            return Capaian(HUNDRED, True, tgt, r, "t/r with realisasi ≤ 0: met → 100 (no division)")
        c = CONTEXT.multiply(CONTEXT.divide(t, r), HUNDRED)
        return Capaian(c, met, tgt, r, f"{plain(t)} / {plain(r)} × 100")
    raw = CONTEXT.multiply(CONTEXT.divide(CONTEXT.subtract(2 * t, r), t), HUNDRED)
    text = f"(2 × {plain(t)} − {plain(r)}) / {plain(t)} × 100"
    if raw < 0:
        return Capaian(Decimal(0), False, tgt, r, text, [f"{plain(raw)} floored at 0"])
    return Capaian(raw, met, tgt, r, text)


def _predikat(target: Target, realisasi: Any, bands: BandTable | None) -> Capaian:
    if bands is None:
        msg = f"predikat target {target} needs a band table (`bands`)"
        raise ValueError(msg)
    t_rank = bands.rank(str(target.label))
    score: Decimal | None = None
    if isinstance(realisasi, Decimal):
        score = realisasi
        band = bands.classify(realisasi)
        if band is None:
            msg = f"realisasi {plain(realisasi)} falls in no band of '{bands.name}'"
            raise ValueError(msg)
        label = band.label
    else:
        label = str(realisasi).strip()
    r_rank = bands.rank(label)
    if r_rank is None or t_rank is None:
        msg = f"predikat {label!r} is not a band of '{bands.name}'"
        raise ValueError(msg)
    shown = f"{plain(score)} → {label}" if score is not None else label
    if r_rank >= t_rank:
        return Capaian(HUNDRED, True, target, realisasi, f"{shown} ≥ {target.label} → 100")
    lower = next(b for b in bands.bands if b.label == target.label).interval.lo
    if score is not None and lower:
        c = CONTEXT.multiply(CONTEXT.divide(score, lower), HUNDRED)
        return Capaian(
            c,
            False,
            target,
            realisasi,
            f"{shown} < {target.label}: {plain(score)} / {plain(lower)} × 100",
        )
    return Capaian(Decimal(0), False, target, realisasi, f"{shown} < {target.label} → 0")


def rule(c: Capaian, polarity: str, formula: str, convention: str) -> str:
    """The general formula that gave ``c``, in words (for ``explain``)."""
    kind = c.target.kind
    if kind == "predikat":
        return "100 when the realised predikat ≥ the target predikat"
    if c.target.value == 0 and kind == "number":
        return "zero target: 100 when met, 0 when not (no division)"
    base = "target"
    if kind == "range":
        if convention == "inside":
            base = "the nearest bound of the range (100 inside it)"
        else:
            base = "the upper bound of the range" if polarity == "higher" else "the lower bound"
    if polarity == "higher":
        return f"realisasi / {base} × 100"
    if formula == "t/r":
        return f"{base} / realisasi × 100 (lower is better, variant B)"
    return f"(2 × {base} − realisasi) / {base} × 100 (lower is better, variant A, floored at 0)"


def capped(value: Decimal, cap: Decimal | None) -> Decimal:
    """``value`` limited to ``cap`` (no cap: unchanged)."""
    return value if cap is None or value <= cap else cap


def mean(values: list[Decimal]) -> Decimal:
    """Exact mean (Decimal context of the engine)."""
    total = Decimal(0)
    for v in values:
        total = CONTEXT.add(total, v)
    return CONTEXT.divide(total, Decimal(len(values)))


class TargetType(IndicatorType):
    """Capaian kinerja: realisasi against a target, with polarity, ranges, predikat, zero."""

    name = "target"
    description = "capaian % of realisasi vs target (number, range, predikat, zero; polarity)"
    options: ClassVar[dict[str, str]] = {
        "table": "evidence table of IKU rows (one node per row, grouped by sasaran)",
        "polarity": 'higher or lower is better (default "higher")',
        "formula": 'lower-is-better formula: "2t-r" (variant A, default) or "t/r" (variant B)',
        "range": 'range targets: "upper" (compare with the upper bound, default) or "inside"',
        "bands": "band table that orders predikat targets (e.g. akip)",
        "cap": "cap applied to capaian when averaging (uncapped values are kept)",
    }
    text_options: ClassVar[tuple[str, ...]] = ("table", "polarity", "formula", "range", "bands")

    def band_tables(self, indicator: Indicator, rubric: Rubric) -> set[str]:
        """In table mode each IKU row may name the band table of its predikat target."""
        return set(rubric.bands) if "table" in indicator.options else set()

    # -- settings ---------------------------------------------------------------
    def _setting(self, ind: Indicator, rubric: Rubric, key: str, default: Any) -> Any:
        if key in ind.options:
            return ind.options[key]
        return rubric.params.get(key, default)

    def validate(self, indicator: Indicator, rubric: Rubric) -> list[Diagnostic]:
        diags = []
        checks = {
            "polarity": POLARITIES,
            "formula": LOWER_FORMULAS,
            "range": RANGE_CONVENTIONS,
        }
        for key, allowed in checks.items():
            value = indicator.options.get(key)
            if value is not None and value not in allowed:
                diags.append(
                    Diagnostic(
                        "error",
                        "value",
                        f"`{key}` of '{indicator.id}' is {value!r}",
                        indicator.location,
                        f"use one of: {', '.join(allowed)}",
                    )
                )
        if "cap" in indicator.options:
            try:
                to_decimal(indicator.options["cap"])
            except ValueError as exc:
                diags.append(
                    Diagnostic(
                        "error",
                        "type",
                        f"`cap` of '{indicator.id}' must be a number: {exc}",
                        indicator.key_locations.get("cap", indicator.location),
                        "e.g. cap = 120",
                    )
                )
        bands = indicator.options.get("bands")
        if bands is not None and bands not in rubric.bands:
            diags.append(
                Diagnostic(
                    "error",
                    "unknown-band",
                    f"`bands` of '{indicator.id}' names no band table: {bands!r}",
                    indicator.location,
                    f"band tables: {', '.join(rubric.bands)}",
                )
            )
        return diags

    def node_ids(self, indicator: Indicator, evidence: Any) -> set[str]:
        table = indicator.options.get("table")
        if not table or table not in evidence.tables:
            return set()
        rows = evidence.tables[table].rows
        ids = {str(row["id"].value) for row in rows if "id" in row}
        n_groups = len({str(_text(row.get("sasaran"))) for row in rows}) or 1
        return ids | {f"{indicator.id}_sasaran_{i}" for i in range(1, n_groups + 1)}

    # -- evaluation ---------------------------------------------------------------
    def evaluate(self, indicator: Indicator, ctx: IndicatorContext) -> Outcome:
        if indicator.options.get("table"):
            return self._table(indicator, ctx)
        return self._single(indicator, ctx)

    def _compare(
        self, ind: Indicator, ctx: IndicatorContext, fields: dict[str, EvidenceValue], where: str
    ) -> tuple[dict[str, Capaian], dict[str, Any], list[str]]:
        """Every ``target``/``target_<name>`` in ``fields`` against ``realisasi``."""
        rubric = ctx.rubric
        polarity = POLARITIES.get(
            str(_text(fields.get("polarity")) or self._setting(ind, rubric, "polarity", "higher")),
        )
        if polarity is None:
            ev = fields.get("polarity")
            if ev is None or not _text(ev):  # the rubric's setting (option or --param)
                value = self._setting(ind, rubric, "polarity", "higher")
                msg = f"polarity {value!r} of '{ind.id}' is not known"
                raise RubricError(
                    msg,
                    location=ind.key_locations.get("polarity", ind.location),
                    hint=f"use one of: {', '.join(POLARITIES)}",
                )
            msg = f"polarity {ev.value!r} in {where} is not known"
            raise EvidenceError(
                msg, location=ev.location, hint=f"use one of: {', '.join(POLARITIES)}"
            )
        formula = str(_text(fields.get("formula")) or self._setting(ind, rubric, "formula", "2t-r"))
        if formula not in LOWER_FORMULAS:
            ev = fields.get("formula")
            msg = f"lower-is-better formula {formula!r} in {where} is not known"
            raise EvidenceError(
                msg,
                location=ev.location if ev else ind.location,
                hint=f"use one of: {', '.join(LOWER_FORMULAS)}",
            )
        convention = str(self._setting(ind, rubric, "range", "upper"))
        band_name = _text(fields.get("bands")) or self._setting(ind, rubric, "bands", None)
        bands = rubric.bands.get(str(band_name)) if band_name else None
        if band_name and bands is None:
            ev = fields.get("bands")
            msg = f"band table {band_name!r} named in {where} does not exist"
            raise EvidenceError(
                msg,
                location=ev.location if ev else ind.location,
                hint=f"band tables: {', '.join(rubric.bands)}",
            )
        if "realisasi" not in fields:
            msg = f"no realisasi for {where}"
            raise EvidenceError(msg, location=_where(fields, ind), hint="add realisasi = …")
        if "target" not in fields:
            msg = f"no target for {where}"
            raise EvidenceError(msg, location=_where(fields, ind), hint="add target = …")
        real_ev = fields["realisasi"]
        realisasi: Any = real_ev.value
        try:
            realisasi = to_decimal(realisasi)
        except ValueError:
            if bands is None or bands.rank(str(realisasi).strip()) is None:
                msg = f"realisasi {real_ev.value!r} in {where} is neither a number nor a predikat"
                raise EvidenceError(
                    msg,
                    location=real_ev.location,
                    hint='write a number ("79,03") or, with `bands`, a predikat ("BB")',
                ) from None
        results: dict[str, Capaian] = {}
        info: dict[str, Any] = {"polarity": polarity}
        notes: list[str] = []
        for key, ev in fields.items():
            if key != "target" and not key.startswith("target_"):
                continue
            suffix = key[len("target") :]
            try:
                target = parse_target(ev.value, bands)
                result = compute_capaian(
                    target,
                    realisasi,
                    polarity=polarity,
                    formula=formula,
                    range_convention=convention,
                    bands=bands,
                )
            except ValueError as exc:
                msg = f"{where}: {exc}"
                raise EvidenceError(msg, location=ev.location) from None
            results[f"capaian{suffix}"] = result
            info[f"target{suffix}"] = str(target) if target.kind != "number" else target.value
            info[f"status{suffix}"] = result.status
            notes.extend(result.notes)
        info["realisasi"] = realisasi
        if polarity == "lower":
            info["formula"] = formula
        if any(r.target.kind == "range" for r in results.values()):
            info["range"] = convention
        return results, info, notes

    def _single(self, ind: Indicator, ctx: IndicatorContext) -> Outcome:
        from ..evaluate.engine import Outcome
        from ..evaluate.result import Derivation

        node = ctx.evidence.fact((ind.id,))
        if not isinstance(node, dict):
            msg = f"no target and realisasi for '{ind.id}' ({ind.title})"
            raise EvidenceError(
                msg,
                location=ctx.evidence.location(("facts",)),
                hint=f"add [facts.{ind.id}] with target = … and realisasi = …",
                code="missing-fact",
            )
        fields = {k: v for k, v in node.items() if isinstance(v, EvidenceValue)}
        results, info, notes = self._compare(ind, ctx, fields, f"'{ind.id}'")
        main = results["capaian"]
        extra = {**info, **{k: r.capaian for k, r in results.items()}, "status": main.status}
        derivation = Derivation(
            self._rule(ind, ctx, main, info),
            main.formula,
            note=f"target {main.target}; {main.status}",
        )
        return Outcome(main.capaian, None, derivation, warnings=notes, extra=extra)

    def _table(self, ind: Indicator, ctx: IndicatorContext) -> Outcome:
        from ..evaluate.engine import Outcome
        from ..evaluate.result import Derivation, NodeResult

        name = str(ind.options["table"])
        table = ctx.evidence.tables.get(name)
        if table is None:
            msg = f"indicator '{ind.id}' reads evidence table '{name}', which is missing"
            raise EvidenceError(
                msg,
                location=ctx.evidence.location(("tables",)),
                hint=f'add [tables.{name}] with rows = [...] or file = "{name}.csv"',
                code="missing-table",
            )
        if not table.rows:
            msg = f"evidence table '{name}' has no rows"
            raise EvidenceError(msg, location=table.source.location)
        cap = self._setting(ind, ctx.rubric, "cap", None)
        try:
            cap = to_decimal(cap) if cap is not None else None
        except ValueError as exc:
            msg = f"`cap` of '{ind.id}' must be a number: {exc}"
            raise RubricError(
                msg, location=ind.key_locations.get("cap", ind.location), hint="e.g. cap = 120"
            ) from None
        groups: dict[str, list[NodeResult]] = {}
        for i, row in enumerate(table.rows, start=1):
            row_id = str(row["id"].value) if "id" in row else f"{ind.id}_{i}"
            title = str(_text(row.get("indikator")) or row_id)
            results, info, notes = self._compare(ind, ctx, row, f"row {i} ({row_id}) of '{name}'")
            main = results["capaian"]
            extra = {**info, **{k: r.capaian for k, r in results.items()}, "status": main.status}
            node = NodeResult(
                id=row_id,
                title=title,
                type="target-row",
                code=row_id,
                value=main.capaian,
                warnings=notes,
                derivation=Derivation(
                    self._rule(ind, ctx, main, info),
                    main.formula,
                    note=f"target {main.target}; {main.status}",
                ),
                extra=extra,
            )
            self._band(node, ind, ctx)
            groups.setdefault(str(_text(row.get("sasaran")) or title), []).append(node)
        sasaran_nodes = []
        for n, (title, rows) in enumerate(groups.items(), start=1):
            values = [capped(r.value, cap) for r in rows]
            value = mean(values)
            node = NodeResult(
                id=f"{ind.id}_sasaran_{n}",
                title=title,
                type="sasaran",
                value=value,
                derivation=Derivation(
                    "mean(capaian of its indicators"
                    + (f", capped at {plain(cap)})" if cap else ")"),
                    "mean(" + ", ".join(plain(v) for v in values) + ")",
                ),
                extra={"capaian": value, "n": Decimal(len(rows))},
                children=rows,
            )
            self._band(node, ind, ctx)
            sasaran_nodes.append(node)
        values = [capped(s.value, cap) for s in sasaran_nodes]
        value = mean(values)
        derivation = Derivation(
            "mean(capaian of each sasaran)", "mean(" + ", ".join(plain(v) for v in values) + ")"
        )
        extra = {"capaian": value, "sasaran": Decimal(len(sasaran_nodes))}
        if cap is not None:
            extra["cap"] = cap
        return Outcome(value, None, derivation, extra=extra, nodes=sasaran_nodes)

    def _rule(self, ind: Indicator, ctx: IndicatorContext, c: Capaian, info: dict) -> str:
        formula = info.get("formula", "2t-r")
        convention = str(self._setting(ind, ctx.rubric, "range", "upper"))
        return rule(c, info["polarity"], formula, convention)

    def _band(self, node: NodeResult, ind: Indicator, ctx: IndicatorContext) -> None:
        table = ind.band
        if table is None or table not in ctx.rubric.bands:
            return
        node.band_table = table
        # Classified at the indicator's printed precision (its `round`), as the indicator's
        # own value is, so equal printed capaian get equal categories; the value stays exact.
        shown = node.value
        if ind.round is not None and node.value is not None:
            shown = round_to(node.value, ind.round, ctx.rubric.rounding.mode)
        node.band = ctx.rubric.bands[table].classify(shown)


def _text(ev: EvidenceValue | None) -> str | None:
    if ev is None or ev.value is None:
        return None
    text = str(ev.value).strip()
    return text or None


def _where(fields: dict[str, EvidenceValue], ind: Indicator) -> Location:
    for ev in fields.values():
        return ev.location
    return ind.location


@hookimpl
def register_indicator_types():
    """The target (capaian kinerja) indicator type."""
    return [TargetType]
