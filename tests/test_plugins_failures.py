"""A plugin that fails gives a PluginError naming the plugin and the hook (exit code 2),
and never leaves a half-written report."""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
import textwrap
from pathlib import Path

import pytest
from paths import ROOT

from evalengine import plugins
from evalengine.cli import main
from evalengine.errors import PluginError
from evalengine.plugins import Plugins, get_plugin_manager

RUBRIC = str(ROOT / "rubrics" / "merit-2019.toml")
EVIDENCE = str(ROOT / "examples" / "merit-belitung-timur" / "evidence.toml")

HEADER = "from evalengine import hookimpl\nfrom evalengine.report.base import ReportFormat\n"


@pytest.fixture(autouse=True)
def fresh_default_plugins():
    """The CLI swaps the process-wide plugins for --plugins-dir; put them back."""
    plugins.use_plugins(None)
    yield
    plugins.use_plugins(None)


def plugin_dir(tmp_path: Path, name: str, body: str) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return folder


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def test_raises_on_import(tmp_path, capsys):
    folder = plugin_dir(tmp_path, "boom", "raise RuntimeError('no config file')\n")
    code, err = run(capsys, "--plugins-dir", str(folder), "score", RUBRIC, EVIDENCE)
    assert code == 2
    assert "error[plugin]" in err and "boom.py failed to load" in err
    assert "RuntimeError: no config file" in err and "Traceback" not in err


