"""The command-line interface: one module per command, one error boundary.

Each command module exposes ``add_parser(subparsers)`` and ``run(args) -> int``.
``main`` catches :class:`EvalEngineError` only and renders it without a traceback;
any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from enum import IntEnum

from ..errors import EvalEngineError


class ExitCode(IntEnum):
    """Process exit codes of every command."""

    #: Success.
    OK = 0
    #: Scored, but below a requested threshold, or a stated figure disagrees.
    FINDINGS = 1
    #: User error: bad rubric, evidence or arguments.
    USER_ERROR = 2


#: Command modules, in the order ``--help`` lists them.
COMMANDS = (
    "score",
    "explain",
    "check",
    "reconcile",
    "plugins",
    "test",
    "rubrics",
    "diff",
    "template",
    "gap",
    "batch",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 by itself; keep the message short
        self.print_usage(sys.stderr)
        print(f"error[usage]: {message}", file=sys.stderr)
        raise SystemExit(ExitCode.USER_ERROR)


def requested_command(argv: list[str]) -> str | None:
    """The command named in ``argv`` (the first word that is not an option), if known."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word == "--plugins-dir":
            skip = True
        elif not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that command's sub-parser.

    Importing a command module imports what it needs (rich tables, the gap search, the
    diff machinery …); running one command imports only its own module, which keeps
    ``evalengine score`` quick to start.
    """
    from .. import __version__

    parser = _Parser(
        prog="evalengine",
        description="Score institutions against regulated rubrics written as data.",
        epilog="exit codes: 0 ok, 1 findings (threshold or stated-figure mismatch), "
        "2 user error (bad rubric, evidence or arguments)",
    )
    parser.add_argument("--version", action="version", version=f"evalengine {__version__}")
    parser.add_argument(
        "--plugins-dir", metavar="DIR", help="also load every *.py in DIR as a plugin"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS if only is None else (only,):
        importlib.import_module(f".{name}", __name__).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    only = requested_command(argv)
    wants_help = only is None or any(a in ("-h", "--help") for a in argv[: argv.index(only)])
    parser = build_parser(None if wants_help else only)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return ExitCode.USER_ERROR
    try:
        if args.plugins_dir:
            from .. import plugins

            pm = plugins.get_plugin_manager(plugins_dir=args.plugins_dir)
            plugins.use_plugins(plugins.Plugins(pm))  # the CLI process uses these plugins
        return int(args.run(args))
    except EvalEngineError as exc:
        print(exc.render(), file=sys.stderr)
        return ExitCode.USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


#: Allocations between two young-generation collections in an ``evalengine`` process.
GC_THRESHOLD = 100_000
#: True in a process that ends with its command (:func:`console_main`): what the command
#: keeps may be left out of the garbage collector's scans (:func:`.common.kept_until_exit`).
#: False when :func:`main` runs in a process that goes on.
ONE_COMMAND_PROCESS = False


def console_main() -> int:
    """The ``evalengine`` command (and ``python -m evalengine``): :func:`main` in a
    process of its own. Call :func:`main` to run a command from Python.

    A command builds objects that live until the process ends (rubric, evidence, every
    result and its report) and almost none of them form cycles, so the cyclic garbage
    collector mostly re-scans live objects: at Python's default threshold (700
    allocations) it ran ~120 times in a 600-agency ``score --group-by`` (0.06 s of
    0.6 s) and took a tenth of ``score`` on the merit example. Here it runs after
    100,000 allocations instead, and the objects left at the end are frozen, so the
    full collection Python makes at exit does not scan them either (the system reclaims them
    when the process ends).
    """
    global ONE_COMMAND_PROCESS
    ONE_COMMAND_PROCESS = True
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    try:
        return main()
    finally:
        gc.freeze()
