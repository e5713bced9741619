"""``gap`` on table-based rubrics: IP ASN per-person moves on the hand-made 6-person roster.

Expected gains come from the point tables of Perban BKN 8/2019 as written out per person
in examples/ipasn-belitung-timur/README.md (kompetensi of a Pengawas: diklat teknis 15,
seminar 10; of a Pelaksana: seminar 17,5; …), divided by the 6 persons of the mean.
"""

from __future__ import annotations

import csv
import itertools
import json
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import ROOT

from evalengine.cli.common import load_inputs
from evalengine.errors import RubricError
from evalengine.evaluate.engine import Engine
from evalengine.evidence.improve import ladders, parse_ladder, show
from evalengine.gap.probe import Prober
from evalengine.gap.records import analyse_records, with_cells
from evalengine.rubric.check import check_rubric
from evalengine.rubric.load import load_rubric

EXAMPLE = ROOT / "examples" / "ipasn-belitung-timur"
EVIDENCE = EXAMPLE / "evidence-roster.toml"
RUBRIC = ROOT / "rubrics" / "ipasn-2019.toml"
N = Decimal(6)


@pytest.fixture(scope="module")
def prober() -> Prober:
    rubric, evidence = load_inputs("ipasn", str(EVIDENCE))
    return Prober(rubric, evidence)


@pytest.fixture(scope="module")
def tinggi(prober):
    return analyse_records(prober, target="Tinggi")


def _single(analysis, person: str, column: str, to: str):
    for m in analysis.singles:
        if m.cell.label == person and m.cell.column == column and _show(m.to) == to:
            return m
    return None


def _show(value) -> str:
    return show(value)


# points per person from the README table → (person, column, to, indicator, points)
HAND = [
    ("Pegawai B", "diklat_teknis_jp", "20", "kompetensi", 15),  # JF, 8 JP → 20: teknis 15
    ("Pegawai D", "diklat_teknis_jp", "20", "kompetensi", 15),  # Pengawas, 0 JP: teknis 15
    ("Pegawai D", "seminar", "ya", "kompetensi", 10),  # struktural seminar 10
    ("Pegawai D", "diklat_kepemimpinan", "ya", "kompetensi", 15),  # Pengawas: diklatpim 15
    ("Pegawai C", "seminar", "ya", "kompetensi", Decimal("17.5")),  # Pelaksana: 22,5 → 40
    ("Pegawai D", "skp", "Baik", "kinerja", 10),  # Cukup 15 → Baik 25
    ("Pegawai D", "skp", "Sangat Baik", "kinerja", 15),  # Cukup 15 → Sangat Baik 30
    ("Pegawai B", "skp", "Sangat Baik", "kinerja", 5),  # Baik 25 → 30
    ("Pegawai D", "pendidikan", "S-1", "kualifikasi", 5),  # D-III 10 → S-1 15
    ("Pegawai A", "pendidikan", "S-3", "kualifikasi", 5),  # S-2 20 → S-3 25
    ("Pegawai F", "hukuman_disiplin", "Tidak Ada", "disiplin", 4),  # berat 1 → 5
    ("Pegawai D", "hukuman_disiplin", "Tidak Ada", "disiplin", 3),  # sedang 2 → 5
    ("Pegawai B", "hukuman_disiplin", "Tidak Ada", "disiplin", 2),  # ringan 3 → 5
]


@pytest.mark.parametrize(("person", "column", "to", "indicator", "points"), HAND)
def test_single_gains_match_hand_arithmetic(tinggi, person, column, to, indicator, points):
    move = _single(tinggi, person, column, to)
    assert move is not None, f"no move {person} {column} → {to}"
    expected = Decimal(points) / N
    # exact Decimal: the mean over 6 persons, to the engine's 40 digits
    assert abs(move.gain - expected) < Decimal("1e-25")
    assert dict(move.deltas).keys() == {indicator}
    assert abs(dict(move.deltas)[indicator] - expected) < Decimal("1e-25")


def test_capped_persons_get_no_kompetensi_move(tinggi):
    """A, E and F score 40 (the cap) in kompetensi: no training can add to it."""
    kompetensi_cols = {"diklat_kepemimpinan", "diklat_fungsional", "diklat_teknis_jp", "seminar"}
    for m in tinggi.singles:
        if m.cell.label in ("Pegawai A", "Pegawai E", "Pegawai F"):
            assert m.cell.column not in kompetensi_cols, m
    # zero-gain moves are not proposed: SLTA → D-I is 5 → 5 points (C)
    assert _single(tinggi, "Pegawai C", "pendidikan", "D-I") is None


