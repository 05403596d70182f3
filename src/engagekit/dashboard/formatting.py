"""Jinja filters of the dashboard's templates: numbers, shares, durations and times as people read them."""
from __future__ import annotations

from datetime import date, datetime

from jinja2 import Environment

STATUS_LABELS = {"on_track": "on track", "warning": "warning", "critical": "critical"}


def number(value: float | None, digits: int = 0) -> str:
    """1234.5 -> '1,235' (or with `digits` decimals); '-' for no value."""
    return "-" if value is None else f"{value:,.{digits}f}"


def percent(value: float | None, digits: int = 1) -> str:
    """0.123 -> '12.3%'; '-' for no value."""
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def duration(seconds: float | None) -> str:
    """Seconds in the largest unit that fits, one decimal: 45 -> '45 s', 5400 -> '1.5 h'."""
    if seconds is None:
        return "-"
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if abs(seconds) >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def moment(value: datetime | date | str | None) -> str:
    """A timestamp to the minute, a day as YYYY-MM-DD; '-' for none."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", "no target")


def install(env: Environment) -> None:
    """Register the filters on a Jinja environment."""
    env.filters.update(number=number, percent=percent, duration=duration, moment=moment, status_label=status_label)
