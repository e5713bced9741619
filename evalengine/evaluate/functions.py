"""Built-in formula functions, registered through the ``register_functions`` hook.

Each function is a class with a ``name``, a ``signature`` and a ``description``
(shown by ``evalengine plugins`` and in the docs), and a :meth:`Function.call`.
Aggregates accept either several arguments or one list: ``max(a, b)``,
``sum(children)``.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from ..hookspecs import hookimpl
from ..numbers import ROUNDING_MODES, round_to

if TYPE_CHECKING:
    from ..formula import ast
    from .interpreter import Interpreter


class Function:
    """Base class of formula functions."""

    name: ClassVar[str] = ""
    signature: ClassVar[str] = ""
    description: ClassVar[str] = ""
    min_args: ClassVar[int] = 1
    max_args: ClassVar[int | None] = 1

    def call(self, args: list[Any], node: ast.Call, interp: Interpreter) -> Any:
        """Check the argument count, then :meth:`apply`."""
        n = len(args)
        if n < self.min_args or (self.max_args is not None and n > self.max_args):
            expected = (
                str(self.min_args)
                if self.min_args == self.max_args
                else f"{self.min_args} or more"
                if self.max_args is None
                else f"{self.min_args} to {self.max_args}"
            )
            raise interp.fail(
                node,
                f"{self.name}() takes {expected} argument{'' if expected == '1' else 's'}, got {n}",
                f"usage: {self.signature}",
            )
        return self.apply(args, node, interp)

    def apply(self, args: list[Any], node: ast.Call, interp: Interpreter) -> Any:
        """Compute the result from evaluated arguments."""
        raise NotImplementedError


class _Aggregate(Function):
    min_args = 0
    max_args = None
    empty: ClassVar[Decimal | None] = None

    def numbers(self, args, node, interp) -> list[Decimal]:
        items = args[0] if len(args) == 1 and isinstance(args[0], list) else args
        return [interp.number(x, node) for x in items]

    def apply(self, args, node, interp):
        values = self.numbers(args, node, interp)
        if not values:
            if self.empty is None:
                raise interp.fail(node, f"{self.name}() of nothing: the list is empty")
            return self.empty
        return self.reduce(values)

    def reduce(self, values: list[Decimal]) -> Decimal:
        raise NotImplementedError


class Sum(_Aggregate):
    name = "sum"
    signature = "sum(list) | sum(a, b, …)"
    description = "total of the values (0 for an empty list)"
    empty = Decimal(0)

    def reduce(self, values):
        return sum(values, Decimal(0))


class Mean(_Aggregate):
    name = "mean"
    signature = "mean(list) | mean(a, b, …)"
    description = "arithmetic mean, exact (no rounding)"

    def reduce(self, values):
        return sum(values, Decimal(0)) / len(values)


class Min(_Aggregate):
    name = "min"
    signature = "min(list) | min(a, b, …)"
    description = "smallest value"

    def reduce(self, values):
        return min(values)


class Max(_Aggregate):
    name = "max"
    signature = "max(list) | max(a, b, …)"
    description = "largest value"

    def reduce(self, values):
        return max(values)


class Count(Function):
    name = "count"
    signature = "count(list)"
    description = "number of items in a list"

    def apply(self, args, node, interp):
        (items,) = args
        if not isinstance(items, list):
            raise interp.fail(node, "count() needs a list, e.g. count(children)")
        return Decimal(len(items))


class Round(Function):
    name = "round"
    signature = 'round(x, places, mode="half_up")'
    description = "round to a number of decimals; half-up unless a mode is named"
    min_args = 2
    max_args = 3

    def apply(self, args, node, interp):
        x = interp.number(args[0], node.args[0])
        places = interp.number(args[1], node.args[1])
        if places != places.to_integral_value() or not 0 <= places <= 20:
            raise interp.fail(node.args[1], "places must be a whole number from 0 to 20")
        mode = args[2] if len(args) == 3 else "half_up"
        if mode not in ROUNDING_MODES:
            raise interp.fail(
                node.args[2],
                f"unknown rounding mode {mode!r}",
                f"modes: {', '.join(ROUNDING_MODES)}",
            )
        return round_to(x, int(places), mode)


class Abs(Function):
    name = "abs"
    signature = "abs(x)"
    description = "absolute value"

    def apply(self, args, node, interp):
        return abs(interp.number(args[0], node))


class Floor(Function):
    name = "floor"
    signature = "floor(x)"
    description = "largest whole number not above x"

    def apply(self, args, node, interp):
        return interp.number(args[0], node).to_integral_value(rounding=ROUND_FLOOR)


class Ceil(Function):
    name = "ceil"
    signature = "ceil(x)"
    description = "smallest whole number not below x"

    def apply(self, args, node, interp):
        return interp.number(args[0], node).to_integral_value(rounding=ROUND_CEILING)


class Band(Function):
    name = "band"
    signature = 'band(x, "table")'
    description = "the band record (label, meaning, lower, upper) of x in a band table"
    min_args = max_args = 2

    def apply(self, args, node, interp):
        from .interpreter import band_record

        x = interp.number(args[0], node.args[0])
        table_name = args[1]
        rubric = interp.context.rubric
        table = rubric.bands.get(table_name)
        if table is None:
            raise interp.fail(node.args[1], f"unknown band table {table_name!r}")
        band = table.classify(x)
        if band is None:
            raise interp.fail(
                node,
                f"{x:f} falls in no band of '{table_name}'",
                f"bands: {', '.join(f'{b.label} {b.interval}' for b in table.bands)}",
            )
        return band_record(band, table_name)


def value_kind(value: object) -> str:
    """What a formula value is, for messages: a number, a list, text, …"""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, Decimal):
        return "a number"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return "text"
    return f"a {type(value).__name__}"


class Lookup(Function):
    name = "lookup"
    signature = 'lookup("table", key)'
    description = "the value stored under key in a [tables.<name>] table of the rubric"
    min_args = max_args = 2

    def apply(self, args, node, interp):
        from ..numbers import to_decimal

        table_name, key = args
        tables = interp.context.rubric.tables
        if not isinstance(table_name, str):  # lookup(children, 1): a list is no name
            raise interp.fail(
                node.args[0],
                f"lookup() needs a table name, got {value_kind(table_name)}",
                'lookup("table", key)',
            )
        if table_name not in tables:
            raise interp.fail(
                node.args[0],
                f"unknown lookup table {table_name!r}",
                f"tables: {', '.join(tables) or 'none'}",
            )
        table = tables[table_name]
        lookup_key = f"{key:f}" if isinstance(key, Decimal) else str(key)
        if lookup_key not in table:
            folded = {str(k).casefold(): k for k in table}
            if lookup_key.casefold() not in folded:
                raise interp.fail(
                    node.args[1],
                    f"{lookup_key!r} is not a key of table '{table_name}'",
                    f"keys: {', '.join(map(str, table))}",
                )
            lookup_key = folded[lookup_key.casefold()]
        value = table[lookup_key]
        try:
            return to_decimal(value)
        except ValueError:
            return value


class Number(Function):
    name = "number"
    signature = "number(x)"
    description = "text written as a number (Indonesian or plain) → number"

    def apply(self, args, node, interp):
        from ..numbers import to_decimal

        value = args[0]
        if isinstance(value, Decimal):
            return value
        try:
            return to_decimal(value)
        except ValueError as exc:
            raise interp.fail(node, str(exc)) from None


BUILTIN_FUNCTIONS = [Sum, Mean, Min, Max, Count, Round, Abs, Floor, Ceil, Band, Lookup, Number]


@hookimpl
def register_functions():
    """The core's own formula functions."""
    return BUILTIN_FUNCTIONS
