"""Consistency checks of a loaded rubric: references, types, cycles, weights, scales, bands.

Returns :class:`Diagnostic` rows; it never raises. ``load_rubric`` refuses a rubric
with errors, and ``evalengine check`` prints everything found here.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..errors import Diagnostic, Location, shift, with_suggestion
from ..formula import ast
from .model import Formula, Indicator, Rubric

#: Names a formula may start a reference with, besides indicator ids.
BUILTIN_ROOTS = ("self", "children", "evidence", "params", "stage", "tables")


def formulas(indicator: Indicator) -> Iterator[tuple[str, Formula]]:
    """The (key, formula) pairs an indicator declares."""
    for key in ("value", "max"):
        formula = getattr(indicator, key)
        if formula is not None:
            yield key, formula


def node_location(formula: Formula, node: ast.Expr) -> Location:
    """File location of ``node`` inside ``formula``."""
    span = node.span
    if formula.location.line is None:
        return formula.location
    return shift(formula.location, line=span.line - 1, column=span.column - 1)


def dependencies(indicator: Indicator, ids: set[str]) -> set[str]:
    """Indicator ids this indicator's formulas read (children are added by the engine)."""
    deps: set[str] = set()
    for _, formula in formulas(indicator):
        for node in formula.tree.walk():
            if isinstance(node, ast.Ref) and node.path[0] in ids:
                deps.add(node.path[0])
    return deps


