"""A table that renders exactly like ``rich.table.Table``, ~20× faster on plain text.

rich lays out a table through a renderable per cell (a ``Padding`` around a ``Text``),
measuring and rendering each through its generic machinery: ~0.1–0.15 s for the merit
report's ten tables and ~460 cells, more than the rest of ``evalengine score`` after
start-up. :class:`FastTable` takes the same columns and rows, and when the output has no
colours (a file, a pipe, ``NO_COLOR``: the console's ``color_system`` is None) it lays
the cells out itself with rich's own rules and functions — the column measurements and
``Table._collapse_widths`` for the widths (copied, with ``ratio_reduce``, to spare
the import of ``rich.table`` and ``fractions``), ``divide_line`` for word wrapping, the same
truncation, justification and padding, the box characters of ``rich.box`` — and
yields finished lines. The text is the same, character for character
(``tests/test_startup_fasttable.py`` compares both on the report of every shipped
example and on generated tables).

Anything else renders through a real ``rich.table.Table`` built from the same data
(:meth:`FastTable.to_rich`): colour output (rich's segments carry styles and
highlighting), an ASCII-only or legacy Windows console, a cell that is not a string or
a plain :class:`~rich.text.Text`, text with characters that are not one cell wide (wide
or combining characters, control codes, tabs, line breaks), and very narrow columns.
Only the options the report uses are supported: title (left-justified), ``show_edge``,
and per column ``style``, ``justify`` (left/right/center), ``no_wrap`` and ``ratio``
(which rich ignores unless the table expands, and these do not).
"""

from __future__ import annotations

import re
import sys
from itertools import pairwise
from typing import Any

#: Text that rich's markup or emoji codes might change (a superset of both patterns:
#: ``[`` opening a tag, ``:name:``); such a ``str`` is read through ``render_str``.
_MAYBE_MARKUP = re.compile(r"\[[a-z#/@]|:\S*?:")


class Styled:
    """Text with styled parts: what the report builds instead of ``rich.text.Text``.

    ``Styled("a", style="x").append("b", style="y")`` becomes, through :meth:`to_rich`,
    ``Text("a", style="x")`` with ``"b"`` appended in style ``y`` — the same object the
    report built with rich before — but making one does not import rich, so a report
    rendered by :func:`plain_report` never imports it.
    """

    __slots__ = ("parts", "style")

    def __init__(self, text: str = "", style: str = "") -> None:
        self.style = style
        self.parts: list[tuple[str, str | None]] = [(text, None)] if text else []

    @property
    def plain(self) -> str:
        """The text without styles."""
        return "".join(text for text, _ in self.parts)

    def append(self, text: str, style: str | None = None) -> Styled:
        """Add ``text`` in ``style`` at the end (as ``Text.append``)."""
        if text:
            self.parts.append((text, style))
        return self

    def rstrip(self) -> None:
        """Remove trailing whitespace, in place (as ``Text.rstrip``, which returns None)."""
        while self.parts:
            text, style = self.parts[-1]
            stripped = text.rstrip()
            if stripped:
                self.parts[-1] = (stripped, style)
                return
            self.parts.pop()

    def __len__(self) -> int:
        return sum(len(text) for text, _ in self.parts)

    def to_rich(self):
        """The same text as a ``rich.text.Text``."""
        from rich.text import Text

        text = Text(style=self.style)
        for part, style in self.parts:
            text.append(part, style=style)
        return text

    def __rich__(self):
        return self.to_rich()


def _rich_cell(cell: Any) -> Any:
    return cell.to_rich() if isinstance(cell, Styled) else cell


class _Column:
    """One column's options and cells."""

    __slots__ = ("cells", "header", "justify", "no_wrap", "ratio", "style")

    def __init__(self, header: Any, style: str | None, justify: str, no_wrap: bool, ratio) -> None:
        self.header, self.style, self.justify = header, style, justify
        self.no_wrap, self.ratio = no_wrap, ratio
        self.cells: list[Any] = []


