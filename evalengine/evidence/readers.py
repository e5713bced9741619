"""Evidence readers: files → :class:`Evidence`. TOML and JSON are built in; plugins add more.

Layout of a TOML (or JSON) evidence document::

    [evidence]            # who and what: rubric, subject, period, source
    [answers]             # indicator id → answer, or { <stage> = answer, …, note = "…" }
    [facts]               # any named facts formulas read as evidence.<name>
    [stated]              # figures a report states, checked against computed ones
    [tables.<name>]       # file = "responses.csv" (read by a table reader), or rows inline
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from .. import toml
from ..errors import EvidenceError, Location, with_suggestion
from ..hookspecs import hookimpl
from ..sourcemap import SourceMap
from .model import ANY_STAGE, Evidence, EvidenceValue, Provenance

SECTIONS = {
    "evidence": "who and what is assessed: rubric, subject, period, source",
    "answers": "indicator id → answer on its scale",
    "facts": "named facts, read in formulas as evidence.<name>",
    "stated": "figures a report states, to be checked",
    "tables": 'tables of rows (inline, or a file = "….csv")',
}
META_KEYS = {
    "rubric",
    "version",
    "versions",
    "subject",
    "period",
    "source",
    "as_of",
    "population",
    "notes",
}


class EvidenceReader:
    """Base class of evidence readers.

    Class attributes:
        name: unique reader name.
        suffixes: file suffixes it reads (``.toml``).
        description: one line for ``evalengine plugins``.
    """

    name: ClassVar[str] = ""
    suffixes: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str] = ""

    def read(self, path: Path) -> Evidence:
        """Read ``path`` into an :class:`Evidence`; raise :class:`EvidenceError` on bad input."""
        raise NotImplementedError


def _read_text(path: Path) -> str:
    try:
        # utf-8-sig: a byte-order mark (Windows Notepad writes one) is no TOML or JSON
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        msg = f"evidence file {path} does not exist"
        raise EvidenceError(msg, location=Location(str(path)), hint="check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"cannot read evidence file {path}: {exc}"
        raise EvidenceError(msg, location=Location(str(path))) from None


class TomlEvidenceReader(EvidenceReader):
    """Evidence written as TOML (floats read as exact decimals)."""

    name = "toml"
    suffixes = (".toml",)
    description = "evidence documents in TOML"

    def read(self, path: Path) -> Evidence:
        text = _read_text(path)
        try:
            data = toml.loads(text, parse_float=Decimal)
        except toml.TOMLDecodeError as exc:
            from ..rubric.load import toml_error

            diag = toml_error(exc, str(path))
            raise EvidenceError(
                diag.message, location=diag.location, hint=diag.hint, code="toml-syntax"
            ) from None
        return build_evidence(data, str(path), SourceMap.from_toml(text, str(path)))


class JsonEvidenceReader(EvidenceReader):
    """Evidence written as JSON (numbers read as exact decimals)."""

    name = "json"
    suffixes = (".json",)
    description = "evidence documents in JSON"

    def read(self, path: Path) -> Evidence:
        text = _read_text(path)
        import json  # on use: TOML evidence never needs it (start-up)

        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            msg = f"invalid JSON: {exc.msg}"
            raise EvidenceError(
                msg,
                location=Location(str(path), exc.lineno, exc.colno),
                hint="check commas, quotes and brackets on this line",
                code="json-syntax",
            ) from None
        except RecursionError:
            pos = toml.deepest_bracket(text, comments="")
            line = text.count("\n", 0, pos) + 1
            msg = "invalid JSON: arrays or objects nested too deeply to read"
            raise EvidenceError(
                msg,
                location=Location(str(path), line, pos - (text.rfind("\n", 0, pos) + 1) + 1),
                hint=NESTING_HINT,
                code="json-syntax",
            ) from None
        if not isinstance(data, dict):
            msg = "a JSON evidence file must hold an object at the top"
            raise EvidenceError(msg, location=Location(str(path), 1, 1))
        return build_evidence(data, str(path), SourceMap.from_json(text, str(path)))


#: Deepest nesting of tables and arrays an evidence document may have: real ones have
#: five or six levels (tables.<name>.rows[i].<column>); hundreds exhaust Python's stack.
MAX_NESTING = 64
NESTING_HINT = "nest arrays and tables a few levels deep at most"


def too_deep(data: Any, limit: int = MAX_NESTING) -> tuple[str, ...] | None:
    """The key path of a value nested more than ``limit`` levels deep, if any.

    The path goes on to the innermost value of that branch: a source map places the
    longest key it knows, and a ``[a.b.c…]`` header names only its full path.
    """
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        node, parts = stack.pop()
        if len(parts) > limit:
            while isinstance(node, dict | list) and node:
                key, node = next(iter(node.items() if isinstance(node, dict) else enumerate(node)))
                parts = (*parts, str(key))
            return parts
        if isinstance(node, dict):
            stack.extend((v, (*parts, str(k))) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*parts, str(i))) for i, v in enumerate(node))
    return None


def build_evidence(data: dict[str, Any], path: str | None, smap: SourceMap | None) -> Evidence:
    """Turn a parsed TOML/JSON document into :class:`Evidence`, checking its shape."""
    evidence = Evidence(path=path, source_map=smap)
    deep = too_deep(data)
    if deep is not None:
        msg = f"the evidence nests values more than {MAX_NESTING} levels deep"
        raise EvidenceError(
            msg, location=evidence.location(deep), hint=NESTING_HINT, code="evidence-shape"
        )

    def value(parts: tuple[str, ...], raw: Any) -> EvidenceValue:
        loc = evidence.location(parts)
        return EvidenceValue(raw, Provenance(path, loc.key, loc.line, loc.column))

    def fail(message: str, parts: tuple[str, ...], hint: str | None = None):
        raise EvidenceError(
            message, location=evidence.location(parts), hint=hint, code="evidence-shape"
        )

    for key in data:
        if key not in SECTIONS:
            fail(
                f"unknown section `{key}` in the evidence file",
                (key,),
                with_suggestion(f"sections: {', '.join(SECTIONS)}", key, SECTIONS),
            )
    for section in ("evidence", "answers", "facts", "stated", "tables"):
        if section in data and not isinstance(data[section], dict):
            fail(f"`{section}` must be a table", (section,))
    meta = data.get("evidence", {})
    for key in meta:
        if key not in META_KEYS:
            fail(
                f"unknown key `{key}` in [evidence]",
                ("evidence", key),
                with_suggestion(f"keys: {', '.join(sorted(META_KEYS))}", key, META_KEYS),
            )
    versions = meta.get("versions")
    if versions is not None:
        if not isinstance(versions, list) or not versions:
            fail(
                "`versions` in [evidence] must be a non-empty list",
                ("evidence", "versions"),
                'e.g. versions = ["2015", "2021"]: every rubric version the file answers',
            )
        if "version" in meta and str(meta["version"]) not in {str(v) for v in versions}:
            fail(
                f"[evidence] version {meta['version']!r} is not among versions",
                ("evidence", "version"),
                "add it to versions, or leave version out",
            )
    evidence.meta = dict(meta)
    for iid, raw in data.get("answers", {}).items():
        per_stage: dict[str, EvidenceValue] = {}
        if isinstance(raw, dict):
            for stage, answer in raw.items():
                if stage == "note":
                    evidence.notes[iid] = str(answer)
                    continue
                per_stage[ANY_STAGE if stage == "value" else stage] = value(
                    ("answers", iid, stage), answer
                )
        else:
            per_stage[ANY_STAGE] = value(("answers", iid), raw)
        evidence.answers[iid] = per_stage
    for iid, raw in data.get("stated", {}).items():
        if isinstance(raw, dict):
            evidence.stated[iid] = {
                ANY_STAGE if s == "value" else s: value(("stated", iid, s), v)
                for s, v in raw.items()
            }
        else:
            evidence.stated[iid] = {ANY_STAGE: value(("stated", iid), raw)}

    def facts(node: Any, parts: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            return {k: facts(v, (*parts, k)) for k, v in node.items()}
        return value(parts, node)

    evidence.facts = facts(data.get("facts", {}), ("facts",))
    evidence.meta["_tables"] = data.get("tables", {})
    return evidence


def load_data(path: str) -> dict[str, Any] | None:
    """The parsed content of a ``.toml`` or ``.json`` evidence file, without provenance.

    For the value-only batch path (:mod:`evalengine.evaluate.compiled`): the same text
    (UTF-8, universal newlines, as :func:`_read_text` reads it) parsed by the same parser
    with floats as Decimals, but no source map and no :class:`Evidence`. Returns None
    when the file cannot be read or parsed; :func:`read_evidence` then says why, with
    file, line and column.
    """
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8-sig")  # as _read_text: without a byte-order mark
        if "\r" in text:  # what text mode does (universal newlines)
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if path.endswith(".toml"):
            return toml.loads(text, parse_float=Decimal)
        if path.endswith(".json"):
            import json  # on use, as in the JSON reader

            data = json.loads(text, parse_float=Decimal)
            return data if isinstance(data, dict) else None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError, toml.TOMLDecodeError):
        return None
    return None


def reader_for(path: Path, plugins=None) -> EvidenceReader:
    """The registered reader for ``path``'s suffix."""
    from ..plugins import default_plugins

    plugins = plugins or default_plugins()
    suffix = path.suffix.lower()
    known: list[str] = []
    for _, cls in plugins.evidence_readers.items():
        known.extend(cls.suffixes)
        if suffix in cls.suffixes:
            return cls()
    msg = f"no evidence reader for '{suffix or path.name}' files"
    raise EvidenceError(
        msg,
        location=Location(str(path)),
        hint=f"readable: {', '.join(sorted(set(known)))}",
    )


def read_evidence(path: str | Path, *, plugins=None) -> Evidence:
    """Read an evidence file with the reader registered for its suffix."""
    from .tables import load_tables

    path = Path(path)
    evidence = reader_for(path, plugins).read(path)
    load_tables(evidence, path, plugins=plugins)
    return evidence


@hookimpl
def register_evidence_readers():
    """The core's own evidence readers."""
    return [TomlEvidenceReader, JsonEvidenceReader]
