"""Installing the example plugin (evalengine-skp) adds its indicator type, function and
report format with no change to the core; uninstalling removes them.

Three levels: an explicit entry point handed to a fresh plugin manager; a distribution
"installed" by putting its ``.dist-info`` (metadata + entry_points.txt) on ``sys.path`` and
"uninstalled" by removing it, found through importlib.metadata like any pip install; and
the real installation done by the README's install command (checked in CI).
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
from pathlib import Path

import pytest
from paths import ROOT
from plugin_isolation import missing_shipped_plugin

from evalengine import evaluate, load_rubric, read_evidence
from evalengine.cli import main
from evalengine.errors import EvalEngineError
from evalengine.plugins import DISABLE_ENV, Plugins, get_plugin_manager, use_plugins

EXAMPLE = ROOT / "examples" / "skp-pegawai"
SKP_SOURCE = ROOT / "plugins" / "evalengine-skp"
SHIPPED = {
    "html": "evalengine-html",
    "markdown": "evalengine-markdown",
    "xlsx": "evalengine-xlsx",
    "skp": "evalengine-skp",
}


#: These tests are about installed entry points, so they must see them.
pytestmark = pytest.mark.entry_point_plugins


@pytest.fixture
def skp_importable(monkeypatch):
    monkeypatch.syspath_prepend(str(SKP_SOURCE))


def kinds(plugins: Plugins) -> dict[str, set[str]]:
    return {
        "types": set(plugins.indicator_types),
        "functions": set(plugins.functions),
        "formats": set(plugins.report_formats),
        "readers": set(plugins.evidence_readers),
    }


def test_entry_point_adds_and_removes(skp_importable):
    ep = importlib.metadata.EntryPoint("skp", "evalengine_skp.plugin", "evalengine")
    without = kinds(Plugins(get_plugin_manager(entry_points=[])))
    with_skp = kinds(Plugins(get_plugin_manager(entry_points=[ep])))
    again = kinds(Plugins(get_plugin_manager(entry_points=[])))
    assert with_skp["types"] - without["types"] == {"skp_iki"}
    assert with_skp["functions"] - without["functions"] == {"nilai_capaian_iki"}
    assert with_skp["formats"] - without["formats"] == {"skp"}
    assert with_skp["readers"] == without["readers"]
    assert again == without  # "uninstalled": a fresh manager without it has none of them


def write_dist_info(site: Path, dist: str, ep_name: str) -> Path:
    info = site / f"{dist.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(f"[evalengine]\n{ep_name} = evalengine_skp.plugin\n")
    return info


def test_installed_distribution_is_found_and_uninstall_removes_it(
    tmp_path, monkeypatch, skp_importable
):
    # leave out a real installation of the same module, so it is not registered twice
    monkeypatch.setenv(DISABLE_ENV, "evalengine-skp")
    site = tmp_path / "site-packages"
    info = write_dist_info(site, "evalengine-skp-copy", "skp-copy")
    monkeypatch.syspath_prepend(str(site))
    installed = Plugins(get_plugin_manager())
    assert "skp_iki" in installed.indicator_types and "skp" in installed.report_formats
    assert installed.report_formats.provider("skp") == "skp-copy"
    source = installed.source("skp-copy")
    assert (source.origin, source.distribution, source.version) == (
        "entry point",
        "evalengine-skp-copy",
        "0.1.0",
    )
    rubric = load_rubric(EXAMPLE / "rubric.toml", plugins=installed)
    result = evaluate(
        rubric, read_evidence(EXAMPLE / "evidence.toml", plugins=installed), plugins=installed
    )
    assert result.find("2.1").value == 88  # regulations.md C8: 98 % Cukup → 88

    # uninstall: the metadata is gone, so is everything the plugin registered
    for file in info.iterdir():
        file.unlink()
    info.rmdir()
    importlib.invalidate_caches()
    removed = Plugins(get_plugin_manager())
    assert "skp_iki" not in removed.indicator_types
    assert "skp" not in removed.report_formats
    with pytest.raises(EvalEngineError, match="skp_iki"):
        load_rubric(EXAMPLE / "rubric.toml", plugins=removed)


def installed_shipped() -> dict[str, importlib.metadata.EntryPoint]:
    eps = {ep.name: ep for ep in importlib.metadata.entry_points(group="evalengine")}
    missing = sorted(set(SHIPPED) - set(eps))
    if missing:
        message = (
            f"shipped plugins not installed: {', '.join(missing)}; run the README install "
            "command (pip install -e '.[dev]' -e plugins/…)"
        )
        missing_shipped_plugin(message)
    return eps


def test_readme_install_registers_the_shipped_plugins(capsys):
    eps = installed_shipped()
    for name, dist in SHIPPED.items():
        assert eps[name].dist.metadata["Name"] == dist
    use_plugins(None)
    try:
        assert main(["plugins", "--format", "json"]) == 0
    finally:
        use_plugins(None)
    listed = {p["name"]: p for p in json.loads(capsys.readouterr().out)["plugins"]}
    for name, dist in SHIPPED.items():
        assert listed[name]["distribution"] == dist
        assert listed[name]["version"] == importlib.metadata.version(dist)
    assert {i["name"] for i in listed["skp"]["registers"]["indicator_types"]} == {"skp_iki"}
    for fmt in ("html", "markdown", "xlsx"):
        assert [i["name"] for i in listed[fmt]["registers"]["report_formats"]] == [fmt]


def test_example_scores_through_the_real_installation(tmp_path, capsys):
    installed_shipped()
    use_plugins(None)
    out = tmp_path / "skp.md"
    try:
        code = main(
            [
                "score",
                str(EXAMPLE / "rubric.toml"),
                str(EXAMPLE / "evidence.toml"),
                "-f",
                f"skp:{out}",
            ]
        )
    finally:
        use_plugins(None)
    assert code == 0
    assert "| 98,00% | Cukup | 88,00 |" in out.read_text(encoding="utf-8")
    assert "evalengine_skp" in sys.modules
