"""Read one key of a JSON object stored as text, portably (a regular expression both engines run
natively; Spark's JSON path in Ibis goes through a slow Python UDF).

Top-level keys of flat objects are what engagekit writes (`properties`, `traits`); a nested
object with a key of the same name could match too, which is why keys are kept distinct.
"""
from __future__ import annotations

import re

import ibis
import ibis.expr.types as ir

_VALUE = r'("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false)'  # a string (quotes kept) or a scalar


def json_text(column: ir.StringValue, key: str) -> ir.StringValue:
    """The value of `key` as text (strings unquoted, numbers and booleans as written), else null.

    One regular expression per key: it captures the value with its quotes, which are then cut
    off (an empty string stays empty; a missing key, or null, matches nothing and gives null)."""
    value = column.re_extract(rf'"{re.escape(key)}"\s*:\s*{_VALUE}', 1)
    return ibis.cases(
        (value == "", ibis.null("string")),
        (value.startswith('"'), value.substr(1, value.length() - 2)),
        else_=value,
    )


def json_number(column: ir.StringValue, key: str) -> ir.FloatingValue:
    """The value of `key` as a number, null when absent or not numeric."""
    return json_text(column, key).try_cast("float64")
