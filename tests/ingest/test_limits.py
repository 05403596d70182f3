"""The shared intake bounds: JSON depth measured without recursion, the accepted time window."""
from __future__ import annotations

from datetime import datetime, timedelta

from engagekit.ingest.limits import TimeBounds, json_depth_exceeds, json_text_may_exceed


def nested(levels: int) -> dict:
    value: dict = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def test_depth_counts_the_top_object_as_level_one() -> None:
    assert not json_depth_exceeds(nested(3), limit=3)
    assert json_depth_exceeds(nested(4), limit=3)
    assert json_depth_exceeds({"a": [[1]]}, limit=2)  # object, list, list: three levels
    assert not json_depth_exceeds({"a": [1, 2], "b": {"c": 1}}, limit=2)
    assert not json_depth_exceeds("text", limit=0)


def test_depth_of_a_hostile_value_does_not_recurse() -> None:
    assert json_depth_exceeds(nested(100_000), limit=64)  # far past the interpreter's stack


def test_bracket_count_is_a_safe_shortcut() -> None:
    assert not json_text_may_exceed(b'{"a":{"b":1}}', limit=2)
    assert json_text_may_exceed('{"a":{"b":{"c":1}}}', limit=2)


def test_latest_accepted_time_is_now_plus_the_allowed_skew() -> None:
    now = datetime(2026, 12, 3, 12, 0)
    assert TimeBounds().latest(now) == now + timedelta(days=1)
    assert TimeBounds().earliest == datetime(1990, 1, 1)
