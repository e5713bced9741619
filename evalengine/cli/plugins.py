"""``evalengine plugins``: every plugin, its version, its hooks and what it registers.

The built-in kinds are plugins too, so a fresh install lists the core modules first,
then the plugins found through the ``evalengine`` entry-point group, then any
``--plugins-dir`` files. ``--format json`` prints the same as a JSON document.
"""

from __future__ import annotations

import argparse
import io
import json
from typing import Any

from rich.table import Table
from rich.text import Text

from .. import plugins as plugin_module
from ..report.summary import ReportConsole
from .common import emit

#: Headings for the registry attributes of :class:`evalengine.plugins.Plugins`.
HEADINGS = {
    "indicator_types": "indicator types",
    "functions": "functions",
    "evidence_readers": "evidence readers",
    "report_formats": "report formats",
}

#: Version of the JSON layout of ``evalengine plugins --format json``.
JSON_SCHEMA = "evalengine.plugins/1"


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser(
        "plugins",
        help="list plugins, their versions, hooks and what they register",
        description="List every plugin (built-in, installed, --plugins-dir) with its version, "
        "the hooks it implements and the indicator types, functions, evidence readers and "
        "report formats it registers.",
    )
    p.add_argument(
        "--format",
        "-f",
        choices=("rich", "json"),
        default="rich",
        help="output format (default: rich)",
    )
    p.add_argument("--width", type=int, default=None, help="terminal width for the rich output")
    p.set_defaults(run=run)


def render_json(described: list[dict[str, Any]]) -> str:
    """The JSON document: ``{"schema": …, "hooks": […], "plugins": […]}``."""
    document = {
        "schema": JSON_SCHEMA,
        "hooks": plugin_module.hook_names(),
        "plugins": described,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def render_rich(described: list[dict[str, Any]], width: int = 110) -> str:
    """A table per plugin: name, origin, version, hooks, then what it registers."""
    buffer = io.StringIO()
    console = ReportConsole(file=buffer, width=width, color_system=None, force_terminal=False)
    for plugin in described:
        title = Text(plugin["name"], style="bold")
        version = plugin["version"] or "unknown version"
        dist = plugin["distribution"]
        title.append(f"  {dist + ' ' if dist and dist != plugin['name'] else ''}{version}")
        title.append(f"  ({plugin['origin']})", style="dim")
        console.print(title)
        console.print(f"  hooks: {', '.join(plugin['hooks']) or '(none)'}")
        for attribute, items in plugin["registers"].items():
            table = Table(show_header=False, box=None, padding=(0, 1, 0, 4))
            table.add_column(no_wrap=True)
            table.add_column()
            for item in items:
                table.add_row(item["name"], item["description"])
            console.print(f"  {HEADINGS.get(attribute, attribute)}:")
            if items:
                console.print(table)
            else:
                console.print("    (none)")
        console.print()
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def run(args: argparse.Namespace) -> int:
    """List the plugins."""
    # installed plugins looked up afresh, not from memory: what `plugins` lists is now
    entry_points = plugin_module.installed_entry_points(refresh=True)
    pm = plugin_module.get_plugin_manager(entry_points=entry_points, plugins_dir=args.plugins_dir)
    described = plugin_module.Plugins(pm).describe()
    if args.format == "json":
        emit(render_json(described))
    else:
        emit(render_rich(described, args.width or 110))
    return 0
