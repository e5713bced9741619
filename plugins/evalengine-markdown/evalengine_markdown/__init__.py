"""evalengine-markdown: the ``markdown`` report format, tables laid out like an LKjIP chapter."""

__version__ = "0.1.0"
