"""``evalengine batch RUBRIC PATH…``: score many evidence files, rank them, list failures.

PATHs are files, folders (every ``*.toml`` / ``*.json`` inside, recursively) or glob
patterns. Files are scored in parallel worker processes when there are enough of
them to pay for starting the workers (``--jobs``), with a progress bar on stderr.
One bad file never stops the others: its error is collected and listed, and the
exit code is 1. Reports (rich, json, csv) are rendered completely before anything
is written, so no partial output is ever left behind.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import sys
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import EvalEngineError, UsageError
from ..report.json import json_text
from ..report.output import check_writable, write_atomic
from .common import emit, progress_display, resolve_rubric_path, show_progress

#: Evidence file suffixes a folder is searched for.
EVIDENCE_SUFFIXES = (".toml", ".json")
#: Below this many files, scoring stays in this process (starting workers costs more).
PARALLEL_MIN_FILES = 200
#: Files handed to a worker at a time.
CHUNK = 64


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser(
        "batch",
        help="score many evidence files and rank them",
        description="Score every evidence file (files, folders, globs) against one rubric; "
        "rank them, count the predikat, and list the files that failed.",
    )
    p.add_argument("rubric", help="rubric file, or the id of a built-in rubric")
    p.add_argument("paths", nargs="+", metavar="PATH", help="evidence files, folders or globs")
    p.add_argument(
        "--format",
        "-f",
        action="append",
        metavar="NAME[:FILE]",
        dest="formats",
        help="rich, json or csv; NAME:FILE writes it to FILE. Repeatable. Default: rich",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        help=f"worker processes (default: CPUs; 1 = no workers; "
        f"fewer than {PARALLEL_MIN_FILES} files never start workers)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--width", type=int, default=None, help="terminal width for the rich report")
    p.set_defaults(run=run)


@dataclass
class Item:
    """One scored (or failed) evidence file, small enough to cross process boundaries."""

    path: str
    subject: str | None = None
    value: str | None = None  # exact decimal text
    max: str | None = None
    band: str | None = None
    meaning: str | None = None
    error: str | None = None
    rank: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def expand_paths(paths: list[str]) -> list[str]:
    """Files named by PATHs: files as given, folders searched, globs expanded; resolved
    (absolute, symlinks followed), unique, in the order found (a folder's in path order)."""
    found: list[Path] = []
    resolved: dict[str, None] = {}
    for spec in paths:
        p = Path(spec)
        if p.is_dir():
            resolved.update(dict.fromkeys(_folder_files(p)))
            continue
        if p.exists():
            found.append(p)
        elif any(ch in spec for ch in "*?["):
            # only files, as in a folder: ``**`` matches every folder, and reading a
            # FIFO named *.toml would wait forever
            matches = sorted(glob.glob(spec, recursive=True))
            found.extend(Path(m) for m in matches if os.path.isfile(m))
        else:
            msg = f"no such file or folder: {spec}"
            raise UsageError(msg, hint="give evidence files, folders or glob patterns")
        # realpath, not Path.resolve (which raises on a symlink loop)
        resolved.update(dict.fromkeys(os.path.realpath(f) for f in found))
        found.clear()
    unique = list(resolved)
    if not unique:
        msg = "no evidence files found"
        raise UsageError(msg, hint=f"folders are searched for {', '.join(EVIDENCE_SUFFIXES)}")
    return unique


def _folder_files(folder: Path) -> list[str]:
    """Evidence files below ``folder``, resolved, in path order.

    The files ``sorted(folder.rglob("*"))`` lists (symlinked folders are not entered)
    that are files with an evidence suffix, each ``.resolve()``-d; but one ``scandir``
    and one ``realpath`` per folder (and per symlinked file) instead of a ``stat`` and a
    ``realpath`` per file, and no Path objects: a second less per 10,000 files.
    """
    out: list[tuple[tuple[str, ...], str]] = []
    stack = [(os.path.realpath(folder), folder.parts)]
    join, splitext = os.path.join, os.path.splitext
    while stack:
        real, parts = stack.pop()
        try:
            with os.scandir(real) as it:
                entries = list(it)
        except PermissionError:
            continue
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                stack.append((join(real, name), (*parts, name)))
            elif splitext(name)[1] in EVIDENCE_SUFFIXES and _is_file(entry):
                path = os.path.realpath(entry.path) if entry.is_symlink() else join(real, name)
                out.append(((*parts, name), path))
    out.sort(key=lambda pair: pair[0])
    return list(dict.fromkeys(path for _, path in out))


def _is_file(entry: os.DirEntry) -> bool:
    """Whether ``entry`` is a file (following symlinks); not a symlink loop."""
    try:
        return entry.is_file()
    except OSError:  # ELOOP: skipped like a dangling symlink
        return False


# -- scoring (also run inside worker processes) ---------------------------------------
#: The engine of this process, the value-only plan built from it (None: the rubric needs
#: the full engine), the suffixes the plan may read, and what they were built for.
_ENGINE: Any = None
_PLAN: Any = None
_FAST_SUFFIXES: tuple[str, ...] = ()
_BUILT_FOR: tuple[str, str | None] | None = None
_READS_TABLES = False


def _init(
    rubric_path: str, plugins_dir: str | None, rubric: Any = None, *, force: bool = False
) -> None:
    """Load the rubric and compile its plan once per process.

    Worker processes started by ``fork`` inherit what the parent built (``force``) and
    return at once; others (``spawn``) load the rubric and plugins here.
    """
    global _ENGINE, _PLAN, _FAST_SUFFIXES, _BUILT_FOR, _READS_TABLES
    if not force and (rubric_path, plugins_dir) == _BUILT_FOR and _ENGINE is not None:
        return
    from .. import plugins
    from ..evaluate.compiled import Unsupported, ValuePlan
    from ..evaluate.engine import Engine
    from ..evidence.readers import JsonEvidenceReader, TomlEvidenceReader, reader_for
    from ..rubric.cache import load_rubric_cached

    if plugins_dir and rubric is None:
        plugins.use_plugins(plugins.Plugins(plugins.get_plugin_manager(plugins_dir=plugins_dir)))
    _ENGINE = Engine(rubric if rubric is not None else load_rubric_cached(rubric_path))
    _READS_TABLES = bool(_ENGINE.rubric.table_indicators())
    try:
        _PLAN = ValuePlan(_ENGINE)
    except Unsupported:
        _PLAN = None
    fast = []
    for suffix, cls in ((".toml", TomlEvidenceReader), (".json", JsonEvidenceReader)):
        try:
            if type(reader_for(Path("evidence" + suffix))) is cls:
                fast.append(suffix)
        except EvalEngineError:
            continue
    _FAST_SUFFIXES = tuple(fast)
    _BUILT_FOR = (rubric_path, plugins_dir)


def _error_text(exc: EvalEngineError) -> str:
    return exc.render().splitlines()[0] if hasattr(exc, "render") else str(exc)


def score_file(path: str) -> Item:
    """Score one file; any user error becomes the item's error, never an exception.

    The value-only plan scores a well-formed document; anything else (a malformed
    file, an answer off the scale, a rubric the plan does not support) is scored by
    the full engine, which names the file, line and column of the problem.
    """
    if _PLAN is not None and path.endswith(_FAST_SUFFIXES):
        item = _score_fast(path)
        if item is not None:
            return item
    return _score_full(path)


def _score_fast(path: str) -> Item | None:
    from ..evidence.readers import load_data
    from ..numbers import plain

    data = load_data(path)
    if data is None:
        return None
    try:
        value, max_, band = _PLAN.score(data)
    except Exception:  # Fallback, or anything unusual: the engine decides
        return None
    subject = data.get("evidence", {}).get("subject")
    return Item(
        path,
        subject=str(subject) if subject is not None else None,
        value=plain(value) if isinstance(value, Decimal) else None,
        max=plain(max_) if isinstance(max_, Decimal) else None,
        band=band.label if band else None,
        meaning=band.meaning if band else None,
    )


def _score_full(path: str) -> Item:
    from ..evidence.readers import read_evidence
    from ..numbers import plain

    try:
        evidence = read_evidence(path)
        if _READS_TABLES:
            from ..bulk import score_grouped

            # a big table (Parquet, 100 KB and more) is read on DuckDB, as score does
            result = score_grouped(_ENGINE.rubric, evidence, plugins=_ENGINE.plugins)
        else:
            result = _ENGINE.evaluate(evidence)
    except EvalEngineError as exc:
        return Item(path, error=_error_text(exc))
    root = result.root
    subject = evidence.meta.get("subject")
    return Item(
        path,
        subject=str(subject) if subject is not None else None,
        value=plain(root.value) if isinstance(root.value, Decimal) else None,
        max=plain(root.max) if isinstance(root.max, Decimal) else None,
        band=root.band.label if root.band else None,
        meaning=root.band.meaning if root.band else None,
    )


def _score_chunk(paths: list[str]) -> list[Item]:
    return [score_file(p) for p in paths]


def score_all(
    rubric_path: str,
    files: list[str] | list[Path],
    *,
    jobs: int | None,
    plugins_dir: str | None,
    progress=None,
    rubric: Any = None,
) -> list[Item]:
    """Score every file, in worker processes when it pays.

    ``progress`` (optional) is a context-manager factory whose value, ``advance(n)``, is
    called after each chunk. It is entered only once the workers exist: the rich progress
    bar runs a thread, and forking a process that has threads running can deadlock.
    The rubric is loaded and compiled here first (``rubric``, when given, is used as
    loaded), so workers started by ``fork`` share it instead of loading it again.
    """
    progress = progress or _no_progress
    paths = [str(f) for f in files]
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    jobs = jobs or os.cpu_count() or 1
    items: list[Item] = []
    _init(rubric_path, plugins_dir, rubric, force=True)
    if jobs <= 1 or len(paths) < PARALLEL_MIN_FILES:
        with progress() as advance:
            for chunk in chunks:
                items.extend(_score_chunk(chunk))
                advance(len(chunk))
        return items
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_init, initargs=(rubric_path, plugins_dir)
    ) as pool:
        results = pool.map(_score_chunk, chunks)  # the workers are started here
        with progress() as advance:
            for result in results:
                items.extend(result)
                advance(len(result))
    return items


