"""Value-only evaluation for many documents: formulas compiled once into Python closures.

``evalengine batch`` needs, per evidence document, only the headline value, maximum and
band — not the derivations, explanations and result tree ``score`` and ``explain``
print. :class:`ValuePlan` compiles every formula of a rubric **once** (per engine) from
its AST into nested Python closures (no ``eval``/``exec``/``compile`` of text), and then
evaluates a parsed document with the very semantics of the Decimal interpreter
(:mod:`.interpreter`) and the engine (:mod:`.engine`): same evaluation order, stages,
facts, static maxima, rounding and band tables — but no :class:`~.interpreter.Input`
records, no substituted text, no result tree and no provenance.

The plan is deliberately **optimistic**. It handles the built-in indicator types
(``group``, ``score``, ``formula``) and the built-in functions; a rubric using anything
else raises :class:`Unsupported` when the plan is built, and its documents go through
the full engine. While scoring a document, anything unusual — a validation problem,
a formula error, a ``[tables]`` section, ``versions`` in ``[evidence]`` — raises
:class:`Fallback`, and the caller scores that document with the full engine, which
gives the exact error message with file, line and column. So the plan's only job is
the happy path, and there it must give the numbers the full engine gives; the
agreement tests (``tests/test_batch_fast.py``) check that on every shipped example and
on generated documents.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext
from typing import Any

from ..evidence.model import ANY_STAGE
from ..evidence.readers import META_KEYS, SECTIONS
from ..formula import ast
from ..numbers import CONTEXT, MAX_MAGNITUDE, round_to
from ..rubric.model import Band, Formula, Indicator, Interval, Rubric
from .engine import formula_value, literal_value
from .interpreter import ARITHMETIC, Record, type_name

#: A compiled formula: frame → value.
Compiled = Callable[["_Frame"], Any]

_FUNCTIONS_MODULE = "evalengine.evaluate.functions"
#: Distinct answers remembered per scale (a document of free text cannot grow it further).
_RESOLVE_CACHE = 4096
_BUILTIN_TYPES_MODULE = "evalengine.indicators.builtin"


class Unsupported(Exception):
    """The rubric uses something the value-only plan does not handle (use the engine)."""


class Fallback(Exception):
    """This document needs the full engine (it may be wrong, or merely unusual)."""


class _EvalFail(Exception):
    """Where the interpreter raises a FormulaEvalError (a non-explicit max catches it)."""


class _Shim:
    """The part of :class:`~.interpreter.Interpreter` built-in functions use."""

    def __init__(self, rubric: Rubric) -> None:
        self.context = self  # functions read interp.context.rubric
        self.rubric = rubric

    @staticmethod
    def fail(node: Any, message: str, hint: str | None = None) -> _EvalFail:
        return _EvalFail(message)

    @staticmethod
    def number(value: Any, node: Any) -> Decimal:
        return _number(value)

    @staticmethod
    def boolean(value: Any, node: Any) -> bool:
        return _boolean(value)


def _number(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Record) and isinstance(value.fields.get("value"), Decimal):
        return value.fields["value"]
    raise _EvalFail


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _EvalFail


class _Frame:
    """The state one formula reads: its indicator's facts and the stage run so far."""

    __slots__ = ("evidence_facts", "facts", "maxes", "values")

    def __init__(self, values: dict, maxes: dict, evidence_facts: dict) -> None:
        self.values = values
        self.maxes = maxes
        self.evidence_facts = evidence_facts
        self.facts: dict[str, Any] = {}


def _raise(exc: type[Exception]) -> Compiled:
    def fn(f: _Frame) -> Any:
        raise exc

    return fn


