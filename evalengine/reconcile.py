"""Check the figures a report states against the figures recomputed from its evidence.

A stated figure is an entry of ``[stated]`` (keyed by indicator id, or by the id of
a node an indicator type built from an evidence table) or a printed column of an
evidence table that the type marks as stated (``NodeResult.stated``). Its keys are
a stage name, ``value``, ``percent``, ``band``, ``meaning`` or a field of the
node's ``extra`` (``capaian``, ``serapan``, ``pagu`` …); a list holds the same
figure printed in several places.

A number agrees when it is the computed figure at the precision it was printed
with: a stated ``98,05`` agrees with 98.0544…, ``252`` with 252.0 (the difference
is at most half a unit of the last printed digit). When the evidence itself holds
published, rounded figures (``[facts]`` such as NRR ``3,42`` or a dimension ``20,79``),
the computed figure is only known to within what that rounding allows: each such fact
is moved by half its last printed digit and the figure re-computed, and the sum of the
effects widens the tolerance (the IP ASN index from four 2-decimal dimensions is known
to ±0,02; its report total 79,03 is then right although the parts add up to 79,04).
A disagreement gets the likely causes that fit: a total that is not the sum of its
parts, a figure copied from another row, a percentage on the wrong base, a band label
from another scale, digits transposed or an extra or missing digit.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .errors import EvidenceError, Location, with_suggestion
from .evaluate.result import NodeResult, ScoreResult, json_value
from .evidence.model import ANY_STAGE, EvidenceValue
from .numbers import CONTEXT, format_id, plain, to_decimal

#: Version of the JSON layout of :meth:`Reconciliation.to_dict`.
JSON_SCHEMA = "evalengine.reconcile/1"
#: Fields whose value is a percentage: a wrong base is looked for among their ratios.
PERCENT_HINTS = ("capaian", "serapan", "persen", "percent", "sisa_persen")


@dataclass
class Check:
    """One stated figure compared with its computed value."""

    node_id: str
    node_label: str
    field: str
    stated: Any
    computed: Any
    agrees: bool
    location: Location
    places: int | None = None
    causes: list[str] = field(default_factory=list)
    source: str = "stated"
    #: How far the computed figure may be off because its inputs were rounded (0: exact).
    input_slack: Decimal = Decimal(0)

    @property
    def where(self) -> str:
        """``file:line`` of the stated value, relative to the working folder when inside it."""
        return str(self.location.relative())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        loc = self.location
        return {
            "indicator": self.node_id,
            "label": self.node_label,
            "field": self.field,
            "stated": json_value(self.stated),
            "computed": json_value(self.computed),
            "computed_at_precision": (
                json_value(_at(self.computed, self.places))
                if isinstance(self.computed, Decimal) and self.places is not None
                else None
            ),
            "agrees": self.agrees,
            "input_slack": json_value(self.input_slack),
            "causes": list(self.causes),
            "path": loc.path,
            "line": loc.line,
            "key": loc.key,
        }


@dataclass
class Reconciliation:
    """Every stated figure of an evidence set, checked."""

    result: ScoreResult
    checks: list[Check]

    @property
    def disagreements(self) -> list[Check]:
        """The checks whose stated figure differs from the computed one."""
        return [c for c in self.checks if not c.agrees]

    @property
    def ok(self) -> bool:
        """True when every stated figure agrees."""
        return not self.disagreements

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: counts, every disagreement, and every check."""
        return {
            "schema": JSON_SCHEMA,
            "rubric": {"id": self.result.rubric.id, "path": self.result.rubric.path},
            "evidence": {"path": self.result.evidence.path},
            "checked": len(self.checks),
            "agree": len(self.checks) - len(self.disagreements),
            "disagree": len(self.disagreements),
            "disagreements": [c.to_dict() for c in self.disagreements],
            "checks": [c.to_dict() for c in self.checks],
        }


