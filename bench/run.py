"""Time evalengine against a hand-written DuckDB query and a pure-Python loop, same run.

    python bench/generate.py ipasn 1000000   # first, once per size (see generate.py)
    python bench/run.py                      # every target whose data exists
    python bench/run.py --sizes 1000000 --repeat 3 --markdown bench/RESULTS.md

Each contender runs as its own process (started with the same interpreter); wall
time, CPU time (user + sys) and peak resident memory come from ``os.wait4`` of that
process. The best (lowest wall) of ``--repeat`` runs is reported (the contenders of a
target run in rounds, one of each per round), with rows/s and the ratios the issue sets
targets for, each as best over best and as the median of the rounds' own ratios
("paired", which load coming and going on a shared machine moves less):

* IP ASN per agency (CSV, Parquet): evalengine ≤ 1.25× DuckDB, ≥ 4× faster than Python,
  peak ≤ 1 GB;
* IKM per unit: ≤ 1.25× DuckDB, peak ≤ 1 GB;
* the shipped rubrics/ipasn-2019.toml on a roster as BKPSDM exports it (no target);
* IP ASN per work unit, 20,000 groups (``generate.py units``; no target);
* XLSX 100k rows: ≤ 1.5× reading the file with python-calamine alone;
* batch of AKIP documents (rubrics/akip-2021.toml): ≥ 1,000 documents/s;
* ``evalengine score`` on the merit example (rich report): ≤ 1.3× ``python -c "import rich,
  lark, pluggy"``, cold (rubric parsed and checked) and warm (rubric from the cache).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"


def env() -> dict[str, str]:
    """The environment of every contender: this checkout first, third-party plugins off."""
    names = sorted({ep.name for ep in importlib.metadata.entry_points(group="evalengine")})
    out = dict(os.environ)
    out["PYTHONPATH"] = str(ROOT)
    out["EVALENGINE_DISABLE_PLUGINS"] = ",".join(names)
    return out


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    #: Wall seconds of every run of this contender, one per round (best_of).
    walls: tuple[float, ...] = ()


def paired(a: Run, b: Run) -> float:
    """The median over rounds of ``a``'s wall over ``b``'s in the same round.

    The contenders of a round run back to back, so a round's ratio is little moved by
    load that comes and goes on this shared machine, which moves a best-of figure on its
    own by 20 % between runs.
    """
    return statistics.median(x / y for x, y in zip(a.walls, b.walls, strict=True))


def ratio(a: Run, b: Run) -> str:
    """``1.31× (paired 1.28×)``: best over best, and the median of the rounds' ratios."""
    return f"{a.wall / b.wall:.2f}× (paired {paired(a, b):.2f}×)"


def measure(
    cmd: list[str],
    repeat: int,
    ok: tuple[int, ...] = (0,),
    environ: dict[str, str | None] | None = None,
) -> Run:
    """Best of ``repeat`` runs of ``cmd`` (an exit code not in ``ok`` aborts with its output).

    ``environ`` is added to (or, for a None value, removed from) :func:`env`.
    """
    return best_of({"": (cmd, environ or {})}, repeat, ok)[""]


def best_of(
    contenders: dict[str, tuple[list[str], dict[str, str | None]]],
    repeat: int,
    ok: tuple[int, ...] = (0,),
) -> dict[str, Run]:
    """Best (lowest wall) of ``repeat`` runs of each contender: {name: (cmd, environ)}.

    The contenders run in rounds, one run of each per round, so a spell of load on
    this shared machine falls on all of them alike rather than on whichever ran then.
    """
    best: dict[str, Run] = {}
    walls: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, (cmd, environ) in contenders.items():
            run = run_once(cmd, ok, environ)
            walls[name].append(run.wall)
            if name not in best or run.wall < best[name].wall:
                best[name] = run
    return {name: replace(run, walls=tuple(walls[name])) for name, run in best.items()}


