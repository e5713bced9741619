"""`evalengine diff`: structural changes between rubric versions and their effect on scores."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal

import pytest

from evalengine.cli import main
from evalengine.evidence.readers import read_evidence
from evalengine.rubric.diff import diff_rubrics, effect
from evalengine.rubric.load import load_rubric
from evalengine.rubric.versions import installed_rubrics
from tests.maintainers_support import DATA, ROOT

PAIR = (DATA / "diff" / "mini-2020.toml", DATA / "diff" / "mini-2024.toml")


def _changes(diff):
    return {(c.kind, c.what, c.name) for c in diff.changes}


def test_structure_of_the_small_pair():
    diff = diff_rubrics(load_rubric(PAIR[0]), load_rubric(PAIR[1]))
    got = _changes(diff)
    assert ("renamed", "indicator", "a1 → a1_dokumen") in got
    assert ("removed", "indicator", "a2") in got
    assert ("added", "indicator", "c1") in got and ("added", "indicator", "c") in got
    assert ("changed", "indicator", "b1.weight") in got
    assert ("changed", "band", "predikat.B") in got
    assert ("changed", "rubric", "version") in got
    # nothing reported for what did not change
    assert not any(name.startswith("b1.title") or name == "skor" for _, _, name in got)
    assert diff.mapping["a1"] == "a1_dokumen"


def test_effect_on_evidence_and_its_causes():
    diff = diff_rubrics(load_rubric(PAIR[0]), load_rubric(PAIR[1]))
    e = effect(diff, read_evidence(DATA / "diff" / "evidence.toml"))
    # 2020: a1 2.5×4 + a2 2.5×2 + b1 5×2 = 25 → B
    # 2024: a1_dokumen 2.5×4 + b1 6×2 + c1 2.5×4 = 32 → A
    assert (e.old.value, e.old.band) == (Decimal(25), "B")
    assert (e.new.value, e.new.band) == (Decimal(32), "A")
    assert e.delta == Decimal(7)
    causes = [(c["id"], c["delta"], c["why"]) for c in e.causes]
    assert causes == [("c1", 10, "added"), ("a2", -5, "removed"), ("b1", 2, "changed")]
    assert sum(c["delta"] for c in e.causes) == e.delta  # the headline is a plain sum here
    assert e.old.dropped == ["c1"] and e.new.dropped == ["a2"]


def test_regional_overlay_against_the_national_rubric(capsys):
    code = main(
        [
            "diff",
            "merit",
            str(DATA / "rubrics" / "merit-belitim.toml"),
            str(ROOT / "examples" / "merit-belitung-timur" / "evidence.toml"),
            "-f",
            "json",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    kinds = {(c["kind"], c["name"]) for c in data["changes"]}
    assert ("removed", "i3_4") in kinds and ("changed", "i8_1.weight") in kinds
    assert not any(name.endswith(".moved") for _, name in kinds)
    (eff,) = data["effects"]
    # LKjIP: verified 252; the variant drops 3.4 (verified 0) and moves bobot 8.1 2→1.5
    # (skor 4: −2) and 8.2 1→1.5 (skor 3: +1.5): 252 − 2 + 1.5 = 251.5, still III.
    assert eff["old"]["value"] == "252" and eff["new"]["value"] == "251.5"
    assert eff["old"]["band"] == eff["new"]["band"] == "III"
    assert eff["old"]["stages"]["mandiri"]["value"] == "340"
    assert eff["new"]["stages"]["mandiri"]["value"] == "339.5"


def test_rich_output_shows_both_versions(capsys):
    assert main(["diff", *map(str, PAIR), str(DATA / "diff" / "evidence.toml")]) == 0
    out = capsys.readouterr().out
    assert "mini 2020 → mini 2024" in out
    assert "B Baik" in out and "A Sangat Baik" in out and "+7" in out


def version_pairs():
    """(old, new) for installed rubrics: consecutive versions of one id, and `supersedes` links."""
    infos = installed_rubrics()
    found = {}
    by_id = {}
    for info in infos:  # sorted by id, then valid_from
        by_id.setdefault(info.id, []).append(info)
    for versions in by_id.values():
        for old, new in itertools.pairwise(versions):
            found[(old.path, new.path)] = (old, new)
    for new in infos:
        for old in infos:
            names = {old.version, f"{old.id}-{old.version}", old.path.stem}
            if old is not new and new.supersedes in names:
                found[(old.path, new.path)] = (old, new)
    pairs = [
        pytest.param(old, new, id=f"{old.path.stem}->{new.path.stem}")
        for old, new in found.values()
    ]
    return pairs


def test_the_shipped_version_pairs_are_found():
    ids = sorted(p.id for p in version_pairs())
    assert ids == ["akip-2015->akip-2021", "ikm-2004->ikm-2017"]


def _examples_for(rubric_id, versions):
    """Example evidence for ``rubric_id``; evidence naming another version is left out."""
    out = []
    for path in sorted((ROOT / "examples").rglob("*.toml")):
        meta = __import__("tomllib").loads(path.read_text(encoding="utf-8")).get("evidence", {})
        named = meta.get("version")
        if str(meta.get("rubric", "")) == rubric_id and (named is None or str(named) in versions):
            out.append(path)
    return out


@pytest.mark.parametrize(("old", "new"), version_pairs())
def test_installed_version_pairs(old, new):
    """Every pair in rubrics/ (old ← new.supersedes): structure differs, examples re-score."""
    diff = diff_rubrics(load_rubric(old.path), load_rubric(new.path))
    assert diff.changes
    versions = {old.version, new.version}
    for path in _examples_for(old.id, versions) + _examples_for(new.id, versions):
        e = effect(diff, read_evidence(path))
        # at least the version the example was written for must score it
        assert e.old.error is None or e.new.error is None, (path, e.old.error, e.new.error)


def test_formulas_compare_by_meaning_not_spacing_and_scales_are_compared(tmp_path):
    base = (DATA / "rubrics" / "mini.toml").read_text()
    old = tmp_path / "old.toml"
    old.write_text(
        base.replace('title = "Aspek A"\n', 'title = "Aspek A"\nvalue = "sum(children)"\n')
    )
    same = tmp_path / "same.toml"
    same.write_text(
        base.replace('title = "Aspek A"\n', 'title = "Aspek A"\nvalue = "sum( children )"\n')
    )
    assert diff_rubrics(load_rubric(old), load_rubric(same)).changes == []
    new = tmp_path / "new.toml"
    new.write_text(
        base.replace(
            'title = "Aspek A"\n', 'title = "Aspek A"\nvalue = "max(children) * 2"\n'
        ).replace("values = [0, 1, 2, 3, 4]", "values = [1, 2, 3, 4]")
    )
    got = {
        (c.kind, c.what, c.name): c.detail
        for c in diff_rubrics(load_rubric(old), load_rubric(new)).changes
    }
    assert got[("changed", "indicator", "a.value")] == "value: sum(children) → max(children) * 2"
    assert got[("changed", "scale", "skor")] == "0, 1, 2, 3, 4 → 1, 2, 3, 4"
