"""Which ingest batches the derived tables already reflect, kept in the store's `meta` table.

A full rebuild starts a new *build*: a `derive_build` row `"<number> <rules>"` (the number
zero-padded, so the greatest value is the latest build; the rules are the session rules it used).
Every batch whose rows the tables reflect gets a `derived_batch` row `"<number> <batch_id>"` of
the current build. The batches an incremental build must apply are then the batches of
`events`, `identities` and `customers` without such a row. Rows written outside an ingest batch
(no batch id, or a batch without its `ingest_batches` record, such as one still being written
on Spark) cannot be tracked, so they make the next build a full one.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from engagekit.derive.sessions import SessionRules
from engagekit.store import DERIVED_TABLES, Store

BUILD_KEY = "derive_build"
BATCH_KEY = "derived_batch"
TRACKED_TABLES = ("events", "identities", "customers")  # the tables the derived ones are built from
_DIGITS = 10


@dataclass(frozen=True)
class Build:
    """The latest full build: its number and the session rules it used."""

    number: int
    rules: str


def rules_text(rules: SessionRules) -> str:
    """The session rules as one stable line (a change of rules needs a full rebuild)."""
    return ",".join(f"{name}={value}" for name, value in asdict(rules).items()).replace(" ", "")


def latest_build(store: Store) -> Build | None:
    """The latest full build recorded in the store, if any."""
    meta = store.table("meta")
    value = meta.filter(meta.key == BUILD_KEY).value.max().to_pyarrow().as_py()
    if value is None:
        return None
    number, _, rules = value.partition(" ")
    return Build(int(number), rules)


def pending_batches(store: Store, rules: SessionRules) -> list[str] | None:
    """The batch ids an incremental build must apply, or None when only a full rebuild can bring
    the derived tables up to date (never built, other rules, or rows without a known batch)."""
    build = latest_build(store)
    if build is None or build.rules != rules_text(rules) or not all(map(store.has_table, DERIVED_TABLES)):
        return None
    meta = store.table("meta")
    done = meta.filter(meta.key == BATCH_KEY, meta.value.startswith(_prefix(build.number)))
    done = done.select(batch_id=done.value.substr(len(_prefix(build.number))))
    unapplied = _written_batches(store).anti_join(done, "batch_id")
    finished = store.table("ingest_batches").select("batch_id")
    found = unapplied.left_join(finished, "batch_id").select(
        unapplied.batch_id, finished=finished.batch_id.notnull()).to_pyarrow().to_pylist()
    if any(row["batch_id"] is None or not row["finished"] for row in found):
        return None
    return sorted(row["batch_id"] for row in found)


def record_full(store: Store, rules: SessionRules) -> None:
    """Record a new full build with `rules`, reflecting every batch written so far."""
    build = latest_build(store)
    number = build.number + 1 if build else 1
    store.insert("meta", pa.table({"key": [BUILD_KEY], "value": [_prefix(number) + rules_text(rules)]}))
    written = _written_batches(store)
    written = written.filter(written.batch_id.notnull())
    store.insert("meta", written.select(key=ibis.literal(BATCH_KEY),
                                        value=ibis.literal(_prefix(number)) + written.batch_id))


def record_applied(store: Store, batch_ids: list[str]) -> None:
    """Record that the latest build now reflects these batches too."""
    build = latest_build(store)
    if build is None or not batch_ids:
        return
    values = [_prefix(build.number) + batch_id for batch_id in batch_ids]
    store.insert("meta", pa.table({"key": [BATCH_KEY] * len(values), "value": values}))


def _prefix(number: int) -> str:
    return f"{number:0{_DIGITS}d} "


def _written_batches(store: Store) -> ir.Table:
    """The distinct batch ids (null included) of the rows the derived tables are built from."""
    parts = [store.table(name).select("batch_id").distinct() for name in TRACKED_TABLES]
    return parts[0].union(*parts[1:], distinct=True)
