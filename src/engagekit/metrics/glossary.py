"""docs/kpis.md, generated from the catalog: every KPI's meaning, formula, measures and sources."""
from __future__ import annotations

from engagekit.metrics.catalog import Catalog
from engagekit.metrics.spec import (
    ACTIVE_EVENTS,
    REPEAT_MIN_COUNT,
    ActivePeople,
    ActiveShare,
    EventRef,
    Kind,
    Measure,
    Metric,
    Pairing,
    Returning,
    TimeBetween,
)

STAGE_ORDER = ("acquisition", "purchase", "onboarding", "adoption", "escalation", "retention", "advocacy", "healthcare")
HEADER = """# KPI glossary

Generated from the built-in catalog (`src/engagekit/metrics/catalog/*.yaml`) by
`engagekit metrics glossary --out docs/kpis.md`; a test keeps it current. Rates are fractions
shown as percentages. Periods are half-open ranges [start, end) of days in the project's time zone
(`timezone`, UTC by default); weeks start on the project's `week_start` (Sunday by default), as
in the analyses. Every KPI can be read by period (`--grain`), by segment (`--by`), against the
previous period (`--compare`) and its target.
"""


def describe_measure(measure: Measure) -> str:
    """A measure in words: what is aggregated, over which rows."""
    what = {
        "count": "number of rows",
        "distinct": f"distinct {measure.column or 'people'}",
        "sum": f"sum of {measure.column}",
        "mean": f"mean of {measure.column}",
        "median": f"median of {measure.column}",
        "percentile": f"{measure.q:.0%} percentile of {measure.column}" if measure.q else "percentile",
        "min": f"minimum of {measure.column}",
        "max": f"maximum of {measure.column}",
    }[measure.agg.value]
    rows = measure.source.value
    if measure.events:
        rows = f"{rows} {', '.join(measure.events)}"
    if measure.where:
        rows += f" where {measure.where}"
    window = " before the period's end" if measure.window == "to_date" else " in the period"
    return f"{what} of {rows}{window}"


def describe_pairing(pairing: Pairing) -> str:
    """A pairing in words: its start and end events, its key and which starts count."""
    def event(ref: EventRef) -> str:
        return ref.event + (f" where {ref.where}" if ref.where else "")

    key = pairing.key if isinstance(pairing.key, str) else f"({', '.join(pairing.key)})"
    words = f"from {event(pairing.start)} to the next {event(pairing.end)} of the same {key}"
    if pairing.first_only:
        words += f", the first {pairing.start.event} of each {key} only"
    if pairing.since is not None:
        words += f", within {pairing.since.within_days:g} days after the person's first {pairing.since.event}"
    return words


def describe_active(events: tuple[str, ...]) -> str:
    """The events that make people active, when a KPI names its own."""
    return "" if events == ACTIVE_EVENTS else f" (active: {', '.join(events)})"


def describe_active_people(spec: ActivePeople) -> str:
    words = f"average distinct active people per whole {spec.window} of the period"
    if spec.over:
        words += f" / the same per whole {spec.over}"
    return words + describe_active(spec.active_events)


def describe_active_share(spec: ActiveShare) -> str:
    if spec.among == "customers":
        return "customers active in the period / customers to date" + describe_active(spec.active_events)
    who = "active customers" if spec.customers_only else "active people"
    return f"{who} who did {' or '.join(spec.doing)} / {who} of the period" + describe_active(spec.active_events)


RETURNING_WORDS = {
    "first_time": "people who did {events} for the first time ever in the period",
    "returning": "people who did {events} in the period and had before it / people who did {events} in it",
    "retained": "people who did {events} in the period before and again in this one / those of the period before",
    "lapsed": "people who did {events} in the period before and not in this one / those of the period before",
    "repeat": "people who did {events} at least {min_count} times in the period / people who did it at all",
}


def describe_returning(spec: Returning) -> str:
    return RETURNING_WORDS[spec.who].format(events=" or ".join(spec.events), min_count=spec.min_count or REPEAT_MIN_COUNT)


def _entry(metric: Metric) -> list[str]:
    lines = [f"### `{metric.name}`: {metric.label}" + (" (vanity metric)" if metric.vanity else ""), "",
             metric.description, "", f"- **Formula:** {metric.formula}"]
    if metric.kind == Kind.VALUE:
        lines.append(f"- **Value:** {describe_measure(metric.measure)}")
    elif metric.kind == Kind.RATIO:
        lines.append(f"- **Numerator:** {describe_measure(metric.numerator)}")
        lines.append(f"- **Denominator:** {describe_measure(metric.denominator)} (no value when it is zero)")
        if metric.complement:
            lines.append("- **Reported as:** 1 - numerator / denominator")
        if metric.scale != 1:
            lines.append(f"- **Scale:** x {metric.scale:g}")
    elif metric.kind == Kind.TIME_BETWEEN:
        timing: TimeBetween = metric.time_between
        lines.append(f"- **Time between:** {timing.agg} {timing.unit} {describe_pairing(timing)}")
    elif metric.kind == Kind.FOLLOWED_RATE:
        lines.append(f"- **Followed rate:** share of the start events followed, {describe_pairing(metric.followed_rate)}")
    elif metric.kind == Kind.ACTIVE_PEOPLE:
        lines.append(f"- **Active people:** {describe_active_people(metric.active_people)}")
    elif metric.kind == Kind.ACTIVE_SHARE:
        lines.append(f"- **Active share:** {describe_active_share(metric.active_share)}")
    elif metric.kind == Kind.RETURNING:
        lines.append(f"- **Returning:** {describe_returning(metric.returning)}")
    else:
        params = ", ".join(f"{k}={v}" for k, v in sorted(metric.params.items()))
        lines.append(f"- **Computed by:** `{metric.function}`" + (f" ({params})" if params else ""))
    lines.append(f"- **Population:** {metric.population}; **unit:** {metric.unit}; **better when:** {metric.direction}")
    if set(metric.industries) != {"ecommerce", "saas", "media", "healthcare", "services"}:
        lines.append(f"- **Industries:** {', '.join(metric.industries)}")
    for label, ref in (("Target", metric.target), ("Benchmark", metric.benchmark)):
        if ref is not None:
            lines.append(f"- **{label}:** {ref.value:g} (source: {ref.source})")
    return lines + [""]


def render_glossary(catalog: Catalog) -> str:
    """The glossary as Markdown, one section per journey stage (a KPI appears under its first stage)."""
    lines = [HEADER]
    for stage in STAGE_ORDER:
        metrics = [m for m in catalog.metrics.values() if m.stages[0] == stage]
        if not metrics:
            continue
        lines += [f"## {stage.capitalize()}", ""]
        for metric in sorted(metrics, key=lambda m: m.name):
            lines += _entry(metric)
    return "\n".join(lines).rstrip() + "\n"
