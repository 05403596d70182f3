"""Bounds on what intake accepts: event times and JSON nesting.

Named once here so that every intake path (files and the collector) refuses the same things,
and every reader of the store's time span (the default "last full month", default ranges)
ignores what lies outside the same window. An event time outside [earliest, now + ahead] is a
clock or parsing error (a device set to 1970 or to the year 4052), not customer activity.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from engagekit.clock import utc_now
from engagekit.config import DEFAULT_EVENTS_EARLIEST, DEFAULT_EVENTS_MAX_AHEAD_DAYS, Settings

MAX_JSON_DEPTH = 64  # nesting levels of a message or a row's JSON (an object at the top is level 1)
JSON_DEPTH_REASON = f"JSON nested deeper than {MAX_JSON_DEPTH} levels (MAX_JSON_DEPTH)"


@dataclass(frozen=True)
class TimeBounds:
    """The event times intake accepts: from `earliest` (naive UTC) to now + `ahead`."""

    earliest: datetime = DEFAULT_EVENTS_EARLIEST
    ahead: timedelta = timedelta(days=DEFAULT_EVENTS_MAX_AHEAD_DAYS)

    @classmethod
    def from_settings(cls, settings: Settings) -> TimeBounds:
        """The window of `events_earliest` and `events_max_ahead_days` in engagekit.yaml."""
        return cls(settings.events_earliest, timedelta(days=settings.events_max_ahead_days))

    def latest(self, now: datetime | None = None) -> datetime:
        """The latest accepted time (naive UTC) at `now` (naive UTC; the clock by default)."""
        return (now or utc_now()) + self.ahead

    def too_early(self) -> str:
        """Why a time before `earliest` is refused, naming the setting."""
        return f"is before the earliest accepted time {self.earliest:%Y-%m-%d %H:%M} UTC (setting events_earliest)"

    def too_late(self, latest: datetime) -> str:
        """Why a time after `latest` is refused, naming the setting."""
        return (f"is after the latest accepted time {latest:%Y-%m-%d %H:%M} UTC "
                f"(now + {_duration(self.ahead)}, setting events_max_ahead_days)")


def _duration(span: timedelta) -> str:
    """A span as people say it: "1 day", "2 days", "12 hours", "90 minutes"."""
    seconds = span.total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:g} seconds"


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


def json_text_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON text nests deeper than `limit` levels: parsed only past the bracket count,
    and text too deep for the parser's own stack counts as too deep (malformed text does not)."""
    if not json_text_may_exceed(text, limit):
        return False
    try:
        return json_depth_exceeds(json.loads(text), limit)
    except RecursionError:
        return True
    except ValueError:
        return False
