"""The hooks of the evalengine-markdown plugin (entry point ``markdown``, group ``evalengine``)."""

from evalengine import hookimpl

from .render import MarkdownReport


@hookimpl
def register_report_formats():
    """The ``markdown`` report format."""
    return [MarkdownReport]
