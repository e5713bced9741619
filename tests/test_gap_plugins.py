"""``gap`` and ``--set`` with an indicator type from a plugin (no scale: answer_options only),
and on rubrics whose gains do not add up (a capped group) or cannot reach the target."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from evalengine import plugins as plugin_module
from evalengine.cli import main
from evalengine.evidence.readers import read_evidence
from evalengine.gap import Prober, analyse
from evalengine.rubric.load import load_rubric

PLUGIN = '''
from decimal import Decimal

from evalengine.hookspecs import hookimpl
from evalengine.indicators.base import Fact, IndicatorType, Option
from evalengine.numbers import to_decimal


class TingkatType(IndicatorType):
    """A maturity level 1, 2, 3 or 5 (no 4): value = weight × level, written as a number."""

    name = "tingkat"
    answered = True

    def default_value(self, indicator, rubric):
        return "self.weight * self.answer"

    def default_max(self, indicator, rubric):
        return "self.weight * 5"

    def answer_options(self, indicator, rubric):
        return [Option(f"L{v}", Decimal(v)) for v in (1, 2, 3, 5)]

    def facts(self, indicator, ctx):
        answer = ctx.answer(indicator)
        value = to_decimal(answer.value)
        return {"answer": Fact(value, answer), "answer_label": Fact(f"L{value}", answer)}


@hookimpl
def register_indicator_types():
    return [TingkatType]
'''

RUBRIC = """
[rubric]
id = "maturity"
title = "Maturity"
band = "level"

[bands.level]
rendah = { range = "[0..20)", meaning = "Rendah" }
sedang = { range = "[20..30)", meaning = "Sedang" }
tinggi = { range = "[30..50]", meaning = "Tinggi" }

[indicators.a]
code = "A"
title = "Aspek A"
type = "tingkat"
weight = 4

[indicators.b]
code = "B"
title = "Aspek B"
type = "tingkat"
weight = 3

[indicators.c]
code = "C"
title = "Aspek C"
type = "tingkat"
weight = 2
"""

EVIDENCE = """
[evidence]
rubric = "maturity"
[answers]
a = 1
b = 2
c = 3
"""


ORIGINAL_DEFAULT_PLUGINS = plugin_module.default_plugins


def run(argv: list[str]) -> int:
    """``main`` with --plugins-dir; the CLI replaces the process-wide plugins, so restore them
    (the core's ``--plugins-dir`` handling works once per process)."""
    plugin_module.default_plugins = ORIGINAL_DEFAULT_PLUGINS
    try:
        return main(argv)
    finally:
        plugin_module.default_plugins = ORIGINAL_DEFAULT_PLUGINS


@pytest.fixture
def files(tmp_path):
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "tingkat.py").write_text(PLUGIN)
    (tmp_path / "r.toml").write_text(RUBRIC)
    (tmp_path / "e.toml").write_text(EVIDENCE)
    return tmp_path


def test_gap_with_plugin_type(files, capsys):
    argv = ["--plugins-dir", str(files / "plugins"), "gap", str(files / "r.toml")]
    assert run([*argv, str(files / "e.toml"), "--target", "tinggi", "-f", "json"]) == 0
    gap = json.loads(capsys.readouterr().out)
    # now 4×1 + 3×2 + 2×3 = 16 (rendah); tinggi needs ≥ 30: +14.
    assert gap["current"]["value"] == "16" and gap["target"]["distance"] == "14"
    # best single gains: A L1→L5 +16 alone reaches 32 → one change.
    assert gap["size"] == 1
    [plan] = [p for p in gap["plans"] if p["changes"][0]["code"] == "A"]
    assert plan["changes"][0]["to"] == "L5" and plan["value"] == "32"
    # the level 4 does not exist, so A L1→L4 (+12, which would give 28) is never proposed
    assert all(m["to"] in {"L1", "L2", "L3", "L5"} for m in gap["moves"])
    assert {m["to_value"] for m in gap["moves"] if m["code"] == "A"} == {"2", "3", "5"}


def test_set_with_plugin_type(files, capsys):
    base = ["--plugins-dir", str(files / "plugins"), "score", str(files / "r.toml")]
    assert run([*base, str(files / "e.toml"), "--set", "A=L5", "-f", "json"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["headline"]["value"] == "32" and after["headline"]["band"]["label"] == "tinggi"
    assert after["what_if"]["before"]["band"] == "rendah"
    assert run([*base, str(files / "e.toml"), "--set", "A=4"]) == 2
    assert "allowed: L1, L2, L3, L5" in capsys.readouterr().err


CAPPED = """
[rubric]
id = "capped"
title = "Capped"
band = "kelas"

[scales.s]
title = "s"
values = { "0" = 0, "1" = 1, "2" = 2, "3" = 3, "4" = 4 }

[bands.kelas]
rendah = { range = "[0..10)", meaning = "Rendah" }
tinggi = { range = "[10..30]", meaning = "Tinggi" }

[indicators.g]
title = "Capped group"
value = "min(sum(children), 6)"
max = "6"

[indicators.g.children.x]
code = "1"
title = "X"
weight = 1
scale = "s"

[indicators.g.children.y]
code = "2"
title = "Y"
weight = 1
scale = "s"

[indicators.z]
code = "3"
title = "Z"
weight = 1
scale = "s"
"""


def test_capped_group_is_not_additive(tmp_path):
    (tmp_path / "r.toml").write_text(CAPPED)
    (tmp_path / "e.toml").write_text(
        '[evidence]\nrubric = "capped"\n[answers]\nx = 0\ny = 0\nz = 0\n'
    )
    prober = Prober(load_rubric(tmp_path / "r.toml"), read_evidence(tmp_path / "e.toml"))
    analysis = analyse(prober)
    # single gains are 4, 4, 4 but x and y together add only 6 (the cap): not additive
    assert not analysis.additive
    assert any("do not add up" in note for note in analysis.notes)
    # 10 needs the cap (6) plus z at 4: three changes, verified by re-evaluation
    assert analysis.status == "reachable" and analysis.size == 3
    for plan in analysis.plans:
        assert plan.reading.value == Decimal(10) and plan.reaches


def test_unreachable_target(tmp_path, capsys):
    (tmp_path / "r.toml").write_text(
        CAPPED.replace('"[10..30]"', '"[11..30]"').replace('"[0..10)"', '"[0..11)"')
    )
    (tmp_path / "e.toml").write_text(
        '[evidence]\nrubric = "capped"\n[answers]\nx = 0\ny = 0\nz = 0\n'
    )
    code = main(["gap", str(tmp_path / "r.toml"), str(tmp_path / "e.toml"), "-f", "json"])
    gap = json.loads(capsys.readouterr().out)
    assert code == 1 and gap["status"] == "unreachable"
    # the highest reachable value: the cap 6 plus z at 4
    assert gap["best"]["value"] == "10" and gap["best"]["band"] == "rendah"
    main(["gap", str(tmp_path / "r.toml"), str(tmp_path / "e.toml"), "--width", "120"])
    assert "Cannot be reached: the highest reachable value is 10" in capsys.readouterr().out
