"""IP ASN rubric (Perban BKN 8/2019) against regulations.md §2 and the test vectors P1–P7 of §6.2.

The point tables below are an independent transcription of regulations.md §2.2, used as the
oracle for the rubric's encoding of the same tables.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tabular_support import (
    EXAMPLES,
    PLUGINS,
    facts_evidence,
    rubric,
    run_cli,
    score,
    table_evidence,
)

from evalengine.errors import EvidenceError
from evalengine.evidence.readers import read_evidence
from evalengine.numbers import CONTEXT

KUALIFIKASI = {
    "S-3": 25,
    "S-2": 20,
    "S-1": 15,
    "D-IV": 15,
    "D-III": 10,
    "D-II": 5,
    "D-I": 5,
    "SLTA": 5,
    "SLTP": 1,
}
GROUP = {"JPT": "s", "Administrator": "s", "Pengawas": "s", "Fungsional": "f", "Pelaksana": "p"}
#: group → (diklat kepemimpinan, diklat fungsional, diklat teknis ≥ 20 JP, seminar)
KOMPETENSI = {
    "s": (15, 0, 15, 10),
    "f": (0, 15, 15, 10),
    "p": (0, 0, Decimal("22.5"), Decimal("17.5")),
}
KINERJA = {"Sangat Baik": 30, "Baik": 25, "Cukup": 15, "Kurang": 5, "Buruk": 1}
DISIPLIN = {"tidak ada": 5, "ringan": 3, "sedang": 2, "berat": 1}
MAXIMA = {"kualifikasi": 25, "kompetensi": 40, "kinerja": 30, "disiplin": 5}


def person(
    pendidikan,
    jabatan,
    pim=False,
    fungsional=False,
    jp=0,
    seminar=False,
    skp="Baik",
    hukdis="tidak ada",
):
    """One row of the employee table as a CSV would hold it."""
    yn = {True: "ya", False: "tidak"}
    return {
        "Pendidikan Terakhir": pendidikan,
        "Jenis Jabatan": jabatan,
        "Diklatpim": yn[pim],
        "Diklat Fungsional": yn[fungsional],
        "Diklat Teknis JP": str(jp),
        "Seminar": yn[seminar],
        "Predikat SKP": skp,
        "Hukuman Disiplin": hukdis,
    }


def oracle(row) -> dict[str, Decimal]:
    """Points of one person from the transcribed tables (each dimension capped at its maximum)."""
    pim, fung, teknis, seminar = KOMPETENSI[GROUP[row["Jenis Jabatan"]]]
    jp = Decimal(row["Diklat Teknis JP"].replace(",", "."))
    komp = (
        (pim if row["Diklatpim"] == "ya" else 0)
        + (fung if row["Diklat Fungsional"] == "ya" else 0)
        + (teknis if jp >= 20 else 0)
        + (seminar if row["Seminar"] == "ya" else 0)
    )
    return {
        "kualifikasi": Decimal(min(25, KUALIFIKASI[row["Pendidikan Terakhir"]])),
        "kompetensi": Decimal(min(40, komp)),
        "kinerja": Decimal(min(30, KINERJA[row["Predikat SKP"]])),
        "disiplin": Decimal(min(5, DISIPLIN[row["Hukuman Disiplin"]])),
    }


def dims(result) -> dict[str, Decimal]:
    return {c.id: c.value for c in result.root.children}


P = {
    "P1": (
        person("S-2", "Administrator", pim=True, jp=24, seminar=True, skp="Sangat Baik"),
        (20, 40, 30, 5),
        "95",
        "Sangat Tinggi",
    ),
    "P2": (
        person("S-1", "Fungsional", fungsional=True, jp=0, seminar=True, hukdis="ringan"),
        (15, 25, 25, 3),
        "68",
        "Rendah",
    ),
    "P3": (
        person("SLTA", "Pelaksana", jp=20, skp="Baik"),
        (5, Decimal("22.5"), 25, 5),
        "57.5",
        "Sangat Rendah",
    ),
    "P4": (
        person("D-III", "Pengawas", skp="Cukup", hukdis="sedang"),
        (10, 0, 15, 2),
        "27",
        "Sangat Rendah",
    ),
}


@pytest.mark.parametrize("case", list(P))
def test_p1_to_p4_points_per_person(case):
    row, points, total, band = P[case]
    result = score(rubric("ipasn-2019"), table_evidence("pegawai", [row], file="pegawai.csv"))
    assert list(dims(result).values()) == [Decimal(p) for p in points]
    assert result.root.value == Decimal(total)
    assert result.root.band.label == band


def published(kual, komp, kin, dis):
    values = dict(zip(MAXIMA, (kual, komp, kin, dis), strict=True))
    return score(rubric("ipasn-2019"), facts_evidence("dimensi", values))


def test_p5_lkjip_dimensions():
    result = published("20,79", "28,50", "24,75", "5,00")
    assert result.root.value == Decimal("79.04")  # BKN publishes 79,03 from the unrounded means
    assert result.root.band.label == "Sedang"
    assert all(c.extra["source"] == "fallback" for c in result.root.children)


def test_p6_tinggi():
    result = published("21,50", "30,38", "25,00", "5,00")  # 81,88 as in the LKjIP
    assert result.root.value == Decimal("81.88")
    assert result.root.band.label == "Tinggi"


@pytest.mark.parametrize(
    ("kinerja", "index", "band"),
    [
        ("20,00", "80.00", "Sedang"),
        ("20,50", "80.50", "Tinggi"),
        ("30,00", "90.00", "Tinggi"),
        ("30,00", "90.50", "Sangat Tinggi"),
        ("0,00", "60.00", "Sangat Rendah"),
        ("0,01", "60.01", "Rendah"),
        ("10,00", "70.00", "Rendah"),
    ],
)
def test_p7_band_edges_default_reading(kinerja, index, band):
    # kualifikasi 25 + kompetensi 30 + kinerja + disiplin 5 (or 5,5 → 0,5 via kompetensi) = index
    komp = "30,50" if index == "90.50" else "30,00"
    result = published("25,00", komp, kinerja, "5,00")
    assert result.root.value == Decimal(index)
    assert result.root.band.label == band


def test_published_value_above_its_maximum_is_refused():
    with pytest.raises(EvidenceError) as info:
        published("26,00", "28,50", "24,75", "5,00")
    assert "'kualifikasi' is 26, above its maximum 25" in info.value.message
    assert info.value.location.key == "facts.dimensi.kualifikasi"


# --- the hand-made roster ------------------------------------------------------------------------

#: Points per person of examples/ipasn-belitung-timur/pegawai.csv, as documented in its README.
ROSTER_POINTS = {
    "Pegawai A": (20, 40, 30, 5),
    "Pegawai B": (15, 25, 25, 3),
    "Pegawai C": (5, Decimal("22.5"), 25, 5),
    "Pegawai D": (10, 0, 15, 2),
    "Pegawai E": (15, 40, 30, 5),
    "Pegawai F": (25, 40, 25, 1),
}


def roster_rows():
    with (EXAMPLES / "ipasn-belitung-timur" / "pegawai.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter=";"))


@pytest.mark.parametrize("name", list(ROSTER_POINTS))
def test_roster_points_per_person_are_as_documented(name):
    row = next(r for r in roster_rows() if r["Nama"] == name)
    result = score(rubric("ipasn-2019"), table_evidence("pegawai", [row]))
    assert list(dims(result).values()) == [Decimal(p) for p in ROSTER_POINTS[name]]


def test_roster_agency_values_are_the_means_over_persons():
    path = EXAMPLES / "ipasn-belitung-timur" / "evidence-roster.toml"
    result = score(rubric("ipasn-2019"), read_evidence(path, plugins=PLUGINS))
    n = len(ROSTER_POINTS)
    expected = [
        CONTEXT.divide(sum((Decimal(p[i]) for p in ROSTER_POINTS.values()), Decimal(0)), n)
        for i in range(4)
    ]
    assert list(dims(result).values()) == expected
    assert expected[:2] == [Decimal(15), CONTEXT.divide(Decimal("167.5"), 6)]
    assert result.root.value == Decimal("71.42")  # 428.5 / 6 = 71.4166…
    assert result.root.band.label == "Sedang"
    assert all(c.extra["n"] == 6 for c in result.root.children)


def test_blank_hukuman_disiplin_defaults_to_none():
    row = next(r for r in roster_rows() if r["Nama"] == "Pegawai E")
    assert row["Hukuman Disiplin"] == ""
    result = score(rubric("ipasn-2019"), table_evidence("pegawai", [row]))
    assert dims(result)["disiplin"] == 5


def test_unknown_education_names_the_row_and_the_table_keys():
    row = person("S-4", "Pelaksana")
    with pytest.raises(EvidenceError) as info:
        score(rubric("ipasn-2019"), table_evidence("pegawai", [row], file="pegawai.csv"))
    assert info.value.message.startswith(
        "row 2 of table 'pegawai' (pegawai.csv): 'S-4' is not a key"
    )
    assert "S-3" in info.value.hint


# --- no dimension can exceed its maximum ----------------------------------------------------------

people = st.builds(
    person,
    pendidikan=st.sampled_from(sorted(KUALIFIKASI)),
    jabatan=st.sampled_from(sorted(GROUP)),
    pim=st.booleans(),
    fungsional=st.booleans(),
    jp=st.one_of(
        st.integers(0, 500), st.decimals(0, 100, places=1).map(lambda d: f"{d}".replace(".", ","))
    ),
    seminar=st.booleans(),
    skp=st.sampled_from(sorted(KINERJA)),
    hukdis=st.sampled_from(sorted(DISIPLIN)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(people, min_size=1, max_size=15))
def test_no_dimension_exceeds_its_maximum_and_the_index_is_the_mean_total(rows):
    result = score(rubric("ipasn-2019"), table_evidence("pegawai", rows))
    values = dims(result)
    for name, maximum in MAXIMA.items():
        assert Decimal(0) <= values[name] <= maximum
    points = [oracle(r) for r in rows]
    for name in MAXIMA:
        assert values[name] == CONTEXT.divide(sum((p[name] for p in points), Decimal(0)), len(rows))
    mean_total = CONTEXT.divide(sum((sum(p.values()) for p in points), Decimal(0)), len(rows))
    assert abs(result.root.derivation.unrounded - mean_total) < Decimal("1e-30")
    assert result.root.value <= 100


def test_structural_with_every_training_is_still_capped_at_40():
    row = person("S-3", "JPT", pim=True, fungsional=True, jp=40, seminar=True)
    assert dims(score(rubric("ipasn-2019"), table_evidence("pegawai", [row])))["kompetensi"] == 40


# --- XLSX and the CLI ----------------------------------------------------------------------------


def test_roster_from_xlsx(tmp_path):
    from openpyxl import Workbook

    rows = roster_rows()
    wb = Workbook()
    ws = wb.active
    ws.title = "PNS"
    ws.append(list(rows[0]))
    for r in rows:
        ws.append([int(v) if k == "Diklat Teknis JP" else (v or None) for k, v in r.items()])
    wb.save(tmp_path / "pegawai.xlsx")
    (tmp_path / "ev.toml").write_text(
        '[evidence]\nrubric = "ipasn"\n[tables.pegawai]\nfile = "pegawai.xlsx"\nsheet = "PNS"\n',
        encoding="utf-8",
    )
    result = score(rubric("ipasn-2019"), read_evidence(tmp_path / "ev.toml", plugins=PLUGINS))
    assert result.root.value == Decimal("71.42")


def test_cli_published_example(monkeypatch, capsys):
    code, out, _ = run_cli(
        ["score", "ipasn", "examples/ipasn-belitung-timur/evidence.toml", "-f", "json"],
        monkeypatch,
        capsys,
    )
    assert code == 0
    data = json.loads(out)
    assert data["headline"]["value"] == "79.04"
    assert data["headline"]["band"]["label"] == "Sedang"


def test_cli_roster_example_and_explain(monkeypatch, capsys):
    code, out, _ = run_cli(
        ["explain", "ipasn", "examples/ipasn-belitung-timur/evidence-roster.toml", "kompetensi"],
        monkeypatch,
        capsys,
    )
    assert code == 0
    assert "mean of the per-row values over 6 of 6 rows of table 'pegawai' (pegawai.csv)" in out
    assert "pegawai.csv row 2" in out


def test_cli_missing_column_exit_code(tmp_path, monkeypatch, capsys):
    rows = roster_rows()
    (tmp_path / "pegawai.csv").write_text(
        "Nama;Pendidikan Terakhir;Jenis Jabatan\n"
        + "\n".join(f"{r['Nama']};{r['Pendidikan Terakhir']};{r['Jenis Jabatan']}" for r in rows),
        encoding="utf-8",
    )
    (tmp_path / "ev.toml").write_text('[tables.pegawai]\nfile = "pegawai.csv"\n', encoding="utf-8")
    code, _, err = run_cli(["score", "ipasn", str(tmp_path / "ev.toml")], monkeypatch, capsys)
    assert code == 2
    assert (
        "pegawai.csv:1: error[missing-column]: table 'pegawai' (pegawai.csv) has no column 'skp'"
        in err
    )
    assert "hint: columns found: Nama, Pendidikan Terakhir, Jenis Jabatan" in err
