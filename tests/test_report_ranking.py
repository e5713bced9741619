"""The ranking of ``score --group-by`` as every report shows it (report/view.py).

The expected figures are worked out here from the rows of
tests/data/bulk/ranking/pegawai.csv with the rules of the rubric (ipasn-where.toml,
an overlay of ipasn-mini.toml), not copied from a run.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from evalengine import load_rubric, read_evidence
from evalengine.bulk import score_grouped
from evalengine.cli import main
from evalengine.report import view

DATA = Path(__file__).parent / "data" / "bulk" / "ranking"
RUBRIC = DATA / "ipasn-where.toml"
EVIDENCE = DATA / "evidence.toml"
POINTS = {"S3": 25, "S2": 20, "S1": 15, "D3": 10, "SMA": 5}
CENT = Decimal("0.01")


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def expected_group(rows: list[dict[str, str]]) -> dict[str, Decimal]:
    """The four aspects and the headline of one instansi, by the rubric's formulas."""

    def mean(values: list[Decimal]) -> Decimal:
        return half_up(sum(values, Decimal(0)) / len(values))

    kinerja_rows = [r for r in rows if r["hukuman"] == "tidak"]
    out = {
        "kualifikasi": mean([Decimal(POINTS[r["pendidikan"]]) for r in rows]),
        "kompetensi": mean(
            [
                min(Decimal(40), Decimal(r["diklat"]) * 10 + (5 if int(r["seminar"]) > 0 else 0))
                for r in rows
            ]
        ),
        "kinerja": mean([half_up(Decimal(r["skp"]) / 100 * 30) for r in kinerja_rows]),
        "disiplin": mean([Decimal(5 if r["hukuman"] == "tidak" else 0) for r in rows]),
    }
    out["value"] = sum(out.values(), Decimal(0))
    return out


