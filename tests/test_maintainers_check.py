"""`evalengine check`: every planted mistake is found, at its place, and nothing else is."""

from __future__ import annotations

import json
import re

import pytest

from evalengine.cli import main
from evalengine.rubric.load import read_rubric
from tests.maintainers_support import DATA, builtin_rubrics

BROKEN = sorted((DATA / "broken-rubrics").glob("*.toml"))
EXPECT = re.compile(r"^# expect: (error|warning) ([a-z-]+) (\d+):(\d+)$", re.M)


def expected(path):
    found = EXPECT.findall(path.read_text(encoding="utf-8"))
    assert found, f"{path.name} has no `# expect:` line"
    return sorted((sev, code, int(line), int(col)) for sev, code, line, col in found)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_rubric_reports_exactly_the_planted_mistake(path):
    diags = read_rubric(path).diagnostics
    got = sorted(
        (d.severity, d.code, d.location.line, d.location.column)
        for d in diags
        if d.location.path and d.location.path.endswith(path.name)
    )
    elsewhere = [d for d in diags if not (d.location.path or "").endswith(path.name)]
    assert got == expected(path)
    assert not elsewhere, [d.render() for d in elsewhere]
    assert all(d.hint for d in diags if d.code != "formula-syntax"), "hint missing"


def test_every_broken_rubric_covers_a_distinct_code():
    codes = [expected(p)[0][1] for p in BROKEN]
    wanted = {
        "toml-syntax",
        "unknown-key",
        "unknown-reference",
        "type-mismatch",
        "cycle",
        "band-gap",
        "band-overlap",
        "band-unreachable",
        "weight-sum",
        "max-exceeded",
        "max-unreachable",
        "scale-range",
        "unused-scale",
        "unused-band",
    }
    assert wanted <= set(codes)


@pytest.mark.parametrize("path", builtin_rubrics(), ids=lambda p: p.stem)
def test_builtin_rubrics_have_no_errors(path):
    errors = [d.render() for d in read_rubric(path).diagnostics if d.severity == "error"]
    assert errors == []


def test_check_cli_sorts_by_place_and_exits_2_on_errors(capsys):
    paths = [str(DATA / "broken-rubrics" / n) for n in ("unknown-band.toml", "cycle.toml")]
    code = main(["check", "--format", "json", *paths])
    assert code == 2
    rows = json.loads(capsys.readouterr().out)
    keys = [(r["path"], r["line"], r["column"]) for r in rows]
    assert keys == sorted(keys)
    assert {r["code"] for r in rows} == {"cycle", "unknown-band", "unused-band"}


def test_check_cli_exit_0_with_warnings_only(capsys):
    code = main(["check", str(DATA / "broken-rubrics" / "weight-sum.toml")])
    out = capsys.readouterr().out
    assert code == 0
    assert "warning[weight-sum]" in out and "0 error(s), 1 warning(s)" in out


def test_unknown_key_suggests_the_right_key():
    (diag,) = read_rubric(DATA / "broken-rubrics" / "unknown-key.toml").diagnostics
    assert "did you mean 'weight'?" in diag.hint


def test_score_refuses_a_rubric_with_errors(capsys, tmp_path):
    evidence = tmp_path / "e.toml"
    evidence.write_text("[answers]\na1 = 1\na2 = 1\nb1 = 1\n")
    code = main(["score", str(DATA / "broken-rubrics" / "type-compare.toml"), str(evidence)])
    assert code == 2
    assert "type-mismatch" in capsys.readouterr().err


def test_a_value_beyond_any_score_is_an_error_when_scored_not_a_crash_when_checked(
    capsys, tmp_path
):
    # found by tests/test_batch_fast.py's hypothesis run: the range analysis rounded
    # 10⁴⁰, more digits than the Decimal context holds, and raised InvalidOperation
    rubric = tmp_path / "big.toml"
    rubric.write_text(
        '[rubric]\nid = "big"\ntitle = "big"\nversion = "1"\n'
        'value = "-round(100000000000000000000 * 100000000000000000000, 0)"\n'
        '[indicators.a]\ntitle = "a"\ntype = "formula"\nvalue = "1"\n'
    )
    evidence = tmp_path / "e.toml"
    evidence.write_text('[evidence]\nrubric = "big"\n')
    assert main(["check", str(rubric)]) == 0
    capsys.readouterr()
    assert main(["score", str(rubric), str(evidence)]) == 2
    err = capsys.readouterr().err
    assert "big.toml:5:17: error[formula-eval]: result 1.000E+40 exceeds the limit" in err


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("weight = nan", "`weight` is NaN, not a finite number"),
        ("weight = -inf", "`weight` is -Infinity, not a finite number"),
        ("type = {}", "`type` must be a string, got dict"),
    ],
)
def test_a_value_toml_allows_but_a_rubric_cannot_use_is_an_error_not_a_crash(
    tmp_path, capsys, line, message
):
    # found by fuzzing the shipped rubrics: `nan` in a lookup table reached a formula
    # (InvalidOperation in score) and a table as `type` was a TypeError in check
    rubric = tmp_path / "r.toml"
    rubric.write_text(
        '[rubric]\nid = "r"\ntitle = "r"\nversion = "1"\n'
        f'[indicators.a]\ntitle = "a"\nvalue = "1"\n{line}\n'
    )
    assert main(["check", str(rubric)]) == 2
    captured = capsys.readouterr()
    report = captured.out + captured.err
    assert "r.toml:8:" in report and message in report  # line 8: the planted line