def test_pendidikan_climbs_one_level(tinggi):
    """improve_steps = 1: D-III may go to S-1 but not straight to S-2."""
    assert _single(tinggi, "Pegawai D", "pendidikan", "S-2") is None


def _apply_to_csv(plan, tmp_path: Path) -> Path:
    """Copy the example and write the plan's changes into pegawai.csv (by name and header)."""
    headers = {
        "diklat_teknis_jp": "Diklat Teknis JP",
        "seminar": "Seminar",
        "diklat_kepemimpinan": "Diklatpim",
        "diklat_fungsional": "Diklat Fungsional",
        "skp": "Predikat SKP",
        "pendidikan": "Pendidikan Terakhir",
        "hukuman_disiplin": "Hukuman Disiplin",
    }
    for name in ("evidence-roster.toml", "pegawai.csv"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    path = tmp_path / "pegawai.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
        fields = list(rows[0].keys())
    for m in plan:
        row = next(r for r in rows if r["Nama"] == m.cell.label)
        row[headers[m.cell.column]] = _show(m.to)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, delimiter=";")
        w.writeheader()
        w.writerows(rows)
    return tmp_path / "evidence-roster.toml"


def _score(evidence_path: Path):
    rubric, evidence = load_inputs("ipasn", str(evidence_path))
    return Engine(rubric).evaluate(evidence)


def test_plan_reaches_tinggi_when_applied_to_the_roster(tinggi, tmp_path):
    assert tinggi.status == "reachable"
    assert len(tinggi.plan) == 4 and tinggi.persons == 3
    result = _score(_apply_to_csv(tinggi.plan, tmp_path))
    root = result.root
    assert root.band.label == "Tinggi"
    assert root.value == tinggi.reading.value
    # 71,4166… + (17,5 + 15 + 15 + 15) / 6 = 81,8333… → 81,83 (hand arithmetic)
    assert root.value == Decimal("81.83")
    for child in root.children:
        assert child.value <= child.max, child.id


def _all_plans(prober, analysis, size):
    """Every set of `size` cell changes (each cell at any of its better levels)."""
    lads = {lad.column: lad for lad in ladders(prober.rubric)}
    cells = {(m.cell.row, m.cell.column): m.cell for m in analysis.singles}
    for combo in itertools.combinations(sorted(cells), size):
        options = [
            [(key, to) for _, to, _ in lads[key[1]].targets(cells[key].value)] for key in combo
        ]
        yield from (dict(choice) for choice in itertools.product(*options))


def test_plan_is_minimal_by_brute_force(prober, tinggi):
    """No 3 changed cells reach Tinggi (4 are needed), checked by scoring every 3-cell plan."""
    assert tinggi.minimal and tinggi.lower_bound == 4
    rank = prober.table.rank("Tinggi")
    for changes in _all_plans(prober, tinggi, 3):
        outcomes = prober.engine.run_stage(with_cells(prober, "pegawai", changes), prober.stage)
        value = prober.round(outcomes["ipasn"].value)
        assert prober.rank(prober.band(value)) < rank, changes


def test_unreachable_value_reports_the_ceiling(prober):
    """Every declared improvement: kualifikasi (25+20+5+15+20+25)/6 = 110/6 (C: SLTA → D-I only
    adds nothing), kompetensi 40, kinerja 30, disiplin 5 → 93,33; 95 cannot be reached."""
    a = analyse_records(prober, to_value=Decimal(95))
    assert a.status == "unreachable"
    assert a.best.value == Decimal("93.33")
    ceilings = {i: (now, best, mx) for i, _, now, best, mx in a.ceilings}
    assert abs(ceilings["kualifikasi"][1] - Decimal(110) / N) < Decimal("1e-25")
    assert ceilings["kompetensi"][1] == ceilings["kompetensi"][2] == 40


def test_sangat_tinggi_plan_verified(prober, tmp_path):
    a = analyse_records(prober, target="Sangat Tinggi")
    assert a.status == "reachable"
    result = _score(_apply_to_csv(a.plan, tmp_path))
    assert result.root.band.label == "Sangat Tinggi"
    assert result.root.value == a.reading.value
    assert all(c.value <= c.max for c in result.root.children)


def test_max_changes_limits(prober):
    a = analyse_records(prober, target="Tinggi", max_changes=2)
    assert a.status == "limited" and len(a.plan) == 2


def test_cli_rich_names_persons(run_cli):
    r = run_cli("gap", "ipasn", EVIDENCE, "--target", "Tinggi", "--width", "160")
    assert r.code == 0, r.err
    assert "raise 1 person's seminar from tidak to ya" in r.out
    assert "Pegawai C" in r.out and "Pegawai D" in r.out
    assert "81,83" in r.out and "Tinggi" in r.out


