"""The typed content of a report, built from the KPI engine: sections of KPI lines, sentences
and tables that every renderer shows the same way."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta

from engagekit.analyses.kpis import project_kpis
from engagekit.analyses.protocol import Project
from engagekit.metrics.catalog import Catalog
from engagekit.metrics.display import change_text, format_value
from engagekit.metrics.result import MetricResult, MetricRow
from engagekit.metrics.segments import find_differences
from engagekit.report import sentences
from engagekit.report.at_risk import DEFINITION, LIMIT, customers_at_risk
from engagekit.report.audiences import Audience, audience
from engagekit.report.parts import KpiLine, Report, Section, Table
from engagekit.report.voice import detractors_section, support_voice_section, voice_section
from engagekit.store import Store

SERIES_MONTHS = 12
CHANNEL_TRAIT = "acquisition_channel"
CAMPAIGN_TRAIT = "campaign"
DIP_KPIS = (("orders", True), ("dau", False))  # (KPI, compare per day): the activity a seasonal dip shows in


@dataclass
class _Context:
    store: Store
    project: Project
    audience: Audience
    start: date
    end: date
    current: MetricResult
    series: MetricResult
    findings: list[sentences.Finding] | None = None

    @property
    def catalog(self) -> Catalog:
        return self.project.catalog

    @property
    def series_start(self) -> date:
        return series_start(self.end)

    def overall(self, name: str) -> MetricRow | None:
        rows = [r for r in self.current.for_metric(name) if not r.segment]
        return rows[0] if rows else None

    def monthly(self, name: str) -> list[tuple[date, float | None]]:
        return [(r.period, r.value) for r in self.series.for_metric(name) if not r.segment and r.period]


def build_report(store: Store, project: Project, audience_name: str, start: date, end: date) -> Report:
    """The report of `audience_name` over [start, end), from the project's catalog and event names;
    a period without events gives an empty report."""
    spec = audience(audience_name)
    if not _has_events(store, start, end):
        note = "There is no data for this period: the store holds no events between these dates."
        return Report(spec.name, spec.title, start, end, [Section("No data", notes=[note])], empty=True)
    names = [n for n in spec.kpis if n in project.catalog.metrics]
    series = project_kpis(store, project, names, series_start(end), end, grain="month")
    current = compared_period(store, project, names, start, end, series)
    context = _Context(store, project, spec, start, end, current, series)
    sections = [_kpi_section(context, names)]
    sections += [section for key in spec.sections if (section := BUILDERS[key](context)) is not None]
    return Report(spec.name, spec.title, start, end, sections)


def compared_period(store: Store, project: Project, names: list[str], start: date, end: date,
                    series: MetricResult) -> MetricResult:
    """The KPIs of [start, end) against the previous period. A calendar month is the last month
    of the monthly series and its previous period the month before, so they are read from the
    series instead of being queried again; any other range is computed."""
    if not (start.day == 1 and end == start + relativedelta(months=1)):
        return project_kpis(store, project, names, start, end, compare="previous_period")
    monthly = {(r.metric, r.period): r for r in series.rows if not r.segment}
    before = start - relativedelta(months=1)
    rows = [_against(row, monthly.get((name, before))) for name in names if (row := monthly.get((name, start)))]
    return MetricResult(start=start, end=end, grain=None, by=(), compare="previous_period", rows=rows)


def _against(row: MetricRow, before: MetricRow | None) -> MetricRow:
    """A month's row as a whole-period row compared with the month before (the engine's change
    and relative change)."""
    previous = before.value if before else None
    change = row.value - previous if row.value is not None and previous is not None else None
    relative = change / abs(previous) if change is not None and previous else None
    return row.model_copy(update={"period": None, "previous": previous, "change": change, "relative_change": relative})


def series_start(end: date) -> date:
    """The first day of the SERIES_MONTHS months that end with the month of `end` (exclusive)."""
    return end.replace(day=1) - relativedelta(months=SERIES_MONTHS - (0 if end.day == 1 else 1))


def _has_events(store: Store, start: date, end: date) -> bool:
    events = store.table("events")
    low, high = (datetime.combine(day, datetime.min.time()) for day in (start, end))
    return bool(events.filter(events.ts >= low, events.ts < high).count().to_pyarrow().as_py())


def _kpi_section(context: _Context, names: list[str]) -> Section:
    lines = []
    for name in names:
        row = context.overall(name)
        if row is None:
            continue
        metric = context.catalog.get(name)
        monthly = context.monthly(name)
        better = None if not row.change else (row.change > 0) == (metric.direction == "higher")
        lines.append(KpiLine(name, metric.label, format_value(metric, row.value), format_value(metric, row.previous),
                             change_text(row, metric.unit), format_value(metric, row.target),
                             (row.status or "").replace("_", " "), better, [v for _, v in monthly],
                             [f"{m:%Y-%m}" for m, _ in monthly]))
    return Section(context.audience.kpi_title, kpis=lines,
                   notes=[(f"Each KPI against the previous period of the same length and its target; the "
                           f"sparkline shows the last {SERIES_MONTHS} months.")])


def _trends(context: _Context) -> Section | None:
    texts = [t for name in context.audience.kpis if (row := context.overall(name))
             and (t := sentences.trend_sentence(row, context.catalog))]
    return Section("Trends", sentences=texts) if texts else None


def _findings(context: _Context) -> list[sentences.Finding]:
    found = sentences.segment_findings(context.store, context.project, context.start, context.end)
    retention = sentences.campaign_retention(context.store, context.series_start, context.end)
    found.append(sentences.best_campaign(retention))
    for name, per_day in DIP_KPIS:
        if name in context.catalog.metrics:
            monthly = _full_months(context, name)
            found.append(sentences.largest_dip(context.catalog.get(name).label, monthly, per_day))
    found += sentences.critical_kpis([r for r in context.current.rows if not r.segment], context.catalog)
    return [f for f in found if f is not None]


def _full_months(context: _Context, name: str) -> list[tuple[date, float | None]]:
    """The monthly series of `name` over whole months only (the series result when it has it)."""
    if name in context.audience.kpis:
        monthly = context.monthly(name)
    else:
        result = project_kpis(context.store, context.project, [name], context.series_start, context.end, grain="month")
        monthly = [(r.period, r.value) for r in result.rows if not r.segment and r.period]
    return [(m, v) for m, v in monthly if m >= context.series_start and m + relativedelta(months=1) <= context.end]


def _risks(context: _Context) -> Section | None:
    return _finding_section(context, "Risks", sentences.RISK)


def _opportunities(context: _Context) -> Section | None:
    return _finding_section(context, "Opportunities", sentences.OPPORTUNITY)


def _finding_section(context: _Context, title: str, kind: str) -> Section | None:
    if context.findings is None:
        context.findings = _findings(context)
    texts = [f.text for f in context.findings if f.kind == kind]
    return Section(title, sentences=texts) if texts else None


def _segment_rows(context: _Context, names: list[str], by: str) -> tuple[MetricResult, dict[Any, dict[str, str]]]:
    """KPIs by one trait over the period: the result and, per segment value, the formatted values."""
    result = project_kpis(context.store, context.project, names, context.start, context.end, by=(by,))
    cells: dict[Any, dict[str, str]] = {}
    for row in result.rows:
        if row.segment and row.segment[0][1] is not None:
            metric = context.catalog.get(row.metric)
            cells.setdefault(row.segment[0][1], {})[row.metric] = format_value(metric, row.value)
    return result, cells


def _breakdown(context: _Context, title: str, names: list[str], by: str, label: str) -> Section | None:
    names = [n for n in names if n in context.catalog.metrics]
    result, cells = _segment_rows(context, names, by)
    if not cells:
        return None
    columns = [label, *(context.catalog.get(n).label for n in names)]
    rows = [[str(value), *(cells[value].get(n, "-") for n in names)] for value in sorted(cells, key=str)]
    texts = [f.sentence for f in find_differences(result, context.catalog) if f.significant]
    return Section(title, sentences=texts, tables=[Table(title, columns, rows)])


def _channels(context: _Context) -> Section | None:
    return _breakdown(context, "Conversion by acquisition channel",
                      ["new_customers", "conversion_rate", "cart_abandonment_rate", "revenue"],
                      CHANNEL_TRAIT, "channel")


def _campaigns(context: _Context) -> Section | None:
    names = [n for n in ("new_customers", "conversion_rate", "revenue") if n in context.catalog.metrics]
    _, cells = _segment_rows(context, names, CAMPAIGN_TRAIT)
    retention = sentences.campaign_retention(context.store, context.series_start, context.end)
    k = sentences.RETENTION_MONTH
    month_k = {r.cohort: r.percentages[k] for r in retention.rows}
    if not cells:
        return None
    columns = ["campaign", *(context.catalog.get(n).label for n in names), f"month-{k} retention"]
    rows = [[str(value), *(cells[value].get(n, "-") for n in names), _percent(month_k.get(value))]
            for value in sorted(cells, key=str)]
    best = sentences.best_campaign(retention)
    return Section("Campaigns", sentences=[best.text] if best else [], tables=[Table("Campaigns", columns, rows)],
                   notes=[(f"Month-{k} retention: share of the campaign's sign-ups of the last {SERIES_MONTHS} "
                           f"months still active in month {k} after sign-up.")])


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _features(context: _Context) -> Section | None:
    if "feature_adoption_rate" not in context.catalog.metrics:
        return None
    result = project_kpis(context.store, context.project, ["feature_adoption_rate"], context.start, context.end,
                     compare="previous_period")
    metric = context.catalog.get("feature_adoption_rate")
    rows = [[str(dict(r.segment).get("feature")), format_value(metric, r.value), format_value(metric, r.previous),
             change_text(r, metric.unit)]
            for r in sorted(result.rows, key=lambda r: -(r.value or 0)) if dict(r.segment).get("feature")]
    if not rows:
        return None
    return Section("Feature adoption", tables=[Table("Feature adoption", ["feature", "adoption", "previous", "change"],
                                                     rows)],
                   notes=["Adoption: share of the period's active customers who used the feature."])


def _priorities(context: _Context) -> Section | None:
    return _breakdown(context, "Tickets by priority",
                      ["support_tickets", "first_response_time", "resolution_time"],
                      "properties.priority", "priority")


def _retention_by_campaign(context: _Context) -> Section | None:
    retention = sentences.campaign_retention(context.store, context.series_start, context.end)
    if not retention.rows:
        return None
    k = sentences.RETENTION_MONTH
    columns = ["campaign", "customers", *(f"month {i}" for i in range(1, k + 1))]
    rows = [[r.cohort, f"{r.size:,}", *(_percent(r.percentages[i]) for i in range(1, k + 1))] for r in retention.rows]
    rows.append(["average", f"{sum(r.size for r in retention.rows):,}",
                 *(_percent(retention.average[i]) for i in range(1, k + 1))])
    best = sentences.best_campaign(retention)
    return Section("Retention by acquisition campaign", sentences=[best.text] if best else [],
                   tables=[Table("Retention by acquisition campaign", columns, rows)],
                   notes=[(f"Customers who signed up in the last {SERIES_MONTHS} months, by the campaign that "
                           "acquired them: the share active again 1, 2 and 3 months after the sign-up month.")])


def _at_risk(context: _Context) -> Section:
    total, customers = customers_at_risk(context.store, context.end)
    rows = [[c.customer_id, str(c.unresolved_tickets), f"{c.earlier_logins} -> {c.recent_logins}", c.reasons]
            for c in customers]
    text = f"{total:,} customers are at risk at the end of the period." if total else "No customer is at risk."
    columns = ["customer", "unresolved tickets", "logins (earlier -> last 28 days)", "why"]
    shown = [Table(f"Customers at risk (first {LIMIT})", columns, rows)] if rows else []
    return Section("Customers at risk", sentences=[text], tables=shown, notes=[DEFINITION])


BUILDERS: dict[str, Callable[[_Context], Section | None]] = {
    "trends": _trends,
    "risks": _risks,
    "opportunities": _opportunities,
    "channels": _channels,
    "campaigns": _campaigns,
    "features": _features,
    "priorities": _priorities,
    "retention_by_campaign": _retention_by_campaign,
    "at_risk": _at_risk,
    "voice": lambda context: voice_section(context.store, context.project, context.start, context.end),
    "voice_brief": lambda context: voice_section(context.store, context.project, context.start, context.end,
                                                 brief=True),
    "support_voice": lambda context: support_voice_section(context.store, context.project, context.start, context.end),
    "detractors": lambda context: detractors_section(context.store, context.project, context.start, context.end),
}
