"""Loading rubrics: bands as intervals, gaps and overlaps rejected, keys checked, positions kept."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evalengine.errors import RubricError
from evalengine.rubric import load_rubric, read_rubric

HEAD = """
[rubric]
id = "t"
title = "Test"
band = "predikat"
"""

AKIP_BANDS = """
[bands.predikat]
domain = "[0..100]"
AA = { range = "(90..100]", meaning = "Sangat Memuaskan" }
A  = { range = "(80..90]",  meaning = "Memuaskan" }
BB = { range = "(70..80]",  meaning = "Sangat Baik" }
B  = { range = "(60..70]",  meaning = "Baik" }
CC = { range = "(50..60]",  meaning = "Cukup" }
C  = { range = "(30..50]",  meaning = "Kurang" }
D  = { range = "[0..30]",   meaning = "Sangat Kurang" }
"""

ONE_INDICATOR = """
[indicators.x]
value = "evidence.x"
"""


def load(write, text: str):
    return load_rubric(write("r.toml", text))


def diagnostics(write, text: str):
    return read_rubric(write("r.toml", text)).diagnostics


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("80", "BB"),  # exactly 80 is BB: A needs more than 80
        ("80.0001", "A"),
        ("90", "A"),
        ("90.01", "AA"),
        ("100", "AA"),
        ("70", "B"),
        ("70.30", "BB"),
        ("30", "D"),
        ("30.01", "C"),
        ("0", "D"),
    ],
)
def test_band_edges_open_and_closed(write, value, label):
    rubric = load(write, HEAD + AKIP_BANDS + ONE_INDICATOR)
    assert rubric.bands["predikat"].classify(Decimal(value)).label == label


def test_value_outside_every_band(write):
    rubric = load(write, HEAD + AKIP_BANDS + ONE_INDICATOR)
    assert rubric.bands["predikat"].classify(Decimal("100.5")) is None


def test_band_gap_is_rejected_naming_both_bands(write):
    text = HEAD + AKIP_BANDS.replace('"(70..80]"', '"(71..80]"') + ONE_INDICATOR
    with pytest.raises(RubricError) as info:
        load(write, text)
    messages = [d.message for d in info.value.diagnostics]
    assert messages == [
        "gap between bands 'B' (60..70] and 'BB' (71..80]: values from 70 to 71 fall in no band"
    ]
    assert info.value.diagnostics[0].location.line == 11  # the BB line


def test_band_gap_at_an_open_edge(write):
    text = HEAD + AKIP_BANDS.replace('"(60..70]"', '"(60..70)"') + ONE_INDICATOR
    codes = [d.code for d in diagnostics(write, text)]
    assert codes == ["band-gap"]


def test_band_overlap_is_rejected(write):
    text = HEAD + AKIP_BANDS.replace('"(70..80]"', '"[70..80]"') + ONE_INDICATOR
    found = diagnostics(write, text)
    assert [d.code for d in found] == ["band-overlap"]
    assert "'B' (60..70] and 'BB' [70..80] overlap at 70" in found[0].message


def test_domain_not_covered(write):
    text = HEAD + AKIP_BANDS.replace('"[0..30]"', '"(0..30]"') + ONE_INDICATOR
    found = diagnostics(write, text)
    assert [d.code for d in found] == ["band-gap"]
    assert "domain [0..100] starts below the lowest band 'D'" in found[0].message


def test_unknown_key_with_suggestion(write):
    text = HEAD + AKIP_BANDS + '[indicators.x]\nvalue = "evidence.x"\nwieght = 2\n'
    (diag,) = diagnostics(write, text)
    assert diag.code == "unknown-key"
    assert diag.message == "unknown key `wieght` in indicator 'x'"
    assert diag.hint.startswith("did you mean 'weight'?")
    assert (diag.location.line, diag.location.column) == (18, 10)


def test_unknown_reference_points_at_the_name(write):
    text = HEAD + AKIP_BANDS + '[indicators.x]\nvalue = "sum(childen) + 1"\n'
    (diag,) = diagnostics(write, text)
    assert diag.code == "unknown-reference"
    assert "unknown name 'childen'" in diag.message
    assert diag.hint.startswith("did you mean 'children'?")
    # `value = "` puts the formula at column 10; `childen` is its 5th character
    assert (diag.location.line, diag.location.column) == (17, 14)


def test_formula_syntax_error_location_in_file(write):
    text = HEAD + AKIP_BANDS + '[indicators.x]\nvalue = "sum(children))"\n'
    (diag,) = diagnostics(write, text)
    assert diag.code == "formula-syntax"
    assert (diag.location.line, diag.location.column) == (17, 23)
    rendered = diag.render()
    assert "r.toml:17:23: error[formula-syntax]" in rendered
    assert '   17 | value = "sum(children))"' in rendered


def test_cycle_is_named(write):
    text = (
        HEAD
        + AKIP_BANDS
        + """
[indicators.a]
value = "b + 1"
[indicators.b]
value = "c * 2"
[indicators.c]
value = "a"
"""
    )
    found = [d for d in diagnostics(write, text) if d.code == "cycle"]
    assert len(found) == 1
    assert "a → b → c → a" in found[0].message


def test_toml_syntax_error(write):
    (diag,) = diagnostics(write, '[rubric]\nid = "t\ntitle = "x"\n')
    assert diag.code == "toml-syntax"
    assert diag.location.line == 2


def test_unknown_scale_and_type(write):
    text = HEAD + AKIP_BANDS + '[indicators.x]\nscale = "skala"\n[indicators.y]\ntype = "sruvey"\n'
    codes = sorted(d.code for d in diagnostics(write, text))
    assert codes == ["unknown-scale", "unknown-type"]


def test_weight_sum_mismatch_is_a_warning(write):
    text = (
        HEAD
        + AKIP_BANDS
        + """
[scales.s]
values = [1, 2]
[indicators.g]
weight = 10
[indicators.g.children.a]
weight = 6
scale = "s"
[indicators.g.children.b]
weight = 5
scale = "s"
"""
    )
    (diag,) = [d for d in diagnostics(write, text) if d.code != "band-unreachable"]
    assert (diag.severity, diag.code) == ("warning", "weight-sum")
    assert "add up to 11, but its weight is 10" in diag.message


def test_merit_rubric_reports_the_instrument_inconsistency():
    from paths import MERIT_RUBRIC

    rubric = load_rubric(MERIT_RUBRIC)
    assert len(list(rubric.indicators())) == 8 + 37
    warnings = [d.message for d in rubric.diagnostics]
    assert warnings == [
        "child weights of 'pengembangan_karier' add up to 32.5, but its weight is 30"
    ]


def test_builtin_rubrics_check_clean_but_for_the_merit_instrument():
    from paths import RUBRICS

    found = [
        (path.stem, d.severity, d.code)
        for path in sorted(RUBRICS.glob("*.toml"))
        for d in read_rubric(path).diagnostics
    ]
    # The one finding is real: aspect 3's indicator bobot add up to 32.5, its weight is 30.
    assert found == [("merit-2019", "warning", "weight-sum")]
