"""The rubric cache gives the same rubric as loading it, and notices every change.

``evalengine score`` loads rubrics through :func:`evalengine.rubric.cache.load_rubric_cached`.
These tests score every shipped example through a cold cache, a warm cache and the
plain loader and compare the JSON and the rich report; edit rubrics, base files and
cached entries; and check a warm start never imports Lark.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import MERIT_EVIDENCE, MERIT_RUBRIC, ROOT, example_pairs
from plugin_isolation import (
    builtin_plugins_only,  # noqa: F401 - module-wide fixture
    missing_shipped_plugin,
)

from evalengine.errors import RubricError
from evalengine.evaluate.engine import Engine
from evalengine.evidence.readers import read_evidence
from evalengine.report.json import JsonReport
from evalengine.report.terminal import RichReport
from evalengine.rubric import cache
from evalengine.rubric.load import load_rubric

OPTIONS = {"width": 110, "force_terminal": False, "color_system": None}


def reports(rubric, evidence_path) -> tuple[str, str]:
    """(JSON, rich text) of scoring ``evidence_path`` with ``rubric``."""
    result = Engine(rubric).evaluate(read_evidence(evidence_path))
    return JsonReport().render(result, OPTIONS), RichReport().render(result, OPTIONS)


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("rubric-*.pickle"))


def scoreable(pairs):
    from evalengine.plugins import Plugins, get_plugin_manager

    builtin = Plugins(get_plugin_manager(entry_points=False))
    for rubric, evidence in pairs:
        try:
            loaded = load_rubric(rubric, plugins=builtin)
        except RubricError:
            continue
        if any(i.type in ("records", "survey") for i in loaded.indicators()):
            continue  # scored by the bulk path, which takes the same rubric object
        yield rubric, evidence


@pytest.mark.parametrize(("rubric", "evidence"), list(scoreable(example_pairs())))
def test_cold_and_warm_cache_score_like_the_loader(rubric, evidence, rubric_cache_dir):
    plain = reports(load_rubric(rubric), evidence)
    cold = cache.load_rubric_cached(rubric)
    assert len(entries(rubric_cache_dir)) == 1
    warm = cache.load_rubric_cached(rubric)
    assert warm is not cold  # unpickled from the entry
    assert reports(cold, evidence) == plain
    assert reports(warm, evidence) == plain
    assert warm.diagnostics == load_rubric(rubric).diagnostics


def test_every_shipped_rubric_round_trips(rubric_cache_dir):
    for path in sorted((ROOT / "rubrics").glob("*.toml")):
        plain = load_rubric(path)
        cache.load_rubric_cached(path)
        warm = cache.load_rubric_cached(path)
        assert [i.id for i in warm.indicators()] == [i.id for i in plain.indicators()]
        assert [(i.value and i.value.tree) for i in warm.indicators()] == [
            (i.value and i.value.tree) for i in plain.indicators()
        ]
        assert warm.diagnostics == plain.diagnostics


RUBRIC = """
[rubric]
id = "mini"
title = "Mini"
version = "1"

[scales.ya]
values = {{ ya = 1, tidak = 0 }}

[indicators.a]
title = "A"
weight = {a}
scale = "ya"

[indicators.b]
title = "B"
weight = {b}
scale = "ya"
"""

EVIDENCE = """
[evidence]
subject = "Uji"

