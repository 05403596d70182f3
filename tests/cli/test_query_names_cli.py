"""The CLI reads event names in the project's vocabulary (engagekit.yaml's event_mapping and the
Segment spec names), prints what it mapped in one line, and notes names the store never saw."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from engagekit.cli import app
from engagekit.cli.context import STATE
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.store import connect
from tests.conftest import write
from tests.portable.test_query_names import MAPPING, STORY

CONFIG = "event_mapping:\n  Signup: signed_up\n"
# The story of tests/portable/test_query_names.py: u1 signs up ("Signup", stored as signed_up by
# the project's mapping), views a page ("pageview") and orders ("Order Completed") on Oct 1 and
# views a page again on Oct 9; u2 signs up and views a page on Oct 2; u3 views a page ("page").
OCTOBER = ["--from", "2024-10-01", "--to", "2024-10-31"]
Run = Callable[..., Result]


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Run]:
    """Run the engagekit command line on a story store with the project's engagekit.yaml."""
    url = f"duckdb:///{tmp_path / 'engagekit.duckdb'}"
    config = write(tmp_path / "engagekit.yaml", CONFIG)
    with connect(url) as store:
        ingest_file(store, write(tmp_path / "events.csv", STORY), IngestOptions(), Vocabulary(MAPPING))

    def run(*args: str) -> Result:
        result = CliRunner().invoke(app, ["--store", url, "--config", str(config), *args])
        STATE.close()
        STATE._settings = None
        assert result.exit_code == 0, result.output
        return result

    yield run
    STATE.store_url, STATE.config_path = None, None


def test_funnel_json_says_which_stored_names_were_meant(cli: Run) -> None:
    data = json.loads(cli("funnel", "Signup", "pageview", "Order Completed", *OCTOBER, "--json").stdout)
    # u1 and u2 signed up and then viewed a page; only u1 ordered after that
    assert [s["count"] for s in data["steps"]] == [2, 2, 1]
    assert data["names"] == {"Signup": "signed_up", "pageview": "page_viewed", "Order Completed": "order_completed"}


def test_funnel_text_prints_the_mapping_and_the_unseen_names(cli: Run) -> None:
    text = cli("funnel", "pageview", "Page View", *OCTOBER).stdout
    assert "event names as stored: pageview → page_viewed, Page View → page_view" in " ".join(text.split())
    assert "note: no events named 'page_view' (sent as 'Page View'); did you mean page_viewed?" in " ".join(text.split())


def test_other_analyses_and_kpi_filters_map_names(cli: Run) -> None:
    retention = json.loads(cli("retention", "--start-event", "Signup", "--return-event", "pageview",
                               *OCTOBER, "--json").stdout)
    assert retention["names"] == {"Signup": "signed_up", "pageview": "page_viewed"}
    lifecycle = json.loads(cli("lifecycle", "--event", "pageview", *OCTOBER, "--json").stdout)
    assert lifecycle["names"] == {"pageview": "page_viewed"}
    stickiness = json.loads(cli("stickiness", "--event", "pageview", *OCTOBER, "--json").stdout)
    assert stickiness["names"] == {"pageview": "page_viewed"}
    paths = json.loads(cli("paths", "--start", "Signup", "--by", "person", *OCTOBER, "--json").stdout)
    assert paths["names"] == {"Signup": "signed_up"} and paths["total"] == 2
    orders = json.loads(cli("metrics", "compute", "orders", "--period", "2024-10", "--where",
                            "event == 'Order Completed'", "--json").stdout)
    assert orders["rows"][0]["value"] == 1 and orders["names"] == {"Order Completed": "order_completed"}
    text = cli("metrics", "compute", "orders", "--period", "2024-10", "--where", "event == 'Order Completed'").stdout
    assert "event names as stored: Order Completed → order_completed" in text


def test_a_cohort_is_saved_with_the_stored_name(cli: Run) -> None:
    saved = json.loads(cli("cohorts", "create", "signups", "--did", "Signup", *OCTOBER, "--json").stdout)
    assert saved["definition"]["event"] == "signed_up" and saved["size"] == 2
    assert saved["names"] == {"Signup": "signed_up"}
    text = cli("cohorts", "create", "viewers", "--did", "pageview", *OCTOBER).stdout
    assert "event names as stored: pageview → page_viewed" in text
