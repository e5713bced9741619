"""The contract every indicator type fulfils, built-in or from a plugin.

An indicator type turns one node of the rubric tree into a value. Most types only
say which formula computes the value by default and which facts ``self.<name>``
a formula may use; the engine evaluates the formula with the Decimal interpreter
and records its derivation. A type may override :meth:`IndicatorType.evaluate`
entirely (a survey type reads a table of responses, for example).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import Diagnostic

if TYPE_CHECKING:
    from ..evaluate.engine import IndicatorContext, Outcome
    from ..rubric.model import Indicator, Rubric


@dataclass(frozen=True)
class Fact:
    """A value a formula can read as ``self.<name>``, with where it came from."""

    value: Any
    provenance: Any = None


@dataclass(frozen=True)
class Option:
    """A possible answer of an indicator (for ``gap`` and templates): its label and value."""

    label: str
    value: Decimal


class IndicatorType:
    """Base class of indicator types.

    Class attributes:
        name: the ``type = "…"`` a rubric writes; unique across plugins.
        description: one line for ``evalengine plugins`` and the docs.
        options: extra keys this type accepts in an indicator table, key → meaning.
        answered: True when the evidence gives an answer per indicator (``[answers]``).
        text_options: options whose value must be text (a table, column or band name,
            a policy): the rubric check reports any other value at its key and does not
            call :meth:`validate`, which may then take them to be strings.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    options: ClassVar[Mapping[str, str]] = {}
    answered: ClassVar[bool] = False
    text_options: ClassVar[tuple[str, ...]] = ()

    def default_value(self, indicator: Indicator, rubric: Rubric) -> str | None:
        """Formula text used when the indicator has no ``value`` key (None: required)."""
        return None

    def default_max(self, indicator: Indicator, rubric: Rubric) -> str | None:
        """Formula text for the maximum when the indicator has no ``max`` key."""
        return None

    def validate(self, indicator: Indicator, rubric: Rubric) -> list[Diagnostic]:
        """Problems with this indicator's definition, found while loading the rubric."""
        return []

    def facts(self, indicator: Indicator, ctx: IndicatorContext) -> dict[str, Fact]:
        """Facts a formula reads as ``self.<name>``, beyond weight, code and title."""
        return {}

    def band_tables(self, indicator: Indicator, rubric: Rubric) -> set[str]:
        """Band tables this type may classify with beyond ``band`` (so none is "unused")."""
        return set()

    def answer_options(self, indicator: Indicator, rubric: Rubric) -> list[Option]:
        """The answers this indicator can take, lowest first (empty: not an answered type)."""
        return []

    def node_ids(self, indicator: Indicator, evidence: Any) -> set[str]:
        """Ids of the result nodes this type builds from ``evidence`` (rows of a table).

        ``[stated]`` may key figures by these ids as well as by indicator ids.
        """
        return set()

    def evaluate(self, indicator: Indicator, ctx: IndicatorContext) -> Outcome:
        """Compute the indicator's value; by default evaluates its value formula."""
        return ctx.evaluate_formulas(self)
