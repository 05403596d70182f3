"""Measure the planted effects back from generated demo files with plain pandas.

Each function reads only the Parquet files (never generator internals), the
way a later engagekit feature would, and returns the measured quantity.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from engagekit.demo.generate import DemoSpec

SMALL = DemoSpec(customers=800, months=6, seed=11)
"""Small e-commerce demo for contract checks."""
EFFECTS = DemoSpec(customers=3000, months=12, seed=7)
"""Large enough to measure every planted effect; still about a second to generate."""
WEEK = pd.Timedelta(days=7)


def read(files: dict[str, Path], name: str) -> pd.DataFrame:
    """One generated file as a DataFrame, timestamps as naive UTC so they mix with numpy arrays."""
    df = pd.read_parquet(files[name])
    for col in ("ts", "created_at"):
        if col in df:
            df[col] = df[col].dt.tz_convert(None)
    return df


def prop(df: pd.DataFrame, key: str) -> pd.Series:
    """A flat string/number property extracted from the JSON text (no nested objects in the demo)."""
    return df["properties"].str.extract(rf'"{key}":("[^"]*"|[^,}}]*)', expand=False).str.strip('"')


def cart_abandonment(files: dict[str, Path], country: str) -> tuple[float, float, int]:
    """Abandonment (carts without an order in the same visit) for signed-in visits: in ``country``, elsewhere."""
    web = read(files, "web")
    carts = web.loc[(web.event == "product_added") & web.customer_id.notna(), ["session_id", "customer_id"]]
    carts = carts.drop_duplicates("session_id")
    orders = read(files, "orders")
    paid = set(orders.loc[orders.event == "order_completed", "session_id"])
    customers = read(files, "customers").set_index("customer_id")
    carts["abandoned"] = ~carts.session_id.isin(paid)
    carts["segment"] = customers.loc[carts.customer_id, "country"].to_numpy() == country
    rates = carts.groupby("segment").abandoned.mean()
    return float(rates[True]), float(rates[False]), int(carts.segment.sum())


def subscriber_weeks(files: dict[str, Path], lag_weeks: int, threshold: int) -> pd.DataFrame:
    """One row per subscriber and age week: in the unresolved-ticket state or not, and churned that week."""
    customers = read(files, "customers").set_index("customer_id")
    subs = read(files, "subscriptions")
    started = subs.loc[subs.event == "subscription_started", "customer_id"].unique()
    cancelled = subs[subs.event == "subscription_cancelled"].set_index("customer_id").ts
    support = read(files, "support")
    support["ticket"] = prop(support, "ticket_id")
    resolved = set(support.loc[support.event == "ticket_resolved", "ticket"])
    opened = support[(support.event == "ticket_opened") & ~support.ticket.isin(resolved)]
    created = customers.created_at
    week_of = ((opened.ts - created.loc[opened.customer_id].to_numpy()) // WEEK).to_numpy()
    opened = opened.assign(week=week_of).sort_values(["customer_id", "week"])
    nth = opened.groupby("customer_id").cumcount() + 1
    switch = (opened[nth == threshold].set_index("customer_id").week + lag_weeks).astype(np.int64)
    end = max(subs.ts.max(), support.ts.max())
    last = pd.Series(end, index=started, dtype=subs.ts.dtype)
    churned = cancelled.reindex(started).notna().to_numpy()
    last[churned] = cancelled.reindex(started)[churned]
    last_week = ((last - created.loc[started].to_numpy()) // WEEK).to_numpy()
    who = np.repeat(started, last_week + 1)
    week = np.concatenate([np.arange(w + 1) for w in last_week])
    high = week >= switch.reindex(who).fillna(np.iinfo(np.int64).max).to_numpy()
    died = np.repeat(churned, last_week + 1) & (week == np.repeat(last_week, last_week + 1))
    return pd.DataFrame({"customer_id": who, "week": week, "high": high, "churned": died})


def churn_hazard_ratio(weeks: pd.DataFrame) -> float:
    """Mantel-Haenszel weekly churn rate ratio (high vs low unresolved-ticket state), stratified by age week."""
    g = weeks.groupby(["week", "high"]).churned.agg(["sum", "count"]).unstack(fill_value=0)
    d1, t1, d0, t0 = g[("sum", True)], g[("count", True)], g[("sum", False)], g[("count", False)]
    total = t1 + t0
    return float((d1 * t0 / total).sum() / (d0 * t1 / total).sum())


def login_decline(files: dict[str, Path], event: str = "logged_in") -> tuple[float, int]:
    """Login rate in the 2 weeks before cancelling relative to weeks 7-10 before, for long-lived churners."""
    subs = read(files, "subscriptions")
    customers = read(files, "customers").set_index("customer_id")
    cancel = subs[subs.event == "subscription_cancelled"].set_index("customer_id").ts
    cancel = cancel[cancel - customers.created_at.loc[cancel.index] >= 10 * WEEK]
    product = read(files, "product")
    logins = product[(product.event == event) & product.customer_id.isin(cancel.index)]
    before = cancel.loc[logins.customer_id].to_numpy() - logins.ts.to_numpy()
    recent = ((before >= pd.Timedelta(0)) & (before < 2 * WEEK)).sum() / 2
    earlier = ((before >= 6 * WEEK) & (before < 10 * WEEK)).sum() / 4
    return float(recent / earlier), len(cancel)


def month3_retention(files: dict[str, Path], campaign: str) -> tuple[float, float, int]:
    """Share of sign-ups with a web or app event 90-119 days after sign-up: the campaign cohort, everyone else."""
    customers = read(files, "customers")
    end = read(files, "web").ts.max()
    cohort = customers[customers.created_at <= end - pd.Timedelta(days=120)].set_index("customer_id")
    events = pd.concat([read(files, "web")[["customer_id", "ts"]], read(files, "product")[["customer_id", "ts"]]])
    events = events[events.customer_id.isin(cohort.index)]
    age = events.ts - cohort.created_at.loc[events.customer_id].to_numpy()
    active = set(events.customer_id[(age >= pd.Timedelta(days=90)) & (age < pd.Timedelta(days=120))])
    retained = cohort.index.isin(active)
    planted = (cohort.campaign == campaign).to_numpy()
    return float(retained[planted].mean()), float(retained[~planted].mean()), int(planted.sum())


def nps_theme_shares(files: dict[str, Path], pattern: str) -> dict[str, float]:
    """Share of NPS comments matching ``pattern`` among detractors, passives and promoters."""
    surveys = read(files, "surveys")
    nps = surveys[prop(surveys, "survey") == "nps"]
    score = prop(nps, "score").astype(int)
    comment = prop(nps, "comment")
    has = comment.notna() & (comment != "null")
    group = pd.cut(score, [-1, 6, 8, 10], labels=["detractor", "passive", "promoter"])
    themed = comment.str.contains(pattern, case=False, regex=True)
    return {g: float(themed[has & (group == g)].mean()) for g in ("detractor", "passive", "promoter")}


def monthly_dip(files: dict[str, Path], month: int) -> tuple[float, float]:
    """Per-day orders and signed-in web events in ``month`` relative to the mean of the two neighbouring months."""
    def ratio(ts: pd.Series) -> float:
        counts = ts.dt.to_period("M").value_counts()
        per_day = {p.month: n / p.days_in_month for p, n in counts.items()}
        return float(per_day[month] / ((per_day[month - 1] + per_day[month + 1]) / 2))

    orders = read(files, "orders")
    web = read(files, "web")
    return ratio(orders.ts[orders.event == "order_completed"]), ratio(web.ts[web.customer_id.notna()])


def experiment_lift(files: dict[str, Path], experiment: str, window_days: int) -> tuple[float, float, float, int]:
    """Conversion to an order within ``window_days`` of first exposure: control, treatment, relative lift, n."""
    exp = read(files, "experiments")
    exp = exp[prop(exp, "experiment") == experiment].assign(variant=lambda d: prop(d, "variant"))
    first = exp.sort_values("ts").drop_duplicates("customer_id")
    orders = read(files, "orders")
    orders = orders[orders.event == "order_completed"].merge(first[["customer_id", "ts"]], on="customer_id",
                                                             suffixes=("", "_first"))
    hit = (orders.ts >= orders.ts_first) & (orders.ts <= orders.ts_first + pd.Timedelta(days=window_days))
    converted = first.customer_id.isin(set(orders.customer_id[hit]))
    rates = converted.groupby(first.variant.to_numpy()).mean()
    control, treatment = float(rates["control"]), float(rates["treatment"])
    return control, treatment, treatment / control - 1, len(first)
