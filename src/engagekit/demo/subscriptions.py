"""Subscriptions: start, monthly renewals, plan changes and cancellation at churn.

Subscribers start right after sign-up (after a 14-day trial where the trade
has trials), renew every 30 days while active, sometimes change plan, and
cancel at the moment they churn. MRR is the plan's monthly price.
"""
from __future__ import annotations

import numpy as np

from .columns import json_number, json_object, json_text
from .effects import UNRESOLVED_TICKETS_THRESHOLD
from .events import EventBlock
from .population import plan_names, plan_prices
from .product import TRIAL_DAYS
from .timeline import US_PER_DAY, US_PER_MINUTE
from .world import World

RENEWAL_US = 30 * US_PER_DAY
CHANGE_SHARE = 0.05
UPGRADE_SHARE = 0.6
CANCEL_REASONS = ("too_expensive", "not_using", "switched_competitor", "other", "support_issues")
DIRECTIONS = ("downgrade", "upgrade")


def subscription_blocks(world: World, rng: np.random.Generator) -> tuple[list[EventBlock], np.ndarray]:
    """Subscription rows and each customer's plan code at the end (0 = free)."""
    pop, life, profile = world.pop, world.life, world.profile
    names, prices = plan_names(profile), plan_prices(profile)
    final = pop.plan.copy()
    subs = np.flatnonzero(pop.plan > 0)
    delay = (np.full(len(subs), TRIAL_DAYS * US_PER_DAY) if "trial" in profile.product_extras
             else rng.integers(US_PER_MINUTE, 10 * US_PER_MINUTE, len(subs)))
    start = pop.signup_us[subs] + delay
    started = world.within_life(subs, start)
    final[subs[~started]] = 0
    subs, start = subs[started], start[started]
    plan = pop.plan[subs].copy()

    def rows(event: str, who: np.ndarray, ts: np.ndarray, fields: dict) -> EventBlock:
        fields = {"plan": json_text(names, plan[who]), "mrr": json_number(prices[plan[who]], 2), **fields}
        return EventBlock(event, ts, "billing", json_object(len(who), fields), customer=subs[who])

    blocks = [rows("subscription_started", np.arange(len(subs)), start, {"interval": '"monthly"'})]
    period = 1
    while True:
        due = start + period * RENEWAL_US
        alive = np.flatnonzero(world.within_life(subs, due - RENEWAL_US // 2))
        if not len(alive):
            break
        change = alive[rng.random(len(alive)) < CHANGE_SHARE]
        change_ts = start[change] + (period - 1) * RENEWAL_US + rng.integers(3, 27, len(change)) * US_PER_DAY
        up = rng.random(len(change)) < UPGRADE_SHARE
        new = np.clip(plan[change] + np.where(up, 1, -1), 1, len(names) - 1)
        moved = (new != plan[change]) & world.within_life(subs[change], change_ts)
        change, change_ts, up, new = change[moved], change_ts[moved], up[moved], new[moved]
        previous = plan[change].copy()
        plan[change] = new
        blocks.append(rows("subscription_changed", change, change_ts, {
            "previous_plan": json_text(names, previous), "direction": json_text(DIRECTIONS, up.astype(np.int64))}))
        renew = alive[world.within_life(subs[alive], due[alive])]
        blocks.append(rows("subscription_renewed", renew, due[renew],
                           {"period": json_number(np.full(len(renew), period))}))
        period += 1

    gone = np.flatnonzero(life.churned[subs])
    unresolved = np.bincount(life.ticket_customer[life.ticket_unresolved], minlength=pop.n)[subs[gone]]
    reason = rng.integers(0, len(CANCEL_REASONS) - 1, len(gone))
    reason[(unresolved >= UNRESOLVED_TICKETS_THRESHOLD) & (rng.random(len(gone)) < 0.6)] = len(CANCEL_REASONS) - 1
    blocks.append(rows("subscription_cancelled", gone, life.churn_us[subs[gone]],
                       {"reason": json_text(CANCEL_REASONS, reason)}))
    final[subs] = plan
    return blocks, final
