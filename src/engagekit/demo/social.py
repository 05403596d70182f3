"""Word of mouth: referrals, product reviews and social-media engagement.

Customers acquired by referral were invited by an earlier, still-active
customer (``referral_sent`` before the visit, ``referral_converted`` at
sign-up); more invitations go unanswered. Some orders get a review whose
rating and text follow the delivery experience. Engaged customers like,
comment, share, follow and mention the brand.
"""
from __future__ import annotations

import numpy as np

from .columns import id_strings, json_number, json_object, json_quoted, json_text
from .comments import MENTIONS, REVIEWS
from .commerce import Catalog, Orders
from .events import CUSTOMER_ID, EventBlock
from .population import CAMPAIGNS
from .timeline import US_PER_DAY, US_PER_HOUR
from .world import World

PLATFORMS = ("instagram", "tiktok", "facebook", "x")
SOCIAL_EVENTS = ("social_like", "social_comment", "social_share", "social_follow", "social_mention")
SOCIAL_SHARES = (0.5, 0.15, 0.15, 0.1, 0.1)
UNANSWERED_PER_REFERRAL = 2.0
REFERRAL_REWARD = 10.0


def _referrals(world: World, rng: np.random.Generator) -> list[EventBlock]:
    """Invitations from earlier customers to referral-acquired ones, plus unanswered invitations."""
    pop, life, tl = world.pop, world.life, world.timeline
    referee = np.flatnonzero(pop.campaign == CAMPAIGNS.index("refer_a_friend"))
    sent = np.maximum(pop.first_visit_us[referee] - rng.integers(US_PER_HOUR, 7 * US_PER_DAY, len(referee)),
                      tl.start_us)
    referrer = np.full(len(referee), -1)
    for _ in range(5):
        candidate = (rng.random(len(referee)) * referee).astype(np.int64)
        fits = (referrer < 0) & (pop.signup_us[candidate] < sent) & (life.limit_us[candidate] > pop.signup_us[referee])
        referrer[fits] = candidate[fits]
    found = referrer >= 0
    referee, sent, referrer = referee[found], sent[found], referrer[found]
    k = len(referee)
    ways = ("link", "email", "sms")
    blocks = [
        EventBlock("referral_sent", sent, "social", json_object(k, {"via": json_text(ways, rng.integers(0, 3, k))}),
                   customer=referrer),
        EventBlock("referral_converted", pop.signup_us[referee], "social", json_object(k, {
            "referred_customer_id": json_quoted(id_strings(CUSTOMER_ID[0], referee + 1, CUSTOMER_ID[1])),
            "reward": json_number(np.full(k, REFERRAL_REWARD), 2)}), customer=referrer),
    ]
    who = rng.integers(0, pop.n, rng.poisson(UNANSWERED_PER_REFERRAL * max(k, 1)))
    ts = pop.signup_us[who] + (rng.random(len(who)) * (life.limit_us[who] - pop.signup_us[who])).astype(np.int64)
    blocks.append(EventBlock("referral_sent", ts, "social", json_object(len(who), {
        "via": json_text(ways, rng.integers(0, 3, len(who)))}), customer=who))
    return blocks


def _reviews(world: World, rng: np.random.Generator, orders: Orders, catalog: Catalog) -> EventBlock:
    """Reviews of some orders; late deliveries get lower ratings and complaints."""
    n = len(orders.ts)
    pick = rng.random(n) < world.profile.review_share * np.where(orders.late, 1.5, 1.0)
    ts = orders.ts + rng.integers(4 * US_PER_DAY, 20 * US_PER_DAY, n)
    pick &= world.within_life(orders.customer, ts)
    late = orders.late[pick]
    k = int(pick.sum())
    rating = np.where(late, rng.choice([1, 2, 3], size=k, p=(0.4, 0.35, 0.25)),
                      rng.choice([3, 4, 5], size=k, p=(0.1, 0.3, 0.6)))
    good = (rating >= 4) | ((rating == 3) & (rng.random(k) < 0.5))
    vocab = REVIEWS["good"] + REVIEWS["bad"]
    text = np.where(good, 0, len(REVIEWS["good"])) + rng.integers(0, 3, k)
    return EventBlock("review_posted", ts[pick], "web", json_object(k, {
        "order_id": json_quoted(id_strings("O", np.flatnonzero(pick) + 1, 9)),
        "product_id": catalog.ids(orders.product[pick]), "rating": json_number(rating),
        "text": json_text(vocab, text)}), customer=orders.customer[pick])


def _engagement(world: World, rng: np.random.Generator) -> list[EventBlock]:
    """Likes, comments, shares, follows and mentions on social platforms."""
    pop, life, tl = world.pop, world.life, world.timeline
    rate = world.profile.social_per_month * 12.0 / 365.25 * pop.engagement
    owner, ts = tl.sample(rng, pop.signup_us, life.limit_us, rate)
    kept = life.keep(rng, owner, ts)
    owner, ts = owner[kept], ts[kept]
    kind = rng.choice(len(SOCIAL_EVENTS), size=len(ts), p=SOCIAL_SHARES)
    platform = rng.integers(0, len(PLATFORMS), len(ts))
    post = rng.integers(1, 2000, len(ts))
    blocks = []
    for code, event in enumerate(SOCIAL_EVENTS):
        m = kind == code
        k = int(m.sum())
        fields = {"platform": json_text(PLATFORMS, platform[m]), "post_id": json_quoted(id_strings("M", post[m], 5))}
        if event == "social_mention":
            fields["text"] = json_text(MENTIONS, rng.integers(0, len(MENTIONS), k))
        blocks.append(EventBlock(event, ts[m], "social", json_object(k, fields), customer=owner[m]))
    return blocks


def social_blocks(world: World, rng: np.random.Generator, orders: Orders, catalog: Catalog) -> list[EventBlock]:
    """All social rows: referrals, reviews and platform engagement."""
    return _referrals(world, rng) + [_reviews(world, rng, orders, catalog)] + _engagement(world, rng)
