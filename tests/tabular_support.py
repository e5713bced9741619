"""Helpers for the survey, records, IKM and IP ASN tests (not a test module).

Tests build their own plugin manager without entry points, so a third-party plugin
installed in the environment cannot change what is tested.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from decimal import Decimal

from paths import ROOT

from evalengine.evaluate.engine import Engine
from evalengine.evidence.model import Evidence, EvidenceValue, Provenance, Table
from evalengine.evidence.readers import read_evidence
from evalengine.plugins import DISABLE_ENV, Plugins, get_plugin_manager
from evalengine.rubric.load import load_rubric

RUBRICS = ROOT / "rubrics"
EXAMPLES = ROOT / "examples"
PLUGINS = Plugins(get_plugin_manager(entry_points=False))


def rubric(name: str, **params: str):
    """A shipped rubric (``ikm-2017``), with parameters overridden."""
    loaded = load_rubric(RUBRICS / f"{name}.toml", plugins=PLUGINS)
    loaded.params.update(params)
    return loaded


def score(rub, evidence):
    """Score an Evidence object or an evidence file path."""
    if not isinstance(evidence, Evidence):
        evidence = read_evidence(evidence, plugins=PLUGINS)
    return Engine(rub, plugins=PLUGINS).evaluate(evidence)


def table_evidence(
    name: str, rows: list[dict[str, str]], file: str = "data.csv", **meta
) -> Evidence:
    """Evidence holding one table built in memory, cells with file/row provenance like a CSV."""
    columns = list(rows[0]) if rows else []
    cells = [
        {
            col: EvidenceValue(value, Provenance(file, col, i, row=i, cell=f"{chr(65 + j)}{i}"))
            for j, (col, value) in enumerate(row.items())
        }
        for i, row in enumerate(rows, start=2)
    ]
    return Evidence(
        path=None, meta=dict(meta), tables={name: Table(name, columns, cells, Provenance(file))}
    )


def facts_evidence(section: str, values: dict[str, str | Decimal], **meta) -> Evidence:
    """Evidence with ``[facts.<section>]`` values only (the published-values path)."""
    facts = {
        section: {
            k: EvidenceValue(v, Provenance("evidence.toml", f"facts.{section}.{k}", n))
            for n, (k, v) in enumerate(values.items(), start=1)
        }
    }
    return Evidence(path=None, meta=dict(meta), facts=facts)


def load_generator():
    """The example's deterministic response generator, imported from its file."""
    path = EXAMPLES / "ikm-belitung-timur" / "generate_responses.py"
    spec = importlib.util.spec_from_file_location("generate_responses", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_cli(argv: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    """Run ``evalengine`` in-process without third-party plugins; exit code, stdout, stderr."""
    from evalengine import cli, plugins

    names = {
        ep.name
        for dist in importlib.metadata.distributions()
        for ep in dist.entry_points
        if ep.group == "evalengine"
    }
    monkeypatch.setenv(DISABLE_ENV, ",".join(sorted(names)))
    plugins.default_plugins.cache_clear()
    monkeypatch.chdir(ROOT)
    try:
        code = cli.main(argv)
    finally:
        plugins.default_plugins.cache_clear()
    out = capsys.readouterr()
    return int(code), out.out, out.err
