"""`evalengine diff` on the two installed rubric pairs, with bridging evidence for both versions.

AKIP: rubrics/akip-2015.toml → akip-2021.toml with examples/akip-2015-2021/evidence.toml
(the 2021 grades of LKjIP 2024 Tabel 3.8, plus illustrative 2015 komponen grades).
SKM: rubrics/ikm-2004.toml → ikm-2017.toml with examples/ikm-2004-2017/ (a generated survey
whose 2017 columns give the NRR of Tabel 3.9).

Every expected number below is worked out by hand from the report or from the CSV read here
with the ``csv`` module, never copied from the engine's output.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest

from evalengine.cli import main
from evalengine.rubric.load import load_rubric
from tests.paths import EXAMPLES, RUBRICS

AKIP = (RUBRICS / "akip-2015.toml", RUBRICS / "akip-2021.toml")
AKIP_EVIDENCE = EXAMPLES / "akip-2015-2021" / "evidence.toml"
IKM = (RUBRICS / "ikm-2004.toml", RUBRICS / "ikm-2017.toml")
IKM_DIR = EXAMPLES / "ikm-2004-2017"
IKM_EVIDENCE = IKM_DIR / "evidence.toml"


def _r2(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([*map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _diff_json(capsys, pair, evidence) -> dict:
    code, out, _ = _run(capsys, "diff", *pair, evidence, "-f", "json")
    assert code == 0
    return json.loads(out)


def _changes(data: dict) -> dict[tuple[str, str, str], str]:
    return {(c["kind"], c["what"], c["name"]): c["detail"] for c in data["changes"]}


# -- AKIP 2015 → 2021 ------------------------------------------------------------------
#: Tabel 3.8 (LHE AKIP TA 2023): sub-komponen bobot and the percentage printed for it.
TABEL_3_8 = [
    ("6", "80"), ("9", "70"), ("15", "80"),     # 1 Perencanaan
    ("6", "30"), ("9", "80"), ("15", "80"),     # 2 Pengukuran
    ("3", "60"), ("4.5", "70"), ("7.5", "60"),  # 3 Pelaporan
    ("5", "80"), ("7.5", "70"), ("12.5", "60"),  # 4 Evaluasi Internal
]  # fmt: skip
#: The illustrative 2015 grades: every komponen B (factor 0,75), see the example's README.
AKIP_2015 = {"perencanaan": 30, "pengukuran": 25, "pelaporan": 15, "evaluasi": 10, "capaian": 20}


def test_akip_hand_arithmetic_matches_the_report():
    total_2021 = sum(Decimal(w) * Decimal(p) / 100 for w, p in TABEL_3_8)
    assert _r2(total_2021) == Decimal("70.30")  # Tabel 3.8 prints 70,30 (BB)
    total_2015 = sum(Decimal(w) * Decimal("0.75") for w in AKIP_2015.values())
    assert total_2015 == Decimal("75.00")
    # Capaian Kinerja: 3 of the 4 sasaran of Tabel 3.2 reached their target → 3/4 = factor of B
    capaian = [Decimal("98.05"), Decimal("109.76"), Decimal("100"), Decimal("100.31")]
    assert Decimal(sum(c >= 100 for c in capaian)) / len(capaian) == Decimal("0.75")


def test_akip_diff_structure(capsys):
    changes = _changes(_diff_json(capsys, AKIP, AKIP_EVIDENCE))
    assert ("removed", "indicator", "capaian") in changes
    added = {name for kind, what, name in changes if (kind, what) == ("added", "indicator")}
    assert added == {
        f"{k}_{s}"
        for k in ("perencanaan", "pengukuran", "pelaporan", "evaluasi")
        for s in ("keberadaan", "kualitas", "pemanfaatan")
    }
    assert changes[("changed", "indicator", "pengukuran.weight")] == "weight: 25 → 30"
    assert changes[("changed", "indicator", "evaluasi.weight")] == "weight: 10 → 25"
    assert changes[("changed", "indicator", "perencanaan.scale")] == "scale: lke2015 → —"
    assert changes[("changed", "indicator", "perencanaan.type")] == "type: score → group"
    assert ("removed", "scale", "lke2015") in changes
    assert ("added", "scale", "nilai") in changes
    assert ("changed", "indicator", "perencanaan.weight") not in changes  # 30 in both


def test_akip_diff_rescores_under_both_versions(capsys):
    data = _diff_json(capsys, AKIP, AKIP_EVIDENCE)
    (e,) = data["effects"]
    assert e["old"]["error"] is None and e["new"]["error"] is None
    total_2015 = sum(Decimal(w) * Decimal("0.75") for w in AKIP_2015.values())
    total_2021 = _r2(sum(Decimal(w) * Decimal(p) / 100 for w, p in TABEL_3_8))
    assert Decimal(e["old"]["value"]) == total_2015
    assert Decimal(e["new"]["value"]) == total_2021
    assert (e["old"]["band"], e["new"]["band"]) == ("BB", "BB")  # 75,00 and 70,30 in (70..80]
    assert e["old"]["meaning"] == e["new"]["meaning"] == "Sangat Baik"
    assert Decimal(e["delta"]) == total_2021 - total_2015 == Decimal("-4.70")
    assert e["band_changed"] is False
    # each side lists the other version's answers as left out
    assert set(e["old"]["dropped_answers"]) == {
        f"{k}_{s}"
        for k in ("perencanaan", "pengukuran", "pelaporan", "evaluasi")
        for s in ("keberadaan", "kualitas", "pemanfaatan")
    }
    assert set(e["new"]["dropped_answers"]) == set(AKIP_2015)
    # causes: the komponen (a 2015 leaf became a 2021 group: counted once, at the komponen)
    causes = {c["id"]: Decimal(c["delta"]) for c in e["causes"]}
    assert causes == {
        "capaian": Decimal("-15.00"),  # 20 × 0,75, removed
        "evaluasi": Decimal("16.75") - Decimal("7.50"),  # 25 weight now, 10 before
        "pengukuran": Decimal("21.00") - Decimal("18.75"),
        "pelaporan": Decimal("9.45") - Decimal("11.25"),
        "perencanaan": Decimal("23.10") - Decimal("22.50"),
    }
    assert sum(causes.values()) == Decimal(e["delta"])  # plain sum: causes add up exactly


def test_akip_diff_rich_output(capsys):
    code, out, _ = _run(capsys, "diff", *AKIP, AKIP_EVIDENCE, "--width", "200")
    assert code == 0
    assert "akip 2015 → akip 2021" in out
    assert "weight: 25 → 30" in out
    assert "lke2015" in out and "capaian" in out
    assert "BB Sangat Baik" in out
    assert "-4,7" in out  # the change, shown in Indonesian notation
    assert "answers without a place (left out)" in out


@pytest.mark.parametrize(
    ("rubric", "expected"),
    [(AKIP[0], "75.00"), (AKIP[1], "70.30")],
    ids=["2015", "2021"],
)
def test_akip_bridging_file_scores_alone_under_each_version(capsys, rubric, expected):
    code, out, _ = _run(capsys, "score", rubric, AKIP_EVIDENCE, "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert Decimal(data["result"]["value"]) == Decimal(expected)


def test_akip_bridging_file_version_is_chosen_by_date(capsys):
    code, out, _ = _run(capsys, "score", "--rubric", "akip", AKIP_EVIDENCE, "-f", "json")
    assert code == 0 and Decimal(json.loads(out)["result"]["value"]) == Decimal("70.30")
    code, out, _ = _run(
        capsys, "score", "--rubric", "akip", "--as-of", "2020", AKIP_EVIDENCE, "-f", "json"
    )
    assert code == 0 and Decimal(json.loads(out)["result"]["value"]) == Decimal("75.00")


# -- the `versions` declaration: tolerant of the other version only ----------------------
def _variant(tmp_path, old: str, new: str):
    text = AKIP_EVIDENCE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "evidence.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _errors(capsys, rubric, path) -> str:
    code, _, err = _run(capsys, "score", rubric, path)
    assert code == 2
    return err


def test_without_versions_the_other_versions_answers_are_rejected(tmp_path, capsys):
    path = _variant(tmp_path, 'versions = ["2015", "2021"]', 'version = "2021"')
    err = _errors(capsys, AKIP[1], path)
    assert "unknown-indicator" in err and "capaian" in err


def test_versions_still_rejects_an_answer_no_declared_version_has(tmp_path, capsys):
    path = _variant(tmp_path, "[answers]\n", '[answers]\nperencanan = "B"\n')
    for rubric in AKIP:
        err = _errors(capsys, rubric, path)
        assert "perencanan" in err and "unknown-indicator" in err


def test_versions_must_name_the_scored_version_and_installed_ones(tmp_path, capsys):
    only_2015 = _variant(tmp_path, 'versions = ["2015", "2021"]', 'versions = ["2015"]')
    assert "wrong-version" in _errors(capsys, AKIP[1], only_2015)
    missing = _variant(tmp_path, 'versions = ["2015", "2021"]', 'versions = ["2015", "2099"]')
    err = _errors(capsys, AKIP[0], missing)
    assert "unknown-version" in err and "2099" in err


@pytest.mark.parametrize(
    ("new", "what"),
    [
        ('versions = "2015"', "must be a non-empty list"),
        ('versions = ["2015", "2021"]\nversion = "2017"', "is not among versions"),
    ],
)
def test_versions_shape(tmp_path, capsys, new, what):
    path = _variant(tmp_path, 'versions = ["2015", "2021"]', new)
    assert what in _errors(capsys, AKIP[0], path)


# -- SKM / IKM 2004 → 2017 -------------------------------------------------------------
#: Tabel 3.9 NRR (2017 unsur, the regulation's order) and the CSV header answering each.
TABEL_3_9 = {
    "Persyaratan": "3.42",
    "Prosedur": "3.55",
    "Waktu Penyelesaian": "3.40",
    "Biaya/Tarif": "3.63",
    "Produk Spesifikasi Jenis Pelayanan": "3.48",
    "Kompetensi Pelaksana": "3.57",
    "Perilaku Pelaksana": "3.55",
    "Penanganan Pengaduan": "3.87",
    "Sarana dan Prasarana": "3.42",
}
#: The 14 unsur of 2004 in order (u1 … u14) and the CSV header answering each; u1 and u2
#: share the 2017 columns Prosedur and Persyaratan.
HEADERS_2004 = [
    "Prosedur",
    "Persyaratan",
    "Kejelasan petugas pelayanan",
    "Kedisiplinan petugas pelayanan",
    "Tanggung jawab petugas pelayanan",
    "Kemampuan petugas pelayanan",
    "Kecepatan pelayanan",
    "Keadilan mendapatkan pelayanan",
    "Kesopanan dan keramahan petugas",
    "Kewajaran biaya pelayanan",
    "Kepastian biaya pelayanan",
    "Kepastian jadwal pelayanan",
    "Kenyamanan lingkungan",
    "Keamanan pelayanan",
]


def _csv_nrr() -> dict[str, Decimal]:
    with (IKM_DIR / "responses.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    headers = [h for h in rows[0] if h != "Responden"]
    return {h: Decimal(sum(int(r[h]) for r in rows)) / len(rows) for h in headers}


def _ikm_by_hand() -> tuple[Decimal, Decimal]:
    nrr = _csv_nrr()
    ikm_2017 = _r2(25 * sum(nrr[h] for h in TABEL_3_9) / 9)
    ikm_2004 = _r2(25 * Decimal("0.071") * sum(nrr[h] for h in HEADERS_2004))
    return ikm_2004, ikm_2017


def test_ikm_csv_answers_both_questionnaires_by_hand():
    nrr = _csv_nrr()
    assert len(nrr) == 21  # 9 unsur of 2017 + the 12 that only 2004 asks
    assert {h: nrr[h] for h in TABEL_3_9} == {h: Decimal(v) for h, v in TABEL_3_9.items()}
    # 2017: 25 × Σ NRR / 9 = 25 × 31,89 / 9 = 88,583… → 88,58 (A: ≥ 88,31), as regulations.md §4.5
    assert sum(Decimal(v) for v in TABEL_3_9.values()) == Decimal("31.89")
    # 2004: the 14 NRR are 3,55 3,42 3,55 3,55 3,55 3,57 3,40 3,54 3,55 3,63 3,63 3,40 3,42 3,42
    # Σ = 49,18; 25 × 0,071 × 49,18 = 87,2945 → 87,29 (A: ≥ 81,26)
    assert sum(nrr[h] for h in HEADERS_2004) == Decimal("49.18")
    assert _ikm_by_hand() == (Decimal("87.29"), Decimal("88.58"))


def test_ikm_generator_is_deterministic_and_matches_the_committed_csv():
    spec = importlib.util.spec_from_file_location(
        "gen_ikm_2004_2017", IKM_DIR / "generate_responses.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with (IKM_DIR / "responses.csv").open(encoding="utf-8", newline="") as f:
        committed = list(csv.DictReader(f))
    assert module.generate() == committed == module.generate()


def test_ikm_diff_structure(capsys):
    data = _diff_json(capsys, IKM, IKM_EVIDENCE)
    changes = _changes(data)
    old, new = (load_rubric(p) for p in IKM)
    assert len([i for i in old.indicators() if not i.children]) == 14
    assert len([i for i in new.indicators() if not i.children]) == 9
    assert changes[("changed", "params", "bobot")] == "0.071 → 1/9"
    assert changes[("changed", "band", "mutu.A")] == "[81.26..100] → [88.31..100]"
    assert changes[("changed", "band", "mutu.D")] == "[24..43.76) → [24..65)"
    # ids u1 … u9 were reused for other unsur: the 2017 rubric declares what continues what
    assert data["mapping"]["u2"] == "u1" and data["mapping"]["u1"] == "u2"
    assert changes[("renamed", "indicator", "u2 → u1")].startswith("declared: previous = u2")
    removed = {n for k, w, n in changes if (k, w) == ("removed", "indicator")}
    added = {n for k, w, n in changes if (k, w) == ("added", "indicator")}
    assert removed == {"u3", "u4", "u5", "u8", "u11", "u12", "u14"}  # 14 − 7 continued
    assert added == {"u5", "u8"}  # Produk Spesifikasi, Penanganan Pengaduan: new in 2017
    assert 14 - len(removed) + len(added) == 9


def test_ikm_diff_rescores_under_both_versions(capsys):
    (e,) = _diff_json(capsys, IKM, IKM_EVIDENCE)["effects"]
    assert e["old"]["error"] is None and e["new"]["error"] is None
    ikm_2004, ikm_2017 = _ikm_by_hand()
    assert Decimal(e["old"]["value"]) == ikm_2004
    assert Decimal(e["new"]["value"]) == ikm_2017
    assert (e["old"]["band"], e["new"]["band"]) == ("A", "A")
    assert Decimal(e["delta"]) == ikm_2017 - ikm_2004 == Decimal("1.29")
    causes = {(c["id"], c["why"]): Decimal(c["delta"]) for c in e["causes"]}
    nrr = _csv_nrr()
    # the unsur only 2017 asks enter with their NRR, those only 2004 asked leave with theirs
    assert causes[("u8", "added")] == nrr["Penanganan Pengaduan"]
    assert causes[("u5", "added")] == nrr["Produk Spesifikasi Jenis Pelayanan"]
    assert causes[("u11", "removed")] == -nrr["Kepastian biaya pelayanan"]
    # continued unsur answered in one column (or columns with equal totals) did not move
    assert not any(why == "changed" for _, why in causes)


def test_ikm_diff_rich_output(capsys):
    code, out, _ = _run(capsys, "diff", *IKM, IKM_EVIDENCE, "--width", "200")
    assert code == 0
    assert "ikm 2004 → ikm 2017" in out
    assert "0.071 → 1/9" in out
    assert "87,29" in out and "88,58" in out and "+1,29" in out
    assert "A Sangat Baik" in out


@pytest.mark.parametrize("rubric", IKM, ids=["2004", "2017"])
def test_ikm_bridging_file_scores_alone_under_each_version(capsys, rubric):
    code, out, _ = _run(capsys, "score", rubric, IKM_EVIDENCE, "-f", "json")
    assert code == 0
    expected = dict(zip(IKM, _ikm_by_hand(), strict=True))[rubric]
    assert Decimal(json.loads(out)["result"]["value"]) == expected