def printed_places(value: Decimal) -> int:
    """Decimal places a number was written with (``98.05`` → 2, ``252`` → 0)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _at(value: Decimal, places: int | None) -> Decimal:
    from .numbers import round_to

    return value if places is None else round_to(value, places)


def agrees(stated: Decimal, computed: Decimal, places: int) -> bool:
    """True when ``computed`` prints as ``stated`` at ``places`` (± half a last digit)."""
    half = Decimal(5).scaleb(-(places + 1))
    return abs(stated - computed) <= half


def computed_field(node: NodeResult, name: str, stages: Iterable[str]) -> tuple[bool, Any]:
    """(known, value) of the figure ``name`` of ``node``."""
    if name in ("", "value"):
        return True, node.value
    if name in stages:
        return True, node.stages.get(name)
    if name == "percent":
        return True, node.percent
    if name == "band":
        return True, node.band.label if node.band else None
    if name == "meaning":
        return True, node.band.meaning if node.band else None
    if name in node.extra:
        return True, node.extra[name]
    return False, None


def stated_figures(result: ScoreResult) -> list[tuple[NodeResult, str, EvidenceValue, str]]:
    """Every (node, field, stated value, source) of a result, in tree order.

    Raises:
        EvidenceError: a ``[stated]`` key names no node of the result.
    """
    evidence = result.evidence
    nodes = {node.id: node for node in result.root.walk()}
    for iid, per_field in evidence.stated.items():
        if iid not in nodes:
            first = next(iter(per_field.values()), None)
            msg = f"stated figure for `{iid}`, which is no indicator or row of this result"
            raise EvidenceError(
                msg,
                location=first.location if first else evidence.location(("stated", iid)),
                hint=with_suggestion("stated figures are keyed by indicator id", iid, nodes),
                code="unknown-indicator",
            )
    out = []
    for node in result.root.walk():
        for name, values in node.stated.items():
            out.extend((node, name, ev, "table") for ev in values)
        for name, ev in evidence.stated.get(node.id, {}).items():
            name = "value" if name == ANY_STAGE else name
            items = ev.value if isinstance(ev.value, list) else [ev.value]
            for i, item in enumerate(items):
                key = ev.provenance.key if len(items) == 1 else f"{ev.provenance.key}[{i}]"
                prov = type(ev.provenance)(**{**ev.provenance.__dict__, "key": key})
                out.append((node, name, EvidenceValue(item, prov), "stated"))
    return out


def reconcile(result: ScoreResult) -> Reconciliation:
    """Compare every stated figure of ``result.evidence`` with ``result``.

    Raises:
        EvidenceError: a stated key names no node, or a field the node does not have.
    """
    stages = result.stages
    figures = stated_figures(result)
    checks: list[Check] = []
    for node, name, ev, source in figures:
        known, computed = computed_field(node, name, stages)
        if not known:
            fields = ["value", "percent", "band", "meaning", *stages, *node.extra]
            msg = f"stated field `{name}` of `{node.id}` is not a figure this node has"
            raise EvidenceError(
                msg,
                location=ev.location,
                hint=with_suggestion(f"fields: {', '.join(fields)}", name, fields),
                code="unknown-field",
            )
        checks.append(_check(node, name, ev, computed, source))
    slack = InputSlack(result)
    for check in checks:
        if not check.agrees and isinstance(check.computed, Decimal):
            check.input_slack = slack.of(check.node_id, check.field)
            half = Decimal(5).scaleb(-((check.places or 0) + 1))
            check.agrees = abs(check.stated - check.computed) <= half + check.input_slack
    for check in checks:
        if not check.agrees:
            check.causes = likely_causes(check, checks, result)
    return Reconciliation(result, checks)


class InputSlack:
    """How much rounded inputs (published figures in ``[facts]``) can move a result.

    Each fact written with decimals (``3,42``) stands for any value within half a unit
    of its last digit. The rubric is re-evaluated with each such fact moved down and up by
    that half unit; the larger change of a figure per fact, added up over the facts, bounds
    how far the figure can be from what unrounded inputs would give (first order; exact for
    sums and means, and a value at a cap moves one way only).
    Computed only when a stated figure disagrees, and then once per evidence.
    """

    def __init__(self, result: ScoreResult) -> None:
        self.result = result
        self._bumped: list[ScoreResult] | None = None

    def bumped(self) -> list[list[ScoreResult]]:
        """Per rounded fact, the result re-computed with it moved down and up by half a digit."""
        if self._bumped is None:
            from dataclasses import replace

            from .errors import EvalEngineError
            from .evaluate.engine import Engine

            engine = Engine(self.result.rubric)
            evidence = self.result.evidence
            self._bumped = []
            for path, both_ways in _rounded_facts(evidence.facts, ()):
                pair = []
                for moved in both_ways:
                    facts = _with_fact(evidence.facts, path, moved)
                    try:
                        pair.append(engine.evaluate(replace(evidence, facts=facts)))
                    except EvalEngineError:
                        continue  # a moved value the rubric refuses contributes nothing
                self._bumped.append(pair)
        return self._bumped

    def of(self, node_id: str, name: str) -> Decimal:
        """The slack of figure ``name`` of node ``node_id`` (0 when nothing was rounded)."""
        base = _unrounded(self.result, node_id, name)
        if base is None:
            return Decimal(0)
        total = Decimal(0)
        for pair in self.bumped():
            effects = [
                abs(v - base)
                for other in pair
                if (v := _unrounded(other, node_id, name)) is not None
            ]
            total += max(effects, default=Decimal(0))
        return total


def _unrounded(result: ScoreResult, node_id: str, name: str) -> Decimal | None:
    """A numeric figure before the rubric's rounding (rounding would hide small effects)."""
    node = result.find(node_id)
    if node is None:
        return None
    if name in ("", "value") and isinstance(node.derivation.unrounded, Decimal):
        return node.derivation.unrounded
    known, value = computed_field(node, name, result.stages)
    return value if known and isinstance(value, Decimal) else None


