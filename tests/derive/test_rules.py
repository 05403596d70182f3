"""Session rules from settings, and the shape of the derived tables on an empty store."""
from __future__ import annotations

from pathlib import Path

from engagekit.config import Settings
from engagekit.derive import (
    DAY_COLUMNS, DERIVED_TABLES, FACT_COLUMNS, SESSION_COLUMNS, SessionRules, build_derived, sessions,
)
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.store import Store
from tests.conftest import write


def test_rules_take_the_projects_timeout_and_standard_defaults() -> None:
    rules = SessionRules.from_settings(Settings(session_timeout_minutes=45))
    assert (rules.timeout_minutes, rules.max_hours, rules.idle_seconds, rules.bounce_seconds) == (45, 24, 300, 10)
    assert rules.channels == ("web", "app")


def test_an_empty_store_builds_empty_tables_with_every_column(duckdb_store: Store) -> None:
    assert build_derived(duckdb_store) == {name: 0 for name in DERIVED_TABLES}
    columns = [tuple(duckdb_store.backend.table(name).columns) for name in DERIVED_TABLES]
    assert columns == [SESSION_COLUMNS, DAY_COLUMNS, FACT_COLUMNS]


def test_events_without_an_interactive_channel_form_no_sessions(duckdb_store: Store, tmp_path: Path) -> None:
    # a page view with no channel, a billing event and an email: none of them is a visit
    path = write(tmp_path / "e.csv", "timestamp,event,userId,channel\n2024-03-01T10:00:00Z,page,u1,\n"
                                     "2024-03-01T10:00:01Z,invoice_paid,u1,billing\n"
                                     "2024-03-01T10:00:02Z,email_opened,u1,email\n")
    ingest_file(duckdb_store, path, IngestOptions(), Vocabulary())
    assert sessions(duckdb_store).count().to_pyarrow().as_py() == 0
