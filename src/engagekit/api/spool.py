"""The collector's write-ahead log: accepted requests as fsync'd JSON lines in segment files.

A request is acknowledged only after its line is written and fsync'd to the open segment.
The drainer seals the open segment (every `seal_ms` or `seal_messages`), ingests sealed
segments one by one and deletes each after its store transaction commits. A line cut short
by a crash was never acknowledged, so readers skip it.
"""
from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_PREFIX = "segment-"
_SUFFIX = ".jsonl"


@dataclass(frozen=True)
class Record:
    """One accepted request: the write key's id and its stamped messages."""

    key_id: str
    messages: list[dict]


class Spool:
    """Segment files `segment-<sequence>.jsonl` in one directory; one open for appends."""

    def __init__(self, directory: Path, max_pending_bytes: int) -> None:
        self.directory = directory
        self.max_pending_bytes = max_pending_bytes
        directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._open: Path | None = None
        existing = self.sealed()
        self._sequence = int(existing[-1].stem.removeprefix(_PREFIX)) + 1 if existing else 1
        self._pending_bytes = sum(p.stat().st_size for p in existing)
        self._handle: int | None = None
        self._open_messages = 0
        self._opened_at = 0.0

    @property
    def pending_bytes(self) -> int:
        """Bytes spooled and not yet drained (sealed segments and the open one)."""
        return self._pending_bytes

    def full(self) -> bool:
        return self._pending_bytes >= self.max_pending_bytes

    def append(self, record: Record) -> None:
        """Write one request durably: after this returns, a crash cannot lose it."""
        line = (json.dumps({"key": record.key_id, "messages": record.messages}, separators=(",", ":")) + "\n").encode()
        with self._lock:
            if self._handle is None:
                self._start_segment()
            view = memoryview(line)
            while view:
                written = os.write(self._handle, view)
                view = view[written:]
            os.fsync(self._handle)
            self._pending_bytes += len(line)
            self._open_messages += len(record.messages)

    def seal_if(self, max_age_seconds: float, max_messages: int) -> None:
        """Close the open segment when it is old or large enough to drain as one batch."""
        with self._lock:
            if self._handle is None:
                return
            if self._open_messages >= max_messages or time.monotonic() - self._opened_at >= max_age_seconds:
                self._seal()

    def seal(self) -> None:
        """Close the open segment now (at shutdown), so all of the spool can be drained."""
        with self._lock:
            if self._handle is not None:
                self._seal()

    def sealed(self) -> list[Path]:
        """Segments no longer written to, oldest first."""
        with self._lock:
            paths = sorted(self.directory.glob(f"{_PREFIX}*{_SUFFIX}"))
            return [p for p in paths if p != self._open]

    def done(self, path: Path) -> None:
        """Forget a segment whose events are committed to the store."""
        size = path.stat().st_size
        path.unlink()
        _fsync_directory(self.directory)
        with self._lock:
            self._pending_bytes -= size

    def _start_segment(self) -> None:
        self._open = self.directory / f"{_PREFIX}{self._sequence:012d}{_SUFFIX}"
        self._sequence += 1
        self._handle = os.open(self._open, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        _fsync_directory(self.directory)
        self._open_messages = 0
        self._opened_at = time.monotonic()

    def _seal(self) -> None:
        os.close(self._handle)
        self._handle = None
        self._open = None


def read_segment(path: Path) -> list[Record]:
    """The complete records of a segment; a torn last line (never acknowledged) is skipped."""
    records = []
    with path.open("rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                break
            data = json.loads(line)
            records.append(Record(data["key"], data["messages"]))
    return records


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
