"""One file in, one batch: read, prepare, dedupe, write, count, atomically.

For every batch, received = stored + duplicate + quarantined. Events dedupe on `event_id`;
a file without ids gets ids derived from each row's content and its occurrence number among
identical rows of the file, so re-ingesting a file stores nothing new while two identical
rows inside one file stay two events.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from engagekit.clock import utc_now
from engagekit.errors import InputError
from engagekit.ingest.entities import ENTITY_KEY, prepare_entities
from engagekit.ingest.events import EventRules, prepare_events
from engagekit.ingest.identity import link_identities
from engagekit.ingest.mapping import KINDS, ColumnMap, resolve
from engagekit.ingest.quarantine import Rejection, rejections_table
from engagekit.ingest.readers import ROW, read_file
from engagekit.ingest.vocabulary import Vocabulary
from engagekit.store import Store

_KEY = "_key"
_SEPARATOR = "\x1f"
_NULL_MARK = "\x1e"  # stands for null in a signature (NUL cannot appear in SQL literals)


@dataclass(frozen=True)
class IngestOptions:
    """What the user said about a file: its kind, source name, mapping and reading rules."""

    kind: str = "events"
    source: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    fmt: str | None = None
    columns: list[str] | None = None
    rules: EventRules = field(default_factory=EventRules)
    encoding: str | None = None  # a text file's codec; None: UTF-8, or what a byte-order mark says


@dataclass(frozen=True)
class BatchReport:
    """The counts of one batch; received = stored + duplicate + quarantined."""

    batch_id: str
    file: str
    source: str
    kind: str
    received: int
    stored: int
    duplicate: int
    quarantined: int
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)


def ingest_file(store: Store, path: Path, options: IngestOptions, vocabulary: Vocabulary) -> BatchReport:
    """Ingest one file as one atomic batch and return its counts."""
    if options.kind not in KINDS:
        raise InputError(f"unknown kind {options.kind!r}; kinds: {', '.join(KINDS)}")
    raw = read_file(path, options.fmt, options.columns, options.encoding)
    found = [c for c in raw.table.column_names if c != ROW]
    columns = resolve(options.kind, found, options.mapping)
    _require_columns(path, options, columns, found)
    if options.kind == "events":
        rows, rejected = prepare_events(raw.table, columns, options.rules, vocabulary)
    else:
        rows, rejected = prepare_entities(options.kind, raw.table, columns, options.rules.timezone, options.rules.bounds)
    with store.transaction():
        return write_batch(store, options.kind, rows, raw.rejected + rejected, raw.received,
                           options.source or path.name, str(path))


def ingest_table(store: Store, raw: pa.Table, source: str, file: str, vocabulary: Vocabulary,
                 rules: EventRules, unreadable: Sequence[Rejection] = ()) -> BatchReport:
    """An in-memory Arrow table of raw event columns (with `_row`) as one batch, through the same
    mapping, checks, dedupe and quarantine as a file; `unreadable`: input rows that never became
    table rows (like a file's unparseable lines), received and quarantined with the batch. The
    caller holds the transaction."""
    columns = resolve("events", [c for c in raw.column_names if c != ROW], {})
    rows, rejected = prepare_events(raw, columns, rules, vocabulary)
    return write_batch(store, "events", rows, [*unreadable, *rejected], raw.num_rows + len(unreadable), source, file)


def write_batch(store: Store, kind: str, rows: pa.Table, rejected: list[Rejection], received: int, source: str,
                file: str) -> BatchReport:
    """Write prepared rows and their rejections as one batch with its counts record (call inside
    a transaction; the record is written last, so on Spark it marks a finished batch)."""
    started = time.perf_counter()
    started_at = utc_now()
    if kind == "events" and rows["event_id"].null_count:
        rows = _with_content_key(rows)
    batch_id = f"{started_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    stamp = {"batch_id": ibis.literal(batch_id), "source": ibis.literal(source),
             "received_at": ibis.literal(started_at, type="timestamp")}
    with store.staged(rows) as staged:
        new = _new_events(store, staged) if kind == "events" else _new_entities(store, kind, staged)
        store.insert(kind, new.mutate(**stamp))
    table = store.table(kind)
    stored = int(table.filter(table.batch_id == batch_id).count().to_pyarrow().as_py())
    if kind == "events" and stored:
        link_identities(store, batch_id, source)
    _write_quarantine(store, rejected, batch_id, source, file, started_at)
    report = BatchReport(batch_id, file, source, kind, received, stored, rows.num_rows - stored, len(rejected),
                         round(time.perf_counter() - started, 3))
    store.insert("ingest_batches", pa.table({
        "batch_id": [batch_id], "kind": [kind], "source": [source], "file": [file],
        "started_at": pa.array([started_at], pa.timestamp("us")),
        "finished_at": pa.array([utc_now()], pa.timestamp("us")),
        "received": [report.received], "stored": [report.stored],
        "duplicate": [report.duplicate], "quarantined": [report.quarantined],
    }))
    return report



def _require_columns(path: Path, options: IngestOptions, columns: ColumnMap, found: list[str]) -> None:
    """A file that lacks a required column cannot be ingested at all (exit code 2)."""
    if options.kind == "events":
        required = ["ts"] + ([] if options.rules.event else ["event"])
        missing = [f for f in required if f not in columns.fields]
        if "customer_id" not in columns.fields and "anonymous_id" not in columns.fields:
            missing.append("customer_id or anonymous_id")
    else:
        missing = [f for f in (ENTITY_KEY[options.kind],) if f not in columns.fields]
    if missing:
        raise InputError(
            f"{path}: missing required column {', '.join(repr(m) for m in missing)} for {options.kind}; "
            f"columns found: {', '.join(found) or '(none)'}. Map a column with --map COLUMN=FIELD."
        )


def _with_content_key(rows: pa.Table) -> pa.Table:
    """The text an id is derived from when the source gives none: every canonical field."""
    parts = [
        pc.strftime(rows["ts"], format="%Y-%m-%dT%H:%M:%S.%f"),
        rows["event"], rows["customer_id"], rows["anonymous_id"], rows["session_id"],
        pc.cast(rows["revenue"], pa.string()), rows["properties"],
    ]
    key = pc.binary_join_element_wise(*parts, _SEPARATOR, null_handling="replace", null_replacement="\x00")
    return rows.append_column(_KEY, key)


def _new_events(store: Store, staged: ir.Table) -> ir.Table:
    """Staged rows with ids, less repeats of an id within the batch and ids already stored."""
    keyed = staged
    if _KEY in staged.columns:
        occurrence = ibis.row_number().over(group_by=staged[_KEY], order_by=staged[ROW])
        derived = (staged[_KEY] + _SEPARATOR + occurrence.cast("string")).hexdigest("md5")
        keyed = staged.mutate(event_id=ibis.coalesce(staged.event_id, derived))
    if _has_repeated_ids(staged):
        first = ibis.row_number().over(group_by=keyed.event_id, order_by=keyed[ROW])
        keyed = keyed.mutate(_first=first).filter(ibis._._first == 0)
    return keyed.anti_join(store.table("events"), "event_id")


def _has_repeated_ids(staged: ir.Table) -> bool:
    """Whether a source-given id occurs twice in the batch (derived ids never repeat)."""
    counts = staged.aggregate(given=staged.event_id.count(), distinct=staged.event_id.nunique())
    row = counts.to_pyarrow().to_pylist()[0]
    return row["distinct"] < row["given"]


def _new_entities(store: Store, kind: str, staged: ir.Table) -> ir.Table:
    """The last row of each id in the file, unless it equals the record already stored."""
    key = ENTITY_KEY[kind]
    last = ibis.row_number().over(group_by=staged[key], order_by=ibis.desc(staged[ROW]))
    latest = staged.mutate(_last=last).filter(ibis._._last == 0)
    current = store.table(kind)
    if kind == "customers":
        current = store.customers_current()
    else:
        newest = ibis.row_number().over(group_by=current[key], order_by=ibis.desc(current.received_at))
        current = current.mutate(_n=newest).filter(ibis._._n == 0)
    compared = [c for c in latest.columns if c in current.columns]
    signature = _signature(latest, compared)
    stored_signature = _signature(current, compared)
    return latest.mutate(_sig=signature).anti_join(current.mutate(_sig=stored_signature).select("_sig"), "_sig")


def _signature(table: ir.Table, columns: list[str]) -> ir.StringValue:
    parts = [table[c].cast("string").fill_null(_NULL_MARK) for c in columns]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + _SEPARATOR + part
    return joined.hexdigest("md5")


def _write_quarantine(store: Store, rejected: list[Rejection], batch_id: str, source: str, file: str,
                      received_at: datetime) -> None:
    if not rejected:
        return
    data = rejections_table(rejected)
    n = data.num_rows
    data = data.append_column("batch_id", pa.array([batch_id] * n)).append_column("source", pa.array([source] * n))
    data = data.append_column("file", pa.array([file] * n))
    data = data.append_column("received_at", pa.array([received_at] * n, pa.timestamp("us")))
    store.insert("quarantine", data)
