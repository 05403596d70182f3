"""Reports of the demo company: the executive sentences name the planted effects, every audience
renders its sections in every format, and HTML is one offline file."""
from __future__ import annotations

import json
import re
from datetime import date
from html import escape

import pytest

from engagekit.analyses.protocol import Project
from engagekit.demo import effects
from engagekit.metrics.catalog import Catalog
from engagekit.report.content import build_report
from engagekit.report.parts import Report, Section
from engagekit.report.render_html import render_html, sparkline_svg
from engagekit.report.render_json import render_json
from engagekit.report.render_md import render_md
from engagekit.store import Store
from tests.report.conftest import ReportCache

EXPECTED_SECTIONS = {
    "executive": ["Headline KPIs", "Trends", "Risks", "Opportunities", "Voice of the customer"],
    "marketing": ["Marketing KPIs", "Trends", "Conversion by acquisition channel", "Campaigns"],
    "product": ["Product KPIs", "Trends", "Feature adoption"],
    "support": ["Support KPIs", "Trends", "Tickets by priority", "What customers say about support"],
    "cs": ["Customer success KPIs", "Trends", "Retention by acquisition campaign", "Customers at risk",
           "Voice of the customer", "Detractors to follow up"],
}


def _sentences(report_json: dict, title: str) -> list[str]:
    return next(s["sentences"] for s in report_json["sections"] if s["title"] == title)


def _section(report: Report, title: str) -> Section:
    return next(s for s in report.sections if s.title == title)


def test_the_executive_report_names_the_planted_effects(reports: ReportCache) -> None:
    report = reports["executive"]
    data = json.loads(render_json(report))
    risks, opportunities = _sentences(data, "Risks"), _sentences(data, "Opportunities")
    assert any(f"country = {effects.ABANDONMENT_COUNTRY}" in s and "Cart abandonment" in s for s in risks)
    assert any("dipped in August 2026" in s for s in risks)
    assert any(effects.RETENTION_CAMPAIGN in s and "month 3" in s for s in opportunities)
    assert any("Churn rate is critical against its target" in s for s in risks)
    markdown = render_md(report)
    for name in (f"country = {effects.ABANDONMENT_COUNTRY}", effects.RETENTION_CAMPAIGN, "August 2026"):
        assert name in markdown


def test_the_executive_kpis_carry_previous_target_and_twelve_months(reports: ReportCache) -> None:
    kpis = {k.name: k for k in reports["executive"].sections[0].kpis}
    assert set(kpis) >= {"revenue", "orders", "conversion_rate", "churn_rate"}
    assert len(kpis["orders"].series) == 12 and kpis["orders"].series_months[0] == "2025-11"
    assert kpis["churn_rate"].status == "critical" and kpis["churn_rate"].target == "5.0%"
    assert kpis["orders"].previous != "-"


@pytest.mark.parametrize("audience", list(EXPECTED_SECTIONS))
def test_each_audience_renders_its_sections(reports: ReportCache, audience: str) -> None:
    report = reports[audience]
    assert [s.title for s in report.sections] == EXPECTED_SECTIONS[audience]
    markdown, html, data = render_md(report), render_html(report), json.loads(render_json(report))
    assert [s["title"] for s in data["sections"]] == EXPECTED_SECTIONS[audience]
    assert data["audience"] == audience and data["period"] == "October 2026"
    for title in EXPECTED_SECTIONS[audience]:
        assert f"## {title}" in markdown and f"<h2>{title}</h2>" in html
    for section in report.sections:
        for text in section.sentences:
            assert text in markdown
            assert escape(text) in html


def test_team_reports_hold_their_tactical_detail(reports: ReportCache) -> None:
    marketing = render_md(reports["marketing"])
    assert "| channel |" in marketing and "| social |" in marketing and "month-3 retention" in marketing
    product = reports["product"]
    features = product.sections[-1].tables[0]
    assert features.columns[0] == "feature" and len(features.rows) >= 3
    assert {k.name for k in product.sections[0].kpis} >= {"dau", "wau", "mau", "stickiness", "activation_rate"}
    support = reports["support"]
    assert {k.name for k in support.sections[0].kpis} >= {"support_tickets", "first_response_time",
                                                          "resolution_time", "first_contact_resolution_rate"}
    assert {row[0] for row in _section(support, 'Tickets by priority').tables[0].rows} >= {"low", "urgent"}
    at_risk = _section(reports["cs"], "Customers at risk")
    assert re.match(r"[\d,]+ customers are at risk", at_risk.sentences[0])
    assert any("unresolved tickets" in row[3] for row in at_risk.tables[0].rows)


def test_the_html_is_one_file_without_external_references(reports: ReportCache) -> None:
    html = render_html(reports["executive"])
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html and "<svg" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html and "<link" not in html and "@import" not in html


def test_a_sparkline_skips_gaps_and_needs_two_points() -> None:
    assert sparkline_svg([1.0], ["2026-10"], "x") == ""
    svg = sparkline_svg([1.0, 2.0, None, 3.0, 4.0], ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"], "x")
    assert svg.count("<polyline") == 2 and "<title>x: 2026-06 to 2026-10</title>" in svg


def test_a_report_on_an_empty_store_says_there_is_no_data(duckdb_store: Store, catalog: Catalog) -> None:
    report = build_report(duckdb_store, Project(catalog=catalog), "executive", date(2026, 10, 1), date(2026, 11, 1))
    assert report.empty and [s.title for s in report.sections] == ["No data"]
    assert "There is no data for this period" in render_md(report)
    assert "There is no data for this period" in render_html(report)
    assert json.loads(render_json(report))["empty"] is True
