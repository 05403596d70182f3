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

from engagekit.api.segment import group_tables, spooled_messages, to_table
from engagekit.api.spool import Spool, read_segment
from engagekit.ingest.batch import BatchReport, ingest_table, write_batch
from engagekit.ingest.entities import prepare_entities, upserted
from engagekit.ingest.mapping import ColumnMap
from engagekit.ingest.readers import ROW
from engagekit.ingest.events import EventRules
from engagekit.ingest.vocabulary import Vocabulary
from engagekit.store import Store

log = logging.getLogger("engagekit.collector")
POLL_SECONDS = 0.1


def ingest_segment(store: Store, path: Path, vocabulary: Vocabulary, rules: EventRules) -> list[BatchReport]:
    """Ingest one spool segment atomically, unless an earlier run already committed it."""
    file = f"spool/{path.name}"
    batches = store.table("ingest_batches")
    if int(batches.filter(batches.file == file).count().to_pyarrow().as_py()):
        return []
    by_key: dict[str, list[dict]] = {}
    for line in read_segment(path):
        by_key.setdefault(line["key"], []).extend(spooled_messages(line))
    reports = []
    with store.transaction():
        for key_id, messages in by_key.items():
            reports.append(ingest_table(store, to_table(messages), f"key:{key_id}", file, vocabulary, rules))
            reports.extend(ingest_groups(store, messages, f"key:{key_id}", file))
    return reports


def ingest_groups(store: Store, messages: list[dict], source: str, file: str) -> list[BatchReport]:
    """Group calls -> account records (traits merged into the account's earlier ones) and the
    customers' account_id (their other fields kept); a call without groupId is quarantined.
    The caller holds the transaction."""
    reports = []
    for kind, raw in zip(("accounts", "customers"), group_tables(messages)):
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
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="engagekit-drainer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread, then drain everything spooled (graceful shutdown)."""
        self._stop.set()
        self._thread.join()
        self.spool.seal()
        self.drain()

    def drain(self) -> int:
        """Ingest every sealed segment, oldest first; the number of segments drained."""
        drained = 0
        for path in self.spool.sealed():
            with self.store_lock:
                reports = ingest_segment(self.store, path, self.vocabulary, self.rules)
            self.spool.done(path)
            drained += 1
            for report in reports:
                log.info("drained %s: received=%d stored=%d duplicate=%d quarantined=%d", report.file,
                         report.received, report.stored, report.duplicate, report.quarantined)
        return drained

    def _run(self) -> None:
        while not self._stop.wait(min(self.interval, POLL_SECONDS)):
            try:
                self.spool.seal_if(self.interval, self.seal_messages)
                self.drain()
                self.last_error = None
            except Exception as exc:  # the store may be busy: the spool keeps the events; retry
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("drain failed, will retry: %s", self.last_error)