@contextlib.contextmanager
def _no_progress():
    yield lambda n: None


def rank(items: list[Item]) -> list[Item]:
    """Scored items by value (highest first, equal values share a rank), then failures."""
    from ..ranking import competition_rank

    return competition_rank(
        items, lambda i: None if i.value is None else Decimal(i.value), lambda i: i.path
    )


def distribution(items: list[Item], rubric) -> list[dict[str, Any]]:
    """Count and percentage of files per predikat, in the band table's order (highest first)."""
    scored = [i for i in items if i.error is None]
    counts = Counter(i.band for i in scored)
    table = rubric.bands.get(rubric.root.band) if rubric.root.band else None
    labels = [b.label for b in reversed(table.ordered())] if table else sorted(counts, key=str)
    meanings = {b.label: b.meaning for b in table.bands} if table else {}
    rows = []
    for label in [*labels, *(k for k in counts if k not in labels)]:
        n = counts.get(label, 0)
        share = (Decimal(n) * 100 / len(scored)).quantize(Decimal("0.01")) if scored else Decimal(0)
        rows.append(
            {"band": label, "meaning": meanings.get(label), "count": n, "percent": str(share)}
        )
    return rows


# -- reports -----------------------------------------------------------------------------
def render_json(rubric, items: list[Item], dist) -> str:
    failed = [i for i in items if i.error]
    data = {
        "schema": "evalengine.batch/1",
        "rubric": {"id": rubric.id, "title": rubric.title, "version": rubric.version},
        "files": len(items),
        "scored": len(items) - len(failed),
        "failed": len(failed),
        "distribution": dist,
        "ranking": [i.to_dict() for i in items if not i.error],
        "failures": [{"path": i.path, "error": i.error} for i in failed],
    }
    return json_text(data, rows=("ranking",))


