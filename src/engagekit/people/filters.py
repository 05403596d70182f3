"""A small filter language for KPIs and `--where`, parsed into a tree and compiled to Ibis.

    plan == 'pro' and (country in ['DE', 'FR'] or properties.amount >= 100)
    not traits.campaign is null

Fields are columns of the table being filtered, or `properties.KEY` / `traits.KEY` inside the
JSON columns. Operators: == != > >= < <= in, not in, contains, is null, is not null; and, or,
not, parentheses. Literals: 'text' or "text", numbers, true, false, null, [lists]. User text is
only ever a literal value in an Ibis expression: it never reaches SQL as text.

Bounds (every surface parses here: `--where`, KPI YAML, analysis steps, the dashboard, the read
API): at most MAX_FILTER_CHARS characters, MAX_FILTER_DEPTH levels of parentheses and `not`, and
MAX_FILTER_TERMS comparisons; integers fit 64 bits. The parser checks them as it reads, so a
hostile text is an InputError naming the bound, and the trees it returns are shallow enough for
the recursive functions below and for the engines' compilers.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Union

import ibis
import ibis.expr.types as ir

from engagekit.errors import InputError
from engagekit.json_fields import json_text

_TOKEN = re.compile(
    r"\s*(?:(?P<number>-?\d+(?:\.\d+)?)|(?P<string>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<op>==|!=|>=|<=|>|<|\(|\)|\[|\]|,)|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)
COMPARISONS = ("==", "!=", ">", ">=", "<", "<=")
JSON_COLUMNS = ("properties", "traits")
MAX_FILTER_CHARS = 4000  # an `in` list of a few hundred values fits
MAX_FILTER_DEPTH = 16  # levels of parentheses and `not`, one inside the other
MAX_FILTER_TERMS = 100  # comparisons joined by and/or
_INT64 = (-(2**63), 2**63 - 1)
_SHOWN_CHARS = 80  # a filter quoted in an error message is cut to this length


@dataclass(frozen=True)
class Compare:
    field: str
    op: str  # one of COMPARISONS, "in", "not in", "contains", "is null", "is not null"
    value: Any = None


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    left: Filter
    right: Filter


@dataclass(frozen=True)
class Not:
    operand: Filter


Filter = Union[Compare, BoolOp, Not]


def parse_filter(text: str) -> Filter:
    """Parse filter text into a tree; errors say where the text went wrong or which bound it crosses."""
    if len(text) > MAX_FILTER_CHARS:
        raise InputError(f"filter {_shown(text)}: at most {MAX_FILTER_CHARS} characters, not {len(text)}")
    tokens = _tokenize(text)
    parser = _Parser(tokens, text)
    tree = parser.expression()
    if parser.position < len(tokens):
        raise InputError(f"filter {parser.text}: unexpected {tokens[parser.position][1]!r}")
    return tree


_BINDING = {"or": 1, "and": 2}  # how tightly each operator holds; comparisons and `not` hold tightest (3)


def filter_text(tree: Filter) -> str:
    """A parsed filter as text that parses back to the same tree, with only the parentheses the
    grammar needs (`a and b and c` stays flat), so that text within the bounds stays within them."""
    match tree:
        case Compare(field=field_name, op=op, value=value):
            if op in ("is null", "is not null"):
                return f"{field_name} {op}"
            return f"{field_name} {op} {_literal(value)}"
        case BoolOp(op=op, left=left, right=right):
            # left-associative: a left operand of the same operator needs no parentheses, a right one does
            return f"{_operand(left, _BINDING[op])} {op} {_operand(right, _BINDING[op] + 1)}"
        case Not(operand=operand):
            return f"not {_operand(operand, 3)}"
    raise InputError(f"cannot write filter node {tree!r}")


def _operand(tree: Filter, binding: int) -> str:
    text = filter_text(tree)
    return f"({text})" if isinstance(tree, BoolOp) and _BINDING[tree.op] < binding else text


def _literal(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{Decimal(repr(value)):f}"
        return text if "." in text else f"{text}.0"
    if isinstance(value, int):
        return str(value)
    escaped = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def check_filter_text(value: str | None) -> str | None:
    """A pydantic validator body: the text parses, else a ValueError the model reports by field."""
    if value is not None:
        try:
            parse_filter(value)
        except InputError as exc:
            raise ValueError(str(exc)) from exc
    return value


def fields_of(tree: Filter) -> set[str]:
    """Every field a filter reads (to check them against the table before running)."""
    match tree:
        case Compare(field=field):
            return {field}
        case BoolOp(left=left, right=right):
            return fields_of(left) | fields_of(right)
        case Not(operand=operand):
            return fields_of(operand)


def _shown(text: str) -> str:
    """The filter as an error message quotes it: whole, or its start when it is long."""
    return repr(text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "...")


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise InputError(f"filter {_shown(text)}: cannot read {text[position:].strip()[:20]!r}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent: or > and > not > comparison; it counts the nesting before each step
    down and the comparisons as it makes them (see the bounds in the module docstring)."""

    def __init__(self, tokens: list[tuple[str, str]], text: str) -> None:
        self.tokens, self.text, self.position = tokens, _shown(text), 0
        self.depth = self.terms = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise InputError(f"filter {self.text}: ends too early")
        self.position += 1
        return token

    def word_is(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1].lower() == word

    def expression(self) -> Filter:
        left = self.conjunction()
        while self.word_is("or"):
            self.take()
            left = BoolOp("or", left, self.conjunction())
        return left

    def conjunction(self) -> Filter:
        left = self.negation()
        while self.word_is("and"):
            self.take()
            left = BoolOp("and", left, self.negation())
        return left

    def negation(self) -> Filter:
        if self.word_is("not"):
            self.take()
            with self.nested():
                return Not(self.negation())
        if self.peek() == ("op", "("):
            self.take()
            with self.nested():
                inner = self.expression()
            if self.take() != ("op", ")"):
                raise InputError(f"filter {self.text}: missing ')'")
            return inner
        return self.comparison()

    @contextmanager
    def nested(self) -> Iterator[None]:
        """One level down (a parenthesis or `not`), refused past MAX_FILTER_DEPTH."""
        self.depth += 1
        if self.depth > MAX_FILTER_DEPTH:
            raise InputError(f"filter {self.text}: a filter nests at most {MAX_FILTER_DEPTH} levels of "
                             "parentheses and `not`")
        yield
        self.depth -= 1

    def comparison(self) -> Filter:
        self.terms += 1
        if self.terms > MAX_FILTER_TERMS:
            raise InputError(f"filter {self.text}: at most {MAX_FILTER_TERMS} comparisons")
        kind, field = self.take()
        if kind != "word":
            raise InputError(f"filter {self.text}: expected a field name, found {field!r}")
        if self.word_is("is"):
            self.take()
            negated = self.word_is("not") and bool(self.take())
            if not self.word_is("null"):
                raise InputError(f"filter {self.text}: expected 'null' after 'is'")
            self.take()
            return Compare(field, "is not null" if negated else "is null")
        if self.word_is("not"):
            self.take()
            if not self.word_is("in"):
                raise InputError(f"filter {self.text}: expected 'in' after 'not'")
            self.take()
            return Compare(field, "not in", self.list_literal())
        if self.word_is("in"):
            self.take()
            return Compare(field, "in", self.list_literal())
        if self.word_is("contains"):
            self.take()
            return Compare(field, "contains", self.literal())
        kind, op = self.take()
        if op not in COMPARISONS:
            raise InputError(f"filter {self.text}: expected an operator after {field!r}, found {op!r}")
        return Compare(field, op, self.literal())

    def list_literal(self) -> list[Any]:
        if self.take() != ("op", "["):
            raise InputError(f"filter {self.text}: expected '[' to start a list")
        values = []
        while self.peek() != ("op", "]"):
            values.append(self.literal())
            if self.peek() == ("op", ","):
                self.take()
        self.take()
        return values

    def literal(self) -> Any:
        kind, value = self.take()
        if kind == "number":
            return self.number(value)
        if kind == "string":
            return re.sub(r"\\(.)", r"\1", value[1:-1])
        if kind == "word" and value.lower() in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[value.lower()]
        raise InputError(f"filter {self.text}: expected a value, found {value!r}")

    def number(self, text: str) -> int | float:
        """An integer of 64 bits or a finite decimal (what the engines compare with)."""
        value = float(text) if "." in text else int(text)
        fits = math.isfinite(value) if isinstance(value, float) else _INT64[0] <= value <= _INT64[1]
        if not fits:
            raise InputError(f"filter {self.text}: the number {_shown(text)} is out of range "
                             f"(integers from {_INT64[0]} to {_INT64[1]}, finite decimals)")
        return value


