"""Generate responses.csv: one survey answering the SKM of 2004 (14 unsur) and of 2017 (9 unsur).

The questionnaire asks 21 questions: the 9 unsur of PermenPANRB 14/2017 and the 12 unsur of
KepMenPAN 25/2004 that the 2017 list has no column for. Two 2004 unsur are the same question
as a 2017 unsur and share its column: "Prosedur" (2004 u1 Prosedur pelayanan, 2017 u2) and
"Persyaratan" (2004 u2 Persyaratan pelayanan, 2017 u1); both rubrics accept those headers
(``[evidence.tables.responses.columns]`` aliases).

Column totals over 100 respondents (NRR × 100):

* the 9 columns of 2017 are the NRR that LKjIP 2024 Tabel 3.9 publishes (3,42 … 3,87), as in
  examples/ikm-belitung-timur/, so the 2017 IKM is the report's 88,58 (A);
* the 12 columns only 2004 asks are ILLUSTRATIVE: no 2004-style survey of this office exists.
  Each takes the total of the 2017 unsur nearest in subject (:data:`NEAREST_2017`); Keadilan
  mendapatkan pelayanan has no counterpart and takes the mean of the nine, 3189 / 9 → 354.

Each column starts from all 3s, gets the needed 4s, then two (2, 4) pairs that keep the total,
and is shuffled with a fixed seed: the file is the same on every run.

Run from anywhere: ``python examples/ikm-2004-2017/generate_responses.py``.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

#: The 9 unsur of 2017: header (an alias the 2017 rubric accepts) → column total (Tabel 3.9).
TOTALS_2017 = {
    "Persyaratan": 342,  # also 2004 u2 Persyaratan pelayanan
    "Prosedur": 355,  # also 2004 u1 Prosedur pelayanan
    "Waktu Penyelesaian": 340,
    "Biaya/Tarif": 363,
    "Produk Spesifikasi Jenis Pelayanan": 348,
    "Kompetensi Pelaksana": 357,
    "Perilaku Pelaksana": 355,
    "Penanganan Pengaduan": 387,
    "Sarana dan Prasarana": 342,
}

#: The 12 unsur only 2004 asks (headers as the 2004 rubric names them) → the 2017 header
#: whose total they take, or None for the mean of the nine.
NEAREST_2017 = {
    "Kejelasan petugas pelayanan": "Perilaku Pelaksana",
    "Kedisiplinan petugas pelayanan": "Perilaku Pelaksana",
    "Tanggung jawab petugas pelayanan": "Perilaku Pelaksana",
    "Kemampuan petugas pelayanan": "Kompetensi Pelaksana",
    "Kecepatan pelayanan": "Waktu Penyelesaian",
    "Keadilan mendapatkan pelayanan": None,
    "Kesopanan dan keramahan petugas": "Perilaku Pelaksana",
    "Kewajaran biaya pelayanan": "Biaya/Tarif",
    "Kepastian biaya pelayanan": "Biaya/Tarif",
    "Kepastian jadwal pelayanan": "Waktu Penyelesaian",
    "Kenyamanan lingkungan": "Sarana dan Prasarana",
    "Keamanan pelayanan": "Sarana dan Prasarana",
}
RESPONDENTS = 100
SEED = 2004


def totals() -> dict[str, int]:
    """Every column's total: the 2017 ones, then the 2004-only ones (illustrative)."""
    mean = round(sum(TOTALS_2017.values()) / len(TOTALS_2017))  # 3189 / 9 = 354,33 → 354
    only_2004 = {h: TOTALS_2017[src] if src else mean for h, src in NEAREST_2017.items()}
    return TOTALS_2017 | only_2004


def column(total: int, n: int, rng: random.Random) -> list[int]:
    """``n`` answers on 1–4 that add up to ``total`` (needs 3n ≤ total ≤ 4n)."""
    extra = total - 3 * n
    if not 0 <= extra <= n:
        msg = f"total {total} is not reachable with {n} answers of mostly 3 and 4"
        raise ValueError(msg)
    answers = [4] * extra + [3] * (n - extra)
    for i in range(min(4, n - extra) // 2):  # a 3 → 2 and another 3 → 4 keep the total
        answers[extra + 2 * i] = 2
        answers[extra + 2 * i + 1] = 4
    rng.shuffle(answers)
    return answers


def generate(n: int = RESPONDENTS, seed: int = SEED) -> list[dict[str, str]]:
    """The rows (dicts header → answer text) of the response file."""
    rng = random.Random(seed)
    columns = {header: column(total, n, rng) for header, total in totals().items()}
    return [
        {"Responden": str(i + 1)} | {h: str(c[i]) for h, c in columns.items()} for i in range(n)
    ]


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
