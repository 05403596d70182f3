"""The current time as the store keeps it (UTC, without a zone), and today in the project timezone."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo


def utc_now() -> datetime:
    """Now in UTC, naive (the store's timestamps carry no zone and mean UTC)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def local_today(zone: str, now: datetime | None = None) -> date:
    """Today's date in `zone` (the project timezone, in which analyses read days); `now`, an
    aware time, for a fixed clock."""
    return (now or datetime.now(timezone.utc)).astimezone(ZoneInfo(zone)).date()
