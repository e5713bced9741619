"""The html report: self-contained, escaped, and showing the figures of the result."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from evalengine_html import plugin
from evalengine_html.render import HtmlReport, render_html
from hypothesis import given, settings
from hypothesis import strategies as st

from evalengine.plugins import Plugins, get_plugin_manager
from evalengine.safe_text import printable

ROOT = Path(__file__).resolve().parents[3]
RUBRIC = ROOT / "rubrics" / "merit-2019.toml"
EVIDENCE = ROOT / "examples" / "merit-belitung-timur" / "evidence.toml"


@pytest.fixture(scope="module")
def page(result):
    return render_html(result)


def test_registered_through_the_hook():
    pm = get_plugin_manager(entry_points=False)
    pm.register(plugin, name="html")
    registry = Plugins(pm).report_formats
    assert registry.get("html") is HtmlReport
    assert registry.provider("html") == "html"


def test_self_contained_no_network(page):
    assert "<link" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert "<style>" in page and "<svg" in page


def test_headline_and_every_aspect_from_the_json(result, page):
    data = result.to_dict()
    # 252 / 410 → III Baik, as in LKjIP 2024 Tabel 3.4 ("Total Akhir (Hasil Verifikasi) : 252")
    assert data["headline"]["value"] == "252"
    assert '<span class="value">252</span>' in page
    assert ">III Baik<" in page
    assert "mandiri: 340 → IV Sangat Baik" in page
    for aspect in data["result"]["children"]:
        shown = aspect["value"].replace(".", ",")  # JSON "42.5" is shown as "42,5"
        assert f'data-id="{aspect["id"]}" data-value="{shown}"' in page


def test_bars_are_value_over_max(result, page):
    for node in result.root.children:
        width = f"{node.value / node.max * 100:.2f}"
        assert f'width="{width}" height="10" rx="2" fill="var(--bar)"' in page


def test_calculation_sheet_behind_each_number(result, page):
    nodes = sum(1 for _ in result.root.walk())  # the headline, every aspect and indicator
    assert page.count('<details class="derivation">') == nodes
    assert "self.weight * self.answer" in page
    assert "2.5 * 4" in page  # 1.1: bobot 2,5 × skor 4 = 10


def test_escapes_all_text(result, titled):
    with titled('<script>alert("x")</script> & Co'):
        page = render_html(result)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page


def test_terminal_control_characters_are_dropped(result, titled):
    with titled("\x1b]0;retitled\x07Perencanaan\u202e & x"):
        page = render_html(result)
    assert "]0;retitledPerencanaan &amp; x" in page
    assert not any(c in page for c in "\x1b\x07\u202e")


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40).filter(lambda t: printable(t).strip() and "\r" not in t))
def test_any_title_round_trips_through_the_html(result, titled, title):
    class Texts(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.h3 = []
            self._in = False

        def handle_starttag(self, tag, attrs):
            self._in = tag == "h3"

        def handle_endtag(self, tag):
            self._in = False

        def handle_data(self, data):
            if self._in:
                self.h3.append(data)

    with titled(title) as node:
        page = render_html(result)
    parser = Texts()
    parser.feed(page)
    assert f"{node.code} {printable(title)}" in parser.h3  # control characters dropped


def test_phone_and_print_css(page):
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media (max-width: 40rem)" in page
    assert "@media print" in page


def test_renders_via_cli(tmp_path, monkeypatch):
    from evalengine import plugins as plugins_module
    from evalengine.cli import main

    pm = get_plugin_manager(entry_points=False)
    pm.register(plugin, name="html")
    monkeypatch.setattr(plugins_module, "_default", Plugins(pm))
    out = tmp_path / "report.html"
    code = main(
        [
            "score",
            str(RUBRIC),
            str(EVIDENCE),
            "-f",
            f"html:{out}",
            "-f",
            "json:" + str(tmp_path / "r.json"),
        ]
    )
    assert code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert json.loads((tmp_path / "r.json").read_text())["headline"]["value"] == "252"


class _GroupRows(HTMLParser):
    """The cells of every ``<tr data-testid="group">`` of a page, as text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr" and ("data-testid", "group") in attrs:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_group_by_adds_the_ranking_table(grouped_result):
    page = render_html(grouped_result)
    parser = _GroupRows()
    parser.feed(page)
    # figures of tests/test_report_ranking.py, worked out from the rows; two places each
    assert parser.rows == [
        ["1", "A", "17,50", "32,50", "26,33", "5,00", "81,33", "Tinggi"],
        ["2", "B", "17,50", "17,50", "23,25", "5,00", "63,25", "Rendah"],
    ]
    assert 'id="ranking">Peringkat per instansi (3 kelompok, mesin duckdb)</h2>' in page
    assert 'data-testid="failed-groups"' in page and "C: &#x27;kinerja&#x27;" in page


def test_no_ranking_without_group_by(page):
    assert 'id="ranking"' not in page
