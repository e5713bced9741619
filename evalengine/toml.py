"""TOML reading: the compiled ``tomli`` when installed (2–3× faster), else the standard ``tomllib``.

Both are the same parser (``tomllib`` is ``tomli`` vendored into Python 3.11); the compiled
wheel matters when thousands of evidence files are scored. Floats are read as Decimals by
the callers (``parse_float=Decimal``).
"""

from __future__ import annotations

try:
    from tomli import TOMLDecodeError, loads
except ImportError:  # pragma: no cover - tomli is a dependency; tomllib is the fallback
    from tomllib import TOMLDecodeError, loads

__all__ = ["TOMLDecodeError", "loads"]
