"""evalengine.report.view: what every report shows, computed once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from paths import ROOT

from evalengine import evaluate, load_rubric, read_evidence
from evalengine.report import view


@pytest.fixture(scope="module")
def result():
    return evaluate(
        load_rubric(ROOT / "rubrics" / "merit-2019.toml"),
        read_evidence(ROOT / "examples" / "merit-belitung-timur" / "evidence.toml"),
    )


def test_number_is_indonesian():
    assert view.number(Decimal("42.50")) == "42,5"
    assert view.number(Decimal("8357764610"), 2) == "8.357.764.610,00"
    assert view.number(Decimal("0.6146341"), 2) == "0,61"
    assert view.number(None) == "—"


def test_headline_has_every_stage(result):
    h = view.headline(result)
    assert (h.value, h.max, h.band_label, h.band_meaning) == (252, 410, "III", "Baik")
    assert h.stages == (("mandiri", 340, "IV", "Sangat Baik"), ("verifikasi", 252, "III", "Baik"))
    assert h.subject == "Pemerintah Kabupaten Belitung Timur" and h.period == "2023"
    assert view.earlier_stages(result) == ("mandiri",)


def test_rows_and_sheet(result):
    aspects = view.aspects(result)
    assert [a.code for a in aspects] == [str(i) for i in range(1, 9)]
    rows = view.indicator_rows(aspects[2])
    assert [r.node.code for r in rows] == [f"3.{i}" for i in range(1, 11)]
    assert {r.depth for r in rows} == {1}
    sheet = view.sheet(rows[4].node)  # 3.5: bobot 2,5 × skor verifikasi 1
    lines = sheet.lines()
    assert lines[0] == "rumus: self.weight * self.answer"
    assert "= 2.5 * 1" in lines and "= 2,5" in lines
    answer = next(line for line in lines if line.startswith("self.answer"))
    assert "evidence.toml:" in answer and "(answers.i3_5.verifikasi)" in answer


def test_root_sheet_lists_children(result):
    lines = view.sheet(result.root).lines()
    assert lines[0] == "rumus: sum(children)"
    assert "children = [40; 38; 42,5; 17,5; 57,5; 27,5; 12; 17]" in lines
