"""Paths of the repository's rubrics and examples, for tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUBRICS = ROOT / "rubrics"
EXAMPLES = ROOT / "examples"
MERIT_RUBRIC = RUBRICS / "merit-2019.toml"
MERIT_EVIDENCE = EXAMPLES / "merit-belitung-timur" / "evidence.toml"
