"""One test per hook (``test_hook_<name>``; tests/test_plugins_docs.py checks they exist).

Each registers a plugin in a fresh plugin manager, the way the plugin guide
(docs/plugins.md) does it, and checks that what it registers is used.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from paths import ROOT

from evalengine import evaluate, hookimpl, load_rubric, read_evidence
from evalengine.evidence.readers import EvidenceReader, build_evidence
from evalengine.numbers import round_to
from evalengine.plugins import DEFAULT_PLUGINS, Plugins, get_plugin_manager

EXAMPLE = ROOT / "examples" / "skp-pegawai"


@pytest.fixture
def skp(monkeypatch):
    """The guide's example plugin, registered in a fresh manager (no installation)."""
    monkeypatch.syspath_prepend(str(ROOT / "plugins" / "evalengine-skp"))
    from evalengine_skp import plugin

    pm = get_plugin_manager(entry_points=False)
    pm.register(plugin, name="skp")
    return Plugins(pm)


def test_hook_register_indicator_types(skp):
    types = skp.indicator_types
    assert types.provider("skp_iki") == "skp"
    for builtin in ("group", "score", "formula"):  # the core registers through the same hook
        assert types.provider(builtin) == "evalengine.indicators.builtin"
    rubric = load_rubric(EXAMPLE / "rubric.toml", plugins=skp)
    result = evaluate(rubric, read_evidence(EXAMPLE / "evidence.toml", plugins=skp), plugins=skp)
    assert result.find("1.1").value == 109  # PermenPANRB 8/2021 p. 243: 100 % Baik → 109


class KeyValueReader(EvidenceReader):
    """Evidence as ``name = value`` lines: every line becomes a fact."""

    name = "kv"
    suffixes = (".kv",)
    description = "facts as name = value lines"

    def read(self, path):
        facts = {}
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if "=" in line:
                key, _, value = line.partition("=")
                facts[key.strip()] = value.strip()
        return build_evidence({"facts": facts}, str(path), None)


class ReaderPlugin:
    """A plugin can be any object with hook implementations, here a class instance."""

    @hookimpl
    def register_evidence_readers(self):
        return KeyValueReader


def test_hook_register_evidence_readers(tmp_path):
    pm = get_plugin_manager(entry_points=False)
    pm.register(ReaderPlugin(), name="kv-reader")
    plugins = Plugins(pm)
    assert plugins.evidence_readers.provider("kv") == "kv-reader"
    assert plugins.evidence_readers.provider("toml") == "evalengine.evidence.readers"
    rubric = tmp_path / "r.toml"
    rubric.write_text(
        '[rubric]\nid = "kv"\ntitle = "kv"\n[indicators.a]\ntitle = "a"\ntype = "formula"\n'
        'value = "evidence.realisasi / evidence.target * 100"\n'
    )
    evidence = tmp_path / "e.kv"
    evidence.write_text("target = 95\nrealisasi = 93\n")
    result = evaluate(
        load_rubric(rubric, plugins=plugins),
        read_evidence(evidence, plugins=plugins),
        plugins=plugins,
    )
    assert round_to(result.root.value, 2) == Decimal("97.89")  # 93 / 95 × 100, exact Decimal
    assert result.root.children[0].derivation.inputs[0].provenance.file == str(evidence)


def test_hook_register_functions(skp, tmp_path):
    assert skp.functions.provider("nilai_capaian_iki") == "skp"
    assert skp.functions.provider("sum") == "evalengine.evaluate.functions"
    rubric = tmp_path / "r.toml"
    rubric.write_text(
        '[rubric]\nid = "f"\ntitle = "f"\n[indicators.a]\ntitle = "a"\ntype = "formula"\n'
        'value = "nilai_capaian_iki(98)"\n'
    )
    evidence = tmp_path / "e.toml"
    evidence.write_text("[facts]\n")
    result = evaluate(
        load_rubric(rubric, plugins=skp), read_evidence(evidence, plugins=skp), plugins=skp
    )
    assert result.root.value == 88  # regulations.md C8


def test_hook_register_report_formats(skp):
    formats = skp.report_formats
    assert formats.provider("skp") == "skp"
    assert {formats.provider("rich"), formats.provider("json")} <= set(DEFAULT_PLUGINS)
    result = evaluate(
        load_rubric(EXAMPLE / "rubric.toml", plugins=skp),
        read_evidence(EXAMPLE / "evidence.toml", plugins=skp),
        plugins=skp,
    )
    text = formats.get("skp")().render(result, {})
    assert "| 95 | 93 | 98,00% | Cukup | 88,00 |" in text
