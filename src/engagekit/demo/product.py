"""Product usage: onboarding, activation, trials and the app sessions of active customers.

App visits start with a login and continue with feature use, core actions and
(where the trade has them) content, videos and deliverable reviews. Visit
rates follow personal engagement and fade before churn, which is what makes
falling logins an early churn signal.
"""
from __future__ import annotations

import numpy as np

from .columns import (
    JsonValue,
    id_strings,
    json_bool,
    json_number,
    json_object,
    json_quoted,
    json_text,
)
from .events import EventBlock
from .population import plan_names
from .sessions import expand, separated
from .timeline import US_PER_DAY, US_PER_MINUTE, US_PER_SECOND
from .world import World

FEATURE, CORE, CONTENT, VIDEO, DELIVERABLE = range(5)
ACTION_WEIGHTS = {FEATURE: 0.55, CORE: 0.25, CONTENT: 0.12, VIDEO: 0.08, DELIVERABLE: 0.1}
ACTION_EXTRA = {CONTENT: "content", VIDEO: "video", DELIVERABLE: "deliverables"}
PLATFORMS = ("ios", "android", "web")
TOPICS = ("getting_started", "tips", "news", "stories", "how_to")
STEP_CONTINUE = 0.85
WELCOME_CALL_SHARE = 0.45
PORTAL_SHARE = 0.3
TRIAL_DAYS = 14


def _action_mix(extras: frozenset[str]) -> np.ndarray:
    """Probabilities of each action kind, keeping only the kinds the trade has."""
    w = np.array([v if k not in ACTION_EXTRA or ACTION_EXTRA[k] in extras else 0.0 for k, v in ACTION_WEIGHTS.items()])
    return w / w.sum()


def _app_sessions(world: World, rng: np.random.Generator) -> list[EventBlock]:
    """Login-led app visits with feature use and other actions."""
    pop, life, tl, profile = world.pop, world.life, world.timeline, world.profile
    owner, start = tl.sample(rng, pop.signup_us + 10 * US_PER_MINUTE, life.limit_us,
                             world.daily_rate(profile.app_sessions_per_week))
    kept = life.keep(rng, owner, start)
    owner, start = owner[kept], start[kept]
    n_actions = np.minimum(1 + rng.poisson(2.5, len(start)), 15)
    steps = expand(rng, 1 + n_actions, 45.0)
    keep = separated(owner, start, start + steps.at(n_actions), np.zeros(len(start), bool), tl.start_us)
    owner, start, n_actions, steps = owner[keep], start[keep], n_actions[keep], steps.subset(keep)
    m = len(start)
    session = np.empty(m, dtype=np.int64)
    session[np.argsort(start, kind="stable")] = world.session_numbers(m)
    s = steps.session
    ts = start[s] + steps.offset_us
    ok = ts < life.limit_us[owner[s]]
    portal = ("portal" in profile.product_extras) & (rng.random(m) < PORTAL_SHARE)
    kind = rng.choice(5, size=len(s), p=_action_mix(profile.product_extras))
    login = steps.position == 0

    def rows(event: str, mask: np.ndarray, channel: str, fields: dict[str, JsonValue]) -> EventBlock:
        return EventBlock(event, ts[mask], channel, json_object(int(mask.sum()), fields),
                          customer=owner[s[mask]], session=session[s[mask]])

    blocks = []
    for event, channel, mask in (("logged_in", "app", ok & login & ~portal[s]),
                                 ("portal_login", "web", ok & login & portal[s])):
        blocks.append(rows(event, mask, channel, {"platform": json_text(PLATFORMS, np.where(
            portal[s[mask]], 2, owner[s[mask]] % 2))}))
    act = ok & ~login
    mask = act & (kind == FEATURE)
    feature = rng.integers(0, len(profile.features), int(mask.sum()))
    interactive = np.array([flag for _, flag in profile.features])
    blocks.append(rows("feature_used", mask, "app", {
        "feature": json_text([f for f, _ in profile.features], feature),
        "interactive": json_bool(interactive[feature])}))
    mask = act & (kind == CORE)
    blocks.append(rows("core_action", mask, "app", {
        "action": json_text(profile.core_actions, rng.integers(0, len(profile.core_actions), int(mask.sum())))}))
    mask = act & (kind == CONTENT)
    k = int(mask.sum())
    blocks.append(rows("content_viewed", mask, "app", {
        "content_id": json_quoted(id_strings("K", rng.integers(1, 300, k), 4)),
        "topic": json_text(TOPICS, rng.integers(0, len(TOPICS), k))}))
    mask = act & (kind == VIDEO)
    k = int(mask.sum())
    blocks.append(rows("video_watched", mask, "app", {
        "video_id": json_quoted(id_strings("V", rng.integers(1, 120, k), 4)),
        "seconds": json_number(np.minimum(rng.lognormal(np.log(150.0), 1.0, k), 3600).astype(np.int64))}))
    mask = act & (kind == DELIVERABLE)
    k = int(mask.sum())
    blocks.append(rows("deliverable_reviewed", mask, "web", {
        "deliverable_id": json_quoted(id_strings("D", rng.integers(1, 5000, k), 5)),
        "approved": json_bool(rng.random(k) < 0.7)}))
    return blocks


