"""TOML reading: the compiled ``tomli`` when installed (2–3× faster), else the standard ``tomllib``.

Both are the same parser (``tomllib`` is ``tomli`` vendored into Python 3.11); the compiled
wheel matters when thousands of evidence files are scored. Floats are read as Decimals by
the callers (``parse_float=Decimal``).

:func:`loads` turns the parser's ``RecursionError`` (arrays or inline tables nested hundreds
deep, a key of a thousand dotted parts) into a :class:`TOMLDecodeError` at the deepest
bracket, so every caller reports it as the syntax error it handles already.
"""

from __future__ import annotations

from typing import Any

try:
    from tomli import TOMLDecodeError
    from tomli import loads as _loads
except ImportError:  # pragma: no cover - tomli is a dependency; tomllib is the fallback
    from tomllib import TOMLDecodeError
    from tomllib import loads as _loads

__all__ = ["TOO_DEEP", "TOMLDecodeError", "deepest_bracket", "loads"]

#: The message of a nesting too deep to read (:func:`evalengine.rubric.load.toml_error`
#: gives it its own hint).
TOO_DEEP = "arrays, inline tables or dotted keys nested too deeply to read"


def loads(text: str, **kwargs: Any) -> dict[str, Any]:
    """Parse TOML ``text``; nesting too deep to parse is a :class:`TOMLDecodeError`."""
    try:
        return _loads(text, **kwargs)
    except RecursionError:
        pos = deepest_bracket(text)
        msg = TOO_DEEP
        try:
            raise TOMLDecodeError(msg, text, pos) from None
        except TypeError:  # pragma: no cover - tomllib's error takes the message only
            line = text.count("\n", 0, pos) + 1
            column = pos - (text.rfind("\n", 0, pos) + 1) + 1
            msg += f" (at line {line}, column {column})"
            raise TOMLDecodeError(msg) from None


def deepest_bracket(text: str, *, comments: str = "#") -> int:
    """Offset in ``text`` of the first ``[`` or ``{`` at the deepest nesting, outside strings.

    For TOML and JSON (``comments=""``). With no bracket nested inside another, the offset
    of the line with the most dots (a dotted key of many parts), else 0.
    """
    depth = deepest = 0
    where = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, i
        elif ch in "]}":
            depth -= 1
        elif comments and ch in comments:
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch in "\"'":
            i = _string_end(text, i)
            continue
        i += 1
    if deepest > 1:
        return where
    lines = text.split("\n")
    if not lines:
        return 0
    longest = max(range(len(lines)), key=lambda k: lines[k].count("."))
    return sum(len(line) + 1 for line in lines[:longest])


def _string_end(text: str, i: int) -> int:
    """Offset just after the string (basic, literal, or multi-line) that starts at ``i``."""
    quote = text[i]
    if text.startswith(quote * 3, i):
        end = text.find(quote * 3, i + 3)
        return len(text) if end < 0 else end + 3
    j = i + 1
    while j < len(text) and text[j] not in (quote, "\n"):
        j += 2 if quote == '"' and text[j] == "\\" else 1
    return j + 1
