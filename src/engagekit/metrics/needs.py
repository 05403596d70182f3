"""What a KPI needs to have a value, said in words: the rows it reads, the span of time it
averages over, and what its denominator counts.

A KPI of a YAML kind needs what its measure (value kinds) or its denominator (ratios) reads; a
Python kind declares its needs where it is registered (`register(..., needs=...)`), from its
params. The engine reads them only for the rows without a value, to say why (metrics/reasons.py).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from engagekit.metrics.spec import Agg, Measure, Source

Table = Literal["events", "sessions", "customers", "accounts"]
Span = Literal["week", "month", "calendar month"]
NAMES_LISTED = 3  # event names spelled out in a need's words, the rest counted


@dataclass(frozen=True)
class Need:
    """Rows a KPI reads: of a table, of some events, passing a filter; in the period, or with
    `to_date` anywhere before its end (populations such as the subscribers at its start)."""

    what: str  # in words, read after "no": "sessions", "survey_responded events with properties.survey == 'nps'"
    table: Table = "events"
    events: tuple[str, ...] = ()
    where: str | None = None
    to_date: bool = False


@dataclass(frozen=True)
class Needs:
    """Everything a KPI needs, checked in order: the span, each rows' need, then the denominator."""

    rows: tuple[Need, ...] = ()
    span: Span | None = None  # a value averages over whole weeks or months of the period
    denominator: str | None = None  # what the denominator counts, read after "no"


NeedsOf = Callable[[dict[str, Any]], Needs]


def no_needs(params: dict[str, Any]) -> Needs:
    """The needs of a kind that declares none: the engine then says only "denominator is 0"."""
    return Needs()


def fixed(needs: Needs) -> NeedsOf:
    """The needs of a kind whatever its params."""
    return lambda params: needs


def events_need(events: Sequence[str], where: str | None = None, to_date: bool = False, label: str | None = None,
                what: str | None = None) -> Need:
    """The need of some events, with an optional filter on them; in words `what`, else the names
    (after `label`: "active events (page_viewed, logged_in or 11 more)")."""
    names = list(dict.fromkeys(events))
    listed = " or ".join(names) if len(names) <= NAMES_LISTED else \
        f"{', '.join(names[:NAMES_LISTED])} or {len(names) - NAMES_LISTED} more"
    words = what or (f"{label} ({listed})" if label else f"{listed} events") + (f" where {where}" if where else "")
    return Need(words, "events", tuple(names), where, to_date)


SOURCE_WORDS: dict[Source, tuple[Table, str]] = {
    Source.EVENTS: ("events", "events"),
    Source.SESSIONS: ("sessions", "sessions"),
    Source.CUSTOMERS: ("customers", "customers created"),
}
COLUMN_AGGS = (Agg.MEAN, Agg.MEDIAN, Agg.PERCENTILE, Agg.MIN, Agg.MAX)  # no value without a value of the column


def measure_needs(measure: Measure) -> tuple[Need, ...]:
    """The rows a measure reads: its source (of its events), then those passing its filter and
    with a value of its column, when it has either."""
    to_date = measure.window == "to_date"
    table, words = SOURCE_WORDS[measure.source]
    base = events_need(measure.events, to_date=to_date) if measure.events else Need(words, table, to_date=to_date)
    conditions = [measure.where] if measure.where else []
    if measure.agg in COLUMN_AGGS and measure.column:
        conditions.append(f"{measure.column} is not null")
    if not conditions:
        return (base,)
    where = conditions[0] if len(conditions) == 1 else " and ".join(f"({c})" for c in conditions)
    return base, Need(f"{base.what} where {where}", table, base.events, where, to_date)
