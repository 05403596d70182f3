"""Spool segments -> Arrow tables, in a helper process when segments are large.

Turning spooled JSON into Arrow tables is pure-Python work of several microseconds per event;
inside the server it would compete with request handling for the interpreter lock. So large
segments are converted by one helper process, which works on the next segments while the
drainer ingests the current one; small ones (tests, quiet sites) are converted in place, which
saves starting the helper and a round trip.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from engagekit.api.segment import KeyBatch, segment_batches
from engagekit.api.spool import read_segment

AHEAD = 2  # segments converted ahead of the one being ingested
HELPER_MIN_BYTES = 1024 * 1024  # smaller segments are converted in the server process
PARENT_POLL_SECONDS = 1.0


def _exit_with(parent: int) -> None:
    """In the helper process: end it once the server is gone, even after a `kill -9` of the
    server (the helper would otherwise wait forever for work)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="engagekit-parent-watch", daemon=True).start()


def convert_segment(path: Path) -> list[KeyBatch]:
    """One spool segment's batches (runs in the helper process or in place)."""
    return segment_batches(read_segment(path))


class SegmentConverter:
    """Converts segments in order, up to `AHEAD` of them in the helper process at once."""

    def __init__(self, helper_min_bytes: int = HELPER_MIN_BYTES) -> None:
        self.helper_min_bytes = helper_min_bytes
        self._pool: ProcessPoolExecutor | None = None

    def batches(self, sealed: Callable[[], list[Path]]) -> Iterator[tuple[Path, Callable[[], list[KeyBatch]]]]:
        """(path, a call that returns its batches) for each segment `sealed()` lists, oldest first,
        asking it again after each one, so the helper converts new segments while the caller
        ingests. The call raises what the conversion raised, so a caller can tell which segment
        failed and go on with the next one."""
        pending: deque[tuple[Path, Future | None]] = deque()
        queue: deque[Path] = deque()
        seen: set[Path] = set()
        try:
            while True:
                fresh = [path for path in sealed() if path not in seen]
                seen.update(fresh)
                queue.extend(fresh)
                if not (queue or pending):
                    return
                while queue and len(pending) < AHEAD:
                    path = queue.popleft()
                    pending.append((path, self._submit(path)))
                path, future = pending.popleft()
                yield path, (lambda p=path: convert_segment(p)) if future is None else (
                    lambda f=future, p=path: self._result(f, p))
        finally:
            for _, future in pending:
                if future is not None:
                    future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _submit(self, path: Path) -> Future | None:
        if path.stat().st_size < self.helper_min_bytes:
            return None
        if self._pool is None:
            # spawn, not fork: the server has threads (DuckDB's among them) a fork would copy mid-work
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_exit_with, initargs=(os.getpid(),))
        return self._pool.submit(convert_segment, path)

    def _result(self, future: Future, path: Path) -> list[KeyBatch]:
        """The helper's answer; if the helper died, a new one next time and this segment in place."""
        try:
            return future.result()
        except BrokenProcessPool:
            self.close()
            return convert_segment(path)
