"""A batch lands whole or not at all."""
from __future__ import annotations

from pathlib import Path

import pytest

import engagekit.ingest.batch as batch
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.store import Store
from tests.conftest import write

FILE = "timestamp,event,userId,anonymousId\n2024-01-01T00:00:00Z,signed_up,u1,a1\nbad,page,u1,\n"


def test_a_crash_mid_batch_leaves_nothing(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not store.capabilities.transactions:
        pytest.xfail("Spark has no multi-table transactions; the batch record is written last instead")

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(batch, "link_identities", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        ingest_file(store, write(tmp_path / "f.csv", FILE), IngestOptions(), Vocabulary())
    assert [store.count(t) for t in ("events", "identities", "quarantine", "ingest_batches")] == [0, 0, 0, 0]
    monkeypatch.undo()
    report = ingest_file(store, tmp_path / "f.csv", IngestOptions(), Vocabulary())
    assert (report.stored, report.quarantined) == (1, 1)


def test_store_records_its_schema_version(store: Store) -> None:
    from engagekit.store import SCHEMA_VERSION, TABLES

    assert store.schema_version() == SCHEMA_VERSION
    assert set(TABLES) <= set(store.backend.list_tables())
