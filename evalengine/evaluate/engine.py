"""Rubric + evidence → result tree.

The engine checks the evidence against the rubric, then evaluates every indicator
in dependency order (children and referenced indicators first), once per stage
(self-assessed, verified, …). The final stage gives the official values; the
other stages are kept beside them on every node.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..errors import FormulaEvalError, RubricError
from ..evidence.model import Evidence, EvidenceValue
from ..evidence.validate import check_evidence
from ..formula import ast as fast
from ..formula import parse_formula, unparse
from ..numbers import plain, round_to, shown, to_decimal
from ..plugins import plugin_failure
from ..rubric.check import evaluation_order
from ..rubric.model import Formula, Indicator, Rubric
from .edges import edge_warning
from .interpreter import Input, Interpreter, Record, band_record
from .result import Derivation, NodeResult, ScoreResult


@dataclass
class Outcome:
    """What an indicator type computed for one indicator at one stage."""

    value: Any
    max: Decimal | None = None
    derivation: Derivation = field(default_factory=Derivation)
    warnings: list[str] = field(default_factory=list)
    answer: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: Result nodes the type built from evidence rows (budget lines, IKU rows), shown
    #: below the indicator's own children; their ids may be keys of ``[stated]``.
    nodes: list[NodeResult] = field(default_factory=list)
    #: Figures the evidence states for this indicator outside ``[stated]`` (a table's
    #: printed TOTAL row): field → list of EvidenceValue, checked by reconcile.
    stated: dict[str, list[Any]] = field(default_factory=dict)


class _NoValue(KeyError):
    """A reference exists but has no value (a child without a maximum)."""

    #: Read by the interpreter: the name is known, its value is missing.
    exists = True


class IndicatorContext:
    """Everything an indicator type may use while evaluating one indicator at one stage.

    It is also the formula :class:`~evalengine.evaluate.interpreter.Environment`:
    ``resolve`` gives meaning to ``self.…``, ``children``, ``evidence.…``,
    ``params.…``, ``stage`` and indicator ids.
    """

    def __init__(self, run: _StageRun, indicator: Indicator) -> None:
        self.run = run
        self.indicator = indicator
        self.rubric: Rubric = run.rubric
        self.evidence: Evidence = run.evidence
        self.stage: str | None = run.stage
        self.facts: dict[str, Any] = {}

    # -- for indicator types ---------------------------------------------------
    def answer(self, indicator: Indicator) -> EvidenceValue | None:
        """The evidence answer for ``indicator`` at this stage."""
        return self.evidence.answer(indicator.id, self.stage)

    def outcome(self, indicator_id: str) -> Outcome:
        """The outcome of an already evaluated indicator."""
        return self.run.outcomes[indicator_id]

    def evaluate(self, formula: Formula) -> tuple[Any, list[Input], str]:
        """Evaluate a formula; returns the value, the inputs read, and a function that
        builds the substituted text (only when someone reads it)."""
        interp = Interpreter(formula, self, self.run.functions, context=self)
        value = interp.run()
        inputs = interp.inputs
        return value, inputs, lambda: substituted_text(formula.tree, inputs)

    def evaluate_formulas(self, itype) -> Outcome:
        """The default evaluation: type facts, then the max formula, then the value formula."""
        ind = self.indicator
        self.facts = {"weight": ind.weight, "code": ind.code, "title": ind.title, "id": ind.id}
        type_facts = itype.facts(ind, self)
        provenance = {name: fact.provenance for name, fact in type_facts.items()}
        self.facts.update({name: fact.value for name, fact in type_facts.items()})
        self._fact_provenance = provenance
        max_value, max_text = self._max(itype)
        self.facts["max"] = max_value
        formula = ind.value or self.run.default_formula(ind, itype.default_value(ind, self.rubric))
        if formula is None:
            msg = f"indicator '{ind.id}' has no value formula"
            raise RubricError(msg, location=ind.location)
        value, inputs, substituted = self.evaluate(formula)
        derivation = Derivation(
            self.run.engine.unparsed(formula), substituted, inputs, max_formula=max_text
        )
        answer = self.facts.get("answer_label")
        return Outcome(value, max_value, derivation, answer=answer)

    def _max(self, itype) -> tuple[Decimal | None, str | None]:
        ind = self.indicator
        explicit = ind.max is not None
        formula = ind.max or self.run.default_formula(ind, itype.default_max(ind, self.rubric))
        if formula is None:
            return None, None
        engine = self.run.engine
        if ind.id in engine.static_max:
            return engine.static_max[ind.id]
        result = self._compute_max(formula, explicit)
        if engine.max_is_static(ind, formula):
            engine.static_max[ind.id] = result
        return result

    def _compute_max(self, formula: Formula, explicit: bool) -> tuple[Decimal | None, str | None]:
        try:
            value, _, _ = self.evaluate(formula)
        except FormulaEvalError:
            if explicit:
                raise
            return None, None
        if not isinstance(value, Decimal):
            return None, None
        return value, self.run.engine.unparsed(formula)

    # -- Environment -----------------------------------------------------------
    def resolve(self, path: tuple[str, ...]) -> tuple[Any, Any]:
        """Value and provenance of a dotted reference (see the class docstring)."""
        head, rest = path[0], path[1:]
        if head == "self":
            return self._resolve_self(rest)
        if head == "children":
            field_name = rest[0] if rest else "value"
            values = [self._field(child.id, field_name) for child in self.indicator.children]
            return values, None
        if head == "stage":
            return self.stage, None
        if head == "evidence":
            return self._resolve_evidence(rest)
        if head == "params":
            return self._resolve_params(rest)
        if head in self.run.outcomes:
            if len(rest) > 1:
                raise KeyError(rest[1])
            return self._field(head, rest[0] if rest else "value"), Input(head, None)
        raise KeyError(head)

    def _resolve_self(self, rest: tuple[str, ...]) -> tuple[Any, Any]:
        if not rest:
            msg = "self"
            raise KeyError(msg)
        name = rest[0]
        if name not in self.facts:
            err = KeyError(name)
            err.hint = f"self has: {', '.join(k for k in self.facts if self.facts[k] is not None)}"
            raise err
        value = self.facts[name]
        if value is None:
            raise _NoValue(name)
        if len(rest) > 1:
            raise KeyError(rest[1])
        return value, getattr(self, "_fact_provenance", {}).get(name)

    def _field(self, indicator_id: str, name: str) -> Any:
        outcome = self.run.outcomes[indicator_id]
        if name == "value":
            return outcome.value
        if name == "max":
            if outcome.max is None:
                msg = "max"
                raise _NoValue(msg)
            return outcome.max
        if name == "weight":
            weight = self.run.by_id[indicator_id].weight
            if weight is None:
                msg = "weight"
                raise _NoValue(msg)
            return weight
        if name == "percent":
            if not outcome.max:
                msg = "percent"
                raise _NoValue(msg)
            if not isinstance(outcome.value, Decimal):
                missing = _NoValue("percent")
                missing.hint = f"'{indicator_id}' is {outcome.value!r}, not a number"
                raise missing
            return outcome.value / outcome.max * 100
        if name in ("band", "meaning"):
            band = self.run.band_of(indicator_id, outcome.value)
            if band is None:
                raise _NoValue(name)
            return band.label if name == "band" else band.meaning
        if name in outcome.extra:
            return outcome.extra[name]
        raise KeyError(name)

    def _resolve_evidence(self, rest: tuple[str, ...]) -> tuple[Any, Any]:
        node = self.evidence.fact(rest)
        if node is None:
            err = KeyError(".".join(rest) or "evidence")
            err.hint = "add it under [facts] in the evidence file"
            raise err
        if isinstance(node, dict):
            raise KeyError(".".join(rest) + " (a table, not a value)")
        return evidence_value(node), node.provenance

    def _resolve_params(self, rest: tuple[str, ...]) -> tuple[Any, Any]:
        if not rest or rest[0] not in self.rubric.params:
            raise KeyError(rest[0] if rest else "params")
        value = self.rubric.params[rest[0]]
        if isinstance(value, dict):
            for part in rest[1:]:
                value = value[part]
        return literal_value(value), None


def literal_value(value: Any) -> Any:
    """A rubric or evidence literal as a formula value (numbers become Decimals)."""
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, list):
        return [literal_value(v) for v in value]
    try:
        return to_decimal(value)
    except ValueError:
        return value


def evidence_value(ev: EvidenceValue) -> Any:
    """An evidence value as a formula value; numeric text (``"79,03"``) becomes a number."""
    return formula_value(ev.value)


def formula_value(value: Any) -> Any:
    """A value read from evidence as a formula value (numeric text becomes a number)."""
    if isinstance(value, str):
        try:
            return to_decimal(value)
        except ValueError:
            return value
    return literal_value(value)


def format_value(value: Any) -> str:
    """Short text of a formula value for substituted formulas: ``10``, ``[10, 8, 6]``."""
    if isinstance(value, Decimal):
        cut = shown(value)
        return plain(value) if cut is None else plain(cut) + "…"
    if isinstance(value, list):
        items = [format_value(v) for v in value[:8]]
        return "[" + ", ".join(items) + (", …" if len(value) > 8 else "") + "]"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Record):
        return str(value)
    return str(value)


def substituted_text(tree: fast.Expr, inputs: list[Input]) -> str:
    """The formula with each reference replaced by the value it had (``2.5 * 4``)."""
    values = {}
    for item in inputs:
        values.setdefault(item.name, item.value)

    def substitute(node: fast.Expr) -> str | None:
        if isinstance(node, fast.Ref) and node.dotted in values:
            return format_value(values[node.dotted])
        return None

    return unparse(tree, substitute)


class _StageRun:
    """One evaluation of every indicator at one stage."""

    def __init__(
        self,
        engine: Engine,
        evidence: Evidence,
        stage: str | None,
        precomputed: Mapping[str, Any] | None = None,
    ) -> None:
        self.engine = engine
        self.precomputed = precomputed or {}
        self.rubric = engine.rubric
        self.evidence = evidence
        self.stage = stage
        self.functions = engine.functions
        self.by_id = engine.by_id
        self.outcomes: dict[str, Outcome] = {}

    def default_formula(self, ind: Indicator, text: str | None) -> Formula | None:
        if text is None:
            return None
        return self.engine.parsed_default(text, ind)

    def band_of(self, indicator_id: str, value: Any):
        table_name = self.engine.band_table_name(self.by_id[indicator_id])
        if table_name is None or not isinstance(value, Decimal):
            return None
        return self.rubric.bands[table_name].classify(value)

    def evaluate(self) -> dict[str, Outcome]:
        types = self.engine.plugins.indicator_types
        for ind in self.engine.order:
            itype = types.get(ind.type)()
            if ind.id in self.precomputed:  # table facts computed elsewhere (bulk path, DuckDB)
                itype = self.precomputed[ind.id].wrap(itype)
            ctx = IndicatorContext(self, ind)
            try:
                outcome = itype.evaluate(ind, ctx)
            except _NoValue as exc:
                msg = f"indicator '{ind.id}' reads '{exc.args[0]}', which has no value"
                raise FormulaEvalError(msg, location=ind.location) from None
            except Exception as exc:  # a plugin's type failing is a PluginError, not a crash
                failure = plugin_failure(types, ind.type, f"evaluate() of '{ind.id}'", exc)
                if failure is exc:
                    raise
                raise failure.at(ind.location) from exc
            self.outcomes[ind.id] = self.engine.finish(ind, outcome)
        return self.outcomes


class Engine:
    """Evaluates one rubric against evidence; reusable across evidence files."""

    def __init__(self, rubric: Rubric, *, plugins=None) -> None:
        from ..plugins import default_plugins

        self.rubric = rubric
        self.plugins = plugins or default_plugins()
        self.functions = {name: cls() for name, cls in self.plugins.functions.items()}
        self.by_id = rubric.by_id()
        order, cycle = evaluation_order(rubric)
        if cycle:
            msg = "indicators depend on each other in a cycle: " + " → ".join(cycle)
            raise RubricError(msg, location=self.by_id[cycle[0]].location)
        self.order = order
        self._defaults: dict[tuple[str, str], Formula] = {}
        self._unparsed: dict[int, str] = {}
        self._keep: list[Formula] = []
        #: Maxima that depend on the rubric alone, computed once: id → (max, formula text).
        self.static_max: dict[str, tuple[Decimal | None, str | None]] = {}

    #: References a maximum may read and still depend on the rubric alone.
    STATIC_REFS = frozenset(
        {
            "self.weight",
            "self.scale_max",
            "self.scale_min",
            "self.code",
            "self.title",
            "self.id",
            "children.max",
            "children.weight",
        }
    )
    #: Built-in functions without side inputs (plugin functions are not assumed pure).
    PURE_FUNCTIONS = frozenset(
        {"sum", "mean", "min", "max", "count", "round", "abs", "floor", "ceil", "lookup", "number"}
    )

    def max_is_static(self, ind: Indicator, formula: Formula) -> bool:
        """True when ``ind``'s maximum cannot change with the evidence or the stage.

        It reads only the indicator's own weight and scale, constants, ``params`` and the
        maxima of children that are themselves static; then it is computed once per engine
        (scoring thousands of documents re-evaluates no maximum).
        """
        for node in formula.tree.walk():
            if isinstance(node, fast.Call) and (
                node.name not in self.PURE_FUNCTIONS
                or node.name not in self.functions
                or type(self.functions[node.name]).__module__ != "evalengine.evaluate.functions"
            ):
                return False
            if isinstance(node, fast.Ref):
                if node.path[0] == "params":
                    continue
                if node.dotted not in self.STATIC_REFS:
                    return False
                if node.path[0] == "children" and not all(
                    c.id in self.static_max for c in ind.children
                ):
                    return False
        return True

    def parsed_default(self, text: str, ind: Indicator) -> Formula:
        """A type's default formula, parsed once per indicator."""
        key = (ind.id, text)
        if key not in self._defaults:
            self._defaults[key] = Formula(text, parse_formula(text), ind.location)
        return self._defaults[key]

    def unparsed(self, formula: Formula) -> str:
        """The canonical text of a formula, computed once per formula."""
        key = id(formula)
        text = self._unparsed.get(key)
        if text is None:
            text = self._unparsed[key] = unparse(formula.tree)
            self._keep.append(formula)  # ids stay valid while the engine lives
        return text

    def band_table_name(self, ind: Indicator) -> str | None:
        """The band table that classifies ``ind`` (the rubric's band for the root)."""
        return ind.band

    def rounding_places(self, ind: Indicator) -> int | None:
        """Decimal places ``ind`` is rounded to (its own ``round``, or the headline policy)."""
        return self.rubric.rounding_places(ind)

    def finish(self, ind: Indicator, outcome: Outcome) -> Outcome:
        """Apply the indicator's rounding, recording the unrounded value."""
        places = self.rounding_places(ind)
        policy = self.rubric.rounding
        if places is not None and isinstance(outcome.value, Decimal):
            rounded = round_to(outcome.value, places, policy.mode)
            outcome.derivation.unrounded = outcome.value
            outcome.derivation.rounding = f"{policy.mode.replace('_', '-')} to {places} places"
            outcome.derivation.places = places
            outcome.value = rounded
        return outcome

    def run_stage(self, evidence: Evidence, stage: str | None) -> dict[str, Outcome]:
        """Every indicator's outcome at one stage, without validation or a result tree.

        For analyses that re-evaluate many variants of one evidence set (``gap``,
        leverage): validate once, then call this per variant.
        """
        return _StageRun(self, evidence, stage).evaluate()

    def evaluate(
        self,
        evidence: Evidence,
        *,
        validate: bool = True,
        precomputed: Mapping[str, Any] | None = None,
    ) -> ScoreResult:
        """Score ``evidence``: one run per stage, merged into one result tree.

        ``precomputed`` maps indicator ids to objects whose ``wrap(itype)`` returns the
        indicator type to use instead: the bulk path (:mod:`evalengine.bulk`) computes
        the table facts of records and survey indicators on DuckDB and hands them in
        this way; the value formula, maximum and rounding then run as usual.
        """
        if validate:
            check_evidence(self.rubric, evidence, plugins=self.plugins)
        stages = self.rubric.stages or (None,)
        runs = {stage: _StageRun(self, evidence, stage, precomputed).evaluate() for stage in stages}
        final = runs[stages[-1]]
        root = self._node(self.rubric.root, final, runs)
        _set_contributions(root)
        return ScoreResult(
            self.rubric,
            evidence,
            root,
            tuple(s for s in stages if s is not None),
            diagnostics=list(self.rubric.diagnostics),
        )

    def _node(self, ind: Indicator, final: dict[str, Outcome], runs) -> NodeResult:
        outcome = final[ind.id]
        table = self.band_table_name(ind)
        node = NodeResult(
            id=ind.id,
            title=ind.title,
            type=ind.type,
            code=ind.code,
            value=outcome.value,
            max=outcome.max,
            weight=ind.weight,
            answer=outcome.answer,
            warnings=list(outcome.warnings),
            derivation=outcome.derivation,
            extra=dict(outcome.extra),
            band_table=table,
            stated=dict(outcome.stated),
        )
        if table is not None and isinstance(outcome.value, Decimal):
            node.band = self.rubric.bands[table].classify(outcome.value)
            if node.band is None:
                node.warnings.append(f"{plain(outcome.value)} falls in no band of '{table}'")
        if table is not None:
            node.warnings.extend(self._edge_warnings(ind, table, runs))
        for stage, outcomes in runs.items():
            if stage is None:
                continue
            value = outcomes[ind.id].value
            node.stages[stage] = value
            node.stage_answers[stage] = outcomes[ind.id].answer
            if table is not None and isinstance(value, Decimal):
                node.stage_bands[stage] = self.rubric.bands[table].classify(value)
        node.children = [self._node(child, final, runs) for child in ind.children]
        node.children.extend(outcome.nodes)
        return node

    def _edge_warnings(self, ind: Indicator, table: str, runs) -> list[str]:
        """Band-edge warnings of ``ind`` at every stage (see :mod:`.edges`)."""
        places = self.rounding_places(ind)
        if places is None:
            return []
        final_stage = list(runs)[-1]
        out = []
        for stage, outcomes in runs.items():
            outcome = outcomes[ind.id]
            if not isinstance(outcome.value, Decimal):
                continue
            text = edge_warning(
                self.rubric.bands[table], outcome.value, outcome.derivation.unrounded, places
            )
            if text:
                out.append(text if stage == final_stage else f"{stage}: {text}")
        return out


def _set_contributions(root: NodeResult) -> None:
    """Each node's share of the headline, where the headline is a sum of its parts.

    Only below nodes whose formula is ``sum(children)``, all the way up: there a node's
    points add to the headline as they are. Under a mean or any other formula a share of
    the headline has no meaning, and none is given.
    """
    total = root.value if isinstance(root.value, Decimal) and root.value else None
    if total is None:
        return
    stack = [root]
    while stack:
        node = stack.pop()
        if node.derivation.formula != "sum(children)":
            continue
        for child in node.children:
            if isinstance(child.value, Decimal):
                child.contribution = child.value / total * 100
            stack.append(child)


def evaluate(rubric: Rubric, evidence: Evidence, *, plugins=None) -> ScoreResult:
    """Score ``evidence`` against ``rubric`` (see :class:`Engine`)."""
    return Engine(rubric, plugins=plugins).evaluate(evidence)


__all__ = ["Engine", "IndicatorContext", "Outcome", "band_record", "evaluate"]
