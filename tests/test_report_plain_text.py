"""Users' words reach the terminal as they are written, never read as rich markup.

Rubric titles, subjects, group keys and file names may hold ``[brackets]`` (``[draft]``,
``Dinas [UPT]``) and ``:colons:``; rich reads ``[x]`` as a style and ``[/x]`` as closing
one (an error when nothing is open), and ``:smile:`` as an emoji. Each test puts such
text in one place and checks that the command succeeds and prints it unchanged.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from paths import MERIT_EVIDENCE, MERIT_RUBRIC
from rich.console import Console
from rich.progress import Progress

from evalengine.cli import main
from evalengine.cli.score import scan_reporter

ODD = "[/draft] [bold]Dokumen :smile: [x]"
BULK = Path(__file__).parent / "data" / "bulk"


def merit_with_odd_title(tmp_path: Path) -> Path:
    """The merit rubric with indicator 1.1 titled ``ODD``."""
    text = MERIT_RUBRIC.read_text(encoding="utf-8")
    old = 'title = "Ketersediaan peta jabatan'
    assert text.count(old) == 1
    rubric = tmp_path / "merit.toml"
    rubric.write_text(text.replace(old, f'title = "{ODD} Ketersediaan peta jabatan'), "utf-8")
    return rubric


def test_score_prints_an_indicator_title_with_brackets_as_written(tmp_path, capsys):
    rubric = merit_with_odd_title(tmp_path)
    code = main(["score", str(rubric), str(MERIT_EVIDENCE), "--width", "200"])
    out = capsys.readouterr().out
    assert code == 0
    assert ODD in out


def test_score_prints_a_subject_with_brackets_as_written(tmp_path, capsys):
    text = MERIT_EVIDENCE.read_text(encoding="utf-8")
    evidence = tmp_path / "evidence.toml"
    old = 'subject = "Pemerintah Kabupaten Belitung Timur"'
    assert text.count(old) == 1
    evidence.write_text(text.replace(old, f'subject = "{ODD}"'), encoding="utf-8")
    code = main(["score", str(MERIT_RUBRIC), str(evidence), "--width", "200"])
    assert code == 0
    assert ODD in capsys.readouterr().out


def test_diff_prints_a_changed_title_with_brackets_as_written(tmp_path, capsys):
    rubric = merit_with_odd_title(tmp_path)
    code = main(["diff", str(MERIT_RUBRIC), str(rubric), "--width", "300"])
    assert code == 0
    assert ODD in capsys.readouterr().out


def test_group_keys_with_brackets_are_ranked_as_written(tmp_path, capsys):
    folder = tmp_path / "ranking"
    shutil.copytree(BULK / "ranking", folder)
    shutil.copy(BULK / "ipasn-mini.toml", tmp_path / "ipasn-mini.toml")
    table = folder / "pegawai.csv"
    table.write_text(table.read_text().replace(",A,", ",[/A],"), encoding="utf-8")
    code = main(
        [
            "score",
            str(folder / "ipasn-where.toml"),
            str(folder / "evidence.toml"),
            "--group-by",
            "instansi",
            "--width",
            "160",
        ]
    )
    assert code == 0
    assert "[/A]" in capsys.readouterr().out


def test_the_progress_bar_shows_a_file_name_with_brackets_as_written():
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, force_terminal=True, color_system=None)
    with Progress(console=console, auto_refresh=False) as display:
        report = scan_reporter(display)
        report("reading table 'pegawai' (data [/2024].csv)", 50.0)
        display.refresh()
    assert "data [/2024].csv" in buffer.getvalue()
