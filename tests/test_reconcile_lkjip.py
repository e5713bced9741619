"""`reconcile` on the LKjIP 2024 examples: every internal mistake found, no correct figure flagged.

The AKIP, IKM and IP ASN tables of the report (Tabel 3.8, 3.9, 3.6 and the text of §3.2.4);
the merit, capaian and anggaran tables are covered in test_reconcile.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from paths import EXAMPLES

from evalengine import evaluate, load_rubric, read_evidence
from evalengine.cli.common import resolve_rubric_path
from evalengine.reconcile import reconcile


def findings(rubric: str, evidence: str):
    result = evaluate(load_rubric(resolve_rubric_path(rubric)), read_evidence(EXAMPLES / evidence))
    rec = reconcile(result)
    return rec, [(c.node_id, c.field, c.stated, c.computed) for c in rec.disagreements]


def test_akip_tabel_3_8_percentage_of_pengukuran():
    rec, found = findings("akip", "akip-belitung-timur/evidence.toml")
    # 21,00 of 30 is 70,00 %, printed as 64,00 %; the other 34 figures are right.
    assert found == [("pengukuran", "percent", Decimal("64.00"), Decimal(70))]
    assert len(rec.checks) == 35


def test_ikm_label_bb_is_not_an_ikm_mutu():
    rec, found = findings("ikm", "ikm-belitung-timur/evidence.toml")
    assert found == [("ikm", "band", "BB", "A")]
    (check,) = rec.disagreements
    assert check.causes and "'BB' is not a label of 'mutu'" in check.causes[0]


def test_ikm_value_agrees_within_the_rounding_of_the_published_nrr():
    # 25 × Σ NRR / 9 from the printed 2-decimal NRR is 88,583…; each NRR may be off by
    # 0,005, which moves the index by 25 × 0,005 / 9 per unsur: ±0,125 in all. The printed
    # 88,57 is therefore consistent with the table it comes from.
    rec, _ = findings("ikm", "ikm-belitung-timur/evidence.toml")
    value = next(c for c in rec.checks if c.node_id == "ikm" and c.field == "value")
    assert value.agrees
    assert value.input_slack == Decimal("0.125")


def test_ipasn_total_from_rounded_dimensions_is_not_a_mistake():
    # 20,79 + 28,50 + 24,75 + 5,00 = 79,04; BKN sums unrounded means and prints 79,03,
    # which four 2-decimal parts allow (±0,02).
    rec, found = findings("ipasn", "ipasn-belitung-timur/evidence.toml")
    assert found == []
    value = next(c for c in rec.checks if c.field == "value")
    assert value.input_slack == Decimal("0.02")


@pytest.mark.parametrize("evidence", ["ikm-belitung-timur/evidence-responses.toml"])
def test_raw_responses_agree_with_the_printed_nrr(evidence):
    rec, found = findings("ikm", evidence)
    assert found == [("ikm", "band", "BB", "A")]
    assert sum(c.agrees for c in rec.checks) == 10  # nine NRR and the meaning
