"""The dashboard's pages: a registry (slug, path, title, template, builder) that the router and the
nav bar read, and the builders of the built-in pages.

A builder turns a PageContext (the view, the page's own form fields, the catalog and locked
access to the store) into the variables of its template. Builders raise InputError for bad
input; the router shows the message in the page. To add a page, write a builder and a template
and call `register(Page(...))` (later pages such as voice of the customer, health or
experiments register themselves the same way and appear in the nav bar).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir

from engagekit.analyses.protocol import Project
from engagekit.config import Settings
from engagekit.dashboard import (
    charts,
    data_analyses,
    data_customers,
    data_kpis,
    data_store,
    data_voice,
)
from engagekit.dashboard.segment import segment_people
from engagekit.dashboard.view import View, whole_number
from engagekit.errors import InputError
from engagekit.metrics.catalog import Catalog
from engagekit.metrics.headline import HEADLINE_KPIS
from engagekit.people.names import EventNames
from engagekit.store import Store


@dataclass(frozen=True)
class PageContext:
    """What a builder reads: the view, its own form fields, the path's parameters, the catalog and
    the store under the app's lock (`with ctx.locked() as store:`)."""

    view: View
    form: Mapping[str, str]
    lists: Mapping[str, list[str]]
    path: Mapping[str, str]
    catalog: Catalog
    settings: Settings
    locked: Callable[[], AbstractContextManager[Store]]

    def people(self, store: Store) -> ir.Table | None:
        return segment_people(store, self.view)

    def project(self) -> Project:
        """What the analyses read of the project: event names, the catalog, the first day of the week."""
        return Project(EventNames.of(self.settings), self.catalog, self.settings.week_start, self.settings.surveys)


@dataclass(frozen=True)
class Page:
    """One page of the dashboard. `fields` are the form fields of its own that belong in its URL
    (kept when the global filter changes); `warm` pages are computed for the default view in
    the background."""

    slug: str
    path: str
    title: str
    template: str
    build: Callable[[PageContext], dict[str, Any]]
    nav: bool = True
    warm: bool = True
    fields: tuple[str, ...] = field(default_factory=tuple)


PAGES: dict[str, Page] = {}
RETENTION_FIELDS = ("start_event", "return_event", "period", "periods", "mode", "cumulative")


def register(page: Page) -> Page:
    """Add a page (replacing one of the same slug); the nav bar lists pages in registration order."""
    PAGES[page.slug] = page
    return page


def overview(ctx: PageContext) -> dict[str, Any]:
    """Headline KPIs against the previous period and target, with sparklines; the biggest movers."""
    cards = data_kpis.kpi_cards(ctx.locked, ctx.project(), list(HEADLINE_KPIS), ctx.view.start, ctx.view.end, ctx.people)
    return {"cards": cards, "movers": data_kpis.movers(cards),
            "sparks": {c.name: charts.sparkline(c.series) for c in cards}}


def journey(ctx: PageContext) -> dict[str, Any]:
    """Every journey stage's KPIs with their warning signs and targets."""
    return {"stages": list(data_kpis.journey(ctx.locked, ctx.project(), ctx.view.start, ctx.view.end, ctx.people))}


def funnels(ctx: PageContext) -> dict[str, Any]:
    """The funnel of the form (the default purchase funnel when the form is empty)."""
    steps = ctx.lists.get("step") or list(data_analyses.DEFAULT_FUNNEL)
    window = ctx.form.get("window") or f"{round(ctx.settings.conversion_window_days)}d"
    mode = ctx.form.get("mode") or "ordered"
    query = data_analyses.funnel_query(ctx.view, steps, window, mode, ctx.form.get("by"))
    result = data_analyses.funnel(ctx.locked, ctx.view, query, ctx.project())
    steps_out = result.steps
    return {"steps_in": steps, "window": window, "mode": mode, "by": ctx.form.get("by") or "",
            "steps": steps_out, "breakdown": result.breakdown, "result": result.to_dict(),
            "figure": charts.funnel_bars(steps_out)}


def retention(ctx: PageContext) -> dict[str, Any]:
    """The cohort heatmap of the form and its average curve."""
    query = data_analyses.retention_query(ctx.view, {k: ctx.form.get(k, "") for k in RETENTION_FIELDS})
    result = data_analyses.retention(ctx.locked, ctx.view, query, ctx.project())
    return {"query": query, "result": result, "heatmap": charts.retention_heatmap(result),
            "curve": charts.retention_curve(result)}


def engagement(ctx: PageContext) -> dict[str, Any]:
    """Active users and stickiness, lifecycle per week, stickiness distribution, top paths."""
    found = data_analyses.engagement(ctx.locked, ctx.view, ctx.project())
    series = found.stickiness.series
    last = series[-1] if series else None
    return {"engagement": found, "last": last,
            "active": charts.active_users(found.stickiness), "lifecycle": charts.lifecycle_bars(found.lifecycle),
            "distribution": charts.stickiness_distribution(found.stickiness)}


def voice(ctx: PageContext) -> dict[str, Any]:
    """NPS by month with its interval, CSAT and CES, themes by NPS group with verbatims, sentiment by month."""
    found = data_voice.voice(ctx.locked, ctx.view, ctx.project())
    return {"voice": found, "nps_chart": charts.nps_trend(found.nps_trend),
            "themes_chart": charts.themes_by_group(found.themes), "sentiment_chart": charts.sentiment_trend(found.sentiment_trend)}


def customers(ctx: PageContext) -> dict[str, Any]:
    """A page of customers matching the search, within the segment."""
    page = whole_number(ctx.form.get("page", "1"), "page", "page number")
    with ctx.locked() as store:
        found = data_customers.customer_list(store, ctx.people(store), ctx.form.get("q", ""), page)
    return {"list": found}


def customer(ctx: PageContext) -> dict[str, Any]:
    """One customer: traits, totals, timeline and latest events."""
    customer_id = ctx.path["customer_id"]
    with ctx.locked() as store:
        profile = data_customers.customer_profile(store, customer_id)
    if profile is None:
        raise InputError(f"no customer {customer_id!r}")
    return {"profile": profile, "timeline": charts.timeline(data_customers.timeline(profile))}


def data(ctx: PageContext) -> dict[str, Any]:
    """Ingest batches, quarantine, sources and keys (read-only)."""
    with ctx.locked() as store:
        return {"batches": data_store.batches(store), "quarantine": data_store.quarantine_rows(store),
                "sources": data_store.sources(store), "api_keys": data_store.keys(store)}


for _page in (
    Page("overview", "/", "Overview", "overview.html", overview),
    Page("journey", "/journey", "Journey", "journey.html", journey),
    Page("funnels", "/funnels", "Funnels", "funnels.html", funnels, fields=("step", "window", "mode", "by")),
    Page("retention", "/retention", "Retention", "retention.html", retention, fields=RETENTION_FIELDS),
    Page("engagement", "/engagement", "Engagement", "engagement.html", engagement),
    Page("voice", "/voice", "Voice", "voice.html", voice),
    Page("customers", "/customers", "Customers", "customers.html", customers, fields=("q", "page")),
    Page("customer", "/customers/{customer_id}", "Customer", "customer.html", customer, nav=False, warm=False),
    Page("data", "/data", "Data", "data.html", data),
):
    register(_page)
