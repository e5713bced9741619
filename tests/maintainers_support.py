"""Shared helpers of the maintainer-tool tests (check, test, rubrics, diff, template, overlays).

Third-party evalengine plugins installed in the environment (entry points) must not
change what these tests see, so every test module calls :func:`isolate_plugins` first.
"""

from __future__ import annotations

from pathlib import Path

from paths import ROOT

DATA = ROOT / "tests" / "data"
RUBRICS = ROOT / "rubrics"


def builtin_rubrics() -> list[Path]:
    """Every rubric shipped in rubrics/ (including those other work adds later)."""
    return sorted(RUBRICS.glob("*.toml"))
