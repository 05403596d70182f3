"""Time spent on given pages: from a view to the person's next event, within an idle limit."""
from __future__ import annotations

import ibis

from engagekit.derive.timing import seconds_between
from engagekit.metrics.kinds.registry import (
    Key,
    Params,
    collect,
    grouped,
    register,
)
from engagekit.metrics.needs import Needs, events_need
from engagekit.metrics.scope import Scope, scoped_table
from engagekit.metrics.spec import Source
from engagekit.metrics.values import Values
from engagekit.store import Store


def _views_needs(params: Params) -> Needs:
    """Views of `events`, and some of them followed by the person's next event in time."""
    return Needs((events_need(params["events"]),),
                 denominator=f"views followed by the person's next event within {params['idle_seconds']} s")


@register("time_on_pages", params=("events", "idle_seconds"), needs=_views_needs)
def time_on_pages(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """Mean seconds from a view of `events` to the same person's next event, for views whose next
    event comes within `idle_seconds` (web analytics' time on page: the last view has no end)."""
    table, ts = scoped_table(store, Source.EVENTS, scope)
    following = ibis.window(group_by="person_id", order_by=[table.ts, table.event_id])
    table = table.mutate(_next_ts=table.ts.lead().over(following))
    gap = seconds_between(table.ts, table._next_ts)
    views = table.filter(table.event.isin(list(params["events"])), gap.notnull(), gap < params["idle_seconds"])
    views = views.mutate(_gap=seconds_between(views.ts, views._next_ts))
    expr = grouped(views, ts, scope, total=views._gap.sum(), count=views._gap.count())
    return collect(expr, scope, lambda r: Values(r["total"] / r["count"] if r["count"] else None,
                                                 r["total"], float(r["count"] or 0)))


KINDS = (time_on_pages,)  # the registered kinds of this module (metrics/kinds/__init__.py)
