"""Every hook is documented and tested: a section headed by its exact signature in
docs/plugins.md, a test named ``test_hook_<name>``, and a complete hookspec docstring.
The guide's example code is the plugin's real code."""

from __future__ import annotations

import inspect
import re

import pytest
from paths import ROOT

from evalengine import hookspecs
from evalengine.plugins import hook_names

GUIDE = ROOT / "docs" / "plugins.md"
HOOKS = hook_names()


def signature(name: str) -> str:
    fn = getattr(hookspecs, name)
    params = ", ".join(inspect.signature(fn).parameters)
    return f"{name}({params})"


def test_there_are_hooks():
    assert set(HOOKS) >= {
        "register_indicator_types",
        "register_evidence_readers",
        "register_functions",
        "register_report_formats",
    }


@pytest.mark.parametrize("name", HOOKS)
def test_hook_has_a_documentation_section(name):
    headings = re.findall(r"^### `([^`]+)`\s*$", GUIDE.read_text(encoding="utf-8"), re.M)
    assert signature(name) in headings, f"docs/plugins.md needs a heading ### `{signature(name)}`"


@pytest.mark.parametrize("name", HOOKS)
def test_hook_has_a_test(name):
    pattern = re.compile(rf"^def test_hook_{name}\(", re.M)
    files = [*(ROOT / "tests").glob("test_*.py"), *(ROOT / "plugins").glob("*/tests/test_*.py")]
    assert any(pattern.search(f.read_text(encoding="utf-8")) for f in files), (
        f"no test named test_hook_{name}"
    )


@pytest.mark.parametrize("name", HOOKS)
def test_hookspec_docstring_is_complete(name):
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    for part in ("When:", "Arguments:", "Returns:", "Combining:"):
        assert part in doc, f"{name} docstring lacks {part!r}"


def test_guide_shows_the_real_plugin_module():
    plugin = ROOT / "plugins" / "evalengine-skp" / "evalengine_skp" / "plugin.py"
    assert plugin.read_text(encoding="utf-8").strip() in GUIDE.read_text(encoding="utf-8")


def test_guide_names_real_files():
    text = GUIDE.read_text(encoding="utf-8")
    for path in set(
        re.findall(r"`((?:plugins|examples|tests|evalengine)/[\w./-]+\.(?:py|toml))`", text)
    ):
        assert (ROOT / path).exists(), path
