"""Every industry generates a valid demo with the events that fit its trade."""
from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from engagekit.demo.events import EVENT_NAMES, EVENT_SCHEMA
from engagekit.demo.generate import DemoSpec, generate

TRADE_EVENTS = {
    "ecommerce": {"order_completed", "content_viewed", "video_watched"},
    "saas": {"trial_started", "welcome_call_booked", "feature_used"},
    "media": {"content_viewed", "video_watched"},
    "healthcare": {"appointment_attended", "appointment_missed", "medication_dose_taken", "portal_login"},
    "services": {"welcome_call_booked", "portal_login", "deliverable_reviewed"},
}


@pytest.mark.parametrize("industry", sorted(TRADE_EVENTS))
def test_industry_demo(tmp_path, industry):
    files = generate(DemoSpec(industry=industry, customers=400, months=4, seed=3), tmp_path)
    assert ("appointments" in files) == (industry == "healthcare")
    seen: set[str] = set()
    for name, path in files.items():
        if name in ("customers", "accounts"):
            continue
        assert pq.read_schema(path).equals(EVENT_SCHEMA, check_metadata=False)
        seen |= set(pd.read_parquet(path, columns=["event"]).event)
    assert TRADE_EVENTS[industry] <= seen <= EVENT_NAMES
    customers = pd.read_parquet(files["customers"])
    accounts = pd.read_parquet(files["accounts"])
    members = customers.account_id.notna().mean()
    assert members > 0.8 if industry in ("saas", "services") else members < 0.3
    assert set(customers.account_id.dropna()) <= set(accounts.account_id)
