"""The SQL back end: compiles the formula AST into exact DuckDB SQL for big tables.

The Decimal interpreter (:mod:`evalengine.evaluate.interpreter`) evaluates one row at
a time; for a table of millions of rows the same AST is compiled here into one SQL
expression per formula, one ``<kind>_sql`` method per node kind, mirroring the
interpreter's ``eval_<kind>``. The compiler guarantees the interpreter's results
*exactly*, so it controls every type itself:

* numbers are ``DECIMAL(38, s)`` with the scale ``s`` tracked statically: ``+ - *``
  on DuckDB decimals are exact and raise on overflow, never round silently;
* DuckDB's ``/`` and ``avg`` return DOUBLE (``round(avg(x), 2)`` turns the tie
  535/200 into 2.67), so ``/`` is never emitted. Division by a constant whose
  reciprocal terminates (``/ 4``, ``/ 100``) is an exact multiplication; any other
  quotient is carried as an exact fraction (numerator, positive denominator) that
  must end in ``round(…, n)`` (done with integer arithmetic, half-up), a comparison
  or an ``in`` test, all exact. A fraction left as a row's value has no exact SQL
  form, and the compiler says so;
* subtrees that do not read ``row.*`` are constants: they are evaluated once by the
  interpreter itself (same semantics by construction) and inlined as literals;
* columns are referenced by quoted name; the bulk layer
  (:mod:`evalengine.bulk`) types them (``number`` with a scale, ``text``, ``bool``).

A node, function or combination without an exact SQL form raises
:class:`SqlCompileError` naming it: there is no silent fallback to floating point.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from ..errors import FormulaEvalError
from ..formula import ast
from ..formula.unparse import unparse
from ..numbers import CONTEXT, MAX_MAGNITUDE, ROUNDING_MODES
from ..rubric.check import node_location
from ..rubric.model import Formula
from .interpreter import Interpreter, Record, type_name

#: DuckDB's widest decimal: 38 digits.
MAX_WIDTH = 38
#: Largest scale the compiler lets an intermediate value reach.
MAX_SCALE = 30

ROW = "row"


class SqlCompileError(FormulaEvalError):
    """A formula (or one of its nodes) has no exact SQL form."""

    code = "no-sql-form"
    #: A column read as text where the formula needs a number (the cells decide it on
    #: the document path: the bulk path names the first such cell it can, see
    #: :func:`evalengine.bulk.compute.text_cell_error`), or None.
    column: str | None = None


@dataclass(frozen=True)
class Column:
    """A column of the table a per-row formula reads: its SQL type as the compiler sees it.

    ``kind`` is ``number`` (a ``DECIMAL(38, scale)`` column), ``text`` or ``bool``.
    """

    name: str
    kind: str
    scale: int = 0
    #: A text column's cells as read (untrimmed, NULL when blank) under this name, beside
    #: the trimmed column: an equality with a constant tries it first and trims only the
    #: rows that do not match as read (trimming every cell costs as much as the formula).
    raw: str | None = None
    #: The largest magnitude a cell may hold (from its type or a probe of the column), or
    #: None when unknown: arithmetic that may pass the interpreter's limit is checked.
    bound: Decimal | None = None


@dataclass(frozen=True)
class SqlValue:
    """A compiled expression: SQL text, formula type and, for numbers, exact scale.

    A number may be an exact fraction ``sql / den`` (``den`` positive, with its own
    scale ``den_scale``) when it came from a division without a decimal result.
    """

    kind: str  # number | text | bool | band
    sql: str
    scale: int = 0
    den: str | None = None
    den_scale: int = 0
    band_table: str | None = None  # kind == "band": the table of a band(x, …) call
    band_of: SqlValue | None = None  # kind == "band": the classified number
    raw: str | None = None  # kind == "text" from a column: its cells as read (Column.raw)
    #: The SQL is never NULL (a blank cell included): an ``if`` on it needs no NULL arm.
    not_null: bool = False
    #: The SQL may be an integer type (a BIGINT column, ``least`` of such columns …):
    #: DuckDB's arithmetic of two of them stays integer and overflows past 2^63.
    integer: bool = False
    #: The largest magnitude the value can have, when known from outside the formula (an
    #: NRR lies on its scale): the upper levels' compiler bounds its references by it.
    bound: Decimal | None = None

    @property
    def is_fraction(self) -> bool:
        return self.den is not None


#: SQL up to this length is written out at each of its uses (see SqlCompiler.bind).
_INLINE_SQL = 500


def quote_ident(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def hoist(hoisted: dict[str, str], sql: str, prefix: str) -> str:
    """A column of its own for ``sql`` among ``hoisted`` (name → SQL; one column for
    equal SQL), computed once a row under the formulas that use it; its quoted name."""
    name = next((n for n, known in hoisted.items() if known == sql), f"{prefix}{len(hoisted)}")
    hoisted[name] = sql
    return quote_ident(name)


def quote_text(text: str) -> str:
    """A single-quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def decimal_type(scale: int) -> str:
    """``DECIMAL(38, scale)``."""
    return f"DECIMAL({MAX_WIDTH},{scale})"


