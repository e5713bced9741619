"""``gap`` on a graded rubric shaped like AKIP (PermenPANRB 88/2021): grades AA…E per
sub-component, value = factor × bobot, bands with open lower bounds (A is > 80 – 90).

This is a test rubric of our own (the built-in AKIP rubric is another module's); its
weights are Tabel 3.8 of LKjIP 2024 BKPSDM Belitung Timur and the grades are read from the
percentages printed there, which give the published 70,30 (BB).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from evalengine.cli import main

FACTORS = {
    "AA": "1",
    "A": "0.9",
    "BB": "0.8",
    "B": "0.7",
    "CC": "0.6",
    "C": "0.5",
    "D": "0.3",
    "E": "0",
}
# sub-component: (bobot, grade from the printed percentage in Tabel 3.8)
SUBS = {
    "1a": ("6", "BB"), "1b": ("9", "B"), "1c": ("15", "BB"),
    "2a": ("6", "D"), "2b": ("9", "BB"), "2c": ("15", "BB"),
    "3a": ("3", "CC"), "3b": ("4.5", "B"), "3c": ("7.5", "CC"),
    "4a": ("5", "BB"), "4b": ("7.5", "B"), "4c": ("12.5", "CC"),
}  # fmt: skip


def rubric_text() -> str:
    scale = ", ".join(f'"{g}" = {f}' for g, f in FACTORS.items())
    lines = [
        '[rubric]\nid = "akip-shape"\ntitle = "AKIP-shaped"\nband = "predikat"\n',
        '[rounding]\nplaces = 2\napply = "headline"\n',
        f'[scales.grade]\ntitle = "grade"\nvalues = {{ {scale} }}\n',
        "[bands.predikat]",
        'D = { range = "[0..30]", meaning = "Sangat Kurang" }',
        'C = { range = "(30..50]", meaning = "Kurang" }',
        'CC = { range = "(50..60]", meaning = "Cukup" }',
        'B = { range = "(60..70]", meaning = "Baik" }',
        'BB = { range = "(70..80]", meaning = "Sangat Baik" }',
        'A = { range = "(80..90]", meaning = "Memuaskan" }',
        'AA = { range = "(90..100]", meaning = "Sangat Memuaskan" }\n',
    ]
    for comp in "1234":
        lines.append(f'[indicators.k{comp}]\ncode = "{comp}"\ntitle = "Komponen {comp}"\n')
        for sub, (weight, _) in SUBS.items():
            if sub[0] == comp:
                lines.append(
                    f'[indicators.k{comp}.children.s{sub}]\ncode = "{comp}.{sub[1]}"\n'
                    f'title = "Sub-komponen {sub}"\nweight = {weight}\nscale = "grade"\n'
                )
    return "\n".join(lines)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "akip.toml").write_text(rubric_text())
    answers = "\n".join(f's{sub} = "{grade}"' for sub, (_, grade) in SUBS.items())
    (tmp_path / "ev.toml").write_text(f'[evidence]\nrubric = "akip-shape"\n[answers]\n{answers}\n')
    return tmp_path


def test_score_is_the_published_70_30(files, capsys):
    assert main(["score", str(files / "akip.toml"), str(files / "ev.toml"), "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert Decimal(data["headline"]["value"]) == Decimal("70.30")
    assert data["headline"]["band"]["label"] == "BB"


def test_gap_names_grade_steps_to_a(files, capsys):
    argv = ["gap", str(files / "akip.toml"), str(files / "ev.toml"), "-f", "json"]
    assert main(argv) == 0
    gap = json.loads(capsys.readouterr().out)
    assert gap["target"]["label"] == "A" and gap["target"]["threshold"] == "> 80"
    assert Decimal(gap["target"]["distance"]) == Decimal("9.70")
    # independent: each sub-component can add bobot × (1 − factor); A needs more than 9.70
    headroom = sorted(
        (Decimal(w) * (1 - Decimal(FACTORS[g])) for w, g in SUBS.values()), reverse=True
    )
    smallest = next(k for k in range(1, 13) if sum(headroom[:k]) > Decimal("9.7"))
    assert gap["size"] == smallest == 3 and gap["minimal"]
    for plan in gap["plans"]:
        assert Decimal(plan["value"]) > 80 and plan["band"] == "A"
        assert all(c["to"] in FACTORS for c in plan["changes"])  # grades, never a number
        assert Decimal(plan["value"]) == Decimal("70.30") + Decimal(plan["gain"])
    # 4.c CC → AA adds 12.5 × (1 − 0.6) = 5
    move = next(m for m in gap["moves"] if m["code"] == "4.c" and m["to"] == "AA")
    assert Decimal(move["gain"]) == 5
    # apply the first plan through score --set
    argv = ["score", str(files / "akip.toml"), str(files / "ev.toml"), "-f", "json"]
    for spec in gap["plans"][0]["set"]:
        argv += ["--set", spec]
    assert main(argv) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["headline"]["band"]["label"] == "A"
    assert Decimal(after["headline"]["value"]) > 80


def test_exactly_on_the_edge_is_flagged(files, capsys):
    # 70.30 + 4.c CC → AA (+5) + 1.b B → AA (+2.7) + 3.a CC → BB (+0.6) + 4.a BB → A (+0.5)
    # + 2.b BB → A (+0.9) = 80.00: still BB (A is > 80), exactly on the edge.
    argv = ["score", str(files / "akip.toml"), str(files / "ev.toml"), "-f", "json"]
    for spec in ("4.c=AA", "1.b=AA", "3.a=BB", "4.a=A", "2.b=A"):
        argv += ["--set", spec]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert Decimal(data["headline"]["value"]) == 80 and data["headline"]["band"]["label"] == "BB"
    assert any("band edge 80 (BB | A)" in w for w in data["result"]["warnings"])