def _onboarding(world: World, rng: np.random.Generator) -> tuple[list[EventBlock], np.ndarray]:
    """Onboarding steps with drop-off, activation at the profile's key step; returns activation times."""
    pop, profile = world.pop, world.profile
    n, k = pop.n, len(profile.onboarding_steps)
    reached = np.cumprod(rng.random((n, k)) < STEP_CONTINUE, axis=1)
    gaps = np.column_stack([rng.exponential(20 * US_PER_MINUTE, n),
                            rng.exponential(US_PER_DAY, (n, k - 1))]).astype(np.int64)
    when = pop.signup_us[:, None] + np.cumsum(gaps, axis=1)
    done = reached.astype(bool) & world.within_life(np.repeat(np.arange(n)[:, None], k, axis=1), when)
    done = np.cumprod(done, axis=1).astype(bool)
    who, step = np.nonzero(done)
    blocks = [EventBlock("onboarding_step_completed", when[who, step], "app", json_object(len(who), {
        "step": json_text(profile.onboarding_steps, step), "step_number": json_number(step + 1)}), customer=who)]
    key = profile.activation_step - 1
    active = np.flatnonzero(done[:, key])
    activated = np.full(n, -1, dtype=np.int64)
    activated[active] = when[active, key] + 2 * US_PER_SECOND
    active = active[world.within_life(active, activated[active])]
    blocks.append(EventBlock("account_activated", activated[active], "app", json_object(len(active), {
        "activation_step": f'"{profile.onboarding_steps[key]}"'}), customer=active))
    return blocks, activated


def product_blocks(world: World, rng: np.random.Generator) -> tuple[list[EventBlock], np.ndarray]:
    """All product rows, plus each customer's activation time (-1 if never activated)."""
    pop, profile = world.pop, world.profile
    blocks, activated = _onboarding(world, rng)
    if "trial" in profile.product_extras:
        ts = pop.signup_us + 30 * US_PER_SECOND
        who = np.flatnonzero(world.within_life(np.arange(pop.n), ts))
        blocks.append(EventBlock("trial_started", ts[who], "app", json_object(len(who), {
            "trial_days": str(TRIAL_DAYS), "plan": json_text(plan_names(profile), pop.plan[who])}), customer=who))
    if "welcome_call" in profile.product_extras:
        who = np.flatnonzero(rng.random(pop.n) < WELCOME_CALL_SHARE)
        ts = pop.signup_us[who] + rng.integers(10 * US_PER_MINUTE, 3 * US_PER_DAY, len(who))
        ok = world.within_life(who, ts)
        blocks.append(EventBlock("welcome_call_booked", ts[ok], "call", json_object(int(ok.sum()), {
            "call_type": '"onboarding"', "days_ahead": json_number(rng.integers(1, 8, int(ok.sum())))}),
            customer=who[ok]))
    return blocks + _app_sessions(world, rng), activated
