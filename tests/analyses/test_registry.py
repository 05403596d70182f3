"""A toy analysis registered in the test reaches the CLI, the read API (route, OpenAPI schema,
answer) and the dashboard data layer without editing any of them; every registered analysis has
a route whose response schema is its result model."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pydantic import Field
from typer.testing import CliRunner

from engagekit import registry
from engagekit.analyses.protocol import Analysis, Project, by_names
from engagekit.cli import app
from engagekit.cli.analyses import analysis_command
from engagekit.cli.context import STATE
from engagekit.config import Settings
from engagekit.dashboard.data_analyses import analysis_query, run_analysis
from engagekit.dashboard.view import View
from engagekit.errors import InputError
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.people.events import people_events
from engagekit.people.names import EventNames
from engagekit.people.query import EventFilter, StrictModel
from engagekit.people.ranges import DateRange
from engagekit.server import create_server
from engagekit.store import Store, connect
from tests.api.conftest import FAST, Keys, basic, keys, store_url  # noqa: F401 - fixtures
from tests.api.test_queries import EVENTS, RANGE
from tests.conftest import write


class EventCountQuery(StrictModel):
    """Events of one kind in a range, at least `minimum` for a person to count."""

    range: DateRange
    event: EventFilter = EventFilter()
    minimum: int = 1


class EventCountResult(StrictModel):
    """How many events, and how many people did at least `minimum` of them."""

    events: int
    people: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.model_dump()])

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def run_event_count(store: Store, query: EventCountQuery, names: EventNames) -> EventCountResult:
    events = people_events(store)
    chosen = events.filter(events.ts >= query.range.low(), events.ts < query.range.high(), query.event.condition(events))
    per_person = chosen.group_by("person_id").aggregate(n=chosen.count())
    people = per_person.filter(per_person.n >= query.minimum).count()
    return EventCountResult(events=int(chosen.count().to_pyarrow().as_py()), people=int(people.to_pyarrow().as_py()))


EVENT_COUNT = Analysis(name="event_count", summary="Count events and the people doing them.", query=EventCountQuery,
                       result=EventCountResult, run=by_names(run_event_count), route="/event_count")
# Oct 1-7 of tests/api/test_queries.py's story: page views by a1 (u1 once stitched), u2 and u3 (the
# fourth row is quarantined): 3 events by 3 people, none with 2; orders: 2, both by u1.
PAGE_VIEWS = {"range": RANGE, "event": {"event": "page_viewed"}}


@pytest.fixture
def story(store_url: str, tmp_path: Path) -> str:
    with connect(store_url) as store:
        ingest_file(store, write(tmp_path / "events.csv", EVENTS), IngestOptions(), Vocabulary())
    return store_url


@pytest.fixture
def toy() -> Iterator[Analysis[Any, Any]]:
    with registry.registered(EVENT_COUNT):
        yield EVENT_COUNT


@contextmanager
def api(store_url: str, keys: Keys) -> Iterator[TestClient]:
    with TestClient(create_server(store_url, Settings(), FAST)) as client:
        client.headers.update(basic(keys.read))
        yield client


def test_toy_analysis_on_the_cli(story: str, toy: Analysis[Any, Any]) -> None:
    args = ["--store", story, "event_count", "--from", "2024-10-01", "--to", "2024-10-07", "--event", "page_viewed"]
    try:
        listed = CliRunner().invoke(app, ["--help"])
        result = CliRunner().invoke(app, [*args, "--minimum", "2", "--json"])
        table = CliRunner().invoke(app, args)
        bad = CliRunner().invoke(app, [*args, "--minimum", "lots"])
    finally:
        STATE.close()
    assert "event_count" in listed.output
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"events": 3, "people": 0}
    assert table.exit_code == 0 and "events" in table.output
    assert isinstance(bad.exception, InputError) and "minimum" in str(bad.exception)  # exit code 2 under `run`


class GrowthQuery(StrictModel):
    """Events of a range against a baseline range."""

    range: DateRange
    baseline: DateRange | None = Field(None, description="the range to compare with")


class GrowthResult(EventCountResult):
    baseline_events: int | None


def run_growth(store: Store, query: GrowthQuery, names: EventNames) -> GrowthResult:
    def events_in(days: DateRange) -> int:
        events = people_events(store)
        return int(events.filter(events.ts >= days.low(), events.ts < days.high()).count().to_pyarrow().as_py())

    return GrowthResult(events=events_in(query.range), people=0,
                        baseline_events=events_in(query.baseline) if query.baseline else None)


def test_every_range_of_a_query_gets_its_options(story: str) -> None:
    growth = Analysis(name="growth", summary="Events against a baseline.", query=GrowthQuery, result=GrowthResult,
                      run=by_names(run_growth), route="/growth")
    args = ["--store", story, "growth", "--from", "2024-10-01", "--to", "2024-10-07", "--json"]
    try:
        with registry.registered(growth):
            alone = CliRunner().invoke(app, args)
            against = CliRunner().invoke(app, [*args, "--baseline-from", "2024-10-01", "--baseline-to", "2024-10-01"])
    finally:
        STATE.close()
    options = {opt: param.help for param in analysis_command(growth).params for opt in param.opts}
    assert {"--from", "--to", "--baseline-from", "--baseline-to"} <= set(options)
    assert "of baseline (the range to compare with)" in options["--baseline-from"]
    # the story's events (tests/api/test_queries.py): 8 stored in Oct 1-7 (one row quarantined), 4 on Oct 1
    assert json.loads(alone.output) == {"events": 8, "people": 0, "baseline_events": None}
    assert json.loads(against.output)["baseline_events"] == 4


def test_toy_analysis_in_the_api(story: str, keys: Keys, toy: Analysis[Any, Any]) -> None:
    with api(story, keys) as client:
        schema = client.get("/openapi.json").json()
        answer = client.post("/api/v1/event_count", json=PAGE_VIEWS)
        refused = client.post("/api/v1/event_count", json={"range": RANGE, "count": 1})
    response = schema["paths"]["/api/v1/event_count"]["post"]["responses"]["200"]["content"]["application/json"]
    assert response["schema"] == {"$ref": "#/components/schemas/EventCountResult"}
    assert set(schema["components"]["schemas"]["EventCountResult"]["properties"]) == {"events", "people"}
    assert (answer.status_code, answer.json()) == (200, {"events": 3, "people": 3})
    assert refused.status_code == 400 and "count" in refused.json()["error"]


def test_toy_analysis_in_the_dashboard_data_layer(story: str, toy: Analysis[Any, Any]) -> None:
    view = View(date(2024, 10, 1), date(2024, 10, 8))
    with connect(story) as store:
        query = analysis_query("event_count", view, {"event": "order_completed", "minimum": "2"})
        result = run_analysis(contextmanager(lambda: iter([store])), view, "event_count", query, Project())
    assert (query.range, result.events, result.people) == (DateRange(start=date(2024, 10, 1), end=date(2024, 10, 8)), 2, 1)


def test_every_analysis_has_a_route_with_its_result_schema(story: str, keys: Keys) -> None:
    with api(story, keys) as client:
        schema = client.get("/openapi.json").json()
        paths = client.post("/api/v1/paths", json={"range": RANGE, "by": "person", "steps": 2})
    for analysis in registry.analyses():
        route = schema["paths"][f"/api/v1{analysis.route}"]["post"]
        body = route["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["$ref"].rsplit("/", 1)[1].startswith(analysis.result.__name__)
    assert not {"FunnelOut", "LifecycleOut", "StickinessOut"} & set(schema["components"]["schemas"])
    assert paths.status_code == 200
    answer = paths.json()
    assert (answer["unit"], answer["total"]) == ("people", 3)
    assert answer["sequences"][0]["steps"] and answer["depths"][0]["depth"] == 1