class FastTable:
    """The subset of ``rich.table.Table`` the terminal report uses, with a fast layout."""

    def __init__(
        self,
        title: str | None = None,
        *,
        title_justify: str = "left",
        show_edge: bool = True,
        expand: bool = False,
    ) -> None:
        self.title = title
        self.title_justify = title_justify
        self.show_edge = show_edge
        self.expand = expand
        self.columns: list[_Column] = []
        self.sections: set[int] = set()  # indexes of rows followed by a section line
        self.row_count = 0

    def add_column(
        self,
        header: Any = "",
        *,
        style: str | None = None,
        justify: str = "left",
        no_wrap: bool = False,
        ratio: int | None = None,
    ) -> None:
        """Add a column (the same keywords as ``Table.add_column``)."""
        self.columns.append(_Column(header, style, justify, no_wrap, ratio))

    def add_row(self, *cells: Any) -> None:
        """Add a row; missing cells are empty."""
        if len(cells) > len(self.columns):
            msg = f"row has {len(cells)} cells, the table {len(self.columns)} columns"
            raise ValueError(msg)
        padded = [*cells] + [""] * (len(self.columns) - len(cells))
        for column, cell in zip(self.columns, padded, strict=True):
            column.cells.append(cell)
        self.row_count += 1

    def add_section(self) -> None:
        """A line under the last row added (as ``Table.add_section``)."""
        if self.row_count:
            self.sections.add(self.row_count - 1)

    def to_rich(self):
        """The same table as a ``rich.table.Table``."""
        from rich.table import Table

        table = Table(
            title=self.title,
            title_justify=self.title_justify,
            show_edge=self.show_edge,
            expand=self.expand,
        )
        for column in self.columns:
            table.add_column(
                column.header,
                style=column.style,
                justify=column.justify,
                no_wrap=column.no_wrap,
                ratio=column.ratio,
            )
        for index in range(self.row_count):
            table.add_row(*(_rich_cell(column.cells[index]) for column in self.columns))
            if index in self.sections:
                table.add_section()
        return table

    def __rich_console__(self, console, options):
        yield from _rich_console(self, console, options)

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        return Measurement.get(console, options, self.to_rich())

    # -- the layout -------------------------------------------------------------------

    def plain_lines(self, width: int, render_str=None) -> list[str] | None:
        """The table as lines of text at ``width``, or None when only rich can render it.

        ``render_str`` turns a ``str`` that may hold markup into its text (the
        console's); without it such a cell makes the table rich's to render.
        """
        if self.expand or not self.columns:
            return None
        columns = []
        for column in self.columns:
            texts = [_plain(cell, render_str) for cell in (column.header, *column.cells)]
            if any(t is None for t in texts):
                return None
            columns.append(texts)
        extra = (2 if self.show_edge else 0) + len(self.columns) - 1
        widths = self._widths(columns, width - extra)
        if widths is None or any(w < 3 for w in widths):
            return None
        out: list[str] = []
        if self.title:
            title = _plain(self.title, render_str)
            if title is None or self.title_justify not in ("left", "right", "center"):
                return None
            out += _wrap(title, sum(widths) + extra, self.title_justify, "fold", no_wrap=False)
        from rich.box import HEAVY_HEAD

        box = HEAVY_HEAD
        if self.show_edge:
            out.append(box.get_top(widths))
        last = self.row_count  # row 0 is the header
        for index in range(self.row_count + 1):
            cells = []
            for column, texts, width in zip(self.columns, columns, widths, strict=True):
                lines = _wrap(texts[index], width - 2, column.justify, "ellipsis", column.no_wrap)
                if lines is None:
                    return None
                cells.append([f" {line} " for line in lines])
            height = max(len(c) for c in cells)
            for cell, width in zip(cells, widths, strict=True):
                blank = [" " * width] * (height - len(cell))
                cell[:] = blank + cell if index == 0 else cell + blank  # header: bottom
            if index == 0:
                left, right, divider = box.head_left, box.head_right, box.head_vertical
            elif index == last:
                left, right, divider = box.foot_left, box.foot_right, box.foot_vertical
            else:
                left, right, divider = box.mid_left, box.mid_right, box.mid_vertical
            for line_no in range(height):
                line = divider.join(cell[line_no] for cell in cells)
                out.append(f"{left}{line}{right}" if self.show_edge else line)
            if index == 0:
                out.append(box.get_row(widths, "head", edge=self.show_edge))
            elif index - 1 in self.sections and index != last:
                out.append(box.get_row(widths, "row", edge=self.show_edge))
        if self.show_edge:
            out.append(box.get_bottom(widths))
        return out

    def _widths(self, columns: list[list[str]], max_width: int) -> list[int] | None:
        """Column widths (with padding), as ``Table._calculate_column_widths``."""
        texts_measures = [[_text_measure(t) for t in texts] for texts in columns]
        measures = [_measure_column(m, max_width) for m in texts_measures]
        widths = [maximum or 1 for _, maximum in measures]
        if sum(widths) > max_width:
            widths = _collapse_widths(
                widths, [not column.no_wrap for column in self.columns], max_width
            )
            if sum(widths) > max_width:
                excess = sum(widths) - max_width
                widths = _ratio_reduce(excess, [1] * len(widths), widths, widths)
            widths = [
                _measure_column(m, width)[1] or 0
                for m, width in zip(texts_measures, widths, strict=True)
            ]
        return widths


