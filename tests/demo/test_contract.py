"""The output file contract that ingest relies on: names, columns, types, ids and values."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engagekit.demo.events import CHANNELS, EVENT_NAMES, EVENT_SCHEMA
from engagekit.demo.generate import source_names
from engagekit.demo.population import ACCOUNT_SCHEMA, CUSTOMER_SCHEMA
from engagekit.demo.timeline import period_bounds
from tests.demo.demo_measures import SMALL, read

EVENT_FILES = [n for n in source_names(SMALL) if n not in ("customers", "accounts")]


def events(files: dict[str, Path]) -> pd.DataFrame:
    return pd.concat([read(files, n).assign(source=n) for n in EVENT_FILES], ignore_index=True)


def test_files_written_are_the_ones_returned(small_files):
    assert list(small_files) == source_names(SMALL)
    assert set(EVENT_FILES) == {"web", "orders", "email", "ads", "signups", "product", "support", "surveys",
                                "subscriptions", "social", "experiments"}
    for name, path in small_files.items():
        assert path.name == f"{name}.parquet" and path.exists()


@pytest.mark.parametrize("name", EVENT_FILES)
def test_event_schema_is_exact(small_files, name):
    schema = pq.read_schema(small_files[name])
    assert schema.names == EVENT_SCHEMA.names
    assert [f.type for f in schema] == [pa.string(), pa.timestamp("us", tz="UTC"), pa.string(), pa.string(),
                                        pa.string(), pa.string(), pa.string(), pa.float64(), pa.string()]
    assert pq.read_metadata(small_files[name]).num_rows > 0


def test_customer_and_account_schemas(small_files):
    customers = pq.read_schema(small_files["customers"])
    assert customers.names == ["customer_id", "created_at", "account_id", "country", "gender", "age_band", "plan",
                               "industry", "acquisition_channel", "campaign"]
    assert customers.equals(CUSTOMER_SCHEMA, check_metadata=False)
    accounts = pq.read_schema(small_files["accounts"])
    assert accounts.names == ["account_id", "name", "plan", "licenses", "mrr", "industry", "country"]
    assert accounts.equals(ACCOUNT_SCHEMA, check_metadata=False)
    assert accounts.field("licenses").type == pa.int64() and accounts.field("mrr").type == pa.float64()


def test_ids_names_channels_and_times(small_files):
    df = events(small_files)
    assert df.event_id.is_unique
    assert set(df.event) <= EVENT_NAMES
    assert set(df.channel) <= set(CHANNELS)
    assert (df.customer_id.notna() | df.anonymous_id.notna()).all()
    assert df.customer_id.dropna().str.fullmatch(r"C\d{7}").all()
    assert df.anonymous_id.dropna().str.fullmatch(r"A\d{8}").all()
    first, stop = period_bounds(SMALL.end, SMALL.months)
    assert df.ts.min() >= pd.Timestamp(first) and df.ts.max() < pd.Timestamp(stop)
    for name in EVENT_FILES:
        ts = read(small_files, name).ts
        assert ts.is_monotonic_increasing, name


def test_properties_are_json_objects(small_files):
    df = events(small_files)
    sample = df.groupby("event").head(200)
    for text in sample.properties:
        assert isinstance(json.loads(text), dict)


def test_signed_up_links_both_ids_and_matches_customers(small_files):
    signups = read(small_files, "signups")
    signed = signups[signups.event == "signed_up"]
    customers = read(small_files, "customers")
    assert signed.customer_id.notna().all() and signed.anonymous_id.notna().all()
    assert signed.customer_id.is_unique and signed.anonymous_id.is_unique
    merged = customers.merge(signed, on="customer_id", validate="one_to_one")
    assert len(merged) == len(customers) == SMALL.customers
    assert (merged.created_at == merged.ts).all()
    web = read(small_files, "web")
    before = web.merge(signed[["anonymous_id", "ts"]], on="anonymous_id", suffixes=("", "_signup"))
    assert len(before) > 0 and (before.ts < before.ts_signup).all()
    assert before.customer_id.isna().all()
    assert set(signed.session_id) <= set(web.session_id)


def test_revenue_only_on_completed_orders(small_files):
    df = events(small_files)
    completed = df.event == "order_completed"
    assert completed.sum() > 0 and (df.revenue[completed] > 0).all()
    assert df.revenue[~completed].isna().all()
    refunds = df[df.event == "order_refunded"]
    amounts = refunds.properties.map(lambda t: json.loads(t)["amount"])
    assert len(refunds) > 0 and (amounts > 0).all()


def test_web_sessions_are_separated_visits(small_files):
    web = read(small_files, "web")
    web["person"] = web.customer_id.fillna(web.anonymous_id)
    web = web.sort_values(["person", "ts"], kind="stable")
    gap = web.groupby("person").ts.diff()
    same = web.session_id == web.groupby("person").session_id.shift()
    assert (gap[same] <= pd.Timedelta(minutes=30)).all()
    assert (gap[~same].dropna() > pd.Timedelta(minutes=30)).all()
    pages = web[web.event == "page_viewed"].groupby("session_id").size()
    assert pages.mean() > 2


def test_customers_go_quiet_after_cancelling(small_files):
    df = events(small_files)
    subs = read(small_files, "subscriptions")
    cancel = subs[subs.event == "subscription_cancelled"].set_index("customer_id").ts
    last = df[df.customer_id.isin(cancel.index)].groupby("customer_id").ts.max()
    assert len(cancel) > 0 and (last.loc[cancel.index] <= cancel).all()
    created = read(small_files, "customers").set_index("customer_id").created_at
    signed_in = df[df.customer_id.notna()]
    assert (signed_in.ts.to_numpy() >= created.loc[signed_in.customer_id].to_numpy()).all()


def test_funnel_and_surveys_look_right(small_files):
    df = events(small_files)
    counts = df.event.value_counts()
    funnel = [counts[e] for e in ("product_viewed", "product_added", "checkout_started", "order_completed")]
    assert funnel == sorted(funnel, reverse=True)
    surveys = read(small_files, "surveys")
    props = surveys.properties.map(json.loads)
    scales = {"nps": ("0-10", 0, 10), "csat": ("1-5", 1, 5), "ces": ("1-7", 1, 7)}
    for p in props:
        scale, lo, hi = scales[p["survey"]]
        assert p["scale"] == scale and lo <= p["score"] <= hi and p["touchpoint"]
    assert set(p["survey"] for p in props) == set(scales)
    weekday = df[df.event == "page_viewed"].ts.dt.dayofweek.value_counts()
    assert weekday.min() < weekday.max()
    assert np.isin(read(small_files, "customers").acquisition_channel.unique(),
                   ["organic", "paid_search", "social", "email", "referral"]).all()