def run_once(cmd: list[str], ok: tuple[int, ...], environ: dict[str, str | None]) -> Run:
    """One run of ``cmd`` in its own process: wall, CPU and peak memory from ``os.wait4``."""
    import time

    run_env = env()
    for key, value in environ.items():
        if value is None:
            run_env.pop(key, None)
        else:
            run_env[key] = value
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=run_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        message = f"failed ({proc.returncode}): {' '.join(cmd)}\n{err}"
        raise SystemExit(message)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


PY = sys.executable

DUCKDB_IPASN = """
import duckdb, sys
src = sys.argv[1]
reader = f"read_parquet('{src}')" if src.endswith('.parquet') else f"read_csv('{src}')"
rows = duckdb.sql(f'''
SELECT instansi,
  round(avg(CASE pendidikan WHEN 'S3' THEN 25 WHEN 'S2' THEN 20 WHEN 'S1' THEN 15
            WHEN 'D3' THEN 10 WHEN 'SMA' THEN 5 END), 2)
+ round(avg(least(40, diklat * 10 + CASE WHEN seminar > 0 THEN 5 ELSE 0 END)), 2)
+ round(avg(round(skp / 100 * 30, 2)), 2)
+ round(avg(CASE WHEN hukuman = 'tidak' THEN 5 ELSE 0 END), 2) AS ip
FROM {reader} GROUP BY instansi ORDER BY ip DESC''').fetchall()
print(len(rows))
"""

#: The shipped rubrics/ipasn-2019.toml by hand, for a roster of bench/generate.py ipasn2019
#: (its point tables as CASE, keys matched ignoring case, a blank discipline cell as
#: "tidak ada"); per agency, the sum of the four means rounded to 2 places.
DUCKDB_IPASN_2019 = """
import duckdb, sys
src = sys.argv[1]
rows = duckdb.sql(f'''
WITH p AS (
  SELECT "Instansi" AS instansi,
    CASE upper(trim("Pendidikan Terakhir"))
      WHEN 'S3' THEN 25 WHEN 'S-3' THEN 25 WHEN 'S2' THEN 20 WHEN 'S-2' THEN 20
      WHEN 'S1' THEN 15 WHEN 'S-1' THEN 15 WHEN 'D4' THEN 15 WHEN 'D-IV' THEN 15
      WHEN 'DIV' THEN 15 WHEN 'D3' THEN 10 WHEN 'D-III' THEN 10 WHEN 'DIII' THEN 10
      WHEN 'D2' THEN 5 WHEN 'D-II' THEN 5 WHEN 'D1' THEN 5 WHEN 'D-I' THEN 5
      WHEN 'SLTA' THEN 5 WHEN 'SMA' THEN 5 WHEN 'SMK' THEN 5
      WHEN 'SLTP' THEN 1 WHEN 'SMP' THEN 1 WHEN 'SD' THEN 1 END AS kualifikasi,
    CASE upper(trim("Jenis Jabatan"))
      WHEN 'JPT' THEN 's' WHEN 'PIMPINAN TINGGI' THEN 's' WHEN 'ADMINISTRATOR' THEN 's'
      WHEN 'PENGAWAS' THEN 's' WHEN 'STRUKTURAL' THEN 's' WHEN 'JF' THEN 'f'
      WHEN 'FUNGSIONAL' THEN 'f' WHEN 'JABATAN FUNGSIONAL' THEN 'f'
      WHEN 'PELAKSANA' THEN 'p' WHEN 'JFU' THEN 'p' END AS kelompok,
    lower(trim("Diklatpim")) = 'ya' AS pim,
    lower(trim("Diklat Fungsional")) = 'ya' AS fungsional,
    coalesce("Diklat Teknis JP", 0) AS jp,
    lower(trim("Seminar")) = 'ya' AS seminar,
    CASE lower(trim("Predikat SKP"))
      WHEN 'sangat baik' THEN 30 WHEN 'baik' THEN 25 WHEN 'cukup' THEN 15
      WHEN 'butuh perbaikan' THEN 15 WHEN 'kurang' THEN 5 WHEN 'buruk' THEN 1
      WHEN 'sangat kurang' THEN 1 END AS kinerja,
    CASE lower(trim(coalesce("Hukuman Disiplin", 'tidak ada')))
      WHEN 'tidak ada' THEN 5 WHEN 'tidak' THEN 5 WHEN 'tidak pernah' THEN 5
      WHEN 'ringan' THEN 3 WHEN 'sedang' THEN 2 WHEN 'berat' THEN 1 END AS disiplin
  FROM read_csv('{src}'))
SELECT instansi, round(avg(kualifikasi)
  + avg(least(40, CASE WHEN pim AND kelompok = 's' THEN 15 ELSE 0 END
                + CASE WHEN fungsional AND kelompok = 'f' THEN 15 ELSE 0 END
                + CASE WHEN jp >= 20 THEN CASE kelompok WHEN 'p' THEN 22.5 ELSE 15 END ELSE 0 END
                + CASE WHEN seminar THEN CASE kelompok WHEN 'p' THEN 17.5 ELSE 10 END ELSE 0 END))
  + avg(kinerja) + avg(disiplin), 2) AS ip
FROM p GROUP BY instansi ORDER BY ip DESC''').fetchall()
print(len(rows))
"""

