"""Generate responses.csv: 100 valid respondents whose NRR are exactly the NRR of Tabel 3.9.

The LKjIP publishes only the nine NRR (to 2 decimals), not the answers. With 100
respondents an NRR of 3,42 is a column total of 342, so a response file with these
totals reproduces the published NRR exactly. Each column starts from all 3s, gets
the needed 4s, then a few (2, 4) pairs that keep the total, and is shuffled with a
fixed seed: the file is the same on every run.

Three invalid respondents are appended to show the survey policy: an answer of 5 on
the 1–4 scale, a blank answer, and a respondent who stopped after four questions.
Under the rubric's policy (drop the respondent) none of their answers is summed.

Run from anywhere: ``python examples/ikm-belitung-timur/generate_responses.py``.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

#: Column headers as Tabel 3.9 prints them (its order: Sarana before Pengaduan), and
#: the column totals over 100 respondents (= NRR × 100).
TOTALS = {
    "Persyaratan": 342,
    "Prosedur": 355,
    "Waktu Pelayanan": 340,
    "Biaya/Tarif": 363,
    "Produk Layanan": 348,
    "Kompetensi Pelaksana": 357,
    "Prilaku Pelaksana": 355,
    "Sarana dan Prasarana": 342,
    "Penanganan Pengaduan": 387,
}
RESPONDENTS = 100
SEED = 2024

#: Respondents that break the scale, appended after the valid ones.
INVALID = [
    {"Waktu Pelayanan": "5"},  # not on the 1–4 scale
    {"Prilaku Pelaksana": ""},  # blank
    {h: "" for h in list(TOTALS)[4:]},  # stopped after four questions
]


def column(total: int, n: int, rng: random.Random) -> list[int]:
    """``n`` answers on 1–4 that add up to ``total`` (needs 3n ≤ total ≤ 4n)."""
    extra = total - 3 * n
    if not 0 <= extra <= n:
        msg = f"total {total} is not reachable with {n} answers of mostly 3 and 4"
        raise ValueError(msg)
    answers = [4] * extra + [3] * (n - extra)
    pairs = min(4, n - extra) // 2
    for i in range(pairs):  # a 3 → 2 and another 3 → 4 keep the total
        answers[extra + 2 * i] = 2
        answers[extra + 2 * i + 1] = 4
    rng.shuffle(answers)
    return answers


def generate(
    totals: dict[str, int] = TOTALS, n: int = RESPONDENTS, seed: int = SEED, invalid=INVALID
):
    """The rows (dicts header → answer text) of the response file."""
    rng = random.Random(seed)
    columns = {header: column(total, n, rng) for header, total in totals.items()}
    rows = [{"Responden": str(i + 1)} | {h: str(columns[h][i]) for h in totals} for i in range(n)]
    for j, broken in enumerate(invalid):
        row = {"Responden": str(n + j + 1)} | {h: "3" for h in totals}
        rows.append(row | broken)
    return rows


def write(path: Path, rows: list[dict[str, str]]) -> None:
    """Write ``rows`` as a CSV file with a header row."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    out = Path(__file__).with_name("responses.csv")
    write(out, generate())
    print(f"wrote {out}")
