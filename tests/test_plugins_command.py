"""``evalengine plugins``: every plugin with version, hooks and what it registers."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from plugin_isolation import missing_shipped_plugin

from evalengine import __version__, plugins
from evalengine.cli import main
from evalengine.plugins import DEFAULT_PLUGINS


@pytest.fixture(autouse=True)
def fresh_default_plugins():
    plugins.use_plugins(None)
    yield
    plugins.use_plugins(None)


@pytest.fixture
def local_plugin(tmp_path: Path) -> Path:
    folder = tmp_path / "local"
    folder.mkdir()
    (folder / "kpi.py").write_text(
        textwrap.dedent(
            '''
            from evalengine import hookimpl
            from evalengine.evaluate.functions import Function

            class Double(Function):
                """Twice a number."""

                name = "double"
                signature = "double(x)"
                description = "twice x"

                def apply(self, args, node, interp):
                    return interp.number(args[0], node) * 2

            @hookimpl
            def register_functions():
                return [Double]
            '''
        )
    )
    return folder


def test_json_lists_builtins_with_versions_hooks_and_registrations(capsys):
    assert main(["plugins", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["schema"] == "evalengine.plugins/1"
    assert document["hooks"] == [
        "register_indicator_types",
        "register_evidence_readers",
        "register_functions",
        "register_report_formats",
    ]
    listed = {p["name"]: p for p in document["plugins"]}
    for name in DEFAULT_PLUGINS:
        assert listed[name]["origin"] == "builtin"
        assert listed[name]["version"] == __version__
    builtin_types = listed["evalengine.indicators.builtin"]
    assert builtin_types["hooks"] == ["register_indicator_types"]
    types = {i["name"]: i["description"] for i in builtin_types["registers"]["indicator_types"]}
    assert set(types) == {"group", "score", "formula"} and all(types.values())
    readers = listed["evalengine.evidence.readers"]["registers"]["evidence_readers"]
    assert {r["name"] for r in readers} == {"toml", "json"}
    assert any(".toml" in r["description"] for r in readers)


def test_plugins_dir_plugin_is_listed(capsys, local_plugin):
    assert main(["--plugins-dir", str(local_plugin), "plugins", "--format", "json"]) == 0
    listed = {p["name"]: p for p in json.loads(capsys.readouterr().out)["plugins"]}
    name = str(local_plugin / "kpi.py")
    assert listed[name]["origin"] == "plugins-dir"
    assert listed[name]["hooks"] == ["register_functions"]
    assert listed[name]["registers"]["functions"][0]["description"] == "double(x) — twice x"


def test_rich_listing(capsys, local_plugin):
    assert main(["--plugins-dir", str(local_plugin), "plugins", "--width", "120"]) == 0
    out = capsys.readouterr().out
    assert f"evalengine.report.terminal  evalengine {__version__}  (builtin)" in out
    assert "hooks: register_report_formats" in out
    assert "report formats:" in out and "rich" in out and "json" in out
    assert "kpi.py" in out and "(plugins-dir)" in out and "double(x) — twice x" in out
    assert all(line == line.rstrip() for line in out.splitlines())


def test_disable_env_hides_an_installed_plugin(capsys, monkeypatch):
    import importlib.metadata

    names = {ep.name for ep in importlib.metadata.entry_points(group="evalengine")}
    if "markdown" not in names:
        missing_shipped_plugin("evalengine-markdown not installed: pip install -e plugins/…")
    monkeypatch.setenv("EVALENGINE_DISABLE_PLUGINS", "evalengine-markdown")
    assert main(["plugins", "--format", "json"]) == 0
    listed = {p["name"] for p in json.loads(capsys.readouterr().out)["plugins"]}
    assert "markdown" not in listed
