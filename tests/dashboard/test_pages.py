"""Every page over the hand-worked story of conftest.py: the right numbers, URL parameters that
change them, a funnel equal to analyses.funnel, errors shown in the page."""
from __future__ import annotations

import html
import json
import re
from datetime import date

from fastapi.testclient import TestClient

from engagekit.analyses.funnel import FunnelQuery, run_funnel
from engagekit.people.cohorts import TraitsCohort, save_cohort
from engagekit.people.query import EventFilter
from engagekit.people.ranges import DateRange
from engagekit.store import connect
from tests.dashboard.conftest import Story

PAGES = ("/", "/journey", "/funnels", "/retention", "/engagement", "/voice", "/customers", "/data", "/customers/u1")


def page(client: TestClient, path: str, status: int = 200, **params: str | list[str]) -> str:
    response = client.get(path, params=params)
    assert response.status_code == status, response.text[:2000]
    return response.text


def card(text: str, metric: str) -> str:
    """The value shown on a KPI card of the Overview."""
    found = re.search(rf'data-metric="{metric}">\s*<h2>[^<]*</h2>\s*<div class="value">([^<]*)</div>', text)
    assert found, f"no card {metric}"
    return found.group(1)


def row(text: str, metric: str) -> list[str]:
    """The cells of a KPI's row on the Journey page."""
    found = re.search(rf'data-metric="{metric}">(.*?)</tr>', text, re.DOTALL)
    assert found, f"no row {metric}"
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.DOTALL)]


def error(text: str) -> str:
    found = re.search(r'role="alert">(.*?)</div>', text, re.DOTALL)
    return html.unescape(found.group(1)) if found else ""


def test_every_page_answers_in_the_frame(client: TestClient) -> None:
    for path in PAGES:
        text = page(client, path)
        assert 'href="/journey?from=2026-10-01&amp;to=2026-10-31"' in text, path  # nav keeps the view
        assert "Log out" in text and not error(text), path
    for path in ("/funnels", "/retention", "/engagement", "/voice", "/customers", "/customers/u1"):
        text = page(client, path, where="country=BR")  # the analyses through the segment's events
        assert "where=country" in text and not error(text), path


def test_overview_october_against_september(client: TestClient) -> None:
    text = page(client, "/")
    # revenue 100 + 50 + 30 = 180 in October, 40 in September (+350%); orders 3 against 1
    assert card(text, "revenue") == "180.00"
    assert card(text, "orders") == "3"
    assert "+350.0%" in text and "vs 40.00" in text
    assert 'name="from" value="2026-10-01"' in text and 'name="to" value="2026-10-31"' in text
    movers = re.search(r'<ul class="movers">(.*?)</ul>', text, re.DOTALL).group(1)
    assert "Revenue" in movers and "Orders" in movers


def test_date_range_and_segment_in_the_url_change_the_numbers(client: TestClient, story: Story) -> None:
    # Oct 1-10: u1 100 + u3 30
    assert card(page(client, "/", **{"from": "2026-10-01", "to": "2026-10-10"}), "revenue") == "130.00"
    # country=BR is u1 and u2: 100 + 50; the shorthand and the filter language agree
    assert card(page(client, "/", where="country=BR"), "revenue") == "150.00"
    assert card(page(client, "/", where="country == 'BR'"), "orders") == "2"
    with connect(story.url) as store:
        save_cohort(store, "germans", TraitsCohort(where="country == 'DE'"))
    client.app.state.dashboard.version(fresh=True)  # as the warmer does within a second
    # the saved cohort is u3 alone (30); with country=BR as well nobody is left
    text = page(client, "/", cohort="germans")
    assert card(text, "revenue") == "30.00"
    assert '<option value="germans" selected>' in text
    assert card(page(client, "/", cohort="germans", where="country=BR"), "orders") == "0"


def test_journey_lists_every_stage_with_targets_and_warning_signs(client: TestClient) -> None:
    text = page(client, "/journey")
    for stage in ("acquisition", "purchase", "onboarding", "adoption", "escalation", "retention"):
        assert f'id="stage-{stage}"' in text
    # KPI, value, target, benchmark, better when, status, warning sign
    assert row(text, "orders")[1:5] == ["3", "-", "-", "higher"]
    # visitors u1 u2 u3 (product views), buyers u1 u3: conversion 2/3, well above the 3% target
    assert row(text, "conversion_rate")[1:] == ["66.7%", "3.0%", "2.5%", "higher", "on track",
                                                "Conversion rate below 3.0%"]
    # the story has no web sessions (no channel): no cart abandonment to show, against a lower-is-better target
    assert row(text, "cart_abandonment_rate")[1:] == ["-", "65.0%", "70.0%", "lower", "no data",
                                                      "Cart abandonment rate above 65.0%"]
    assert row(page(client, "/journey", where="country=BR"), "orders")[1] == "2"


