"""Bounds on what intake accepts: event times and JSON nesting.

Named once here so that every intake path (files and the collector) refuses the same things,
and every reader of the store's time span (the default "last full month", default ranges)
ignores what lies outside the same window. An event time outside [earliest, now + ahead] is a
clock or parsing error (a device set to 1970 or to the year 4052), not customer activity.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from engagekit.clock import utc_now

DEFAULT_EARLIEST_EVENT_TIME = datetime(1990, 1, 1)
DEFAULT_MAX_AHEAD = timedelta(days=1)  # clock skew allowed after the collector's sentAt correction
MAX_JSON_DEPTH = 64  # nesting levels of a message or a row's JSON (an object at the top is level 1)


@dataclass(frozen=True)
class TimeBounds:
    """The event times intake accepts: from `earliest` (naive UTC) to now + `ahead`."""

    earliest: datetime = DEFAULT_EARLIEST_EVENT_TIME
    ahead: timedelta = DEFAULT_MAX_AHEAD

    def latest(self, now: datetime | None = None) -> datetime:
        """The latest accepted time (naive UTC) at `now` (naive UTC; the clock by default)."""
        return (now or utc_now()) + self.ahead


def json_depth_exceeds(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON nests objects/arrays deeper than `limit` levels; iterative, so a
    hostile value cannot exhaust the interpreter's stack while being checked."""
    if not isinstance(value, (dict, list)):
        return False
    stack: list[tuple[dict | list, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False


def json_text_may_exceed(text: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """A cheap test before parsing or walking: JSON text with at most `limit` opening brackets
    cannot nest deeper than `limit` (brackets inside strings only make this answer True more often)."""
    opening = (b"{", b"[") if isinstance(text, bytes) else ("{", "[")
    return text.count(opening[0]) + text.count(opening[1]) > limit
