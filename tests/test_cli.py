"""The CLI end to end: the merit summary, reports to files, explain, and bad input (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from paths import MERIT_EVIDENCE, MERIT_RUBRIC, ROOT


def test_score_prints_the_merit_summary(run_cli):
    res = run_cli("score", MERIT_RUBRIC, MERIT_EVIDENCE)
    assert res.code == 0, res.err
    assert "252 / 410  →  III Baik   (verifikasi)" in res.out
    assert "mandiri: 340  →  IV Sangat Baik" in res.out
    assert "Pengembangan Karir" in res.out and "42,5" in res.out
    assert "child weights of 'pengembangan_karier'" in res.out  # the rest may wrap


def test_builtin_rubric_by_id(run_cli):
    res = run_cli("score", "merit", MERIT_EVIDENCE, "-f", "json")
    assert res.code == 0
    assert json.loads(res.out)["headline"]["value"] == "252"


def test_output_file_is_written(run_cli, tmp_path):
    out = tmp_path / "merit.json"
    res = run_cli("score", MERIT_RUBRIC, MERIT_EVIDENCE, "-f", "json", "-o", out)
    assert res.code == 0 and res.out == ""
    assert json.loads(out.read_text())["headline"]["band"]["label"] == "III"
    assert [p.name for p in tmp_path.iterdir()] == ["merit.json"]  # no temporary left over


def test_several_formats_at_once(run_cli, tmp_path):
    res = run_cli(
        "score", MERIT_RUBRIC, MERIT_EVIDENCE, "-f", "rich", "-f", f"json:{tmp_path / 'a.json'}"
    )
    assert res.code == 0
    assert "III Baik" in res.out
    assert json.loads((tmp_path / "a.json").read_text())["headline"]["value"] == "252"


def test_no_file_written_when_a_format_is_unknown(run_cli, tmp_path):
    res = run_cli(
        "score", MERIT_RUBRIC, MERIT_EVIDENCE, "-f", f"json:{tmp_path / 'a.json'}", "-f", "jsno"
    )
    assert res.code == 2
    assert "unknown report format 'jsno'" in res.err and "did you mean 'json'?" in res.err
    assert not (tmp_path / "a.json").exists()


def test_explain_one_number(run_cli):
    res = run_cli("explain", MERIT_RUBRIC, MERIT_EVIDENCE, "3.3")
    assert res.code == 0
    assert "rumus      = self.weight * self.answer" in res.out
    assert "self.answer = 0   ← " in res.out and "(answers.i3_3.verifikasi)" in res.out
    assert "dihitung   = 5 * 0" in res.out
    assert "tahap mandiri: 15 (jawaban 3)" in res.out


def test_explain_headline_lists_the_aspects(run_cli):
    res = run_cli("explain", MERIT_RUBRIC, MERIT_EVIDENCE, "merit")
    assert res.code == 0
    assert "dihitung   = sum([40, 38, 42.5, 17.5, 57.5, 27.5, 12, 17])" in res.out
    assert "kategori = III Baik ([250..325))" in res.out


def test_explain_unknown_indicator(run_cli):
    res = run_cli("explain", MERIT_RUBRIC, MERIT_EVIDENCE, "3.33")
    assert res.code == 2
    assert "no indicator '3.33'" in res.err


def _evidence_with(write, old: str, new: str):
    text = MERIT_EVIDENCE.read_text(encoding="utf-8")
    assert old in text
    return write("evidence.toml", text.replace(old, new, 1))


def _rubric_with(write, old: str, new: str):
    text = MERIT_RUBRIC.read_text(encoding="utf-8")
    assert old in text
    return write("merit.toml", text.replace(old, new, 1))


BAD_INPUT = [
    # (what, make files, expected fragments of stderr, expected line)
    (
        "malformed evidence TOML",
        lambda w: (
            MERIT_RUBRIC,
            _evidence_with(
                w, "i1_1 = { mandiri = 4, verifikasi = 4 }", "i1_1 = { mandiri = 4, verifikasi = 4"
            ),
        ),
        ["error[toml-syntax]: invalid TOML"],
        "i1_1 =",
    ),
    (
        "score of 5 on the merit scale",
        lambda w: (
            MERIT_RUBRIC,
            _evidence_with(
                w,
                "i3_3 = { mandiri = 3, verifikasi = 0 }",
                "i3_3 = { mandiri = 3, verifikasi = 5 }",
            ),
        ),
        [
            "error[out-of-scale]: answer 5 for `i3_3` is not on scale 'skor'",
            "hint: allowed: 0, 1, 2, 3, 4",
        ],
        "i3_3 =",
    ),
    (
        "missing answer",
        lambda w: (MERIT_RUBRIC, _evidence_with(w, "i2_2 = { mandiri = 4, verifikasi = 3 }", "")),
        ["error[missing-answer]: no answer for `i2_2`", "hint: add i2_2 = … under [answers]"],
        "[answers]",
    ),
    (
        "missing stage",
        lambda w: (
            MERIT_RUBRIC,
            _evidence_with(w, "i2_2 = { mandiri = 4, verifikasi = 3 }", "i2_2 = { mandiri = 4 }"),
        ),
        ["no answer for `i2_2`", "(stage verifikasi)"],
        "[answers]",
    ),
    (
        "unknown key in the evidence",
        lambda w: (MERIT_RUBRIC, _evidence_with(w, "i2_2 = { mandiri", "i2_22 = { mandiri")),
        [
            "error[unknown-indicator]: unknown indicator `i2_22` in [answers]",
            "did you mean 'i2_2'?",
        ],
        "i2_22 =",
    ),
    (
        "unknown section in the evidence",
        lambda w: (MERIT_RUBRIC, _evidence_with(w, "[answers]", "[answer]")),
        ["unknown section `answer`", "did you mean 'answers'?"],
        "[answer]",
    ),
    (
        "unknown reference in the rubric",
        lambda w: (
            _rubric_with(w, 'band = "kategori"', 'band = "kategori"\nvalue = "sum(childrn)"'),
            MERIT_EVIDENCE,
        ),
        ["error[unknown-reference]: unknown name 'childrn'", "did you mean 'children'?"],
        'value = "sum(childrn)"',
    ),
    (
        "unknown key in the rubric",
        lambda w: (_rubric_with(w, "weight = 10\n", "wieght = 10\n"), MERIT_EVIDENCE),
        ["error[unknown-key]: unknown key `wieght`", "did you mean 'weight'?"],
        "wieght = 10",
    ),
    (
        "malformed rubric TOML",
        lambda w: (_rubric_with(w, "[scales.skor]", "[scales.skor"), MERIT_EVIDENCE),
        ["error[toml-syntax]"],
        "[scales.skor",
    ),
    (
        "evidence file missing",
        lambda w: (MERIT_RUBRIC, w("x.toml", "").parent / "nope.toml"),
        ["does not exist"],
        None,
    ),
]


@pytest.mark.parametrize(
    ("what", "make", "fragments", "line_text"), BAD_INPUT, ids=[case[0] for case in BAD_INPUT]
)
def test_bad_input_is_a_clear_error(run_cli, write, what, make, fragments, line_text):
    rubric, evidence = make(write)
    res = run_cli("score", rubric, evidence)
    assert res.code == 2, res.out
    assert "Traceback" not in res.err
    for fragment in fragments:
        assert fragment in res.err
    if line_text is not None:
        first = res.err.splitlines()[0]
        path, line = first.split(":")[0], int(first.split(":")[1])
        source = Path(path).read_text(encoding="utf-8").splitlines()
        assert source[line - 1].strip().startswith(line_text), first


def test_unknown_command_and_missing_arguments(run_cli):
    assert run_cli("scroe").code == 2
    assert run_cli("score", MERIT_RUBRIC).code == 2


def test_python_dash_m_entry_point():
    proc = subprocess.run(
        [sys.executable, "-m", "evalengine", "score", "merit", str(MERIT_EVIDENCE), "-f", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["headline"]["value"] == "252"


def test_the_command_process_collects_less_and_main_leaves_the_collector_alone():
    # console_main (the `evalengine` script, python -m evalengine) tunes the collector for
    # its own process; main(), which other Python code calls, changes nothing
    code = (
        "import gc, sys\n"
        "from evalengine.cli import GC_THRESHOLD, console_main, main\n"
        "before = gc.get_threshold()\n"
        f"assert main(['score', 'merit', {str(MERIT_EVIDENCE)!r}, '-f', 'json']) == 0\n"
        "assert gc.get_threshold() == before and gc.get_freeze_count() == 0\n"
        f"sys.argv = ['evalengine', 'score', 'merit', {str(MERIT_EVIDENCE)!r}, '-f', 'json']\n"
        "code = console_main()\n"
        "assert gc.get_threshold()[0] == GC_THRESHOLD and gc.get_freeze_count() > 0\n"
        "raise SystemExit(code)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.split("\n}\n", 1)
    assert json.loads(first + "}") == json.loads(second)  # the same report either way
