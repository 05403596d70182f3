"""The current time as the store keeps it: UTC, without a zone."""
from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    """Now in UTC, naive (the store's timestamps carry no zone and mean UTC)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