def test_cli_json_and_markdown(run_cli):
    r = run_cli("gap", "ipasn", EVIDENCE, "--target", "Tinggi", "-f", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["schema"] == "evalengine.gap-records/1"
    assert data["plan"]["changes"] == 4 and data["plan"]["persons"] == 3
    rows = {row for g in data["plan"]["groups"] for row in g["rows"]}
    assert rows and all(1 <= row <= 6 for row in rows)
    labels = [label for g in data["plan"]["groups"] for label in g["labels"]]
    assert "Pegawai C" in labels
    md = run_cli("gap", "ipasn", EVIDENCE, "--target", "Tinggi", "-f", "markdown")
    assert "| raise 1 person's diklat_teknis_jp from 8 to 20 | Pegawai B |" in md.out
    limited = run_cli("gap", "ipasn", EVIDENCE, "--target", "Tinggi", "--max-changes", "1")
    assert limited.code == 1


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ('x = { type = "number", improve = ["abc"] }', "column 'x'"),
        ('x = { type = "number", improve = [20, 10] }', "must increase"),
        ('x = { type = "number", improve = ["params.nope"] }', "no parameter 'nope'"),
        ('x = { type = "boolean", improve = ["maybe"] }', "not ya/tidak"),
        ('x = { type = "text", improve_steps = 1 }', "without `improve`"),
        ('x = { type = "text", improve = ["a", "b"], improve_steps = 0 }', "improve_steps"),
    ],
)
def test_check_rejects_bad_improve(write, column, message):
    text = RUBRIC.read_text(encoding="utf-8").replace(
        "[evidence.tables.pegawai.columns]\n", f"[evidence.tables.pegawai.columns]\n{column}\n"
    )
    path = write("ipasn.toml", text)
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    diags = info.value.diagnostics
    assert any(message in d.message and d.severity == "error" for d in diags), diags


def test_builtin_rubric_checks_clean():
    diags = check_rubric(load_rubric(RUBRIC))
    assert not [d for d in diags if d.severity == "error"]


def test_ladder_positions():
    lad = parse_ladder("t", "jp", {"type": "number", "improve": [20, 40]}, {})
    assert lad.position(Decimal(8)) == -1 and lad.position(Decimal(20)) == 0
    assert [t[1] for t in lad.targets(Decimal(8))] == [Decimal(20), Decimal(40)]
    assert lad.targets(Decimal(45)) == []
    text = parse_ladder("t", "p", {"type": "text", "improve": [["SLTA", "SMA"], "S-1"]}, {})
    assert text.position("sma") == 0 and text.position("SMP") is None


# -- random rosters: the plan verifies, and "minimal" is true by brute force ---------------


PERSON = st.tuples(
    st.sampled_from(["SLTA", "D-III", "S-1", "S-2"]),
    st.sampled_from(["Administrator", "Fungsional", "Pelaksana"]),
    st.sampled_from(["ya", "tidak"]),
    st.sampled_from(["0", "8", "20"]),
    st.sampled_from(["ya", "tidak"]),
    st.sampled_from(["Cukup", "Baik", "Sangat Baik"]),
    st.sampled_from(["tidak ada", "ringan", "berat"]),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(PERSON, min_size=2, max_size=3), lift=st.integers(1, 12))
def test_random_roster_plans_verify(tmp_path_factory, people, lift):
    folder = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    lines = ["Nama;Pendidikan;Jenis Jabatan;Diklatpim;Diklat Teknis JP;Seminar;SKP;Hukdis"]
    lines += [f"P{i};" + ";".join(p) for i, p in enumerate(people)]
    (folder / "pegawai.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "ev.toml").write_text(
        '[evidence]\nrubric = "ipasn"\n[tables.pegawai]\nfile = "pegawai.csv"\n', encoding="utf-8"
    )
    rubric, evidence = load_inputs("ipasn", str(folder / "ev.toml"))
    prober = Prober(rubric, evidence)
    goal = prober.baseline.value + lift
    a = analyse_records(prober, to_value=goal)
    if a.status == "unreachable":
        assert a.best.value < goal
        return
    assert a.status == "reachable"
    outcomes = prober.engine.run_stage(
        with_cells(prober, "pegawai", {(m.cell.row, m.cell.column): m.to for m in a.plan}),
        prober.stage,
    )
    assert prober.round(outcomes["ipasn"].value) >= goal
    assert all(outcomes[i].value <= outcomes[i].max for i in ("kompetensi", "kinerja"))
    if a.minimal and a.lower_bound and a.lower_bound <= 3:
        for changes in _all_plans(prober, a, a.lower_bound - 1):
            out = prober.engine.run_stage(with_cells(prober, "pegawai", changes), prober.stage)
            assert prober.round(out["ipasn"].value) < goal, changes
