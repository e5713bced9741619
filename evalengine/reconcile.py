"""Check the figures a report states against the figures recomputed from its evidence.

A stated figure is an entry of ``[stated]`` (keyed by indicator id, or by the id of
a node an indicator type built from an evidence table) or a printed column of an
evidence table that the type marks as stated (``NodeResult.stated``). Its keys are
a stage name, ``value``, ``percent``, ``band``, ``meaning`` or a field of the
node's ``extra`` (``capaian``, ``serapan``, ``pagu`` …); a list holds the same
figure printed in several places.

A number agrees when it is the computed figure at the precision it was printed
with: a stated ``98,05`` agrees with 98.0544…, ``252`` with 252.0 (the difference
is at most half a unit of the last printed digit). A disagreement gets the likely
causes that fit: a total that is not the sum of its parts, a figure copied from
another row, a percentage on the wrong base, digits transposed or an extra or
missing digit.
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

    @property
    def where(self) -> str:
        """``file:line`` of the stated value, relative to the working folder when inside it."""
        import os

        loc = self.location
        path = loc.path
        if path and os.path.isabs(path):
            rel = os.path.relpath(path)
            path = path if rel.startswith("..") else rel
        return str(Location(path, loc.line, loc.column, loc.key))

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
    for check in checks:
        if not check.agrees:
            check.causes = likely_causes(check, checks, result)
    return Reconciliation(result, checks)


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