def evaluation_order(rubric: Rubric) -> tuple[list[Indicator], list[str] | None]:
    """Indicators in an order where every dependency comes first, and a cycle if any.

    A parent always depends on its children; other dependencies come from formulas.
    """
    by_id = rubric.by_id()
    ids = set(by_id)
    graph = {
        ind.id: [c.id for c in ind.children] + sorted(dependencies(ind, ids) - {ind.id})
        for ind in by_id.values()
    }
    for ind in by_id.values():  # a formula reading its own id is a cycle of one
        if ind.id in dependencies(ind, ids):
            return [], [ind.id, ind.id]
    order: list[Indicator] = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for start in graph:
        if state.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(graph[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                path.pop()
                state[node] = 2
                order.append(by_id[node])
            elif state.get(nxt) == 1:
                return order, [*path[path.index(nxt) :], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(graph[nxt])))
    return order, None


def _text_option_problems(ind: Indicator, itype) -> list[Diagnostic]:
    """An error per option of ``itype.text_options`` whose value is not text."""
    return [
        Diagnostic(
            "error",
            "type",
            f"`{key}` of '{ind.id}' must be text, got {type(ind.options[key]).__name__}",
            ind.key_locations.get(key, ind.location),
            f'write {key} = "…"',
        )
        for key in getattr(itype, "text_options", ())
        if key in ind.options and not isinstance(ind.options[key], str)
    ]


def check_rubric(rubric: Rubric, *, plugins=None) -> list[Diagnostic]:
    """Every problem found in a loaded rubric, errors and warnings."""
    from ..plugins import default_plugins

    plugins = plugins or default_plugins()
    diags: list[Diagnostic] = []
    by_id: dict[str, Indicator] = {}
    for ind in rubric.root.walk():
        if ind.id in by_id and ind is not rubric.root:
            diags.append(
                Diagnostic(
                    "error",
                    "duplicate-id",
                    f"indicator id '{ind.id}' is used twice",
                    ind.location,
                    "indicator ids must be unique in the rubric",
                )
            )
        by_id[ind.id] = ind
    function_names = set(plugins.functions)
    roots = set(BUILTIN_ROOTS) | set(by_id)
    for ind in rubric.root.walk():
        if ind.scale is not None and ind.scale not in rubric.scales:
            diags.append(
                Diagnostic(
                    "error",
                    "unknown-scale",
                    f"unknown scale '{ind.scale}'",
                    ind.key_locations.get("scale", ind.location),
                    with_suggestion(
                        f"scales: {', '.join(rubric.scales) or 'none'}", ind.scale, rubric.scales
                    ),
                )
            )
        if ind.band is not None and ind.band not in rubric.bands:
            diags.append(
                Diagnostic(
                    "error",
                    "unknown-band",
                    f"unknown band table '{ind.band}'",
                    ind.key_locations.get("band", ind.location),
                    with_suggestion(
                        f"band tables: {', '.join(rubric.bands) or 'none'}", ind.band, rubric.bands
                    ),
                )
            )
        if ind.type in plugins.indicator_types and ind is not rubric.root:
            itype = plugins.indicator_types.get(ind.type)()
            wrong = _text_option_problems(ind, itype)
            diags.extend(wrong)
            unknown_scale = ind.scale is not None and ind.scale not in rubric.scales
            if not wrong and not ind.broken and not unknown_scale:
                diags.extend(itype.validate(ind, rubric))
        for key, formula in formulas(ind):
            diags.extend(_check_formula(rubric, formula, key, roots, function_names))
        diags.extend(_check_weights(ind))
    order, cycle = evaluation_order(rubric)
    duplicates = any(d.code == "duplicate-id" for d in diags)
    if not cycle and not duplicates:  # the analyses key everything by indicator id
        from .ranges import range_problems
        from .typecheck import check_types

        diags.extend(check_types(rubric, order, plugins))
        diags.extend(range_problems(rubric, order, plugins))
    diags.extend(unused_definitions(rubric))
    if cycle:
        first = by_id[cycle[0]]
        diags.append(
            Diagnostic(
                "error",
                "cycle",
                "indicators depend on each other in a cycle: " + " → ".join(cycle),
                first.value.location if first.value else first.location,
                "break the cycle: a value cannot depend on itself, directly or through others",
            )
        )
    return diags


def _check_formula(
    rubric: Rubric, formula: Formula, key: str, roots: set[str], function_names: set[str]
) -> list[Diagnostic]:
    diags = []
    for node in formula.tree.walk():
        if isinstance(node, ast.Ref) and node.path[0] not in roots:
            diags.append(
                Diagnostic(
                    "error",
                    "unknown-reference",
                    f"unknown name '{node.path[0]}' in `{key}` formula",
                    node_location(formula, node),
                    with_suggestion(
                        "names are indicator ids, or start with " + ", ".join(BUILTIN_ROOTS),
                        node.path[0],
                        roots,
                    ),
                )
            )
        elif isinstance(node, ast.Ref) and node.path[0] == "params" and len(node.path) > 1:
            if node.path[1] not in rubric.params:
                diags.append(
                    Diagnostic(
                        "error",
                        "unknown-reference",
                        f"unknown parameter '{node.path[1]}'",
                        node_location(formula, node),
                        with_suggestion(
                            f"[params]: {', '.join(rubric.params) or 'none'}",
                            node.path[1],
                            rubric.params,
                        ),
                    )
                )
        elif isinstance(node, ast.Call) and node.name not in function_names:
            diags.append(
                Diagnostic(
                    "error",
                    "unknown-function",
                    f"unknown function '{node.name}'",
                    node_location(formula, node),
                    with_suggestion(
                        f"functions: {', '.join(sorted(function_names))}", node.name, function_names
                    ),
                )
            )
        elif isinstance(node, ast.Call) and node.name == "band" and len(node.args) == 2:
            table = node.args[1]
            if isinstance(table, ast.String) and table.value not in rubric.bands:
                diags.append(
                    Diagnostic(
                        "error",
                        "unknown-band",
                        f"unknown band table '{table.value}'",
                        node_location(formula, table),
                        with_suggestion(
                            f"band tables: {', '.join(rubric.bands) or 'none'}",
                            table.value,
                            rubric.bands,
                        ),
                    )
                )
    return diags


def _check_weights(ind: Indicator) -> list[Diagnostic]:
    if ind.weight is None or not ind.children:
        return []
    weights = [c.weight for c in ind.children]
    if any(w is None for w in weights):
        return []
    total = sum(weights, Decimal(0))
    if total == ind.weight:
        return []
    return [
        Diagnostic(
            "warning",
            "weight-sum",
            f"child weights of '{ind.id}' add up to {total:f}, but its weight is {ind.weight:f}",
            ind.location,
            "the instrument may be inconsistent; the value and maximum follow the child weights",
        )
    ]


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def unused_definitions(rubric: Rubric) -> list[Diagnostic]:
    """Scales and band tables nothing refers to (warnings: often a leftover or a typo).

    A name counts as used when an indicator declares it (``scale``, ``band``, the
    headline ``band``), when a formula names it in a string (``band(x, "akip")``), or
    when any plugin option, parameter or evidence mapping mentions it, or when the
    indicator's type says it may use it (``IndicatorType.band_tables``).
    """
    from ..plugins import default_plugins

    types = default_plugins().indicator_types
    used: set[str] = set()
    for ind in rubric.root.walk():
        used.update(n for n in (ind.scale, ind.band) if n)
        if ind.type in types and ind is not rubric.root:
            used.update(types.get(ind.type)().band_tables(ind, rubric))
        used.update(_strings(ind.options))
        for _, formula in formulas(ind):
            used.update(n.value for n in formula.tree.walk() if isinstance(n, ast.String))
    used.update(_strings(rubric.params))
    used.update(_strings(rubric.evidence_spec))
    diags = []
    for name, scale in rubric.scales.items():
        if name not in used:
            diags.append(
                Diagnostic(
                    "warning",
                    "unused-scale",
                    f"scale '{name}' is not used by any indicator",
                    scale.location,
                    "remove it, or point an indicator's `scale` at it",
                )
            )
    for name, table in rubric.bands.items():
        if name not in used:
            diags.append(
                Diagnostic(
                    "warning",
                    "unused-band",
                    f"band table '{name}' is not used",
                    table.location,
                    'remove it, or name it in `band = …` or band(x, "' + name + '")',
                )
            )
    return diags
