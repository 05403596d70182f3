"""The collector's write-ahead log: accepted requests as fsync'd JSON lines in segment files.

A request is acknowledged only after its line is written and fsync'd to the open segment.
Concurrent requests share that cost (group commit): while one write and fsync is under way,
the lines of the requests arriving meanwhile gather and go to disk together with one fsync,
so a disk that takes 5 ms per fsync still acknowledges thousands of requests a second.
The drainer seals the open segment (every `seal_ms` or `seal_messages`), ingests sealed
segments one by one and deletes each after its store transaction commits. A line cut short
by a crash was never acknowledged, so readers skip it.

Names: the open segment is `segment-<sequence>.open`; sealing renames it
`segment-<sequence>-<digest>.jsonl`, where the digest is of its bytes. The sequence goes on
from the highest one in the folder and the highest the store has recorded (the caller passes
it), so no segment takes the name of one ingested before, and a name that the store's batch
records hold stands for that very content (the drainer checks the digest before it treats a
segment as committed). A segment left open by a crash is sealed when the spool opens.
"""
from __future__ import annotations

import asyncio
import hashlib
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

_PREFIX = "segment-"
_SEALED = ".jsonl"
_OPEN = ".open"
_DIGEST_CHARS = 16  # hex digits of the SHA-256 in a sealed name: 64 bits
_NAME = re.compile(r"segment-(?P<sequence>\d+)(?:-(?P<digest>[0-9a-f]+))?\.(?:jsonl|open)")


def segment_sequence(name: str) -> int | None:
    """The sequence number in a segment's file name, None for other names."""
    match = _NAME.fullmatch(name)
    return int(match["sequence"]) if match else None


def content_matches_name(path: Path) -> bool:
    """Whether a sealed segment's bytes have the digest its name carries."""
    match = _NAME.fullmatch(path.name)
    return bool(match and match["digest"]) and _file_digest(path) == match["digest"]


class Spool:
    """Segment files in one directory (mode 0700, files 0600); one open for appends."""

    def __init__(self, directory: Path, max_pending_bytes: int, recorded_sequence: int = 0) -> None:
        """`recorded_sequence`: the highest segment sequence the store's batch records name."""
        self.directory = directory
        self.max_pending_bytes = max_pending_bytes
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory.chmod(0o700)  # whatever the umask or an older version made
        self._lock = threading.Lock()
        self._handle: int | None = None
        self._open: Path | None = None
        self._hash = hashlib.sha256()
        self._open_messages = 0
        self._opened_at = 0.0
        self._sequence = max([recorded_sequence, *self._sequences()]) + 1
        self._recover()
        self._pending_bytes = sum(p.stat().st_size for p in self.sealed())

    @property
    def pending_bytes(self) -> int:
        """Bytes spooled and not yet drained (sealed segments and the open one)."""
        return self._pending_bytes

    def full(self) -> bool:
        return self._pending_bytes >= self.max_pending_bytes

    def append(self, lines: list[bytes], messages: int) -> None:
        """Write lines (each a JSON object ending in a newline) with one fsync: after this
        returns, a crash cannot lose them. A write that fails part way is cut off again, so the
        next line starts on a line of its own."""
        data = b"".join(lines)
        with self._lock:
            if self._handle is None:
                self._start_segment()
            before = os.lseek(self._handle, 0, os.SEEK_END)
            try:
                view = memoryview(data)
                while view:
                    written = os.write(self._handle, view)
                    view = view[written:]
                os.fsync(self._handle)
            except OSError:
                os.ftruncate(self._handle, before)
                raise
            self._hash.update(data)
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
        """Sealed segments, oldest first."""
        paths = [p for p in self.directory.glob(f"{_PREFIX}*{_SEALED}") if segment_sequence(p.name) is not None]
        return sorted(paths, key=lambda p: segment_sequence(p.name))

    def done(self, path: Path) -> None:
        """Forget a segment whose events are committed to the store."""
        size = path.stat().st_size
        path.unlink()
        _fsync_directory(self.directory)
        with self._lock:
            self._pending_bytes -= size

    def _sequences(self) -> list[int]:
        names = (segment_sequence(p.name) for p in self.directory.iterdir())
        return [n for n in names if n is not None]

    def _recover(self) -> None:
        """Seal what an earlier process left: a segment still open when it crashed (its torn
        last line cut off: it was never acknowledged), keeping its number, which no batch
        record can hold; and segments sealed before names carried a digest, whose numbers a
        batch record may hold, renumbered in order after the others."""
        for path in sorted(self.directory.iterdir(), key=lambda p: segment_sequence(p.name) or 0):
            match = _NAME.fullmatch(path.name)
            if match is None or (path.suffix == _SEALED and match["digest"]):
                continue
            _cut_torn_line(path)
            if path.suffix == _OPEN:
                sequence = int(match["sequence"])
            else:
                sequence, self._sequence = self._sequence, self._sequence + 1
            path.rename(self.directory / self._sealed_name(sequence, _file_digest(path)))
        _fsync_directory(self.directory)

    def _start_segment(self) -> None:
        self._open = self.directory / f"{_PREFIX}{self._sequence:012d}{_OPEN}"
        self._handle = os.open(self._open, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        _fsync_directory(self.directory)
        self._hash = hashlib.sha256()
        self._open_messages = 0
        self._opened_at = time.monotonic()

    def _seal(self) -> None:
        os.close(self._handle)
        self._handle = None
        self._open.rename(self.directory / self._sealed_name(self._sequence, self._hash.hexdigest()[:_DIGEST_CHARS]))
        _fsync_directory(self.directory)
        self._sequence += 1
        self._open = None

    @staticmethod
    def _sealed_name(sequence: int, digest: str) -> str:
        return f"{_PREFIX}{sequence:012d}-{digest}{_SEALED}"


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:_DIGEST_CHARS]


def _cut_torn_line(path: Path) -> None:
    """Truncate a file after its last newline (a crash may have cut the last write short)."""
    with path.open("r+b") as handle:
        size = handle.seek(0, os.SEEK_END)
        keep = size
        while keep > 0:
            step = min(keep, 1 << 16)
            handle.seek(keep - step)
            block = handle.read(step)
            newline = block.rfind(b"\n")
            if newline >= 0:
                keep = keep - step + newline + 1
                break
            keep -= step
        if keep != size:
            handle.truncate(keep)
            os.fsync(handle.fileno())


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
