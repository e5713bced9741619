"""The hooks of the evalengine-xlsx plugin (entry point ``xlsx`` in group ``evalengine``)."""

from evalengine import hookimpl

from .render import XlsxReport


@hookimpl
def register_report_formats():
    """The ``xlsx`` report format."""
    return [XlsxReport]
