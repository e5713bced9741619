"""``evalengine reconcile``: every mistake of the report's tables found, nothing right flagged.

The mistakes are the report's own (LKjIP 2024 BKPSDM Belitung Timur): Tabel 3.4 prints
aspect 1's total as 140; Tabel 3.3 divides the 2024 target, not the realisasi, by the
end-of-Renstra target; Tabel 4.0 copies a row's percentage, prints a percentage that
does not follow from its row, and its TOTAL realisasi transposes two digits.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import ROOT
from plugin_isolation import builtin_plugins_only  # noqa: F401 (autouse fixture)

from evalengine.cli import main
from evalengine.errors import EvidenceError
from evalengine.evaluate.engine import Engine
from evalengine.evidence.readers import read_evidence
from evalengine.numbers import round_to
from evalengine.reconcile import _digit_slip, agrees, printed_places, reconcile
from evalengine.rubric.load import load_rubric

MERIT = (ROOT / "rubrics" / "merit-2019.toml", ROOT / "examples/merit-belitung-timur/evidence.toml")
CAPAIAN = (ROOT / "rubrics/capaian-kinerja.toml", ROOT / "examples/lkjip-capaian/evidence.toml")
ANGGARAN = (ROOT / "rubrics/anggaran.toml", ROOT / "examples/lkjip-anggaran/evidence.toml")
D = Decimal


def run(pair):
    rubric, evidence = pair
    return reconcile(Engine(load_rubric(rubric)).evaluate(read_evidence(evidence)))


def findings(rec):
    """(node, field, stated, computed at the printed precision) of each disagreement."""
    return sorted(
        (c.node_id, c.field, c.stated, round_to(c.computed, c.places)) for c in rec.disagreements
    )


# -- precision ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stated", "computed", "ok"),
    [
        ("98.05", "98.0544747081712062256809338521400778210", True),
        ("252", "252.0", True),
        ("141.13", "141.125", True),  # half-up of the printed digits
        ("98.05", "98.056", False),
        ("140", "40", False),
        ("100", "100.31", True),  # printed as a whole number: 100 is all it says
        ("100.00", "100.31", False),
    ],
)
def test_agrees_at_printed_precision(stated, computed, ok):
    s = D(stated)
    assert agrees(s, D(computed), printed_places(s)) is ok


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=6), st.integers(0, 4))
def test_a_correctly_rounded_figure_always_agrees(value, places):
    assert agrees(round_to(value, places), value, places)


def test_digit_slips():
    assert "transposed" in _digit_slip(D("7690790900.00"), D("7960790900.00"), 2)
    assert "extra digit" in _digit_slip(D(140), D(40), 0)
    assert "missing digit" in _digit_slip(D(40), D(140), 0)
    assert _digit_slip(D("87.76"), D("79.01"), 2) is None


# -- the merit example (Tabel 3.4) ---------------------------------------------------------
def test_merit_finds_only_the_aspect_1_total():
    rec = run(MERIT)
    assert findings(rec) == [("perencanaan_kebutuhan", "value", D(140), D(40))]
    (finding,) = rec.disagreements
    assert any(c.startswith("sum of parts") for c in finding.causes)
    assert finding.location.line is not None and finding.location.path.endswith("evidence.toml")
    assert len(rec.checks) == 47 and sum(c.agrees for c in rec.checks) == 46


# -- Tabel 3.2 / 3.3 -------------------------------------------------------------------------
def test_capaian_finds_the_wrong_base_in_tabel_3_3():
    rec = run(CAPAIAN)
    assert findings(rec) == [
        ("ipasn", "capaian_akhir", D("120.00"), D("131.72")),  # 79,03 / 60; printed 72 / 60
        ("ism", "capaian_akhir", D("139.67"), D("136.96")),  # 252 / 184; printed 257 / 184
    ]
    for finding in rec.disagreements:
        assert len(finding.causes) == 1
        assert finding.causes[0].startswith("wrong base: target / target_akhir × 100")
    # everything else printed in Tabel 3.2, the text and Tabel 3.3 is right
    assert len(rec.checks) == 14


# -- Tabel 4.0 ---------------------------------------------------------------------------
def test_anggaran_finds_every_mistake_of_tabel_4_0():
    rec = run(ANGGARAN)
    assert findings(rec) == [
        ("1.1.2.2", "serapan", D("85.81"), D("89.92")),  # 8.322.000 / 9.255.000
        ("1.2.2.2", "serapan", D("87.76"), D("79.01")),  # 54.608.860 / 69.118.000
        ("belanja", "realisasi", D("7690790900.00"), D("7960790900.00")),  # TOTAL row
    ]
    by_id = {c.node_id: c for c in rec.disagreements}
    copied = by_id["1.1.2.2"]
    assert any("copied row" in c and "1.1.1.2" in c for c in copied.causes)
    assert copied.location.path.endswith("tabel-4.0.csv") and copied.location.line == 9
    assert by_id["1.2.2.2"].causes == []
    total = by_id["belanja"]
    assert any(c.startswith("sum of parts") for c in total.causes)
    assert any(c.startswith("digits transposed") for c in total.causes)
    assert total.location.line == 51  # the TOTAL row of tabel-4.0.csv
    # every other printed figure: 49 row percentages, 36 parent sums, the TOTAL row's
    # pagu and percentage, and the text's totals, program figures and category
    assert len(rec.checks) == 105


# -- the command ---------------------------------------------------------------------------
@pytest.mark.parametrize("pair", [MERIT, CAPAIAN, ANGGARAN])
def test_cli_exit_1_when_any_disagrees(pair, capsys):
    assert main(["reconcile", *map(str, pair)]) == 1
    assert "disagree" in capsys.readouterr().out


def test_cli_json(capsys):
    assert main(["reconcile", *map(str, ANGGARAN), "-f", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "evalengine.reconcile/1"
    assert data["disagree"] == 3 and data["agree"] == 102
    first = {d["indicator"]: d for d in data["disagreements"]}["1.1.2.2"]
    assert (first["stated"], first["computed_at_precision"]) == ("85.81", "89.92")


def _corrected_capaian(tmp_path: Path) -> Path:
    text = CAPAIAN[1].read_text(encoding="utf-8")
    text = text.replace('"139,67"', '"136,96"').replace('"120,00"', '"131,72"')
    path = tmp_path / "evidence.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_exit_0_when_all_agree(tmp_path, capsys):
    path = _corrected_capaian(tmp_path)
    assert main(["reconcile", str(CAPAIAN[0]), str(path)]) == 0
    assert "14 agree, 0 disagree" in capsys.readouterr().out
    assert main(["score", str(CAPAIAN[0]), str(path), "--check-stated"]) == 0


def test_score_check_stated(capsys):
    assert main(["score", *map(str, MERIT), "--check-stated"]) == 1
    assert "sum of parts" in capsys.readouterr().out
    assert main(["score", *map(str, MERIT)]) == 0


@pytest.mark.parametrize(
    ("stated", "message"),
    [
        ("ism = { capaien = 1 }", "stated field `capaien`"),
        ("nope = 1", "unknown indicator `nope`"),
        ('ism = { capaian = "banyak" }', "should be a number"),
    ],
)
def test_cli_exit_2_on_bad_stated(tmp_path, capsys, stated, message):
    shutil.copy(CAPAIAN[1], tmp_path / "evidence.toml")
    path = tmp_path / "evidence.toml"
    text = path.read_text(encoding="utf-8").split("[stated]")[0] + "[stated]\n" + stated + "\n"
    path.write_text(text, encoding="utf-8")
    assert main(["reconcile", str(CAPAIAN[0]), str(path)]) == 2
    assert message in capsys.readouterr().err


def test_unknown_field_suggests(tmp_path):
    path = _corrected_capaian(tmp_path)
    text = path.read_text(encoding="utf-8").replace("capaian_renstra", "capaian_renstar", 1)
    path.write_text(text, encoding="utf-8")
    result = Engine(load_rubric(CAPAIAN[0])).evaluate(read_evidence(path))
    with pytest.raises(EvidenceError) as exc:
        reconcile(result)
    assert "capaian_renstra" in (exc.value.hint or "")


@given(
    st.lists(
        st.lists(
            st.tuples(st.integers(1, 10**10), st.integers(0, 100)),  # pagu (sen), % absorbed
            min_size=1,
            max_size=4,
        ),
        min_size=1,
        max_size=4,
    )
)
@settings(max_examples=25, deadline=None)
def test_a_correct_budget_table_raises_no_alarm(tmp_path_factory, kegiatan):
    """Printed figures computed correctly (sums, half-up percentages) always agree."""
    from evalengine.numbers import format_id

    lines = ["kode;level;uraian;pagu;realisasi;persen"]

    def line(kode, level, pagu, real):
        pct = format_id(round_to(real / pagu * 100, 2), 2) if pagu else ""
        return f"{kode};{level};{kode};{format_id(pagu)};{format_id(real)};{pct}"

    subs_total = []
    body = []
    for k, subs in enumerate(kegiatan, start=1):
        rows = [(D(p) / 100, (D(p) / 100 * share / 100).quantize(D("0.01"))) for p, share in subs]
        pagu, real = sum(p for p, _ in rows), sum(r for _, r in rows)
        subs_total.append((pagu, real))
        body.append(line(f"1.{k}", "kegiatan", pagu, real))
        body.extend(line(f"1.{k}.{s}", "subkegiatan", p, r) for s, (p, r) in enumerate(rows, 1))
    pagu, real = sum(p for p, _ in subs_total), sum(r for _, r in subs_total)
    lines.append(line("1", "program", pagu, real))
    lines.extend(body)
    lines.append(line("T", "total", pagu, real))
    folder = tmp_path_factory.mktemp("budget")
    (folder / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "e.toml").write_text('[tables.anggaran]\nfile = "t.csv"\n', encoding="utf-8")
    result = Engine(load_rubric(ANGGARAN[0])).evaluate(read_evidence(folder / "e.toml"))
    rec = reconcile(result)
    assert rec.ok, [(c.node_id, c.field, c.stated, c.computed) for c in rec.disagreements]
    # one percentage per budget line, pagu and realisasi of each parent, the TOTAL row's three
    assert len(rec.checks) == (len(lines) - 2) + 2 * (1 + len(kegiatan)) + 3
