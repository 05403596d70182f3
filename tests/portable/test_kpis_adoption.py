"""Adoption KPIs on one small story, on every engine: each expected value is worked by hand
from the rows below with the KPI's formula."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import compute
from engagekit.store import Store
from tests.conftest import write

ADOPTION = ["dau", "wau", "mau", "stickiness", "user_activity_rate", "login_frequency", "feature_adoption_rate",
            "core_action_rate", "interactive_usage", "non_interactive_usage", "license_utilization",
            "deliverable_review_time", "portal_login_frequency"]
OCTOBER = (date(2024, 10, 1), date(2024, 11, 1))

CUSTOMERS = """\
customer_id,created_at,account_id
c1,2024-09-01T00:00:00Z,a1
c2,2024-09-01T00:00:00Z,a1
c3,2024-09-01T00:00:00Z,a1
c4,2024-09-01T00:00:00Z,a2
c5,2024-10-20T00:00:00Z,a3
c7,2024-09-01T00:00:00Z,
c6,2024-11-15T00:00:00Z,
"""
# customers to date at the end of October: c1-c5 and c7 = 6 (c6 signs up on 15 November)

ACCOUNTS = """\
account_id,name,licenses
a1,Acme,5
a2,Bolt,2
a3,Free,0
"""
# licensed accounts: a1 (5) and a2 (2) = 7 licenses; a3 has none, so its user c5 counts nowhere

EVENTS = """\
timestamp,event,userId,anonymousId,feature,interactive,delivered_at
2024-09-10T09:00:00Z,page_viewed,,v1,,,
2024-10-01T09:00:00Z,logged_in,c1,,,,
2024-10-01T09:05:00Z,feature_used,c1,,export,true,
2024-10-01T10:00:00Z,logged_in,c2,,,,
2024-10-01T10:05:00Z,feature_used,c2,,export,false,
2024-10-01T11:00:00Z,page_viewed,,v1,,,
2024-10-02T09:00:00Z,logged_in,c1,,,,
2024-10-02T09:10:00Z,core_action,c1,,,,
2024-10-03T09:00:00Z,portal_login,c4,,,,
2024-10-05T09:00:00Z,email_opened,c7,,,,
2024-10-08T09:00:00Z,logged_in,c1,,,,
2024-10-08T09:05:00Z,feature_used,c1,,,,
2024-10-08T09:00:00Z,deliverable_reviewed,c1,,,,2024-10-07
2024-10-10T10:00:00Z,portal_login,c4,,,,
2024-10-10T10:00:00Z,deliverable_reviewed,c4,,,,2024-10-08T10:00:00Z
2024-10-10T11:00:00Z,deliverable_reviewed,c4,,,,
2024-10-15T09:00:00Z,feature_used,c2,,import,true,
2024-10-15T10:00:00Z,deliverable_reviewed,c2,,,,2024-10-16T00:00:00Z
2024-10-17T12:00:00Z,portal_login,c4,,,,
2024-10-17T12:00:00Z,deliverable_reviewed,c4,,,,2024-10-17T08:00:00+02:00
2024-10-22T10:00:00Z,page_viewed,c3,,,,
2024-10-22T10:00:00Z,deliverable_reviewed,c3,,,,2024-10-21 22:00
2024-10-30T20:00:00Z,video_watched,c5,,,,
2024-11-05T09:00:00Z,email_opened,c7,,,,
"""
# Active people per October day (active = web/app events; email_opened is not one):
#   1 Oct: c1, c2, v1 (visitor) = 3; 2 Oct: c1; 3 Oct: c4; 8 Oct: c1; 10 Oct: c4; 15 Oct: c2;
#   17 Oct: c4; 22 Oct: c3; 30 Oct: c5 -> 11 person-days
# 7-day weeks from 1 Oct: 1-7 {c1, c2, v1, c4} = 4, 8-14 {c1, c4} = 2, 15-21 {c2, c4} = 2,
#   22-28 {c3} = 1; 29-31 is no whole week, so c5's video does not count for WAU
# October's active people: c1, c2, c3, c4, c5, v1 = 6 (5 of them customers)
# feature_used: export by c1 (interactive) and c2 (not), import by c2 (interactive), one of c1
#   without feature or flag -> 4 events: 2 interactive, 1 not, 1 unknown
# logins: c1 three, c2 one; portal logins: c4 three
# reviews with a usable delivery time: c1 8 Oct 09:00 - 7 Oct 00:00 = 33 h; c4 10 Oct 10:00 -
#   8 Oct 10:00 = 48 h; c4 17 Oct 12:00 - 17 Oct 06:00 UTC (08:00+02:00) = 6 h; c3 22 Oct 10:00
#   - 21 Oct 22:00 = 12 h. Left out: c4's review without delivered_at, c2's review stamped
#   before its delivery. Median of 6, 12, 33, 48 = (12 + 33) / 2 = 22.5 h
# September: v1 on 10 Sep; November: only c7's email (no activity)


@pytest.fixture
def adoption(store: Store, tmp_path: Path) -> Store:
    vocabulary = Vocabulary()
    ingest_file(store, write(tmp_path / "customers.csv", CUSTOMERS), IngestOptions(kind="customers"), vocabulary)
    ingest_file(store, write(tmp_path / "accounts.csv", ACCOUNTS), IngestOptions(kind="accounts"), vocabulary)
    ingest_file(store, write(tmp_path / "events.csv", EVENTS), IngestOptions(), vocabulary)
    return store


def test_adoption_kpis_of_october(adoption: Store) -> None:
    result = compute(adoption, load_catalog(), ADOPTION, *OCTOBER)
    assert result.value("dau") == pytest.approx(11 / 31)  # person-days / days
    assert result.value("wau") == pytest.approx(9 / 4)  # (4 + 2 + 2 + 1) / 4 whole weeks
    assert result.value("mau") == 6  # one whole month, 6 active people
    assert result.value("stickiness") == pytest.approx((11 / 31) / 6)  # DAU / MAU
    assert result.value("user_activity_rate") == pytest.approx(5 / 6)  # c1-c5 active / 6 customers to date
    assert result.value("login_frequency") == pytest.approx(4 / 2)  # 4 logins / 2 people
    assert result.value("feature_adoption_rate", feature="export") == pytest.approx(2 / 6)  # c1, c2 / 6 active
    assert result.value("feature_adoption_rate", feature="import") == pytest.approx(1 / 6)  # c2 / 6 active
    assert result.value("core_action_rate") == pytest.approx(1 / 6)  # c1 / 6 active
    assert result.value("interactive_usage") == pytest.approx(2 / 4)  # interactive / feature_used
    assert result.value("non_interactive_usage") == pytest.approx(1 / 4)  # the unflagged one is in neither
    assert result.value("license_utilization") == pytest.approx(4 / 7)  # c1-c3 (a1) + c4 (a2) / 5 + 2 licenses
    assert result.value("deliverable_review_time") == pytest.approx(22.5)  # median of 6, 12, 33, 48 hours
    assert result.value("portal_login_frequency") == pytest.approx(3.0)  # c4: 3 portal logins


def test_monthly_series_and_no_denominator(adoption: Store) -> None:
    catalog = load_catalog()
    months = compute(adoption, catalog, ["dau", "wau", "mau", "stickiness"], date(2024, 9, 1), date(2024, 12, 1),
                     grain="month")

    def series(name: str) -> list[float | None]:
        return [row.value for row in months.for_metric(name)]

    assert [row.period for row in months.for_metric("dau")] == [date(2024, 9, 1), date(2024, 10, 1), date(2024, 11, 1)]
    assert series("dau") == pytest.approx([1 / 30, 11 / 31, 0.0])  # v1 on one September day; nobody in November
    assert series("wau") == pytest.approx([1 / 4, 9 / 4, 0.0])  # 10 Sep is in the 2nd of September's 4 weeks
    assert series("mau") == [1, 6, 0]
    assert series("stickiness") == pytest.approx([1 / 30, 11 / 31 / 6, None])  # November: DAU / MAU of 0

    november = compute(adoption, catalog, ADOPTION, date(2024, 11, 1), date(2024, 12, 1))  # c7's email only
    for name in ("stickiness", "login_frequency", "core_action_rate", "interactive_usage", "non_interactive_usage",
                 "deliverable_review_time", "portal_login_frequency"):
        assert november.value(name) is None, name  # nobody active, no logins, features or reviews
    assert (november.value("dau"), november.value("wau"), november.value("mau")) == (0, 0, 0)  # days count, empty
    assert november.value("user_activity_rate") == 0.0  # 7 customers to date (c6 now too), none active
    assert november.value("license_utilization") == 0.0  # 7 licenses, no active user
    # no active people: no feature rows, one row without a value that says why
    assert [(r.segment, r.value, r.note) for r in november.for_metric("feature_adoption_rate")] == [
        ((), None, "no active events (page_viewed, screen_viewed, signed_up or 10 more) in 2024-11")]
