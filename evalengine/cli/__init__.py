"""The command-line interface: one module per command, one error boundary.

Each command module exposes ``add_parser(subparsers)`` and ``run(args) -> int``.
``main`` catches :class:`EvalEngineError` only and renders it without a traceback;
any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
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
    "batch",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 by itself; keep the message short
        self.print_usage(sys.stderr)
        print(f"error[usage]: {message}", file=sys.stderr)
        raise SystemExit(ExitCode.USER_ERROR)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command's sub-parser."""
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
    for name in COMMANDS:
        importlib.import_module(f".{name}", __name__).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return ExitCode.USER_ERROR
    try:
        if args.plugins_dir:
            from .. import plugins

            plugins.default_plugins.cache_clear()
            pm = plugins.get_plugin_manager(plugins_dir=args.plugins_dir)
            instance = plugins.Plugins(pm)
            plugins.default_plugins = lambda: instance  # the CLI process uses these plugins
        return int(args.run(args))
    except EvalEngineError as exc:
        print(exc.render(), file=sys.stderr)
        return ExitCode.USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
