"""The remembered entry points (evalengine/entry_points.py): found again whenever
something is installed or removed, never the reason a start fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from paths import ROOT

from evalengine import entry_points
from evalengine.entry_points import InstalledEntryPoint, installed_entry_points
from evalengine.plugins import Plugins, get_plugin_manager

GROUP = "evalengine-test-group"


def write_dist(site: Path, dist: str, eps: dict[str, str]) -> Path:
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    lines = "".join(f"{name} = {value}\n" for name, value in eps.items())
    (info / "entry_points.txt").write_text(f"[{GROUP}]\n{lines}")
    return info


@pytest.fixture
def site(tmp_path, monkeypatch):
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


@pytest.fixture
def lookups(monkeypatch):
    """How many times importlib.metadata was asked (the rest came from memory)."""
    calls = []
    find = entry_points.find_entry_points

    def counting(group):
        calls.append(group)
        return find(group)

    monkeypatch.setattr(entry_points, "find_entry_points", counting)
    return calls


def names(found) -> list[str]:
    return sorted(ep.name for ep in found)


def test_remembered_until_a_distribution_is_installed_or_removed(site, lookups):
    write_dist(site, "plug_a", {"a": "json"})
    assert names(installed_entry_points(GROUP)) == ["a"]
    assert names(installed_entry_points(GROUP)) == ["a"]
    assert len(lookups) == 1  # the second came from memory

    info = write_dist(site, "plug_b", {"b": "json:dumps"})  # "pip install plug_b"
    assert names(installed_entry_points(GROUP)) == ["a", "b"]
    assert len(lookups) == 2

    for file in info.iterdir():  # "pip uninstall plug_b"
        file.unlink()
    info.rmdir()
    assert names(installed_entry_points(GROUP)) == ["a"]
    assert len(lookups) == 3


def test_a_new_import_path_entry_is_a_miss(site, tmp_path, lookups, monkeypatch):
    write_dist(site, "plug_a", {"a": "json"})
    installed_entry_points(GROUP)
    other = tmp_path / "other"
    write_dist(other, "plug_c", {"c": "json"})
    monkeypatch.syspath_prepend(str(other))  # a .pth file of a new editable install
    assert names(installed_entry_points(GROUP)) == ["a", "c"]
    assert len(lookups) == 2


def test_a_report_written_to_the_working_folder_is_no_miss(site, tmp_path, lookups, monkeypatch):
    """``python -m evalengine`` puts the working folder on ``sys.path``; a report written
    there changes the folder's time but installs nothing. A distribution put there is
    found."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.syspath_prepend(str(work))
    write_dist(site, "plug_a", {"a": "json"})
    installed_entry_points(GROUP)
    (work / "laporan.html").write_text("<html></html>")
    later = os.stat(work).st_mtime_ns + 10**9  # past the file system's clock tick
    os.utime(work, ns=(later, later))
    assert names(installed_entry_points(GROUP)) == ["a"]
    assert len(lookups) == 1
    write_dist(work, "plug_w", {"w": "json"})
    assert names(installed_entry_points(GROUP)) == ["a", "w"]
    assert len(lookups) == 2


def test_refresh_and_no_cache_always_look(site, lookups, monkeypatch):
    write_dist(site, "plug_a", {"a": "json"})
    installed_entry_points(GROUP)
    installed_entry_points(GROUP, refresh=True)
    monkeypatch.setenv("EVALENGINE_NO_CACHE", "1")
    installed_entry_points(GROUP)
    assert len(lookups) == 3


def test_what_is_remembered_is_what_importlib_metadata_finds(site):
    write_dist(site, "plug_a", {"a": "json:dumps", "b": "json"})
    found = {ep.name: ep for ep in installed_entry_points(GROUP)}
    again = {ep.name: ep for ep in installed_entry_points(GROUP)}
    assert (
        found
        == again
        == {
            "a": InstalledEntryPoint("a", "json:dumps", "plug_a", "1.0"),
            "b": InstalledEntryPoint("b", "json", "plug_a", "1.0"),
        }
    )
    import json

    assert again["a"].load() is json.dumps and again["b"].load() is json


def test_a_stale_memory_is_looked_up_again_before_a_failure_is_reported(monkeypatch):
    # a remembered entry point whose module is gone (as after an uninstall the stamp
    # somehow missed): the plugins installed now are found and nothing fails
    real = entry_points.installed_entry_points
    stale = [InstalledEntryPoint("gone", "evalengine_no_such_module.plugin", "gone", "1")]

    def remembered(group, *, refresh=False):
        return real(group, refresh=True) if refresh else stale

    monkeypatch.setattr(entry_points, "installed_entry_points", remembered)
    plugins = Plugins(get_plugin_manager())
    assert "gone" not in plugins.pm.sources
    assert "records" in plugins.indicator_types


def test_a_warm_start_does_not_import_importlib_metadata(tmp_path):
    work = tmp_path / "work"  # the working folder is on sys.path: keep the cache out of it
    work.mkdir()
    env = dict(os.environ, EVALENGINE_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    env.pop("EVALENGINE_NO_CACHE", None)
    script = (
        "import sys\n"
        "from evalengine.cli import main\n"
        f"code = main(['score', {str(ROOT / 'rubrics' / 'merit-2019.toml')!r}, "
        f"{str(ROOT / 'examples' / 'merit-belitung-timur' / 'evidence.toml')!r}, "
        "'-f', 'json:' + __import__('os').devnull])\n"
        "print(code, 'importlib.metadata' in sys.modules)\n"
    )

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=work, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run() == "0 True"  # first start: importlib.metadata finds the entry points
    assert run() == "0 False"  # then they come from memory
