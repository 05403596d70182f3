"""Turn a file's rows into canonical event rows: names through the vocabulary, timestamps to
UTC, ids as text, revenue as a number, other columns into `properties`; bad rows rejected."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engagekit.config import Settings
from engagekit.ingest.columns import nulls, text
from engagekit.ingest.limits import TimeBounds
from engagekit.ingest.mapping import ColumnMap
from engagekit.ingest.quarantine import Rejection
from engagekit.ingest.readers import ROW
from engagekit.ingest.surveys import SURVEY_EVENT, survey_problems
from engagekit.ingest.validate import RowChecks, check_text, checked_number, checked_times, json_bag, to_mask
from engagekit.ingest.vocabulary import Vocabulary

ID_FIELDS = ("event_id", "customer_id", "anonymous_id", "session_id")
ORDER_EVENTS = ("order_completed",)


@dataclass(frozen=True)
class EventRules:
    """How to read one events file beyond its column mapping."""

    timezone: str = "UTC"
    ts_format: str | None = None
    event: str | None = None  # a constant event name for files of one event type
    channel: str | None = None  # a constant channel
    strict: bool = False
    bounds: TimeBounds = field(default_factory=TimeBounds)  # the accepted event times

    @classmethod
    def for_settings(cls, settings: Settings, **given: object) -> EventRules:
        """The project's rules (timezone, strict_events, the accepted times), with `given` fields
        in place of the project's (a command's options, the collector's UTC)."""
        rules = cls(timezone=settings.timezone, strict=settings.strict_events, bounds=TimeBounds.from_settings(settings))
        return replace(rules, **given)


def prepare_events(raw: pa.Table, columns: ColumnMap, rules: EventRules, vocabulary: Vocabulary) -> tuple[pa.Table, list[Rejection]]:
    """Canonical event columns for the rows that pass every check, and the rejected rows."""
    n = raw.num_rows
    checks = RowChecks(raw)
    fields = columns.fields
    check_text(checks, columns, "properties")
    out: dict[str, pa.Array] = {}

    for name in ID_FIELDS:
        out[name] = text(raw[fields[name]]) if name in fields else nulls(n)

    ts_column = fields.get("ts", "ts")
    out["ts"] = checked_times(checks, raw[ts_column], ts_column, "timestamp", rules.timezone, rules.bounds, rules.ts_format)
    checks.check(pc.is_null(out["ts"]), ts_column, "missing timestamp")

    if rules.event is not None:
        out["event"] = pa.array(np.full(n, vocabulary.canonical(rules.event), dtype=object), pa.string())
    else:
        out["event"] = _canonical_names(text(raw[fields["event"]]), vocabulary)
        checks.check(pc.is_null(out["event"]), fields["event"], "missing event name")

    checks.check(pc.and_(pc.is_null(out["customer_id"]), pc.is_null(out["anonymous_id"])),
                 fields.get("customer_id", "customer_id"), "missing customer_id and anonymous_id")

    if "revenue" in fields:
        revenue = checked_number(checks, raw[fields["revenue"]], fields["revenue"], "revenue")
        negative = pc.and_(pc.is_in(out["event"], pa.array(ORDER_EVENTS)), pc.less(revenue, 0))
        checks.check(negative, fields["revenue"], "negative revenue {value} on an order", lambda: revenue)
        out["revenue"] = revenue
    else:
        out["revenue"] = pa.nulls(n, pa.float64())

    out["properties"] = json_bag(raw, columns, "properties", checks)
    _check_surveys(checks, columns, out["event"], out["properties"])

    channel = rules.channel or None
    if "channel" in fields:
        out["channel"] = text(raw[fields["channel"]])
    else:
        out["channel"] = pa.array(np.full(n, channel, dtype=object), pa.string())

    if rules.strict:
        known = pc.is_in(out["event"], pa.array(sorted(_known_names(out["event"], vocabulary))))
        checks.check(pc.invert(known), fields.get("event", "event"), "unknown event {value!r} (strict mode)", lambda: out["event"])

    out[ROW] = raw[ROW].combine_chunks()
    table = pa.table(out).filter(pa.array(checks.ok))
    return table, checks.rejections()


def _check_surveys(checks: RowChecks, columns: ColumnMap, events: pa.Array, properties: pa.Array) -> None:
    """Survey answers with a known type, a scale and a whole score on it (engagekit.ingest.surveys);
    only the survey rows' properties are parsed."""
    rows = np.flatnonzero(to_mask(pc.equal(events, SURVEY_EVENT)))
    if not len(rows):
        return
    found = survey_problems(properties.take(pa.array(rows)).to_pylist())
    checks.check_rows({int(rows[i]): (columns.bag.get(key, f"properties.{key}"), reason)
                       for i, (key, reason) in found.items()})


def _known_names(events: pa.Array, vocabulary: Vocabulary) -> set[str]:
    return {name for name in pc.unique(events).to_pylist() if name is not None and vocabulary.is_known(name)}


def _canonical_names(names: pa.Array, vocabulary: Vocabulary) -> pa.Array:
    """Map each distinct name once, then spread the result over the rows."""
    encoded = names.dictionary_encode()
    mapped = pa.array([vocabulary.canonical(v) or None for v in encoded.dictionary.to_pylist()], pa.string())
    return mapped.take(encoded.indices)
