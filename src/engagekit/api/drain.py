"""Spool -> store: sealed spool segments ingested through the events pipeline, in the background.

Each segment is one store transaction holding one ingest batch per write key (source
`key:<key_id>`, file `spool/<segment name>`), followed by the key's group calls as account
records and customer-to-account links (batches of kind accounts and customers). A segment
whose name the batch records hold, and whose bytes have the digest that name carries, was
committed before a crash that left the file behind: it is deleted without re-ingesting, so
quarantine and batch counts are not doubled; events themselves dedupe on messageId.

A segment that fails to ingest is tried again after a growing pause, at most MAX_ATTEMPTS
times; then its messages go to the quarantine as a dead letter (one batch per key, every
message a row with the error as its reason), so that one bad segment never stalls intake.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import orjson

from engagekit.api.convert import SegmentConverter, convert_segment
from engagekit.api.segment import EventRows, KeyBatch, line_messages, message_text
from engagekit.api.spool import Spool, content_matches_name, segment_sequence
from engagekit.ingest.batch import BatchReport, ingest_table, write_batch
from engagekit.ingest.entities import prepare_entities, upserted
from engagekit.ingest.events import EventRules
from engagekit.ingest.mapping import ColumnMap
from engagekit.ingest.quarantine import Rejection
from engagekit.ingest.readers import ROW
from engagekit.ingest.vocabulary import Vocabulary
from engagekit.store import Store

log = logging.getLogger("engagekit.collector")
POLL_SECONDS = 0.1
FILE_PREFIX = "spool/"
MAX_ATTEMPTS = 5  # ingest attempts of one segment before its messages are dead-lettered
FIRST_RETRY_SECONDS = 0.5  # then doubling: 0.5, 1, 2, 4 s between the five attempts
MAX_RETRY_SECONDS = 30.0  # the longest pause, while even the dead letter cannot be written


def recorded_sequence(store: Store) -> int:
    """The highest spool segment sequence the store's batch records name (0 when none), so a
    new spool never reuses a name the store has seen."""
    batches = store.table("ingest_batches")
    latest = batches.filter(batches.file.startswith(f"{FILE_PREFIX}segment-")).file.max().to_pyarrow().as_py()
    return (segment_sequence(latest.removeprefix(FILE_PREFIX)) or 0) if latest else 0


def committed(store: Store, path: Path) -> bool:
    """Whether this segment's content was committed before: its name is recorded and its bytes
    have the digest the name carries."""
    recorded = store.table("ingest_batches")
    if not int(recorded.filter(recorded.file == f"{FILE_PREFIX}{path.name}").count().to_pyarrow().as_py()):
        return False
    if content_matches_name(path):
        return True
    log.warning("segment %s: a batch of that name is recorded but the content differs; ingesting it", path.name)
    return False


def ingest_segment(store: Store, path: Path, vocabulary: Vocabulary, rules: EventRules,
                   batches: list[KeyBatch] | None = None) -> list[BatchReport]:
    """Ingest one spool segment atomically (its `batches` when already converted), unless an
    earlier run already committed it."""
    if committed(store, path):
        log.info("segment %s was committed before the last stop; removing it", path.name)
        return []
    file = f"{FILE_PREFIX}{path.name}"
    batches = convert_segment(path) if batches is None else batches
    reports = []
    with store.transaction():
        for batch in batches:
            source = f"key:{batch.key_id}"
            reports.append(ingest_table(store, batch.events, source, file, vocabulary, rules, batch.rejected))
            reports.extend(ingest_groups(store, batch, source, file))
    return reports


def dead_letter(store: Store, path: Path, vocabulary: Vocabulary, rules: EventRules, error: str) -> list[BatchReport]:
    """Quarantine every message of a segment that could not be ingested, in one batch per key
    (source `key:<id>`; `spool` for lines that do not parse), each message a row with `error`
    as its reason and its JSON as the raw row, so the counts hold and nothing is lost."""
    by_source: dict[str, list[Rejection]] = {}
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.endswith(b"\n"):
                break  # a torn last line was never acknowledged
            try:
                parsed = orjson.loads(line)
                source, messages = f"key:{parsed['key']}", line_messages(parsed)
            except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
                rows = by_source.setdefault("spool", [])
                rows.append(Rejection(len(rows) + 1, "*", f"{error}; spool line {number} does not parse ({exc})",
                                      line.decode("utf-8", "replace").rstrip("\n")))
                continue
            rows = by_source.setdefault(source, [])
            for message in messages:
                rows.append(Rejection(len(rows) + 1, "*", error, message_text(message)))
    file = f"{FILE_PREFIX}{path.name}"
    with store.transaction():
        return [ingest_table(store, EventRows().table(), source, file, vocabulary, rules, rows)
                for source, rows in by_source.items()]


def ingest_groups(store: Store, batch: KeyBatch, source: str, file: str) -> list[BatchReport]:
    """Group calls -> account records (traits merged into the account's earlier ones) and the
    customers' account_id (their other fields kept); a call without groupId is quarantined.
    The caller holds the transaction."""
    reports = []
    for kind, raw in (("accounts", batch.accounts), ("customers", batch.customers)):
        if raw.num_rows == 0:
            continue
        columns = ColumnMap({name: name for name in raw.column_names if name != ROW}, {})
        rows, rejected = prepare_entities(kind, raw, columns, "UTC")
        reports.append(write_batch(store, kind, upserted(store, kind, rows), rejected, raw.num_rows, source, file))
    return reports


class Drainer:
    """A background thread that seals the open segment once it is `interval` seconds old or
    holds `seal_messages` messages (looking every 100 ms at most), then drains what is sealed.
    Each ingest has a fixed cost (dedupe against the stored events, identities, the batch
    record) of the order of 0.1 s, so segments of many messages keep the cost per event low."""

    def __init__(self, spool: Spool, store: Store, store_lock: threading.Lock, vocabulary: Vocabulary,
                 rules: EventRules, interval: float, seal_messages: int) -> None:
        self.spool = spool
        self.store = store
        self.store_lock = store_lock
        self.vocabulary = vocabulary
        self.rules = rules
        self.interval = interval
        self.seal_messages = seal_messages
        self.last_error: str | None = None
        self.converter = SegmentConverter()
        self._attempts: dict[Path, int] = {}  # failed ingests of the segments that failed
        self._retry_at = 0.0  # no drain before this monotonic time (after a failure)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="engagekit-drainer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread, then drain everything spooled (graceful shutdown); what cannot be
        drained now stays in the spool for the next start."""
        self._stop.set()
        self._thread.join()
        self.spool.seal()
        try:
            self.drain()
        except DrainFailed as exc:
            log.error("stopping with %d segment(s) left in the spool, drained at the next start: %s",
                      len(self.spool.sealed()), exc)
        finally:
            self.converter.close()

    def drain(self) -> int:
        """Ingest every sealed segment, oldest first, including those sealed meanwhile; the number
        of segments drained. A failure stops the pass (DrainFailed) until the retry pause ends."""
        drained = 0
        for path, convert in self.converter.batches(self._sealed):
            try:
                batches = convert()
                with self.store_lock:
                    reports = ingest_segment(self.store, path, self.vocabulary, self.rules, batches)
            except Exception as exc:  # whatever failed, it counts as an attempt of this segment
                reports = self._failed(path, f"{type(exc).__name__}: {exc}")
            self.spool.done(path)
            self._attempts.pop(path, None)
            self.last_error = None  # here, not when the pass ends: under steady load a pass goes on
            drained += 1
            for report in reports:
                log.info("drained %s: received=%d stored=%d duplicate=%d quarantined=%d", report.file,
                         report.received, report.stored, report.duplicate, report.quarantined)
        return drained

    def _failed(self, path: Path, error: str) -> list[BatchReport]:
        """After a segment's failed ingest: DrainFailed while attempts are left, else the dead
        letter's reports (DrainFailed if even that cannot be written: the store is failing)."""
        attempts = self._attempts.get(path, 0) + 1
        self._attempts[path] = min(attempts, MAX_ATTEMPTS)
        if attempts < MAX_ATTEMPTS:
            raise self._retry_later(f"{path.name}: {error} (attempt {attempts} of {MAX_ATTEMPTS})", attempts)
        reason = f"could not be ingested after {MAX_ATTEMPTS} attempts: {error}"
        log.error("segment %s %s; its messages go to the quarantine", path.name, reason)
        try:
            with self.store_lock:
                return dead_letter(self.store, path, self.vocabulary, self.rules, reason)
        except Exception as exc:  # the store itself fails: keep the segment, try again later
            raise self._retry_later(f"{path.name}: {error}; its dead letter failed too: "
                                    f"{type(exc).__name__}: {exc}", attempts) from exc

    def _retry_later(self, problem: str, attempts: int) -> DrainFailed:
        """Pause draining (0.5 s, doubling per attempt, at most MAX_RETRY_SECONDS) and say why."""
        pause = min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), MAX_RETRY_SECONDS)
        self._retry_at = time.monotonic() + pause
        return DrainFailed(f"{problem}; next attempt in {pause:g} s")

    def _sealed(self) -> list[Path]:
        """Sealed segments, after sealing the open one when it is due."""
        self.spool.seal_if(self.interval, self.seal_messages)
        return self.spool.sealed()

    def _run(self) -> None:
        while not self._stop.wait(min(self.interval, POLL_SECONDS)):
            if time.monotonic() < self._retry_at:
                continue
            try:
                self.drain()
                self.last_error = None
            except DrainFailed as exc:
                self.last_error = str(exc)
                log.warning("drain failed, will retry: %s", exc)


class DrainFailed(Exception):
    """A segment could not be ingested this time; the spool keeps it."""
