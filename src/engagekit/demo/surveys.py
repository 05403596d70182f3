"""Surveys: relationship NPS, CSAT after support, CES after a key task, with free-text comments.

NPS goes out 30 days after sign-up and every 90 days after; customers with an
unresolved ticket or a late delivery behind them are far more likely to be
detractors, and detractor comments mostly name the industry's theme (for
e-commerce: delayed shipping). CSAT follows resolved tickets and tracks
resolution time; CES follows the first order (or activation).
"""
from __future__ import annotations

import json

import numpy as np

from .columns import JsonValue, json_number, json_object, lookup
from .comments import CES, CSAT, nps_comments
from .commerce import Orders
from .events import EventBlock
from .support import Resolutions
from .timeline import US_PER_DAY, US_PER_HOUR
from .world import World

NPS_FIRST_DAYS = 30
NPS_EVERY_DAYS = 90
NPS_RESPONSE_RATE = 0.3
CSAT_RESPONSE_RATE = 0.35
CES_RESPONSE_RATE = 0.3
COMMENT_RATE = np.array([0.85, 0.6, 0.65])


def _first_time(n: int, who: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Earliest timestamp per customer (a far-future sentinel where there is none)."""
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, who, ts)
    return first


def _respond(world: World, rng: np.random.Generator, who: np.ndarray, sent: np.ndarray, rate: float,
             median_hours: float) -> tuple[np.ndarray, np.ndarray]:
    """Mask of invitations answered and the answer times, respecting churn and fading engagement."""
    ts = sent + (rng.lognormal(np.log(median_hours), 0.8, len(sent)) * US_PER_HOUR).astype(np.int64)
    keep = (rng.random(len(sent)) < rate) & world.within_life(who, ts)
    keep[keep] = world.life.keep(rng, who[keep], ts[keep])
    return keep, ts


def _block(who: np.ndarray, ts: np.ndarray, survey: str, scale: str, score: np.ndarray,
           comment: JsonValue, touchpoint: str) -> EventBlock:
    return EventBlock("survey_responded", ts, "survey", json_object(len(ts), {
        "survey": f'"{survey}"', "score": json_number(score), "scale": f'"{scale}"',
        "comment": comment, "touchpoint": f'"{touchpoint}"'}), customer=who)


def _comments(rng: np.random.Generator, vocab: tuple[str, ...], code: np.ndarray,
              rate: np.ndarray | float) -> JsonValue:
    """Comment texts as JSON, null where the respondent left none."""
    code = np.where(rng.random(len(code)) < rate, code + 1, 0)
    return lookup(["null", *(json.dumps(v) for v in vocab)], code)


def _nps(world: World, rng: np.random.Generator, orders: Orders) -> EventBlock:
    """Relationship NPS waves; unresolved tickets and late deliveries create detractors."""
    pop, life = world.pop, world.life
    n = pop.n
    first = pop.signup_us + NPS_FIRST_DAYS * US_PER_DAY
    count = np.maximum((life.limit_us - first - 1) // (NPS_EVERY_DAYS * US_PER_DAY) + 1, 0)
    who = np.repeat(np.arange(n), count)
    wave = np.arange(len(who)) - np.repeat(np.cumsum(count) - count, count)
    keep, ts = _respond(world, rng, who, first[who] + wave * NPS_EVERY_DAYS * US_PER_DAY, NPS_RESPONSE_RATE, 20.0)
    who, ts = who[keep], ts[keep]
    bad = life.ticket_unresolved
    unresolved = _first_time(n, life.ticket_customer[bad], life.ticket_opened_us[bad])
    late = _first_time(n, orders.customer[orders.late], orders.ts[orders.late])
    detractor = 0.16 + 0.3 * (unresolved[who] < ts) + 0.25 * (late[who] < ts)
    u = rng.random(len(ts))
    group = np.where(u < detractor, 0, np.where(u < detractor + 0.3, 1, 2))
    score = np.select([group == 0, group == 1],
                      [rng.choice(7, size=len(ts), p=np.array([1, 1, 1, 2, 2, 3, 4]) / 14),
                       7 + (rng.random(len(ts)) < 0.5)], 9 + (rng.random(len(ts)) < 0.45))
    vocab, code = nps_comments(rng, group, world.profile.detractor_theme)
    return _block(who, ts, "nps", "0-10", score, _comments(rng, vocab, code, COMMENT_RATE[group]), "relationship")


def _csat(world: World, rng: np.random.Generator, resolved: Resolutions) -> EventBlock:
    """CSAT after resolved tickets: quick resolutions score high."""
    keep, ts = _respond(world, rng, resolved.customer, resolved.ts, CSAT_RESPONSE_RATE, 3.0)
    quick = resolved.hours[keep] < 24
    k = int(keep.sum())
    score = np.where(quick, rng.choice([3, 4, 5], size=k, p=(0.1, 0.3, 0.6)),
                     rng.choice([1, 2, 3, 4, 5], size=k, p=(0.2, 0.25, 0.25, 0.2, 0.1)))
    good = score >= 4
    vocab = CSAT["good"] + CSAT["bad"]
    code = np.where(good, 0, len(CSAT["good"])) + rng.integers(0, 3, k)
    return _block(resolved.customer[keep], ts[keep], "csat", "1-5", score, _comments(rng, vocab, code, 0.5), "support")


def _ces(world: World, rng: np.random.Generator, orders: Orders, activated: np.ndarray) -> EventBlock:
    """CES after the first order (e-commerce) or after activation (other trades)."""
    n = world.pop.n
    if world.profile.name == "ecommerce":
        first = _first_time(n, orders.customer, orders.ts)
        touchpoint = "checkout"
    else:
        first = np.where(activated >= 0, activated, np.iinfo(np.int64).max)
        touchpoint = "onboarding"
    who = np.flatnonzero(first < world.timeline.end_us)
    keep, ts = _respond(world, rng, who, first[who], CES_RESPONSE_RATE, 2.0)
    k = int(keep.sum())
    score = rng.choice(7, size=k, p=(0.03, 0.05, 0.07, 0.1, 0.2, 0.3, 0.25)) + 1
    code = np.where(score >= 5, np.where(rng.random(k) < 0.5, 0, 3), 1 + (rng.random(k) < 0.5))
    return _block(who[keep], ts[keep], "ces", "1-7", score, _comments(rng, CES, code, 0.3), touchpoint)


def survey_blocks(world: World, rng: np.random.Generator, orders: Orders, resolved: Resolutions,
                  activated: np.ndarray) -> list[EventBlock]:
    """All survey responses."""
    return [_nps(world, rng, orders), _csat(world, rng, resolved), _ces(world, rng, orders, activated)]