class _Compiler:
    """Turns the formulas of one indicator (at one position of the order) into closures."""

    def __init__(self, plan: ValuePlan, ind: Indicator, evaluated_before: frozenset[str]) -> None:
        self.plan = plan
        self.ind = ind
        self.before = evaluated_before  # ids in the stage run's outcomes when ind runs

    # -- references (IndicatorContext.resolve) -------------------------------------------
    def field(self, indicator_id: str, name: str) -> Compiled:
        """``IndicatorContext._field`` for an indicator evaluated earlier in the stage."""
        plan = self.plan
        if name == "value":
            return lambda f: f.values[indicator_id]
        if name == "max":

            def max_(f: _Frame) -> Any:
                m = f.maxes[indicator_id]
                if m is None:
                    raise _EvalFail
                return m

            return max_
        if name == "weight":
            weight = plan.by_id[indicator_id].weight
            if weight is None:
                return _raise(_EvalFail)
            return lambda f: weight
        if name == "percent":

            def percent(f: _Frame) -> Any:
                m = f.maxes[indicator_id]
                value = f.values[indicator_id]
                if not m or not isinstance(value, Decimal):
                    raise _EvalFail
                return value / m * 100

            return percent
        if name in ("band", "meaning"):
            table_name = plan.engine.band_table_name(plan.by_id[indicator_id])
            table = plan.rubric.bands[table_name] if table_name is not None else None
            want_label = name == "band"

            def band(f: _Frame) -> Any:
                value = f.values[indicator_id]
                if table is None or not isinstance(value, Decimal):
                    raise _EvalFail(name)
                found = table.classify(value)
                if found is None:
                    raise _EvalFail(name)
                return found.label if want_label else found.meaning

            return band
        # built-in types put nothing in Outcome.extra
        return _raise(_EvalFail)

    def ref(self, path: tuple[str, ...]) -> Compiled:
        head, rest = path[0], path[1:]
        if head == "self":
            if not rest or len(rest) > 1:
                return _raise(_EvalFail)
            name = rest[0]

            def self_(f: _Frame) -> Any:
                value = f.facts.get(name)
                if value is None:  # unknown, or known without a value
                    raise _EvalFail(name)
                return value

            return self_
        if head == "children":
            field_name = rest[0] if rest else "value"
            getters = [self.field(child.id, field_name) for child in self.ind.children]
            return lambda f: [g(f) for g in getters]
        if head == "stage":
            raise _StageRef
        if head == "evidence":

            def evidence(f: _Frame) -> Any:
                node: Any = f.evidence_facts
                for part in rest:
                    if not isinstance(node, dict) or part not in node:
                        raise _EvalFail(part)
                    node = node[part]
                if isinstance(node, dict):
                    raise _EvalFail
                return formula_value(node)

            return evidence
        if head == "params":
            params = self.plan.rubric.params
            if not rest or rest[0] not in params:
                return _raise(_EvalFail)
            try:
                value = params[rest[0]]
                if isinstance(value, dict):
                    for part in rest[1:]:
                        value = value[part]
                constant = literal_value(value)
            except KeyError:
                return _raise(_EvalFail)
            except Exception:  # the interpreter would crash: let the engine
                return _raise(Fallback)
            return lambda f: constant
        if head in self.before:
            if len(rest) > 1:
                return _raise(_EvalFail)
            return self.field(head, rest[0] if rest else "value")
        return _raise(_EvalFail)

    # -- expressions (Interpreter.eval_*) -----------------------------------------------
    def compile(self, node: ast.Expr, stage: str | None) -> Compiled:
        if isinstance(node, ast.Number | ast.String | ast.Bool):
            constant = node.value
            return lambda f: constant
        if isinstance(node, ast.Ref):
            try:
                return self.ref(node.path)
            except _StageRef:
                return lambda f: stage
        if isinstance(node, ast.Attr):
            obj, name = self.compile(node.obj, stage), node.name

            def attr(f: _Frame) -> Any:
                value = obj(f)
                if isinstance(value, Record) and name in value.fields:
                    return value.fields[name]
                raise _EvalFail(name)

            return attr
        if isinstance(node, ast.Call):
            fn = self.plan.functions.get(node.name)
            if fn is None:
                return _raise(_EvalFail)
            args = [self.compile(a, stage) for a in node.args]
            call, shim = fn.call, self.plan.shim
            if len(args) == 1:
                (only,) = args
                return lambda f: call([only(f)], node, shim)
            return lambda f: call([a(f) for a in args], node, shim)
        if isinstance(node, ast.Unary):
            operand = self.compile(node.operand, stage)
            if node.op == "not":
                return lambda f: not _boolean(operand(f))
            return lambda f: -_number(operand(f))
        if isinstance(node, ast.If):
            cond = self.compile(node.cond, stage)
            then = self.compile(node.then, stage)
            else_ = self.compile(node.else_, stage)
            return lambda f: then(f) if _boolean(cond(f)) else else_(f)
        if isinstance(node, ast.Interval):
            return self.interval(node, stage)
        if isinstance(node, ast.Binary):
            return self.binary(node, stage)
        msg = f"no compiled form for {type(node).__name__}"
        raise Unsupported(msg)

    def interval(self, node: ast.Interval, stage: str | None) -> Compiled:
        lo = None if node.lo is None else self.compile(node.lo, stage)
        hi = None if node.hi is None else self.compile(node.hi, stage)
        lo_closed, hi_closed = node.lo_closed, node.hi_closed

        def interval(f: _Frame) -> Interval:
            a = None if lo is None else _number(lo(f))
            b = None if hi is None else _number(hi(f))
            return Interval(a, b, lo_closed and a is not None, hi_closed and b is not None)

        return interval

    def binary(self, node: ast.Binary, stage: str | None) -> Compiled:
        op = node.op
        left, right = self.compile(node.left, stage), self.compile(node.right, stage)
        if op == "and":
            return lambda f: _boolean(left(f)) and _boolean(right(f))
        if op == "or":
            return lambda f: _boolean(left(f)) or _boolean(right(f))
        if op == "in":

            def in_(f: _Frame) -> bool:
                a, b = left(f), right(f)
                if not isinstance(b, Interval):
                    raise _EvalFail
                return b.contains(_number(a))

            return in_
        if op in ("eq", "ne"):
            negate = op == "ne"

            def eq(f: _Frame) -> bool:
                a, b = left(f), right(f)
                if isinstance(a, Record):
                    a = str(a)
                if isinstance(b, Record):
                    b = str(b)
                if type_name(a) != type_name(b):
                    raise _EvalFail
                return (a != b) if negate else (a == b)

            return eq
        if op in ("lt", "le", "gt", "ge"):
            compare = {
                "lt": Decimal.__lt__,
                "le": Decimal.__le__,
                "gt": Decimal.__gt__,
                "ge": Decimal.__ge__,
            }[op]
            return lambda f: compare(_number(left(f)), _number(right(f)))
        return self.arithmetic(op, left, right)

    @staticmethod
    def arithmetic(op: str, left: Compiled, right: Compiled) -> Compiled:
        apply = ARITHMETIC[op]

        def run(f: _Frame) -> Decimal:
            a, b = _number(left(f)), _number(right(f))
            if op == "div" and b == 0:
                raise _EvalFail
            try:
                result = apply(a, b)
            except (InvalidOperation, DivisionByZero):
                raise _EvalFail from None
            if abs(result) > MAX_MAGNITUDE:
                raise _EvalFail
            return result

        return run