def render_csv(items: list[Item]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["rank", "path", "subject", "value", "max", "band", "meaning", "error"])
    for i in items:
        writer.writerow(
            [
                i.rank or "",
                i.path,
                i.subject or "",
                i.value or "",
                i.max or "",
                i.band or "",
                i.meaning or "",
                i.error or "",
            ]
        )
    return buffer.getvalue()


def file_labels(paths: list[str]) -> dict[str, str]:
    """Each path relative to the folder the paths share, so equal file names stay apart."""
    if not paths:
        return {}
    common = os.path.commonpath([os.path.dirname(p) for p in paths])
    return {p: os.path.relpath(p, common) for p in paths}


def render_rich(rubric, items: list[Item], dist, options: dict[str, Any]) -> str:
    from rich.table import Table

    from ..numbers import format_id
    from ..report.summary import RANKING_ROWS, render_text
    from ..report.view import band_words, declared_places

    parts: list[Any] = []
    failed = [i for i in items if i.error]
    ranking = Table(
        title=f"{rubric.title}: peringkat {len(items) - len(failed)} dokumen", title_justify="left"
    )
    for name, justify in (
        ("#", "right"),
        ("Subjek", "left"),
        ("Nilai", "right"),
        ("Predikat", "left"),
        ("Berkas", "left"),
    ):
        ranking.add_column(name, justify=justify)  # type: ignore[arg-type]
    limit = options.get("top", RANKING_ROWS)
    places = declared_places(rubric, rubric.root.id)
    shown = [i for i in items if not i.error][:limit]
    names = file_labels([i.path for i in shown])
    for i in shown:
        ranking.add_row(
            str(i.rank),
            i.subject or "",
            format_id(Decimal(i.value), places) if i.value else "—",
            band_words(i.band, i.meaning),
            names[i.path],
        )
    parts.append(ranking)
    if len(items) - len(failed) > limit:
        parts.append(f"… and {len(items) - len(failed) - limit} more (use -f json or csv)")
    dtable = Table(title="Sebaran predikat", title_justify="left")
    dtable.add_column("Predikat")
    dtable.add_column("Jumlah", justify="right")
    dtable.add_column("%", justify="right")
    for row in dist:
        dtable.add_row(
            band_words(row["band"], row["meaning"]),
            str(row["count"]),
            format_id(Decimal(row["percent"]), 2),
        )
    parts.append(dtable)
    if failed:
        ftable = Table(
            title=f"Gagal: {len(failed)} berkas", title_justify="left", style="diag.warning"
        )
        ftable.add_column("Berkas")
        ftable.add_column("Kesalahan")
        for i in failed:
            ftable.add_row(i.path, i.error or "")
        parts.append(ftable)
    return render_text(*parts, options=options)


