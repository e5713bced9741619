"""The ``skp`` report format: the table of an SKP evaluation form, as Markdown.

Columns follow the form of PermenPANRB 8/2021 (example p. 243): no, rencana kinerja,
indikator kinerja individu, target, realisasi, capaian IKI, kategori, nilai capaian IKI;
then the final value (*nilai akhir*) and its predikat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evalengine.report.base import ReportFormat

from .types import SkpIkiType

if TYPE_CHECKING:
    from evalengine.evaluate.result import ScoreResult

COLUMNS = (
    "No",
    "Rencana Kinerja",
    "Indikator Kinerja Individu",
    "Target",
    "Realisasi",
    "Capaian IKI",
    "Kategori Capaian IKI",
    "Nilai Capaian IKI",
)


def _cell(text: Any) -> str:
    return " ".join(str(text or "").split()).replace("|", "\\|")


def render_skp(result: ScoreResult) -> str:
    """The SKP table of every ``skp_iki`` indicator, and the final value."""
    from evalengine.report import view  # on use: the entry point is imported at every start

    h = view.headline(result)
    lines = [f"**{_cell(h.title)}**" + (f" — {_cell(h.subject)}" if h.subject else ""), ""]
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("| " + " | ".join([":---"] * 3 + ["---:"] * 3 + [":---", "---:"]) + " |")
    parents = {c.id: n for n in result.root.walk() for c in n.children}
    number = 0
    for node in result.root.walk():
        if node.type != SkpIkiType.name:
            continue
        number += 1
        parent = parents.get(node.id)
        rencana = parent.title if parent is not None and parent is not result.root else ""
        extra = node.extra
        lines.append(
            "| "
            + " | ".join(
                [
                    str(number),
                    _cell(rencana),
                    _cell(node.label),
                    view.number(extra.get("target")),
                    view.number(extra.get("realisasi")),
                    f"{view.number(extra.get('capaian'), 2)}%",
                    _cell(extra.get("kategori")),
                    view.number(node.value, 2),
                ]
            )
            + " |"
        )
    band = f" — predikat {_cell(h.band_label)}" if h.band_label else ""
    lines += ["", f"**Nilai akhir: {view.number(h.value, 2)}**{band}", ""]
    return "\n".join(lines)


class SkpReport(ReportFormat):
    """The SKP evaluation table (Markdown)."""

    name = "skp"
    description = "SKP form table: target, realisasi, capaian, kategori, nilai capaian IKI"
    suffix = ".md"

    def render(self, result: ScoreResult, options: dict[str, Any]) -> str:
        return render_skp(result)
