"""A report as PDF: headless Chromium prints the single-file HTML report.

The HTML is self-contained (inline CSS and SVG), so the page is loaded from a string with every
network request refused: printing never waits on, or leaks to, the network.
"""
from __future__ import annotations

from playwright.sync_api import Route

from engagekit.browser import chromium
from engagekit.errors import InputError
from engagekit.report.parts import Report
from engagekit.report.render_html import render_html

PAPER_FORMATS = {"a4": "A4", "letter": "Letter"}
MARGIN = "12mm"


def render_pdf(report: Report, paper: str = "a4") -> bytes:
    """The report's HTML printed to PDF on `paper` (a4 or letter), backgrounds included."""
    return html_to_pdf(render_html(report), paper)


def html_to_pdf(html: str, paper: str = "a4") -> bytes:
    """Print one self-contained HTML document to PDF with headless Chromium (print media styles)."""
    if paper not in PAPER_FORMATS:
        raise InputError(f"unknown paper {paper!r}; papers: {', '.join(PAPER_FORMATS)}")
    with chromium() as context:
        page = context.new_page()
        page.route("**/*", _refuse)
        page.set_content(html, wait_until="load")
        return page.pdf(format=PAPER_FORMATS[paper], print_background=True, display_header_footer=False,
                        margin={side: MARGIN for side in ("top", "right", "bottom", "left")})


def _refuse(route: Route) -> None:
    """Abort a request: the report must not reach for anything outside itself."""
    route.abort()
