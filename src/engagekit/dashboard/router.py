"""The dashboard's routes: login and logout, one GET route per registered page, static assets.

Every page needs a session (engagekit.dashboard.auth); without one it redirects to /login with
the page to return to. Bad input (a date, a filter, a funnel step) is shown in the page with
status 400, a store that is not ready (no derived tables yet) with 409; the rest of the page,
the nav bar and the filter form still render so the view can be corrected.
"""
from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import plotly
from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from engagekit.config import Settings
from engagekit.dashboard import formatting
from engagekit.dashboard.pages import PAGES, Page
from engagekit.dashboard.state import Dashboard
from engagekit.dashboard.view import View, read_view
from engagekit.dashboard.warm import Warmer
from engagekit.errors import EngagekitError, InputError
from engagekit.metrics.catalog import project_catalog

log = logging.getLogger("engagekit.dashboard")
HERE = Path(__file__).parent
STATIC = HERE / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
ASSETS = {"dashboard.css": "text/css", "dashboard.js": "text/javascript"}
VIEW_FIELDS = ("from", "to", "where", "cohort")

templates = Jinja2Templates(directory=HERE / "templates")
formatting.install(templates.env)


def dashboard_routes(settings: Settings, warm: bool = True) -> APIRouter:
    """The dashboard's router; its lifespan builds the Dashboard (and, `warm`, starts the warmer)
    once the app's own lifespan has opened the store."""
    catalog = project_catalog(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.dashboard = Dashboard(app.state.collector, catalog, settings)
        warmer = app.state.dashboard_warmer = Warmer(app.state.dashboard) if warm else None
        if warmer:
            warmer.start()
        try:
            yield
        finally:
            if warmer:
                await run_in_threadpool(warmer.stop)

    router = APIRouter(include_in_schema=False, lifespan=lifespan)

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/") -> Response:
        return _login_page(request, _local(next), None)

    @router.post("/login", response_class=HTMLResponse)
    def login(request: Request, key: str = Form(""), next: str = Form("/")) -> Response:
        dashboard: Dashboard = request.app.state.dashboard
        error = dashboard.sessions.login(request, key.strip())
        if error:
            return _login_page(request, _local(next), error, status=401)
        response = RedirectResponse(_local(next), status_code=303)
        dashboard.sessions.open(response, key.strip(), secure=request.url.scheme == "https")
        return response

    @router.post("/logout")
    def logout(request: Request) -> Response:
        response = RedirectResponse("/login", status_code=303)
        request.app.state.dashboard.sessions.close(request, response)
        return response

    @router.get("/static/dashboard/{name}")
    def asset(name: str) -> Response:
        """The dashboard's stylesheet and script, and Plotly.js from the installed plotly package."""
        if name == "plotly.min.js":
            return FileResponse(PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})
        if name not in ASSETS:
            return Response("not found", status_code=404, media_type="text/plain")
        return FileResponse(STATIC / name, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})

    for page in PAGES.values():
        router.add_api_route(page.path, _endpoint(page), methods=["GET"], response_class=HTMLResponse, name=page.slug)
    return router


def _endpoint(page: Page) -> Callable[[Request], Response]:
    def show(request: Request) -> Response:
        dashboard: Dashboard = request.app.state.dashboard
        if dashboard.sessions.key_id(request) is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return render(request, page)
    show.__name__ = f"page_{page.slug}"
    show.__doc__ = page.build.__doc__
    return show


def render(request: Request, page: Page) -> Response:
    """The page for the request's view and form; errors become a message in the page."""
    began = time.perf_counter()
    dashboard: Dashboard = request.app.state.dashboard
    version = dashboard.version()
    meta = dashboard.meta(version)
    lists = {name: request.query_params.getlist(name) for name in request.query_params}
    context: dict[str, Any] = {"page": page, "pages": [p for p in PAGES.values() if p.nav], "error": None,
                               "cohorts": meta["cohorts"], "form": {k: v[-1] for k, v in lists.items()},
                               "lists": lists, "view": View(*meta["default"]), "data": None, "fresh": True}
    status = 200
    try:
        view = read_view({k: v[-1] for k, v in lists.items() if k in VIEW_FIELDS}, meta["default"])
        context["view"] = view
        context["data"], context["fresh"] = dashboard.page_data(page, view, lists, dict(request.path_params), version)
    except InputError as exc:
        context["error"], status = str(exc), 400
    except EngagekitError as exc:
        context["error"], status = str(exc), 409
    except Exception as exc:  # a view the engine cannot run (e.g. a filter comparing text with a number)
        log.warning("dashboard page %s failed: %s: %s", page.slug, type(exc).__name__, exc)
        context["error"], status = f"this view could not be computed ({type(exc).__name__}); check the filters", 400
    context["own_fields"] = [(k, v) for k in page.fields for v in lists.get(k, []) if v]
    response = templates.TemplateResponse(request, page.template, context, status_code=status)
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - began) * 1000:.1f}"
    return response


def _login_page(request: Request, next_url: str, error: str | None, status: int = 200) -> Response:
    return templates.TemplateResponse(request, "login.html", {"next": next_url, "error": error}, status_code=status)


def _local(url: str) -> str:
    """Only a path on this server is a place to return to after login (no open redirect)."""
    parts = urlsplit(url or "/")
    if parts.scheme or parts.netloc or not (parts.path or "/").startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url
