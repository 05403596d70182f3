"""Acquisition touchpoints: ad impressions and clicks, CRM leads and the sign-up itself.

Every person acquired through a paid campaign clicked an ad seconds before
their first visit, after seeing it a few times; many more impressions go to
people who never click. ``signed_up`` is the one row that carries both the
anonymous id a person browsed under and their new customer id, inside the
sign-up web visit. B2B-leaning trades also log ``lead_created`` in the CRM
while the person is still anonymous; some leads never convert.
"""
from __future__ import annotations

import numpy as np

from .columns import json_number, json_object, json_text, lookup
from .events import EventBlock
from .population import CAMPAIGNS, plan_names
from .timeline import US_PER_DAY, US_PER_MINUTE, US_PER_SECOND
from .world import World

PAID = 4
"""Campaign codes below this are paid: search_brand, search_generic, creator_collab, social_retargeting."""
AD_CHANNELS = ("web", "web", "social", "social")
PLACEMENTS = ("search_results", "search_results", "feed", "stories")
COST_PER_CLICK = np.array([0.9, 1.6, 0.7, 0.5])
COST_PER_IMPRESSION = np.array([0.004, 0.006, 0.008, 0.005])
EXTRA_IMPRESSIONS_PER_CLICK = 6.0
METHODS = ("email", "google", "apple")
METHOD_SHARES = (0.55, 0.3, 0.15)
LEAD_SOURCES = ("demo_request", "contact_form", "webinar", "trade_show")
COMPANY_SIZES = ("1-10", "11-50", "51-200", "201-1000", "1000+")
UNCONVERTED_LEADS_PER_VISITOR = 0.3


def _rows(event: str, ts: np.ndarray, anonymous: np.ndarray, campaign: np.ndarray,
          cost: np.ndarray) -> list[EventBlock]:
    """One block per ad channel so each row gets its channel."""
    blocks = []
    for channel in sorted(set(AD_CHANNELS)):
        mask = np.isin(campaign, [i for i, c in enumerate(AD_CHANNELS) if c == channel])
        k = int(mask.sum())
        blocks.append(EventBlock(event, ts[mask], channel, json_object(k, {
            "campaign": json_text(CAMPAIGNS, campaign[mask]), "placement": json_text(PLACEMENTS, campaign[mask]),
            "cost": json_number(cost[mask], 3),
        }), anonymous=anonymous[mask]))
    return blocks


def ad_blocks(world: World, rng: np.random.Generator) -> list[EventBlock]:
    """Clicks before paid acquisition visits, impressions before clicks, and impressions without clicks."""
    pop, tl = world.pop, world.timeline
    paid_c = np.flatnonzero((pop.campaign >= 0) & (pop.campaign < PAID))
    paid_v = np.flatnonzero((pop.visitor_campaign >= 0) & (pop.visitor_campaign < PAID))
    anonymous = np.concatenate([pop.anon_number[paid_c], pop.visitor_number[paid_v]])
    campaign = np.concatenate([pop.campaign[paid_c], pop.visitor_campaign[paid_v]])
    visit = np.concatenate([pop.first_visit_us[paid_c], pop.visitor_first_us[paid_v]])
    clicked = np.maximum(visit - rng.integers(2 * US_PER_SECOND, 40 * US_PER_SECOND, len(visit)), tl.start_us)
    seen = np.repeat(np.arange(len(visit)), 1 + rng.poisson(1.5, len(visit)))
    seen_ts = clicked[seen] - rng.integers(US_PER_SECOND, 3 * US_PER_DAY, len(seen))
    seen_ok = seen_ts >= tl.start_us

    n_extra = rng.poisson(EXTRA_IMPRESSIONS_PER_CLICK * len(visit))
    everyone = np.concatenate([pop.anon_number, pop.visitor_number])
    who = rng.integers(0, len(everyone), n_extra)
    extra_ts = tl.sample_days(rng, n_extra, tl.activity_weight)
    is_customer = who < pop.n
    extra_ok = ~is_customer | (extra_ts < world.life.limit_us[np.minimum(who, pop.n - 1)])
    extra_campaign = rng.integers(0, PAID, n_extra)

    blocks = _rows("ad_clicked", clicked, anonymous, campaign, COST_PER_CLICK[campaign])
    imp_ts = np.concatenate([seen_ts[seen_ok], extra_ts[extra_ok]])
    imp_anon = np.concatenate([anonymous[seen][seen_ok], everyone[who][extra_ok]])
    imp_campaign = np.concatenate([campaign[seen][seen_ok], extra_campaign[extra_ok]])
    blocks += _rows("ad_impression", imp_ts, imp_anon, imp_campaign, COST_PER_IMPRESSION[imp_campaign])
    return blocks


def signup_blocks(world: World, rng: np.random.Generator, signup_session: np.ndarray) -> list[EventBlock]:
    """``signed_up`` for every customer and ``lead_created`` for leads, converted or not."""
    pop, profile = world.pop, world.profile
    n = pop.n
    signed = EventBlock("signed_up", pop.signup_us, "web", json_object(n, {
        "method": json_text(METHODS, rng.choice(len(METHODS), size=n, p=METHOD_SHARES)),
        "plan": json_text(plan_names(profile), pop.plan),
        "campaign": lookup(["null", *(f'"{c}"' for c in CAMPAIGNS)], pop.campaign + 1),
    }), customer=np.arange(n), anonymous=pop.anon_number, session=signup_session)

    converted = np.flatnonzero(rng.random(n) < profile.lead_share)
    lead_ts = pop.first_visit_us[converted] + (
        rng.uniform(0.1, 0.5, len(converted)) * (pop.signup_us - pop.first_visit_us)[converted]).astype(np.int64)
    visitors = np.flatnonzero(rng.random(len(pop.visitor_number)) < profile.lead_share * UNCONVERTED_LEADS_PER_VISITOR)
    visitor_ts = pop.visitor_first_us[visitors] + rng.integers(US_PER_MINUTE, 10 * US_PER_MINUTE, len(visitors))
    anonymous = np.concatenate([pop.anon_number[converted], pop.visitor_number[visitors]])
    ts = np.concatenate([lead_ts, visitor_ts])
    keep = ts < world.timeline.end_us
    k = int(keep.sum())
    leads = EventBlock("lead_created", ts[keep], "crm", json_object(k, {
        "source": json_text(LEAD_SOURCES, rng.integers(0, len(LEAD_SOURCES), k)),
        "company_size": json_text(COMPANY_SIZES, rng.integers(0, len(COMPANY_SIZES), k)),
    }), anonymous=anonymous[keep])
    return [signed, leads]
