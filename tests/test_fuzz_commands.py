"""Commands other than plain ``score`` given odd but possible input end with an exit code
and a located message, never a traceback (found by fuzzing gap, diff, batch, template,
test, check, explain, reconcile and the report formats; see docs/fuzz-commands.md).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import EXAMPLES, RUBRICS

ANGGARAN = RUBRICS / "anggaran.toml"
ANGGARAN_EVIDENCE = EXAMPLES / "lkjip-anggaran" / "evidence.toml"


def test_diff_of_a_rubric_whose_type_adds_result_nodes(run_cli, tmp_path):
    # anggaran's result has a node per program/kegiatan row ("1.2.3.1") that is no
    # indicator of the rubric: diff looked them up in the rubric (KeyError traceback)
    same = run_cli("diff", ANGGARAN, ANGGARAN, ANGGARAN_EVIDENCE, "-f", "json")
    assert same.code == 0, same.err
    (effect,) = json.loads(same.out)["effects"]
    assert effect["causes"] == []
    # rounded to whole numbers, the one indicator of the rubric is the one cause
    text = ANGGARAN.read_text(encoding="utf-8").replace("round = 2 ", "round = 0 ")
    whole = tmp_path / "anggaran-whole.toml"
    whole.write_text(text, encoding="utf-8")
    changed = run_cli("diff", ANGGARAN, whole, ANGGARAN_EVIDENCE, "-f", "json")
    assert changed.code == 0, changed.err
    (effect,) = json.loads(changed.out)["effects"]
    causes = effect["causes"]
    assert [c["id"] for c in causes] == ["belanja"]
    old, new = causes[0]["old"], causes[0]["new"]
    assert old != new and round(float(old)) == float(new)


MERIT = RUBRICS / "merit-2019.toml"
MERIT_EVIDENCE = EXAMPLES / "merit-belitung-timur" / "evidence.toml"


def test_evidence_nested_too_deeply_to_parse_is_a_located_error(run_cli, tmp_path):
    # json.loads and the TOML parser raise RecursionError on brackets nested a few
    # hundred deep: a traceback from score, and from batch's fast path
    deep_json = tmp_path / "deep.json"
    deep_json.write_text('{"facts": {"x": ' + "[" * 5000 + "]" * 5000 + "}}", encoding="utf-8")
    deep_toml = tmp_path / "deep.toml"
    deep_toml.write_text("[facts]\nx = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    for path, code, line in ((deep_json, "json-syntax", 1), (deep_toml, "toml-syntax", 2)):
        result = run_cli("score", MERIT, path)
        assert result.code == 2
        assert f"{path.name}:{line}:" in result.err and f"error[{code}]" in result.err
        assert "nested too deeply" in result.err and "hint: nest arrays" in result.err
    batch = run_cli("batch", MERIT, tmp_path, "-f", "json", "-j", "1")
    assert batch.code == 1
    failures = json.loads(batch.out)["failures"]
    assert sorted(f["path"].rsplit("/", 1)[1] for f in failures) == ["deep.json", "deep.toml"]
    assert all("nested too deeply" in f["error"] for f in failures)


def test_evidence_nested_deeper_than_the_limit_is_refused_at_its_key(run_cli, tmp_path):
    # 500 objects deep parses, but walking it (facts, provenance) exhausted the stack
    from evalengine.evidence.readers import MAX_NESTING

    path = tmp_path / "deep.json"
    path.write_text('{"facts": ' + '{"a": ' * 500 + "1" + "}" * 501, encoding="utf-8")
    result = run_cli("score", MERIT, path)
    assert result.code == 2
    assert "error[evidence-shape]" in result.err
    assert f"more than {MAX_NESTING} levels deep" in result.err
    assert f"{path.name}:1:" in result.err


def test_a_rubric_nested_too_deeply_is_a_located_toml_error(run_cli, tmp_path):
    text = MERIT.read_text(encoding="utf-8")
    line = text.count("\n") + 2
    deep = tmp_path / "deep.toml"
    deep.write_text(text + "\n[tables.deep]\nx = " + "{a=" * 450 + "1" + "}" * 450 + "\n")
    for command in (["check"], ["template"], ["test"], ["score", "--format", "json"]):
        args = [command[0], deep, *([MERIT_EVIDENCE] if command[0] == "score" else [])]
        result = run_cli(*args, *command[1:])
        assert result.code == 2, command
        assert f"deep.toml:{line + 1}:" in result.out + result.err, command


def test_a_report_into_an_existing_folder_is_refused_before_anything_is_written(run_cli, tmp_path):
    # os.replace onto a folder was an IsADirectoryError traceback, after the other
    # formats' files had been written
    folder = tmp_path / "existing"
    folder.mkdir()
    html = tmp_path / "report.txt"
    result = run_cli("score", MERIT, MERIT_EVIDENCE, "-f", f"rich:{html}", "-f", f"json:{folder}")
    assert result.code == 2
    assert f"cannot write {folder}: it is a folder" in result.err
    assert not html.exists()
    for args in (
        ["gap", MERIT, MERIT_EVIDENCE, "-o", folder],
        ["reconcile", MERIT, MERIT_EVIDENCE, "-o", folder],
        ["template", MERIT, "-o", folder],
        ["test", "--generate-edges", MERIT, "-o", folder],
        ["batch", MERIT, MERIT_EVIDENCE, "-f", f"csv:{folder}"],
    ):
        result = run_cli(*args)
        assert result.code == 2, args
        assert "it is a folder" in result.err, args
    assert list(folder.iterdir()) == []


def test_a_file_name_too_long_is_a_usage_error(run_cli, tmp_path):
    name = tmp_path / ("n" * 300 + ".json")
    for args in (
        ["score", MERIT, MERIT_EVIDENCE, "-f", f"json:{name}"],
        ["gap", MERIT, MERIT_EVIDENCE, "-o", name],
        ["batch", MERIT, MERIT_EVIDENCE, "-f", f"json:{name}"],
    ):
        result = run_cli(*args)
        assert result.code == 2, args
        assert "cannot write" in result.err and "File name too long" in result.err, args


def test_a_read_only_folder_is_a_usage_error(run_cli, tmp_path, monkeypatch):
    # the suite may run as root, which writes anywhere: the refusals are simulated
    import os
    import tempfile

    from evalengine.report import output

    target = tmp_path / "r.json"
    real_access = os.access
    monkeypatch.setattr(output.os, "access", lambda p, mode: False)
    result = run_cli("score", MERIT, MERIT_EVIDENCE, "-f", f"json:{target}")
    assert result.code == 2
    assert f"folder {tmp_path} is not writable" in result.err
    monkeypatch.setattr(output.os, "access", real_access)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = run_cli("gap", MERIT, MERIT_EVIDENCE, "-o", target)
    assert result.code == 2
    assert f"cannot write {target}: Permission denied" in result.err
    assert not target.exists()


def test_a_report_to_a_pipe_is_written_into_it_not_over_it(run_cli, tmp_path):
    # `-o /dev/stdout`, `-o /dev/null`: renaming a temporary file over a device or FIFO
    # replaced it with a regular file (as root, /dev/null itself)
    import os
    import stat

    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        result = run_cli("template", MERIT, "--format", "toml", "-o", fifo)
        assert result.code == 0, result.err
        assert stat.S_ISFIFO(fifo.stat().st_mode)
        received = os.read(reader, 1 << 16).decode("utf-8")
    finally:
        os.close(reader)
    assert received.startswith(run_cli("template", MERIT).out[:200])


def test_batch_skips_symlink_loops_fifos_and_folders_named_like_evidence(run_cli, tmp_path):
    # a symlink to itself named *.toml was an OSError (folder) or RuntimeError (glob)
    # traceback; a glob handed folders and FIFOs to the reader (a FIFO waits forever)
    import os
    import shutil

    shutil.copy(MERIT_EVIDENCE, tmp_path / "a.toml")
    (tmp_path / "loop.toml").symlink_to(tmp_path / "loop.toml")
    (tmp_path / "dangling.toml").symlink_to(tmp_path / "nowhere.toml")
    (tmp_path / "folder.toml").mkdir()
    (tmp_path / "back").symlink_to(tmp_path)
    os.mkfifo(tmp_path / "pipe.toml")
    for spec in (tmp_path, f"{tmp_path}/*.toml", f"{tmp_path}/**"):
        result = run_cli("batch", MERIT, spec, "-f", "json", "-j", "1")
        assert result.code == 0, (spec, result.err)
        report = json.loads(result.out)
        assert report["files"] == 1 and report["failed"] == 0, spec
        assert report["ranking"][0]["path"] == str((tmp_path / "a.toml").resolve())


OVERLAY_HEAD = '[rubric]\nid = "varian"\ntitle = "Varian"\nversion = "1"\n'


def test_overlay_bases_that_are_no_rubric_file_are_located_errors(run_cli, tmp_path):
    # a folder ("", ".", "sub") was an IsADirectoryError traceback, a binary base a
    # UnicodeDecodeError, a base whose `rubric` is not a table an AttributeError, a
    # name too long an OSError
    (tmp_path / "sub").mkdir()
    (tmp_path / "binary.toml").write_bytes(b"\x9f\xff\x00" * 50)
    (tmp_path / "number.toml").write_text("rubric = 5\nbands = 3\n", encoding="utf-8")
    cases = {
        "sub": "not found",
        "": "not found",
        ".": "not found",
        "a" * 5000: "not found",
        "binary.toml": "cannot read base rubric",
    }
    for ref, expected in cases.items():
        overlay = tmp_path / "overlay.toml"
        overlay.write_text(OVERLAY_HEAD + f'extends = "{ref}"\n', encoding="utf-8")
        for args in (["check", overlay], ["score", overlay, MERIT_EVIDENCE], ["template", overlay]):
            result = run_cli(*args)
            assert result.code == 2, (ref[:10], args)
            assert "overlay.toml:5:11: error[extends-not-found]" in result.out + result.err
            assert expected in result.out + result.err
    overlay.write_text(
        OVERLAY_HEAD + 'extends = "number.toml"\n[bands.x]\nA = { range = "[0..)" }\n'
    )
    result = run_cli("check", overlay)
    assert result.code == 2 and "error[" in result.out


def test_overlay_of_a_built_in_rubric_by_id_suggests_its_file(run_cli, write):
    overlay = write("varian.toml", OVERLAY_HEAD + 'extends = "merit"\n')
    result = run_cli("check", overlay)
    assert result.code == 2
    assert "base rubric 'merit' not found" in result.out
    assert "did you mean 'merit-2019'?" in result.out


def test_a_skip_listed_twice_says_so(run_cli, write):
    # the second 'i1_1' was reported as "the base rubric has no such indicator"
    overlay = write(
        "varian.toml", OVERLAY_HEAD + 'extends = "merit-2019"\nskip = ["i1_1", "i1_1"]\n'
    )
    result = run_cli("check", overlay)
    assert result.code == 2
    assert "varian.toml:6:8: error[duplicate]: 'i1_1' is listed twice in skip" in result.out
    assert "no such indicator" not in result.out


# -- rubrics with a value of the wrong kind (found by mutating the parsed TOML) ---------
IKM = RUBRICS / "ikm-2017.toml"
IKM_EVIDENCE = EXAMPLES / "ikm-belitung-timur" / "evidence-responses.toml"
IPASN = RUBRICS / "ipasn-2019.toml"
IPASN_EVIDENCE = EXAMPLES / "ipasn-belitung-timur" / "evidence-roster.toml"
CAPAIAN = RUBRICS / "capaian-kinerja.toml"
CAPAIAN_EVIDENCE = EXAMPLES / "lkjip-capaian" / "evidence.toml"


def changed(tmp_path, rubric, old: str, new: str, count: int = 1):
    """A copy of ``rubric`` (beside its example's table files) with ``old`` → ``new``."""
    import shutil

    text = rubric.read_text(encoding="utf-8")
    assert old in text, old
    for csv in rubric.parent.glob("*.csv"):
        shutil.copy(csv, tmp_path)
    out = tmp_path / rubric.name
    out.write_text(text.replace(old, new, count), encoding="utf-8")
    return out


def line_of(path, text: str) -> int:
    """The line of ``path`` where ``text`` first appears."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


AKIP = RUBRICS / "akip-2021.toml"
AKIP_EVIDENCE = EXAMPLES / "akip-belitung-timur" / "evidence.toml"
IKM_COLUMNS = "[evidence.tables.responses.columns]"
DIKLAT = "[tables.diklat_teknis]\nstruktural = 15\nfungsional = 15\npelaksana = 22.5"
PEGAWAI = "[evidence.tables.pegawai]"
U6_ALIASES = 'aliases = ["kompetensi", "kompetensi pelaksana"]'
#: (rubric, evidence, old, new, expected message, text on the reported line)
WRONG_KINDS = [
    (IKM, IKM_EVIDENCE, 'table = "responses"', "table = []", "`table` of 'u1' must be text",
     "table = []"),
    (IKM, IKM_EVIDENCE, U6_ALIASES, "aliases = 1.5",
     "`aliases` must be text or a list of texts, got Decimal", "aliases = 1.5"),
    (IKM, IKM_EVIDENCE, IKM_COLUMNS, f"{IKM_COLUMNS[:-1]}.u0]\ntype = {{}}",
     "`type` must be text, got dict", "type = {}"),
    (IKM, IKM_EVIDENCE, IKM_COLUMNS, 'columns = "[0..)"\n[evidence.tables.responses.kolom]',
     "`evidence.tables.responses.columns` must be a table", 'columns = "[0..)"'),
    (IPASN, IPASN_EVIDENCE, DIKLAT, "[tables]\ndiklat_teknis = 1e308",
     "`tables.diklat_teknis` must be a table", "diklat_teknis = 1e308"),
    (IPASN, IPASN_EVIDENCE, PEGAWAI, f"{PEGAWAI}\nmin_sample = [1]",
     "`min_sample` must be text, got list", "min_sample = [1]"),
    (CAPAIAN, CAPAIAN_EVIDENCE, 'table = "iku"', "table = [[]]",
     "`table` of 'capaian' must be text", "table = [[]]"),
    (CAPAIAN, CAPAIAN_EVIDENCE, 'table = "iku"', 'table = "iku"\ncap = "x"',
     "`cap` of 'capaian' must be a number", 'cap = "x"'),
    (AKIP, AKIP_EVIDENCE, 'mode = "half_up"', "mode = [[]]", "unknown rounding mode",
     "mode = [[]]"),
]  # fmt: skip


@pytest.mark.parametrize(("rubric", "evidence", "old", "new", "message", "line"), WRONG_KINDS)
def test_a_rubric_value_of_the_wrong_kind_is_reported_at_its_line(
    run_cli, tmp_path, rubric, evidence, old, new, message, line
):
    # each was a TypeError or AttributeError traceback (unhashable list, 'str' has no
    # .items, Decimal not iterable …) from check or score
    bad = changed(tmp_path, rubric, old, new)
    result = run_cli("check", bad)
    assert result.code == 2
    assert f"{bad.name}:{line_of(bad, line)}:" in result.out
    assert message in result.out
    scored = run_cli("score", bad, evidence, "-f", "json")
    assert scored.code == 2 and message in scored.err


def test_scales_or_bands_that_are_not_tables_are_reported(run_cli, tmp_path):
    bad = changed(tmp_path, IKM, "[scales.jawaban]", "[skala.jawaban]")
    text = bad.read_text(encoding="utf-8").replace("[bands.mutu]", "[pita.mutu]")
    bad.write_text("scales = 1e308\nbands = [{}]\n" + text, encoding="utf-8")
    result = run_cli("check", bad)
    assert result.code == 2
    assert "`scales` must be a table" in result.out and "`bands` must be a table" in result.out


def test_a_polarity_setting_that_is_not_known_is_a_rubric_error(run_cli, tmp_path):
    # [params] polarity = "" (or --param polarity=…) was a KeyError traceback: the
    # message looked for the row's own polarity
    bad = changed(tmp_path, CAPAIAN, 'polarity = "higher"', 'polarity = ""')
    result = run_cli("score", bad, CAPAIAN_EVIDENCE)
    assert result.code == 2
    assert "polarity '' of 'capaian' is not known" in result.err
    assert "hint: use one of: higher" in result.err
    result = run_cli("score", CAPAIAN, CAPAIAN_EVIDENCE, "--param", "polarity=sideways")
    assert result.code == 2 and "polarity 'sideways' of 'capaian'" in result.err


def test_gap_when_the_value_is_above_every_band(run_cli, tmp_path):
    # without its top band the table stops at 91; the capaian of 102,66 fell in no
    # band, gap aimed at the lowest band and its JSON crashed on a missing distance
    bad = changed(
        tmp_path, CAPAIAN, 'ST = { range = "[91..)",    meaning = "Sangat Tinggi" }\n', ""
    )
    result = run_cli("gap", bad, CAPAIAN_EVIDENCE, "-f", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["status"] == "top" and report["target"] is None
    assert report["current"]["band"] is None
    assert any("above every band of 'kategori'" in n for n in report["notes"])


@pytest.mark.parametrize("date", ["2024-13", "2024-02-30", "0000", "2024-00-01"])
def test_an_impossible_date_is_no_date(run_cli, tmp_path, date):
    # month 13 was a calendar.IllegalMonthError traceback, 30 February a ValueError
    result = run_cli("score", "merit", MERIT_EVIDENCE, "--as-of", date)
    assert result.code == 2
    assert f"--as-of '{date}' is not a date" in result.err
    text = MERIT_EVIDENCE.read_text(encoding="utf-8").replace(
        'period = "2023"', f'period = "{date}"'
    )
    evidence = tmp_path / "evidence.toml"
    evidence.write_text(text, encoding="utf-8")
    assert run_cli("score", evidence, "-f", "json").code == 0  # a period that is no date


@pytest.mark.parametrize("places", ["999999999", "-999999999", "0.5"])
def test_round_to_impossible_places_in_a_rubric(run_cli, tmp_path, places):
    # the range analysis of `check` rounded with them: a decimal.InvalidOperation traceback
    bad = changed(tmp_path, IPASN, 'max = "25"', f'max = "round(25, {places})"')
    line = line_of(bad, 'max = "round(')
    assert run_cli("check", bad).code in (0, 2)
    result = run_cli("score", bad, IPASN_EVIDENCE)
    assert result.code == 2
    assert f"{bad.name}:{line}:" in result.err
    assert "places must be a whole number from 0 to 20" in result.err


# -- rubric test cases written oddly (found by mutating rubrics/tests/*/*.toml) ----------
def case_suite(tmp_path, rubric, name: str, text: str):
    """``rubrics/<rubric>.toml`` with one case file ``name`` holding ``text``, in tmp_path."""
    import shutil

    folder = tmp_path / "rubrics" / "tests" / rubric.stem
    folder.mkdir(parents=True)
    shutil.copy(rubric, tmp_path / "rubrics")
    case = folder / name
    case.write_text(text, encoding="utf-8")
    return case


ODD_CASES = [
    ("expect = 5", "`expect` must be a table, got int"),
    ("expect = [1, 'a']", "`expect` must be a table, got list"),
    ("value = 'x'\n[cases.c.expect]\nband = 'A'", "`value` must be a number or text"),
    ("answer_all = true\n[cases.c.expect]\nvalue = 1", "`answer_all` must be a number or text"),
    ("answer_all = 1\n[cases.c.expect]\nvalue = 1e308", "`expect.value` must be a number or text"),
    ("answer_all = 1\n[cases.c.expect]\nvalue = nan", "`expect.value` must be a number or text"),
    ("answer_all = 1\n[cases.c.expect]\nindicators = 'x'", "`expect.indicators` must be a table"),
    ("answer_all = 1\n[cases.c.expect]\nindicators = { i1_1 = [1] }",
     "`expect.indicators.i1_1.value` must be a number or text"),
    ("answer_all = 1\n[cases.c.expect]\nstages = { mandiri = { band = 3 } }",
     "`expect.stages.mandiri.band` must be text, got int"),
    ("answer_all = 1\nparams = 'x'\n[cases.c.expect]\nvalue = 1",
     "`params` must be a table, got str"),
    ("answer_all = 1\nanswers = []\n[cases.c.expect]\nvalue = 1",
     "`answers` must be a table, got list"),
    ("answer_all = 1\n[cases.c.expect]\nwarnings = 'x'",
     "`expect.warnings` must be a list of texts"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "message"), ODD_CASES)
def test_a_case_written_oddly_fails_with_its_reason(run_cli, tmp_path, body, message):
    # each was a TypeError, AttributeError or ValueError traceback of `evalengine test`
    case = case_suite(tmp_path, MERIT, "odd.toml", "[cases.c]\n" + body + "\n")
    result = run_cli("test", case, "--format", "json")
    assert result.code == 1, result.err
    (outcome,) = json.loads(result.out)["cases"]
    assert message in outcome["error"]


def test_case_files_whose_cases_or_rubric_are_not_usable(run_cli, tmp_path):
    case = case_suite(tmp_path, MERIT, "odd.toml", 'cases = "x"\n')
    result = run_cli("test", case)
    assert result.code == 2 and "`cases` must be a table of cases, got str" in result.err
    case.write_text('rubric = "mandiri"\n[cases.c]\nanswer_all = 1\n', encoding="utf-8")
    result = run_cli("test", case)
    assert result.code == 2 and "mandiri does not exist" in result.err
    case.write_text('rubric = "."\n[cases.c]\nanswer_all = 1\n', encoding="utf-8")
    result = run_cli("test", case)
    assert result.code == 2 and "cannot read" in result.err


def test_a_budget_line_without_a_column_the_others_have(run_cli, tmp_path):
    # an inline row without pagu was a KeyError traceback in the anggaran type
    rows = (
        "rows = [\n"
        '  { kode = "1.1", level = "program", uraian = "Program", pagu = 400, realisasi = 240 },\n'
        '  { kode = "1.1.1", level = "kegiatan", uraian = "Kegiatan A", realisasi = 90 },\n'
        "]\n"
    )
    case = case_suite(
        tmp_path,
        ANGGARAN,
        "odd.toml",
        f"[cases.c.tables.anggaran]\n{rows}[cases.c.expect]\nvalue = 60\n",
    )
    result = run_cli("test", case, "--format", "json")
    assert result.code == 1, result.err
    (outcome,) = json.loads(result.out)["cases"]
    assert "row 2 of evidence table 'anggaran' has no pagu" in outcome["error"]


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_lookup_of_a_list_is_an_error_on_both_engines(run_cli, tmp_path, engine):
    # lookup(children, …) tested a list for membership in the rubric's tables: a
    # TypeError (unhashable list) traceback on either engine
    bad = changed(tmp_path, IPASN, 'lookup("diklat_teknis", lookup', "lookup(children, lookup")
    result = run_cli("score", bad, IPASN_EVIDENCE, "--engine", engine)
    assert result.code == 2
    assert "lookup() needs a table name, got a list" in result.err


def test_rubric_folders_with_a_fifo_a_folder_or_a_loop_named_toml(run_cli, tmp_path, monkeypatch):
    # `evalengine rubrics` opened every *.toml of EVALENGINE_RUBRICS_PATH: a FIFO made
    # it wait forever (the test would hang), a folder or a symlink loop was read too
    import os
    import shutil

    os.mkfifo(tmp_path / "pipe.toml")
    (tmp_path / "folder.toml").mkdir()
    (tmp_path / "loop.toml").symlink_to(tmp_path / "loop.toml")
    shutil.copy(RUBRICS / "merit-2019.toml", tmp_path / "merit-lokal.toml")
    monkeypatch.setenv("EVALENGINE_RUBRICS_PATH", str(tmp_path))
    result = run_cli("rubrics", "--format", "json")
    assert result.code == 0, result.err
    paths = [r["path"] for r in json.loads(result.out)]
    assert str(tmp_path / "merit-lokal.toml") in paths
    assert not any(p.endswith(("pipe.toml", "folder.toml", "loop.toml")) for p in paths)


# -- the structural fuzzing itself, quick and deterministic ------------------------------
def _key_paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _key_paths(value, (*prefix, key))


KINDS = [0, -1, "", "x", [], {}, True, [1, "a"], {"a": 1}, [[]], "[0..)", "sum("]
#: Sections and keys whose values have a shape the code relies on (the ones that crashed).
SHAPED = {"evidence", "tables", "rounding", "scales", "bands", "table", "column", "cap",
          "aggregate", "polarity", "aliases", "type", "label", "columns", "mode"}  # fmt: skip


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    rubric=st.sampled_from([IKM, IPASN, CAPAIAN, AKIP, ANGGARAN]),
    pick=st.integers(0, 10_000),
    kind=st.sampled_from(KINDS),
)
def test_a_rubric_with_one_value_of_another_kind_is_checked_not_a_crash(
    tmp_path_factory, rubric, pick, kind
):
    """One key of a shipped rubric (any depth: tables, layouts, options) given a value of
    another kind; `check` must end with an exit code. The mutation that found the
    loader's type gaps, at the TOML-data level rather than one line of text."""
    import contextlib
    import io
    import tomllib
    from decimal import Decimal

    import tomli_w

    from evalengine.cli import main

    data = tomllib.loads(rubric.read_text(encoding="utf-8"), parse_float=Decimal)
    paths = [p for p in _key_paths(data) if p[0] in SHAPED or p[-1] in SHAPED]
    path = paths[pick % len(paths)]
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = kind
    folder = tmp_path_factory.mktemp("kind")
    bad = folder / rubric.name
    bad.write_text(tomli_w.dumps(data), encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["check", str(bad)]) in (0, 2), path


@pytest.mark.parametrize("name", ["evidence.toml", "evidence.json"])
def test_evidence_saved_with_a_byte_order_mark(run_cli, tmp_path, name):
    # Windows Notepad starts UTF-8 files with a BOM: it was "invalid TOML: invalid
    # statement" at 1:1 (JSON: "Unexpected UTF-8 BOM"), in score and in batch
    import tomllib

    text = MERIT_EVIDENCE.read_text(encoding="utf-8")
    if name.endswith(".json"):
        text = json.dumps(tomllib.loads(text), ensure_ascii=False, default=str)
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    plain_path = tmp_path / ("plain" + path.suffix)
    plain_path.write_text(text, encoding="utf-8")
    without = run_cli("score", MERIT, plain_path, "-f", "json")
    assert without.code == 0, without.err
    with_bom = run_cli("score", MERIT, path, "-f", "json")
    assert with_bom.code == 0, with_bom.err
    assert json.loads(with_bom.out)["headline"] == json.loads(without.out)["headline"]
    batch = run_cli("batch", MERIT, path, "-f", "json", "-j", "1")
    assert batch.code == 0 and json.loads(batch.out)["failed"] == 0