def _rounded_facts(facts: Any, path: tuple[str, ...]):
    """(path, [fact − half a digit, fact + half a digit]) for each fact written with decimals."""
    if isinstance(facts, dict):
        for key, value in facts.items():
            yield from _rounded_facts(value, (*path, key))
        return
    if not isinstance(facts, EvidenceValue) or isinstance(facts.value, bool):
        return
    try:
        number = to_decimal(facts.value)
    except ValueError:
        return
    places = printed_places(number)
    if places == 0:
        return  # counts and whole amounts are exact
    half = Decimal(5).scaleb(-(places + 1))
    yield (
        path,
        [
            EvidenceValue(number - half, facts.provenance),
            EvidenceValue(number + half, facts.provenance),
        ],
    )


def _with_fact(facts: dict, path: tuple[str, ...], value: EvidenceValue) -> dict:
    """A copy of the nested facts with the value at ``path`` replaced."""
    head, *rest = path
    copy = dict(facts)
    copy[head] = value if not rest else _with_fact(facts[head], tuple(rest), value)
    return copy


def _check(node: NodeResult, name: str, ev: EvidenceValue, computed: Any, source: str) -> Check:
    base = {
        "node_id": node.id,
        "node_label": node.label,
        "field": name,
        "location": ev.location,
        "source": source,
    }
    if isinstance(computed, Decimal):
        try:
            stated = to_decimal(ev.value)
        except ValueError as exc:
            msg = f"stated `{name}` of `{node.id}` should be a number: {exc}"
            raise EvidenceError(msg, location=ev.location) from None
        places = printed_places(stated)
        return Check(
            stated=stated,
            computed=computed,
            agrees=agrees(stated, computed, places),
            places=places,
            **base,
        )
    stated_text = str(ev.value).strip()
    computed_text = "" if computed is None else str(computed).strip()
    return Check(
        stated=stated_text,
        computed=computed,
        agrees=stated_text.casefold() == computed_text.casefold(),
        **base,
    )


# -- likely causes -------------------------------------------------------------------
def likely_causes(check: Check, checks: list[Check], result: ScoreResult) -> list[str]:
    """The explanations that fit a disagreement (empty when none does)."""
    causes: list[str] = []
    node = result.find(check.node_id)
    stated, computed = check.stated, check.computed
    if check.field == "band" and node is not None:
        causes.extend(_foreign_label(node, check, result))
    if not isinstance(stated, Decimal) or not isinstance(computed, Decimal):
        return causes
    places = check.places or 0
    if node is not None:
        causes.extend(_sum_of_parts(node, check, result))
    causes.extend(_copied(check, checks))
    if any(h in check.field for h in PERCENT_HINTS) and node is not None:
        causes.extend(_wrong_base(node, check))
    digits = _digit_slip(stated, _at(computed, places), places)
    if digits:
        causes.append(digits)
    return causes


