"""The dashboard in Debian's Chromium (Playwright) over the shared demo store: login is required,
every page loads without console errors or failed requests and draws its charts, the date range
and the segment change the numbers, and a funnel built in the page equals `engagekit funnel`.

Screenshots of every page are written to tests/artifacts/dashboard/ (git-ignored).
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import typer
from playwright.sync_api import BrowserContext, Page, Response
from typer.testing import CliRunner

from engagekit.api import create_key
from engagekit.browser import chromium
from engagekit.cli import funnel as funnel_command
from engagekit.cli.context import STATE
from engagekit.config import Settings
from engagekit.server import create_server
from engagekit.store import Store
from tests.dashboard.server import running

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "dashboard"
CHART_PAGES = {"/": ".chart.spark .main-svg", "/funnels": "#funnel-chart .main-svg",
               "/retention": "#retention-heatmap .main-svg", "/engagement": "#active-chart .main-svg",
               "/voice": "#nps-chart .main-svg"}
PAGES = ("/", "/journey", "/funnels", "/retention", "/engagement", "/voice", "/customers", "/data")
TIMEOUT_MS = 120_000


@dataclass
class Served:
    base: str
    key: str
    problems: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def served(demo_store: Store) -> Iterator[Served]:
    """The real app over the demo store, served by uvicorn in this process."""
    _, key = create_key(demo_store, "read", "browser-tests")
    with running(create_server(demo_store.url, Settings())) as base:
        yield Served(base, key)


@pytest.fixture(scope="module")
def browser() -> Iterator[BrowserContext]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium(viewport=(1400, 1000)) as context:
        yield context


@pytest.fixture
def tab(browser: BrowserContext, served: Served) -> Iterator[Page]:
    """A logged-in page that records console errors, failed requests and error answers."""
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    served.problems.clear()
    page.on("console", lambda message: served.problems.append(f"console: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda exc: served.problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda request: served.problems.append(f"failed: {request.url}"))
    page.on("response", lambda response: _bad_answer(served, response))
    login(page, served)
    yield page
    page.close()
    browser.clear_cookies()


def _bad_answer(served: Served, response: Response) -> None:
    if response.status >= 400:
        served.problems.append(f"{response.status}: {response.url}")


def login(page: Page, served: Served) -> None:
    page.goto(f"{served.base}/")
    assert "/login" in page.url  # every page needs a session
    page.fill("input[name=key]", served.key)
    page.click("button[type=submit]")
    ready(page)
    assert page.url == f"{served.base}/"


def ready(page: Page) -> None:
    """Wait until the page's script drew its charts."""
    page.wait_for_selector("body[data-ready=true]")


def counts(page: Page) -> list[int]:
    return [int(text) for text in page.locator("#funnel-table td.count").all_inner_texts()]


def test_login_is_required(browser: BrowserContext, served: Served) -> None:
    page = browser.new_page()
    page.goto(f"{served.base}/journey?from=2026-10-01")
    assert "/login" in page.url and page.locator("input[name=key]").is_visible()
    page.fill("input[name=key]", "ek_read_wrong_key")
    page.click("button[type=submit]")
    assert "not valid" in page.locator(".error").inner_text()
    page.close()


def test_every_page_loads_and_draws_its_charts(tab: Page, served: Served) -> None:
    for path in PAGES:
        started = time.perf_counter()
        tab.goto(f"{served.base}{path}")
        ready(tab)
        print(f"{path}: {time.perf_counter() - started:.1f} s")
        assert not tab.locator(".error").count(), (path, tab.locator(".error").all_inner_texts())
        if path in CHART_PAGES:
            assert tab.locator(CHART_PAGES[path]).count() > 0, path
        tab.screenshot(path=str(ARTIFACTS / f"{path.strip('/') or 'overview'}.png"), full_page=True)
    tab.goto(f"{served.base}/customers")
    tab.click("#customer-table a >> nth=0")  # the top customer's page and timeline
    ready(tab)
    assert tab.locator("#timeline-chart .main-svg").count() > 0
    tab.screenshot(path=str(ARTIFACTS / "customer.png"), full_page=True)
    assert served.problems == []


def test_range_and_segment_change_the_numbers(tab: Page, served: Served) -> None:
    tab.goto(f"{served.base}/funnels")
    ready(tab)
    october = counts(tab)
    tab.fill("input[name=from]", "2026-10-01")
    tab.fill("input[name=to]", "2026-10-10")
    tab.click("#view-form button[type=submit]")
    ready(tab)
    assert "from=2026-10-01&to=2026-10-10" in tab.url
    first_days = counts(tab)
    assert first_days != october and first_days[0] < october[0]
    tab.fill("input[name=where]", "country=BR")
    tab.click("#view-form button[type=submit]")
    ready(tab)
    assert "where=country%3DBR" in tab.url and "to=2026-10-10" in tab.url  # the view is in the URL
    brazil = counts(tab)
    assert brazil[0] < first_days[0]
    tab.goto(tab.url)  # a shared link shows the same view
    ready(tab)
    assert counts(tab) == brazil
    assert served.problems == []


def test_a_funnel_built_in_the_page_equals_the_cli(tab: Page, served: Served, demo_store: Store,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    tab.goto(f"{served.base}/funnels?from=2026-09-01&to=2026-09-30")
    ready(tab)
    inputs = tab.locator("#funnel-steps input")
    inputs.nth(0).fill("page_viewed")
    inputs.nth(1).fill("product_viewed")
    inputs.nth(2).fill("product_added")
    inputs.nth(3).fill("order_completed")
    tab.click("#add-step")
    inputs.nth(4).fill("order_completed")
    tab.fill("input[name=window]", "7d")
    tab.select_option("select[name=mode]", "strict")
    tab.click("#funnel-form button[type=submit]")
    ready(tab)
    shown = json.loads(tab.locator("#funnel-result").text_content())

    cli = typer.Typer()

    @cli.callback()
    def _options() -> None:
        """Global options (none here)."""

    funnel_command.register(cli)
    monkeypatch.setattr(STATE, "_store", demo_store)
    result = CliRunner().invoke(cli, ["funnel", "page_viewed", "product_viewed", "product_added", "order_completed",
                                      "order_completed", "--window", "7d", "--mode", "strict",
                                      "--from", "2026-09-01", "--to", "2026-09-30", "--json"])
    assert result.exit_code == 0, result.output
    assert shown == json.loads(result.stdout)
    assert [s["count"] for s in shown["steps"]] == counts(tab)
    assert served.problems == []
