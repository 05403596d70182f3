"""The KPI spec: YAML entries parsed into strict typed models (unknown fields are errors)."""
from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engagekit.people.filters import check_filter_text

Stage = Literal["acquisition", "purchase", "onboarding", "adoption", "escalation", "retention", "advocacy", "healthcare"]
IndustryName = Literal["ecommerce", "saas", "media", "healthcare", "services"]
ALL_INDUSTRIES: tuple[str, ...] = ("ecommerce", "saas", "media", "healthcare", "services")


class Kind(str, Enum):
    """How a KPI is computed; every kind is handled in metrics/compile.py (exhaustively)."""

    VALUE = "value"  # one measure: count, distinct, sum, mean, median, percentile, min, max
    RATIO = "ratio"  # numerator measure / denominator measure, times `scale`
    PERIOD_POPULATION = "period_population"  # start/end/new populations (retention, churn)
    TIME_BETWEEN = "time_between"  # mean or median time from a start event to the end event after it
    FOLLOWED_RATE = "followed_rate"  # share of start events that an end event follows
    ACTIVE_PEOPLE = "active_people"  # average active people per whole day, week or month (DAU, MAU, DAU/MAU)
    ACTIVE_SHARE = "active_share"  # share of the active people, or of the customers to date, doing something
    RETURNING = "returning"  # first-time, returning, retained, lapsed or repeat people of an activity
    PYTHON = "python"  # a registered function, for what YAML cannot say


class Agg(str, Enum):
    COUNT = "count"
    DISTINCT = "distinct"
    SUM = "sum"
    MEAN = "mean"
    MEDIAN = "median"
    PERCENTILE = "percentile"
    MIN = "min"
    MAX = "max"


class Source(str, Enum):
    """The table a measure reads; each has a timestamp column that places rows in a period."""

    EVENTS = "events"  # resolved events, ts
    SESSIONS = "sessions"  # derived sessions, start_ts
    CUSTOMERS = "customers"  # customer facts, created_at


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Measure(Strict):
    """An aggregate over the rows of a source that pass the event and filter conditions."""

    agg: Agg
    source: Source = Source.EVENTS
    column: str | None = None  # a column, or properties.KEY / traits.KEY; distinct defaults to person_id
    events: tuple[str, ...] = ()
    where: str | None = None
    q: float | None = Field(default=None, gt=0, lt=1)
    window: Literal["period", "to_date"] = "period"  # to_date: all rows before the period's end

    @field_validator("where")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        return check_filter_text(value)

    @model_validator(mode="after")
    def _column_when_needed(self) -> Measure:
        needs_column = self.agg not in (Agg.COUNT, Agg.DISTINCT)
        if needs_column and self.column is None:
            raise ValueError(f"agg '{self.agg.value}' needs a column")
        if (self.agg == Agg.PERCENTILE) != (self.q is not None):
            raise ValueError("q (0..1) is required with agg 'percentile' and only there")
        if self.events and self.source != Source.EVENTS:
            raise ValueError("events filters apply to source 'events' only; use where on other sources")
        return self


class EventRef(Strict):
    """An event of a pairing: its name, and a filter its rows must pass."""

    event: str
    where: str | None = None

    @field_validator("where")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        return check_filter_text(value)


class Since(Strict):
    """Only the start events within `within_days` days after the person's first `event`."""

    event: str
    within_days: float = Field(gt=0)


