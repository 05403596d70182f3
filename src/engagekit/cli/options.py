"""Options several commands share: the date range (--period, --from, --to) and query errors."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Optional

import typer
from pydantic import ValidationError

from engagekit.errors import InputError, validation_message
from engagekit.people.periods import inclusive_range, month_range
from engagekit.people.ranges import DateRange, check_range

CohortOption = Annotated[Optional[str], typer.Option("--cohort", help="Only the people of this saved cohort (engagekit cohorts list).")]


def parse_range(period: str | None = None, from_: str | None = None, to: str | None = None,
                required: bool = True) -> tuple[date, date] | None:
    """[start, end) from --period YYYY-MM, or --from YYYY-MM-DD with --to (inclusive; default
    yesterday). Without any of them: an error when `required`, else None (all the data)."""
    if period:
        bounds = month_range(period)
        check_range(*bounds)
        return bounds
    if from_ is None:
        if to is not None:
            raise InputError("--to needs --from")
        if required:
            raise InputError("give --period YYYY-MM or --from YYYY-MM-DD [--to YYYY-MM-DD]")
        return None
    try:
        start = date.fromisoformat(from_)
        end = date.fromisoformat(to) if to else date.today() - timedelta(days=1)
    except ValueError as exc:
        raise InputError(f"dates must be YYYY-MM-DD: {exc}") from exc
    bounds = inclusive_range(start, end)
    check_range(*bounds)
    return bounds


def date_range(period: str | None = None, from_: str | None = None, to: str | None = None,
               required: bool = True) -> DateRange | None:
    """The same range as an analysis' DateRange."""
    bounds = parse_range(period, from_, to, required)
    return None if bounds is None else DateRange(start=bounds[0], end=bounds[1])


def query_error(exc: ValidationError) -> InputError:
    """A query that does not validate, as one line naming each bad option (as the read API says it)."""
    return InputError(validation_message(exc.errors()))
