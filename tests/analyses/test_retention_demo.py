"""Retention on the demo company (DuckDB): the planted `creator_collab` cohort, and the CLI."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from engagekit.analyses.retention import RetentionQuery, run_retention
from engagekit.config import Settings
from engagekit.demo.effects import RETENTION_CAMPAIGN
from engagekit.demo.generate import generate
from engagekit.demo.load import load_demo
from engagekit.demo.world import DemoSpec
from engagekit.people.query import EventFilter
from engagekit.store import connect

# The planted effect (docs/demo.md, effect 3): a sign-up cohort's month-3 retention is any web or
# app event 90-119 days after sign-up; here the calendar-month version: month 3 after sign-up.
ACTIVE = "* where channel in ['web', 'app']"
MONTH = 3


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("retention_demo")
    files = generate(DemoSpec(customers=1500, months=8, seed=3), folder / "files")
    url = f"duckdb:///{folder / 'engagekit.duckdb'}"
    with connect(url) as store:
        load_demo(store, files, Settings())
    return url


def test_campaign_cohort_retains_better(demo_url: str) -> None:
    query = RetentionQuery(start_event=EventFilter(event="signed_up"), return_event=EventFilter.parse(ACTIVE),
                           period="month", periods=4, cohort_by="campaign")
    with connect(demo_url) as store:
        result = run_retention(store, query)
    by_campaign = {row.cohort: row for row in result.rows}
    planted = by_campaign.pop(RETENTION_CAMPAIGN)
    others = list(by_campaign.values())
    assert planted.size > 100 and len(others) >= 5
    assert all(planted.percentages[MONTH] > row.percentages[MONTH] for row in others)
    rest = 100 * sum(row.counts[MONTH] for row in others) / sum(row.eligible[MONTH] for row in others)
    assert planted.percentages[MONTH] - rest > 15  # planted: 45% vs 25% survival at 13 weeks


def test_cli(demo_url: str) -> None:
    args = [sys.executable, "-m", "engagekit", "--store", demo_url, "retention", "--start-event", "signed_up",
            "--return-event", ACTIVE, "--period", "month", "--periods", "4", "--by-trait", "campaign"]
    done = subprocess.run([*args, "--json"], capture_output=True, text=True, check=True)
    data = json.loads(done.stdout)
    assert data["query"]["cohort_by"] == "campaign" and data["query"]["week_start"] == "sunday"
    best = max(data["rows"], key=lambda row: row["percentages"][MONTH])
    assert best["cohort"] == RETENTION_CAMPAIGN and len(data["average"]) == 5
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    assert "Retention by campaign" in text and RETENTION_CAMPAIGN in text and "average" in text
    bad = subprocess.run([*args[:6], "--to", "2026-05-01"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--to needs --from" in bad.stderr
