"""Bad input gets a clear error, never a traceback: shipped rubrics and evidence files with
one value replaced by something TOML allows but the file cannot mean (hypothesis picks the
line and the value). Each command must end with an exit code, not an exception.

This found a NaN in a lookup table reaching a formula, a table given as an indicator
`type`, a negative IKM population, and (in tests/test_batch_fast.py) `.percent` of a
text value.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import EXAMPLES, RUBRICS

from evalengine.cli import main

PAIRS = [
    (RUBRICS / "merit-2019.toml", EXAMPLES / "merit-belitung-timur" / "evidence.toml"),
    (RUBRICS / "akip-2021.toml", EXAMPLES / "akip-belitung-timur" / "evidence.toml"),
    (RUBRICS / "ikm-2017.toml", EXAMPLES / "ikm-belitung-timur" / "evidence-responses.toml"),
    (RUBRICS / "ipasn-2019.toml", EXAMPLES / "ipasn-belitung-timur" / "evidence-roster.toml"),
    (RUBRICS / "anggaran.toml", EXAMPLES / "lkjip-anggaran" / "evidence.toml"),
]
#: Values TOML accepts that a rubric or evidence file may not mean.
ODD = [
    "nan", "-inf", "{}", "[]", '"x"', "-1", "0", "true", '""', '"79,03"',
    "99999999999999999999999999999", "1e400", '"8.357.764.610,00"', "[1, \"a\"]",
]  # fmt: skip


def exit_code(args: list[str]) -> int:
    """The CLI's exit code; any exception but SystemExit fails the test."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            return main(args)
        except SystemExit as exc:
            return int(exc.code or 0)


def mutate(text: str, line_pick: int, value: str) -> str:
    """``text`` with the value of one ``key = value`` line replaced by ``value``."""
    lines = text.splitlines()
    candidates = [
        i for i, line in enumerate(lines) if "=" in line and not line.lstrip().startswith("#")
    ]
    k = candidates[line_pick % len(candidates)]
    key = lines[k].split("=", 1)[0]
    lines[k] = f"{key}= {value}"
    return "\n".join(lines) + "\n"


def fuzzed(test):
    """A shipped (rubric, evidence) pair, a line of the file and an odd value, 40 times."""
    settings_ = settings(
        max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    cases = given(
        pair=st.sampled_from(PAIRS), pick=st.integers(0, 10_000), value=st.sampled_from(ODD)
    )
    return settings_(cases(test))


def copy_beside(source: Path, folder: Path, text: str) -> Path:
    """``text`` as ``source``'s name in ``folder``, with the table files beside the source."""
    for other in source.parent.iterdir():
        if other.suffix in (".csv",) and not (folder / other.name).exists():
            (folder / other.name).write_bytes(other.read_bytes())
    target = folder / source.name
    target.write_text(text, encoding="utf-8")
    return target


@fuzzed
def test_a_mutated_rubric_is_reported_not_a_crash(tmp_path_factory, pair, pick, value):
    rubric, evidence = pair
    folder = tmp_path_factory.mktemp("rubric")
    bad = copy_beside(rubric, folder, mutate(rubric.read_text(encoding="utf-8"), pick, value))
    assert exit_code(["check", str(bad)]) in (0, 2)
    assert exit_code(["score", str(bad), str(evidence), "-f", "json"]) in (0, 1, 2)


@fuzzed
def test_a_mutated_evidence_file_is_reported_not_a_crash(tmp_path_factory, pair, pick, value):
    rubric, evidence = pair
    folder = tmp_path_factory.mktemp("evidence")
    bad = copy_beside(evidence, folder, mutate(evidence.read_text(encoding="utf-8"), pick, value))
    for command in (["score", "-f", "json"], ["reconcile"], ["gap"]):
        assert exit_code([command[0], str(rubric), str(bad), *command[1:]]) in (0, 1, 2)


@pytest.mark.parametrize("value", ["nan", "{}"])
def test_the_values_that_crashed_before(tmp_path, value):
    # a NaN in ipasn-2019's lookup table; a table as an indicator type (ikm-2017)
    rubric = RUBRICS / "ipasn-2019.toml"
    text = rubric.read_text(encoding="utf-8").replace("struktural = 15", f"struktural = {value}")
    assert text != rubric.read_text(encoding="utf-8")
    bad = copy_beside(rubric, tmp_path, text)
    evidence = EXAMPLES / "ipasn-belitung-timur" / "evidence-roster.toml"
    assert exit_code(["score", str(bad), str(evidence)]) == 2


def test_a_population_below_one_is_an_evidence_error(tmp_path, capsys):
    # Krejcie–Morgan needs a population of at least 1: -1 was a ValueError traceback
    evidence = EXAMPLES / "ikm-belitung-timur" / "evidence-responses.toml"
    text = evidence.read_text(encoding="utf-8")
    bad = copy_beside(evidence, tmp_path, text.replace("population = 140", "population = -1"))
    assert main(["score", str(RUBRICS / "ikm-2017.toml"), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "evidence-responses.toml:14:" in err
    assert "population must be at least 1, got -1" in err
