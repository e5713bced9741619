"""SQL that reads a text cell the way the document path reads it.

The bulk path reads no cell in Python: a cell DuckDB holds as text is stripped (as
``str.strip`` strips), tested ("surely text", "not blank") and parsed as a number (as
:func:`evalengine.numbers.parse_number` parses it) by the SQL these functions write.
``tests/test_bulk_sql.py`` and ``tests/test_fuzz_tables.py`` hold each reading beside
the Python one.
"""

from __future__ import annotations

#: A cell the interpreter reads as a number (see numbers.parse_number): plain, Indonesian
#: thousands with dots, or a decimal comma (with or without thousands dots).
NUMBER_RE = r"-?(\d+(\.\d+)?|\d{1,3}(\.\d{3})+(,\d+)?|\d+,\d+)"
THOUSANDS_RE = r"-?\d{1,3}(\.\d{3})+"


#: The characters ``str.strip()`` removes (``str.isspace``; a text cell of only these is
#: blank). Written out: finding them among the first 12,289 code points took ~1.4 ms of
#: every start (tests/test_bulk_sql.py checks the list against all of Unicode).
SPACE_CODES = (
    *range(0x09, 0x0E), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
    0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
)  # fmt: skip
#: SPACE_CODES for a regular expression's character class.
_SPACE = "".join(f"\\x{{{c:x}}}" for c in SPACE_CODES)
_WS = f"[{_SPACE}]"
#: A character no number parse_number reads can hold: a cell with one is text, and the
#: slower reading below (sql_number) need not look at it ("S3", "tidak", "Baik").
TEXT_CHAR = f"[^0-9.,+()%RrPpIiDd{_SPACE}-]"
#: Where the letters of a currency prefix ("Rp", "IDR") may stand in a number: first,
#: or after an opening bracket.
CURRENCY_START = f"^\\(?{_WS}*(?i:rp|idr)"


def surely_text(cell: str) -> str:
    """SQL: the cell holds a TEXT_CHAR, or a letter of "Rp"/"IDR" where no prefix can
    stand ("D3", "SD", "Pelaksana"): no number parse_number reads, whatever it is."""
    return (
        f"(regexp_matches({cell}, '{TEXT_CHAR}') OR (regexp_matches({cell}, '[RrPpIiDd]') "
        f"AND NOT regexp_matches({cell}, '{CURRENCY_START}')))"
    )


# SQL reading a cell the way :func:`evalengine.numbers.parse_number` does, for the cells
# NUMBER_RE does not match ("Rp1.000", "95,25%", "(1.000,00)", "+3", "1 000", a tab or a
# no-break space around the number). Each is slower than the pattern: they run only on
# the cells the pattern leaves (see :func:`number_text`).
#
# These build the SQL text in place (no ``CREATE MACRO``: defining the nested macros
# cost ~15 ms a run, and DuckDB expands a macro at each use anyway). Each binds its
# argument once to a lambda parameter (``list_transform([arg], lambda x: …)[1]``):
# written out at every use, the nested forms grew to hundreds of copies of the cell's
# expression and DuckDB took seconds to plan a query using them a few times. Every
# regular expression in the text is compiled when a query is planned, so each form is
# written with as few of them as it can.


def _bound(value: str, name: str, body: str) -> str:
    """SQL: ``body`` with ``value`` bound to the lambda parameter ``name``."""
    return f"list_transform([{value}], lambda {name}: {body})[1]"


def sql_strip(text: str) -> str:
    """SQL: the text as ``str.strip()`` leaves it."""
    return f"regexp_replace({text}, '^{_WS}+|{_WS}+$', '', 'g')"


def sql_trim(text: str) -> str:
    """SQL: the text as ``str.strip()`` leaves it, quicker: DuckDB's trim (spaces)
    unless the trimmed text still has another strip() character at an edge (a tab, a
    no-break space); the slow exact form runs on those cells alone."""
    s = "__ee_s"
    exact = sql_strip(s)
    return _bound(
        f"trim({text})",
        s,
        f"CASE WHEN regexp_matches({s}, '^{_WS}|{_WS}$') THEN {exact} ELSE {s} END",
    )


def _digits(text: str) -> str:
    """SQL: the unsigned digits, dots and comma of parse_number's two forms → plain
    "123.45" (NULL for anything else)."""
    d = "__ee_d"
    return _bound(
        text,
        d,
        f"CASE WHEN regexp_full_match({d}, '[0-9]{{1,3}}(\\.[0-9]{{3}})+') "
        f"THEN replace({d}, '.', '') WHEN regexp_full_match({d}, '[0-9]+(\\.[0-9]+)?') THEN {d} "
        f"WHEN regexp_full_match({d}, '([0-9]+|[0-9]{{1,3}}(\\.[0-9]{{3}})+),[0-9]+') "
        f"THEN replace(replace({d}, '.', ''), ',', '.') END",
    )


def _signed(text: str, negative: str) -> str:
    """SQL: a leading sign, then the digits; ``negative`` (SQL, true for a bracketed
    number) flips the sign."""
    g = "__ee_g"
    minus = f"(CASE WHEN {negative} THEN '' ELSE '-' END)"
    plus = f"(CASE WHEN {negative} THEN '-' ELSE '' END)"
    return _bound(
        text,
        g,
        f"(CASE WHEN starts_with({g}, '-') THEN {minus} ELSE {plus} END) || "
        + _digits(
            f"CASE WHEN starts_with({g}, '-') OR starts_with({g}, '+') THEN {g}[2:] ELSE {g} END"
        ),
    )


def sql_number(text: str) -> str:
    """SQL: the cell as plain "-123.45" text when parse_number reads it, else NULL.

    "Rp"/"IDR" before and "%" after a number, and spaces and no-break spaces anywhere,
    are no part of it; (…) makes a number negative.
    """
    p, n, percent = "__ee_p", "__ee_n", "'%'"
    inside = f"CASE WHEN {n} THEN {sql_strip(f'{p}[2:-2]')} ELSE {p} END"
    unprefixed = f"regexp_replace({inside}, '^(?i:rp\\.?|idr){_WS}*', '')"
    bare = (
        f"replace(replace({sql_strip(f'rtrim({unprefixed}, {percent})')}, ' ', ''), chr(160), '')"
    )
    bracketed = f"starts_with({p}, '(') AND ends_with({p}, ')')"
    return _bound(sql_strip(text), p, _bound(bracketed, n, _signed(bare, n)))


def not_blank(text: str) -> str:
    """SQL: the text holds a character ``str.strip()`` keeps (NULL for NULL)."""
    return f"regexp_matches({text}, '[^{_SPACE}]')"


def number_text(expr: str) -> str:
    """SQL: the cell as plain ``-123.45`` text when parse_number reads it, else NULL."""
    return (
        f"(CASE WHEN regexp_full_match({expr}, '{NUMBER_RE}') THEN {normalized(expr)} "
        f"ELSE {sql_number(expr)} END)"
    )


def normalized(expr: str) -> str:
    """SQL turning a trimmed numeric cell into plain ``-123.45`` text, as parse_number does."""
    return (
        f"(CASE WHEN regexp_full_match({expr}, '{THOUSANDS_RE}') THEN replace({expr}, '.', '') "
        f"WHEN contains({expr}, ',') THEN replace(replace({expr}, '.', ''), ',', '.') "
        f"ELSE {expr} END)"
    )
