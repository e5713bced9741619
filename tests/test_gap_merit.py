"""``gap`` and ``score --set`` on the merit example (LKjIP 2024 Belitung Timur, Tabel 3.4).

The verified total is 252 (III Baik); Kategori IV starts at 325 (regulations.md §1.4).
Merit is additive (total = Σ bobot × skor), so the smallest plan can be checked
independently from the rubric data: the most k changes can add is the sum of the k
largest (maks − nilai) over the indicators.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from paths import ROOT

from evalengine.cli import main

RUBRIC = str(ROOT / "rubrics/merit-2019.toml")
EVIDENCE = str(ROOT / "examples/merit-belitung-timur/evidence.toml")


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out)


@pytest.fixture(scope="module")
def scored():
    """The example scored as JSON (computed once)."""
    import io
    from contextlib import redirect_stdout

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        assert main(["score", RUBRIC, EVIDENCE, "-f", "json"]) == 0
    return json.loads(buffer.getvalue())


def leaves(node: dict):
    if not node["children"]:
        yield node
    for child in node["children"]:
        yield from leaves(child)


def test_gap_to_iv_is_the_smallest_plan(capsys, scored):
    assert scored["headline"]["value"] == "252"
    code, gap = run_json(capsys, "gap", RUBRIC, EVIDENCE, "--target", "IV", "-f", "json")
    assert code == 0
    assert gap["status"] == "reachable"
    assert gap["current"]["value"] == "252" and gap["current"]["band"]["label"] == "III"
    assert gap["target"]["label"] == "IV" and gap["target"]["distance"] == "73"
    # Independent bound from the score JSON: headroom (max − value) of every indicator.
    headroom = sorted(
        (Decimal(n["max"]) - Decimal(n["value"]) for n in leaves(scored["result"])), reverse=True
    )
    smallest = next(k for k in range(1, len(headroom) + 1) if 252 + sum(headroom[:k]) >= 325)
    assert gap["size"] == smallest == 6
    assert gap["minimal"] and gap["additive"] and gap["exhaustive"]
    assert len(gap["plans"]) == 5
    for plan in gap["plans"]:
        assert plan["size"] == 6
        gains = sum(Decimal(c["gain"]) for c in plan["changes"])
        assert gains == Decimal(plan["gain"])  # the gains add up exactly …
        assert Decimal(plan["value"]) == 252 + gains  # … to the re-evaluated total
        assert Decimal(plan["value"]) >= 325 and plan["band"] == "IV"
    steps = [p["steps"] for p in gap["plans"]]
    assert steps == sorted(steps)


def test_single_moves_match_weights(capsys, scored):
    _, gap = run_json(capsys, "gap", RUBRIC, EVIDENCE, "-f", "json")
    by_code = {n["code"]: n for n in leaves(scored["result"])}
    move = next(m for m in gap["moves"] if m["code"] == "3.3" and m["to"] == "2")
    assert move["from"] == "0" and move["stage"] == "verifikasi"
    # 3.3 has bobot 5 (Tabel 3.4): verified 0 → 2 adds 5 × 2 = 10.
    assert Decimal(move["gain"]) == Decimal(by_code["3.3"]["weight"]) * 2 == 10
    for m in gap["moves"]:
        node = by_code[m["code"]]
        expected = Decimal(node["weight"]) * (Decimal(m["to_value"]) - Decimal(m["from_value"]))
        assert Decimal(m["gain"]) == expected
        assert Decimal(m["to_value"]) in {0, 1, 2, 3, 4}  # on the scale, never 4.5
    gains = [Decimal(m["gain"]) for m in gap["moves"]]
    assert gains == sorted(gains, reverse=True)


def test_plan_applied_with_set_reaches_iv(capsys):
    _, gap = run_json(capsys, "gap", RUBRIC, EVIDENCE, "--target", "IV", "-f", "json")
    for plan in gap["plans"][:2]:
        argv = ["score", RUBRIC, EVIDENCE, "-f", "json"]
        for spec in plan["set"]:
            argv += ["--set", spec]
        code, after = run_json(capsys, *argv)
        assert code == 0
        assert Decimal(after["headline"]["value"]) >= 325
        assert after["headline"]["band"]["label"] == "IV"
        assert after["what_if"]["before"] == {
            "value": "252",
            "unrounded": "252",
            "band": "III",
            "meaning": "Baik",
        }
        assert Decimal(after["what_if"]["delta"]) == Decimal(plan["gain"])
        # only the verified stage changed: the self-assessment stays 340
        assert after["headline"]["stages"]["mandiri"]["value"] == "340"


def test_max_changes_limits(capsys):
    code, gap = run_json(
        capsys, "gap", RUBRIC, EVIDENCE, "--target", "IV", "--max-changes", "5", "-f", "json"
    )
    assert code == 1
    assert gap["status"] == "limited"
    # the best 5 changes: 20 + 15 + 10 + 10 + 10 = 65 → 317
    assert gap["best"]["value"] == "317" and gap["best"]["band"] == "III"


def test_next_band_default_and_stage(capsys):
    _, gap = run_json(capsys, "gap", RUBRIC, EVIDENCE, "-f", "json")
    assert gap["target"]["label"] == "IV"
    _, mandiri = run_json(capsys, "gap", RUBRIC, EVIDENCE, "--stage", "mandiri", "-f", "json")
    assert mandiri["current"]["value"] == "340" and mandiri["status"] == "top"


def test_one_change_is_not_enough(capsys):
    # the single best change is 3.3 verified 0 → 4: 252 + 5 × 4 = 272
    code, gap = run_json(
        capsys, "gap", RUBRIC, EVIDENCE, "--target", "IV", "--max-changes", "1", "-f", "json"
    )
    assert code == 1 and gap["status"] == "limited"
    assert gap["best"]["value"] == "272"


def test_rank_by_value(capsys):
    _, gap = run_json(
        capsys, "gap", RUBRIC, EVIDENCE, "--target", "IV", "--rank", "value", "-f", "json"
    )
    values = [Decimal(p["value"]) for p in gap["plans"]]
    assert values == sorted(values, reverse=True)
    assert values[0] == 252 + 20 + 15 + 10 + 10 + 10 + 10


@pytest.mark.parametrize("fmt", ["rich", "markdown"])
def test_human_formats(capsys, fmt):
    assert main(["gap", RUBRIC, EVIDENCE, "--target", "IV", "-f", fmt, "--width", "120"]) == 0
    out = capsys.readouterr().out
    assert "73" in out and "IV" in out
    assert "--set 3.3@verifikasi=4" in out
    assert "Ketersediaan Talent Pool" in out


def test_gap_output_file(tmp_path, capsys):
    target = tmp_path / "gap.md"
    assert main(["gap", RUBRIC, EVIDENCE, "-f", "markdown", "-o", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert target.read_text(encoding="utf-8").startswith("# gap")


def test_gap_unknown_target(capsys):
    assert main(["gap", RUBRIC, EVIDENCE, "--target", "V"]) == 2
    err = capsys.readouterr().err
    assert "no band 'V'" in err and "I, II, III, IV" in err


# -- what-if ------------------------------------------------------------------------------


def test_set_by_code_and_id_all_stages(capsys):
    code, after = run_json(capsys, "score", RUBRIC, EVIDENCE, "--set", "i3_3=2", "-f", "json")
    assert code == 0
    assert after["headline"]["value"] == "262"
    # without @stage every stage changes: mandiri 3.3 was 3 (15), becomes 2 (10)
    assert after["headline"]["stages"]["mandiri"]["value"] == "335"
    [change] = after["what_if"]["changes"]
    assert change["code"] == "3.3" and change["from"] == "0" and change["to"] == "2"
    _, same = run_json(capsys, "score", RUBRIC, EVIDENCE, "--set", "3.3=2", "-f", "json")
    assert same["headline"]["value"] == "262"


def test_set_one_stage_shows_that_stage(capsys):
    code, after = run_json(
        capsys, "score", RUBRIC, EVIDENCE, "--set", "3.3@mandiri=4", "-f", "json"
    )
    assert code == 0
    assert after["what_if"]["delta"] == "0"  # the verified total does not move
    # mandiri 3.3 was 3: 340 + 5 × 1 = 345
    mandiri = after["what_if"]["stages"]["mandiri"]
    assert mandiri["before"]["value"] == "340" and mandiri["after"]["value"] == "345"


def test_set_rich_shows_old_and_new(capsys):
    assert main(["score", RUBRIC, EVIDENCE, "--set", "3.3@verifikasi=4", "--width", "120"]) == 0
    out = capsys.readouterr().out
    assert "What-if" in out and "252 III Baik" in out and "272 III Baik" in out


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("3.3=4.5", "'4.5' is not an answer"),
        ("3.3=5", "'5' is not an answer"),
        ("9.9=1", "no indicator '9.9'"),
        ("3=1", "computed, not answered"),
        ("3.3@final=1", "no stage 'final'"),
        ("3.3", "expected INDICATOR=VALUE"),
    ],
)
def test_set_errors(capsys, spec, message):
    assert main(["score", RUBRIC, EVIDENCE, "--set", spec]) == 2
    assert message in capsys.readouterr().err


# -- leverage -----------------------------------------------------------------------------


def test_leverage_json(capsys, scored):
    code, data = run_json(capsys, "score", RUBRIC, EVIDENCE, "--leverage", "-f", "json")
    assert code == 0
    lev = data["leverage"]
    assert lev["next_band"] == "IV" and lev["distance"] == "73" and lev["threshold"] == "≥ 325"
    rows = {r["code"]: r for r in lev["rows"]}
    for node in leaves(scored["result"]):
        row = rows[node["code"]]
        headroom = Decimal(node["max"]) - Decimal(node["value"])
        assert Decimal(row["available"]) == headroom == Decimal(row["headroom"])
        assert Decimal(row["share"]) == min(Decimal(100), headroom / 73 * 100)
    # aspect 3: 130 − 42,5 = 87,5 points, more than the whole gap
    assert rows["3"]["available"] == "87.5" and rows["3"]["share"] == "100"
    assert rows["1"]["available"] == "0"


def test_leverage_rich(capsys):
    assert main(["score", RUBRIC, EVIDENCE, "--leverage", "--width", "120"]) == 0
    out = capsys.readouterr().out
    assert "Leverage: 73 points to IV Sangat Baik" in out


def test_gap_to_a_value_target(capsys):
    # LKjIP 2024: the Perjanjian Kinerja target for the merit index is 257 (realised 252).
    code, gap = run_json(capsys, "gap", RUBRIC, EVIDENCE, "--to", "257", "-f", "json")
    assert code == 0 and gap["status"] == "reachable"
    assert gap["target"]["distance"] == "5" and gap["size"] == 1
    # one step on any bobot-5 indicator below 4 adds exactly 5
    for plan in gap["plans"]:
        [change] = plan["changes"]
        assert change["steps"] == 1 and Decimal(change["gain"]) == 5
        assert plan["value"] == "257"
    code, gap = run_json(capsys, "gap", RUBRIC, EVIDENCE, "--to", "250", "-f", "json")
    assert gap["status"] == "reached"
    assert main(["gap", RUBRIC, EVIDENCE, "--to", "IV"]) == 2
    assert "--to IV" in capsys.readouterr().err
    assert main(["gap", RUBRIC, EVIDENCE, "--to", "300", "--target", "IV"]) == 2
    assert "not both" in capsys.readouterr().err