def run(args: argparse.Namespace) -> int:
    """Score, rank and report."""
    from ..rubric.cache import load_rubric_cached
    from .score import parse_formats

    formats = parse_formats(args.formats, None)
    for name, _ in formats:
        if name not in ("rich", "json", "csv"):
            msg = f"batch reports come as rich, json or csv, not {name!r}"
            raise UsageError(msg)
    for _, path in formats:  # before scoring thousands of files, not after
        if path is not None:
            check_writable(path)
    rubric_path = str(resolve_rubric_path(args.rubric))
    rubric = load_rubric_cached(rubric_path)  # a bad rubric is a usage error before any work
    files = expand_paths(args.paths)
    show = show_progress(args)

    @contextlib.contextmanager
    def progress_bar():
        with progress_display(True) as bar:
            task = bar.add_task(f"scoring {len(files)} files", total=len(files))
            yield lambda n: bar.advance(task, n)

    items = score_all(
        rubric_path,
        files,
        jobs=args.jobs,
        plugins_dir=args.plugins_dir,
        progress=progress_bar if show else None,
        rubric=rubric,
    )
    items = rank(items)
    dist = distribution(items, rubric)
    options = {
        "width": args.width or 110,
        "force_terminal": sys.stdout.isatty(),
        "color_system": "auto" if sys.stdout.isatty() else None,
    }
    rendered = []
    for name, path in formats:  # render everything first: nothing half-written
        if name == "json":
            text = render_json(rubric, items, dist)
        elif name == "csv":
            text = render_csv(items)
        else:
            text = render_rich(rubric, items, dist, options)
        rendered.append((path, text))
    for path, text in rendered:
        if path is None:
            emit(text)
        else:
            write_atomic(path, text)
    failed = sum(1 for i in items if i.error)
    if failed:
        print(f"{failed} of {len(items)} files failed", file=sys.stderr)
        return 1
    return 0