class Pairing(Strict):
    """Start events and the first end event after each for the same key (metrics/kinds/timing.py):
    the key is "person", a property name, or a list of them; with `first_only`, each key's first
    start only."""

    start: EventRef
    end: EventRef
    key: str | tuple[str, ...] = "person"
    first_only: bool = False
    since: Since | None = None

    @field_validator("key")
    @classmethod
    def _some_key(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        if not value:
            raise ValueError("give 'person', a property name, or a list of them")
        return value

    def starts(self) -> tuple:
        """What selects the start events: pairings with the same starts share one query."""
        return (self.start, self.key, self.first_only, self.since)


class TimeBetween(Pairing):
    """A pairing timed: the `agg` of the durations from start to end, in `unit`."""

    agg: Literal["mean", "median"] = "mean"
    unit: Literal["seconds", "hours", "days"] = "seconds"


ACTIVE_EVENTS: tuple[str, ...] = (
    "page_viewed", "screen_viewed", "signed_up", "logged_in", "product_viewed", "product_added",
    "checkout_started", "feature_used", "core_action", "content_viewed", "video_watched",
    "deliverable_reviewed", "portal_login",
)
"""What makes a person active by default: the things people do themselves on a website or in an
app. Sent emails and ad impressions (done to people), surveys, tickets, billing, social and
healthcare events do not, and neither do orders, which may be placed in a store or by phone."""
REPEAT_MIN_COUNT = 2  # a repeat is a second time
Window = Literal["day", "week", "month"]
WINDOW_ORDER: tuple[Window, ...] = ("day", "week", "month")


class ActivePeople(Strict):
    """Distinct people doing one of `active_events`, averaged over the period's whole windows
    (day, 7-day week or month: DAU, WAU, MAU); with `over`, that average divided by the average
    over the longer window (stickiness: DAU / MAU)."""

    window: Window
    over: Window | None = None
    active_events: tuple[str, ...] = Field(ACTIVE_EVENTS, min_length=1)

    @model_validator(mode="after")
    def _over_is_longer(self) -> ActivePeople:
        if self.over is not None and WINDOW_ORDER.index(self.over) <= WINDOW_ORDER.index(self.window):
            raise ValueError(f"over ({self.over!r}) must be a longer window than window ({self.window!r})")
        return self


class ActiveShare(Strict):
    """Among the period's active people, the share who did one of `doing` (doing it makes a person
    active); or among the customers to date, the share who were active in the period."""

    among: Literal["active_people", "customers"] = "active_people"
    doing: tuple[str, ...] = ()
    active_events: tuple[str, ...] = Field(ACTIVE_EVENTS, min_length=1)
    customers_only: bool = False  # among active people: leave out visitors who never identified

    @model_validator(mode="after")
    def _fields_of_population(self) -> ActiveShare:
        if self.among == "active_people" and not self.doing:
            raise ValueError("among 'active_people' needs doing (the events whose share is counted)")
        if self.among == "customers" and (self.doing or self.customers_only):
            raise ValueError("among 'customers' counts the customers doing active_events; it takes no doing "
                             "or customers_only")
        return self


class Returning(Strict):
    """People of an activity (any of `events`) by their history: `first_time` (how many did it for
    the first time ever in the period), `returning` (the share of the period's people who had done
    it before the period), `retained` or `lapsed` (the share of the period before's people who did
    it again in the period, or did not), `repeat` (the share of the period's people who did it at
    least `min_count` times in it)."""

    events: tuple[str, ...] = Field(min_length=1)
    who: Literal["first_time", "returning", "retained", "lapsed", "repeat"]
    min_count: int | None = Field(None, ge=2)  # repeat only; REPEAT_MIN_COUNT when not given

    @model_validator(mode="after")
    def _min_count_for_repeat(self) -> Returning:
        if self.min_count is not None and self.who != "repeat":
            raise ValueError(f"min_count applies to who 'repeat' only, not {self.who!r}")
        return self


class Reference(Strict):
    """A target or benchmark value and where it comes from."""

    value: float
    source: str
    warning: float | None = None  # the value at which on-track turns to warning (target only)


PAIRING_FIELDS = ("time_between", "followed_rate")  # the Metric fields of the pairing kinds
KIND_FIELDS = (*PAIRING_FIELDS, "active_people", "active_share", "returning")  # each the field of its kind


class Metric(Strict):
    """One KPI: what it means, how it is computed, how to read it."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    description: str
    formula: str
    kind: Kind
    measure: Measure | None = None
    numerator: Measure | None = None
    denominator: Measure | None = None
    scale: float = 1.0
    complement: bool = False  # ratio kind: report 1 - numerator/denominator (abandonment = 1 - orders/carts)
    time_between: TimeBetween | None = None
    followed_rate: Pairing | None = None
    active_people: ActivePeople | None = None
    active_share: ActiveShare | None = None
    returning: Returning | None = None
    function: str | None = None
    params: dict[str, str | float | int | bool | list[str]] = Field(default_factory=dict)
    population: Literal["visitors", "customers", "accounts", "sessions", "events", "responses", "tickets"]
    unit: Literal["percent", "count", "currency", "seconds", "hours", "days", "ratio", "score", "per_customer"]
    direction: Literal["higher", "lower"]
    stages: tuple[Stage, ...] = Field(min_length=1)
    industries: tuple[IndustryName, ...] = ALL_INDUSTRIES
    vanity: bool = False
    target: Reference | None = None
    benchmark: Reference | None = None

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Metric:
        required = {
            Kind.VALUE: ("measure",),
            Kind.RATIO: ("numerator", "denominator"),
            Kind.TIME_BETWEEN: ("time_between",),
            Kind.FOLLOWED_RATE: ("followed_rate",),
            Kind.ACTIVE_PEOPLE: ("active_people",),
            Kind.ACTIVE_SHARE: ("active_share",),
            Kind.RETURNING: ("returning",),
            Kind.PERIOD_POPULATION: ("function",),
            Kind.PYTHON: ("function",),
        }[self.kind]
        missing = [name for name in required if getattr(self, name) is None]
        if missing:
            raise ValueError(f"kind '{self.kind.value}' needs {', '.join(missing)}")
        other = [name for name in KIND_FIELDS if name not in required and getattr(self, name) is not None]
        if other:
            raise ValueError(f"kind '{self.kind.value}' takes no {', '.join(other)}")
        return self