def test_entry_point_that_fails_to_load_is_named(tmp_path, monkeypatch):
    (tmp_path / "broken_plugin_mod.py").write_text("import does_not_exist_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    ep = importlib.metadata.EntryPoint("broken", "broken_plugin_mod", "evalengine")
    with pytest.raises(PluginError) as info:
        get_plugin_manager(entry_points=[ep])
    message = info.value.message
    assert "plugin 'broken'" in message and "broken_plugin_mod" in message
    assert "ModuleNotFoundError" in message
    assert "EVALENGINE_DISABLE_PLUGINS=broken" in info.value.hint
    sys.modules.pop("broken_plugin_mod", None)


def test_disabled_entry_point_is_not_loaded(tmp_path, monkeypatch):
    (tmp_path / "broken_plugin_mod2.py").write_text("raise SystemError('never imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("EVALENGINE_DISABLE_PLUGINS", "other, broken")
    ep = importlib.metadata.EntryPoint("broken", "broken_plugin_mod2", "evalengine")
    pm = get_plugin_manager(entry_points=[ep])
    assert not pm.has_plugin("broken")


def test_raises_in_hook(tmp_path, capsys):
    folder = plugin_dir(
        tmp_path,
        "hookfail",
        """
        @hookimpl
        def register_report_formats():
            raise KeyError("template")
        """,
    )
    out = tmp_path / "out.json"
    code, err = run(
        capsys, "--plugins-dir", str(folder), "score", RUBRIC, EVIDENCE, "-f", f"json:{out}"
    )
    assert code == 2
    assert "hookfail.py' raised in hook register_report_formats: KeyError" in err
    assert not out.exists()


@pytest.mark.parametrize("returned", ["'html'", "ReportFormat()", "[str]"])
def test_returns_wrong_type(tmp_path, capsys, returned):
    folder = plugin_dir(
        tmp_path,
        "wrongtype",
        f"""
        @hookimpl
        def register_report_formats():
            return {returned}
        """,
    )
    code, err = run(capsys, "--plugins-dir", str(folder), "plugins")
    assert code == 2
    assert "wrongtype.py' returned" in err and "from hook register_report_formats" in err
    assert "expected a subclass of evalengine.report.base.ReportFormat" in err


def test_render_fails_nothing_written(tmp_path, capsys):
    folder = plugin_dir(
        tmp_path,
        "badrender",
        """
        class Broken(ReportFormat):
            name = "broken"
            suffix = ".html"

            def render(self, result, options):
                raise ZeroDivisionError("layout")

        @hookimpl
        def register_report_formats():
            return [Broken]
        """,
    )
    first, last = tmp_path / "first.json", tmp_path / "last.md"
    code, err = run(
        capsys,
        "--plugins-dir",
        str(folder),
        "score",
        RUBRIC,
        EVIDENCE,
        "-f",
        f"json:{first}",
        "-f",
        f"broken:{tmp_path / 'b.html'}",
        "-f",
        f"json:{last}",
    )
    assert code == 2
    assert "report format 'broken' raised in render(): ZeroDivisionError: layout" in err
    assert "badrender.py" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plugins"]  # nothing written


def test_render_returns_wrong_type_nothing_written(tmp_path, capsys):
    folder = plugin_dir(
        tmp_path,
        "bytesrender",
        """
        class Bytes(ReportFormat):
            name = "bytesy"

            def render(self, result, options):
                return b"not text"

        @hookimpl
        def register_report_formats():
            return Bytes
        """,
    )
    out = tmp_path / "out.json"
    code, err = run(
        capsys,
        "--plugins-dir",
        str(folder),
        "score",
        RUBRIC,
        EVIDENCE,
        "-f",
        f"json:{out}",
        "-f",
        f"bytesy:{tmp_path / 'x.txt'}",
    )
    assert code == 2
    assert "report format 'bytesy' returned bytes from render(); expected str" in err
    assert not out.exists()


def test_indicator_type_raising_in_evaluate(tmp_path, monkeypatch):
    (tmp_path / "crashing_type_plugin.py").write_text(
        textwrap.dedent(
            """
            from evalengine import hookimpl
            from evalengine.indicators.builtin import ScoreType

            class Crashy(ScoreType):
                name = "crashy"

                def evaluate(self, indicator, ctx):
                    return 1 / 0

            @hookimpl
            def register_indicator_types():
                return [Crashy]
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("crashing_type_plugin")
    rubric = tmp_path / "r.toml"
    rubric.write_text(
        textwrap.dedent(
            """
            [rubric]
            id = "t"
            title = "t"
            [scales.s]
            values = { "1" = 1 }
            [indicators.a]
            title = "A"
            type = "crashy"
            scale = "s"
            """
        )
    )
    evidence = tmp_path / "e.toml"
    evidence.write_text('[answers]\na = "1"\n')
    from evalengine import evaluate, load_rubric, read_evidence

    pm = get_plugin_manager(entry_points=False)
    pm.register(module, name="crashing-types")
    own = Plugins(pm)
    with pytest.raises(PluginError) as info:
        evaluate(
            load_rubric(rubric, plugins=own), read_evidence(evidence, plugins=own), plugins=own
        )
    assert "plugin 'crashing-types' failed: indicator type 'crashy' raised in evaluate()" in str(
        info.value
    )
    assert "ZeroDivisionError" in str(info.value)


def test_duplicate_name_names_both_plugins(tmp_path, capsys):
    folder = plugin_dir(
        tmp_path,
        "dupe",
        """
        class Json2(ReportFormat):
            name = "json"

        @hookimpl
        def register_report_formats():
            return [Json2]
        """,
    )
    code, err = run(capsys, "--plugins-dir", str(folder), "plugins")
    assert code == 2
    assert "duplicate report format name 'json'" in err
    assert "dupe.py" in err and "evalengine.report.json" in err


def test_unknown_hook_is_rejected(tmp_path, capsys):
    folder = plugin_dir(
        tmp_path,
        "typo",
        """
        @hookimpl
        def register_report_format():
            return []
        """,
    )
    code, err = run(capsys, "--plugins-dir", str(folder), "plugins")
    assert code == 2
    assert "typo.py' implements an unknown hook" in err
    assert "register_report_formats" in err


def test_missing_output_folder_found_before_writing(tmp_path, capsys):
    first = tmp_path / "first.json"
    code, err = run(
        capsys,
        "score",
        RUBRIC,
        EVIDENCE,
        "-f",
        f"json:{first}",
        "-f",
        f"json:{tmp_path / 'no' / 'such' / 'x.json'}",
    )
    assert code == 2 and "folder" in err and "does not exist" in err
    assert not first.exists()
