"""The terminal report's aspect tables are laid out exactly as rich lays them out.

``report.summary.FittedTable`` gives rich each column's width, worked out from the
cells' text, so that rich need not measure every cell (once, and again when the table is
wider than the console). Every example's tables are drawn both ways, at widths from a
narrow terminal to a wide one, and must be the same to the character; the fast way must
be the one taken at the report's usual width.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from paths import EXAMPLES, MERIT_EVIDENCE, MERIT_RUBRIC, RUBRICS, example_pairs
from rich.table import Table

from evalengine import evaluate, load_rubric, read_evidence
from evalengine.evaluate.result import NodeResult
from evalengine.report.fitted import FittedTable
from evalengine.report.summary import aspect_detail, render_text, summary_parts

WIDTHS = (30, 48, 64, 80, 110, 200)
#: Every example of a built-in rubric (a plugin's example needs its plugin).
PAIRS = [(r, e) for r, e in example_pairs() if r.parent == RUBRICS]


def by_rich(fitted: FittedTable, width: int) -> str:
    """The table as rich sizes it itself."""
    for column in fitted.table.columns:
        column.width = None
    return render_text(fitted.table, options={"width": width})


def fitted_tables(rubric, evidence) -> list[FittedTable]:
    result = evaluate(load_rubric(rubric), read_evidence(evidence))
    return [p for p in summary_parts(result) if isinstance(p, FittedTable)]


@pytest.mark.parametrize(
    ("rubric", "evidence"), PAIRS, ids=[f"{e.parent.name}/{e.name}" for _, e in PAIRS]
)
def test_every_examples_tables_as_rich_lays_them_out(rubric, evidence):
    for fitted in fitted_tables(rubric, evidence):
        for width in WIDTHS:
            assert render_text(fitted, options={"width": width}) == by_rich(fitted, width)


def test_the_merit_reports_tables_are_sized_from_their_text():
    tables = fitted_tables(MERIT_RUBRIC, MERIT_EVIDENCE)
    assert len(tables) == 9  # the summary and one table per aspect
    assert all(t.fit(110) is not None for t in tables)


def node(code: str, title: str, value: str, children=()) -> NodeResult:
    return NodeResult(
        id=code,
        title=title,
        type="score",
        code=code,
        value=Decimal(value),
        max=Decimal(40),
        weight=Decimal("2.5"),
        children=list(children),
    )


CELLS = {
    "wide characters": "Ketersediaan 人事データ dan 📊 rencana kebutuhan pegawai jangka menengah",
    "a tab": "Ketersediaan\tdata kepegawaian",
    "a newline": "Ketersediaan data\nkepegawaian",
    "one long word": "Ketersediaan_data_kepegawaian_secara_lengkap_dan_up_to_date",
    "brackets": "[bold]Perencanaan[/bold] :smile:",
}


@pytest.mark.parametrize("title", list(CELLS.values()), ids=list(CELLS))
def test_odd_titles_as_rich_lays_them_out(title):
    aspect = node("1", "Aspek", "30", [node("1.1", title, "10"), node("1.2", "Kedua", "20")])
    fitted = aspect_detail(aspect, ("mandiri", "verifikasi"))
    for width in WIDTHS:
        assert render_text(fitted, options={"width": width}) == by_rich(fitted, width)


def test_rich_sizes_a_table_whose_text_column_cannot_give_way_alone():
    """At 30 cells the title column would be narrower than the others that wrap: rich
    narrows those too, so the table is left to rich (and drawn as it draws it)."""
    aspect = node("1", "Aspek", "30", [node("1.1", "Ketersediaan peta jabatan", "10")])
    fitted = aspect_detail(aspect, ("mandiri", "verifikasi"))
    assert fitted.fit(30) is None and fitted.fit(80) is not None
    assert isinstance(fitted.table, Table)


@pytest.mark.parametrize("group_by", ["jenis_jabatan", "nama"])
def test_a_ranking_of_groups_as_rich_lays_it_out(group_by):
    """``score --group-by``: the ranking (up to 50 rows) is laid out as rich lays it out,
    by position or by each employee's name."""
    from evalengine.bulk import score_grouped
    from evalengine.report.summary import group_tables

    rubric = load_rubric(RUBRICS / "ipasn-2019.toml")
    evidence = read_evidence(EXAMPLES / "ipasn-belitung-timur" / "evidence-roster.toml")
    result = score_grouped(rubric, evidence, group_by=group_by, engine="python")
    (fitted,) = [p for p in group_tables(result) if isinstance(p, FittedTable)]
    assert fitted.fit(110) is not None
    for width in WIDTHS:
        assert render_text(fitted, options={"width": width}) == by_rich(fitted, width)