[answers]
a = "ya"
b = "{b}"
"""


def test_editing_the_rubric_invalidates(tmp_path, rubric_cache_dir):
    rubric = tmp_path / "mini.toml"
    evidence = tmp_path / "e.toml"
    evidence.write_text(EVIDENCE.format(b="ya"))
    rubric.write_text(RUBRIC.format(a=2, b=3))
    assert (
        reports(cache.load_rubric_cached(rubric), evidence)[0]
        == reports(load_rubric(rubric), evidence)[0]
    )
    first = Engine(cache.load_rubric_cached(rubric)).evaluate(read_evidence(evidence))
    rubric.write_text(RUBRIC.format(a=2, b=7))
    second = Engine(cache.load_rubric_cached(rubric)).evaluate(read_evidence(evidence))
    assert first.root.value == Decimal(5)
    assert second.root.value == Decimal(9)
    assert len(entries(rubric_cache_dir)) == 1  # the new version replaced the old entry


def test_editing_an_extended_base_invalidates(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text(RUBRIC.format(a=2, b=3))
    overlay = tmp_path / "overlay.toml"
    overlay.write_text(
        '[rubric]\nextends = "base.toml"\nid = "over"\n\n[indicators.a]\nweight = 4\n'
    )
    evidence = tmp_path / "e.toml"
    evidence.write_text(EVIDENCE.format(b="ya"))
    assert Engine(cache.load_rubric_cached(overlay)).evaluate(
        read_evidence(evidence)
    ).root.value == Decimal(7)
    base.write_text(RUBRIC.format(a=2, b=10))
    warm = cache.load_rubric_cached(overlay)
    assert Engine(warm).evaluate(read_evidence(evidence)).root.value == Decimal(14)
    assert warm.id == "over"


def test_a_rubric_with_errors_is_never_cached(tmp_path, rubric_cache_dir):
    rubric = tmp_path / "bad.toml"
    rubric.write_text(RUBRIC.format(a=2, b=3).replace('scale = "ya"', 'scale = "yaa"', 1))
    for _ in range(2):
        with pytest.raises(RubricError) as err:
            cache.load_rubric_cached(rubric)
        assert "unknown scale 'yaa'" in str(err.value)
    assert entries(rubric_cache_dir) == []


def test_a_missing_rubric_keeps_its_error(tmp_path):
    with pytest.raises(RubricError, match="does not exist"):
        cache.load_rubric_cached(tmp_path / "nope.toml")


@pytest.mark.parametrize("damage", [b"", b"not a pickle", None])
def test_a_damaged_entry_is_ignored_and_rewritten(rubric_cache_dir, damage):
    cache.load_rubric_cached(MERIT_RUBRIC)
    (entry,) = entries(rubric_cache_dir)
    if damage is None:  # a valid pickle of something else
        import pickle

        entry.write_bytes(pickle.dumps({"format": cache.FORMAT, "key": b"other"}))
    else:
        entry.write_bytes(damage)
    rubric = cache.load_rubric_cached(MERIT_RUBRIC)
    assert reports(rubric, MERIT_EVIDENCE) == reports(load_rubric(MERIT_RUBRIC), MERIT_EVIDENCE)
    assert cache._read_entry(entry, b"") is None or entry.stat().st_size > 100


def test_opt_out(rubric_cache_dir, monkeypatch):
    monkeypatch.setenv("EVALENGINE_NO_CACHE", "1")
    cache.load_rubric_cached(MERIT_RUBRIC)
    assert entries(rubric_cache_dir) == []


def test_cache_folder_order(monkeypatch, tmp_path):
    monkeypatch.setenv("EVALENGINE_CACHE_DIR", str(tmp_path / "a"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert cache.cache_dir() == tmp_path / "a"
    monkeypatch.delenv("EVALENGINE_CACHE_DIR")
    assert cache.cache_dir() == tmp_path / "x" / "evalengine"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "evalengine"


def test_an_unwritable_cache_folder_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("EVALENGINE_CACHE_DIR", str(blocker / "sub"))
    rubric = cache.load_rubric_cached(MERIT_RUBRIC)
    assert rubric.id == load_rubric(MERIT_RUBRIC).id


def test_a_changed_plugin_set_is_a_different_entry(rubric_cache_dir, monkeypatch):
    import importlib.metadata

    from evalengine.plugins import DISABLE_ENV, Plugins, get_plugin_manager

    monkeypatch.delenv(DISABLE_ENV, raising=False)
    skp = [ep for ep in importlib.metadata.entry_points(group="evalengine") if ep.name == "skp"]
    if not skp:
        missing_shipped_plugin("evalengine-skp is not installed: pip install -e plugins/…")
    without = Plugins(get_plugin_manager(entry_points=False))
    with_skp = Plugins(get_plugin_manager(entry_points=skp))
    cache.load_rubric_cached(MERIT_RUBRIC, plugins=without)
    cache.load_rubric_cached(MERIT_RUBRIC, plugins=with_skp)
    assert cache.fingerprint(without) != cache.fingerprint(with_skp)
    assert len(entries(rubric_cache_dir)) == 2


def run_score(env: dict[str, str]) -> subprocess.CompletedProcess:
    code = (
        "import sys\n"
        "from evalengine.cli import main\n"
        f"code = main(['score', {str(MERIT_RUBRIC)!r}, {str(MERIT_EVIDENCE)!r}])\n"
        "print('LARK' if 'lark' in sys.modules else 'NO-LARK', file=sys.stderr)\n"
        "raise SystemExit(code)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT
    )


def test_a_warm_start_does_not_import_lark_and_prints_the_same(rubric_cache_dir):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cold = run_score(env)
    warm = run_score(env)
    off = run_score({**env, "EVALENGINE_NO_CACHE": "1"})
    assert cold.returncode == warm.returncode == off.returncode == 0
    assert cold.stderr.strip().endswith("LARK")
    assert warm.stderr.strip().endswith("NO-LARK")
    assert cold.stdout == warm.stdout == off.stdout
    assert "252" in warm.stdout


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    weights=st.lists(st.integers(0, 50), min_size=2, max_size=2),
    answer=st.sampled_from(["ya", "tidak"]),
)
def test_generated_rubrics_score_alike_cached_and_not(tmp_path, weights, answer):
    rubric = tmp_path / f"mini-{weights[0]}-{weights[1]}.toml"
    rubric.write_text(RUBRIC.format(a=weights[0], b=weights[1]))
    evidence = tmp_path / f"e-{answer}.toml"
    evidence.write_text(EVIDENCE.format(b=answer))
    plain = reports(load_rubric(rubric), evidence)
    assert reports(cache.load_rubric_cached(rubric), evidence) == plain
    assert reports(cache.load_rubric_cached(rubric), evidence) == plain
    # the figure itself, from the weights: a answered "ya", b as generated
    warm = Engine(cache.load_rubric_cached(rubric)).evaluate(read_evidence(evidence))
    assert warm.root.value == weights[0] + (weights[1] if answer == "ya" else 0)


def test_rubric_metadata_through_the_cache_is_read_info(tmp_path, monkeypatch):
    """Choosing a version by id reads every rubric's metadata: cached, and kept fresh."""
    from evalengine.rubric import versions

    plain = [(i.id, i.version, i.path, i.valid_from) for i in versions.installed_rubrics()]
    monkeypatch.setattr(cache, "_infos", None)
    cold = [(i.id, i.version, i.path, i.valid_from) for i in versions.installed_rubrics()]
    monkeypatch.setattr(cache, "_infos", None)  # a new process: from the entry on disk
    warm = [(i.id, i.version, i.path, i.valid_from) for i in versions.installed_rubrics()]
    assert cold == warm == plain
    assert len(plain) >= 5
    folder = tmp_path / "rubrics"
    folder.mkdir()
    rubric = folder / "mini.toml"
    rubric.write_text(RUBRIC.format(a=1, b=2))
    first = cache.read_info_cached(rubric)
    rubric.write_text(RUBRIC.format(a=1, b=2).replace('version = "1"', 'version = "2"'))
    monkeypatch.setattr(cache, "_infos", None)
    second = cache.read_info_cached(rubric)
    assert (first.version, second.version) == ("1", "2")
    assert second == versions.read_info(rubric)


def test_a_json_report_does_not_import_richs_console():
    """The rich format's class is registered at start; its rendering code loads on render."""
    code = (
        "import sys\n"
        "from evalengine.cli import main\n"
        f"code = main(['score', {str(MERIT_RUBRIC)!r}, {str(MERIT_EVIDENCE)!r}, '-f', 'json'])\n"
        "print('CONSOLE' if 'rich.console' in sys.modules else 'NO-CONSOLE', file=sys.stderr)\n"
        "raise SystemExit(code)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().endswith("NO-CONSOLE")
    assert json.loads(done.stdout)["result"]["value"] == "252"
