"""Today in the project timezone: behavioural cohorts count their last N days from it."""
from __future__ import annotations

from datetime import date, datetime, timezone

from engagekit.clock import local_today


def test_today_is_the_project_timezone_date() -> None:
    noon_utc = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
    assert local_today("UTC", noon_utc) == date(2026, 11, 26)
    assert local_today("Pacific/Kiritimati", noon_utc) == date(2026, 11, 27)  # UTC+14: 02:00 next day
    assert local_today("America/Los_Angeles", datetime(2026, 11, 26, 3, 0, tzinfo=timezone.utc)) == date(2026, 11, 25)
