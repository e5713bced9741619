"""The merit example shows the same numbers in every report format.

Rich (terminal), JSON, HTML, Markdown and XLSX are rendered from one result; the
headline, the value at each stage, and every aspect's value, maximum and weight are read
back from each output (text parsed, the workbook read with python-calamine) and compared
with the JSON figures, which are compared with LKjIP 2024 Tabel 3.4 (340 mandiri, 252
verified).
"""

from __future__ import annotations

import importlib
import io
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from paths import ROOT
from plugin_isolation import missing_shipped_plugin
from python_calamine import CalamineWorkbook

from evalengine import evaluate, load_rubric, read_evidence
from evalengine.numbers import parse_number
from evalengine.plugins import Plugins, get_plugin_manager

RUBRIC = ROOT / "rubrics" / "merit-2019.toml"
EVIDENCE = ROOT / "examples" / "merit-belitung-timur" / "evidence.toml"
PLUGIN_MODULES = {
    "html": "evalengine_html.plugin",
    "markdown": "evalengine_markdown.plugin",
    "xlsx": "evalengine_xlsx.plugin",
}


def plugin_module(name: str):
    """Import a shipped report plugin; missing is a skip locally and a failure in CI."""
    try:
        return importlib.import_module(PLUGIN_MODULES[name])
    except ImportError:
        missing_shipped_plugin(
            f"plugin {name} not installed: pip install -e plugins/evalengine-{name}"
        )


@pytest.fixture(scope="module")
def outputs():
    pm = get_plugin_manager(entry_points=False)
    for name in PLUGIN_MODULES:
        pm.register(plugin_module(name), name=name)
    plugins = Plugins(pm)
    result = evaluate(load_rubric(RUBRIC), read_evidence(EVIDENCE), plugins=plugins)
    formats = plugins.report_formats
    options = {"width": 200}
    return result, {
        name: formats.get(name)().render(result, options)
        for name in ("rich", "json", "html", "markdown", "xlsx")
    }


Figures = dict[str, tuple[Decimal, Decimal, Decimal]]  # aspect code → (weight, value, max)


def from_json(text: str) -> tuple[Decimal, dict[str, Decimal], Figures]:
    data = json.loads(text)
    stages = {s: Decimal(v["value"]) for s, v in data["headline"]["stages"].items()}
    aspects = {
        a["code"]: (Decimal(a["weight"]), Decimal(a["value"]), Decimal(a["max"]))
        for a in data["result"]["children"]
    }
    return Decimal(data["headline"]["value"]), stages, aspects


def from_rich(text: str) -> tuple[Decimal, dict[str, Decimal], Figures]:
    headline = re.search(r"(\d[\d.,]*) / (\d[\d.,]*)\s+→", text)
    stages = {
        m.group(1): parse_number(m.group(2))
        for m in re.finditer(r"(\w+): (\d[\d.,]*)", text)
        if m.group(1) == "mandiri"
    }
    aspects = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) == 9 and re.fullmatch(r"\d+", cells[0]):
            # Kode, Aspek, Bobot, Mandiri, Nilai, Maks, %, Kontribusi, bar
            aspects[cells[0]] = tuple(parse_number(cells[i]) for i in (2, 4, 5))
    return parse_number(headline.group(1)), stages, aspects


def from_html(text: str) -> tuple[Decimal, dict[str, Decimal], Figures]:
    class Parser(HTMLParser):
        def __init__(self):
            super().__init__()
            self.headline = None
            self.aspects = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if a.get("data-testid") == "headline":
                self.headline = a["data-value"]

    parser = Parser()
    parser.feed(text)
    stages = {
        m.group(1): parse_number(m.group(2)) for m in re.finditer(r"<li>(\w+): ([\d.,]+)", text)
    }
    aspects = {}
    for m in re.finditer(
        r'<section class="aspect" id="aspect-[^"]+"><h3>(\d+) .*?<tr class="total">(.*?)</tr>',
        text,
        re.S,
    ):
        cells = dict(re.findall(r'data-label="(\w+)">([^<]*)<', m.group(2)))
        aspects[m.group(1)] = tuple(parse_number(cells[k]) for k in ("Bobot", "Nilai", "Maks"))
    return parse_number(parser.headline), stages, aspects


def from_markdown(text: str) -> tuple[Decimal, dict[str, Decimal], Figures]:
    aspects = {}
    for line in text.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 7 and cells[1].startswith("**") and re.fullmatch(r"\d+", cells[0]):
            # No, **Aspek**, Bobot, Mandiri, Nilai, Maks, %
            aspects[cells[0]] = tuple(parse_number(cells[i]) for i in (2, 4, 5))
    stages = {
        m.group(1).lower(): parse_number(m.group(2))
        for m in re.finditer(r"Total (?:Penilaian|Akhir \(Hasil) (\w+)\)? : ([\d.,]+)", text)
    }
    headline = re.search(r"Nilai akhir: \*\*([\d.,]+)\*\*", text)
    return parse_number(headline.group(1)), stages, aspects


def from_xlsx(data: bytes) -> tuple[Decimal, dict[str, Decimal], Figures]:
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Ringkasan")
    rows = rows.to_python()
    labels = {r[0]: r for r in rows if r and isinstance(r[0], str)}
    stages = {
        k.split()[1]: Decimal(repr(v[1]))
        for k, v in labels.items()
        if k.startswith("Nilai ") and k not in ("Nilai akhir", "Nilai maksimum")
    }
    header = next(r for r in rows if r[:2] == ["Kode", "Aspek"])
    col = {name: header.index(name) for name in ("Bobot", "Nilai", "Maks")}
    aspects = {
        r[0]: tuple(Decimal(repr(r[col[k]])) for k in ("Bobot", "Nilai", "Maks"))
        for r in rows
        if r and isinstance(r[0], str) and re.fullmatch(r"\d+", r[0])
    }
    return Decimal(repr(labels["Nilai akhir"][1])), stages, aspects


def test_json_matches_the_printed_report(outputs):
    _, out = outputs
    value, stages, aspects = from_json(out["json"])
    # LKjIP 2024 Tabel 3.4: "Total Penilaian Mandiri : 340", "Total Akhir (Hasil Verifikasi) : 252"
    assert value == 252
    assert stages == {"mandiri": 340, "verifikasi": 252}
    assert len(aspects) == 8
    assert sum(v for _, v, _ in aspects.values()) == 252


@pytest.mark.parametrize("fmt", ["rich", "html", "markdown", "xlsx"])
def test_same_numbers_as_json(outputs, fmt):
    _, out = outputs
    value, stages, aspects = from_json(out["json"])
    parse = {"rich": from_rich, "html": from_html, "markdown": from_markdown, "xlsx": from_xlsx}
    got_value, got_stages, got_aspects = parse[fmt](out[fmt])
    assert got_value == value
    assert got_stages.get("mandiri") == stages["mandiri"]
    assert set(got_aspects) == set(aspects)
    for code, (weight, val, maximum) in aspects.items():
        assert got_aspects[code] == (weight, val, maximum), (fmt, code)
