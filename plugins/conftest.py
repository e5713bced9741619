"""Make the shipped plugins importable for their tests even before `pip install -e`.

Installing them (the README's command) is still what registers their entry points;
tests/test_plugins_install.py checks that part.
"""

import contextlib
import sys
from pathlib import Path

for package in sorted(Path(__file__).parent.glob("evalengine-*")):
    if str(package) not in sys.path:
        sys.path.append(str(package))


import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def rubric_cache_dir(tmp_path_factory, monkeypatch):
    """Every test gets its own, empty rubric cache (never the user's ~/.cache)."""
    folder = tmp_path_factory.mktemp("evalengine-cache")
    monkeypatch.setenv("EVALENGINE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(scope="module")
def result():
    """The merit example scored by the core: what every report plugin renders in its tests."""
    from evalengine import evaluate, load_rubric, read_evidence

    rubric = ROOT / "rubrics" / "merit-2019.toml"
    evidence = ROOT / "examples" / "merit-belitung-timur" / "evidence.toml"
    return evaluate(load_rubric(rubric), read_evidence(evidence))


@pytest.fixture(scope="module")
def titled(result):
    """``with titled(text): …`` renders ``result`` with its first aspect titled ``text``
    (odd titles: markup, formulas, control characters); the title is put back after."""

    @contextlib.contextmanager
    def first_aspect_titled(title: str):
        node = result.root.children[0]
        original, node.title = node.title, title
        try:
            yield node
        finally:
            node.title = original

    return first_aspect_titled


@pytest.fixture(scope="module")
def grouped_result():
    """A result scored per instansi on DuckDB (score --group-by): two ranked, one failed.

    tests/data/bulk/ranking: instansi A (81,33, Tinggi) before B (63,25, Rendah); C fails
    (its only employee has a hukuman, so kinerja has no rows). tests/test_report_ranking.py
    works these figures out from the rows.
    """
    from evalengine import load_rubric, read_evidence
    from evalengine.bulk import score_grouped

    data = ROOT / "tests" / "data" / "bulk" / "ranking"
    return score_grouped(
        load_rubric(data / "ipasn-where.toml"),
        read_evidence(data / "evidence.toml"),
        group_by="instansi",
        engine="duckdb",
    )
