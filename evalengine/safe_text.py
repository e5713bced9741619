"""Text from rubrics and evidence made safe to print on a terminal.

Titles, subjects, group keys, cells and source lines are the users' own text, and a file
may come from anyone: an ESC (``\\x1b``) in it starts a terminal escape sequence, which can
recolour or clear the screen, retitle the window or, on some terminals, write to the
clipboard; bidirectional overrides (U+202E) reorder what is shown. Such characters are
never meant to be seen, so they are removed where text is printed (reports and error
messages), never from the data itself (JSON, XLSX and the figures keep them as read).
"""

from __future__ import annotations

import re

#: C0 controls but newline and tab, DEL, C1 controls, and the bidirectional embeddings,
#: overrides and isolates.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{_CONTROLS}]")
_CONTROL_OR_TAB = re.compile(f"[\t{_CONTROLS}]")


def printable(text: str, *, tabs: bool = True, mark: str = "") -> str:
    """``text`` with each terminal control character replaced by ``mark`` (removed by
    default). Newlines are kept; tabs too unless ``tabs`` is False (text already laid
    out in columns, where a tab would shift everything after it)."""
    pattern = _CONTROL if tabs else _CONTROL_OR_TAB
    return pattern.sub(mark, text) if pattern.search(text) else text
