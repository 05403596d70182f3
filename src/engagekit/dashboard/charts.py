"""Plotly figures (data and layout, as JSON-ready dicts) for the dashboard's charts.

The page embeds each figure in a `data-figure` attribute; static/dashboard.js draws it with the
Plotly.js bundled in the installed `plotly` package. Building figures here keeps the numbers
testable on the server and the browser code generic.
"""
from __future__ import annotations

from typing import Any

from engagekit.analyses.funnel_result import FunnelStep
from engagekit.analyses.lifecycle import LifecycleResult
from engagekit.analyses.retention import RetentionResult
from engagekit.analyses.stickiness import StickinessResult
from engagekit.voc.sentiment_summary import SentimentResult
from engagekit.voc.surveys import SurveyResult
from engagekit.voc.themes import ThemesResult

Figure = dict[str, Any]
COLOURS = {"primary": "#2563eb", "muted": "#94a3b8"}
LIFECYCLE_COLOURS = {"new": "#2563eb", "returning": "#16a34a", "resurrecting": "#d97706", "dormant": "#dc2626"}
NPS_GROUP_COLOURS = {"detractor": "#dc2626", "passive": "#94a3b8", "promoter": "#16a34a"}
_MARGIN = {"l": 48, "r": 16, "t": 24, "b": 40}


def _layout(**extra: Any) -> dict[str, Any]:
    return {"margin": _MARGIN, "font": {"family": "system-ui, sans-serif", "size": 12}, "showlegend": True,
            "legend": {"orientation": "h", "y": -0.2}, "paper_bgcolor": "white", "plot_bgcolor": "white", **extra}


def sparkline(series: list[tuple[str, float | None]]) -> Figure | None:
    """A tiny line of a KPI's monthly values (None without at least two values)."""
    if sum(v is not None for _, v in series) < 2:
        return None
    return {
        "data": [{"type": "scatter", "mode": "lines", "x": [p for p, _ in series], "y": [v for _, v in series],
                  "line": {"color": COLOURS["primary"], "width": 2}, "hoverinfo": "x+y"}],
        "layout": {"margin": {"l": 0, "r": 0, "t": 2, "b": 2}, "height": 40, "showlegend": False,
                   "xaxis": {"visible": False}, "yaxis": {"visible": False}, "paper_bgcolor": "rgba(0,0,0,0)",
                   "plot_bgcolor": "rgba(0,0,0,0)"},
    }


def funnel_bars(steps: list[FunnelStep]) -> Figure:
    """People per step, labelled with the conversion from step 1."""
    labels = [f"{s.step}. {s.label}" for s in steps]
    text = [f"{s.count:,} ({(s.conversion_from_start or 0):.1%})" for s in steps]
    return {
        "data": [{"type": "bar", "x": labels, "y": [s.count for s in steps], "text": text, "textposition": "auto",
                  "marker": {"color": COLOURS["primary"]}, "name": "people"}],
        "layout": _layout(showlegend=False, yaxis={"title": {"text": "people"}}),
    }


def retention_heatmap(result: RetentionResult) -> Figure:
    """Cohorts (rows) by period k (columns), coloured by the percentage retained (blank: not
    observed yet)."""
    columns = [f"{result.query.period} {k}" for k in range(result.query.periods + 1)]
    names = [f"{row.cohort} ({row.size:,})" for row in result.rows]
    z = [[None if p is None else round(p, 1) for p in row.percentages] for row in result.rows]
    text = [["" if p is None else f"{p:.0f}%" for p in row] for row in z]
    return {
        "data": [{"type": "heatmap", "x": columns, "y": names, "z": z, "text": text, "texttemplate": "%{text}",
                  "colorscale": "Blues", "reversescale": True, "zmin": 0, "zmax": 100,
                  "hovertemplate": "%{y}<br>%{x}: %{z:.1f}%<extra></extra>", "colorbar": {"title": {"text": "%"}}}],
        "layout": _layout(showlegend=False, yaxis={"autorange": "reversed", "automargin": True},
                          height=max(260, 28 * len(names) + 90)),
    }


def retention_curve(result: RetentionResult) -> Figure:
    """The size-weighted average percentage retained at each period k."""
    return {
        "data": [{"type": "scatter", "mode": "lines+markers", "x": list(range(len(result.average))),
                  "y": [None if v is None else round(v, 2) for v in result.average],
                  "line": {"color": COLOURS["primary"]}, "name": "average retained (%)"}],
        "layout": _layout(xaxis={"title": {"text": f"{result.query.period}s after the cohort's"}, "dtick": 1},
                          yaxis={"title": {"text": "% retained"}, "range": [0, 100]}),
    }


