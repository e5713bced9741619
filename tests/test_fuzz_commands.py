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


MERIT = RUBRICS / "merit-2019.toml"
MERIT_EVIDENCE = EXAMPLES / "merit-belitung-timur" / "evidence.toml"


def test_evidence_nested_too_deeply_to_parse_is_a_located_error(run_cli, tmp_path):
    # json.loads and the TOML parser raise RecursionError on brackets nested a few
    # hundred deep: a traceback from score, and from batch's fast path
    deep_json = tmp_path / "deep.json"
    deep_json.write_text('{"facts": {"x": ' + "[" * 5000 + "]" * 5000 + "}}", encoding="utf-8")
    deep_toml = tmp_path / "deep.toml"
    deep_toml.write_text("[facts]\nx = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    for path, code, line in ((deep_json, "json-syntax", 1), (deep_toml, "toml-syntax", 2)):
        result = run_cli("score", MERIT, path)
        assert result.code == 2
        assert f"{path.name}:{line}:" in result.err and f"error[{code}]" in result.err
        assert "nested too deeply" in result.err and "hint: nest arrays" in result.err
    batch = run_cli("batch", MERIT, tmp_path, "-f", "json", "-j", "1")
    assert batch.code == 1
    failures = json.loads(batch.out)["failures"]
    assert sorted(f["path"].rsplit("/", 1)[1] for f in failures) == ["deep.json", "deep.toml"]
    assert all("nested too deeply" in f["error"] for f in failures)


def test_evidence_nested_deeper_than_the_limit_is_refused_at_its_key(run_cli, tmp_path):
    # 500 objects deep parses, but walking it (facts, provenance) exhausted the stack
    from evalengine.evidence.readers import MAX_NESTING

    path = tmp_path / "deep.json"
    path.write_text('{"facts": ' + '{"a": ' * 500 + "1" + "}" * 501, encoding="utf-8")
    result = run_cli("score", MERIT, path)
    assert result.code == 2
    assert "error[evidence-shape]" in result.err
    assert f"more than {MAX_NESTING} levels deep" in result.err
    assert f"{path.name}:1:" in result.err


def test_a_rubric_nested_too_deeply_is_a_located_toml_error(run_cli, tmp_path):
    text = MERIT.read_text(encoding="utf-8")
    line = text.count("\n") + 2
    deep = tmp_path / "deep.toml"
    deep.write_text(text + "\n[tables.deep]\nx = " + "{a=" * 450 + "1" + "}" * 450 + "\n")
    for command in (["check"], ["template"], ["test"], ["score", "--format", "json"]):
        args = [command[0], deep, *([MERIT_EVIDENCE] if command[0] == "score" else [])]
        result = run_cli(*args, *command[1:])
        assert result.code == 2, command
        assert f"deep.toml:{line + 1}:" in result.out + result.err, command
