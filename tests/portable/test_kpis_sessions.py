"""Session KPIs on every engine, from one story of visits with hand-worked values."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.derive import build_derived
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import compute
from engagekit.store import Store
from tests.conftest import write

STORY = """\
timestamp,event,userId,channel
2024-10-01T10:00:00Z,page_viewed,a,web
2024-10-01T10:01:00Z,product_viewed,a,web
2024-10-01T10:03:00Z,page_viewed,a,web
2024-10-01T10:20:00Z,page_viewed,a,web
2024-10-02T09:00:00Z,page_viewed,a,web
2024-10-02T09:00:05Z,product_viewed,b,web
2024-10-03T12:00:00Z,page_viewed,b,web
2024-10-03T12:00:30Z,product_viewed,b,web
2024-10-03T12:01:00Z,order_completed,b,web
2024-10-01T10:00:00Z,email_opened,a,email
"""
# a, session 1 (Oct 1): 4 events 10:00, 10:01, 10:03, 10:20 -> duration 1200 s; 3 page views;
#    gaps 60, 120, 1020 s: active = 60 + 120 = 180 s (the 17 min gap is idle); engaged.
# a, session 2 (Oct 2 09:00): one page view, 0 s -> bounced.
# b, session 3 (Oct 2 09:00:05): one product view, no page view, 0 s -> bounced (<= 1 page view).
# b, session 4 (Oct 3): page 12:00, product 12:00:30, order 12:01 -> 60 s, 1 page view, converted
#    -> engaged; active = 30 + 30 = 60 s.
# The email open forms no session (not a web/app channel).
# sessions = 4; visitors = 2; page views = 3 + 1 + 0 + 1 = 5; durations 1200, 0, 0, 60.
# Product views followed within 5 min: a 10:01 -> 10:03 (120 s); b 09:00:05 -> next event of b
# is Oct 3 (too late: left out); b 12:00:30 -> 12:01 (30 s). Mean = 75 s.
OCTOBER = (date(2024, 10, 1), date(2024, 11, 1))
NAMES = ["sessions", "visit_frequency", "pages_per_session", "avg_session_duration", "avg_time_on_page",
         "time_on_product_pages", "bounce_rate", "engaged_session_rate", "active_time_per_user"]


def test_session_kpis(store: Store, tmp_path: Path) -> None:
    ingest_file(store, write(tmp_path / "visits.csv", STORY), IngestOptions(), Vocabulary())
    build_derived(store)
    result = compute(store, load_catalog(), NAMES, *OCTOBER)
    assert result.value("sessions") == 4
    assert result.value("visit_frequency") == pytest.approx(4 / 2)
    assert result.value("pages_per_session") == pytest.approx(5 / 4)
    assert result.value("avg_session_duration") == pytest.approx((1200 + 0 + 0 + 60) / 4)
    assert result.value("avg_time_on_page") == pytest.approx((180 + 0 + 0 + 60) / 5)
    assert result.value("time_on_product_pages") == pytest.approx((120 + 30) / 2)
    assert result.value("bounce_rate") == pytest.approx(2 / 4)
    assert result.value("engaged_session_rate") == pytest.approx(2 / 4)
    assert result.value("active_time_per_user") == pytest.approx((180 + 60) / 2)
    by_day = compute(store, load_catalog(), ["sessions"], *OCTOBER, grain="day")
    # every day of October is a point of the series; days without sessions read 0
    assert [(r.period, r.value) for r in by_day.rows] == [
        (date(2024, 10, 1), 1), (date(2024, 10, 2), 2), (date(2024, 10, 3), 1),
        *((date(2024, 10, day), 0) for day in range(4, 32))]
