"""Commands other than plain ``score`` given odd but possible input end with an exit code
and a located message, never a traceback (found by fuzzing gap, diff, batch, template,
test, check, explain, reconcile and the report formats; see docs/fuzz-commands.md).
"""

from __future__ import annotations

import json

from paths import EXAMPLES, RUBRICS

ANGGARAN = RUBRICS / "anggaran.toml"
ANGGARAN_EVIDENCE = EXAMPLES / "lkjip-anggaran" / "evidence.toml"


def test_diff_of_a_rubric_whose_type_adds_result_nodes(run_cli, tmp_path):
    # anggaran's result has a node per program/kegiatan row ("1.2.3.1") that is no
    # indicator of the rubric: diff looked them up in the rubric (KeyError traceback)
    same = run_cli("diff", ANGGARAN, ANGGARAN, ANGGARAN_EVIDENCE, "-f", "json")
    assert same.code == 0, same.err
    (effect,) = json.loads(same.out)["effects"]
    assert effect["causes"] == []
    # rounded to whole numbers, the one indicator of the rubric is the one cause
    text = ANGGARAN.read_text(encoding="utf-8").replace("round = 2 ", "round = 0 ")
    whole = tmp_path / "anggaran-whole.toml"
    whole.write_text(text, encoding="utf-8")
    changed = run_cli("diff", ANGGARAN, whole, ANGGARAN_EVIDENCE, "-f", "json")
    assert changed.code == 0, changed.err
    (effect,) = json.loads(changed.out)["effects"]
    causes = effect["causes"]
    assert [c["id"] for c in causes] == ["belanja"]
    old, new = causes[0]["old"], causes[0]["new"]
    assert old != new and round(float(old)) == float(new)
