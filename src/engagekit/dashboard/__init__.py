"""The web dashboard served by `engagekit serve` at `/`: server-rendered pages (FastAPI + Jinja2)
with Plotly.js charts, behind a read key. See docs/dashboard.md."""
from __future__ import annotations

from engagekit.dashboard.pages import PAGES, Page, PageContext, register
from engagekit.dashboard.router import dashboard_routes

__all__ = ["PAGES", "Page", "PageContext", "dashboard_routes", "register"]
