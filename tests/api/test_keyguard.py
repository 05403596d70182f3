"""The key checks' defences on their own: remembered failures, backoff per key id, hashing slots."""
from __future__ import annotations

import pytest

from engagekit.access.keyguard import (
    BACKOFF_FIRST_SECONDS,
    BACKOFF_MAX_SECONDS,
    BUSY_RETRY_AFTER_SECONDS,
    FAILED_SECRETS_REMEMBERED,
    FAILURES_FORGOTTEN_SECONDS,
    FREE_FAILURES,
    FailedChecks,
    KeyRefused,
    VerifySlots,
)
from tests.api.keychecks import Clock


def backing_off(checks: FailedChecks, key_id: str) -> int | None:
    """The Retry-After while `key_id` backs off, else None."""
    try:
        checks.refuse_while_backing_off(key_id)
    except KeyRefused as refused:
        assert refused.status == 429
        return refused.retry_after
    return None


def fail(checks: FailedChecks, key_id: str, times: int) -> None:
    for n in range(times):
        checks.failed(key_id, f"{key_id}-{n}".encode())


def test_the_wait_starts_after_the_free_failures_and_doubles_up_to_the_cap() -> None:
    clock = Clock()
    checks = FailedChecks(clock)
    fail(checks, "k", FREE_FAILURES - 1)
    assert backing_off(checks, "k") is None
    waits = []
    for _ in range(9):
        fail(checks, "k", 1)
        waits.append(backing_off(checks, "k"))
        clock.advance(BACKOFF_MAX_SECONDS)  # each wait over before the next failure
    assert waits == [min(BACKOFF_MAX_SECONDS, BACKOFF_FIRST_SECONDS * 2**n) for n in range(9)]
    assert backing_off(checks, "other") is None  # per key id


def test_a_success_or_a_quiet_spell_clears_the_failures() -> None:
    clock = Clock()
    checks = FailedChecks(clock)
    fail(checks, "k", FREE_FAILURES)
    checks.succeeded("k")
    assert backing_off(checks, "k") is None
    fail(checks, "k", FREE_FAILURES - 1)
    clock.advance(FAILURES_FORGOTTEN_SECONDS + 1)
    fail(checks, "k", 1)  # counts as the first failure again
    assert backing_off(checks, "k") is None


def test_the_latest_failed_secrets_are_remembered_within_the_bound() -> None:
    checks = FailedChecks(Clock())
    checks.failed("k", b"first")
    fail(checks, "k", FAILED_SECRETS_REMEMBERED - 1)
    assert checks.failed_before(b"first")  # a hit makes it the most recent
    checks.failed("k", b"newest")
    assert checks.failed_before(b"first") and not checks.failed_before(b"k-0")  # the least recent went


def test_busy_slots_refuse_at_once_and_free_again() -> None:
    slots = VerifySlots(slots=2)
    with slots.slot(b"a") as first, slots.slot(b"b") as second:
        assert first and second
        with pytest.raises(KeyRefused) as refused, slots.slot(b"c"):
            pass
        assert (refused.value.status, refused.value.retry_after) == (503, BUSY_RETRY_AFTER_SECONDS)
    with slots.slot(b"c") as free:
        assert free
