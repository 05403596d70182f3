"""Email marketing: lifecycle mails, the weekly newsletter and promos, with opens and clicks.

Sends go to opted-in customers on fixed weekdays; opens and clicks depend on
personal engagement and fade before churn. Clicks are handed to the web module
as the start of a visit. Prospects acquired by the newsletter get their mails
before sign-up under their anonymous id.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .columns import json_object, json_text
from .events import EventBlock
from .population import CAMPAIGNS
from .timeline import US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND
from .world import World

EMAIL_CAMPAIGNS = ("welcome_series", "onboarding_tips", "weekly_newsletter", "new_year_reset", "spring_sale",
                   "summer_sale", "back_to_school", "autumn_edit", "black_friday", "holiday_gifts",
                   "newsletter_promo")
PROMO_BY_MONTH = np.array([3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 8, 9])
SEND_DAYS = {1: (1,), 2: (1, 4), 3: (1, 3, 5)}
OPT_IN_SHARE = 0.65
DELIVERY_RATE = 0.98
OPEN_RATE = 0.32
CLICK_RATE = 0.18
VISITOR_SUBSCRIBE_SHARE = 0.06
SUBSCRIBE_SOURCES = ("footer_form", "signup_form", "popup")
PROSPECT = EMAIL_CAMPAIGNS.index("newsletter_promo")


@dataclass
class EmailClicks:
    """Post-sign-up email clicks that start a web visit."""

    customer: np.ndarray
    ts: np.ndarray
    campaign: np.ndarray


def _scheduled(world: World, rng: np.random.Generator, opted: np.ndarray) -> tuple[np.ndarray, ...]:
    """Newsletter and promo sends to opted-in customers alive on each send day."""
    tl, pop = world.timeline, world.pop
    days = SEND_DAYS[world.profile.promo_sends_per_week]
    customers, times, campaigns = [], [], []
    for day in np.flatnonzero(np.isin(tl.weekday, days)):
        at = tl.start_us + int(day) * US_PER_DAY + 10 * US_PER_HOUR
        who = np.flatnonzero(opted & (pop.signup_us < at) & (world.life.limit_us > at))
        newsletter = tl.weekday[day] == days[0]
        code = 2 if newsletter else int(PROMO_BY_MONTH[tl.month[day] - 1])
        customers.append(who)
        times.append(at + rng.integers(0, 2 * US_PER_HOUR, len(who)))
        campaigns.append(np.full(len(who), code))
    return np.concatenate(customers), np.concatenate(times), np.concatenate(campaigns)


def _funnel(world: World, rng: np.random.Generator, customer: np.ndarray, ts: np.ndarray, campaign: np.ndarray
            ) -> tuple[list[EventBlock], np.ndarray, np.ndarray]:
    """sent -> delivered -> opened -> clicked rows, plus the clicked mask and click times."""
    n, end = len(ts), world.timeline.end_us
    t_delivered = ts + rng.integers(US_PER_SECOND, 120 * US_PER_SECOND, n)
    delivered = (rng.random(n) < DELIVERY_RATE) & world.within_life(customer, t_delivered)
    t_opened = t_delivered + (rng.lognormal(np.log(3.0), 1.2, n) * US_PER_HOUR).astype(np.int64)
    open_p = OPEN_RATE * np.minimum(world.pop.engagement[customer], 2.5) * world.timeline.dip(t_opened)
    opened = delivered & (rng.random(n) < open_p) & (t_opened < end) & world.life.keep(rng, customer, t_opened)
    t_clicked = t_opened + rng.integers(5 * US_PER_SECOND, 5 * US_PER_MINUTE, n)
    clicked = opened & (rng.random(n) < CLICK_RATE) & world.within_life(customer, t_clicked)
    blocks = []
    for event, mask, at in (("email_sent", np.ones(n, bool), ts), ("email_delivered", delivered, t_delivered),
                            ("email_opened", opened, t_opened), ("email_clicked", clicked, t_clicked)):
        props = json_object(int(mask.sum()), {"campaign": json_text(EMAIL_CAMPAIGNS, campaign[mask])})
        blocks.append(EventBlock(event, at[mask], "email", props, customer=customer[mask]))
    return blocks, clicked, t_clicked


def email_blocks(world: World, rng: np.random.Generator) -> tuple[list[EventBlock], EmailClicks]:
    """All email rows plus the clicks that lead to web visits."""
    pop, n = world.pop, world.pop.n
    prospect = (pop.campaign == CAMPAIGNS.index("newsletter_promo")) & (pop.first_visit_us < pop.signup_session_us)
    opted = (rng.random(n) < OPT_IN_SHARE) | prospect
    sc, st, sk = _scheduled(world, rng, opted)
    everyone = np.arange(n)
    customer = np.concatenate([everyone, everyone, sc])
    ts = np.concatenate([pop.signup_us + 5 * US_PER_MINUTE, pop.signup_us + 3 * US_PER_DAY + 2 * US_PER_HOUR, st])
    campaign = np.concatenate([np.zeros(n, np.int64), np.ones(n, np.int64), sk])
    alive = world.within_life(customer, ts)
    customer, ts, campaign = customer[alive], ts[alive], campaign[alive]
    blocks, clicked, t_clicked = _funnel(world, rng, customer, ts, campaign)

    blocks += _prospect_blocks(world, rng, np.flatnonzero(prospect))
    blocks.append(_subscriptions(world, rng, opted, prospect))
    clicks = EmailClicks(customer=customer[clicked], ts=t_clicked[clicked], campaign=campaign[clicked])
    return blocks, clicks


def _prospect_blocks(world: World, rng: np.random.Generator, lead: np.ndarray) -> list[EventBlock]:
    """The newsletter mail whose click brought a prospect back to sign up (anonymous id only)."""
    pop = world.pop
    visit = pop.signup_session_us[lead]
    sent = visit - rng.integers(2 * US_PER_HOUR, 3 * US_PER_DAY, len(lead))
    sent = np.maximum(sent, pop.first_visit_us[lead] + US_PER_HOUR)
    props = json_object(len(lead), {"campaign": f'"{EMAIL_CAMPAIGNS[PROSPECT]}"'})
    times = {"email_sent": sent, "email_delivered": sent + 30 * US_PER_SECOND,
             "email_opened": visit - 60 * US_PER_SECOND, "email_clicked": visit - 20 * US_PER_SECOND}
    return [EventBlock(event, at, "email", props, anonymous=pop.anon_number[lead]) for event, at in times.items()]


def _subscriptions(world: World, rng: np.random.Generator, opted: np.ndarray, prospect: np.ndarray) -> EventBlock:
    """``newsletter_subscribed``: customers at sign-up, prospects and a few visitors while anonymous."""
    pop = world.pop
    member = np.flatnonzero(opted & ~prospect)
    lead = np.flatnonzero(prospect)
    visitors = np.flatnonzero(rng.random(len(pop.visitor_number)) < VISITOR_SUBSCRIBE_SHARE)
    ts = np.concatenate([pop.signup_us[member] + 2 * US_PER_MINUTE, pop.first_visit_us[lead] + US_PER_MINUTE,
                         pop.visitor_first_us[visitors] + US_PER_MINUTE])
    customer = np.concatenate([member, np.full(len(lead) + len(visitors), -1)])
    anonymous = np.concatenate([np.full(len(member), -1), pop.anon_number[lead], pop.visitor_number[visitors]])
    source = np.concatenate([np.ones(len(member), np.int64), rng.integers(0, 3, len(lead) + len(visitors))])
    keep = (ts < world.timeline.end_us) & ((customer < 0) | world.within_life(np.maximum(customer, 0), ts))
    props = json_object(int(keep.sum()), {"source": json_text(SUBSCRIBE_SOURCES, source[keep])})
    return EventBlock("newsletter_subscribed", ts[keep], "email", props,
                      customer=customer[keep], anonymous=anonymous[keep])
