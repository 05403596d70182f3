"""The spool: torn lines after a crash, and segments committed before a crash not re-ingested."""
from __future__ import annotations

import json
from pathlib import Path

from engagekit.api.drain import ingest_segment
from engagekit.api.spool import Record, Spool, read_segment
from engagekit.ingest.events import EventRules
from engagekit.ingest.vocabulary import Vocabulary
from engagekit.store import connect


def message(message_id: str) -> dict:
    return {"type": "track", "messageId": message_id, "event": "Logged In", "userId": "u1",
            "timestamp": "2026-11-20T10:00:00Z", "receivedAt": "2026-11-20T10:00:01+00:00"}


def test_a_torn_last_line_was_never_acknowledged(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    spool.append(Record("k1", [message("m1")]))
    spool.seal()
    (segment,) = spool.sealed()
    with segment.open("ab") as handle:
        handle.write(json.dumps({"key": "k1", "messages": [message("m2")]}).encode()[:30])
    assert [m["messageId"] for r in read_segment(segment) for m in r.messages] == ["m1"]


def test_reopened_spool_continues_after_the_last_segment(tmp_path: Path) -> None:
    first = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    first.append(Record("k1", [message("m1")]))
    second = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    second.append(Record("k1", [message("m2")]))
    second.seal()
    assert [p.name for p in second.sealed()] == ["segment-000000000001.jsonl", "segment-000000000002.jsonl"]
    assert second.pending_bytes == sum(p.stat().st_size for p in second.sealed())


def test_a_committed_segment_is_not_ingested_twice(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    spool.append(Record("k1", [message("m1"), message("m2")]))
    spool.seal()
    (segment,) = spool.sealed()
    with connect(f"duckdb:///{tmp_path / 'engagekit.duckdb'}") as store:
        (report,) = ingest_segment(store, segment, Vocabulary(), EventRules())
        assert (report.received, report.stored, report.source) == (2, 2, "key:k1")
        assert ingest_segment(store, segment, Vocabulary(), EventRules()) == []
        assert store.count("events") == 2 and store.count("ingest_batches") == 1
