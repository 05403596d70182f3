"""The spool: lines as accepted, torn lines after a crash, group commit, segments committed
before a crash not re-ingested, and conversion to event rows in place or in the helper process."""
from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from engagekit.api.convert import SegmentConverter
from engagekit.api.drain import ingest_segment
from engagekit.api.segment import segment_batches, spool_line
from engagekit.api.spool import GroupCommit, Spool, content_matches_name, read_segment, segment_sequence
from engagekit.ingest.events import EventRules
from engagekit.ingest.vocabulary import Vocabulary
from engagekit.store import connect

RECEIVED = datetime(2026, 11, 20, 10, 0, 1, tzinfo=timezone.utc)


def message(message_id: str | None) -> dict:
    return {"type": "track", "messageId": message_id, "event": "Logged In", "userId": "u1",
            "timestamp": "2026-11-20T10:00:00Z"}


def line(*message_ids: str | None, sent_at: str | None = None) -> bytes:
    """The spool line of a pretty-printed /v1/batch request (newlines inside the body)."""
    payload = {"batch": [message(i) for i in message_ids], **({"sentAt": sent_at} if sent_at else {})}
    return spool_line("k1", "batch", payload, json.dumps(payload, indent=2).encode(), RECEIVED)


def event_ids(segment: Path) -> list[str]:
    return [i for batch in segment_batches(read_segment(segment)) for i in batch.events["event_id"].to_pylist()]


