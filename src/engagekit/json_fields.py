"""Read one key of a JSON object stored as text, portably (a regular expression both engines run
natively; Spark's JSON path in Ibis goes through a slow Python UDF).

Top-level keys of flat objects are what engagekit writes (`properties`, `traits`); a nested
object with a key of the same name could match too, which is why keys are kept distinct.
"""
from __future__ import annotations

import json
import re

import ibis.expr.types as ir

_VALUE = r'("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false)'  # a string (quotes kept) or a scalar


def json_text(column: ir.StringValue, key: str) -> ir.StringValue:
    """The value of `key` as text (strings unquoted, numbers and booleans as written), else null.

    The JSON text is scanned by one regular expression per key, which captures the value with
    its quotes (nothing when the key is missing or null); a second one on that short capture
    cuts the quotes off. The scan appears once in the expression, as engines do not share
    repeated subexpressions inside filters."""
    value = column.re_extract(rf'"{re.escape(key)}"\s*:\s*{_VALUE}', 1).nullif("")
    return value.re_extract(r'^"?(.*?)"?$', 1)


def plain_text(raw: str) -> str:
    """A string value as `json_text` reads it (JSON escapes kept: quotes, line breaks, \\u00e9)
    decoded to the text as written; a value that is not a valid JSON string body is returned as
    it is. Used where texts reach Python (sentiment, themes, verbatims), one call per text."""
    if "\\" not in raw:
        return raw
    try:
        return json.loads(f'"{raw}"')
    except ValueError:
        return raw


def json_number(column: ir.StringValue, key: str) -> ir.FloatingValue:
    """The value of `key` as a number, null when absent or not numeric."""
    return json_text(column, key).try_cast("float64")
