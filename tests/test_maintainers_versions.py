"""Rubric versions (`evalengine rubrics`, `score --rubric/--as-of`) and overlays (`extends`)."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from decimal import Decimal

import pytest

from evalengine.cli import main
from evalengine.evaluate.engine import Engine
from evalengine.evidence.readers import read_evidence
from evalengine.rubric.load import load_rubric, read_rubric
from evalengine.rubric.versions import PATH_ENV, parse_as_of, select_version
from tests.maintainers_support import DATA, ROOT

OVERLAY = DATA / "rubrics" / "merit-belitim.toml"
BELTIM = ROOT / "examples" / "merit-belitung-timur" / "evidence.toml"


@pytest.fixture
def diff_dir(monkeypatch):
    monkeypatch.setenv(PATH_ENV, str(DATA / "diff"))


def test_rubrics_lists_builtin_and_extra_folders(diff_dir, capsys):
    assert main(["rubrics", "--format", "json"]) == 0
    rows = {(r["id"], r["version"]): r for r in json.loads(capsys.readouterr().out)}
    assert rows[("merit", "2019")]["regulation"] == "Peraturan KASN Nomor 9 Tahun 2019"
    assert rows[("mini", "2024")]["supersedes"] == "2020"
    assert rows[("mini", "2020")]["valid_until"] == "2023-12-31"


@pytest.mark.parametrize(
    ("as_of", "version"),
    [
        ("2020-01-01", "2020"),
        ("2023-12-31", "2023"),
        ("2024-01-01", "2024"),
        ("2026-06-30", "2024"),
    ],
)
def test_the_version_in_force_is_chosen(diff_dir, as_of, version):
    expected = "2020" if version == "2023" else version
    sel = select_version("mini", parse_as_of(as_of), "--as-of")
    assert sel.path.name == f"mini-{expected}.toml"
    assert f"in force on {as_of}" in sel.reason


def test_no_version_in_force_is_a_clear_error(diff_dir, capsys):
    code = main(
        ["score", "--rubric", "mini", "--as-of", "2019-06-30", str(DATA / "diff" / "evidence.toml")]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "no version of rubric 'mini' is in force on 2019-06-30" in err
    assert "2020: 2020-01-01 – 2023-12-31" in err


def test_period_in_the_evidence_picks_the_version_and_the_report_says_why(diff_dir, capsys):
    # evidence.toml: rubric = "mini", period = "2023" → 2023-12-31 → mini 2020
    answers_2020 = DATA / "diff" / "evidence.toml"
    code = main(["score", str(answers_2020), "-f", "json"])
    out = capsys.readouterr()
    assert code == 2, out  # c1 is not a 2020 indicator: the right version was chosen
    assert "unknown indicator `c1`" in out.err
    code = main(["score", "--as-of", "2024-03-01", str(answers_2020), "-f", "json"])
    out = capsys.readouterr()
    assert code == 2 and "unknown indicator `a1`" in out.err  # 2024 has no a1


def test_selection_is_in_json_and_rich(capsys):
    assert main(["score", "--rubric", "merit", str(BELTIM), "-f", "json"]) == 0
    sel = json.loads(capsys.readouterr().out)["rubric"]["selection"]
    assert sel["as_of"] == "2023-12-31" and sel["source"] == "evidence period 2023"
    assert "merit 2019 is in force on 2023-12-31" in sel["reason"]
    assert main(["score", "merit", str(BELTIM), "--width", "200"]) == 0
    assert "versi 2019: merit 2019 is in force" in capsys.readouterr().out


def test_positional_form_still_works(capsys):
    assert main(["score", "rubrics/merit-2019.toml", str(BELTIM), "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["headline"]["value"] == "252"
    assert data["rubric"]["selection"]["reason"] == "given as a file"


def test_as_of_parsing():
    assert parse_as_of("2023") == dt.date(2023, 12, 31)
    assert parse_as_of("2024-02") == dt.date(2024, 2, 29)
    assert parse_as_of(dt.date(2024, 6, 30)) == dt.date(2024, 6, 30)
    assert parse_as_of("semester 1") is None


# -- overlays --------------------------------------------------------------------
def test_overlay_skips_overrides_and_inherits():
    rubric = load_rubric(OVERLAY)
    assert rubric.find("i3_4") is None
    assert rubric.find("i8_1").weight == Decimal("1.5")
    assert rubric.find("i8_3").title.startswith("Penggunaan aplikasi persuratan")
    assert rubric.find("i8_3").weight == Decimal(1)  # inherited
    assert rubric.regulation == "Peraturan KASN Nomor 9 Tahun 2019"  # inherited metadata
    assert rubric.bands["kategori"].ordered()[-1].interval.hi == Decimal(400)
    assert [d for d in rubric.diagnostics if d.severity == "error"] == []
    # skipping 3.4 makes aspect 3 add up to its bobot 30: the base's warning is gone
    assert not any(d.code == "weight-sum" for d in rubric.diagnostics)


def test_overlay_scores_the_regional_variant():
    evidence = read_evidence(BELTIM)
    evidence.answers.pop("i3_4")
    evidence.stated.clear()  # figures stated for the national rubric
    evidence.meta["rubric"] = "merit-belitim"
    result = Engine(load_rubric(OVERLAY)).evaluate(evidence)
    # 252 (LKjIP) − 3.4 (0) − 8.1 (4 × 0.5) + 8.2 (3 × 0.5) = 251.5; mandiri 340 − 2 + 1.5
    assert result.root.value == Decimal("251.5")
    assert result.root.stages["mandiri"] == Decimal("339.5")
    assert result.root.max == Decimal(400)
    assert result.root.band.label == "III"


def test_overlay_problems_point_at_the_file_that_has_them(tmp_path):
    overlay = tmp_path / "variant.toml"
    overlay.write_text(
        textwrap.dedent(
            f"""\
            [rubric]
            id = "merit-x"
            title = "Varian"
            extends = "{ROOT / "rubrics" / "merit-2019.toml"}"

            [indicators.pengadaan.children.i2_1]
            weight = "dua"
            """
        )
    )
    diags = read_rubric(overlay).diagnostics
    by_code = {d.code: d for d in diags}
    assert by_code["type"].location.path == str(overlay)
    assert by_code["type"].location.line == 7
    base_warning = by_code["weight-sum"]  # aspect 3 of the base still adds up to 32.5
    assert base_warning.location.path.endswith("merit-2019.toml")
    assert base_warning.location.line == 100


def test_a_version_named_in_the_evidence_wins_over_its_period(diff_dir, tmp_path, capsys):
    evidence = tmp_path / "e.toml"
    evidence.write_text(
        '[evidence]\nrubric = "mini"\nversion = "2024"\nperiod = "2021"\n'
        "[answers]\na1_dokumen = 4\nb1 = 2\nc1 = 4\n"
    )
    assert main(["score", str(evidence), "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rubric"]["version"] == "2024"
    assert data["rubric"]["selection"]["source"] == "evidence version"
    assert "not on 2021-12-31" in data["rubric"]["selection"]["reason"]
    assert data["headline"]["value"] == "32"  # 2.5×4 + 6×2 + 2.5×4
