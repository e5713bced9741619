"""The ``skp_iki`` indicator type: one individual performance indicator (IKI) of an SKP.

An indicator of this type reads its target and realisasi (by default from the evidence
facts ``<id>.target`` and ``<id>.realisasi``), computes capaian IKI, and converts it to
kategori and nilai capaian IKI with :func:`evalengine_skp.conversion.convert`. The value is
the nilai (maximum 120); ``capaian``, ``kategori``, ``target`` and ``realisasi`` are kept
in ``extra`` for reports and for formulas (``iki_1.capaian``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from evalengine.errors import Diagnostic, EvidenceError, FormulaSyntaxError
from evalengine.evaluate.engine import Outcome
from evalengine.evaluate.result import Derivation
from evalengine.formula import parse_formula
from evalengine.indicators.base import IndicatorType

from .conversion import SOURCE, capaian_iki, convert

if TYPE_CHECKING:
    from evalengine.evaluate.engine import IndicatorContext
    from evalengine.rubric.model import Indicator, Rubric

POLARITIES = ("positive", "negative")


class SkpIkiType(IndicatorType):
    """Target and realisasi → capaian IKI → nilai capaian IKI (PermenPANRB 8/2021)."""

    name = "skp_iki"
    description = (
        "an SKP indicator (IKI): target and realisasi → capaian → kategori and nilai "
        "capaian IKI, PermenPANRB 8/2021 (max 120)"
    )
    options: ClassVar[Mapping[str, str]] = {
        "target": 'formula for the target (default "evidence.<id>.target")',
        "realisasi": 'formula for the realisasi (default "evidence.<id>.realisasi")',
        "capaian": "formula for capaian in % (instead of target and realisasi)",
        "polarity": '"positive" (higher is better, default) or "negative"',
        "max_target": "true when 100 % is the most the indicator can reach (→ 120)",
        "capaian_places": "round capaian to this many decimals before converting",
    }

    def formulas(self, indicator: Indicator) -> dict[str, str]:
        """The formula text for target and realisasi, or for capaian."""
        opts = indicator.options
        if "capaian" in opts:
            return {"capaian": str(opts["capaian"])}
        return {
            "target": str(opts.get("target", f"evidence.{indicator.id}.target")),
            "realisasi": str(opts.get("realisasi", f"evidence.{indicator.id}.realisasi")),
        }

    def validate(self, indicator: Indicator, rubric: Rubric) -> list[Diagnostic]:
        out = []
        opts = indicator.options
        if opts.get("polarity", "positive") not in POLARITIES:
            out.append(
                Diagnostic(
                    "error",
                    "skp-polarity",
                    f"polarity of '{indicator.id}' must be one of {', '.join(POLARITIES)}",
                    indicator.location,
                    'polarity = "positive" (realisasi/target) or "negative" (lower is better)',
                )
            )
        if not isinstance(opts.get("max_target", False), bool):
            out.append(
                Diagnostic(
                    "error",
                    "skp-max-target",
                    f"max_target of '{indicator.id}' must be true or false",
                    indicator.location,
                )
            )
        places = opts.get("capaian_places")
        if places is not None and (
            not isinstance(places, int) or isinstance(places, bool) or not 0 <= places <= 10
        ):
            out.append(
                Diagnostic(
                    "error",
                    "skp-places",
                    f"capaian_places of '{indicator.id}' must be a whole number 0–10",
                    indicator.location,
                )
            )
        for key, text in self.formulas(indicator).items():
            try:
                parse_formula(text)
            except FormulaSyntaxError as exc:
                out.append(
                    Diagnostic(
                        "error",
                        "formula-syntax",
                        f"`{key}` of '{indicator.id}': {exc.message}",
                        indicator.location,
                        exc.hint,
                    )
                )
        if indicator.value is not None:
            out.append(
                Diagnostic(
                    "warning",
                    "skp-value-ignored",
                    f"'{indicator.id}' is an skp_iki indicator; its `value` formula is ignored",
                    indicator.location,
                    "remove `value`; the nilai comes from the conversion table",
                )
            )
        return out

    def evaluate(self, indicator: Indicator, ctx: IndicatorContext) -> Outcome:
        opts = indicator.options
        inputs = []
        numbers: dict[str, Decimal] = {}
        for key, text in self.formulas(indicator).items():
            formula = ctx.run.default_formula(indicator, text)
            value, read, _ = ctx.evaluate(formula)
            if not isinstance(value, Decimal):
                msg = f"{key} of SKP indicator '{indicator.id}' is not a number: {value!r}"
                raise EvidenceError(
                    msg,
                    location=indicator.location,
                    hint=f"give {key} as a number in the evidence ({text})",
                )
            numbers[key] = value
            inputs.extend(read)
        polarity = opts.get("polarity", "positive")
        if "capaian" in numbers:
            capaian = numbers["capaian"]
            capaian_text = "capaian"
        else:
            try:
                capaian = capaian_iki(numbers["target"], numbers["realisasi"], polarity)
            except ValueError as exc:
                msg = f"SKP indicator '{indicator.id}': {exc}"
                raise EvidenceError(msg, location=indicator.location) from None
            capaian_text = (
                "realisasi / target × 100"
                if polarity == "positive"
                else "(1 + (1 − realisasi / target)) × 100"
            )
        places = opts.get("capaian_places")
        if places is not None:
            from evalengine.numbers import round_to

            capaian = round_to(capaian, places)
        result = convert(capaian, max_target=bool(opts.get("max_target", False)))
        derivation = Derivation(
            formula=f"nilai capaian IKI ({result.kategori}) = {result.rule}",
            substituted=result.substituted,
            inputs=inputs,
            max_formula="120",
            note=f"capaian = {capaian_text} = {capaian:f}%; {SOURCE}",
        )
        extra = {"capaian": capaian, "kategori": result.kategori}
        extra.update(numbers)
        return Outcome(
            result.nilai,
            Decimal(120),
            derivation,
            answer=result.kategori,
            extra=extra,
        )