def field_expr(table: ir.Table, field: str, like: Any = None) -> ir.Value:
    """The Ibis value of a field: a column, or a key of a JSON text column.

    JSON values are read as text and cast to a number when compared with a number."""
    head, _, key = field.partition(".")
    if key and head in JSON_COLUMNS and head in table.columns:
        value = json_text(table[head], key)
        if isinstance(like, bool):
            return value == ibis.literal("true")
        if isinstance(like, (int, float)):
            return value.try_cast("float64")
        return value
    if field not in table.columns:
        raise InputError(f"unknown field {field!r}; fields: {', '.join(c for c in table.columns if not c.startswith('_'))}"
                         f", properties.KEY, traits.KEY")
    return table[field]


def to_ibis(tree: Filter, table: ir.Table) -> ir.BooleanValue:
    """Compile a parsed filter against `table`."""
    match tree:
        case BoolOp(op="and", left=left, right=right):
            return to_ibis(left, table) & to_ibis(right, table)
        case BoolOp(op="or", left=left, right=right):
            return to_ibis(left, table) | to_ibis(right, table)
        case Not(operand=operand):
            return ~to_ibis(operand, table)
        case Compare(field=field, op=op, value=value):
            sample = value[0] if isinstance(value, list) and value else value
            column = field_expr(table, field, sample)
            return _compare(column, op, value)
    raise InputError(f"cannot compile filter node {tree!r}")