def _ratio_reduce(
    total: int, ratios: list[int], maximums: list[int], values: list[int]
) -> list[int]:
    """``rich._ratio.ratio_reduce`` (copied: importing it pulls in ``fractions``)."""
    ratios = [ratio if _max else 0 for ratio, _max in zip(ratios, maximums, strict=False)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    total_remaining = total
    result: list[int] = []
    for ratio, maximum, value in zip(ratios, maximums, values, strict=False):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * total_remaining / total_ratio))
            result.append(value - distributed)
            total_remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _collapse_widths(widths: list[int], wrapable: list[bool], max_width: int) -> list[int]:
    """``Table._collapse_widths``: narrow the widest wrappable columns first."""
    total_width = sum(widths)
    excess_width = total_width - max_width
    if any(wrapable):
        while total_width and excess_width > 0:
            max_column = max(w for w, allow in zip(widths, wrapable, strict=True) if allow)
            second_max_column = max(
                w if allow and w != max_column else 0
                for w, allow in zip(widths, wrapable, strict=True)
            )
            column_difference = max_column - second_max_column
            ratios = [
                (1 if (w == max_column and allow) else 0)
                for w, allow in zip(widths, wrapable, strict=True)
            ]
            if not any(ratios) or not column_difference:
                break
            max_reduce = [min(excess_width, column_difference)] * len(widths)
            widths = _ratio_reduce(excess_width, ratios, max_reduce, widths)
            total_width = sum(widths)
            excess_width = total_width - max_width
    return widths


