"""The fast entry-point walk finds exactly what importlib.metadata finds.

:func:`evalengine.entrypoints.entry_points` replaces ``importlib.metadata`` on the
start-up path; these tests compare the two on this environment and on made-up
``sys.path`` folders (duplicates, comments, an egg-info, odd names), and check the
fallback cases return None rather than a guess.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest

from evalengine.entrypoints import entry_points


def described(eps) -> list[tuple]:
    """What plugin loading reads of each entry point, in order."""
    return [(ep.name, ep.value, ep.group, ep.dist.metadata["Name"], ep.dist.version) for ep in eps]


def reference(group: str) -> list[tuple]:
    importlib.invalidate_caches()
    return described(importlib.metadata.entry_points(group=group))


@pytest.mark.parametrize("group", ["evalengine", "console_scripts", "pytest11", "none-such"])
def test_same_as_importlib_metadata_here(group):
    fast = entry_points(group)
    assert fast is not None
    assert described(fast) == reference(group)


def make_dist(root: Path, folder: str, name: str, version: str, entry_points_txt: str | None):
    info = root / folder
    info.mkdir(parents=True)
    meta = "METADATA" if folder.endswith(".dist-info") else "PKG-INFO"
    (info / meta).write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nbody\n")
    if entry_points_txt is not None:
        (info / "entry_points.txt").write_text(entry_points_txt)


def test_made_up_environment(tmp_path, monkeypatch):
    first, second = tmp_path / "a", tmp_path / "b"
    make_dist(
        first,
        "alpha_plugin-1.0.dist-info",
        "alpha-plugin",
        "1.0",
        "# comment\n[console_scripts]\nalpha = alpha.cli:main\n\n[evalengine]\n"
        " alpha = alpha.plugin \nbeta=alpha.other:hooks\n",
    )
    make_dist(first, "gamma-2.0.egg-info", "Gamma", "2.0", "[evalengine]\ngamma = gamma.plugin\n")
    make_dist(first, "nothing-1.0.dist-info", "nothing", "1.0", None)
    # the same distribution again, later on sys.path: shadowed, as in importlib
    make_dist(second, "Alpha.Plugin-9.0.dist-info", "Alpha.Plugin", "9.0", "[evalengine]\nz = z\n")
    make_dist(second, "delta-3.dist-info", "delta", "3", "[evalengine]\ndelta = delta.p:x.y\n")
    monkeypatch.setattr(sys, "path", [str(first), str(tmp_path / "missing"), str(second)])
    fast = entry_points("evalengine")
    assert fast is not None
    assert described(fast) == reference("evalengine")
    assert {ep.name for ep in fast} == {"alpha", "beta", "gamma", "delta"}
    assert described(entry_points("console_scripts")) == reference("console_scripts")


def test_load_imports_the_named_object(tmp_path, monkeypatch):
    pkg = tmp_path / "fastep_demo"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("class Outer:\n    class Inner:\n        pass\n")
    make_dist(
        tmp_path,
        "fastep_demo-1.dist-info",
        "fastep-demo",
        "1",
        "[evalengine]\nmod = fastep_demo\nobj = fastep_demo:Outer.Inner\n",
    )
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    monkeypatch.delitem(sys.modules, "fastep_demo", raising=False)
    eps = {ep.name: ep for ep in entry_points("evalengine")}
    module = eps["mod"].load()
    assert module.__name__ == "fastep_demo"
    assert eps["obj"].load() is module.Outer.Inner


@pytest.mark.parametrize(
    "setup",
    ["zip", "egg", "odd-case", "no-metadata", "bad-line"],
)
def test_unusual_environments_fall_back(tmp_path, monkeypatch, setup):
    if setup == "zip":
        (tmp_path / "lib.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
        path = [str(tmp_path / "lib.zip")]
    elif setup == "egg":
        (tmp_path / "thing.egg").mkdir()
        path = [str(tmp_path / "thing.egg")]
    elif setup == "odd-case":
        make_dist(tmp_path, "Odd-1.0.DIST-INFO", "Odd", "1.0", "[evalengine]\nodd = odd\n")
        path = [str(tmp_path)]
    elif setup == "no-metadata":
        info = tmp_path / "bare-1.0.dist-info"
        info.mkdir()
        (info / "entry_points.txt").write_text("[evalengine]\nbare = bare\n")
        path = [str(tmp_path)]
    else:
        make_dist(tmp_path, "bad-1.0.dist-info", "bad", "1.0", "[evalengine]\nno equals sign\n")
        path = [str(tmp_path)]
    monkeypatch.setattr(sys, "path", path)
    assert entry_points("evalengine") is None


def test_a_finder_with_its_own_distributions_falls_back(monkeypatch):
    class Finder:
        @staticmethod
        def find_distributions(*args, **kwargs):
            return iter(())

        @staticmethod
        def find_spec(*args, **kwargs):
            return None

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder])
    assert entry_points("evalengine") is None


def test_the_plugin_manager_uses_it(monkeypatch):
    """get_plugin_manager registers the same plugins as with importlib.metadata."""
    from evalengine import plugins

    fast = plugins.get_plugin_manager()
    monkeypatch.setattr("evalengine.entrypoints.entry_points", lambda group: None)
    slow = plugins.get_plugin_manager()
    assert list(fast.sources.values()) == list(slow.sources.values())
