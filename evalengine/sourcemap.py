"""Positions of keys in TOML and JSON text, which ``tomllib`` and ``json`` do not keep.

A :class:`SourceMap` maps a dotted key path (``indicators.akip.value``) to the line
and column where its value starts. It reads table headers and ``key = value`` lines,
and keys of one-line inline tables; a key it cannot place falls back to its nearest
placed ancestor, so an error always names at least the right table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import Location

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"' + r"|'[^']*'"
_KEY_PART = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=\s*")
_INLINE_KEY = re.compile(rf"\s*({_DOTTED})\s*=\s*")
_KEY_PART_RE = re.compile(_KEY_PART)
_BARE_RE = re.compile(_BARE)
_NOT_SPACE = re.compile(r"\S")


def split_key(dotted: str) -> list[str]:
    """Split a TOML dotted key into parts, unquoting quoted parts."""
    parts = _KEY_PART_RE.findall(dotted)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def key_path(parts: list[str] | tuple[str, ...]) -> str:
    """Join key parts into a dotted path, quoting parts that are not bare keys."""
    return ".".join(p if _BARE_RE.fullmatch(p) else f'"{p}"' for p in parts)


@dataclass
class SourceMap:
    """Key path → (line, column) of the value, for one file."""

    path: str | None
    positions: dict[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)

    def locate(self, parts: list[str] | tuple[str, ...]) -> Location:
        """The location of the value at ``parts``, or of its nearest known ancestor."""
        parts = tuple(str(p) for p in parts)
        key = key_path(parts) if parts else None
        for n in range(len(parts), 0, -1):
            pos = self.positions.get(parts[:n])
            if pos is not None:
                line, column = pos
                return Location(self.path, line, column, key)
        return Location(self.path, None, None, key)

    @classmethod
    def from_toml(cls, text: str, path: str | None) -> SourceMap:
        """Scan TOML text for headers, assignments and inline-table keys."""
        smap = cls(path)
        table: tuple[str, ...] = ()
        array_counts: dict[tuple[str, ...], int] = {}
        in_multiline: str | None = None
        for lineno, line in enumerate(text.splitlines(), start=1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            header = _HEADER.match(line)
            if header:
                parts = tuple(split_key(header.group(2)))
                if header.group(1) == "[[":
                    index = array_counts.get(parts, 0)
                    array_counts[parts] = index + 1
                    parts = (*parts, str(index))
                table = parts
                smap.positions.setdefault(table, (lineno, header.start(2) + 1))
                continue
            assign = _ASSIGN.match(line)
            if not assign:
                continue
            full = (*table, *split_key(assign.group(1)))
            value_col = assign.end() + 1
            smap.positions[full] = (lineno, value_col)
            rest = line[assign.end() :]
            for quote in ('"""', "'''"):
                if rest.startswith(quote) and rest.count(quote) == 1:
                    in_multiline = quote
            if rest.startswith("{"):
                smap._scan_inline(full, line, assign.end(), lineno)
        return smap

    def _scan_inline(self, prefix: tuple[str, ...], line: str, start: int, lineno: int) -> None:
        # One level of nesting is enough for the shapes rubric and evidence files use.
        depth, stack, i = 0, [prefix], start
        while i < len(line):
            ch = line[i]
            if ch == '"':
                end = line.find('"', i + 1)
                i = end + 1 if end > 0 else len(line)
                continue
            if ch == "{":
                depth += 1
                m = _INLINE_KEY.match(line, i + 1)
                if m:
                    self._record(stack, m, lineno)
            elif ch == "}":
                depth -= 1
                if len(stack) > 1:
                    stack.pop()
            elif ch == "," and depth > 0:
                m = _INLINE_KEY.match(line, i + 1)
                if m:
                    self._record(stack, m, lineno)
            i += 1

    def _record(self, stack: list[tuple[str, ...]], m: re.Match, lineno: int):
        # ``m`` matched the whole line from a position, so its offsets are the line's.
        if len(stack) > 1:
            stack.pop()
        full = (*stack[0], *split_key(m.group(1)))
        self.positions[full] = (lineno, m.end() + 1)
        if m.string[m.end() : m.end() + 1] == "{":
            stack.append(full)

    @classmethod
    def from_json(cls, text: str, path: str | None) -> SourceMap:
        """Scan JSON text: each ``"key":`` is placed under the keys of the objects around it."""
        smap = cls(path)
        stack: list[tuple[str, ...] | None] = []  # path of each open container
        pending: tuple[str, ...] | None = None
        array_index: list[int] = []
        i, line, line_start = 0, 1, 0
        current: tuple[str, ...] = ()
        while i < len(text):
            ch = text[i]
            if ch == "\n":
                line, line_start = line + 1, i + 1
            elif ch == '"':
                end = i + 1
                while end < len(text) and text[end] != '"':
                    end += 2 if text[end] == "\\" else 1
                string = text[i + 1 : end]
                # the next character that is not white space (no slice of the rest of the
                # text per string: that made a large JSON file quadratic to scan)
                colon = _NOT_SPACE.search(text, end + 1)
                if colon and colon.group() == ":" and stack and stack[-1] is not None:
                    pending = (*stack[-1], string)
                    value_at = colon.start() + 1
                    while value_at < len(text) and text[value_at] in " \t":
                        value_at += 1
                    smap.positions[pending] = (line, value_at - line_start + 1)
                i = end
            elif ch in "{[":
                if pending is not None:
                    current = pending
                elif stack and array_index:
                    current = (*(stack[-1] or ()), str(array_index[-1]))
                else:
                    current = ()
                stack.append(current if ch == "{" else None)
                if ch == "[":
                    array_index.append(0)
                    stack[-1] = current
                pending = None
            elif ch in "}]":
                stack.pop()
                if ch == "]" and array_index:
                    array_index.pop()
            elif ch == ",":
                pending = None
                if array_index and _first_after(text, i - 1) != '"':
                    array_index[-1] += 1
            i += 1
        return smap


def _first_after(text: str, start: int) -> str:
    """``text[start:].lstrip(",").strip()[:1]``, without copying the rest of the text."""
    j, n = start, len(text)
    while j < n and text[j] == ",":
        j += 1
    while j < n and text[j].isspace():
        j += 1
    return text[j : j + 1]
