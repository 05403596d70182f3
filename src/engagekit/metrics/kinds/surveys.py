"""Survey scores: NPS (Reichheld 2003)."""
from __future__ import annotations

from engagekit.json_fields import json_number, json_text
from engagekit.metrics.kinds.registry import (
    Key,
    Params,
    collect,
    grouped,
    register,
)
from engagekit.metrics.needs import Needs, events_need, fixed
from engagekit.metrics.scope import Scope, scoped_table
from engagekit.metrics.spec import Source
from engagekit.metrics.values import Values
from engagekit.store import Store

NPS_PROMOTER_MIN = 9  # Reichheld (2003): promoters answer 9-10, detractors 0-6, passives 7-8
NPS_DETRACTOR_MAX = 6


NPS_RESPONSES = events_need(["survey_responded"], where="properties.survey == 'nps'",
                            what="survey responses with survey=nps")


@register("nps", needs=fixed(Needs((NPS_RESPONSES,), denominator="NPS responses with a score")))
def net_promoter_score(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """NPS = %promoters (9-10) - %detractors (0-6) of NPS responses, passives in the denominator;
    no value without responses. numerator = promoters - detractors, denominator = responses."""
    table, ts = scoped_table(store, Source.EVENTS, scope)
    survey = json_text(table.properties, "survey")
    table = table.filter(table.event == "survey_responded", survey == "nps")
    score = json_number(table.properties, "score")
    expr = grouped(table, ts, scope,
                    promoters=(score >= NPS_PROMOTER_MIN).ifelse(1, 0).sum(),
                    detractors=(score <= NPS_DETRACTOR_MAX).ifelse(1, 0).sum(),
                    responses=score.count())

    def value(r: dict) -> Values:
        net = (r["promoters"] or 0) - (r["detractors"] or 0)
        return Values(net / r["responses"] * 100 if r["responses"] else None, float(net), float(r["responses"] or 0))

    return collect(expr, scope, value)


KINDS = (net_promoter_score,)  # the registered kinds of this module (metrics/kinds/__init__.py)