def decimal_scale(value: Decimal) -> int:
    """Decimals a Decimal has (``2.50`` → 2, ``1E+3`` → 0)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def terminating_reciprocal(value: Decimal) -> Decimal | None:
    """``1 / value`` when it has a finite decimal expansion (value = ±2^a·5^b·10^k), else None."""
    if value == 0:
        return None
    _, digits, _ = value.normalize(CONTEXT).as_tuple()
    n = int("".join(map(str, digits)))
    for p in (2, 5):
        while n % p == 0:
            n //= p
    if n != 1:
        return None
    with localcontext(CONTEXT):
        return (Decimal(1) / value).normalize()


class SqlCompiler:
    """Compiles one formula of a per-row context (``row.<column>``) into DuckDB SQL.

    Args:
        formula: the formula (its AST and location, for error messages).
        columns: the table's columns by name.
        env: resolves every non-``row`` reference (params, evidence, self), as the
            interpreter's :class:`~evalengine.evaluate.interpreter.Environment`.
        functions: the formula functions (for constant folding through the interpreter).
        context: what functions need (``.rubric`` for ``lookup`` and ``band``).
        hoisted: where to put lookups of a column's cells as columns of their own
            ({name: SQL}, shared by the formulas on one table), which the caller adds to
            the table's view: DuckDB then computes each once a row, however many times
            the formulas use it (IP ASN's kompetensi looks up a jabatan's kelompok
            four times). None writes them out at each use.
    """

    def __init__(
        self,
        formula: Formula,
        columns: Mapping[str, Column],
        env: Any,
        functions: Mapping[str, Any],
        context: Any,
        hoisted: dict[str, str] | None = None,
    ) -> None:
        self.hoisted = hoisted
        self.formula = formula
        self.columns = dict(columns)
        self.env = env
        self.functions = functions
        self.context = context
        self.used_columns: set[str] = set()
        self._bounds: dict[int, Decimal | None] = {}
        #: Each compiled node's value (by ``id``): a divisor's scale bounds a quotient.
        self._compiled: dict[int, SqlValue] = {}
        self._bound_names = 0

    def bind(self, sql: str, body: Callable[[str], str], *, always: bool = False) -> str:
        """``body`` of ``sql`` with ``sql`` computed once per row.

        SQL written out at each use is evaluated, and planned, at each use: a lookup
        keyed by another lookup and a ``min`` guard over it grew IP ASN's kompetensi
        formula to 120 KB of SQL (1.2 s to plan, 4 s a million rows). A long expression
        is bound to a lambda parameter instead (``list_transform([x], lambda p: …)[1]``);
        a lambda costs ~20 ns a row, more than evaluating short SQL (a little arithmetic,
        ``min(40, row.diklat * 10 + …)``) twice, so short SQL is still written out.
        """
        if len(sql) <= _INLINE_SQL and not always:
            return body(sql)
        self._bound_names += 1
        name = f"__ee_b{self._bound_names}"
        return f"list_transform([{sql}], lambda {name}: {body(name)})[1]"

    # -- entry points -----------------------------------------------------------------
    def compile(self, node: ast.Expr | None = None) -> SqlValue:
        """Compile ``node`` (default: the whole formula) to a :class:`SqlValue`."""
        node = self.formula.tree if node is None else node
        if self.is_constant(node):
            return self.constant(node)
        method: Callable[[Any], SqlValue] | None = getattr(self, f"{node.kind}_sql", None)
        if method is None:
            raise self.fail(node, f"a {node.kind} node has no SQL form")
        value = method(node)
        self._compiled[id(node)] = value
        return value

    def number_sql_expr(self) -> SqlValue:
        """The formula as a plain exact number (a row value), or a clear error."""
        value = self.compile()
        if value.kind != "number":
            message = f"the row formula gives {value.kind}, not a number"
            error = self.fail(self.formula.tree, message)
            if value.kind == "text" and isinstance(self.formula.tree, ast.Ref):
                error.column = self.formula.tree.path[-1]
            raise error
        return self.plain(value, self.formula.tree)

    def boolean_sql_expr(self) -> SqlValue:
        """The formula as a boolean (a ``where`` filter), or a clear error."""
        value = self.compile()
        if value.kind != "bool":
            raise self.fail(
                self.formula.tree,
                f"a filter must give true or false, this one gives {value.kind}",
                'compare explicitly, e.g. row.status == "aktif"',
            )
        return value

    def fail(self, node: ast.Expr, message: str, hint: str | None = None) -> SqlCompileError:
        """An error located at ``node``, naming the node as written."""
        text = unparse(node)
        return SqlCompileError(
            f"{message} (in `{text}`)", location=node_location(self.formula, node), hint=hint
        )

    # -- constants ---------------------------------------------------------------------
    def is_constant(self, node: ast.Expr) -> bool:
        """True when ``node`` reads no ``row.*`` (so it is the same on every row)."""
        return not any(isinstance(n, ast.Ref) and n.path[0] == ROW for n in node.walk())

    def constant(self, node: ast.Expr) -> SqlValue:
        """Evaluate a row-free subtree with the interpreter and inline it as a literal."""
        interp = Interpreter(self.formula, self.env, self.functions, context=self.context)
        try:
            with localcontext(CONTEXT):
                value = interp.visit(node)
        except FormulaEvalError as exc:
            # the interpreter fails on every row that reaches this node: so does the SQL
            message = quote_text(exc.message if hasattr(exc, "message") else str(exc))
            return SqlValue("number", f"CAST(error({message}) AS {decimal_type(0)})", 0)
        return self.literal(value, node)

    def literal(self, value: Any, node: ast.Expr) -> SqlValue:
        """A formula value as a SQL literal."""
        if isinstance(value, bool):
            return SqlValue("bool", "TRUE" if value else "FALSE")
        if isinstance(value, Decimal):
            scale = decimal_scale(value)
            text = f"{value:f}"
            digits = len(text.replace("-", "").replace(".", "").lstrip("0"))
            if scale > MAX_SCALE or digits > MAX_WIDTH:
                raise self.fail(
                    node,
                    f"the constant {text} has {scale} decimals; "
                    f"exact SQL keeps at most {MAX_SCALE}",
                    "round it in the formula, e.g. round(1 / 9, 10), or divide after aggregating",
                )
            # the narrowest storage that holds it: DECIMAL(18, s) is an int64 in DuckDB,
            # so arithmetic stays fast; results widen (and overflow raises) by DuckDB's rules
            width = 18 if max(digits, scale + 1) <= 18 else 38
            return SqlValue(
                "number", f"CAST({quote_text(text)} AS DECIMAL({width},{scale}))", scale
            )
        if isinstance(value, str):
            return SqlValue("text", quote_text(value))
        if isinstance(value, Record) and value.kind == "band":
            return SqlValue("text", quote_text(str(value)))
        raise self.fail(node, f"a {type_name(value)} value has no SQL form")

    def int_literal(self, value: int) -> str:
        return f"CAST({value} AS {decimal_type(0)})"

    def pow10(self, places: int) -> str:
        """``10^places`` as an exact DECIMAL literal (a scale ``max(0, -places)``)."""
        if places >= 0:
            return self.int_literal(10**places)
        return f"CAST('{Decimal(1).scaleb(places):f}' AS {decimal_type(-places)})"

    # -- atoms ---------------------------------------------------------------------------
    def number_sql(self, node: ast.Number) -> SqlValue:  # always constant; kept for dispatch
        return self.literal(node.value, node)

    def string_sql(self, node: ast.String) -> SqlValue:
        return self.literal(node.value, node)

    def bool_sql(self, node: ast.Bool) -> SqlValue:
        return self.literal(node.value, node)

    def ref_sql(self, node: ast.Ref) -> SqlValue:
        path = node.path
        if len(path) != 2:
            raise self.fail(
                node, "write row.<column> to read a cell of the current row", self.columns_hint()
            )
        name = path[1]
        col = self.columns.get(name)
        if col is None:
            from ..errors import with_suggestion

            raise self.fail(
                node,
                f"the table has no column '{name}'",
                with_suggestion(self.columns_hint(), name, self.columns),
            )
        self.used_columns.add(name)
        raw = quote_ident(col.raw) if col.kind == "text" and col.raw else None
        number = col.kind == "number"
        return SqlValue(
            col.kind,
            quote_ident(name),
            col.scale if number else 0,
            raw=raw,
            integer=number and col.scale == 0,
        )

    def columns_hint(self) -> str:
        return f"columns: {', '.join(self.columns) or '(none)'}"

    def attr_sql(self, node: ast.Attr) -> SqlValue:
        obj = self.compile(node.obj)
        if obj.kind != "band":
            raise self.fail(node, f"a {obj.kind} has no field '{node.name}'")
        return self.band_field(obj, node.name, node)

    # -- operators ------------------------------------------------------------------------
    def unary_sql(self, node: ast.Unary) -> SqlValue:
        value = self.compile(node.operand)
        if node.op == "not":
            self.need(value, "bool", node.operand)
            return SqlValue("bool", f"(NOT {value.sql})", not_null=value.not_null)
        self.need(value, "number", node.operand)
        return SqlValue(
            "number",
            f"(-{value.sql})",
            value.scale,
            value.den,
            value.den_scale,
            integer=value.integer,
        )

    def if_sql(self, node: ast.If) -> SqlValue:
        cond = self.compile(node.cond)
        self.need(cond, "bool", node.cond)
        then, else_ = self.compile(node.then), self.compile(node.else_)
        if then.kind != else_.kind:
            raise self.fail(
                node, f"the branches give different types ({then.kind} and {else_.kind})"
            )
        kind = then.kind
        if kind == "band":
            raise self.fail(node, "choose a band field (.label) in each branch")

        def choose(yes: str, no: str) -> str:
            # a condition on a blank cell is NULL: so is the value (the interpreter stops
            # on such a row; the records path reports blank cells), never the `else`
            # branch. A condition that is never NULL needs no such arm
            if cond.not_null:
                return f"(CASE WHEN {cond.sql} THEN {yes} ELSE {no} END)"
            return self.bind(
                cond.sql, lambda c: f"(CASE WHEN {c} THEN {yes} WHEN NOT {c} THEN {no} END)"
            )

        if kind != "number":
            return SqlValue(kind, choose(then.sql, else_.sql))
        if not then.is_fraction and not else_.is_fraction:
            scale = max(then.scale, else_.scale)
            sql = choose(self.cast(then, scale), self.cast(else_, scale))
            return SqlValue("number", sql, scale, integer=then.integer and else_.integer)
        a, b = self.as_fraction(then), self.as_fraction(else_)
        scale, dscale = max(a.scale, b.scale), max(a.den_scale, b.den_scale)
        num = choose(self.cast(a, scale), self.cast(b, scale))
        den = choose(
            f"CAST({a.den} AS {decimal_type(dscale)})", f"CAST({b.den} AS {decimal_type(dscale)})"
        )
        return SqlValue("number", num, scale, den, dscale)

    def interval_sql(self, node: ast.Interval) -> SqlValue:
        raise self.fail(node, "an interval is only usable on the right of `in`")

    def binary_sql(self, node: ast.Binary) -> SqlValue:
        op = node.op
        if op in ("and", "or"):
            left, right = self.compile(node.left), self.compile(node.right)
            self.need(left, "bool", node.left)
            self.need(right, "bool", node.right)
            not_null = left.not_null and right.not_null
            if "error(" in left.sql or "error(" in right.sql:
                # the left side on every row, the right side only where the left does not
                # decide, as the interpreter evaluates them: DuckDB's AND / OR evaluate
                # both sides on every row, and drop a side that cannot change the result
                # (``row.p == "S1" and row.a < row.a`` never read ``row.p``)
                def arms(cond: str) -> str:
                    if op == "and":
                        return f"(CASE WHEN {cond} THEN {right.sql} WHEN NOT {cond} THEN FALSE END)"
                    return f"(CASE WHEN {cond} THEN TRUE WHEN NOT {cond} THEN {right.sql} END)"

                return SqlValue("bool", self.bind(left.sql, arms), not_null=not_null)
            return SqlValue("bool", f"({left.sql} {op.upper()} {right.sql})", not_null=not_null)
        if op == "in":
            return self.in_sql(node)
        left, right = self.compile(node.left), self.compile(node.right)
        if op in ("eq", "ne"):
            return self.equality(node, left, right)
        self.need(left, "number", node.left)
        self.need(right, "number", node.right)
        if op in ("lt", "le", "gt", "ge"):
            return self.compare(node, left, right, op)
        found = self.reach(node)
        risky = found is None or found > MAX_MAGNITUDE
        # two integer columns (BIGINT) make a BIGINT, which overflows past 2^63: a node that
        # may pass the limit, or that may pass 2^63 from two columns, computes in DECIMAL(38),
        # and so does a quotient of columns (its cross-multiplications grow fast)
        columns = all(isinstance(n, ast.Ref) for n in (node.left, node.right))
        integers = columns or (left.integer and right.integer)  # min(row.a, row.b) + row.c
        quotient = op == "div" and not self.is_constant(node.right)
        if risky or quotient or (integers and found >= 2**63):
            left, right = self.widened(left), self.widened(right)
        if op in ("add", "sub"):
            value = self.additive(node, left, right, "+" if op == "add" else "-")
        elif op == "mul":
            value = self.multiply(node, left, right)
        else:
            value = self.divide(node, left, right)
        return self.limited(node, value) if risky else value

    # -- the interpreter's limit on every arithmetic result ----------------------------
    def bound(self, node: ast.Expr) -> Decimal | None:
        """The largest magnitude ``node`` can have on any row, or None when it may pass
        :data:`MAX_MAGNITUDE` (the interpreter's limit on an arithmetic result).

        Known from the columns' bounds (their types or a probe), the constants and the
        lookup tables; an arithmetic node that may pass the limit is checked per row
        (:meth:`limited`), so its own bound is the limit. Usual formulas (points from
        lookups, a column times a constant) need no check.
        """
        found = self.reach(node)
        if isinstance(node, ast.Binary) and node.op in _ARITHMETIC and not self.is_constant(node):
            # checked past the limit: nothing larger comes out of it
            return found if found is not None and found <= MAX_MAGNITUDE else MAX_MAGNITUDE
        return found

    def reach(self, node: ast.Expr) -> Decimal | None:
        """The largest magnitude ``node`` can compute (before any check), or None."""
        key = id(node)
        if key not in self._bounds:
            self._bounds[key] = self._bound(node)
        return self._bounds[key]

    def _bound(self, node: ast.Expr) -> Decimal | None:
        if self.is_constant(node):
            interp = Interpreter(self.formula, self.env, self.functions, context=self.context)
            try:
                with localcontext(CONTEXT):
                    value = interp.visit(node)
            except FormulaEvalError:
                return None
            return abs(value) if isinstance(value, Decimal) else None
        if isinstance(node, ast.Ref):
            col = self.columns.get(node.path[-1]) if len(node.path) == 2 else None
            return col.bound if col is not None and col.kind == "number" else None
        if isinstance(node, ast.Unary):
            return self.bound(node.operand)
        if isinstance(node, ast.If):
            return _largest([self.bound(node.then), self.bound(node.else_)])
        if isinstance(node, ast.Binary) and node.op in _ARITHMETIC:
            a, b = self.bound(node.left), self.bound(node.right)
            if a is None or b is None:
                return None
            with localcontext(CONTEXT):
                if node.op in ("add", "sub"):
                    return a + b
                if node.op == "mul":
                    return a * b
                if self.is_constant(node.right):
                    return a / b if b else None  # b is |the constant divisor|
                # a nonzero DECIMAL(38, s) is at least 10^-s: |a / b| ≤ bound(a) · 10^s
                divisor = self._compiled.get(id(node.right))
                if divisor is not None and divisor.kind == "number" and not divisor.is_fraction:
                    return a.scaleb(divisor.scale)
            return None
        if isinstance(node, ast.Call):
            args = [self.bound(a) for a in node.args]
            if node.name in ("min", "max", "abs", "number", "mean"):
                return _largest(args)
            if node.name in ("round", "floor", "ceil") and args and args[0] is not None:
                return args[0] + 1
            if node.name == "sum" and args and None not in args:
                return sum(args, Decimal(0))
            if node.name == "lookup" and len(node.args) == 2 and self.is_constant(node.args[0]):
                return self._lookup_bound(node)
        return None

    def _lookup_bound(self, node: ast.Call) -> Decimal | None:
        from ..numbers import to_decimal

        interp = Interpreter(self.formula, self.env, self.functions, context=self.context)
        try:
            table = self.context.rubric.tables[interp.visit(node.args[0])]
            return max((abs(to_decimal(v)) for v in table.values()), default=Decimal(0))
        except (KeyError, ValueError, TypeError, AttributeError, FormulaEvalError):
            return None

    def widened(self, value: SqlValue) -> SqlValue:
        """A number as ``DECIMAL(38, s)``: arithmetic on it overflows only past 38 digits."""
        if value.kind != "number" or value.is_fraction:
            return value
        sql = f"CAST({value.sql} AS {decimal_type(value.scale)})"
        return SqlValue("number", sql, value.scale)

    def limited(self, node: ast.Expr, value: SqlValue) -> SqlValue:
        """``value`` checked per row against the interpreter's limit (the same error).

        The value is bound once to a lambda parameter (``list_transform``): written out
        twice, nested checks would double the SQL at every level. A quotient (an exact
        fraction, no value in SQL until rounded or compared) is checked by
        :meth:`limited_fraction`.
        """
        if value.is_fraction:
            return self.limited_fraction(node, value)
        message = "'result ' || printf('%.3E', CAST(v AS DOUBLE)) || " + quote_text(
            f" exceeds the limit {MAX_MAGNITUDE} (in `{unparse(node)}`)"
        )
        limit = f"CAST('{MAX_MAGNITUDE:f}' AS {decimal_type(0)})"
        sql = (
            f"list_transform([{value.sql}], lambda v: CASE WHEN abs(v) > {limit} "
            f"THEN error({message}) ELSE v END)[1]"
        )
        return SqlValue("number", sql, value.scale)

    def limited_fraction(self, node: ast.Expr, value: SqlValue) -> SqlValue:
        """A fraction ``n / d`` (``d`` ≥ 0) checked per row as :meth:`limited` checks a
        number: the interpreter's quotient is a number, and past the limit it stops.

        ``|n| > 10^24 · d`` is settled in DOUBLE where it is clear (0.1 % from the limit:
        almost every row, and no product that could overflow DECIMAL(38)); only a row
        that close is compared exactly. A zero ``d`` is left to where the fraction is
        used (the interpreter's "division by zero", :meth:`guard_den`). The numerator
        carries the check; the denominator is as it was.
        """
        assert value.den is not None
        ratio = "abs(CAST(n AS DOUBLE)) / CAST(d AS DOUBLE)"
        message = "'result ' || printf('%.3E', CAST(n AS DOUBLE) / CAST(d AS DOUBLE)) || " + (
            quote_text(f" exceeds the limit {MAX_MAGNITUDE} (in `{unparse(node)}`)")
        )
        limit = f"CAST('{MAX_MAGNITUDE:f}' AS {decimal_type(0)})"
        check = (
            f"CASE WHEN d = 0 OR {ratio} < 0.999e24 THEN n "
            f"WHEN {ratio} > 1.001e24 OR abs(n) > {limit} * d THEN error({message}) ELSE n END"
        )
        sql = (
            f"list_transform([{value.sql}], lambda n: "
            f"list_transform([{value.den}], lambda d: {check})[1])[1]"
        )
        return SqlValue("number", sql, value.scale, value.den, value.den_scale)

    def equality(self, node: ast.Binary, left: SqlValue, right: SqlValue) -> SqlValue:
        if left.kind == "band":
            left = self.band_field(left, "label", node.left)
        if right.kind == "band":
            right = self.band_field(right, "label", node.right)
        if left.kind != right.kind:
            raise self.fail(node, f"cannot compare {left.kind} with {right.kind}")
        if left.kind == "number":
            return self.compare(node, left, right, node.op)
        sym = "=" if node.op == "eq" else "<>"
        if right.raw and not left.raw:
            left, right = right, left
        text = _text_literal(right.sql) if left.kind == "text" and left.raw else None
        if text is not None and text == text.strip():
            test = _text_equals(left.raw, right.sql, text, node)
            return SqlValue("bool", test if node.op == "eq" else f"(NOT {test})", not_null=True)
        return SqlValue("bool", f"({left.sql} {sym} {right.sql})")

    def compare(self, node: ast.Expr, left: SqlValue, right: SqlValue, op: str) -> SqlValue:
        """Exact comparison; fractions are cross-multiplied (denominators are positive)."""
        sym = {"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op]
        if not left.is_fraction and not right.is_fraction:
            return SqlValue("bool", f"({left.sql} {sym} {right.sql})")
        a, b = self.as_fraction(left), self.as_fraction(right)
        lhs = self.product(node, (a.sql, a.scale), (b.den, b.den_scale))
        rhs = self.product(node, (b.sql, b.scale), (a.den, a.den_scale))
        test = f"({lhs[0]} {sym} {rhs[0]})"
        return SqlValue("bool", self.guard_den(test, [v for v in (left, right) if v.is_fraction]))

    def in_sql(self, node: ast.Binary) -> SqlValue:
        if not isinstance(node.right, ast.Interval):
            if self.is_constant(node.right):
                raise self.fail(
                    node.right, "an interval value from a reference has no SQL form here"
                )
            raise self.fail(
                node.right, "'in' needs an interval on the right", "write x in (80..90]"
            )
        x = self.compile(node.left)
        self.need(x, "number", node.left)
        iv = node.right
        tests = []
        if iv.lo is not None:
            lo = self.compile(iv.lo)
            self.need(lo, "number", iv.lo)
            tests.append(self.compare(node, lo, x, "le" if iv.lo_closed else "lt").sql)
        if iv.hi is not None:
            hi = self.compile(iv.hi)
            self.need(hi, "number", iv.hi)
            tests.append(self.compare(node, x, hi, "le" if iv.hi_closed else "lt").sql)
        return SqlValue("bool", "(" + " AND ".join(tests) + ")" if tests else "TRUE")

    def additive(self, node: ast.Expr, left: SqlValue, right: SqlValue, sym: str) -> SqlValue:
        if not left.is_fraction and not right.is_fraction:
            scale = max(left.scale, right.scale)
            integer = left.integer and right.integer
            return SqlValue("number", f"({left.sql} {sym} {right.sql})", scale, integer=integer)
        a, b = self.as_fraction(left), self.as_fraction(right)
        if a.den == b.den and a.den_scale == b.den_scale:
            # one denominator (the NRRs of one survey all divide by n): add numerators,
            # or nine questions would need n⁹ and overflow DECIMAL(38)
            scale = max(a.scale, b.scale)
            return SqlValue("number", f"({a.sql} {sym} {b.sql})", scale, a.den, a.den_scale)
        p1 = self.product(node, (a.sql, a.scale), (b.den, b.den_scale))
        p2 = self.product(node, (b.sql, b.scale), (a.den, a.den_scale))
        den = self.product(node, (a.den, a.den_scale), (b.den, b.den_scale))
        return SqlValue("number", f"({p1[0]} {sym} {p2[0]})", max(p1[1], p2[1]), *den)

    def multiply(self, node: ast.Expr, left: SqlValue, right: SqlValue) -> SqlValue:
        if not left.is_fraction and not right.is_fraction:
            sql, scale = self.product(node, (left.sql, left.scale), (right.sql, right.scale))
            return SqlValue("number", sql, scale, integer=left.integer and right.integer)
        a, b = self.as_fraction(left), self.as_fraction(right)
        num = self.product(node, (a.sql, a.scale), (b.sql, b.scale))
        den = self.product(node, (a.den, a.den_scale), (b.den, b.den_scale))
        return SqlValue("number", num[0], num[1], *den)

    def divide(self, node: ast.Binary, left: SqlValue, right: SqlValue) -> SqlValue:
        """``a / b``: an exact multiplication when ``b`` is a constant like 4 or 100, else a
        fraction with a positive denominator (zero is caught where the fraction is used)."""
        if self.is_constant(node.right) and not right.is_fraction:
            interp = Interpreter(self.formula, self.env, self.functions, context=self.context)
            try:
                with localcontext(CONTEXT):
                    divisor = interp.visit(node.right)
            except FormulaEvalError:
                divisor = None
            if divisor is None:
                pass
            elif divisor == 0:  # an error only on rows that reach it, as in the interpreter
                message = quote_text(f"division by zero in `{unparse(node)}`")
                return SqlValue("number", f"CAST(error({message}) AS {decimal_type(0)})", 0)
            recip = terminating_reciprocal(divisor) if divisor else None
            if recip is not None and not left.is_fraction:
                return self.multiply(node, left, self.literal(recip, node.right))
        a, b = self.as_fraction(left), self.as_fraction(right)
        # a.n/a.d ÷ b.n/b.d = (a.n·b.d·sign(b.n)) / (a.d·|b.n|)
        num = self.product(node, (a.sql, a.scale), (b.den, b.den_scale))
        num_sql = f"({num[0]} * sign({b.sql}))"
        den = self.product(node, (a.den, a.den_scale), (f"abs({b.sql})", b.scale))
        return SqlValue("number", num_sql, num[1], *den)

    def product(self, node: ast.Expr, a: tuple[str, int], b: tuple[str, int]) -> tuple[str, int]:
        """``a * b`` with exact scale ``sa + sb`` (an error past :data:`MAX_SCALE`)."""
        if b[0] == "1" and b[1] == 0:
            return a
        if a[0] == "1" and a[1] == 0:
            return b
        scale = a[1] + b[1]
        if scale > MAX_SCALE:
            raise self.fail(
                node,
                f"exact SQL would need {scale} decimals here (at most {MAX_SCALE})",
                "round an intermediate value, e.g. round(x, 6)",
            )
        return f"({a[0]} * {b[0]})", scale

    # -- functions ---------------------------------------------------------------------------
    def call_sql(self, node: ast.Call) -> SqlValue:
        method = getattr(self, f"fn_{node.name}_sql", None)
        if method is None:
            known = sorted(n[3:-4] for n in dir(self) if n.startswith("fn_") and n.endswith("_sql"))
            raise self.fail(
                node,
                f"function {node.name}() has no SQL form",
                f"functions with a SQL form: {', '.join(known)}",
            )
        return method(node)

    def args(self, node: ast.Call, low: int, high: int | None) -> list[SqlValue]:
        n = len(node.args)
        if n < low or (high is not None and n > high):
            raise self.fail(
                node,
                f"{node.name}() takes {low}"
                + ("" if high == low else f" to {high}" if high else " or more")
                + f" arguments, got {n}",
            )
        return [self.compile(a) for a in node.args]

    def numbers(self, node: ast.Call, values: list[SqlValue]) -> list[SqlValue]:
        for arg, value in zip(node.args, values, strict=True):
            self.need(value, "number", arg)
        return values

    def fn_sum_sql(self, node: ast.Call) -> SqlValue:
        values = self.numbers(node, self.args(node, 1, None))
        # integers (BIGINT columns) whose sum may pass 2^63 add in DECIMAL(38), as `+` does
        bounds = [self.bound(a) for a in node.args]
        big = None in bounds or sum(b for b in bounds if b is not None) >= 2**63
        if big and sum(v.integer for v in values) > 1:
            values = [self.widened(v) for v in values]
        total = values[0]
        for v in values[1:]:
            total = self.additive(node, total, v, "+")
        return total

    def fn_mean_sql(self, node: ast.Call) -> SqlValue:
        total = self.fn_sum_sql(node)
        count = self.literal(Decimal(len(node.args)), node)
        divisor = ast.Number(Decimal(len(node.args)), span=node.span)
        return self.divide(ast.Binary("div", node, divisor, span=node.span), total, count)

    def _extreme(self, node: ast.Call, fn: str) -> SqlValue:
        values = self.numbers(node, self.args(node, 1, None))
        for arg, v in zip(node.args, values, strict=True):
            self.plain(v, arg)
        scale = max(v.scale for v in values)
        args = [self.cast(v, scale) for v in values]
        # least/greatest skip NULLs; a blank cell must make the value blank (the
        # interpreter stops on such a row; the records path reports blank cells)
        nullable = [i for i, arg in enumerate(node.args) if not self.is_constant(arg)]

        def guarded(done: list[str], todo: list[int]) -> str:
            if todo:  # each argument that may be NULL is computed once (see bind)
                i, rest = todo[0], todo[1:]
                return self.bind(done[i], lambda x: guarded([*done[:i], x, *done[i + 1 :]], rest))
            core = f"{fn}(" + ", ".join(done) + ")"
            if not nullable:
                return core
            tests = " AND ".join(f"{done[i]} IS NOT NULL" for i in nullable)
            return f"(CASE WHEN {tests} THEN {core} END)"

        integer = all(v.integer for v in values)  # least(BIGINT, BIGINT) is a BIGINT
        return SqlValue("number", guarded(args, nullable), scale, integer=integer)

    def fn_min_sql(self, node: ast.Call) -> SqlValue:
        return self._extreme(node, "least")

    def fn_max_sql(self, node: ast.Call) -> SqlValue:
        return self._extreme(node, "greatest")

    def fn_abs_sql(self, node: ast.Call) -> SqlValue:
        (x,) = self.numbers(node, self.args(node, 1, 1))
        sql = f"abs({x.sql})"
        return SqlValue("number", sql, x.scale, x.den, x.den_scale, integer=x.integer)

    def fn_floor_sql(self, node: ast.Call) -> SqlValue:
        (x,) = self.numbers(node, self.args(node, 1, 1))
        if x.is_fraction:
            return self.round_fraction(node, x, 0, "floor")
        return SqlValue("number", f"CAST(floor({x.sql}) AS {decimal_type(0)})", 0)

    def fn_ceil_sql(self, node: ast.Call) -> SqlValue:
        (x,) = self.numbers(node, self.args(node, 1, 1))
        if x.is_fraction:
            return self.round_fraction(node, x, 0, "ceiling")
        return SqlValue("number", f"CAST(ceil({x.sql}) AS {decimal_type(0)})", 0)

    def fn_number_sql(self, node: ast.Call) -> SqlValue:
        (x,) = self.args(node, 1, 1)
        if x.kind != "number":
            raise self.fail(
                node,
                "number() of a text column has no SQL form",
                "columns whose cells are all numbers are read as numbers already",
            )
        return x

    def fn_round_sql(self, node: ast.Call) -> SqlValue:
        if not 2 <= len(node.args) <= 3:
            raise self.fail(node, f"round() takes 2 to 3 arguments, got {len(node.args)}")
        if not all(self.is_constant(a) for a in node.args[1:]):
            raise self.fail(node, "round()'s places and mode must be constants")
        x = self.compile(node.args[0])
        self.need(x, "number", node.args[0])
        interp = Interpreter(self.formula, self.env, self.functions, context=self.context)
        with localcontext(CONTEXT):
            places = interp.visit(node.args[1])
            mode = interp.visit(node.args[2]) if len(node.args) == 3 else "half_up"
        if (
            not isinstance(places, Decimal)
            or places != places.to_integral_value()
            or not 0 <= places <= 20
        ):
            raise self.fail(node.args[1], "places must be a whole number from 0 to 20")
        if mode not in ROUNDING_MODES:
            raise self.fail(node, f"unknown rounding mode {mode!r}")
        n = int(places)
        if x.is_fraction:
            return self.round_fraction(node, x, n, mode)
        return self.round_decimal(x, n, mode)

    def round_decimal(self, x: SqlValue, n: int, mode: str) -> SqlValue:
        """Round an exact DECIMAL to ``n`` places with a named mode (all exact in DECIMAL)."""
        target = decimal_type(n)
        if n == x.scale:
            return x
        if n > x.scale:
            return SqlValue("number", f"CAST({x.sql} AS {target})", n)
        up, down = self.pow10(n), self.pow10(-n)
        y = f"({x.sql} * {up})"
        if mode == "half_up":  # DuckDB's round() on DECIMAL is half away from zero
            sql = f"round({x.sql}, {n})"
        elif mode == "down":
            sql = f"(CAST(trunc({y}) AS {decimal_type(0)}) * {down})"
        elif mode == "floor":
            sql = f"(CAST(floor({y}) AS {decimal_type(0)}) * {down})"
        elif mode == "ceiling":
            sql = f"(CAST(ceil({y}) AS {decimal_type(0)}) * {down})"
        else:  # half_even
            f = f"CAST(floor({y}) AS {decimal_type(0)})"
            half = f"CAST('0.5' AS {decimal_type(1)})"
            sql = (
                f"((CASE WHEN {y} - {f} > {half} THEN {f} + 1 WHEN {y} - {f} < {half} THEN {f} "
                f"WHEN floor({f} * {half}) * 2 = {f} THEN {f} ELSE {f} + 1 END) * {down})"
            )
        return SqlValue("number", f"CAST({sql} AS {target})", n)

    def round_fraction(self, node: ast.Expr, x: SqlValue, n: int, mode: str) -> SqlValue:
        """Round ``num / den`` to ``n`` places exactly, with HUGEINT integer division."""
        scale = max(x.scale, x.den_scale)
        shift_in = f" * {self.pow10(scale)}" if scale else ""
        num = f"CAST(({x.sql}){shift_in} AS HUGEINT)"
        den = f"CAST(({x.den}){shift_in} AS HUGEINT)"
        shift = f"CAST({10**n} AS HUGEINT)"
        a = f"(abs({num}) * {shift})"
        if mode == "half_up":
            q = f"((2 * {a} + {den}) // (2 * {den}))"
            signed = f"(sign({num}) * {q})"
        elif mode == "down":
            signed = f"(sign({num}) * ({a} // {den}))"
        elif mode in ("floor", "ceiling"):
            toward = f"({a} // {den})"
            away = f"(({a} + {den} - 1) // {den})"
            pos, neg = (toward, away) if mode == "floor" else (away, toward)
            signed = f"(CASE WHEN {num} >= 0 THEN {pos} ELSE -{neg} END)"
        else:
            raise self.fail(node, f"rounding mode {mode!r} of a quotient has no SQL form")
        sql = f"CAST(CAST({signed} AS {decimal_type(0)}) * {self.pow10(-n)} AS {decimal_type(n)})"
        return SqlValue("number", self.guard_den(sql, [x]), n)

    def fn_lookup_sql(self, node: ast.Call) -> SqlValue:
        if len(node.args) != 2 or not self.is_constant(node.args[0]):
            raise self.fail(node, 'lookup() needs a constant table name: lookup("table", key)')
        interp = Interpreter(self.formula, self.env, self.functions, context=self.context)
        name = interp.visit(node.args[0])
        tables = self.context.rubric.tables
        if not isinstance(name, str):
            from .functions import value_kind

            raise self.fail(node.args[0], f"lookup() needs a table name, got {value_kind(name)}")
        if name not in tables:
            raise self.fail(node.args[0], f"unknown lookup table {name!r}")
        table = tables[name]
        key = self.compile(node.args[1])
        from ..numbers import to_decimal

        values: list[tuple[str, SqlValue]] = []
        for k, raw in table.items():
            try:
                value: Any = to_decimal(raw)
            except ValueError:
                value = raw
            values.append((str(k), self.literal(value, node)))
        kinds = {v.kind for _, v in values}
        if len(kinds) > 1:
            raise self.fail(node, f"lookup table {name!r} mixes {' and '.join(sorted(kinds))}")
        kind = kinds.pop() if kinds else "number"
        scale = max((v.scale for _, v in values), default=0)
        if key.kind == "text":
            # the interpreter matches the key exactly, then case-insensitively (casefold)
            by_key = dict(values)
            folded = {k.casefold(): k for k, _ in values}  # last wins, as in the interpreter

            def text_arms(key_sql: str) -> list[str]:
                exact = [
                    f"WHEN {key_sql} = {quote_text(k)} THEN {self.cast(v, scale)}"
                    for k, v in values
                ]
                return exact + [
                    f"WHEN lower({key_sql}) = {quote_text(f)} THEN {self.cast(by_key[k], scale)}"
                    for f, k in folded.items()
                ]

            arms = None  # the key is bound once (see bind), the arms built below
            if key.raw:
                # keys as read first (a cell equal to a key as read is that key once
                # trimmed); the trimmed, case-folded tests only for the rows left
                fast = [
                    f"WHEN {key.raw} = {quote_text(k)} THEN {self.cast(v, scale)}"
                    for k, v in values
                    if k == k.strip(" ")
                ]
                if fast:
                    # the value, or NULL for a key not in the table (a table's values are
                    # never NULL): that is the error where the value is used, so the value
                    # itself may be computed for every row (see ``hoisted``)
                    inner = (
                        f"list_transform([{_trimmed(key.raw)}], lambda __ee_key: "
                        f"(CASE {' '.join(text_arms('__ee_key'))} END))[1]"
                    )
                    # then a cell as read in other case ("tidak ada" for a key "Tidak
                    # Ada"): a cell whose lower case is a key's carries no space to trim;
                    # lowered once, and only for the cells no key matched as read
                    lowered = [
                        f"WHEN __ee_low = {quote_text(f)} THEN {self.cast(by_key[k], scale)}"
                        for f, k in folded.items()
                        if f == f.strip()
                    ]
                    if lowered:
                        inner = (
                            f"coalesce(list_transform([lower({key.raw})], lambda __ee_low: "
                            f"(CASE {' '.join(lowered)} END))[1], {inner})"
                        )
                    found = f"(CASE {' '.join(fast)} ELSE {inner} END)"
                    if self.hoisted is not None:  # one column per distinct lookup
                        found = hoist(self.hoisted, found, "__ee_lookup")
                    missing = quote_text(f"a key is not in lookup table '{name}' ({unparse(node)})")
                    sql = f"coalesce({found}, error({missing}))"
                    return SqlValue(kind, sql, scale if kind == "number" else 0)
        elif key.kind == "number":
            self.plain(key, node.args[1])
            numbers = []
            for k, v in values:
                try:
                    kd = Decimal(k)
                except ArithmeticError:
                    continue
                if not kd.is_finite() or f"{kd:f}" != k:
                    continue
                numbers.append((self.literal(kd, node).sql, self.cast(v, scale)))

            def text_arms(key_sql: str) -> list[str]:
                return [f"WHEN {key_sql} = {k} THEN {v}" for k, v in numbers]

            arms = None if numbers else []
        else:
            raise self.fail(node.args[1], f"a lookup key must be text or a number, got {key.kind}")
        missing = quote_text(f"a key is not in lookup table '{name}' ({unparse(node)})")

        def case(arms: list[str]) -> str:
            body = " ".join(arms)
            if arms and arms[-1].startswith("ELSE "):
                return f"(CASE {body} END)"
            if arms:
                return f"(CASE {body} ELSE error({missing}) END)"
            # typed: DuckDB folds an operator over an untyped NULL such as error()'s
            # result to NULL without calling it (-error('…') is NULL, not an error)
            typed = decimal_type(scale) if kind == "number" else "VARCHAR"
            return f"CAST(error({missing}) AS {typed})"

        sql = case(arms) if arms is not None else self.bind(key.sql, lambda k: case(text_arms(k)))
        if kind == "number":
            return SqlValue("number", sql, scale)
        return SqlValue(kind, sql)

    def fn_band_sql(self, node: ast.Call) -> SqlValue:
        if len(node.args) != 2 or not self.is_constant(node.args[1]):
            raise self.fail(node, 'band() needs a constant table name: band(x, "table")')
        x = self.compile(node.args[0])
        self.need(x, "number", node.args[0])
        interp = Interpreter(self.formula, self.env, self.functions, context=self.context)
        name = interp.visit(node.args[1])
        if name not in self.context.rubric.bands:
            raise self.fail(node.args[1], f"unknown band table {name!r}")
        return SqlValue("band", x.sql, x.scale, x.den, x.den_scale, band_table=name, band_of=x)

    def band_field(self, band: SqlValue, field: str, node: ast.Expr) -> SqlValue:
        """``band(x, "t").<field>`` as a CASE over the table's intervals, in table order."""
        table = self.context.rubric.bands[band.band_table]
        x = band.band_of
        assert x is not None
        if field not in ("label", "meaning", "lower", "upper"):
            raise self.fail(
                node, f"a band has no field '{field}'", "fields: label, meaning, lower, upper"
            )
        arms = []
        out_kind, scale = "text", 0
        if field in ("lower", "upper"):
            out_kind = "number"
            ends = [b.interval.lo if field == "lower" else b.interval.hi for b in table.bands]
            if any(e is None for e in ends):
                raise self.fail(node, f"a band of '{table.name}' has no {field} end")
            scale = max(decimal_scale(e) for e in ends)
        for b in table.bands:
            iv = b.interval
            tests = []
            if iv.lo is not None:
                lo = self.literal(iv.lo, node)
                tests.append(self.compare(node, lo, x, "le" if iv.lo_closed else "lt").sql)
            if iv.hi is not None:
                hi = self.literal(iv.hi, node)
                tests.append(self.compare(node, x, hi, "le" if iv.hi_closed else "lt").sql)
            cond = " AND ".join(tests) or "TRUE"
            if field in ("label", "meaning"):
                out = quote_text(b.label if field == "label" else b.meaning)
            else:
                end = iv.lo if field == "lower" else iv.hi
                out = f"CAST({quote_text(f'{end:f}')} AS {decimal_type(scale)})"
            arms.append(f"WHEN {cond} THEN {out}")
        missing = quote_text(f"a value falls in no band of '{table.name}' ({unparse(node)})")
        return SqlValue(out_kind, f"(CASE {' '.join(arms)} ELSE error({missing}) END)", scale)

    # -- helpers --------------------------------------------------------------------------
    def need(self, value: SqlValue, kind: str, node: ast.Expr) -> None:
        """Check a compiled operand's type, as the interpreter does at run time."""
        if value.kind == "band" and kind == "number":
            raise self.fail(node, "expected a number, got band", "use band(…).lower or .upper")
        if value.kind != kind:
            expected = "true or false" if kind == "bool" else f"a {kind}"
            hint = None
            column = None
            if value.kind == "text" and kind == "number" and isinstance(node, ast.Ref):
                hint = "this column holds text in some rows; numbers only in a numeric column"
                column = node.path[-1]
            error = self.fail(node, f"expected {expected}, got {value.kind}", hint)
            error.column = column
            raise error

    def plain(self, value: SqlValue, node: ast.Expr) -> SqlValue:
        """A number that is not a pending fraction, or an error explaining why it must be."""
        if value.is_fraction:
            raise self.fail(
                node,
                "this quotient has no exact decimal value in SQL",
                "round it, e.g. round(row.a / row.b * 100, 2), or divide by a constant "
                "such as 4 or 100",
            )
        return value

    def as_fraction(self, value: SqlValue) -> SqlValue:
        if value.is_fraction:
            return value
        return SqlValue("number", value.sql, value.scale, "1", 0)

    def cast(self, value: SqlValue, scale: int) -> str:
        """``value`` cast to ``DECIMAL(38, scale)`` (exact: ``scale`` ≥ its own scale)."""
        if value.scale == scale:  # DuckDB unifies equal scales exactly (widest width wins)
            return value.sql
        return f"CAST({value.sql} AS {decimal_type(scale)})"

    def guard_den(self, sql: str, fractions: list[SqlValue]) -> str:
        """Raise 'division by zero' when a fraction used here has a zero denominator."""
        dens = [f.den for f in fractions if f.den not in (None, "1")]
        if not dens:
            return sql
        message = quote_text(f"division by zero in `{unparse(self.formula.tree)}`")
        zero = " OR ".join(f"{d} = 0" for d in dens)
        return f"(CASE WHEN {zero} THEN error({message}) ELSE {sql} END)"


_ARITHMETIC = ("add", "sub", "mul", "div")


def _largest(bounds: list[Decimal | None]) -> Decimal | None:
    """The largest of some bounds (None when any is unknown)."""
    if not bounds or None in bounds:
        return None
    return max(b for b in bounds if b is not None)


def _trimmed(raw: str) -> str:
    """The cell as read, stripped as the document path strips it (what the bulk table's
    column holds; :func:`~evalengine.bulk.source.sql_trim`: DuckDB's ``trim`` unless a
    tab or a no-break space is left at an edge)."""
    from ..bulk.cells import sql_trim

    return f"coalesce({sql_trim(raw)}, '')"


def _is_number_text(text: str) -> bool:
    """True when the interpreter reads ``text`` in a cell as a number."""
    from ..numbers import parse_number

    try:
        parse_number(text)
    except ValueError:
        return False
    return True


def _text_equals(raw: str, lit: str, text: str, node: ast.Expr) -> str:
    """SQL: the trimmed cell of ``raw`` equals the literal ``lit`` (``text``, no edge
    spaces), never NULL; a cell the interpreter reads as a number stops the row, as the
    interpreter cannot compare a number with text.

    Each row pays as little as it can: equal as read is equal once stripped; a cell with
    no digit, or with a character no number holds (``S3``), is no number; a cell not
    holding the literal cannot equal it once stripped.
    Only the rest are stripped as the document path strips (:func:`_trimmed`; trimming
    every cell cost as much as the formula), and the slow number reading runs under
    ``CASE`` on cells with a digit alone (under ``AND`` DuckDB would run it on every cell).
    The digit test is a ``GLOB``: ``regexp_matches`` cost ~40 ns a cell it ran on (on a
    5M-row roster with one cell in ten not equal as read: ~20 ms of a 65 ms formula).
    """
    from ..bulk.cells import TEXT_CHAR, number_text

    trimmed = _trimmed(raw)
    message = quote_text(f"cannot compare number with text ({unparse(node)})")
    same = f"WHEN {raw} = {lit} THEN TRUE " if not _is_number_text(text) else ""
    # a cell with a digit and a character no number holds ("S3", "D3") is text: one
    # regular expression, not the number reading (~1.2 µs a cell), nor a strip
    number = (  # GLOB, not regexp_matches: the same ASCII digits, ~20× cheaper a cell
        f"WHEN {raw} GLOB '*[0-9]*' THEN (CASE WHEN regexp_matches({raw}, '{TEXT_CHAR}') "
        f"THEN (CASE WHEN contains({raw}, {lit}) THEN {trimmed} = {lit} ELSE FALSE END) "
        f"WHEN {number_text(trimmed)} IS NOT NULL THEN error({message}) "
        f"ELSE {trimmed} = {lit} END) "
    )
    if not text:  # a blank cell (NULL) is '' once trimmed
        return f"(CASE {same}{number}ELSE {trimmed} = {lit} END)"
    return f"(CASE {same}{number}WHEN contains({raw}, {lit}) THEN {trimmed} = {lit} ELSE FALSE END)"


def _text_literal(sql: str) -> str | None:
    """The text of a SQL string literal (``'it''s'`` → ``it's``), or None if ``sql`` is not one."""
    if len(sql) >= 2 and sql[0] == sql[-1] == "'" and "'" not in sql[1:-1].replace("''", ""):
        return sql[1:-1].replace("''", "'")
    return None


def compile_formula(
    formula: Formula,
    columns: Mapping[str, Column],
    env: Any,
    functions: Mapping[str, Any],
    context: Any,
) -> SqlValue:
    """Compile a whole per-row formula (see :class:`SqlCompiler`)."""
    return SqlCompiler(formula, columns, env, functions, context).compile()


__all__ = [
    "Column",
    "SqlCompileError",
    "SqlCompiler",
    "SqlValue",
    "compile_formula",
    "quote_ident",
    "quote_text",
]
