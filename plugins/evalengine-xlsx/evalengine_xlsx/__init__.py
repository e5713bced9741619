"""evalengine-xlsx: the ``xlsx`` report format, a shareable workbook with numbers as numbers."""

__version__ = "0.1.0"