def active_users(result: StickinessResult) -> Figure:
    """Daily DAU, WAU and MAU, with DAU/MAU (stickiness) on the right axis."""
    days = [d.day.isoformat() for d in result.series]
    lines = [{"type": "scatter", "mode": "lines", "x": days, "y": [getattr(d, name) for d in result.series],
              "name": name.upper()} for name in ("dau", "wau", "mau")]
    ratio = {"type": "scatter", "mode": "lines", "x": days, "name": "DAU/MAU", "yaxis": "y2",
             "y": [None if d.dau_mau is None else round(d.dau_mau * 100, 2) for d in result.series],
             "line": {"dash": "dot", "color": COLOURS["muted"]}}
    return {"data": [*lines, ratio],
            "layout": _layout(margin={**_MARGIN, "r": 64}, yaxis={"title": {"text": "people"}, "rangemode": "tozero"},
                              yaxis2={"title": {"text": "DAU/MAU %"}, "overlaying": "y", "side": "right",
                                      "rangemode": "tozero"})}


def lifecycle_bars(result: LifecycleResult) -> Figure:
    """New, returning and resurrecting people above zero, dormant below, per period."""
    periods = [p.period.isoformat() for p in result.periods]
    data = [{"type": "bar", "x": periods, "y": [getattr(p, status) for p in result.periods], "name": status,
             "marker": {"color": colour}} for status, colour in LIFECYCLE_COLOURS.items()]
    return {"data": data, "layout": _layout(barmode="relative", yaxis={"title": {"text": "people"}})}


def stickiness_distribution(result: StickinessResult) -> Figure:
    """People by number of active periods in the range."""
    return {
        "data": [{"type": "bar", "x": [b.periods for b in result.distribution],
                  "y": [b.people for b in result.distribution], "marker": {"color": COLOURS["primary"]},
                  "name": "people"}],
        "layout": _layout(showlegend=False, xaxis={"title": {"text": f"active {result.query.period}s"}, "dtick": 1},
                          yaxis={"title": {"text": "people"}}),
    }


def timeline(events: dict[str, list]) -> Figure:
    """A customer's events over time, one row per event name, coloured by channel."""
    channels = sorted(set(events["channel"]))
    data = []
    for channel in channels:
        picked = [i for i, c in enumerate(events["channel"]) if c == channel]
        data.append({"type": "scatter", "mode": "markers", "name": channel,
                     "x": [events["ts"][i] for i in picked], "y": [events["event"][i] for i in picked],
                     "marker": {"size": 9}})
    return {"data": data, "layout": _layout(yaxis={"automargin": True}, height=360)}


def nps_trend(result: SurveyResult) -> Figure | None:
    """NPS by period with its 95% interval as a band (None without answers)."""
    points = [p for p in result.series if p.value is not None]
    if not points:
        return None
    x = [p.period.isoformat() for p in points]
    low = [p.ci_low if p.ci_low is not None else p.value for p in points]
    high = [p.ci_high if p.ci_high is not None else p.value for p in points]
    band = {"type": "scatter", "mode": "lines", "x": x + x[::-1], "y": high + low[::-1], "fill": "toself",
            "fillcolor": "rgba(37,99,235,0.15)", "line": {"width": 0}, "name": "95% interval", "hoverinfo": "skip"}
    line = {"type": "scatter", "mode": "lines+markers", "x": x, "y": [round(p.value, 1) for p in points],
            "line": {"color": COLOURS["primary"]}, "name": "NPS",
            "text": [f"n = {p.n:,.0f}" for p in points], "hovertemplate": "%{x}: %{y} (%{text})<extra></extra>"}
    return {"data": [band, line], "layout": _layout(xaxis={"type": "category"},
                                                    yaxis={"title": {"text": "NPS"}, "range": [-100, 100]})}


def themes_by_group(result: ThemesResult) -> Figure | None:
    """For each theme, the share of detractors', passives' and promoters' comments about it."""
    if not result.themes:
        return None
    labels = [t.label for t in result.themes]
    data = [{"type": "bar", "orientation": "h", "y": labels, "name": f"{group}s", "marker": {"color": colour},
             "x": [None if getattr(t.by_group, group) is None else round(100 * getattr(t.by_group, group), 1)
                   for t in result.themes]}
            for group, colour in NPS_GROUP_COLOURS.items()]
    return {"data": data, "layout": _layout(barmode="group", xaxis={"title": {"text": "% of the group's comments"}},
                                            yaxis={"autorange": "reversed", "automargin": True},
                                            height=max(260, 60 * len(labels) + 80))}


def sentiment_trend(result: SentimentResult) -> Figure | None:
    """Mean sentiment (compound) by period, with the share of negative texts."""
    points = [p for p in result.series if p.mean is not None]
    if not points:
        return None
    x = [p.period.isoformat() for p in points]
    return {"data": [{"type": "scatter", "mode": "lines+markers", "x": x, "y": [round(p.mean, 3) for p in points],
                      "name": "mean sentiment", "line": {"color": COLOURS["primary"]}},
                     {"type": "bar", "x": x, "y": [round(100 * (p.negative_share or 0), 1) for p in points],
                      "name": "% negative", "yaxis": "y2", "marker": {"color": "rgba(220,38,38,0.35)"}}],
            "layout": _layout(margin={**_MARGIN, "r": 64}, xaxis={"type": "category"},
                              yaxis={"title": {"text": "compound"}, "range": [-1, 1]},
                              yaxis2={"title": {"text": "% negative"}, "overlaying": "y", "side": "right",
                                      "rangemode": "tozero"})}
