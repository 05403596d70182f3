"""The collector's write-ahead log: accepted requests as fsync'd JSON lines in segment files.

A request is acknowledged only after its line is written and fsync'd to the open segment.
Concurrent requests share that cost (group commit): while one write and fsync is under way,
the lines of the requests arriving meanwhile gather and go to disk together with one fsync,
so a disk that takes 5 ms per fsync still acknowledges thousands of requests a second.
The drainer seals the open segment (every `seal_ms` or `seal_messages`), ingests sealed
segments one by one and deletes each after its store transaction commits. A line cut short
by a crash was never acknowledged, so readers skip it.
"""
from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

_PREFIX = "segment-"
_SUFFIX = ".jsonl"


class Spool:
    """Segment files `segment-<sequence>.jsonl` in one directory; one open for appends."""

    def __init__(self, directory: Path, max_pending_bytes: int) -> None:
        self.directory = directory
        self.max_pending_bytes = max_pending_bytes
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # owner-only, as its segment files
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

    def append(self, lines: list[bytes], messages: int) -> None:
        """Write lines (each a JSON object ending in a newline) with one fsync: after this
        returns, a crash cannot lose them."""
        data = b"".join(lines)
        with self._lock:
            if self._handle is None:
                self._start_segment()
            view = memoryview(data)
            while view:
                written = os.write(self._handle, view)
                view = view[written:]
            os.fsync(self._handle)
            self._pending_bytes += len(data)
            self._open_messages += messages

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


class GroupCommit:
    """Appends from the event loop, one write and fsync per group of concurrent requests:
    the first waiting request starts a flusher, which writes everything gathered, wakes the
    requests it covered, and goes on while more lines wait."""

    def __init__(self, spool: Spool) -> None:
        self.spool = spool
        self._waiting: list[tuple[bytes, int, asyncio.Future]] = []
        self._flusher: asyncio.Task | None = None

    async def append(self, line: bytes, messages: int) -> None:
        """Return once `line` is durable; raise what the write raised if it failed."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((line, messages, future))
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush())
        await asyncio.shield(future)  # a client that goes away does not cancel the write

    async def _flush(self) -> None:
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                try:
                    await asyncio.to_thread(self.spool.append, [g[0] for g in group], sum(g[1] for g in group))
                except Exception as exc:  # every request of the group gets the error (a 500)
                    for _, _, future in group:
                        future.set_exception(exc)
                else:
                    for _, _, future in group:
                        future.set_result(None)
        finally:
            self._flusher = None


def read_segment(path: Path) -> Iterator[dict]:
    """The complete lines of a segment, parsed one at a time (a segment holds up to 50,000
    messages: parsing them all before use would keep millions of objects alive for the garbage
    collector to scan again and again); a torn last line (never acknowledged) is skipped."""
    with path.open("rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                return
            yield orjson.loads(line)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