def _compare(column: ir.Value, op: str, value: Any) -> ir.BooleanValue:
    match op:
        case "==":
            return column.isnull() if value is None else column == value
        case "!=":
            return column.notnull() if value is None else (column != value) | column.isnull()
        case ">":
            return column > value
        case ">=":
            return column >= value
        case "<":
            return column < value
        case "<=":
            return column <= value
        case "in":
            return column.isin(value)
        case "not in":
            return ~column.isin(value) | column.isnull()
        case "contains":
            return column.cast("string").contains(str(value))
        case "is null":
            return column.isnull()
        case "is not null":
            return column.notnull()
    raise InputError(f"unknown operator {op!r}")


def map_fields(tree: Filter, rename: Callable[[str], str]) -> Filter:
    """The same filter with every field renamed (to resolve bare trait names, say)."""
    match tree:
        case Compare(field=field, op=op, value=value):
            return Compare(rename(field), op, value)
        case BoolOp(op=op, left=left, right=right):
            return BoolOp(op, map_fields(left, rename), map_fields(right, rename))
        case Not(operand=operand):
            return Not(map_fields(operand, rename))
    raise InputError(f"cannot rename fields of filter node {tree!r}")


def resolve_field(table: ir.Table, field: str) -> str:
    """A bare name that is not a column is a customer trait: `gender` -> `traits.gender`."""
    if field in table.columns or "." in field:
        return field
    return f"traits.{field}"
