"""Users' words reach the terminal as they are written, never read as rich markup,
and never as terminal control sequences.

Rubric titles, subjects, group keys and file names may hold ``[brackets]`` (``[draft]``,
``Dinas [UPT]``) and ``:colons:``; rich reads ``[x]`` as a style and ``[/x]`` as closing
one (an error when nothing is open), and ``:smile:`` as an emoji. Each test puts such
text in one place and checks that the command succeeds and prints it unchanged.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from paths import MERIT_EVIDENCE, MERIT_RUBRIC
from rich.console import Console
from rich.progress import Progress

from evalengine import evaluate, load_rubric, read_evidence
from evalengine.cli import main
from evalengine.cli.common import scan_reporter
from evalengine.errors import EvidenceError, Location
from evalengine.report.terminal import RichReport
from evalengine.safe_text import printable

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


def rubric_titled_odd(tmp_path: Path) -> Path:
    """The merit rubric titled ``ODD`` (a panel title on the terminal)."""
    text = MERIT_RUBRIC.read_text(encoding="utf-8")
    old = 'title = "Penilaian Mandiri Penerapan Sistem Merit'
    assert text.count(old) == 1
    rubric = tmp_path / "merit.toml"
    rubric.write_text(
        text.replace(old, f'title = "{ODD} Penilaian Mandiri Penerapan Sistem Merit'), "utf-8"
    )
    return rubric


@pytest.mark.parametrize("command", ["score", "gap"])
def test_a_rubric_title_with_brackets_heads_its_panel_as_written(tmp_path, capsys, command):
    """rich reads a panel's text title as markup whatever the console says: a rubric
    titled ``[/draft] …`` stopped ``score`` with a traceback."""
    rubric = rubric_titled_odd(tmp_path)
    code = main([command, str(rubric), str(MERIT_EVIDENCE), "--width", "200"])
    out = capsys.readouterr().out
    assert code in (0, 1)
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


# Terminal control characters: an ESC starts an escape sequence (recolour, clear, retitle,
# on some terminals write the clipboard); U+202E reverses what follows.
HOSTILE = "\x1b]0;retitled\x07 Dinas \x1b[2J\u202eABC\x00\x9b"
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the only sequences rich itself writes here


def visible(text: str) -> str:
    return "".join(c for c in text if c.isprintable() or c in "\n ")


@pytest.mark.parametrize("colour", [False, True])
def test_no_control_character_of_the_evidence_reaches_the_terminal(tmp_path, colour):
    text = MERIT_EVIDENCE.read_text(encoding="utf-8")
    old = 'subject = "Pemerintah Kabupaten Belitung Timur"'
    subject = HOSTILE.encode("unicode_escape").decode().replace("\\x", "\\u00")
    evidence = tmp_path / "evidence.toml"
    evidence.write_text(text.replace(old, f'subject = "{subject}"'), encoding="utf-8")
    result = evaluate(load_rubric(MERIT_RUBRIC), read_evidence(evidence))
    assert result.evidence.meta["subject"] == HOSTILE  # the data keeps what was read
    options = {
        "width": 120,
        "force_terminal": colour,
        "color_system": "truecolor" if colour else None,
    }
    out = RichReport().render(result, options)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", SGR.sub("", out))
    assert visible(HOSTILE) in out  # ]0;retitled Dinas [2JABC: harmless once the ESC is gone
    widths = {len(SGR.sub("", line)) for line in out.splitlines()[:6]}
    assert len(widths) == 1  # the headline panel's border still lines up


def test_an_error_shows_a_mark_for_each_control_character_and_keeps_its_caret(tmp_path):
    table = tmp_path / "pegawai.csv"
    table.write_text("nip,skp\n\x1b[2J1,abc\n", encoding="utf-8")
    error = EvidenceError("bad", location=Location(str(table), 2, 7), hint="\x1b]0;x\x07 hint")
    rendered = error.render()
    assert "\x1b" not in rendered and "\x07" not in rendered
    source, caret = rendered.splitlines()[1:3]
    assert source.endswith("\ufffd[2J1,abc")
    assert source[caret.index("^")] == "a"  # column 7 of the line as written
    assert "hint: \ufffd]0;x\ufffd hint" in rendered


def test_printable_keeps_text_newlines_and_tabs():
    assert printable("Dinas A\tB\nC é ه\u00a0") == "Dinas A\tB\nC é ه\u00a0"
    assert printable("a\tb", tabs=False) == "ab"
    assert printable("a\x1bb\u202ec", mark="?") == "a?b?c"


def test_explain_drops_control_characters_of_a_title(tmp_path, capsys):
    text = MERIT_RUBRIC.read_text(encoding="utf-8")
    old = 'title = "Ketersediaan peta jabatan'
    rubric = tmp_path / "merit.toml"
    rubric.write_text(text.replace(old, 'title = "\\u001b[2JKetersediaan peta jabatan'), "utf-8")
    assert main(["explain", str(rubric), str(MERIT_EVIDENCE), "1.1"]) == 0
    out = capsys.readouterr().out
    assert "[2JKetersediaan peta jabatan" in out and "\x1b" not in out
