"""The read API: KPIs, journey analyses, customer profiles, ingest batches and quarantine.

Every route needs a read key (see engagekit.api.auth.require_read_key) and answers JSON.
User text (metric names, filters) only reaches the Python query functions, which parse it
into expression trees; no SQL is built here. The server owns one DuckDB connection, shared
with the collector's drainer: every query holds the store lock the drainer takes, and runs
in the threadpool (the endpoints are sync).
"""
from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from engagekit.analyses.kpis import MetricsQuery
from engagekit.analyses.protocol import Analysis, Project
from engagekit.api.auth import require_read_key
from engagekit.config import Settings
from engagekit.errors import EngagekitError, InputError, validation_message
from engagekit.ingest.quarantine import quarantined
from engagekit.metrics.result import MetricResult
from engagekit.metrics.spec import Metric
from engagekit.people.profile import CustomerProfile, customer_profile
from engagekit.people.ranges import DateRange, check_range
from engagekit.registry import analyses, get
from engagekit.store import Store

MAX_BODY_BYTES = 64 * 1024


class ErrorBody(BaseModel):
    """Every refusal: what was wrong, in words."""

    error: str


class MetricSummary(BaseModel):
    """A catalog entry as listed."""

    name: str
    label: str
    stages: list[str]
    unit: str
    direction: str
    vanity: bool
    target: float | None


class BatchOut(BaseModel):
    """One ingest batch: a file or a drained spool segment."""

    batch_id: str
    kind: str
    source: str | None
    file: str | None
    started_at: datetime | None
    finished_at: datetime | None
    received: int | None
    stored: int | None
    duplicate: int | None
    quarantined: int | None


class QuarantineRow(BaseModel):
    """A rejected row: where it came from, the field at fault, why, and the row itself."""

    batch_id: str
    source: str | None
    file: str | None
    row: int | None
    field: str | None
    reason: str | None
    raw: str | None
    received_at: datetime | None


class ReadRoute(APIRoute):
    """A route that answers every refusal as {"error": ...}: 400 for invalid input, 401/403/404
    from HTTPException, 409 when the store is not ready. (Bodies over MAX_BODY_BYTES never get
    here: `textguard.RefuseNulText` reads and caps the body of every route but the collector's.)"""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except HTTPException as exc:
                return JSONResponse({"error": exc.detail}, exc.status_code, headers=exc.headers)
            except RequestValidationError as exc:
                return JSONResponse({"error": validation_message(exc.errors())}, 400)
            except InputError as exc:
                return JSONResponse({"error": str(exc)}, 400)
            except EngagekitError as exc:
                return JSONResponse({"error": str(exc)}, 409)

        return guarded


def query_routes(settings: Settings) -> APIRouter:
    """The read API's router over the store the app opens (app.state.collector)."""
    project = Project.of(settings)
    catalog = project.catalog
    router = APIRouter(
        prefix="/api/v1", tags=["read"], route_class=ReadRoute, dependencies=[Depends(require_read_key)],
        responses={status: {"model": ErrorBody} for status in (400, 401, 403, 409, 413)},
    )

    @router.get("/metrics", response_model=list[MetricSummary])
    def list_metrics() -> list[dict[str, Any]]:
        """The KPI catalog."""
        return [
            {"name": m.name, "label": m.label, "stages": list(m.stages), "unit": m.unit, "direction": m.direction,
             "vanity": m.vanity, "target": m.target.value if m.target else None}
            for m in catalog.metrics.values()
        ]

    @router.get("/metrics/compute", response_model=MetricResult)
    def compute_metrics(
        request: Request,
        names: Annotated[str, Query(description="metric names, comma-separated")],
        start: Annotated[date, Query(description="first day of the range")],
        end: Annotated[date, Query(description="day after the range (exclusive)")],
        grain: Annotated[str | None, Query(description="day, week, month or quarter")] = None,
        by: Annotated[str | None, Query(description="breakdown fields, comma-separated")] = None,
        where: Annotated[str | None, Query(description="filter, e.g. channel == 'email'")] = None,
        compare: Annotated[str | None, Query(description="previous_period or previous_year")] = None,
    ) -> dict[str, Any]:
        """Compute KPIs over [start, end), per period and segment, with an optional comparison (the
        query of `POST /api/v1/metrics/compute` as URL parameters)."""
        wanted = _split(names)
        if not wanted:
            raise InputError("names: give at least one metric name")
        check_range(start, end)
        try:
            query = MetricsQuery(names=wanted, range=DateRange(start=start, end=end), grain=grain or None,
                                 by=_split(by or ""), where=where or None, compare=compare or None)
        except ValidationError as exc:  # a name past MAX_NAME_CHARS
            raise InputError(validation_message(exc.errors())) from exc
        with _store(request) as store:
            return get("metrics").answer(store, query, project).to_dict()

    @router.get("/metrics/{name}", response_model=Metric, responses={404: {"model": ErrorBody}})
    def metric_definition(name: str) -> Metric:
        """One KPI's definition; an unknown name is 404 naming the close matches."""
        try:
            return catalog.get(name)
        except InputError as exc:
            raise HTTPException(404, str(exc)) from exc

    for analysis in analyses():
        router.add_api_route(analysis.route, _analysis_route(analysis, project), methods=["POST"],
                             response_model=analysis.result, summary=analysis.summary, name=analysis.name)

    @router.get("/customers/{customer_id}", response_model=CustomerProfile, responses={404: {"model": ErrorBody}})
    def customer(request: Request, customer_id: str) -> dict[str, Any]:
        """A customer's profile: traits, first/last seen, orders, revenue, latest 100 events."""
        with _store(request) as store:
            profile = customer_profile(store, customer_id)
        if profile is None:
            raise HTTPException(404, f"no customer {customer_id!r}")
        return profile

    @router.get("/batches", response_model=list[BatchOut])
    def batches(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 20) -> list[dict[str, Any]]:
        """The latest ingest batches, newest first."""
        with _store(request) as store:
            table = store.table("ingest_batches")
            return table.order_by([table.started_at.desc(), table.batch_id]).limit(limit).to_pyarrow().to_pylist()

    @router.get("/quarantine", response_model=list[QuarantineRow])
    def quarantine(request: Request, batch: str | None = None,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
        """Quarantined rows, newest batch first, optionally of one batch."""
        with _store(request) as store:
            return quarantined(store, batch).limit(limit).to_pyarrow().to_pylist()

    return router


def _analysis_route(analysis: Analysis[Any, Any], project: Project) -> Callable[..., dict[str, Any]]:
    """The route of one registered analysis: its query as the JSON body, its result as the answer."""
    def answer(request: Request, query: Any) -> dict[str, Any]:
        with _store(request) as store:
            return analysis.answer(store, query, project).to_dict()

    answer.__annotations__ = {"request": Request, "query": analysis.query, "return": dict[str, Any]}
    answer.__doc__ = analysis.summary
    return answer


@contextmanager
def _store(request: Request) -> Iterator[Store]:
    """The app's store, held under the lock the drainer takes."""
    collector = request.app.state.collector
    with collector.store_lock:
        yield collector.store


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
