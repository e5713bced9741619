"""User-facing errors and diagnostics: what went wrong, where, and what to do about it.

Every mistake in a rubric, an evidence file or a command line becomes an
:class:`EvalEngineError` (or a list of :class:`Diagnostic`) carrying a
:class:`Location` (file, line, column, dotted key) and a hint. The CLI renders
these without a traceback; any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .safe_text import printable


@dataclass(frozen=True)
class Location:
    """Where something is: a file, a 1-based line and column, and a dotted key path."""

    path: str | None = None
    line: int | None = None
    column: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        parts = [self.path or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def relative(self) -> Location:
        """The same place with the path relative to the working folder, when inside it."""
        import os

        if not self.path or not os.path.isabs(self.path):
            return self
        rel = os.path.relpath(self.path)
        return self if rel.startswith("..") else replace(self, path=rel)

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order locations by file, then line, then column, then key."""
        return (self.path or "", self.line or 0, self.column or 0, self.key or "")


@dataclass(frozen=True)
class Diagnostic:
    """One problem found while loading or checking: severity, code, place, message, hint."""

    severity: str  # "error" or "warning"
    code: str
    message: str
    location: Location = field(default_factory=Location)
    hint: str | None = None

    def render(self) -> str:
        """Render as ``file:line:col: severity[code]: message`` with source context and hint."""
        return render_message(self.severity, self.code, self.message, self.location, self.hint)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form with the same fields."""
        loc = self.location
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "path": loc.path,
            "line": loc.line,
            "column": loc.column,
            "key": loc.key,
            "hint": self.hint,
        }


class EvalEngineError(Exception):
    """A user error: bad rubric, bad evidence or bad arguments. Rendered without traceback."""

    code = "error"

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        hint: str | None = None,
        code: str | None = None,
        diagnostics: Iterable[Diagnostic] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location or Location()
        self.hint = hint
        if code is not None:
            self.code = code
        self.diagnostics = list(diagnostics)

    def at(self, location: Location) -> EvalEngineError:
        """Return the same error moved to ``location`` (keeps the class and hint)."""
        self.location = location
        return self

    def as_diagnostic(self) -> Diagnostic:
        """This error as an error-severity :class:`Diagnostic`."""
        return Diagnostic("error", self.code, self.message, self.location, self.hint)

    def render(self) -> str:
        """Render the error (and any attached diagnostics) for a terminal."""
        if self.diagnostics:
            return "\n".join(d.render() for d in self.diagnostics)
        return render_message("error", self.code, self.message, self.location, self.hint)


class RubricError(EvalEngineError):
    """A rubric file is malformed or inconsistent."""

    code = "rubric"


class FormulaSyntaxError(RubricError):
    """A formula does not parse or exceeds a size limit."""

    code = "formula-syntax"


class FormulaEvalError(EvalEngineError):
    """A formula failed while being evaluated (wrong type, unknown name, division by zero)."""

    code = "formula-eval"


class EvidenceError(EvalEngineError):
    """An evidence file is malformed or does not fit the rubric."""

    code = "evidence"


class PluginError(EvalEngineError):
    """A plugin failed to load, raised in a hook, or returned something of the wrong kind."""

    code = "plugin"


class UsageError(EvalEngineError):
    """The command line asks for something that cannot be done."""

    code = "usage"


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """Return ``"did you mean 'x'?"`` for the closest candidate, or None."""
    import difflib

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def with_suggestion(hint: str | None, name: str, candidates: Iterable[str]) -> str | None:
    """Prefix ``hint`` with a did-you-mean suggestion for ``name`` when one exists."""
    suggestion = did_you_mean(name, candidates)
    if suggestion and hint:
        return f"{suggestion} {hint}"
    return suggestion or hint


def _source_line(path: str | None, line: int | None) -> str | None:
    if not path or not line:
        return None
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return lines[line - 1] if 0 < line <= len(lines) else None


def render_message(
    severity: str, code: str, message: str, location: Location, hint: str | None
) -> str:
    """Format a message the way compilers do: location first, source line with caret, hint.

    A message about no file (a command-line mistake) starts with ``evalengine:`` instead.
    """
    where = str(location) if location.path or location.line else "evalengine"
    out = [f"{where}: {severity}[{code}]: {message}"]
    if location.key:
        out.append(f"  in `{location.key}`")
    source = _source_line(location.path, location.line)
    if source is not None:
        gutter = f"{location.line:>5} | "
        out.append(gutter + source.rstrip())
        if location.column:
            out.append(" " * (len(gutter) - 2) + "| " + " " * (location.column - 1) + "^")
    if hint:
        out.append(f"hint: {hint}")
    # one mark per control character keeps the caret under its column
    return printable("\n".join(out), mark="\N{REPLACEMENT CHARACTER}")


def shift(location: Location, *, line: int = 0, column: int = 0) -> Location:
    """Return ``location`` moved by a formula-relative offset (for positions inside strings)."""
    if location.line is None:
        return location
    if line:
        return replace(location, line=location.line + line, column=column or None)
    return replace(location, column=(location.column or 1) + column)
