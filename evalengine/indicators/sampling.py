"""Minimum survey sample sizes (Krejcie & Morgan, 1970), exact: a formula function and a helper.

S = χ²·N·P(1−P) / (d²·(N−1) + χ²·P(1−P)) with χ² = 3.841, P = 0.5, d = 0.05. The
published table equals this formula rounded to nearest on each of its 90 rows
(regulations.md §4.6). For a population on a table row the table value is used; between
rows the policy is ``formula_up`` (evaluate the formula, round up: N = 37 → 34) or
``next_row`` (the next higher row: N = 37 → 36). Above the last row (1,000,000) the
minimum is 384.

Formulas call it as ``krejcie_morgan(N)`` or ``krejcie_morgan(N, "next_row")``.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal, localcontext

from ..evaluate.functions import Function
from ..hookspecs import hookimpl
from ..numbers import CONTEXT

CHI_SQUARE = Decimal("3.841")
P = Decimal("0.5")
D = Decimal("0.05")

#: The published Krejcie–Morgan table: population N → sample S.
TABLE: dict[int, int] = {
    10: 10, 15: 14, 20: 19, 25: 24, 30: 28, 35: 32, 40: 36, 45: 40, 50: 44, 55: 48,
    60: 52, 65: 56, 70: 59, 75: 63, 80: 66, 85: 70, 90: 73, 95: 76, 100: 80, 110: 86,
    120: 92, 130: 97, 140: 103, 150: 108, 160: 113, 170: 118, 180: 123, 190: 127,
    200: 132, 210: 136, 220: 140, 230: 144, 240: 148, 250: 152, 260: 155, 270: 159,
    280: 162, 290: 165, 300: 169, 320: 175, 340: 181, 360: 186, 380: 191, 400: 196,
    420: 201, 440: 205, 460: 210, 480: 214, 500: 217, 550: 226, 600: 234, 650: 242,
    700: 248, 750: 254, 800: 260, 850: 265, 900: 269, 950: 274, 1000: 278, 1100: 285,
    1200: 291, 1300: 297, 1400: 302, 1500: 306, 1600: 310, 1700: 313, 1800: 317,
    1900: 320, 2000: 322, 2200: 327, 2400: 331, 2600: 335, 2800: 338, 3000: 341,
    3500: 346, 4000: 351, 4500: 354, 5000: 357, 6000: 361, 7000: 364, 8000: 367,
    9000: 368, 10000: 370, 15000: 375, 20000: 377, 30000: 379, 40000: 380, 50000: 381,
    75000: 382, 1000000: 384,
}  # fmt: skip

POLICIES = ("formula_up", "next_row")


def krejcie_morgan_formula(population: Decimal) -> Decimal:
    """The unrounded Krejcie–Morgan sample size for ``population``."""
    with localcontext(CONTEXT):
        pq = P * (1 - P)
        return CHI_SQUARE * population * pq / (D * D * (population - 1) + CHI_SQUARE * pq)


def min_sample(population: Decimal | int, policy: str = "formula_up") -> int:
    """The minimum sample for ``population`` (table row, else the policy between rows)."""
    n = Decimal(population)
    if n < 1:
        msg = f"population must be at least 1, got {population}"
        raise ValueError(msg)
    if policy not in POLICIES:
        msg = f"unknown Krejcie–Morgan policy {policy!r}; use {' or '.join(POLICIES)}"
        raise ValueError(msg)
    if n == n.to_integral_value() and int(n) in TABLE:
        return TABLE[int(n)]
    if n > max(TABLE):
        return TABLE[max(TABLE)]
    if policy == "next_row":
        row = min(k for k in TABLE if k >= n)
        return min(TABLE[row], int(n.to_integral_value(rounding=ROUND_CEILING)))
    return int(krejcie_morgan_formula(n).to_integral_value(rounding=ROUND_CEILING))


class KrejcieMorgan(Function):
    """``krejcie_morgan(N, policy)``: the minimum survey sample for a population of N."""

    name = "krejcie_morgan"
    signature = 'krejcie_morgan(population, policy="formula_up")'
    description = (
        "Krejcie–Morgan minimum sample (table rows; between rows formula rounded up or next row)"
    )
    min_args = 1
    max_args = 2

    def apply(self, args, node, interp):
        population = interp.number(args[0], node.args[0])
        policy = args[1] if len(args) == 2 else "formula_up"
        try:
            return Decimal(min_sample(population, policy))
        except ValueError as exc:
            raise interp.fail(node, str(exc)) from None


@hookimpl
def register_functions():
    """The krejcie_morgan formula function."""
    return [KrejcieMorgan]