class FastPanel:
    """``rich.panel.Panel(content, title=…, title_align=…, border_style=…)``, fast.

    The report's panels: full width, rounded box, padding of one cell left and right,
    content wrapped at the inner width, the title in the top border. Plain lines as rich
    draws them (see :meth:`plain_lines`), or the rich ``Panel`` (:meth:`to_rich`).
    """

    def __init__(
        self,
        content: Styled | str,
        *,
        title: Styled | str | None = None,
        title_align: str = "center",
        border_style: str = "none",
    ) -> None:
        self.content = content
        self.title = title
        self.title_align = title_align
        self.border_style = border_style

    def to_rich(self):
        """The same panel as a ``rich.panel.Panel``."""
        from rich.panel import Panel

        title = self.title
        if isinstance(title, Styled):
            title = title.to_rich()
        return Panel(
            _rich_cell(self.content),
            title=title,
            title_align=self.title_align,
            border_style=self.border_style,
        )

    def __rich_console__(self, console, options):
        yield from _rich_console(self, console, options)

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        return Measurement.get(console, options, self.to_rich())

    def plain_lines(self, width: int, render_str=None) -> list[str] | None:
        """The panel as lines of text at ``width``; None when only rich can render it."""
        if width < 5 or self.title_align not in ("left", "center", "right"):
            return None
        content = _plain(self.content, render_str, paragraphs=True)
        if content is None or content.startswith("\n") or content.endswith("\n"):
            return None
        if "\n\n" in content:
            return None
        from rich.box import ROUNDED as box

        inner = width - 4
        if self.title:  # str titles are markup (rich reads them with Text.from_markup)
            title = _plain(self.title, render_str)
            if title is None:
                return None
            title = _truncate(f" {title} ", inner, "fold")
            excess = inner - len(title)
            if self.title_align == "left":
                title += box.top * excess
            elif self.title_align == "right":
                title = box.top * excess + title
            else:
                title = box.top * (excess // 2) + title + box.top * (excess - excess // 2)
            out = [box.top_left + box.top + title + box.top + box.top_right]
        else:
            out = [box.get_top([width - 2])]
        for paragraph in content.split("\n"):
            lines = _wrap(paragraph, inner, "default", "fold", no_wrap=False)
            if lines is None:
                return None
            out += [f"{box.mid_left} {line} {box.mid_right}" for line in lines]
        out.append(box.get_bottom([width - 2]))
        return out


def plain_report(parts: list[Any], width: int) -> str | None:
    """``parts`` (FastTable / FastPanel) as the text rich prints without colours.

    None when a part is something else or needs rich (see the module docstring); the
    caller then prints ``Group(*parts)`` on a rich console. Nothing here imports the
    console, so the report of a plain ``evalengine score`` never imports it.
    """
    if sys.platform == "win32":  # rich may pick legacy-Windows box substitutes there
        return None
    out: list[str] = []
    for part in parts:
        if not isinstance(part, FastTable | FastPanel):
            return None
        lines = part.plain_lines(width)
        if lines is None:
            return None
        out += lines
    return "".join(line + "\n" for line in out)


def _rich_console(renderable, console, options):
    """``__rich_console__`` of the fast renderables: finished lines, or rich's own."""
    lines = None
    if console.color_system is None and not options.ascii_only and not options.legacy_windows:

        def render_str(text: str) -> str:
            return console.render_str(text, markup=options.markup, highlight=False).plain

        lines = renderable.plain_lines(options.max_width, render_str)
    if lines is None:
        yield renderable.to_rich()
        return
    from rich.segment import Segment

    new_line = Segment.line()
    for line in lines:
        yield Segment(line)
        yield new_line


def _plain(cell: Any, render_str=None, *, paragraphs: bool = False) -> str | None:
    """The text rich would lay out for ``cell``; None when the fast layout cannot.

    With ``paragraphs``, line breaks are allowed (each line is wrapped on its own).
    """
    if isinstance(cell, str):
        text = cell
        if _MAYBE_MARKUP.search(text):  # markup or emoji codes, read as rich reads them
            if render_str is None:
                return None
            text = render_str(text)
    elif isinstance(cell, Styled):
        text = cell.plain
    else:
        rich_text = sys.modules.get("rich.text")
        if rich_text is None or type(cell) is not rich_text.Text:
            return None
        if cell.justify or cell.overflow or cell.no_wrap is not None or cell.end != "\n":
            return None
        text = cell.plain
    check = text.replace("\n", "") if paragraphs else text
    if not check.isascii() or not check.isprintable():
        from rich.cells import cell_len

        if not check.isprintable() or cell_len(check) != len(check):
            return None
    return text


def _text_measure(text: str) -> tuple[int, int]:
    """``Text.__rich_measure__`` of one line of one-cell characters: (longest word, length)."""
    words = text.split()
    return (max(len(w) for w in words) if words else len(text)), len(text)


def _measure_cell(measure: tuple[int, int], max_width: int) -> tuple[int, int]:
    """``Measurement.get`` of ``Padding(Text(text), (0, 1))`` at ``max_width``.

    rich normalizes and caps the text's (minimum, maximum) at ``max_width``, adds the
    two padding cells and caps again; with 0 <= minimum <= maximum that comes to this.
    """
    lo, hi = measure
    if max_width >= 3:
        return min(lo + 2, max_width), min(hi + 2, max_width)
    if max_width < 1:
        return 0, 0
    return max_width, max_width  # 1 or 2 cells: no room inside the padding


def _measure_column(measures: list[tuple[int, int]], max_width: int) -> tuple[int, int]:
    """``Table._measure_column`` for a column without fixed, minimum or maximum width."""
    if max_width < 1:
        return 0, 0
    cells = [_measure_cell(m, max_width) for m in measures]
    lo = max(m[0] for m in cells)
    hi = max(m[1] for m in cells)
    return min(lo, max_width), min(hi, max_width)


def _truncate(line: str, width: int, overflow: str, *, pad: bool = False) -> str:
    """``Text.truncate`` for text of one-cell characters."""
    from rich.cells import set_cell_size

    length = len(line)
    if length > width:
        line = set_cell_size(line, width - 1) + "…" if overflow == "ellipsis" else line[:width]
    if pad and length < width:
        line += " " * (width - length)
    return line


def _rstrip_end(line: str, width: int) -> str:
    """``Text.rstrip_end``: drop trailing whitespace beyond ``width``."""
    excess = len(line) - width
    if excess > 0:
        stripped = line.rstrip()
        spaces = len(line) - len(stripped)
        if spaces:
            line = line[: len(line) - min(spaces, excess)]
    return line


def _wrap(text: str, width: int, justify: str, overflow: str, no_wrap: bool) -> list[str] | None:
    """``Text.wrap`` then ``render_lines(pad=True)``: lines of exactly ``width`` cells."""
    if justify not in ("left", "right", "center", "default"):
        return None
    if len(text) <= width:  # one line, nothing to wrap or cut: the steps below come to this
        if justify in ("left", "default"):
            return [text + " " * (width - len(text))]
        text = text.rstrip()
        if justify == "right":
            return [" " * (width - len(text)) + text]
        left = " " * ((width - len(text)) // 2)
        return [left + text + " " * (width - len(text) - len(left))]
    if no_wrap:
        lines = [text]
    else:
        from rich._wrap import divide_line

        offsets = divide_line(text, width, fold=overflow == "fold")
        bounds = [0, *offsets, len(text)]
        lines = [_rstrip_end(text[a:b], width) for a, b in pairwise(bounds)]
    out = []
    for line in lines:
        if justify == "left":
            line = _truncate(line, width, overflow, pad=True)
        elif justify != "default":
            line = _truncate(line.rstrip(), width, overflow)
            if justify == "right":
                line = " " * (width - len(line)) + line
            else:
                line = " " * ((width - len(line)) // 2) + line
                line += " " * (width - len(line))
        line = _truncate(line, width, overflow)
        out.append(line + " " * (width - len(line)) if len(line) < width else line[:width])
    return out
