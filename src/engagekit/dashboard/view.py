"""The global view of every page: a date range and a segment, read from and written to the URL.

A view is what a shared link carries: `?from=2026-10-01&to=2026-10-31&where=country == 'BR'
&cohort=loyal`. `from`/`to` are inclusive days (as on the CLI); the range is [from, to + 1 day).
The segment is a set of customers: those whose current traits match `where` (the metrics filter
language; bare names are traits, and the shorthand `country=BR` means `country == 'BR'`) and
who belong to the saved cohort `cohort`. Both are optional; with both, people must match both.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from engagekit.errors import InputError
from engagekit.people.cohorts import validate_name
from engagekit.people.filters import parse_filter
from engagekit.people.ranges import check_range

_SHORTHAND = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*([^=<>!'\"\s][^='\"]*?)\s*$")
MAX_NUMBER_DIGITS = 9  # a whole number in a form (a page, periods); the query models bound its value


@dataclass(frozen=True)
class View:
    """The date range [start, end) and the segment (trait filter and saved cohort) of a page."""

    start: date
    end: date
    where: str | None = None
    cohort: str | None = None

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def params(self) -> dict[str, str]:
        """The URL query parameters of this view."""
        params = {"from": self.start.isoformat(), "to": self.last_day.isoformat()}
        if self.where:
            params["where"] = self.where
        if self.cohort:
            params["cohort"] = self.cohort
        return params

    def query(self, **extra: str) -> str:
        """`from=...&to=...` plus extra parameters, URL-encoded (for links between pages)."""
        return urlencode({**self.params(), **{k: v for k, v in extra.items() if v not in (None, "")}})

    def key(self) -> tuple:
        return (self.start, self.end, self.where, self.cohort)

    def segment_label(self) -> str:
        parts = [p for p in (self.where, f"cohort {self.cohort}" if self.cohort else None) if p]
        return " and ".join(parts) if parts else "everyone"


def read_view(params: dict[str, str], default: tuple[date, date]) -> View:
    """The view of a request's query parameters; missing dates take the default range.
    Raises InputError naming the parameter at fault."""
    start = _day(params.get("from"), "from") or default[0]
    last = _day(params.get("to"), "to") or default[1] - timedelta(days=1)
    if last < start:
        raise InputError(f"the range ends ({last}) before it starts ({start})")
    check_range(start, last + timedelta(days=1))
    return View(start, last + timedelta(days=1), trait_filter(params.get("where")), _cohort(params.get("cohort")))


def trait_filter(text: str | None) -> str | None:
    """Filter text that parses (checked here so the page can say what is wrong, bounds included),
    or None."""
    if text is None or not text.strip():
        return None
    shorthand = _SHORTHAND.match(text)
    if shorthand:
        text = f"{shorthand.group(1)} == '{shorthand.group(2)}'"
    parse_filter(text)
    return text.strip()


def whole_number(text: str, name: str, what: str = "whole number") -> int:
    """A form field that holds a whole number of ASCII digits (at most MAX_NUMBER_DIGITS), else an
    InputError naming the field."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_NUMBER_DIGITS:
        raise InputError(f"{name}: expected a {what} of at most {MAX_NUMBER_DIGITS} digits, not {text[:20]!r}")
    return int(text)


def _day(text: str | None, name: str) -> date | None:
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(f"{name}: expected a day as YYYY-MM-DD, not {text!r}") from exc


def _cohort(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    return validate_name(text.strip())
