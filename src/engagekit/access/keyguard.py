"""Key checks against floods of guessed secrets: remembered failures, per-key-id backoff, and a
few scrypts at a time.

Checking a secret costs one scrypt (tens of milliseconds of CPU, on purpose). Key ids are
public (logs, the dashboard's data page, `events.source`), so anyone could otherwise keep the
server hashing wrong secrets for a real key id. For a secret not yet verified in this process:

* a secret that failed is remembered (the latest FAILED_SECRETS_REMEMBERED of them) and
  refused again without hashing;
* after FREE_FAILURES failed checks of one key id, its unverified secrets are refused (429 with
  Retry-After) for BACKOFF_FIRST_SECONDS, a wait that doubles with each further failure up to
  BACKOFF_MAX_SECONDS; a success, or FAILURES_FORGOTTEN_SECONDS without a failure, clears it;
* at most VERIFY_SLOTS secrets are hashed at once; a check that finds them all busy is refused
  at once (503 with Retry-After BUSY_RETRY_AFTER_SECONDS) instead of waiting, so nothing queues
  and a client that has gone costs at most the hash already under way. Concurrent checks of
  the same secret share one hash.

A key verified in this process is answered from memory before any of this (engagekit.access.keys),
so guesses at its id never lock its owner out. Only ids of stored keys get a backoff entry
(an unknown id is refused without hashing), so the memory kept is bounded by the keys.
"""
from __future__ import annotations

import contextlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

FAILED_SECRETS_REMEMBERED = 4096
FREE_FAILURES = 5
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 60.0
FAILURES_FORGOTTEN_SECONDS = 600.0
VERIFY_SLOTS = 2
BUSY_RETRY_AFTER_SECONDS = 1


class KeyRefused(Exception):
    """A key refused before its secret is checked: answer `status` with a Retry-After header."""

    def __init__(self, status: int, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


@dataclass(frozen=True)
class _Failures:
    count: int  # failed checks of the key id since it was last cleared
    last: float  # when the latest failed
    wait: float  # the current backoff (0 before FREE_FAILURES)


class FailedChecks:
    """Secrets that failed, and each key id's backoff after repeated failures."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._secrets: OrderedDict[bytes, None] = OrderedDict()  # fingerprints, least recent first
        self._ids: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def failed_before(self, fingerprint: bytes) -> bool:
        """Whether this secret (its fingerprint) failed a check lately."""
        with self._lock:
            if fingerprint not in self._secrets:
                return False
            self._secrets.move_to_end(fingerprint)
            return True

    def refuse_while_backing_off(self, key_id: str) -> None:
        """Raise KeyRefused (429) while `key_id` backs off."""
        with self._lock:
            failures = self._ids.get(key_id)
        remaining = failures.last + failures.wait - self.clock() if failures else 0.0
        if remaining > 0:
            raise KeyRefused(429, "too many failed attempts for this key; retry later", math.ceil(remaining))

    def failed(self, key_id: str, fingerprint: bytes) -> None:
        """Record a failed check of `key_id` with this secret."""
        now = self.clock()
        with self._lock:
            self._secrets[fingerprint] = None
            if len(self._secrets) > FAILED_SECRETS_REMEMBERED:
                self._secrets.popitem(last=False)
            before = self._ids.get(key_id)
            if before is None or now - before.last > FAILURES_FORGOTTEN_SECONDS:
                before = _Failures(0, now, 0.0)
            count = before.count + 1
            wait = min(BACKOFF_MAX_SECONDS, before.wait * 2 or BACKOFF_FIRST_SECONDS) if count >= FREE_FAILURES else 0.0
            self._ids[key_id] = _Failures(count, now, wait)

    def succeeded(self, key_id: str) -> None:
        """A secret of `key_id` was right: clear its failures."""
        with self._lock:
            self._ids.pop(key_id, None)


class VerifySlots:
    """At most `slots` secrets hashed at once, without a queue; one hash per secret at a time."""

    def __init__(self, slots: int = VERIFY_SLOTS) -> None:
        self.slots = slots
        self._running: dict[bytes, threading.Event] = {}  # fingerprint -> set once its check ends
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def slot(self, fingerprint: bytes) -> Iterator[bool]:
        """True: hash the secret in this block. False: another thread just checked the same
        secret (it waited for that check to end; look at its result). KeyRefused (503) when
        every slot is busy."""
        with self._lock:
            running = self._running.get(fingerprint)
            if running is None:
                if len(self._running) >= self.slots:
                    raise KeyRefused(503, "the server is busy checking keys; retry shortly", BUSY_RETRY_AFTER_SECONDS)
                self._running[fingerprint] = threading.Event()
        if running is not None:
            running.wait()  # one hash away: the thread running it always ends it
            yield False
            return
        try:
            yield True
        finally:
            with self._lock:
                self._running.pop(fingerprint).set()
