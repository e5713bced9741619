"""evalengine-html: the ``html`` report format, one self-contained page for phones and print."""

__version__ = "0.1.0"
