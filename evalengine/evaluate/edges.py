"""Band-edge warnings: when rounding decides a band, or a value sits at a band edge.

A predikat printed from a rounded number can hide how close the call was. The
IKM value 88.305 is B unrounded and A after half-up rounding to 2 places; AKIP 80.004
is A unrounded and BB once rounded to 80.00. This module compares the band of the
unrounded value (kept in ``Derivation.unrounded``) with the band of the rounded one,
and flags a value within one unit of the rounding precision of a band edge, so every
report shows both readings. Only nodes the rubric rounds are checked: a value that
is never rounded has a single, exact reading.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from ..numbers import plain
from ..rubric.model import Band, BandTable


def _name(band: Band | None) -> str:
    if band is None:
        return "no band"
    return f"{band.label} {band.meaning}".strip()


def band_edges(table: BandTable) -> list[tuple[Decimal, Band, Band]]:
    """The inner edges of a band table: (edge value, band below, band above), lowest first."""
    ordered = table.ordered()
    edges = []
    for below, above in itertools.pairwise(ordered):
        edge = above.interval.lo if above.interval.lo is not None else below.interval.hi
        if edge is not None:
            edges.append((edge, below, above))
    return edges


def edge_warning(
    table: BandTable, rounded: Decimal, unrounded: Decimal | None, places: int | None
) -> str | None:
    """A warning when rounding decided ``rounded``'s band or the value sits at a band edge.

    Args:
        table: the band table that classifies the node.
        rounded: the node's value after the rubric's rounding.
        unrounded: the value before rounding (None when the node was not rounded).
        places: the decimal places the node was rounded to (None when not rounded).

    Returns:
        The warning text with both readings, or None when the band is unambiguous.
    """
    if unrounded is None or places is None or not isinstance(unrounded, Decimal):
        return None
    raw_band = table.classify(unrounded)
    final_band = table.classify(rounded)
    if raw_band != final_band:
        return (
            f"band decided by rounding: unrounded {plain(unrounded)} is {_name(raw_band)}, "
            f"rounded to {places} places {plain(rounded)} is {_name(final_band)}"
        )
    unit = Decimal(1).scaleb(-places)
    for edge, below, above in band_edges(table):
        if abs(unrounded - edge) < unit:
            return (
                f"within {plain(unit)} of the band edge {plain(edge)} "
                f"({below.label} | {above.label}): unrounded {plain(unrounded)} and "
                f"rounded {plain(rounded)} are both {_name(final_band)}"
            )
    return None


__all__ = ["band_edges", "edge_warning"]
