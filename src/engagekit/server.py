"""The server `engagekit serve` runs: the collector and read API (engagekit.api) with the dashboard
(engagekit.dashboard) on one app. Composed here, above both, so neither imports the other."""
from __future__ import annotations

from fastapi import FastAPI

from engagekit.api import CollectorLimits, create_app
from engagekit.api.control import Control
from engagekit.config import Settings
from engagekit.dashboard import dashboard_routes


def create_server(store_url: str, settings: Settings, limits: CollectorLimits | None = None,
                  control: Control | None = None) -> FastAPI:
    """The app over the store at `store_url`: collector, read API and dashboard."""
    return create_app(store_url, settings, limits, control, routers=[dashboard_routes(settings)])
