"""Capaian IKI → kategori and nilai capaian IKI, PermenPANRB 8/2021 (Sistem Manajemen
Kinerja PNS), Lampiran, p. 92–93, letters (c)–(i), and its worked example p. 243.

Pure exact arithmetic on :class:`~decimal.Decimal`; capaian is in percent (98 = 98 %).

| capaian IKI (%)       | kategori      | nilai capaian IKI                                 |
|-----------------------|---------------|---------------------------------------------------|
| > 110                 | Sangat Baik   | 120 (letter h)                                    |
| 101 – 110             | Sangat Baik   | 110 + (120 − 110)/(110 − 101) × (capaian − 101)   |
| 100                   | Baik          | 109; 120 when 100 % is the maximum target (i)     |
| 80 – < 100            | Cukup         | 70 + (89 − 70)/(99 − 80) × (capaian − 80)  (e)    |
| 60 – < 80             | Kurang        | 50 + (69 − 50)/(79 − 60) × (capaian − 60)  (f)    |
| < 60                  | Sangat Kurang | capaian/59 × 49                            (g)    |

Letters (e)–(i) are quoted in regulations.md §5.1 from the regulation's text. The Baik
and Sangat Baik rows follow the category ranges (nilai 110–120 over 101–110 %) and the
worked example on p. 243 (100 % *Baik* → 109; 98 % *Cukup* → 88); the text of letters
(c)–(d) was not available, so those two rows are an assumption to confirm. Between the
whole-percent categories the rule is: below 100 the lower category's formula continues
(99,5 % → 89,5), and 100 < capaian < 101 is interpolated from 109 to 110.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

D = Decimal

#: Where the rules come from, for derivations.
SOURCE = "PermenPANRB 8/2021, Lampiran hlm. 92–93 huruf (c)–(i)"


@dataclass(frozen=True)
class Conversion:
    """The category, the value, and the rule that produced it (as text with numbers)."""

    kategori: str
    nilai: Decimal
    rule: str
    substituted: str


def capaian_iki(target: Decimal, realisasi: Decimal, polarity: str = "positive") -> Decimal:
    """Capaian IKI in percent.

    ``positive`` (higher is better): realisasi / target × 100.
    ``negative`` (lower is better, the regulation's "kondisi khusus"):
    (1 + (1 − realisasi / target)) × 100.

    Raises:
        ValueError: the target is zero, or the polarity is unknown.
    """
    if target == 0:
        msg = "target is 0: capaian IKI is undefined"
        raise ValueError(msg)
    ratio = realisasi / target
    if polarity == "positive":
        return ratio * 100
    if polarity == "negative":
        return (1 + (1 - ratio)) * 100
    msg = f"polarity must be 'positive' or 'negative', not {polarity!r}"
    raise ValueError(msg)


def _n(x: Decimal) -> str:
    text = f"{x:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def convert(capaian: Decimal, *, max_target: bool = False) -> Conversion:
    """Kategori and nilai capaian IKI for ``capaian`` percent.

    ``max_target``: 100 % is the most the indicator can reach (letter i) — then 100 %
    counts as *Sangat Baik* with nilai 120.
    """
    c = capaian
    if c > 110:
        return Conversion("Sangat Baik", D(120), "capaian > 110% → 120", f"{_n(c)} > 110 → 120")
    if c == 100 and max_target:
        return Conversion(
            "Sangat Baik", D(120), "capaian 100% pada target maksimal → 120", "100 → 120"
        )
    if c >= 101:
        nilai = 110 + (D(120) - 110) / (D(110) - 101) * (c - 101)
        return Conversion(
            "Sangat Baik",
            nilai,
            "110 + (120 − 110)/(110 − 101) × (capaian − 101)",
            f"110 + 10/9 × ({_n(c)} − 101)",
        )
    if c > 100:
        nilai = 109 + (c - 100)
        return Conversion("Sangat Baik", nilai, "109 + (capaian − 100)", f"109 + ({_n(c)} − 100)")
    if c == 100:
        return Conversion("Baik", D(109), "capaian 100% → 109", "100 → 109")
    if c >= 80:
        nilai = 70 + (D(89) - 70) / (D(99) - 80) * (c - 80)
        return Conversion(
            "Cukup",
            nilai,
            "70 + (89 − 70)/(99 − 80) × (capaian − 80)",
            f"70 + 19/19 × ({_n(c)} − 80)",
        )
    if c >= 60:
        nilai = 50 + (D(69) - 50) / (D(79) - 60) * (c - 60)
        return Conversion(
            "Kurang",
            nilai,
            "50 + (69 − 50)/(79 − 60) × (capaian − 60)",
            f"50 + 19/19 × ({_n(c)} − 60)",
        )
    nilai = max(D(0), c) / 59 * 49
    return Conversion("Sangat Kurang", nilai, "capaian/59 × 49", f"{_n(max(D(0), c))}/59 × 49")
