"""The order of a ranking table (``batch`` and ``score --group-by``)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

Ranked = TypeVar("Ranked", bound=Any)


def competition_rank(
    items: list[Ranked],
    value: Callable[[Ranked], Decimal | None],
    name: Callable[[Ranked], str],
) -> list[Ranked]:
    """``items`` that have a value, highest first, then the others (failures), each part
    ordered by ``name`` where values are equal; sets each valued item's ``rank``.

    Equal values share a rank and the next rank counts them all (1, 2, 2, 4): two
    agencies with the same index are placed alike, as in a published ranking.
    """
    valued = [(value(item), item) for item in items]  # each value read once
    scored = sorted(((v, i) for v, i in valued if v is not None), key=lambda p: (-p[0], name(p[1])))
    previous, rank = None, 0
    for position, (v, item) in enumerate(scored, start=1):
        if v != previous:
            rank, previous = position, v
        item.rank = rank
    failed = sorted((i for v, i in valued if v is None), key=name)
    return [item for _, item in scored] + failed
