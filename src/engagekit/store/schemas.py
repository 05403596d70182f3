"""The canonical tables of the store and their schemas (see docs/data-model.md).

Timestamps are stored as UTC without a zone on every engine (Spark has no zoned timestamp
type), so `ts` means UTC everywhere. JSON payloads (`properties`, `traits`, `raw`) are stored
as JSON text, which every engine can store and parse.
"""
from __future__ import annotations

import ibis
import ibis.expr.schema as sch

SCHEMA_VERSION = 4  # 2: saved cohorts; 3: API keys; 4: text sentiment

EVENTS = ibis.schema(
    {
        "event_id": "string",
        "ts": "timestamp",
        "event": "string",
        "customer_id": "string",
        "anonymous_id": "string",
        "session_id": "string",
        "channel": "string",
        "source": "string",
        "revenue": "float64",
        "properties": "string",
        "received_at": "timestamp",
        "batch_id": "string",
    }
)

CUSTOMERS = ibis.schema(
    {
        "customer_id": "string",
        "created_at": "timestamp",
        "account_id": "string",
        "traits": "string",
        "source": "string",
        "received_at": "timestamp",
        "batch_id": "string",
    }
)

ACCOUNTS = ibis.schema(
    {
        "account_id": "string",
        "name": "string",
        "plan": "string",
        "licenses": "int64",
        "mrr": "float64",
        "traits": "string",
        "source": "string",
        "received_at": "timestamp",
        "batch_id": "string",
    }
)

IDENTITIES = ibis.schema(
    {
        "anonymous_id": "string",
        "customer_id": "string",
        "first_seen": "timestamp",
        "source": "string",
        "batch_id": "string",
    }
)

QUARANTINE = ibis.schema(
    {
        "batch_id": "string",
        "source": "string",
        "file": "string",
        "row": "int64",
        "field": "string",
        "reason": "string",
        "raw": "string",
        "received_at": "timestamp",
    }
)

INGEST_BATCHES = ibis.schema(
    {
        "batch_id": "string",
        "kind": "string",
        "source": "string",
        "file": "string",
        "started_at": "timestamp",
        "finished_at": "timestamp",
        "received": "int64",
        "stored": "int64",
        "duplicate": "int64",
        "quarantined": "int64",
    }
)

COHORTS = ibis.schema(
    {
        "name": "string",
        "kind": "string",  # behaviour | traits | static
        "definition": "string",  # JSON of the typed definition (engagekit.people.cohorts)
        "description": "string",
        "created_at": "timestamp",
    }
)

COHORT_MEMBERS = ibis.schema({"name": "string", "person_id": "string"})  # static cohorts' lists

API_KEYS = ibis.schema(
    {
        "key_id": "string",  # the public part of a key, shown in lists
        "kind": "string",  # write | read | revoked (a revocation is a new row for the key_id)
        "name": "string",
        "secret_hash": "string",  # hash of the secret part; the secret itself is never stored
        "created_at": "timestamp",
    }
)

TEXT_SENTIMENT = ibis.schema(  # one row per scored free text (engagekit.voc.sentiment)
    {
        "event_id": "string",  # the event whose text it is
        "ts": "timestamp",
        "event": "string",
        "source": "string",  # survey | review | social | ticket
        "compound": "float64",  # VADER's normalized score, -1..1
        "positive": "float64",
        "neutral": "float64",
        "negative": "float64",
        "label": "string",  # positive | neutral | negative
    }
)

META = ibis.schema({"key": "string", "value": "string"})

TABLES: dict[str, sch.Schema] = {
    "events": EVENTS,
    "customers": CUSTOMERS,
    "accounts": ACCOUNTS,
    "identities": IDENTITIES,
    "quarantine": QUARANTINE,
    "ingest_batches": INGEST_BATCHES,
    "cohorts": COHORTS,
    "cohort_members": COHORT_MEMBERS,
    "api_keys": API_KEYS,
    "text_sentiment": TEXT_SENTIMENT,
    "meta": META,
}

# Tables rebuilt from the canonical ones by engagekit.derive (their schemas live there).
DERIVED_TABLES: tuple[str, ...] = ("sessions", "customer_days", "customer_facts")