def test_funnel_page_equals_the_funnel_analysis(client: TestClient, story: Story) -> None:
    steps = ["product_viewed", "product_added", "checkout_started", "order_completed"]
    text = page(client, "/funnels", step=steps, window="14d", mode="ordered")
    shown = json.loads(html.unescape(re.search(r'id="funnel-result">(.*?)</script>', text, re.DOTALL).group(1)))
    query = FunnelQuery(steps=[EventFilter(event=s) for s in steps], window=14 * 86_400,
                        range=DateRange(start=date(2026, 10, 1), end=date(2026, 11, 1)))
    with connect(story.url) as store:
        expected = run_funnel(store, query).to_dict()
    assert shown == json.loads(json.dumps(expected))
    assert [s["count"] for s in shown["steps"]] == [3, 3, 2, 2]
    counts = re.findall(r'<td class="num count">(\d+)</td>', text)
    assert counts == ["3", "3", "2", "2"]
    segment = page(client, "/funnels", step=steps, where="country=BR")
    assert re.findall(r'<td class="num count">(\d+)</td>', segment) == ["2", "2", "1", "1"]


def test_funnel_breakdown_and_default_funnel(client: TestClient) -> None:
    text = page(client, "/funnels", step=["product_viewed", "order_completed"], by="country")
    # BR: u1 u2 viewed, u1 ordered; DE: u3 viewed and ordered
    assert re.search(r"<td>BR</td><td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">50.0%</td>", text)
    assert re.search(r"<td>DE</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">100.0%</td>", text)
    default = page(client, "/funnels")
    assert 'value="checkout_started"' in default


def test_retention_engagement_customers_data(client: TestClient, story: Story) -> None:
    retention = page(client, "/retention", start_event="product_viewed", period="month", periods="1",
                     mode="first_time", **{"from": "2026-09-01", "to": "2026-10-31"})
    # first product view in September: u1 (back in October: 100%); in October: u2 u3 (Nov: u2 back)
    assert re.search(r"<td>2026-09</td><td class=\"num\">1</td><td class=\"num\">100.0%</td>", retention)
    assert re.search(r"<td>2026-10</td><td class=\"num\">2</td><td class=\"num\">50.0%</td>", retention)
    assert re.search(r"<td>average</td><td></td><td class=\"num\">66.7%</td>", retention)  # (1 + 1) / (1 + 2)
    engagement = page(client, "/engagement")
    assert 'id="active-chart"' in engagement and 'id="paths-table"' in engagement
    customers = page(client, "/customers")
    assert '<span id="customer-total">3</span>' in customers
    assert customers.index(">u1</a>") < customers.index(">u3</a>") < customers.index(">u2</a>")  # by revenue
    searched = page(client, "/customers", q="de")
    assert '<span id="customer-total">1</span>' in searched and ">u3</a>" in searched
    profile = page(client, "/customers/u1")
    assert '<div class="value" id="customer-orders">3</div>' in profile
    assert '<div class="value" id="customer-revenue">190.00</div>' in profile
    data = page(client, "/data")
    assert "unparseable timestamp" in data
    secret = story.read.rsplit("_", 1)[1]
    assert story.read.split("_")[2] in data and secret not in data and "$" not in data.split('id="keys-table"')[1]


def test_bad_inputs_show_a_message_not_a_500(client: TestClient) -> None:
    cases = {
        ("/", "from", "2026-13-01"): "from: expected a day",
        ("/", "where", "country =="): "filter",
        ("/", "where", "contry=BR"): "unknown trait 'contry'; did you mean country",
        ("/", "where", "properties.x == 1"): "a segment reads customer traits",
        ("/", "cohort", "nobody"): "no cohort named 'nobody'",
        ("/funnels", "window", "soon"): "window 'soon'",
        ("/retention", "periods", "many"): "periods: expected a whole number",
        ("/customers", "page", "x"): "page: expected a page number",
    }
    for (path, name, value), message in cases.items():
        text = page(client, path, status=400, **{name: value})
        assert message in error(text), (path, name, value, error(text))
        assert '<form class="filters"' in text
    assert "at least two steps" in error(page(client, "/funnels", status=400, step=["product_viewed"]))
    assert "ends (2026-10-01) before it starts" in error(page(client, "/", status=400, **{"from": "2026-10-05", "to": "2026-10-01"}))
    assert "days from 1900-01-01 to 2200-01-01 only" in error(page(client, "/", status=400, **{"from": "0001-01-01"}))
    missing = page(client, "/customers/nobody", status=400)
    assert "no customer 'nobody'" in error(missing)


def test_numbers_and_names_past_their_bounds_name_the_field(client: TestClient) -> None:
    # found by fuzzing the pages: 5000 digits (past int()'s 4300) or a superscript digit were a
    # ValueError shown as "could not be computed"; the bounds of the queries are named instead
    cases = {
        ("/retention", "periods", "9" * 5000): "periods: expected a whole number",
        ("/retention", "periods", "401"): "periods: Input should be less than or equal to 400",
        ("/customers", "page", "9" * 5000): "page: expected a page number",
        ("/customers", "page", "\u00b2"): "page: expected a page number",
        ("/funnels", "window", "400d"): "at most 366d",
        ("/", "cohort", "x" * 300): "cohort name: at most 255 characters",
        ("/", "where", "(" * 20 + "country == 'BR'" + ")" * 20): "nests at most 16 levels",
    }
    for (path, name, value), message in cases.items():
        text = page(client, path, status=400, **{name: value})
        assert message in error(text), (path, name, error(text))
    many = page(client, "/funnels", status=400, step=[f"e{i}" for i in range(21)])
    assert "steps: List should have at most 20 items after validation, not 21" in error(many)
