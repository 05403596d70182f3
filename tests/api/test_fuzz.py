"""Schemathesis against the served OpenAPI schema: no generated request gets a 5xx.

The server runs as `engagekit serve` over real HTTP on a store holding the read API's story
(tests/api/test_queries.py), so generated queries reach real data. Each call carries a key of
the kind its route needs (a write key for /v1/*, a read key for /api/v1/*), so the fuzzing
reaches the handlers rather than stopping at 401. The collector's routes publish the Segment
message schema (engagekit.api.segment.request_schema), so their fields are generated too, and
after the run the drain must have taken every acknowledged message, quarantining what it could
not store, without a dead letter.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from engagekit.api import create_key
from engagekit.api.drain import ingest_segment
from engagekit.api.segment import spool_line
from engagekit.api.spool import Spool
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.ingest.events import EventRules
from engagekit.store import connect
from tests.api.conftest import Keys, basic
from tests.api.server import start, stop, wait_drained
from tests.api.test_queries import CUSTOMERS, EVENTS
from tests.conftest import write

EXAMPLES = 100  # per operation and mode: about 3,000 requests to all 19 operations, about a minute
# derandomized: the same requests on every run, so CI is repeatable. Longer runs (30,003 requests
# at 1,000 per operation and mode, 9,003 on the demo store) found the inputs pinned in
# test_queries.py, tests/analyses/test_bounds.py, tests/metrics/test_filters.py, test_textguard.py
# and below.


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Keys, Path]]:
    """(base URL, keys, server log) of a server over the story store."""
    folder = tmp_path_factory.mktemp("fuzz")
    url = f"duckdb:///{folder / 'engagekit.duckdb'}"
    with connect(url) as store:
        ingest_file(store, write(folder / "customers.csv", CUSTOMERS), IngestOptions(kind="customers"), Vocabulary())
        ingest_file(store, write(folder / "events.csv", EVENTS), IngestOptions(), Vocabulary())
        write_info, write_key = create_key(store, "write", "fuzz")
        _, read_key = create_key(store, "read", "fuzz")
    log = folder / "server.log"
    process, base = start(url, log)
    try:
        yield base, Keys(write_key, read_key, write_info.key_id), log
    finally:
        stop(process)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_no_generated_request_is_a_server_error(served: tuple[str, Keys, Path], mode: GenerationMode) -> None:
    """Every operation of the schema, with generated valid (or invalid) parameters and bodies."""
    base, keys, _ = served
    schema = httpx.get(f"{base}/openapi.json").json()
    assert all("requestBody" in schema["paths"][path]["post"] for path in schema["paths"] if path.startswith("/v1/"))
    operations = [result.ok() for result in schemathesis.openapi.from_dict(schema).get_all_operations()]
    assert len(operations) >= 19
    fuzzed = []
    for operation in operations:
        key = keys.write if operation.path.startswith("/v1/") else keys.read

        @given(case=operation.as_strategy(mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                  derandomize=True)
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=base, headers=basic(key), checks=[not_a_server_error])

        try:
            check()
        except Unsatisfiable:
            # no invalid input exists (no parameters, or a free-text path parameter): nothing to send
            assert mode is GenerationMode.NEGATIVE, operation.label
            continue
        fuzzed.append(operation.label)
    if mode is GenerationMode.POSITIVE:
        assert fuzzed == [operation.label for operation in operations]
    assert "POST /v1/batch" in fuzzed and "POST /api/v1/funnels" in fuzzed


def test_the_server_drained_and_logged_no_traceback(served: tuple[str, Keys, Path]) -> None:
    """Runs after the fuzzing (same module): what the collector accepted reached the store, and
    nothing that was sent made the server fail."""
    base, keys, log = served
    wait_drained(base)
    assert httpx.get(f"{base}/readyz").json()["problems"] == []
    assert "Traceback" not in log.read_text()
    quarantined = httpx.get(f"{base}/api/v1/quarantine", params={"limit": 1000}, headers=basic(keys.read)).json()
    assert not [row for row in quarantined if "could not be ingested" in row["reason"]]  # no dead letter


def drained_alone(folder: Path, kind: str, payload: dict[str, Any]) -> tuple[int, int]:
    """(stored, quarantined) of one acknowledged request, drained from its own spool segment."""
    received = datetime(2026, 11, 20, 10, 0, 1, tzinfo=timezone.utc)
    spool = Spool(folder / "spool", max_pending_bytes=10**9)
    spool.append([spool_line("k1", kind, payload, json.dumps(payload).encode(), received)], 1)
    spool.seal()
    (segment,) = spool.sealed()
    with connect(f"duckdb:///{folder / 'engagekit.duckdb'}") as store:
        reports = ingest_segment(store, segment, Vocabulary(), EventRules())
    return sum(r.stored for r in reports), sum(r.quarantined for r in reports)


# Found by the long runs on the collector's drain (each was acknowledged with 200, then the drain
# retried its segment forever): each is now a quarantine row.
def test_a_timestamp_of_thirty_digits_is_quarantined(tmp_path: Path) -> None:
    # read as an epoch, past what 64 bits of microseconds hold
    assert drained_alone(tmp_path, "page", {"userId": "u1", "timestamp": "9" * 30}) == (0, 1)


def test_a_corrected_time_past_year_9999_is_quarantined(tmp_path: Path) -> None:
    # timestamp + (receivedAt - sentAt) passes the last date the calendar holds
    message = {"userId": "u1", "event": "x", "timestamp": "9999-12-31T00:00:00Z", "sentAt": "2000-01-01T00:00:00Z"}
    assert drained_alone(tmp_path, "track", message) == (0, 1)


def test_an_account_id_holding_nul_is_quarantined(tmp_path: Path) -> None:
    # the group event, the account record and the customer's account_id: NUL in each
    assert drained_alone(tmp_path, "group", {"userId": "u1", "groupId": "acme\x00inc"}) == (0, 3)
