"""`evalengine template`: a filled-in template (TOML or XLSX) scores without edits."""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal

import pytest
import tomli_w

from evalengine.cli import main
from evalengine.errors import EvalEngineError
from evalengine.evaluate.engine import Engine
from evalengine.evidence.model import ANY_STAGE, Evidence, EvidenceValue, Provenance
from evalengine.evidence.readers import read_evidence
from evalengine.evidence.template import template_spec
from evalengine.plugins import default_plugins
from evalengine.rubric.load import load_rubric
from tests.maintainers_support import DATA, builtin_rubrics


def _answered_rubrics():
    out = []
    for path in [*builtin_rubrics(), DATA / "rubrics" / "mini.toml"]:
        try:
            rubric = load_rubric(path)
        except EvalEngineError:  # reported by test_builtin_rubrics_have_no_errors
            continue
        spec = template_spec(rubric)
        # A rubric that also reads facts or tables needs more than a generic filler can
        # invent; those have their own example evidence and tests.
        if spec.answered and not (spec.facts or spec.tables):
            out.append(pytest.param(path, id=path.stem))
    return out


def _choices(rubric):
    """A varied answer per answered indicator (and stage): cycles through its options."""
    spec = template_spec(rubric)
    plugins = default_plugins()
    stages = rubric.stages or ("",)
    picks = {}
    for i, ind in enumerate(spec.answered):
        options = spec.options(ind, plugins)
        picks[ind.id] = {s: options[(i + j) % len(options)] for j, s in enumerate(stages)}
    return spec, picks


def _expected(rubric, picks):
    evidence = Evidence(path="direct")
    for iid, per_stage in picks.items():
        evidence.answers[iid] = {
            (s or ANY_STAGE): EvidenceValue(label, Provenance("direct"))
            for s, label in per_stage.items()
        }
    return Engine(rubric).evaluate(evidence)


@pytest.mark.parametrize("path", _answered_rubrics())
def test_toml_template_round_trip(path, tmp_path, capsys):
    rubric = load_rubric(path)
    _, picks = _choices(rubric)
    out = tmp_path / "evidence.toml"
    assert main(["template", str(path), "-o", str(out)]) == 0
    data = tomllib.loads(out.read_text(encoding="utf-8"))
    assert set(data["answers"]) == set(picks)
    for iid, per_stage in picks.items():
        if rubric.stages:
            assert set(data["answers"][iid]) == set(rubric.stages)
            data["answers"][iid] = dict(per_stage)
        else:
            data["answers"][iid] = per_stage[""]
    data["evidence"]["subject"] = "Uji"
    out.write_text(tomli_w.dumps(data), encoding="utf-8")
    capsys.readouterr()
    assert main(["score", str(path), str(out), "-f", "json"]) == 0
    scored = json.loads(capsys.readouterr().out)
    expected = _expected(rubric, picks)
    assert Decimal(scored["headline"]["value"]) == expected.root.value
    assert (scored["headline"]["band"] or {}).get("label") == (
        expected.root.band.label if expected.root.band else None
    )


@pytest.mark.parametrize("path", _answered_rubrics())
def test_xlsx_template_round_trip(path, tmp_path, capsys):
    from openpyxl import load_workbook

    rubric = load_rubric(path)
    _, picks = _choices(rubric)
    out = tmp_path / "evidence.xlsx"
    assert main(["template", str(path), "-o", str(out)]) == 0
    wb = load_workbook(out)
    sheet = wb["indicators"]
    header = [c.value for c in sheet[1]]
    validated = set()
    for dv in sheet.data_validations.dataValidation:
        validated.update(str(r) for r in dv.sqref.ranges)
    filled = {}
    for row in sheet.iter_rows(min_row=2):
        iid = row[0].value
        if iid not in picks:
            continue
        for stage, label in picks[iid].items():
            col = header.index(f"answer:{stage}" if stage else "answer")
            cell = row[col]
            assert cell.coordinate in validated, "answer cells have a drop-down list"
            cell.value = int(label) if label.isdigit() else label
            filled[(iid, stage)] = cell.coordinate
    wb.save(out)
    evidence = read_evidence(out)
    iid, stage = next(iter(filled))
    prov = evidence.answer(iid, stage or None).provenance
    assert (prov.sheet, prov.cell) == ("indicators", filled[(iid, stage)])
    capsys.readouterr()
    assert main(["score", str(path), str(out), "-f", "json"]) == 0
    scored = json.loads(capsys.readouterr().out)
    assert Decimal(scored["headline"]["value"]) == _expected(rubric, picks).root.value
    # the workbook names its rubric (id and version) on the evidence sheet
    assert scored["evidence"]["rubric"] == rubric.id


def test_blank_template_does_not_score_and_says_why(tmp_path, capsys):
    out = tmp_path / "blank.toml"
    main(["template", "merit", "-o", str(out)])
    capsys.readouterr()
    assert main(["score", "merit", str(out)]) == 2
    assert "is not on scale 'skor'" in capsys.readouterr().err


def test_template_comments_show_the_scale_and_stages():
    text = __import__("evalengine.evidence.template", fromlist=["x"]).toml_template(
        load_rubric("rubrics/merit-2019.toml")
    )
    assert "# skor: 0, 1, 2, 3, 4" in text
    assert 'i3_3 = { mandiri = "", verifikasi = "" }' in text


def test_xlsx_stated_figures_are_read_with_provenance(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "e.xlsx"
    main(["template", "merit", "-o", str(out)])
    wb = load_workbook(out)
    sheet = wb["indicators"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("stated:verifikasi") + 1, value=252)
    sheet.cell(row=2, column=header.index("stated:band") + 1, value="III")
    wb.save(out)
    evidence = read_evidence(out)
    stated = evidence.stated["merit"]
    assert stated["verifikasi"].value == Decimal(252)
    assert stated["band"].value == "III"
    assert stated["verifikasi"].provenance.cell == f"{chr(65 + header.index('stated:verifikasi'))}2"
