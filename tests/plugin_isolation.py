"""Run tests with evalengine's built-in plugins only.

Other packages installed beside evalengine may register plugins in the ``evalengine``
entry-point group; a broken or unrelated one must not decide whether these tests pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib.metadata import entry_points

import pytest

from evalengine import plugins


def isolate_plugins(monkeypatch) -> None:
    """Block every entry-point plugin for this test and rebuild the default plugins."""
    names = sorted({ep.name for ep in entry_points(group="evalengine")})
    monkeypatch.setenv(plugins.DISABLE_ENV, ",".join(names))
    plugins.default_plugins.cache_clear()


@pytest.fixture(scope="module", autouse=True)
def builtin_plugins_only() -> Iterator[None]:
    """Module-wide :func:`isolate_plugins` (import it into a test module to use it)."""
    mp = pytest.MonkeyPatch()
    isolate_plugins(mp)
    yield
    mp.undo()
    plugins.default_plugins.cache_clear()


def missing_shipped_plugin(message: str) -> None:
    """A plugin of ``plugins/`` that the README's install command installs is missing:
    a failure in CI (which runs that command), a skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
