"""Shared fixtures: repository paths, a CLI runner, and a writer for small rubric files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def rubric_cache_dir(tmp_path_factory, monkeypatch):
    """Every test gets its own, empty rubric cache (never the user's ~/.cache)."""
    folder = tmp_path_factory.mktemp("evalengine-cache")
    monkeypatch.setenv("EVALENGINE_CACHE_DIR", str(folder))
    monkeypatch.delenv("EVALENGINE_NO_CACHE", raising=False)
    return folder


@dataclass
class CliResult:
    """Exit code and captured output of one CLI run."""

    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys):
    """Run ``evalengine`` in-process: ``run_cli("score", rubric, evidence)``."""
    from evalengine.cli import main

    def run(*args: object) -> CliResult:
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse exits on --help and usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def write(tmp_path):
    """Write a file under tmp_path and return its path: ``write("r.toml", text)``."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture(autouse=True)
def _builtin_plugins_only(request, monkeypatch):
    """Tests see only evalengine's own plugins, unless marked ``entry_point_plugins``.

    Packages installed beside evalengine may register plugins through entry points; the
    core's tests must not depend on them. Tests of the shipped plugins opt back in.
    """
    from plugin_isolation import isolate_plugins

    from evalengine import plugins

    if request.node.get_closest_marker("entry_point_plugins") is None:
        isolate_plugins(monkeypatch)
    else:
        plugins.default_plugins.cache_clear()
    yield
    plugins.default_plugins.cache_clear()
