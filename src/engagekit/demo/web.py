"""The website: anonymous and signed-in visits, page views and the shopping funnel.

Visits come from acquisition journeys (a first visit, a few return visits and
the sign-up visit, all under the anonymous id), from pure anonymous visitors,
from signed-in customers browsing on their own and from email clicks. Each
visit walks page views -> product views -> add to cart -> checkout -> order,
stopping early with planted drop-offs; the A/B test adjusts the last step.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .columns import JsonValue, json_number, json_object, json_text, lookup
from .commerce import Catalog, Orders, draw_late
from .effects import (
    CART_ABANDONMENT_BASE,
    CART_ABANDONMENT_SEGMENT,
    CHECKOUT_START_SHARE,
)
from .email import EMAIL_CAMPAIGNS, EmailClicks
from .events import EventBlock
from .experiments import experiment_blocks, plant
from .population import CAMPAIGNS
from .sessions import expand, separated
from .timeline import US_PER_DAY, US_PER_HOUR, US_PER_SECOND
from .world import World

FIRST, JOURNEY, SIGNUP, VISITOR_FIRST, VISITOR, ORGANIC, EMAIL = range(7)
SESSION_CAMPAIGNS = CAMPAIGNS + EMAIL_CAMPAIGNS
DEVICES = ("mobile", "desktop", "tablet")
DEVICE_SHARES = (0.56, 0.38, 0.06)
REFERRERS = ("direct", "google", "bing", "instagram", "tiktok", "email", "friend_link")
CAMPAIGN_REFERRER = np.array([1, 2, 3, 4, 5, 6] + [5] * len(EMAIL_CAMPAIGNS))
SITE_PAGES = ("/signup", "/", "/new", "/sale", "/search", "/account", "/help", "/blog", "/about")
SIGNUP_PAGE = 0
MEDIAN_STEP_GAP_S = 35.0


@dataclass
class Visits:
    """Candidate visits: who (person = customer index, or customers + visitor index) and when."""

    person: np.ndarray
    customer: np.ndarray
    anonymous: np.ndarray
    start: np.ndarray
    kind: np.ndarray
    campaign: np.ndarray

    def take(self, idx: np.ndarray) -> Visits:
        """The visits at ``idx``."""
        return Visits(self.person[idx], self.customer[idx], self.anonymous[idx], self.start[idx], self.kind[idx],
                      self.campaign[idx])


@dataclass
class WebResult:
    """Web rows plus what other sources build on: orders, sign-up visits and experiment rows."""

    blocks: list[EventBlock]
    experiments: list[EventBlock]
    orders: Orders
    signup_session: np.ndarray


def _visits(world: World, rng: np.random.Generator, clicks: EmailClicks) -> Visits:
    """All candidate visits, before the 30-minute separation rule."""
    pop, tl, life = world.pop, world.timeline, world.life
    n, nv = pop.n, len(pop.visitor_number)
    lead = np.flatnonzero(pop.first_visit_us < pop.signup_session_us)
    by_email = pop.campaign == CAMPAIGNS.index("newsletter_promo")
    lo, hi = pop.first_visit_us[lead] + 2 * US_PER_HOUR, pop.signup_session_us[lead] - 3 * US_PER_HOUR
    extra = np.repeat(np.arange(len(lead)), rng.poisson(0.8, len(lead)) * (hi > lo))
    extra_start = lo[extra] + (rng.random(len(extra)) * (hi - lo)[extra]).astype(np.int64)
    visitors = np.arange(nv)
    again = np.repeat(visitors, rng.poisson(0.8, nv))
    again_start = pop.visitor_first_us[again] + rng.integers(2 * US_PER_HOUR, 30 * US_PER_DAY, len(again))
    owner, organic = tl.sample(rng, pop.signup_us + US_PER_HOUR, life.limit_us,
                               world.daily_rate(world.profile.web_sessions_per_week))
    kept = life.keep(rng, owner, organic)
    owner, organic = owner[kept], organic[kept]
    mailed = world.within_life(clicks.customer, clicks.ts + 5 * US_PER_SECOND)
    signup_campaign = np.where((pop.first_visit_us < pop.signup_session_us) & ~by_email, -1, pop.campaign)
    first_campaign = np.where(by_email[lead], -1, pop.campaign[lead])
    parts = [
        (lead, -1, pop.anon_number[lead], pop.first_visit_us[lead], FIRST, first_campaign),
        (lead[extra], -1, pop.anon_number[lead[extra]], extra_start, JOURNEY, -1),
        (np.arange(n), -1, pop.anon_number, pop.signup_session_us, SIGNUP, signup_campaign),
        (n + visitors, -1, pop.visitor_number, pop.visitor_first_us, VISITOR_FIRST, pop.visitor_campaign),
        (n + again, -1, pop.visitor_number[again], again_start, VISITOR, -1),
        (owner, owner, -1, organic, ORGANIC, -1),
        (clicks.customer[mailed], clicks.customer[mailed], -1, clicks.ts[mailed] + 5 * US_PER_SECOND, EMAIL,
         len(CAMPAIGNS) + clicks.campaign[mailed]),
    ]
    cols = [np.concatenate([np.broadcast_to(np.asarray(p[i], dtype=np.int64), p[0].shape) for p in parts])
            for i in range(6)]
    visits = Visits(*cols)
    return visits.take(np.flatnonzero(visits.start < tl.end_us))


def _stages(world: World, rng: np.random.Generator, visits: Visits) -> np.ndarray:
    """How far down the funnel each visit goes: 0 pages .. 4 ordered."""
    pop, profile = world.pop, world.profile
    m = len(visits.start)
    signed_in = visits.customer >= 0
    who = np.maximum(visits.customer, 0)
    propensity = np.minimum(rng.gamma(2.0, 0.5, pop.n), 3.0)
    u = rng.random((4, m))
    viewed = u[0] < profile.product_view_share
    added = viewed & (u[1] < profile.add_to_cart_share * np.where(signed_in, propensity[who], 1.0))
    checkout = added & (u[2] < CHECKOUT_START_SHARE)
    pay = np.where(pop.segment[who], 1 - CART_ABANDONMENT_SEGMENT, 1 - CART_ABANDONMENT_BASE) / CHECKOUT_START_SHARE
    stage = viewed.astype(np.int64) + added + checkout + (checkout & (u[3] < pay))
    cap = np.select([visits.kind == SIGNUP, ~signed_in], [0, 2], 4)
    return np.minimum(stage, cap)


@dataclass
class _Rows:
    """Step-level columns shared by every web event of one generation run."""

    visits: Visits
    session: np.ndarray
    step_session: np.ndarray
    ts: np.ndarray

    def block(self, event: str, mask: np.ndarray, fields: dict[str, JsonValue]) -> EventBlock:
        owner = self.step_session[mask]
        return EventBlock(event, self.ts[mask], "web", json_object(int(mask.sum()), fields),
                          customer=self.visits.customer[owner], anonymous=self.visits.anonymous[owner],
                          session=self.session[owner])


def _pages(world: World, rng: np.random.Generator, rows: _Rows, mask: np.ndarray, pos: np.ndarray,
           last_page: np.ndarray, device: np.ndarray) -> list[EventBlock]:
    """``page_viewed`` rows; landing pages also carry the referrer and campaign."""
    pages = SITE_PAGES + tuple(f"/category/{c}" for c in world.profile.categories)
    path = rng.integers(SIGNUP_PAGE + 1, len(pages), len(pos))
    path[(rows.visits.kind[rows.step_session] == SIGNUP) & last_page] = SIGNUP_PAGE
    blocks = []
    for landing in (True, False):
        sub = mask & ((pos == 0) == landing)
        owner = rows.step_session[sub]
        fields: dict[str, JsonValue] = {"path": json_text(pages, path[sub]),
                                        "device": json_text(DEVICES, device[owner])}
        if landing:
            campaign = rows.visits.campaign[owner]
            organic = rng.integers(0, 3, len(owner))
            fields["referrer"] = json_text(REFERRERS, np.where(campaign >= 0, CAMPAIGN_REFERRER[campaign], organic))
            fields["campaign"] = lookup(["null", *(f'"{c}"' for c in SESSION_CAMPAIGNS)], campaign + 1)
        blocks.append(rows.block("page_viewed", sub, fields))
    return blocks


def web_blocks(world: World, rng: np.random.Generator, clicks: EmailClicks, catalog: Catalog) -> WebResult:
    """Generate every web visit and the rows it produces."""
    pop, tl = world.pop, world.timeline
    visits = _visits(world, rng, clicks)
    m = len(visits.start)
    n_pages = np.minimum(rng.geometric(0.38, m), 12)
    n_viewed = np.minimum(rng.geometric(0.5, m), 6)
    steps = expand(rng, n_pages + n_viewed + 3, MEDIAN_STEP_GAP_S)
    signup = visits.kind == SIGNUP
    room = pop.signup_us[visits.person[signup]] - visits.start[signup] - US_PER_SECOND
    squeeze = np.ones(m)
    squeeze[signup] = np.minimum(1.0, room / np.maximum(steps.at(n_pages - 1)[signup], 1))
    steps.offset_us = (steps.offset_us * squeeze[steps.session]).astype(np.int64)
    forced = np.isin(visits.kind, (FIRST, SIGNUP, VISITOR_FIRST))
    end = visits.start + steps.at(n_pages + n_viewed + 2)
    keep = separated(visits.person, visits.start, end, forced, tl.start_us)
    visits, steps = visits.take(np.flatnonzero(keep)), steps.subset(keep)
    n_pages, n_viewed, m = n_pages[keep], n_viewed[keep], int(keep.sum())

    stage = _stages(world, rng, visits)
    exposures = plant(world, rng, visits.customer, visits.start, stage,
                      visits.start + steps.at(n_pages + n_viewed + 2))
    session = np.empty(m, dtype=np.int64)
    session[np.argsort(visits.start, kind="stable")] = world.session_numbers(m)

    s, pos = steps.session, steps.position
    after = pos - n_pages[s] - n_viewed[s]
    level = np.where(pos < n_pages[s], 0, np.where(after < 0, 1, after + 2))
    rows = _Rows(visits=visits, session=session, step_session=s, ts=visits.start[s] + steps.offset_us)
    customer_limit = world.life.limit_us[np.maximum(visits.customer, 0)]
    before_signup = pop.signup_us[np.minimum(visits.person, pop.n - 1)]
    limit = np.where(visits.customer >= 0, customer_limit, np.where(visits.person < pop.n, before_signup, tl.end_us))
    ok = (level <= stage[s]) & (rows.ts < limit[s]) & (rows.ts < tl.end_us)
    product = np.full(len(s), -1)
    product[ok & (level == 1)] = catalog.draw(rng, int((ok & (level == 1)).sum()))
    cart = product[steps.first + n_pages + n_viewed - 1]
    quantity = rng.choice(3, size=m, p=(0.75, 0.18, 0.07)) + 1
    value = np.round(catalog.price[np.maximum(cart, 0)] * quantity, 2)
    device = rng.choice(len(DEVICES), size=m, p=DEVICE_SHARES)

    blocks = _pages(world, rng, rows, ok & (level == 0), pos, pos == n_pages[s] - 1, device)
    viewed = ok & (level == 1)
    blocks.append(rows.block("product_viewed", viewed, {
        "product_id": catalog.ids(product[viewed]), "price": json_number(catalog.price[product[viewed]], 2),
        "category": json_text(world.profile.categories, catalog.category[product[viewed]])}))
    added = ok & (level == 2)
    c = s[added]
    blocks.append(rows.block("product_added", added, {
        "product_id": catalog.ids(cart[c]), "price": json_number(catalog.price[cart[c]], 2),
        "quantity": json_number(quantity[c])}))
    started = ok & (level == 3)
    c = s[started]
    blocks.append(rows.block("checkout_started", started, {
        "cart_value": json_number(value[c], 2), "items": json_number(quantity[c])}))
    done = ok & (level == 4)
    c = s[done]
    orders = Orders(customer=visits.customer[c], session=session[c], ts=rows.ts[done], product=cart[c],
                    quantity=quantity[c], revenue=value[c], late=draw_late(rng, len(c)))
    signup_session = np.empty(pop.n, dtype=np.int64)
    signup_session[visits.person[visits.kind == SIGNUP]] = session[visits.kind == SIGNUP]
    return WebResult(blocks=blocks, experiments=experiment_blocks(exposures, visits.customer, visits.start, session),
                     orders=orders, signup_session=signup_session)
