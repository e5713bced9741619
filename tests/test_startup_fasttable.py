"""FastTable renders exactly what rich.table.Table renders.

The terminal report lays out its tables with :class:`evalengine.report.fasttable.FastTable`
when the output has no colours. These tests render the same data through FastTable and
through the ``rich.table.Table`` it stands for (:meth:`FastTable.to_rich`) and compare the
text: generated tables (words of every length, empty cells, justification, no-wrap
columns, sections, titles, narrow and wide consoles) and the report of every example.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from evalengine.report.fasttable import FastPanel, FastTable, Styled, plain_report
from evalengine.report.terminal import THEME


def render(renderable, width: int, *, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        theme=THEME,
        color_system="truecolor" if color else None,
        force_terminal=color,
    )
    console.print(renderable)
    return buffer.getvalue()


words = st.text(alphabet="abcXYZ019,.%()-/—…█░", min_size=1, max_size=14)
cell_text = st.lists(words, max_size=8).map(" ".join) | st.sampled_from(["", " ", "  a", "b  "])
cells = cell_text | cell_text.map(lambda t: Text(t, style="bold"))


@st.composite
def tables(draw):
    ncols = draw(st.integers(1, 7))
    table = FastTable(
        title=draw(st.none() | cell_text),
        show_edge=draw(st.booleans()),
    )
    for _ in range(ncols):
        table.add_column(
            draw(cell_text),
            justify=draw(st.sampled_from(["left", "right", "center"])),
            no_wrap=draw(st.booleans()),
            style=draw(st.sampled_from([None, "dim", "stage"])),
            ratio=draw(st.sampled_from([None, 1])),
        )
    for _ in range(draw(st.integers(0, 6))):
        table.add_row(*[draw(cells) for _ in range(ncols)])
        if draw(st.integers(0, 4)) == 0:
            table.add_section()
    return table


@settings(max_examples=400, deadline=None)
@given(table=tables(), width=st.integers(10, 160))
def test_generated_tables_render_like_rich(table, width):
    assert render(table, width) == render(table.to_rich(), width)


@settings(max_examples=50, deadline=None)
@given(table=tables(), width=st.integers(10, 160))
def test_colour_output_is_rich_itself(table, width):
    assert render(table, width, color=True) == render(table.to_rich(), width, color=True)


def test_the_fast_layout_is_used_for_plain_text():
    table = FastTable(title="Judul")
    table.add_column("Kode", no_wrap=True)
    table.add_column("Indikator")
    table.add_row("1.1", "Ketersediaan peta jabatan dan rencana kebutuhan pegawai")
    assert table.plain_lines(40) is not None
    assert plain_report([table], 40) == render(table.to_rich(), 40)


@pytest.mark.parametrize(
    "cell",
    [
        "lebar 漢字",  # two-cell characters
        "tab\there",
        "two\nlines",
        Text("kanan", justify="right"),
        Text("x") + Text("y", style="bold"),  # a Text with spans is still one line
    ],
)
def test_unusual_cells_render_like_rich(cell):
    table = FastTable(title="T")
    table.add_column("A")
    table.add_column("B", justify="right")
    table.add_row(cell, "2,5")
    for width in (12, 30, 80):
        assert render(table, width) == render(table.to_rich(), width)


def test_markup_in_a_string_cell_is_read_as_rich_reads_it():
    table = FastTable()
    table.add_column("[bold]Judul[/bold]")
    table.add_row("nilai [b]tebal[/b] :smile: [1] 50:50")
    assert render(table, 40) == render(table.to_rich(), 40)


def example_results():
    from paths import example_pairs

    from evalengine.bulk import score_grouped
    from evalengine.errors import RubricError
    from evalengine.evaluate.engine import Engine
    from evalengine.evidence.readers import read_evidence
    from evalengine.rubric.load import load_rubric

    for rubric_path, evidence_path in example_pairs():
        try:
            rubric = load_rubric(rubric_path)
        except RubricError:  # a type from a plugin that is not installed here
            continue
        evidence = read_evidence(evidence_path)
        if any(i.type in ("records", "survey") for i in rubric.indicators()):
            yield evidence_path.parent.name, score_grouped(rubric, evidence, group_by=None)
        else:
            yield evidence_path.parent.name, Engine(rubric).evaluate(evidence)


def test_every_example_report_is_the_same_as_with_rich_tables(monkeypatch):
    from evalengine.report.terminal import RichReport

    results = list(example_results())
    assert len(results) >= 5
    for width in (60, 110, 200):
        options = {"width": width, "force_terminal": False, "color_system": None}
        fast = [RichReport().render(result, options) for _, result in results]
        with monkeypatch.context() as m:
            m.setattr(FastTable, "plain_lines", lambda self, width, render_str=None: None)
            m.setattr(FastPanel, "plain_lines", lambda self, width, render_str=None: None)
            slow = [RichReport().render(result, options) for _, result in results]
        for (name, _), a, b in zip(results, fast, slow, strict=True):
            assert a == b, name


styled_text = st.lists(
    st.tuples(cell_text, st.sampled_from([None, "bold", "stage"])), min_size=0, max_size=5
)


@st.composite
def panels(draw):
    content = Styled(draw(cell_text), style=draw(st.sampled_from(["", "dim"])))
    for text, style in draw(styled_text):
        content.append(("\n" if draw(st.booleans()) else "") + text, style)
    if draw(st.booleans()):
        content.rstrip()
    title = draw(st.none() | cell_text.map(Styled) | cell_text)
    return FastPanel(
        content,
        title=title,
        title_align=draw(st.sampled_from(["left", "center", "right"])),
        border_style=draw(st.sampled_from(["none", "diag.warning"])),
    )


@settings(max_examples=300, deadline=None)
@given(panel=panels(), width=st.integers(6, 160))
def test_generated_panels_render_like_rich(panel, width):
    assert render(panel, width) == render(panel.to_rich(), width)
    text = plain_report([panel], width)
    assert text is None or text == render(panel.to_rich(), width)


@settings(max_examples=100, deadline=None)
@given(parts=st.lists(tables() | panels(), min_size=1, max_size=4), width=st.integers(20, 160))
def test_a_whole_plain_report_is_what_rich_prints(parts, width):
    from rich.console import Group

    text = plain_report(parts, width)
    assert text is None or text == render(Group(*[p.to_rich() for p in parts]), width)


def test_styled_is_the_text_the_report_built_before():
    a = Styled("█" * 3, style="bar.full").append("░" * 2, "bar.empty").to_rich()
    b = Text("█" * 3, style="bar.full") + Text("░" * 2, style="bar.empty")
    assert a == b and a.spans == b.spans and a.style == b.style
    c = Styled()
    c.append("x \n", "diag.warning")
    c.rstrip()
    d = Text()
    d.append("x \n", style="diag.warning")
    d.rstrip()
    assert c.plain == d.plain and c.to_rich().spans == d.spans


def test_a_plain_report_never_imports_rich_console():
    import subprocess
    import sys

    from paths import MERIT_EVIDENCE, MERIT_RUBRIC, ROOT

    code = (
        "import sys\n"
        "from evalengine.evaluate.engine import Engine\n"
        "from evalengine.evidence.readers import read_evidence\n"
        "from evalengine.report.terminal import RichReport\n"
        "from evalengine.rubric.load import load_rubric\n"
        f"rubric = load_rubric({str(MERIT_RUBRIC)!r})\n"
        f"r = Engine(rubric).evaluate(read_evidence({str(MERIT_EVIDENCE)!r}))\n"
        "RichReport().render(r, {'width': 110, 'color_system': None})\n"
        "print('rich.console' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False", out.stderr
