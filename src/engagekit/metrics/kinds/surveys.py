"""Survey KPIs: NPS, CSAT and CES, each answer read on its own scale as the voice-of-the-customer
analyses read it (engagekit.metrics.answers); answers that cannot be read are left out."""
from __future__ import annotations

from collections import defaultdict

from engagekit.config import SurveySettings
from engagekit.metrics.answers import SurveyType, answer_counts, read_answer
from engagekit.metrics.kinds.registry import Key, Params, register
from engagekit.metrics.needs import Needs, NeedsOf, events_need
from engagekit.metrics.scope import Scope, key_of
from engagekit.metrics.values import Values
from engagekit.store import Store

DEFAULT_CES_SCALE = "1-7"  # CES 2.0's agreement scale


def _needs(survey: SurveyType) -> NeedsOf:
    def needs(params: Params) -> Needs:
        where = f"properties.survey == '{survey}'"
        if params.get("touchpoint"):
            where += f" and properties.touchpoint == '{params['touchpoint']}'"
        what = f"survey responses with survey={survey}" + (f" about {params['touchpoint']}" if params.get("touchpoint") else "")
        return Needs((events_need(["survey_responded"], where=where, what=what),),
                     denominator=f"{survey.upper()} responses with a score on their scale")
    return needs


def _read(store: Store, scope: Scope, survey: SurveyType, params: Params) -> dict[Key, list[tuple[str, float, str, float]]]:
    """(scale, score, group, answers) of the readable answers of each (period, segment)."""
    found: dict[Key, list[tuple[str, float, str, float]]] = defaultdict(list)
    for row in answer_counts(store, scope, survey, touchpoint=params.get("touchpoint")):
        read = read_answer(survey, row["_scale"], row["_score"], row["_lower"], SurveySettings())
        if not isinstance(read, str):
            scale, score, group, _ = read
            found[key_of(row, scope)].append((scale, score, group, float(row["answers"])))
    return found


@register("nps", params=("touchpoint",), needs=_needs("nps"))
def net_promoter_score(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """NPS = %promoters (9-10) - %detractors (0-6) of NPS responses, passives in the denominator
    (Reichheld 2003); no value without responses. numerator = promoters - detractors,
    denominator = responses."""
    values = {}
    for key, answers in _read(store, scope, "nps", params).items():
        n = sum(count for *_, count in answers)
        net = sum(count if group == "promoters" else -count if group == "detractors" else 0
                  for _, _, group, count in answers)
        values[key] = Values(net / n * 100 if n else None, net, n)
    return values


@register("csat", params=("touchpoint",), needs=_needs("csat"))
def customer_satisfaction(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """CSAT = satisfied answers / answers: top-2-box (4-5) on 1-5, the top box on other scales."""
    values = {}
    for key, answers in _read(store, scope, "csat", params).items():
        n = sum(count for *_, count in answers)
        satisfied = sum(count for _, _, group, count in answers if group == "satisfied")
        values[key] = Values(satisfied / n if n else None, satisfied, n)
    return values


@register("ces", params=("touchpoint", "scale"), needs=_needs("ces"))
def customer_effort_score(store: Store, scope: Scope, params: Params) -> dict[Key, Values]:
    """CES = sum of scores / answers on one scale (param scale, default CES 2.0's 1-7; the seeds
    also ask on 1-5 and 1-10): a mean is only read on one scale."""
    wanted = str(params.get("scale", DEFAULT_CES_SCALE))
    values = {}
    for key, answers in _read(store, scope, "ces", params).items():
        on_scale = [(score, count) for scale, score, _, count in answers if scale == wanted]
        n = sum(count for _, count in on_scale)
        total = sum(score * count for score, count in on_scale)
        values[key] = Values(total / n if n else None, total, n)
    return values


KINDS = (net_promoter_score, customer_satisfaction, customer_effort_score)  # the registered kinds of this module (metrics/kinds/__init__.py)
