"""Text sentiment KPIs: the mean VADER compound score of the stored texts of one source (survey
comments, reviews, social mentions, ticket texts), read from the `text_sentiment` table that
scoring fills after every ingest (engagekit.voc.sentiment). Texts not scored yet are not counted."""
from __future__ import annotations

from engagekit.metrics.kinds.registry import Key, Params, register
from engagekit.metrics.needs import Needs, events_need
from engagekit.metrics.scope import Scope, group_keys, key_of, scoped_table
from engagekit.metrics.spec import Source
from engagekit.metrics.texts import SOURCES, TEXT_EVENTS
from engagekit.metrics.values import Values
from engagekit.store import Store


def _needs(params: Params) -> Needs:
    source = str(params.get("source", "social"))
    events = [event for event, of in TEXT_EVENTS.items() if of == source]
    return Needs((events_need(events, what=f"{source} texts"),),
                 denominator=f"{source} texts scored by engagekit derive")


@register("text_sentiment", params=("source",), needs=_needs)
def mean_text_sentiment(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """Mean compound (-1..1) of the scope's texts of param source (default social); numerator =
    sum of compound scores, denominator = scored texts."""
    source = str(params.get("source", "social"))
    if source not in SOURCES:
        raise ValueError(f"param source: one of {', '.join(SOURCES)}, not {source!r}")
    table, ts = scoped_table(store, Source.EVENTS, scope)
    scored = store.table("text_sentiment")
    scored = scored.filter(scored.source == source).select("event_id", "compound")
    joined = table.join(scored, table.event_id == scored.event_id)
    joined = joined.mutate(**group_keys(joined, ts, scope))
    keys = [c for c in joined.columns if c == "_period" or c.startswith("_by")]
    rows = joined.group_by(keys).aggregate(total=joined.compound.sum(), n=joined.count()) if keys else \
        joined.aggregate(total=joined.compound.sum(), n=joined.count())
    values = {}
    for row in rows.to_pyarrow().to_pylist():
        n = row["n"]
        values[key_of(row, scope)] = Values(row["total"] / n if n else None, row["total"], n)
    return values


KINDS = (mean_text_sentiment,)  # the registered kinds of this module (metrics/kinds/__init__.py)