class _StageRef(Exception):
    """``stage`` is compiled as a constant per stage (see :meth:`_Compiler.compile`)."""


class _Step:
    """One indicator of the evaluation order, compiled for every stage."""

    __slots__ = (
        "explicit_max",
        "fast",
        "id",
        "kind",
        "max_fn",
        "optional",
        "places",
        "scale",
        "scale_max",
        "scale_min",
        "static_facts",
        "value_fn",
    )


class ValuePlan:
    """A rubric compiled for value-only scoring; reusable across documents.

    Build it from an :class:`~.engine.Engine` (whose plugins, order, default formulas,
    band tables and rounding it follows). :meth:`score` takes a parsed document (the
    dict a TOML/JSON reader gives) and returns the final stage's values, or raises
    :class:`Fallback`.
    """

    def __init__(self, engine: Any) -> None:
        from ..indicators import builtin

        self.engine = engine
        self.rubric: Rubric = engine.rubric
        self.by_id = engine.by_id
        self.shim = _Shim(self.rubric)
        self.functions: dict[str, Any] = {}
        for name, fn in engine.functions.items():
            if type(fn).__module__ == _FUNCTIONS_MODULE:
                self.functions[name] = fn
        types = engine.plugins.indicator_types
        kinds = {builtin.GroupType: "group", builtin.ScoreType: "score"}
        kinds[builtin.FormulaType] = "formula"
        rubric = self.rubric
        self.stages: tuple[str | None, ...] = rubric.stages or (None,)
        self.answered: dict[str, Indicator] = {}
        self.static_max: dict[str, Decimal | None] = {}
        self.steps: dict[str | None, list[_Step]] = {s: [] for s in self.stages}
        before: set[str] = set()
        for ind in engine.order:
            cls = types.get(ind.type) if ind.type in types else None
            if cls not in kinds or cls.__module__ != _BUILTIN_TYPES_MODULE:
                msg = f"indicator '{ind.id}' has type '{ind.type}'"
                raise Unsupported(msg)
            itype = cls()
            for formula in (ind.value, ind.max):
                if formula is not None:
                    self._check_calls(formula)
            if kinds[cls] == "score":
                if ind.scale is None or ind.scale not in rubric.scales:
                    msg = f"score indicator '{ind.id}' without a scale"
                    raise Unsupported(msg)
                self.answered[ind.id] = ind
            compiler = _Compiler(self, ind, frozenset(before))
            value_formula = ind.value or self._default(ind, itype.default_value(ind, rubric))
            max_formula = ind.max or self._default(ind, itype.default_max(ind, rubric))
            if value_formula is None:
                msg = f"indicator '{ind.id}' has no value formula"
                raise Unsupported(msg)
            for formula in (value_formula, max_formula):
                if formula is not None:
                    self._check_calls(formula)
            for stage in self.stages:
                step = _Step()
                step.id = ind.id
                step.kind = kinds[cls]
                step.optional = ind.optional
                step.places = engine.rounding_places(ind)
                step.static_facts = {
                    "weight": ind.weight,
                    "code": ind.code,
                    "title": ind.title,
                    "id": ind.id,
                }
                if step.kind == "score":
                    scale = rubric.scales[ind.scale]
                    step.scale, step.scale_max, step.scale_min = scale, scale.max, scale.min
                else:
                    step.scale = step.scale_max = step.scale_min = None
                step.value_fn = compiler.compile(value_formula.tree, stage)
                step.max_fn = None
                step.explicit_max = ind.max is not None
                step.fast = _fast_step(self, ind, step.kind)
                if max_formula is not None:
                    step.max_fn = (
                        compiler.compile(max_formula.tree, stage),
                        self._static_refs(max_formula),
                        tuple(c.id for c in ind.children),
                    )
                self.steps[stage].append(step)
            before.add(ind.id)
        self.root = rubric.root
        table_name = engine.band_table_name(rubric.root)
        self.root_table = rubric.bands.get(table_name) if table_name is not None else None
        self.allowed_stages = set(rubric.stages) | {ANY_STAGE}
        self.required = [iid for iid, ind in self.answered.items() if not ind.optional]
        self._resolved: dict[str, dict[Any, Any]] = {}
        #: answered indicator id → its scale's (cached) resolve
        self._resolvers = {
            iid: self._resolver(rubric.scales[ind.scale]) for iid, ind in self.answered.items()
        }

    def _default(self, ind: Indicator, text: str | None) -> Formula | None:
        return None if text is None else self.engine.parsed_default(text, ind)

    def _static_refs(self, formula: Formula) -> tuple[bool, bool]:
        """(may be static, reads children): :meth:`Engine.max_is_static` before the children
        test, which depends on which maxima are cached by the time the formula runs."""
        engine = self.engine
        reads_children = False
        for node in formula.tree.walk():
            if isinstance(node, ast.Call) and (
                node.name not in engine.PURE_FUNCTIONS
                or node.name not in engine.functions
                or type(engine.functions[node.name]).__module__ != _FUNCTIONS_MODULE
            ):
                return False, False
            if isinstance(node, ast.Ref):
                if node.path[0] == "params":
                    continue
                if node.dotted not in engine.STATIC_REFS:
                    return False, False
                reads_children = reads_children or node.path[0] == "children"
        return True, reads_children

    def _check_calls(self, formula: Formula) -> None:
        for node in formula.tree.walk():
            if isinstance(node, ast.Call) and (
                node.name in self.engine.functions and node.name not in self.functions
            ):
                msg = f"function '{node.name}' comes from a plugin"
                raise Unsupported(msg)

    # -- the document ----------------------------------------------------------------------
    def _resolver(self, scale) -> Callable[[Any], tuple[str, Decimal] | None]:
        """``scale.resolve``, remembered per answer (type and value) for this scale.

        The result depends only on the answer's type and value (numerically equal
        Decimals resolve alike), so ``(type, answer)`` keys it; unhashable answers and a
        full cache go to ``scale.resolve`` itself.
        """
        cache = self._resolved.get(scale.name)
        if cache is None:
            cache = self._resolved[scale.name] = {}
        resolve = scale.resolve

        def cached(answer: Any) -> tuple[str, Decimal] | None:
            try:
                key = (answer.__class__, answer)
                return cache[key]
            except KeyError:
                result = resolve(answer)
                if len(cache) < _RESOLVE_CACHE:
                    cache[key] = result
                return result
            except TypeError:  # unhashable
                return resolve(answer)

        return cached

    def answers(self, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Check a parsed document as the reader and validation would; its answers per stage,
        each resolved on its scale to (label, value).

        Raises :class:`Fallback` on anything the full path would report (or that it
        handles specially), so a document that passes here is one the full path accepts.
        """
        for key in data:
            if key not in SECTIONS:
                raise Fallback(key)
        for section in ("evidence", "answers", "facts", "stated", "tables"):
            if section in data and not isinstance(data[section], dict):
                raise Fallback(section)
        meta = data.get("evidence", {})
        for key in meta:
            if key not in META_KEYS or key == "versions":
                raise Fallback(key)
        if data.get("tables"):
            raise Fallback
        named = meta.get("rubric")
        if named is not None and str(named) != self.rubric.id:
            raise Fallback
        resolvers, allowed = self._resolvers, self.allowed_stages
        out: dict[str, dict[str, Any]] = {}
        for iid, raw in data.get("answers", {}).items():
            resolve = resolvers.get(iid)
            if resolve is None:
                raise Fallback(iid)
            if isinstance(raw, dict):
                per_stage = {}
                for stage, answer in raw.items():
                    if stage == "note":
                        continue
                    if stage == "value":
                        stage = ANY_STAGE  # as the reader keys it
                    elif stage not in allowed:
                        raise Fallback(iid)
                    resolved = resolve(answer)
                    if resolved is None:
                        raise Fallback(iid)
                    per_stage[stage] = resolved
            else:
                resolved = resolve(raw)
                if resolved is None:
                    raise Fallback(iid)
                per_stage = {ANY_STAGE: resolved}
            out[iid] = per_stage
        stages = self.rubric.stages or (ANY_STAGE,)
        for iid in self.required:
            per_stage = out.get(iid, {})
            if ANY_STAGE not in per_stage and any(s not in per_stage for s in stages):
                raise Fallback(iid)
        by_id = self.by_id
        for iid in data.get("stated", {}):
            if iid not in by_id:
                raise Fallback(iid)
        return out

    def score(self, data: dict[str, Any]) -> tuple[Any, Decimal | None, Band | None]:
        """(value, max, band) of the headline of a parsed document, as the engine gives them."""
        answers = self.answers(data)
        evidence_facts = data.get("facts", {})
        with localcontext(CONTEXT):
            try:
                for stage in self.stages:
                    values, maxes = self._run(stage, answers, evidence_facts)
            except _EvalFail as exc:
                raise Fallback(str(exc)) from None
        root = self.root.id
        value = values[root]
        band = None
        if self.root_table is not None and isinstance(value, Decimal):
            band = self.root_table.classify(value)
        return value, maxes[root], band

    def stage_values(self, data: dict[str, Any]) -> dict[str | None, dict[str, tuple[Any, Any]]]:
        """Every indicator's (value, max) at every stage (for the agreement tests)."""
        answers = self.answers(data)
        out = {}
        with localcontext(CONTEXT):
            try:
                for stage in self.stages:
                    values, maxes = self._run(stage, answers, data.get("facts", {}))
                    out[stage] = {k: (values[k], maxes[k]) for k in values}
            except _EvalFail as exc:
                raise Fallback(str(exc)) from None
        return out

    def _run(
        self, stage: str | None, answers: dict[str, dict[str, Any]], evidence_facts: dict
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        values: dict[str, Any] = {}
        maxes: dict[str, Any] = {}
        frame = _Frame(values, maxes, evidence_facts)
        static_max = self.static_max
        policy_mode = self.rubric.rounding.mode
        for step in self.steps[stage]:
            resolved = None
            if step.kind == "score":
                per_stage = answers.get(step.id)
                if per_stage:
                    if stage is not None and stage in per_stage:
                        resolved = per_stage[stage]
                    else:
                        resolved = per_stage.get(ANY_STAGE)
                if resolved is None:
                    if not step.optional:
                        raise Fallback(step.id)
                    resolved = (None, step.scale_min)
            fast = step.fast
            if fast is not None and step.id in static_max:
                # a default formula that reads no facts, and a maximum already known
                max_value = static_max[step.id]
                value = fast(values, resolved)
            else:
                facts = dict(step.static_facts)
                frame.facts = facts
                if resolved is not None:
                    facts["scale_max"] = step.scale_max
                    facts["scale_min"] = step.scale_min
                    facts["answer_label"], facts["answer"] = resolved
                max_value = None
                if step.max_fn is not None:
                    if step.id in static_max:
                        max_value = static_max[step.id]
                    else:
                        max_value = self._max(step, frame)
                facts["max"] = max_value
                value = step.value_fn(frame)
            if step.places is not None and isinstance(value, Decimal):
                value = round_to(value, step.places, policy_mode)
            values[step.id] = value
            maxes[step.id] = max_value
        return values, maxes

    def _max(self, step: _Step, frame: _Frame) -> Decimal | None:
        """``IndicatorContext._max`` past the cache: compute, and keep it when static."""
        fn, (static, reads_children), child_ids = step.max_fn
        try:
            max_value = fn(frame)
        except _EvalFail:
            if step.explicit_max:
                raise
            max_value = None
        if not isinstance(max_value, Decimal):
            max_value = None
        static_max = self.static_max
        if static and (not reads_children or all(c in static_max for c in child_ids)):
            static_max[step.id] = max_value
        return max_value


def _fast_step(plan: ValuePlan, ind: Indicator, kind: str) -> Callable | None:
    """A direct form of a type's default value formula, or None (use the compiled one).

    ``group``: ``sum(children)``; ``score``: ``self.weight * self.answer`` (or
    ``self.answer``). Each does what the compiled formula does — the same coercions,
    the same Decimal operations in the same context, the same magnitude check — but
    without building the indicator's facts, so it may only run once the maximum is
    cached (the caller checks).
    """
    from . import functions

    if ind.value is not None:
        return None
    if kind == "group":
        if type(plan.functions.get("sum")) is not functions.Sum:
            return None
        ids = tuple(c.id for c in ind.children)

        def group(values: dict, resolved: Any) -> Decimal:
            return sum([_number(values[c]) for c in ids], Decimal(0))

        return group
    if kind == "score":
        weight = ind.weight
        if weight is None:
            return lambda values, resolved: resolved[1]

        def score(values: dict, resolved: Any) -> Decimal:
            result = weight * resolved[1]
            if abs(result) > MAX_MAGNITUDE:
                raise _EvalFail
            return result

        return score
    return None


__all__ = ["Fallback", "Unsupported", "ValuePlan"]
