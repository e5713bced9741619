"""The html report in a real headless Chromium: it renders, shows the headline and every
aspect, and a screenshot is kept under tests/artifacts/ (gitignored).

Skipped only on a developer machine without Chromium; with ``CI`` set, a missing browser
is a failure (``.ci/run`` installs the Debian packages ``chromium`` and ``chromium-driver``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from evalengine_html.render import render_html

from evalengine import evaluate, load_rubric, read_evidence
from evalengine.report import view

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "tests" / "artifacts"
RUBRIC = ROOT / "rubrics" / "merit-2019.toml"
EVIDENCE = ROOT / "examples" / "merit-belitung-timur" / "evidence.toml"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def chromium() -> str:
    """The Chromium binary, or skip (locally) / fail (in CI)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("CI is set but Chromium is not installed; .ci/run installs `chromium`")
    pytest.skip("Chromium not installed (apt-get install chromium chromium-driver); CI runs it")


def run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "HOME": str(profile)},
    )


class DomText(HTMLParser):
    """Collects the text of the dumped DOM and the attributes of aspect items."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.aspects: list[dict[str, str | None]] = []
        self.headline: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("data-testid") == "aspect":
            self.aspects.append(attributes)
        if attributes.get("data-testid") == "headline":
            self.headline = attributes

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    result = evaluate(load_rubric(RUBRIC), read_evidence(EVIDENCE))
    folder = tmp_path_factory.mktemp("html")
    page = folder / "merit.html"
    page.write_text(render_html(result), encoding="utf-8")
    return result, page


def test_chromium_renders_headline_and_every_aspect(rendered, tmp_path):
    binary = chromium()
    result, page = rendered
    proc = run_chromium(binary, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = DomText()
    dom.feed(proc.stdout)
    text = " ".join(" ".join(dom.text).split())
    assert dom.headline is not None, "headline section missing from the rendered DOM"
    assert dom.headline["data-value"] == view.number(result.root.value) == "252"
    assert f"{result.root.band.label} {result.root.band.meaning}" == "III Baik"
    assert "III Baik" in text
    ids = [a["data-id"] for a in dom.aspects]
    assert ids == [n.id for n in result.root.children]
    for node in result.root.children:
        assert node.label in text
        assert f"{view.number(node.value)} / {view.number(node.max)}" in text


@pytest.mark.parametrize(("name", "size"), [("phone", "412,2000"), ("desktop", "1280,1600")])
def test_chromium_screenshot_kept_as_artifact(rendered, tmp_path, name, size):
    binary = chromium()
    _, page = rendered
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"html-merit-{name}.png"
    shot.unlink(missing_ok=True)
    proc = run_chromium(
        binary,
        tmp_path / "profile",
        "--hide-scrollbars",
        f"--window-size={size}",
        f"--screenshot={shot}",
        page.as_uri(),
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000  # a blank page is a few hundred bytes


def pdf_pages(binary: str, profile: Path, page: Path, pdf: Path) -> int:
    proc = run_chromium(
        binary, profile, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


def test_printing_opens_every_calculation_sheet(rendered, tmp_path):
    """Printed, the page is as long as with every <details> open: the sheets are on paper."""
    binary = chromium()
    _, page = rendered
    text = page.read_text(encoding="utf-8")
    opened = tmp_path / "open.html"
    opened.write_text(
        text.replace('<details class="derivation">', '<details class="derivation" open>'),
        encoding="utf-8",
    )
    closed = tmp_path / "closed.html"
    closed.write_text(
        re.sub(
            r"<script>.*?</script>",
            "",
            text.replace("details::details-content", "x-none"),
            flags=re.S,
        ),
        encoding="utf-8",
    )
    profile = tmp_path / "profile"
    printed = pdf_pages(binary, profile, page, tmp_path / "page.pdf")
    assert printed == pdf_pages(binary, profile, opened, tmp_path / "open.pdf")
    assert printed > pdf_pages(binary, profile, closed, tmp_path / "closed.pdf")


def test_phone_width_has_no_horizontal_scroll(rendered, tmp_path):
    """At a phone's width nothing is wider than the screen (headless Chromium may widen a
    412 px window to its minimum of 500 px; still below the 40rem phone breakpoint)."""
    binary = chromium()
    _, page = rendered
    probe = (
        "<script>window.addEventListener('load',function(){var d=document.documentElement;"
        "document.body.setAttribute('data-probe',d.scrollWidth+'x'+window.innerWidth);});"
        "</script></body>"
    )
    copy = tmp_path / "phone.html"
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", probe), encoding="utf-8")
    proc = run_chromium(
        binary, tmp_path / "profile", "--window-size=412,900", "--dump-dom", copy.as_uri()
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    match = re.search(r'data-probe="(\d+)x(\d+)"', proc.stdout)
    assert match, "the probe script did not run"
    scroll_width, inner_width = map(int, match.groups())
    assert inner_width < 640  # the phone layout (max-width: 40rem) applies
    assert scroll_width <= inner_width
