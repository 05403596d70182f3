"""Spool -> store: sealed spool segments ingested through the events pipeline, in the background.

Each segment is one store transaction holding one ingest batch per write key (source
`key:<key_id>`, file `spool/<segment name>`), followed by the key's group calls as account
records and customer-to-account links (batches of kind accounts and customers). A segment
whose batches are already recorded was committed before a crash that left the file behind:
it is deleted without re-ingesting, so quarantine and batch counts are not doubled; events
themselves dedupe on messageId.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from engagekit.api.convert import SegmentConverter, convert_segment
from engagekit.api.segment import KeyBatch
from engagekit.api.spool import Spool
from engagekit.ingest.batch import BatchReport, ingest_table, write_batch
from engagekit.ingest.entities import prepare_entities, upserted
from engagekit.ingest.events import EventRules
from engagekit.ingest.mapping import ColumnMap
from engagekit.ingest.readers import ROW
from engagekit.ingest.vocabulary import Vocabulary
from engagekit.store import Store

log = logging.getLogger("engagekit.collector")
POLL_SECONDS = 0.1


def ingest_segment(store: Store, path: Path, vocabulary: Vocabulary, rules: EventRules,
                   batches: list[KeyBatch] | None = None) -> list[BatchReport]:
    """Ingest one spool segment atomically (its `batches` when already converted), unless an
    earlier run already committed it."""
    file = f"spool/{path.name}"
    recorded = store.table("ingest_batches")
    if int(recorded.filter(recorded.file == file).count().to_pyarrow().as_py()):
        return []
    batches = convert_segment(path) if batches is None else batches
    reports = []
    with store.transaction():
        for batch in batches:
            source = f"key:{batch.key_id}"
            reports.append(ingest_table(store, batch.events, source, file, vocabulary, rules))
            reports.extend(ingest_groups(store, batch, source, file))
    return reports


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
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="engagekit-drainer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread, then drain everything spooled (graceful shutdown)."""
        self._stop.set()
        self._thread.join()
        self.spool.seal()
        try:
            self.drain()
        finally:
            self.converter.close()

    def drain(self) -> int:
        """Ingest every sealed segment, oldest first, including those sealed meanwhile; the number
        of segments drained."""
        drained = 0
        for path, batches in self.converter.batches(self._sealed):
            with self.store_lock:
                reports = ingest_segment(self.store, path, self.vocabulary, self.rules, batches)
            self.spool.done(path)
            self.last_error = None  # here, not when the pass ends: under steady load a pass goes on
            drained += 1
            for report in reports:
                log.info("drained %s: received=%d stored=%d duplicate=%d quarantined=%d", report.file,
                         report.received, report.stored, report.duplicate, report.quarantined)
        return drained

    def _sealed(self) -> list[Path]:
        """Sealed segments, after sealing the open one when it is due."""
        self.spool.seal_if(self.interval, self.seal_messages)
        return self.spool.sealed()

    def _run(self) -> None:
        while not self._stop.wait(min(self.interval, POLL_SECONDS)):
            try:
                self.drain()
                self.last_error = None
            except Exception as exc:  # the store may be busy: the spool keeps the events; retry
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("drain failed, will retry: %s", self.last_error)

