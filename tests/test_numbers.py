"""Exact numbers: Indonesian formats in, half-up rounding, Indonesian formats out."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalengine.numbers import format_id, parse_number, round_to, to_decimal

PARSED = [
    ("8.357.764.610,00", "8357764610.00"),
    ("Rp8.357.764.610,00", "8357764610.00"),
    ("Rp 7.960.790.900,00", "7960790900.00"),
    ("79,03", "79.03"),
    ("95,25%", "95.25"),
    ("(323.592.238,00)", "-323592238.00"),
    ("-2,52", "-2.52"),
    ("1.500", "1500"),
    ("3.42", "3.42"),
    ("252", "252"),
    ("0,111", "0.111"),
    (" 42,5 ", "42.5"),
]


@pytest.mark.parametrize(("text", "expected"), PARSED)
def test_parse_indonesian_numbers(text, expected):
    assert parse_number(text) == Decimal(expected)
    assert str(parse_number(text)) == expected


@pytest.mark.parametrize(
    "text", ["", "abc", "1,2,3", "12.34,5.6", "1.23.4,00", "Rp", "--1", "4.5x"]
)
def test_reject_non_numbers(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_booleans_are_not_numbers():
    with pytest.raises(ValueError):
        to_decimal(True)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("88.305", 2, "88.31"),  # half-up, not banker's rounding
        ("2.675", 2, "2.68"),  # a binary float would give 2.67
        ("2.665", 2, "2.67"),
        ("-2.675", 2, "-2.68"),
        ("70.30", 2, "70.30"),
        ("0.5", 0, "1"),
        ("1.5", 0, "2"),
        ("2.5", 0, "3"),
    ],
)
def test_round_half_up(value, places, expected):
    assert str(round_to(Decimal(value), places)) == expected


def test_round_modes():
    assert str(round_to(Decimal("88.575"), 2, "down")) == "88.57"
    assert str(round_to(Decimal("2.5"), 0, "half_even")) == "2"


def test_one_ninth_times_nine_is_exact_enough():
    # 25 × Σ NRR / 9 with exact Decimal division: the LKjIP IKM means give 88.58, not 88.57.
    means = [
        Decimal(x) for x in ["3.42", "3.55", "3.40", "3.63", "3.48", "3.57", "3.55", "3.42", "3.87"]
    ]
    assert round_to(sum(means) / 9 * 25, 2) == Decimal("88.58")


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("8357764610", 2, "8.357.764.610,00"),
        ("79.03", 2, "79,03"),
        ("42.5", None, "42,5"),
        ("-215703238", 2, "-215.703.238,00"),
        ("0.111", 3, "0,111"),
    ],
)
def test_format_id(value, places, expected):
    assert format_id(Decimal(value), places) == expected


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_format_then_parse_round_trips(value):
    assert parse_number(format_id(value, 2)) == value
