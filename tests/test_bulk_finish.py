"""Whole-rubric results per group on DuckDB (bulk/finish.py) against the Decimal engine.

Groups are scored both ways: every group by the engine (``--engine python``), and on
DuckDB where the upper levels (rounding, ``sum(children)``, ``25 * sum(children) / 9``)
are compiled to SQL. Ties (an IKM of exactly 88.305), band edges and random rosters
must give the same values, bands and warnings. Expected figures come from the
interpreter or from the regulation's arithmetic, never from the SQL side.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from pathlib import Path

from bulk_support import score_both
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalengine.numbers import CONTEXT


def _roster_groups(folder: Path, rows) -> tuple:
    """Score an IP ASN roster (instansi, pendidikan, diklat, seminar, skp, hukuman rows) per
    instansi on both engines, check they agree group by group, and return both results."""
    lines = ["nip,instansi,pendidikan,diklat,seminar,skp,hukuman"]
    lines += [f"{i},{g},{p},{d},{s},{k},{h}" for i, (g, p, d, s, k, h) in enumerate(rows)]
    (folder / "p.csv").write_text("\n".join(lines) + "\n")
    py, db = score_both(folder, "ipasn-mini", "pegawai", "p.csv", "instansi")
    _assert_same_groups(py, db)
    return py, db


def _light(result) -> list[str]:
    """Groups whose result was built from DuckDB's final values (no derivations)."""
    return [
        g.key
        for g in result.groups
        if g.result is not None and g.result.root.derivation.formula is None
    ]


def _assert_same_groups(py, db) -> None:
    assert [g.to_dict() for g in py.groups] == [g.to_dict() for g in db.groups]
    for ga, gb in zip(py.groups, db.groups, strict=True):
        if ga.result is None:
            continue
        for a, b in zip(ga.result.root.walk(), gb.result.root.walk(), strict=True):
            assert (a.id, a.value, a.max, a.band, a.warnings) == (
                b.id,
                b.value,
                b.max,
                b.band,
                b.warnings,
            )


def _ikm_csv(path: Path, units: dict[str, list[int]]) -> None:
    lines = ["unit,u1"] + [f"{u},{a}" for u, answers in units.items() for a in answers]
    path.write_text("\n".join(lines) + "\n")


def test_ikm_exactly_on_the_tie_is_decided_by_the_engine_rule(tmp_path):
    """Unit T: NRR 17661/5000, IKM = 25 × NRR = 88.305 → 88.31, band A (half-up, §4)."""
    tie = [4] * 2661 + [3] * 2339
    clear = [4] * 10 + [3] * 10  # NRR 3.5 → IKM 87.5 → B, far from any edge or tie
    _ikm_csv(tmp_path / "r.csv", {"T": tie, "K": clear})
    py, db = score_both(tmp_path, "ikm-mini", "responses", "r.csv", "unit")
    with localcontext(CONTEXT):
        assert Decimal(17661) / 5000 * 25 == Decimal("88.305")
    _assert_same_groups(py, db)
    by_key = {g.key: g for g in db.groups}
    assert by_key["T"].value == Decimal("88.31") and by_key["T"].result.root.band.label == "A"
    assert by_key["K"].value == Decimal("87.50") and by_key["K"].result.root.band.label == "B"
    # the tie (and its band-edge warning) is left to the engine; the clear unit is light
    assert _light(db) == ["K"]
    assert any("88.305" in w for w in by_key["T"].result.warnings())


def test_ipasn_groups_are_light_and_equal(tmp_path):
    rows = [
        ("A", "S1", 2, 1, 90, "tidak"),
        ("A", "S2", 4, 0, 85, "tidak"),
        ("A", "SMA", 1, 0, 70, "ringan"),
        ("B", "S3", 3, 2, 95, "tidak"),
        ("B", "D3", 0, 0, 60, "tidak"),
        ("C", "s1", 2, 0, 88, "tidak"),
    ]
    _, db = _roster_groups(tmp_path, rows)
    assert _light(db)  # at least one group went the light way
    # instansi B: kualifikasi (25 + 10) / 2 = 17.50 (the rubric's lookup table, half-up)
    b = next(g for g in db.groups if g.key == "B")
    assert Decimal(b.to_dict()["indicators"]["kualifikasi"]) == (Decimal(25) + Decimal(10)) / 2


def test_a_light_group_builds_its_tree_only_when_read(tmp_path):
    """Rankings and JSON read a light group's values; its tree waits for a report that
    reads it, and gives the same JSON form."""
    from evalengine.bulk.grouped import GroupResult

    lines = ["nip,instansi,pendidikan,diklat,seminar,skp,hukuman"]
    lines += [f"{i},{'AB'[i % 2]},S1,{i % 4},{i % 3},{70 + i},tidak" for i in range(8)]
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    _, db = score_both(tmp_path, "ipasn-mini", "pegawai", "p.csv", "instansi")
    light = [g for g in db.groups if g.light is not None]
    assert light and all(g._result is None for g in light)
    fast = [g.to_dict() for g in light]
    from evalengine.report.view import ranking

    ranked = ranking(db)  # the table every report format draws
    assert all(g._result is None for g in light)
    assert {r.key: r.value for r in ranked.groups} == {g.key: g.value for g in db.groups}
    assert fast == [GroupResult(g.key, g.result, rank=g.rank).to_dict() for g in light]
    assert all(g.result.root.value == g.value for g in light)


units = st.dictionaries(
    st.sampled_from(["U1", "U2", "U3", "U4"]),
    st.lists(st.integers(1, 4), min_size=1, max_size=40),
    min_size=1,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=units)
def test_ikm_groups_agree_with_the_engine(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("ikm")
    _ikm_csv(folder / "r.csv", data)
    py, db = score_both(folder, "ikm-mini", "responses", "r.csv", "unit")
    _assert_same_groups(py, db)


rosters = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C", " A"]),
        st.sampled_from(["S1", "S2", "S3", "D3", "SMA"]),
        st.integers(0, 5),
        st.integers(0, 2),
        st.integers(0, 100),
        st.sampled_from(["tidak", "ringan"]),
    ),
    min_size=1,
    max_size=30,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=rosters)
def test_ipasn_groups_agree_with_the_engine(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("ipasn")
    _roster_groups(folder, data)


def test_padded_and_cased_text_cells_read_as_the_document_path(tmp_path):
    """Cells compared as read first, trimmed only when that fails: same figures as the engine."""
    rows = [
        ("A", " S1", 1, 0, 80, " tidak"),
        ("A", "s2 ", 2, 1, 70, "tidak "),
        ("A", "SMA", 0, 0, 60, "TIDAK"),
        ("B", "  D3  ", 3, 2, 90, ""),
        ("B", "S3", 1, 1, 85, "ringan"),
    ]
    py, db = _roster_groups(tmp_path, rows)
    for a, b in zip(py.root.walk(), db.root.walk(), strict=True):
        assert (a.id, a.value) == (b.id, b.value)
    # disiplin of A: " tidak" and "tidak " are tidak once trimmed (5 each), "TIDAK" is not (0)
    a = next(g for g in db.groups if g.key == "A")
    assert Decimal(a.to_dict()["indicators"]["disiplin"]) == round(Decimal(10) / 3, 2)