def csv_groups() -> dict[str, list[dict[str, str]]]:
    import csv

    with open(DATA / "pegawai.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    groups: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        groups.setdefault(row["instansi"], []).append(row)
    return groups


@pytest.fixture(scope="module", params=["python", "duckdb"])
def ranked(request):
    result = score_grouped(
        load_rubric(RUBRIC), read_evidence(EVIDENCE), group_by="instansi", engine=request.param
    )
    return view.ranking(result)


def test_groups_ranked_with_every_aspect_computed_from_the_rows(ranked):
    groups = csv_groups()
    scored = {k: expected_group(v) for k, v in groups.items() if k != "C"}
    assert [c.id for c in ranked.columns] == ["kualifikasi", "kompetensi", "kinerja", "disiplin"]
    # short titles head their columns; a long one would give way to the code
    assert [c.heading for c in ranked.columns] == [
        "Kualifikasi",
        "Kompetensi",
        "Kinerja",
        "Disiplin",
    ]
    order = sorted(scored, key=lambda k: -scored[k]["value"])
    assert [g.key for g in ranked.groups] == order
    assert [g.rank for g in ranked.groups] == [1, 2]
    for g in ranked.groups:
        want = scored[g.key]
        assert g.values == tuple(want[c.id] for c in ranked.columns)
        assert g.value == want["value"]
    # A: kinerja = (27 + 25,65) / 2 = 26,325, exactly on a tie: half-up gives 26,33
    assert scored["A"]["kinerja"] == Decimal("26.33")
    # 81,33 is in [81..91): Tinggi; the band's meaning repeats its label, shown once
    assert ranked.groups[0].band == "Tinggi"


def test_a_group_whose_rows_are_all_left_out_is_listed_as_failed(ranked):
    # instansi C has one employee, with a hukuman: kinerja has no rows to average
    assert [g.key for g in ranked.failed] == ["C"]
    assert "mean of no rows" in ranked.failed[0].error
    assert ranked.title.startswith("Peringkat per instansi (3 kelompok, mesin ")


def test_columns_show_the_places_the_rubric_rounds_to(ranked):
    assert [c.places for c in ranked.columns] == [2, 2, 2, 2]
    # the headline is a sum of 2-place values without its own rounding: 2 places seen
    assert ranked.value_places == 2


def test_column_places_without_declared_rounding():
    rubric = load_rubric(RUBRIC)
    assert view.column_places(rubric, "ipasn-where", [Decimal("61"), Decimal("61.3")]) == 1
    assert view.column_places(rubric, "ipasn-where", [Decimal(1) / 3]) is None
    assert view.column_places(rubric, "ipasn-where", []) == 0
    assert view.column_places(rubric, "kinerja", [Decimal(1) / 3]) == 2


def test_band_words():
    assert view.band_words("III", "Baik") == "III Baik"
    assert view.band_words("Rendah", "Rendah") == "Rendah"
    assert view.band_words("AA", None) == "AA"
    assert view.band_words(None, None) == ""


def test_no_ranking_without_group_by():
    from evalengine import evaluate

    assert view.ranking(evaluate(load_rubric(RUBRIC), read_evidence(EVIDENCE))) is None


def test_rich_report_prints_the_ranking_with_fixed_places(capsys):
    code = main(["score", str(RUBRIC), str(EVIDENCE), "--group-by", "instansi", "--width", "120"])
    out = capsys.readouterr().out
    assert code == 0
    line_a = next(line for line in out.splitlines() if "│ A " in line)
    # every figure of A with two places (5,00, not 5), as the rubric rounds them
    for figure in ("17,50", "32,50", "26,33", "5,00", "81,33", "Tinggi"):
        assert figure in line_a
    assert "Tinggi Tinggi" not in out
    assert "Kelompok gagal" in out and "C: 'kinerja'" in out


def test_a_long_aspect_title_gives_way_to_its_code():
    from evalengine import evaluate

    root = Path(__file__).resolve().parents[1]
    result = evaluate(
        load_rubric(root / "rubrics" / "merit-2019.toml"),
        read_evidence(root / "examples" / "merit-belitung-timur" / "evidence.toml"),
    )
    result.group_by, result.groups = "instansi", []
    headings = [c.heading for c in view.ranking(result).columns]
    # "Perencanaan Kebutuhan" (aspect 1) is long: its code; "Pengadaan" (2) fits
    assert headings[:2] == ["1", "Pengadaan"]


def test_a_rubric_warning_is_listed_once_not_in_every_group():
    from evalengine.errors import Diagnostic, Location

    rubric = load_rubric(RUBRIC)
    rubric.diagnostics.append(
        Diagnostic("warning", "test", "a warning about the rubric", Location(str(RUBRIC)))
    )
    result = score_grouped(rubric, read_evidence(EVIDENCE), group_by="instansi")
    data = result.to_dict()
    assert any("a warning about the rubric" in w for w in data["warnings"])
    assert [g["warnings"] for g in data["groups"] if "error" not in g] == [[], []]


def test_the_terminal_ranking_shows_the_first_rows_and_says_where_the_rest_is():
    from evalengine.report.terminal import RichReport

    result = score_grouped(load_rubric(RUBRIC), read_evidence(EVIDENCE), group_by="instansi")
    text = RichReport().render(result, {"width": 120, "top": 1})
    ranking = text[text.index("Peringkat per instansi") : text.index("… and")].splitlines()
    rows = [line for line in ranking if line.startswith("│ ")]
    assert [row.split("│")[2].strip() for row in rows] == ["A"]  # B is ranked 2nd
    assert "… and 1 more groups (the whole ranking: -f xlsx, html, markdown or json)" in text
    assert "Kelompok gagal (1)" in text and "C: 'kinerja'" in text
    full = RichReport().render(result, {"width": 120})
    assert "more groups" not in full and "│ B " in full


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_json_groups_write_values_with_the_places_the_rubric_rounds_to(engine):
    """Each aspect rounds to 2 places: a group's JSON writes "5.00" and "26.30" as the
    headline writes "70.30", on both engines (it wrote "5" and "26.3")."""
    result = score_grouped(
        load_rubric(RUBRIC), read_evidence(EVIDENCE), group_by="instansi", engine=engine
    )
    groups = csv_groups()
    for group in result.groups:
        if group.result is None:
            continue
        written = group.to_dict()["indicators"]
        want = expected_group(groups[group.key])
        assert written == {k: f"{want[k]:.2f}" for k in written}
