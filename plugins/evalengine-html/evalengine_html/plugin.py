"""The hooks of the evalengine-html plugin (entry point ``html`` in group ``evalengine``)."""

from evalengine import hookimpl

from .render import HtmlReport


@hookimpl
def register_report_formats():
    """The ``html`` report format."""
    return [HtmlReport]
