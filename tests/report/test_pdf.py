"""PDF reports: Chromium prints the HTML report; the PDF's own text carries the headline KPIs."""
from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from engagekit.errors import InputError
from engagekit.report.render_pdf import html_to_pdf, render_pdf
from tests.report.conftest import ReportCache
from tests.report.pdf_text import page_count, pdf_text


@pytest.fixture(scope="module")
def executive_pdf(reports: ReportCache) -> bytes:
    return render_pdf(reports["executive"])


def test_the_pdf_has_pages_and_the_headline_kpis(reports: ReportCache, executive_pdf: bytes) -> None:
    assert executive_pdf.startswith(b"%PDF-")
    assert page_count(executive_pdf) == 1  # the executive report is one page (compact print styles)
    text = pdf_text(executive_pdf)
    flat = re.sub(r"\s+", "", text)
    report = reports["executive"]
    assert "Executive report" in text and "Period: October 2026" in text
    for kpi in report.sections[0].kpis:
        assert re.sub(r"\s+", "", kpi.label) in flat, kpi.label
        assert kpi.value in text, (kpi.label, kpi.value)
    opportunities = next(s for s in report.sections if s.title == "Opportunities")
    for sentence in opportunities.sentences:  # the campaign that retains best
        assert re.sub(r"\s+", "", sentence) in flat


def test_a4_and_letter_are_different_page_sizes() -> None:
    # A4 is 210 x 297 mm = 595.92 x 842.88 pt at Chromium's rounding; Letter is 8.5 x 11 in = 612 x 792 pt.
    html = "<!DOCTYPE html><html><body><p>size</p></body></html>"
    a4 = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", html_to_pdf(html, "a4"))
    letter = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", html_to_pdf(html, "letter"))
    assert (round(float(a4[1])), round(float(a4[2]))) == (596, 843)
    assert (round(float(letter[1])), round(float(letter[2]))) == (612, 792)


def test_the_page_cannot_reach_the_network() -> None:
    # A local server counts requests: the image and the stylesheet are refused before leaving Chromium.
    requests: list[str] = []

    class Counting(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server hook's name)
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = HTTPServer(("127.0.0.1", 0), Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        pdf = html_to_pdf(f'<!DOCTYPE html><html><head><link rel="stylesheet" href="{base}/s.css"></head>'
                          f'<body><img src="{base}/x.png" alt="offline"><p>done</p></body></html>')
    finally:
        server.shutdown()
    assert "done" in pdf_text(pdf) and requests == []


def test_an_unknown_paper_is_an_error() -> None:
    with pytest.raises(InputError, match="unknown paper 'a3'"):
        html_to_pdf("<p>x</p>", "a3")
