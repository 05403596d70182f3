"""Numbers say what happened, words say why: for a KPI that changed between two periods (or differs
in a segment), what the same customers wrote over the same days. Two sides are compared: the
range against its previous period (or a year earlier), or a saved cohort against everyone else
over the range. For each side: the KPI's value, NPS and its detractor share, the mean sentiment
and share of negative texts; and for each theme (engagekit.voc.themes, found on both sides'
texts) its share of each side's texts.

Each shift is tested: theme shares and the detractor share by the pooled two-proportion z test,
mean sentiment by Welch's test (engagekit.metrics.segments), all p-values adjusted by Holm's
method as one family. Themes are ranked by how much of the texts' change they carry: significant shifts
first, each ordered by the size of its share's change, so the first theme is the one whose rise or
fall co-occurs most with the KPI's change.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, Field

from engagekit.analyses.protocol import Project
from engagekit.config import DEFAULT_WEEK_START
from engagekit.metrics.engine import compute
from engagekit.metrics.result import MetricRow
from engagekit.metrics.scope import Scope
from engagekit.metrics.segments import DEFAULT_ALPHA, holm, two_proportion_p, welch_p
from engagekit.people.cohorts import COHORT_PREFIX, cohort_people, get_cohort
from engagekit.people.filters import parse_filter
from engagekit.people.names import NameCheck
from engagekit.people.periods import WeekStart, comparison_range
from engagekit.people.query import Name, StrictModel
from engagekit.people.ranges import DateRange
from engagekit.store import Store
from engagekit.voc.surveys import Summary, SurveyQuery, survey_result
from engagekit.voc.text_counts import DistinctText, Side, SideName, read_texts, total
from engagekit.voc.themes import FoundTheme, find_themes, verbatims
from engagekit.voc.topics import MAX_THEMES, MIN_THEMES

MAX_EXAMPLES = 5


class ExplainQuery(StrictModel):
    """A KPI's change between two periods, or its difference in a segment, next to what the same
    customers wrote."""

    kpi: Name
    range: DateRange
    compare: Literal["previous_period", "previous_year"] = "previous_period"
    segment: Name | None = Field(None, description="a saved cohort, compared with everyone else over the range "
                                                   "(instead of the range with an earlier one)")
    where: str | None = Field(None, description="filter, e.g. traits.country == 'BR'")
    sources: list[Literal["survey", "review", "social", "ticket"]] = []
    themes: int | None = Field(None, ge=MIN_THEMES, le=MAX_THEMES)
    examples: int = Field(2, ge=0, le=MAX_EXAMPLES)
    week_start: WeekStart = DEFAULT_WEEK_START


class Voice(BaseModel):
    """One side: its days, the KPI there, what its customers answered and wrote."""

    label: str
    start: date
    end: date
    kpi: float | None = None
    nps: float | None = None
    nps_answers: float = 0
    detractor_share: float | None = None  # of NPS answers
    texts: int = 0
    sentiment: float | None = None  # mean compound of the scored texts
    negative_share: float | None = None


class Shift(BaseModel):
    """A measure on both sides: focus minus base, and the test of the difference."""

    focus: float | None = None
    base: float | None = None
    change: float | None = None
    p_value: float | None = None
    adjusted_p: float | None = None  # Holm, over all the result's tests
    significant: bool = False


class ThemeShift(BaseModel):
    label: str
    keywords: list[str]
    origin: Literal["library", "found"]
    focus_count: int
    base_count: int
    focus_share: float | None  # of the side's texts
    base_share: float | None
    change: float | None  # focus share minus base share
    p_value: float | None = None
    adjusted_p: float | None = None  # Holm, over all the result's tests
    significant: bool = False
    focus_sentiment: float | None = None
    base_sentiment: float | None = None
    examples: list[str] = []  # the focus side's most written texts about it


class ExplainResult(BaseModel):
    kpi: str
    label: str
    unit: str
    mode: Literal["period", "segment"]
    focus: Voice
    base: Voice
    kpi_change: float | None = None
    kpi_relative_change: float | None = None
    worse: bool | None = None  # the KPI moved against its direction
    sentiment: Shift
    detractor_share: Shift
    themes: list[ThemeShift]
    findings: list[str] = []
    notes: list[str] = []

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"theme": t.label, "focus_share": t.focus_share, "base_share": t.base_share,
                              "change": t.change, "adjusted_p": t.adjusted_p} for t in self.themes])


def run_explain(store: Store, query: ExplainQuery, project: Project) -> ExplainResult:
    metric = project.catalog.get(query.kpi)
    names = NameCheck(project.names)
    tree = names.tree(parse_filter(query.where)) if query.where else None
    if query.segment:
        get_cohort(store, query.segment)  # an unknown cohort is a clear error
        sides = _segment_sides(store, query, project, tree)
        mode: Literal["period", "segment"] = "segment"
    else:
        sides = _period_sides(store, query, project, tree)
        mode = "period"
    focus, base, texts = sides
    found, _ = find_themes(list(texts.values()), query.themes, lambda t: t.focus.count + t.base.count)
    focus_texts, base_texts = total(list(texts.values()), "focus"), total(list(texts.values()), "base")
    themes = _theme_shifts(found, focus_texts, base_texts, query.examples)
    change = focus.kpi - base.kpi if focus.kpi is not None and base.kpi is not None else None
    worse = None if change is None or change == 0 else (change < 0) == (metric.direction == "higher")
    result = ExplainResult(
        kpi=metric.name, label=metric.label, unit=metric.unit, mode=mode, focus=focus, base=base, kpi_change=change,
        kpi_relative_change=change / abs(base.kpi) if change is not None and base.kpi else None, worse=worse,
        sentiment=_sentiment_shift(focus_texts, base_texts), detractor_share=_detractor_shift(focus, base),
        themes=themes, notes=[] if focus_texts.count or base_texts.count else ["no texts on either side"])
    _adjust(result)
    result.themes.sort(key=lambda s: (not s.significant, -abs(s.change or 0), s.label))
    result.findings = _findings(result)
    return result


def _period_sides(store: Store, query: ExplainQuery, project: Project,
                  tree: Any) -> tuple[Voice, Voice, dict[str, DistinctText]]:
    start, end = query.range.start, query.range.end
    before = comparison_range(start, end, query.compare)
    rows = compute(store, project.catalog, [query.kpi], start, end, where=query.where, compare=query.compare,
                   event_names=project.names, week_start=query.week_start).rows
    overall = next((r for r in rows if not r.segment and r.period is None), None)
    texts: dict[str, DistinctText] = {}
    for side, (a, b) in (("focus", (start, end)), ("base", before)):
        read_texts(store, project, Scope(a, b, None, (), tree, None, query.week_start), query.sources,
                   lambda row, side=side: side, texts)
    nps = {side: _nps(store, project, query, a, b) for side, (a, b) in (("focus", (start, end)), ("base", before))}
    focus = _voice(_days(start, end), start, end, overall.value if overall else None, nps["focus"], texts, "focus")
    base = _voice(_days(*before), before[0], before[1], overall.previous if overall else None,
                  nps["base"], texts, "base")
    return focus, base, texts


def _days(start: date, end: date) -> str:
    return f"{start} .. {end - timedelta(days=1)}"


def _segment_sides(store: Store, query: ExplainQuery, project: Project,
                   tree: Any) -> tuple[Voice, Voice, dict[str, DistinctText]]:
    start, end = query.range.start, query.range.end
    field = f"{COHORT_PREFIX}{query.segment}"
    rows = compute(store, project.catalog, [query.kpi], start, end, by=(field,), where=query.where,
                   event_names=project.names, week_start=query.week_start).rows
    value = {_flag(row): row.value for row in rows if row.period is None and row.segment}
    texts: dict[str, DistinctText] = {}
    read_texts(store, project, Scope(start, end, None, (field,), tree, None, query.week_start), query.sources,
               lambda row: _side(row["_by0"]), texts)
    members = cohort_people(store, query.segment)
    nps_in = _nps(store, project, query, start, end, members, keep=True)
    nps_out = _nps(store, project, query, start, end, members, keep=False)
    focus = _voice(f"cohort {query.segment}", start, end, value.get(True), nps_in, texts, "focus")
    base = _voice("everyone else", start, end, value.get(False), nps_out, texts, "base")
    return focus, base, texts


def _flag(row: MetricRow) -> bool | None:
    return _side(row.segment[0][1]) == "focus" if row.segment[0][1] is not None else None


def _side(value: Any) -> SideName | None:
    if value is None:
        return None
    return "focus" if str(value).lower() in ("true", "1") else "base"


def _nps(store: Store, project: Project, query: ExplainQuery, start: date, end: date, members: Any = None,
         keep: bool = True) -> Summary:
    if members is None:
        return survey_result(store, "nps", SurveyQuery(range=DateRange(start=start, end=end), where=query.where,
                                                       compare=None, week_start=query.week_start), project)
    field = f"{COHORT_PREFIX}{query.segment}"
    result = survey_result(store, "nps", SurveyQuery(range=DateRange(start=start, end=end), by=[field],
                                                     where=query.where, compare=None, week_start=query.week_start),
                           project)
    wanted = "focus" if keep else "base"
    return next((s for s in result.segments if _side(s.segment[field]) == wanted), Summary())


def _voice(label: str, start: date, end: date, kpi: float | None, nps: Summary, texts: dict[str, DistinctText],
           side: SideName) -> Voice:
    said = total(list(texts.values()), side)
    detractors = nps.groups.get("detractors")
    return Voice(label=label, start=start, end=end, kpi=kpi, nps=nps.value, nps_answers=nps.n,
                 detractor_share=detractors.share if detractors else None, texts=said.count, sentiment=said.mean,
                 negative_share=said.negative_share)


def _theme_shifts(found: list[FoundTheme], focus: Side, base: Side, examples: int) -> list[ThemeShift]:
    shifts = []
    for theme in found:
        a, b = total(theme.members, "focus"), total(theme.members, "base")
        share_a = a.count / focus.count if focus.count else None
        share_b = b.count / base.count if base.count else None
        tested = focus.count and base.count
        shifts.append(ThemeShift(
            label=theme.label, keywords=theme.keywords, origin=theme.origin, focus_count=a.count, base_count=b.count,
            focus_share=share_a, base_share=share_b,
            change=share_a - share_b if share_a is not None and share_b is not None else None,
            p_value=two_proportion_p(a.count, focus.count, b.count, base.count) if tested else None,
            focus_sentiment=a.mean, base_sentiment=b.mean,
            examples=verbatims([t for t in theme.members if t.focus.count], examples, _excess(focus, base))))
    return sorted(shifts, key=lambda s: (not s.significant, -abs(s.change or 0), s.label))


def _excess(focus: Side, base: Side) -> Callable[[DistinctText], float]:
    """How much more often the focus side wrote a text than the base side's rate predicts: the
    verbatims that show what changed, not the texts both sides write anyway."""
    ratio = focus.count / base.count if base.count else 0.0
    return lambda text: text.focus.count - ratio * text.base.count


def _adjust(result: ExplainResult) -> None:
    """Holm's adjustment over every test of the result (each theme, sentiment, detractor share):
    one family, so that some shift among many is not found by chance."""
    tests = [t for t in [*result.themes, result.sentiment, result.detractor_share] if t.p_value is not None]
    for test, adjusted in zip(tests, holm([t.p_value for t in tests])):
        test.adjusted_p = adjusted
        test.significant = adjusted < DEFAULT_ALPHA


def _sentiment_shift(focus: Side, base: Side) -> Shift:
    if not focus.scored or not base.scored:
        return Shift(focus=focus.mean, base=base.mean)
    p = welch_p(focus.scored, focus.compound, focus.compound_sq, base.scored, base.compound, base.compound_sq)
    return Shift(focus=focus.mean, base=base.mean, change=focus.mean - base.mean, p_value=p)


def _detractor_shift(focus: Voice, base: Voice) -> Shift:
    if focus.detractor_share is None or base.detractor_share is None:
        return Shift(focus=focus.detractor_share, base=base.detractor_share)
    p = two_proportion_p(focus.detractor_share * focus.nps_answers, focus.nps_answers,
                         base.detractor_share * base.nps_answers, base.nps_answers)
    return Shift(focus=focus.detractor_share, base=base.detractor_share,
                 change=focus.detractor_share - base.detractor_share, p_value=p)


def _findings(result: ExplainResult) -> list[str]:
    """Sentences a reader acts on, the strongest evidence first."""
    focus, base = result.focus.label, result.base.label
    found = []
    if result.kpi_change is not None:
        found.append(f"{result.label} is {_number(result.focus.kpi, result.unit)} for {focus} against "
                     f"{_number(result.base.kpi, result.unit)} "
                     f"for {base}" + (" (worse)." if result.worse else "." if result.worse is None else " (better)."))
    for theme in result.themes:
        if theme.significant and theme.change:
            verb = "more" if theme.change > 0 else "less"
            found.append(f"Customers wrote {verb} about {theme.label}: {theme.focus_share:.0%} of texts for {focus} "
                         f"against {theme.base_share:.0%} for {base} (p = {theme.adjusted_p:.3g}, Holm-adjusted).")
    shift = result.sentiment
    if shift.significant and shift.change is not None:
        found.append(f"Sentiment moved {shift.change:+.2f} ({shift.focus:+.2f} against {shift.base:+.2f}, "
                     f"p = {shift.adjusted_p:.3g}, Holm-adjusted).")
    shift = result.detractor_share
    if shift.significant and shift.change is not None:
        found.append(f"Detractors are {shift.focus:.0%} of NPS answers against {shift.base:.0%} "
                     f"(p = {shift.adjusted_p:.3g}, Holm-adjusted).")
    if len(found) <= 1 and (result.focus.texts or result.base.texts):
        found.append("What customers wrote did not change significantly: the change is not in their words "
                     f"({result.focus.texts:,} texts against {result.base.texts:,}).")
    return found


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "percent":
        return f"{value:.1%}"
    return f"{value:,.0f}" if unit == "count" else f"{value:,.2f}"