PYTHON_IPASN = """
import csv, sys
points = {'S3': 25, 'S2': 20, 'S1': 15, 'D3': 10, 'SMA': 5}
acc = {}
with open(sys.argv[1], newline='') as f:
    reader = csv.reader(f)
    next(reader)
    for nip, instansi, pendidikan, diklat, seminar, skp, hukuman in reader:
        a = acc.get(instansi)
        if a is None:
            a = acc[instansi] = [0, 0, 0, 0.0, 0]
        a[0] += 1
        a[1] += points[pendidikan]
        a[2] += min(40, int(diklat) * 10 + (5 if int(seminar) > 0 else 0))
        a[3] += round(int(skp) / 100 * 30, 2)
        a[4] += 5 if hukuman == 'tidak' else 0
ranking = sorted(
    ((sum(round(a[j] / a[0], 2) for j in (1, 2, 3, 4)), k) for k, a in acc.items()),
    reverse=True,
)
print(len(ranking))
"""

DUCKDB_SKM = """
import duckdb, sys
src = sys.argv[1]
reader = f"read_parquet('{src}')" if src.endswith('.parquet') else f"read_csv('{src}')"
cols = [f'u{k}' for k in range(1, 10)]
valid = ' AND '.join(f'{c} BETWEEN 1 AND 4' for c in cols)
avgs = ' + '.join(f'avg({c})' for c in cols)
rows = duckdb.sql(f'''
SELECT unit, round(25 * ({avgs}) / 9, 2) AS ikm FROM {reader} WHERE {valid}
GROUP BY unit ORDER BY ikm DESC''').fetchall()
print(len(rows))
"""

PYTHON_SKM = """
import csv, sys
acc = {}
with open(sys.argv[1], newline='') as f:
    reader = csv.reader(f)
    next(reader)
    for row in reader:
        answers = [int(x) for x in row[1:]]
        if not all(1 <= a <= 4 for a in answers):
            continue
        a = acc.setdefault(row[0], [0] + [0] * 9)
        a[0] += 1
        for k, v in enumerate(answers, start=1):
            a[k] += v
ranking = sorted(
    ((round(25 * sum(a[k] / a[0] for k in range(1, 10)) / 9, 2), u) for u, a in acc.items()),
    reverse=True,
)
print(len(ranking))
"""

CALAMINE = """
import sys
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1])
rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
print(len(rows))
"""


#: Runs a job twice in one process and prints the seconds of the second run: what a
#: long-running process (a service, a notebook) pays per job once it has started.
SECOND_RUN = """
import contextlib, io, sys, time
job, args = sys.argv[1], sys.argv[2:]
sys.argv[1:] = args  # what the hand-written script reads

def run():
    with contextlib.redirect_stdout(io.StringIO()):
        if job == "evalengine":
            from evalengine.cli import main
            assert main(args) == 0
        else:
            exec(compile(job, "<hand-written>", "exec"), {"__name__": "__main__"})

run()
start = time.perf_counter()
run()
print(time.perf_counter() - start)
"""


