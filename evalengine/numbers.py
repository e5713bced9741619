"""Exact numbers: Decimal context, explicit rounding, and Indonesian number formats.

All scores and money are :class:`decimal.Decimal`. Rounding happens only where a
rubric says so, with the mode it names (government tables round half-up).
Evidence may write numbers the Indonesian way: ``"8.357.764.610,00"``, ``"79,03"``,
``"Rp7.960.790.900,00"``, ``"95,25%"``, ``"(323.592.238,00)"`` for a negative amount.
"""

from __future__ import annotations

import re
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    InvalidOperation,
)

#: Significant digits kept by every computation (1/9 is exact to 40 digits).
PRECISION = 40
#: Largest magnitude accepted anywhere (numbers beyond this are almost surely typos).
MAX_MAGNITUDE = Decimal("1e24")

CONTEXT = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN)

#: Rounding modes a rubric may name, mapped to :mod:`decimal` constants.
ROUNDING_MODES = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,  # truncate toward zero
    "floor": ROUND_FLOOR,
    "ceiling": ROUND_CEILING,
}


def round_to(value: Decimal, places: int, mode: str = "half_up") -> Decimal:
    """Round ``value`` to ``places`` decimals with the named mode (default half-up).

    >>> round_to(Decimal("88.305"), 2)
    Decimal('88.31')
    """
    exponent = Decimal(1).scaleb(-places)
    return value.quantize(exponent, rounding=ROUNDING_MODES[mode], context=CONTEXT)


def to_decimal(value: object) -> Decimal:
    """Convert an int, Decimal or numeric string (Indonesian or plain) to Decimal.

    Raises:
        ValueError: the value is not a number (the message says why).
    """
    if isinstance(value, bool):
        msg = "a boolean is not a number"
        raise ValueError(msg)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        # TOML and JSON floats are read as Decimal by our loaders; a float here is a bug
        # in a caller, but repr() keeps the shortest exact decimal the user wrote.
        result = Decimal(repr(value))
    elif isinstance(value, str):
        result = parse_number(value)
    else:
        msg = f"expected a number, got {type(value).__name__}"
        raise ValueError(msg)
    if not result.is_finite():
        msg = "not a finite number"
        raise ValueError(msg)
    if abs(result) > MAX_MAGNITUDE:
        msg = f"number {result} is larger than the limit {MAX_MAGNITUDE}"
        raise ValueError(msg)
    return result


# ASCII digits only: "３" and "٣" are text (as DuckDB's patterns read them on the bulk path)
_THOUSANDS_DOT = re.compile(r"^[0-9]{1,3}(\.[0-9]{3})+$")
_PLAIN = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_DIGITS = re.compile(r"[0-9]+")


def parse_number(text: str) -> Decimal:
    """Parse a number written in Indonesian or plain form.

    Rules: ``,`` is the decimal separator and ``.`` groups thousands
    (``8.357.764.610,00``); a string with only dots is read as thousands when every
    group after the first has three digits (``1.500`` is 1500), otherwise as a decimal
    point (``3.42``). ``Rp``, spaces and a trailing ``%`` are ignored; ``(…)`` or a
    leading ``-`` makes the number negative.

    Raises:
        ValueError: the text is not a number in either form.
    """
    original = text
    s = text.strip()
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    s = re.sub(r"^(Rp\.?|IDR)\s*", "", s, flags=re.IGNORECASE)
    s = s.rstrip("%").strip().replace(" ", "").replace("\u00a0", "")
    if s.startswith("-"):
        negative, s = not negative, s[1:]
    elif s.startswith("+"):
        s = s[1:]
    if "," in s:
        integer, _, fraction = s.rpartition(",")
        if "," in integer or not _DIGITS.fullmatch(fraction):
            msg = f"'{original}' is not a number"
            raise ValueError(msg)
        if "." in integer and not _THOUSANDS_DOT.match(integer):
            msg = f"'{original}' has misplaced thousands separators"
            raise ValueError(msg)
        s = integer.replace(".", "") + "." + fraction
    elif _THOUSANDS_DOT.match(s):
        s = s.replace(".", "")
    if not _PLAIN.match(s):
        msg = f"'{original}' is not a number"
        raise ValueError(msg)
    try:
        result = Decimal(s)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the regex above
        msg = f"'{original}' is not a number"
        raise ValueError(msg) from exc
    return -result if negative else result


def format_id(value: Decimal, places: int | None = 2) -> str:
    """Format a Decimal the Indonesian way: ``8.357.764.610,00``, ``79,03``.

    ``places=None`` keeps the digits the value has (``42.5`` → ``42,5``).
    """
    if places is not None:
        value = round_to(value, places)
    sign = "-" if value < 0 else ""
    text = f"{abs(value):f}"
    integer, _, fraction = text.partition(".")
    grouped = f"{int(integer):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


#: Decimals shown to people before a long fraction is cut with "…" (values stay exact).
DISPLAY_PLACES = 6


def shown(value: Decimal, places: int = DISPLAY_PLACES) -> Decimal | None:
    """``value`` cut to ``places`` decimals when it has more (for display), else None."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places and value != value.to_integral_value():
        cut = round_to(value, places, "down")
        if cut != value:
            return cut
    return None


def plain(value: Decimal) -> str:
    """A Decimal as plain text without exponent and without trailing zeros (``42.5``, ``252``)."""
    text = f"{value.normalize(CONTEXT):f}" if value == value.to_integral_value() else f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
