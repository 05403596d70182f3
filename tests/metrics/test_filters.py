"""The filter language's bounds: length, nesting, terms and numbers are refused with an InputError
naming the bound, never a RecursionError; the largest filter the bounds allow still runs."""
from __future__ import annotations

from datetime import datetime

import ibis
import pytest

from engagekit.errors import InputError
from engagekit.people.filters import (
    MAX_FILTER_CHARS,
    MAX_FILTER_DEPTH,
    MAX_FILTER_TERMS,
    fields_of,
    filter_text,
    map_fields,
    parse_filter,
    to_ibis,
)
from engagekit.people.names import SPEC_NAMES, NameCheck

TERM = "plan == 'pro'"


def chain(join: str, terms: int) -> str:
    return f" {join} ".join([TERM] * terms)


def nested(depth: int, inner: str = TERM) -> str:
    return "(" * depth + inner + ")" * depth


# found on the read API: 1000 parentheses, `not`s or terms were a RecursionError (a 500)
@pytest.mark.parametrize("text", [nested(1000), "not " * 1000 + TERM, chain("and", 1000), chain("or", 1000)])
def test_hostile_filters_are_input_errors(text: str) -> None:
    with pytest.raises(InputError, match="at most"):
        parse_filter(text)


def test_each_bound_is_named_in_its_message() -> None:
    with pytest.raises(InputError, match=f"at most {MAX_FILTER_CHARS} characters"):
        parse_filter("properties.x == '" + "y" * MAX_FILTER_CHARS + "'")
    with pytest.raises(InputError, match=f"nests at most {MAX_FILTER_DEPTH} levels"):
        parse_filter(nested(MAX_FILTER_DEPTH + 1))
    with pytest.raises(InputError, match=f"nests at most {MAX_FILTER_DEPTH} levels"):
        parse_filter("not " * (MAX_FILTER_DEPTH + 1) + TERM)
    with pytest.raises(InputError, match=f"at most {MAX_FILTER_TERMS} comparisons"):
        parse_filter(chain("or", MAX_FILTER_TERMS + 1))


# found by schemathesis-style input: an integer past int64 reached Ibis as a literal it cannot type
@pytest.mark.parametrize("text", ["revenue > 99999999999999999999", "revenue < -9223372036854775809",
                                  "revenue > " + "9" * 400 + ".5", "revenue in [1, 123456789012345678901]"])
def test_numbers_out_of_range_are_input_errors(text: str) -> None:
    with pytest.raises(InputError, match="out of range"):
        parse_filter(text)


def test_the_largest_allowed_filter_compiles_and_runs() -> None:
    # MAX_FILTER_DEPTH levels of parentheses around MAX_FILTER_TERMS comparisons joined by `or`:
    # one row matches (plan pro), so the count is 1
    text = nested(MAX_FILTER_DEPTH - 1, chain("or", MAX_FILTER_TERMS))
    assert len(text) <= MAX_FILTER_CHARS
    tree = parse_filter(text)
    assert fields_of(tree) == {"plan"}
    renamed = map_fields(tree, lambda field: field)
    table = ibis.memtable({"plan": ["pro", "free"], "ts": [datetime(2024, 1, 1)] * 2})
    assert table.filter(to_ibis(renamed, table)).count().execute() == 1


def test_bounds_leave_ordinary_filters_alone() -> None:
    tree = parse_filter("plan == 'pro' and (country in ['DE', 'FR'] or properties.amount >= 100.5)")
    assert fields_of(tree) == {"plan", "country", "properties.amount"}
    assert parse_filter("revenue > 9223372036854775807") is not None  # the largest int64 is fine


def test_written_filters_parse_back_to_the_same_tree_with_only_needed_parentheses() -> None:
    for text, written in [
        ("a == 1 and b == 2 and c == 3", "a == 1 and b == 2 and c == 3"),  # left-deep: flat
        ("a == 1 and (b == 2 and c == 3)", "a == 1 and (b == 2 and c == 3)"),  # a right operand keeps them
        ("(a == 1 or b == 2) and c == 3", "(a == 1 or b == 2) and c == 3"),
        ("a == 1 or b == 2 and c == 3", "a == 1 or b == 2 and c == 3"),  # `and` holds tighter
        ("not (a == 1 or b is null)", "not (a == 1 or b is null)"),
        ("not not x in ['a', 'it\\'s']", "not not x in ['a', 'it\\'s']"),
        ("amount >= 1.5 and flag == true", "amount >= 1.5 and flag == true"),
    ]:
        assert filter_text(parse_filter(text)) == written
        assert parse_filter(written) == parse_filter(text)


def test_a_long_filter_naming_an_alias_stays_within_the_bounds_once_mapped() -> None:
    # 31 comparisons joined by `and` (depth 0): mapping `pageview` must not write 30 nested parentheses
    text = "event == 'pageview' and " + " and ".join(f"properties.k{i} == {i}" for i in range(30))
    mapped = NameCheck(SPEC_NAMES).where(text)
    assert mapped.startswith("event == 'page_viewed' and properties.k0 == 0")
    assert parse_filter(mapped) == NameCheck(SPEC_NAMES).tree(parse_filter(text))