def second_run(job: str, args: list[str], repeat: int) -> float:
    """Best of ``repeat`` processes of the seconds :data:`SECOND_RUN` prints for ``job``."""
    best = float("inf")
    for _ in range(repeat):
        out = subprocess.run(
            [PY, "-c", SECOND_RUN, job, *args],
            env=env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        best = min(best, float(out.strip().splitlines()[-1]))
    return best


def evalengine_score(rubric: Path, evidence: Path, group_by: str | None) -> list[str]:
    cmd = [
        PY,
        "-m",
        "evalengine",
        "score",
        str(rubric),
        str(evidence),
        "-f",
        "json:/dev/null",
    ]
    if group_by:
        cmd += ["--group-by", group_by, "--engine", "duckdb"]
    return cmd


@dataclass
class Line:
    target: str
    rows: int
    contender: str
    run: Run


def fmt_rows(lines: list[Line]) -> list[str]:
    out = []
    for line in lines:
        rate = line.rows / line.run.wall if line.rows else 0
        out.append(
            f"| {line.target} | {line.contender} | {line.run.wall:.2f} | {line.run.cpu:.2f} | "
            f"{rate:,.0f} | {line.run.peak_mb:,.0f} |"
        )
    return out


def compile_checkout() -> None:
    """Write the ``.pyc`` files of this checkout's package and plugins, as installing does.

    Without them (``PYTHONDONTWRITEBYTECODE`` set, or a fresh clone) every evalengine
    process would compile its sources first, a cost no contender from site-packages pays.
    """
    import compileall

    for folder in (ROOT / "evalengine", ROOT / "plugins"):
        compileall.compile_dir(folder, quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000,5000000", help="IP ASN roster sizes")
    parser.add_argument("--skm-sizes", default="1000000,10000000", help="SKM response counts")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--markdown", help="also write the results as Markdown to this file")
    args = parser.parse_args(argv)
    compile_checkout()
    lines: list[Line] = []
    ratios: list[str] = []

    def report(line: Line) -> None:
        lines.append(line)
        print(fmt_rows([line])[0], flush=True)

    def note(text: str) -> None:
        ratios.append(text)
        print(text, flush=True)

    def pair(target: str, n: int, ours: tuple[str, list[str]], theirs: tuple[str, list[str]]):
        """evalengine and a baseline in rounds: both lines reported, (ours, theirs)."""
        runs = best_of({label: (cmd, {}) for label, cmd in (ours, theirs)}, args.repeat)
        for label, _ in (ours, theirs):
            report(Line(target, n, label, runs[label]))
        return runs[ours[0]], runs[theirs[0]]

    for label, kind, sizes, rubric, group_by, by_hand, by_python, python_target in (
        ("IP ASN", "ipasn", args.sizes, "ipasn-bench.toml", "instansi", DUCKDB_IPASN,
         PYTHON_IPASN, " (target ≥ 4)"),
        ("IKM", "skm", args.skm_sizes, "ikm-bench.toml", "unit", DUCKDB_SKM, PYTHON_SKM, ""),
    ):  # fmt: skip
        for n in [int(x) for x in sizes.split(",")]:
            for fmt in ("parquet", "csv"):
                data = DATA / f"{kind}-{n}.{fmt}"
                if not data.exists():
                    continue
                target = f"{label} {n:,} {fmt}"
                ev = DATA / f"{kind}-{n}-{fmt}.toml"
                e, d = pair(
                    target,
                    n,
                    ("evalengine", evalengine_score(BENCH / rubric, ev, group_by)),
                    ("DuckDB by hand", [PY, "-c", by_hand, str(data)]),
                )
                text = f"{target}: evalengine / DuckDB = {ratio(e, d)} (target ≤ 1.25)"
                if fmt == "csv":
                    p = measure([PY, "-c", by_python, str(data)], 1)
                    report(Line(target, n, "pure Python", p))
                    goal = python_target if n >= 5_000_000 else ""  # set for 5M rows
                    text += f"; Python / evalengine = {p.wall / e.wall:.2f}×{goal}"
                note(text + f"; peak {e.peak_mb:,.0f} MB (target ≤ 1024)")
                if n >= 1_000_000:
                    score_args = evalengine_score(BENCH / rubric, ev, group_by)[3:]
                    e2 = second_run("evalengine", score_args, args.repeat)
                    d2 = second_run(by_hand, [str(data)], args.repeat)
                    note(
                        f"{target}, second run in one process (no start-up): evalengine "
                        f"{e2:.2f} s, DuckDB by hand {d2:.2f} s = {e2 / d2:.2f}× (no target)"
                    )
    # rosters compared with a hand-written query but no target of the issue's
    for stem, fmt, label, rubric, ours, group_by, by_hand, why in (
        ("ipasn2019", "csv", "IP ASN 2019 rubric {n:,} csv", ROOT / "rubrics" / "ipasn-2019.toml",
         "evalengine (shipped rubric)", "Instansi", DUCKDB_IPASN_2019,
         "the shipped rubric, nested lookups and yes/no columns"),
        ("units", "parquet", "IP ASN {n:,} parquet, 20,000 work units", BENCH / "ipasn-bench.toml",
         "evalengine", "instansi", DUCKDB_IPASN, "a result, JSON line and ranking row per group"),
    ):  # fmt: skip
        for roster in sorted(DATA.glob(f"{stem}-*.{fmt}"), key=lambda p: int(p.stem.split("-")[1])):
            n = int(roster.stem.split("-")[1])
            target = label.format(n=n)
            ev = DATA / f"{stem}-{n}-{fmt}.toml"
            e, d = pair(
                target,
                n,
                (ours, evalengine_score(rubric, ev, group_by)),
                ("DuckDB by hand", [PY, "-c", by_hand, str(roster)]),
            )
            note(
                f"{target}: evalengine / DuckDB = {ratio(e, d)} (no target: {why}); "
                f"peak {e.peak_mb:,.0f} MB"
            )
    for xlsx in sorted(DATA.glob("ipasn-*.xlsx")):
        n = int(xlsx.stem.split("-")[1])
        target = f"XLSX {n:,}"
        ev = DATA / f"ipasn-{n}-xlsx.toml"
        e, c = pair(
            target,
            n,
            ("evalengine", evalengine_score(BENCH / "ipasn-bench.toml", ev, "instansi")),
            ("python-calamine read only", [PY, "-c", CALAMINE, str(xlsx)]),
        )
        note(f"{target}: evalengine / calamine = {ratio(e, c)} (target ≤ 1.5)")
    for name, rubric in (("akip", "rubrics/akip-2021.toml"), ("merit", "rubrics/merit-2019.toml")):
        docs = DATA / name  # python bench/generate.py akip 10000 (merit: optional)
        if not docs.is_dir():
            continue
        n = sum(1 for f in docs.iterdir() if f.suffix in (".toml", ".json"))
        cmd = [
            PY,
            "-m",
            "evalengine",
            "batch",
            str(ROOT / rubric),
            str(docs),
            "-f",
            "json:/dev/null",
            "--no-progress",
        ]
        b = measure(cmd, args.repeat, ok=(0, 1))
        report(Line(f"batch {n:,} {name} documents", n, "evalengine batch", b))
        note(
            f"batch ({name}): {n / b.wall:,.0f} documents/s, "
            f"{b.cpu / n * 1000:.2f} ms CPU per document"
            + (" (target ≥ 1,000 documents/s)" if name == "akip" else " (no target)")
        )
    for line in startup(max(7, args.repeat)):
        report(line)
    note(startup_ratios(lines))
    if args.markdown:
        write_markdown(Path(args.markdown), lines, ratios)
    return 0


STARTUP = "start-up (merit example, rich report)"
IMPORTS_ONLY = "python -c 'import rich, lark, pluggy'"
RICH_RENDER_IMPORTS = "python -c 'import rich.console, rich.table, rich.panel, lark, pluggy'"


def startup(repeat: int) -> list[Line]:
    """``evalengine score`` on the merit example, rich report, against importing its deps.

    Runs interleaved (one of each per round, best of ``repeat``), so load on the machine
    falls on every contender alike. Cold: no rubric cache (``EVALENGINE_NO_CACHE=1``),
    the rubric is parsed and checked; warm: the second and later runs, which read the
    rubric from the cache (a fresh temporary cache folder, primed by one run). One run
    first also writes the checkout's ``.pyc`` files, as installing a package does
    (``PYTHONDONTWRITEBYTECODE`` is dropped for it). "Shipped plugins": the four plugins of
    ``plugins/`` enabled (from this checkout), as after the README's install commands.
    """
    import tempfile

    example = ROOT / "examples" / "merit-belitung-timur" / "evidence.toml"
    rubric = ROOT / "rubrics" / "merit-2019.toml"
    score = [PY, "-m", "evalengine", "score", str(rubric), str(example)]
    imports = [PY, "-c", "import rich, lark, pluggy"]
    shipped = os.pathsep.join(str(p) for p in sorted((ROOT / "plugins").glob("evalengine-*")))
    with tempfile.TemporaryDirectory(prefix="evalengine-bench-cache-") as cache:
        warm = {"EVALENGINE_CACHE_DIR": cache}
        contenders = {
            "evalengine score, cold (no rubric cache)": (score, {"EVALENGINE_NO_CACHE": "1"}),
            "evalengine score, warm (rubric cache)": (score, warm),
            "evalengine score, warm, shipped plugins": (
                score,
                {
                    **warm,
                    "EVALENGINE_DISABLE_PLUGINS": "",
                    "PYTHONPATH": f"{ROOT}{os.pathsep}{shipped}",
                },
            ),
            "evalengine score -f json, warm": ([*score, "-f", "json"], warm),
            IMPORTS_ONLY: (imports, {}),
            RICH_RENDER_IMPORTS: (
                [PY, "-c", "import rich.console, rich.table, rich.panel, lark, pluggy"],
                {},
            ),
        }
        for cmd, extra in contenders.values():  # .pyc files and the cache entry
            measure(cmd, 1, environ={**extra, "PYTHONDONTWRITEBYTECODE": None})
        best = best_of(contenders, repeat)
    return [Line(STARTUP, 0, name, run) for name, run in best.items()]


def startup_ratios(lines: list[Line]) -> str:
    """The start-up ratios (wall, best runs) against importing rich, lark and pluggy."""
    runs = {line.contender: line.run for line in lines if line.target == STARTUP}
    base = runs[IMPORTS_ONLY]
    fuller = runs[RICH_RENDER_IMPORTS]
    parts = [
        f"{name.removeprefix('evalengine score, ')} {ratio(run, base)} "
        f"(CPU {run.cpu / base.cpu:.2f}×; {run.wall / fuller.wall:.2f}× the imports a rich "
        "report needs)"
        for name, run in runs.items()
        if name not in (IMPORTS_ONLY, RICH_RENDER_IMPORTS)
    ]
    return "start-up: evalengine score / imports only = " + "; ".join(parts) + " (target ≤ 1.3)"


def write_markdown(path: Path, lines: list[Line], ratios: list[str]) -> None:
    import duckdb

    load = os.getloadavg()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    header = [
        "# Benchmark results",
        "",
        f"Run: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · `python bench/run.py` · "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, {mem:.0f} GB RAM · "
        f"Python {platform.python_version()} · DuckDB {duckdb.__version__} · "
        f"fastexcel {importlib.metadata.version('fastexcel')} · "
        f"load average at the end {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}",
        "",
        "| target | contender | wall s | CPU s | rows/s | peak MB |",
        "|---|---|---:|---:|---:|---:|",
        *fmt_rows(lines),
        "",
        "## Ratios",
        "",
        *[f"- {r}" for r in ratios],
        "",
    ]
    path.write_text("\n".join(header), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