def _sum_of_parts(node: NodeResult, check: Check, result: ScoreResult) -> list[str]:
    if not node.children:
        return []
    stages = result.stages
    parts = []
    for child in node.children:
        known, value = computed_field(child, check.field, stages)
        if not known or not isinstance(value, Decimal):
            return []
        parts.append(value)
    total = sum(parts, Decimal(0))
    if total != check.computed:
        return []
    return [
        f"sum of parts: the {len(parts)} rows below sum to {_fmt(total)}, "
        f"not the printed {_fmt(check.stated)} (difference {_fmt(check.stated - total)})"
    ]


def _foreign_label(node: NodeResult, check: Check, result: ScoreResult) -> list[str]:
    """A printed band label that the node's band table does not have (another scale's)."""
    bands = result.rubric.bands
    table = bands.get(node.band_table) if node.band_table else None
    if table is None:
        return []
    stated = str(check.stated).strip()
    if any(b.label.casefold() == stated.casefold() for b in table.bands):
        return []
    labels = ", ".join(b.label for b in table.ordered())
    others = [
        t.name
        for t in bands.values()
        if t is not table and any(b.label.casefold() == stated.casefold() for b in t.bands)
    ]
    where = f" (it is one of '{others[0]}')" if others else ""
    return [
        f"'{stated}' is not a label of '{table.name}' ({labels}): a label from another scale{where}"
    ]


def _copied(check: Check, checks: list[Check]) -> list[str]:
    places = check.places or 0
    out = []
    for other in checks:
        if other is check or other.node_id == check.node_id or other.field != check.field:
            continue
        if not isinstance(other.stated, Decimal) or not isinstance(other.computed, Decimal):
            continue
        if other.stated == check.stated and other.agrees:
            out.append(
                f"copied row: equals the {other.field} printed for {other.node_label} "
                f"({format_id(other.stated, places)}, correct there)"
            )
            break
    return out


def _wrong_base(node: NodeResult, check: Check) -> list[str]:
    places = check.places or 0
    numbers = {
        k: v
        for k, v in node.extra.items()
        if isinstance(v, Decimal)
        and k != check.field
        and not k.startswith("capaian")
        and k not in PERCENT_HINTS
    }
    out = []
    for (a_name, a), (b_name, b) in itertools.permutations(numbers.items(), 2):
        if b == 0:
            continue
        ratio = CONTEXT.multiply(CONTEXT.divide(a, b), Decimal(100))
        if agrees(check.stated, ratio, places):
            out.append(
                f"wrong base: {a_name} / {b_name} × 100 = {plain(a)} / {plain(b)} × 100 = "
                f"{format_id(ratio, places)}"
            )
    return out


def _fmt(value: Decimal) -> str:
    """A number the Indonesian way with the digits it needs (``40``, ``2,5``)."""
    return format_id(Decimal(plain(value)), None)


def _digit_slip(stated: Decimal, computed: Decimal, places: int) -> str | None:
    s = f"{abs(stated):.{places}f}".replace(".", "")
    c = f"{abs(computed):.{places}f}".replace(".", "")
    if s == c:
        return None
    if len(s) == len(c):
        diff = [i for i in range(len(s)) if s[i] != c[i]]
        if (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and s[diff[0]] == c[diff[1]]
            and (s[diff[1]] == c[diff[0]])
        ):
            return (
                f"digits transposed: {s[diff[0]]}{s[diff[1]]} printed for "
                f"{c[diff[0]]}{c[diff[1]]} ({format_id(computed, places)})"
            )
        if len(diff) == 1:
            return f"one digit differs: {s[diff[0]]} printed for {c[diff[0]]}"
        return None
    longer, shorter = (s, c) if len(s) > len(c) else (c, s)
    if len(longer) == len(shorter) + 1:
        for i in range(len(longer)):
            if longer[:i] + longer[i + 1 :] == shorter:
                what = "extra" if longer is s else "missing"
                return f"{what} digit: {longer[i]!r} {'added' if what == 'extra' else 'dropped'}"
    return None