def test_a_line_keeps_the_request_and_stamps_messages_the_same_on_every_read(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    spool.append([line("m1", None, sent_at="2026-11-20T09:59:00Z")], 2)
    spool.seal()
    (segment,) = spool.sealed()
    assert segment.read_bytes().count(b"\n") == 1
    first, again = (segment_batches(read_segment(segment))[0].events.to_pylist() for _ in range(2))
    assert first == again  # the minted id comes from the request id: a replay dedupes
    assert first[0]["event_id"] == "m1" and first[1]["event_id"].startswith("ek-")
    # timestamp 10:00:00 + (received 10:00:01 - the batch's sentAt 09:59:00) = 10:01:01
    assert {m["ts"] for m in first} == {datetime(2026, 11, 20, 10, 1, 1, tzinfo=timezone.utc)}


def test_a_write_key_in_the_body_is_not_spooled(tmp_path: Path) -> None:
    payload = {**message("m1"), "writeKey": "ek_write_abc_SECRET"}
    spooled = spool_line("abc", "track", payload, json.dumps(payload).encode(), RECEIVED)
    assert b"SECRET" not in spooled
    assert segment_batches([json.loads(spooled)])[0].events["event"].to_pylist() == ["Logged In"]


def test_a_torn_last_line_was_never_acknowledged(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    spool.append([line("m1")], 1)
    spool.seal()
    (segment,) = spool.sealed()
    with segment.open("ab") as handle:
        handle.write(line("m2")[:30])
    assert event_ids(segment) == ["m1"]


def test_concurrent_appends_share_writes(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    writes = []
    append = spool.append
    spool.append = lambda lines, messages: (writes.append(len(lines)), append(lines, messages))

    async def many() -> None:
        commit = GroupCommit(spool)
        await asyncio.gather(*(commit.append(line(f"m{i}"), 1) for i in range(50)))

    asyncio.run(many())
    spool.seal()
    (segment,) = spool.sealed()
    assert sorted(event_ids(segment)) == sorted(f"m{i}" for i in range(50))
    # all 50 were waiting before the flusher ran: one write and one fsync for them all
    assert writes == [50]


def test_reopened_spool_continues_after_the_last_segment(tmp_path: Path) -> None:
    first = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    first.append([line("m1")], 1)  # then a crash: the segment is still open
    with (tmp_path / "spool" / "segment-000000000001.open").open("ab") as handle:
        handle.write(line("m9")[:30])  # a write cut short, never acknowledged
    second = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    second.append([line("m2")], 1)
    second.seal()
    names = [p.name for p in second.sealed()]
    assert [re.sub("-[0-9a-f]{16}", "-<digest>", n) for n in names] == [
        "segment-000000000001-<digest>.jsonl", "segment-000000000002-<digest>.jsonl"]
    assert [event_ids(p) for p in second.sealed()] == [["m1"], ["m2"]]
    assert all(content_matches_name(p) for p in second.sealed())
    assert second.pending_bytes == sum(p.stat().st_size for p in second.sealed())


def test_a_new_spool_numbers_after_what_the_store_recorded(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", max_pending_bytes=10**9, recorded_sequence=41)
    spool.append([line("m1")], 1)
    spool.seal()
    assert [segment_sequence(p.name) for p in spool.sealed()] == [42]


def test_segments_named_without_a_digest_are_renumbered(tmp_path: Path) -> None:
    # an older spool's names: the store may hold batch records of these very names
    folder = tmp_path / "spool"
    folder.mkdir()
    (folder / "segment-000000000001.jsonl").write_bytes(line("old1"))
    (folder / "segment-000000000002.jsonl").write_bytes(line("old2"))
    spool = Spool(folder, max_pending_bytes=10**9, recorded_sequence=2)
    assert [segment_sequence(p.name) for p in spool.sealed()] == [3, 4]
    assert [event_ids(p) for p in spool.sealed()] == [["old1"], ["old2"]]


def test_a_failed_write_leaves_no_partial_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spool = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    spool.append([line("m1")], 1)
    real_write = os.write

    def short_then_full(fd: int, data: memoryview) -> int:  # half the bytes, then the disk is full
        if len(data) > 40:
            return real_write(fd, data[:40])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", short_then_full)
    with pytest.raises(OSError):
        spool.append([line("m2")], 1)
    monkeypatch.undo()
    spool.append([line("m3")], 1)
    spool.seal()
    assert [event_ids(p) for p in spool.sealed()] == [["m1", "m3"]]


def test_a_committed_segment_is_not_ingested_twice(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    spool.append([line("m1", "m2")], 2)
    spool.seal()
    (segment,) = spool.sealed()
    with connect(f"duckdb:///{tmp_path / 'engagekit.duckdb'}") as store:
        (report,) = ingest_segment(store, segment, Vocabulary(), EventRules())
        assert (report.received, report.stored, report.source) == (2, 2, "key:k1")
        assert ingest_segment(store, segment, Vocabulary(), EventRules()) == []
        assert store.count("events") == 2 and store.count("ingest_batches") == 1


def test_large_segments_are_converted_by_the_helper_process_the_same(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    for number in range(3):
        spool.append([line(f"m{number}-a", f"m{number}-b", None)], 3)
        spool.seal()
    segments = spool.sealed()
    helper = SegmentConverter(helper_min_bytes=0)  # every segment goes to the helper process
    try:
        converted = [(path, convert()) for path, convert in helper.batches(lambda: segments)]
        assert helper._pool is not None
    finally:
        helper.close()
    in_place = [(path, convert()) for path, convert in SegmentConverter(helper_min_bytes=10**9).batches(lambda: segments)]
    assert [path for path, _ in converted] == segments  # in order
    assert [[b.events.to_pylist() for b in batches] for _, batches in converted] == [
        [b.events.to_pylist() for b in batches] for _, batches in in_place]
    assert [len(batches[0].events) for _, batches in converted] == [3, 3, 3]


def test_segments_sealed_while_draining_are_drained_in_the_same_pass(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    spool.append([line("m1")], 1)
    spool.seal()

    def sealed() -> list[Path]:  # a second segment appears once the first is being ingested
        if len(seen) == 1 and not spool.sealed()[1:]:
            spool.append([line("m2")], 1)
            spool.seal()
        return [p for p in spool.sealed() if p not in seen]

    seen: list[Path] = []
    for path, convert in SegmentConverter().batches(sealed):
        seen.append(path)
        assert len(convert()) == 1
    assert [segment_sequence(p.name) for p in seen] == [1, 2]


HELPER_OWNER = """
import os, signal, sys
from pathlib import Path
from engagekit.api.convert import SegmentConverter
converter = SegmentConverter(helper_min_bytes=0)
list(converter.batches(lambda: [Path(sys.argv[1])]))
(helper,) = converter._pool._processes
print(helper, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_the_helper_process_ends_when_the_server_is_killed(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", max_pending_bytes=10**9)
    spool.append([line("m1")], 1)
    spool.seal()
    (segment,) = spool.sealed()
    owner = subprocess.run([sys.executable, "-c", HELPER_OWNER, str(segment)], capture_output=True, text=True,
                           timeout=60)
    assert owner.returncode == -signal.SIGKILL, owner.stderr
    helper = int(owner.stdout.strip())
    deadline = time.monotonic() + 10
    while Path(f"/proc/{helper}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{helper}").exists(), "the helper outlived the killed server"
