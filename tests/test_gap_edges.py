"""Band-edge warnings: a band decided by rounding, or a value at a band edge (engine-level)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evalengine.evaluate.engine import Engine
from evalengine.evidence.readers import read_evidence
from evalengine.rubric.load import load_rubric

# An IKM-like rubric: the headline is one fact, rounded half-up to 2 places, banded with
# the SKM table (PermenPANRB 14/2017: A 88.31–100, B 76.61–88.30, C 65.00–76.60, D 25.00–64.99).
RUBRIC = """
[rubric]
id = "tiny-ikm"
title = "Tiny IKM"
band = "mutu"

[rounding]
places = 2
apply = "headline"

[bands.mutu]
D = { range = "[25..65)", meaning = "Tidak Baik" }
C = { range = "[65..76.61)", meaning = "Kurang Baik" }
B = { range = "[76.61..88.31)", meaning = "Baik" }
A = { range = "[88.31..100]", meaning = "Sangat Baik" }

[indicators.ikm]
title = "IKM"
type = "formula"
value = "evidence.ikm"
"""


@pytest.fixture
def score(tmp_path):
    rubric_path = tmp_path / "tiny.toml"
    rubric_path.write_text(RUBRIC, encoding="utf-8")
    rubric = load_rubric(rubric_path)

    def run(value: str):
        ev = tmp_path / f"ev-{value}.toml"
        ev.write_text(f'[evidence]\nrubric = "tiny-ikm"\n[facts]\nikm = {value}\n')
        return Engine(rubric).evaluate(read_evidence(ev))

    return run


def test_rounding_decides_the_band(score):
    # regulations.md K4: 88.305 is B unrounded, A after half-up rounding to 2 places.
    result = score("88.305")
    root = result.root
    assert root.value == Decimal("88.31")
    assert root.band.label == "A"
    assert root.derivation.unrounded == Decimal("88.305")
    [warning] = root.warnings
    assert "band decided by rounding" in warning
    assert "88.305 is B Baik" in warning and "88.31 is A Sangat Baik" in warning
    assert any("band decided by rounding" in w for w in result.warnings())


@pytest.mark.parametrize("value", ["88.302", "76.605", "65.004", "88.31"])
def test_within_precision_of_an_edge(score, value):
    root = score(value).root
    assert any("band edge" in w or "decided by rounding" in w for w in root.warnings), root.warnings


@pytest.mark.parametrize("value", ["88.30", "80", "88.32", "76.62", "64.98"])
def test_clear_values_have_no_edge_warning(score, value):
    assert score(value).root.warnings == []


def test_warning_in_json(score):
    data = score("88.305").to_dict()
    assert any("band decided by rounding" in w for w in data["result"]["warnings"])
    assert any("band decided by rounding" in w for w in data["warnings"])


def test_unrounded_rubric_never_warns():
    # merit has no rounding: its values have one reading, so no edge warning.
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    rubric = load_rubric(root / "rubrics/merit-2019.toml")
    result = Engine(rubric).evaluate(
        read_evidence(root / "examples/merit-belitung-timur/evidence.toml")
    )
    assert not any("edge" in w or "rounding" in w for w in result.warnings())


def test_gap_without_answered_indicators(tmp_path, capsys):
    from evalengine.cli import main

    (tmp_path / "r.toml").write_text(RUBRIC)
    (tmp_path / "e.toml").write_text('[evidence]\nrubric = "tiny-ikm"\n[facts]\nikm = 80\n')
    assert main(["gap", str(tmp_path / "r.toml"), str(tmp_path / "e.toml"), "-f", "json"]) == 1
    import json

    gap = json.loads(capsys.readouterr().out)
    assert gap["status"] == "unreachable" and gap["target"]["label"] == "A"
    assert any("no answered indicators" in n for n in gap["notes"])


def test_gap_reports_the_edge_warning_of_the_current_value(tmp_path, capsys):
    from evalengine.cli import main

    (tmp_path / "r.toml").write_text(RUBRIC)
    (tmp_path / "e.toml").write_text('[evidence]\nrubric = "tiny-ikm"\n[facts]\nikm = 88.305\n')
    main(["gap", str(tmp_path / "r.toml"), str(tmp_path / "e.toml"), "--width", "160"])
    out = capsys.readouterr().out
    assert "band decided by rounding" in out and "Already in the highest band" in out
