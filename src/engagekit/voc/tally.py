"""Counted answers -> survey summaries: each answer read on its own scale (engagekit.metrics.answers),
answers that cannot be read counted with their reason, and the summary of a set of answers with
its 95% interval (engagekit.voc.intervals)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pydantic import BaseModel

from engagekit.config import SurveySettings
from engagekit.metrics.answers import GROUPS, SurveyType, read_answer
from engagekit.voc.intervals import mean_interval, nps_interval, nps_standard_error, wilson


@dataclass
class Tally:
    """The readable answers of one survey type on one scale (and one period and segment)."""

    n: float = 0.0
    total: float = 0.0  # sum of scores
    squares: float = 0.0  # sum of squared scores
    groups: Counter = field(default_factory=Counter)

    def add(self, score: float, count: float, group: str) -> None:
        self.n += count
        self.total += score * count
        self.squares += score * score * count
        self.groups[group] += count

    def merge(self, other: Tally) -> None:
        self.n += other.n
        self.total += other.total
        self.squares += other.squares
        self.groups.update(other.groups)


@dataclass
class Tallies:
    """Every scale's tally of one group of answers, and the answers left out by reason."""

    scales: dict[str, Tally] = field(default_factory=dict)
    excluded: Counter = field(default_factory=Counter)
    lower: dict[str, bool] = field(default_factory=dict)  # CES: scale -> read as effort (lower is better)

    def add(self, row: dict, survey: SurveyType, settings: SurveySettings) -> None:
        """One counted row of engagekit.voc.answers."""
        read = read_answer(survey, row["_scale"], row["_score"], row["_lower"], settings)
        if isinstance(read, str):
            self.excluded[read] += row["answers"]
            return
        scale, score, group, lower = read
        self.scales.setdefault(scale, Tally()).add(score, row["answers"], group)
        self.lower[scale] = self.lower.get(scale, False) or lower

    def merge(self, other: Tallies) -> None:
        for scale, tally in other.scales.items():
            self.scales.setdefault(scale, Tally()).merge(tally)
        self.excluded.update(other.excluded)
        for scale, lower in other.lower.items():
            self.lower[scale] = self.lower.get(scale, False) or lower


class GroupShare(BaseModel):
    """One group of answers (promoters, satisfied, agree, ...): how many and their share."""

    count: float
    share: float | None


class Summary(BaseModel):
    """One survey metric over a set of answers: NPS on -100..100, CSAT as a share 0..1, CES as
    the mean on its scale with the share that agrees; no value (and the reason) without answers."""

    scale: str | None = None
    value: float | None = None
    n: float = 0
    ci_low: float | None = None
    ci_high: float | None = None
    standard_error: float | None = None
    groups: dict[str, GroupShare] = {}
    agree_share: float | None = None  # CES only
    lower_is_better: bool | None = None  # CES only: the scale asks for effort
    reason: str | None = None


def survey_value_text(survey: SurveyType, value: float | None) -> str:
    """A survey value as people read it: NPS signed to one decimal, CSAT a percent, CES a mean."""
    if value is None:
        return "-"
    if survey == "nps":
        return f"{value:+.1f}"
    return f"{value:.1%}" if survey == "csat" else f"{value:.2f}"


def interval_text(survey: SurveyType, summary: Summary) -> str:
    """The 95% interval of a summary, "low .. high", or "-" without one."""
    if summary.ci_low is None or summary.ci_high is None:
        return "-"
    return f"{survey_value_text(survey, summary.ci_low)} .. {survey_value_text(survey, summary.ci_high)}"


def summarize(survey: SurveyType, tally: Tally, scale: str | None, lower: bool | None = None) -> Summary:
    """The survey metric of `tally` with its interval (engagekit.voc.intervals)."""
    n = tally.n
    groups = {name: GroupShare(count=tally.groups[name], share=tally.groups[name] / n if n else None)
              for name in GROUPS[survey]}
    if not n:
        return Summary(scale=scale, groups=groups, reason=f"no {survey.upper()} answers in the range", lower_is_better=lower)
    if survey == "nps":
        promoters, detractors = tally.groups["promoters"], tally.groups["detractors"]
        low, high = nps_interval(promoters, detractors, n)
        return Summary(scale=scale, value=100 * (promoters - detractors) / n, n=n, ci_low=low, ci_high=high,
                       standard_error=nps_standard_error(promoters, detractors, n), groups=groups)
    if survey == "csat":
        satisfied = tally.groups["satisfied"]
        low, high = wilson(satisfied, n)
        return Summary(scale=scale, value=satisfied / n, n=n, ci_low=low, ci_high=high,
                       standard_error=(satisfied / n * (1 - satisfied / n) / n) ** 0.5, groups=groups)
    low, high = mean_interval(n, tally.total, tally.squares)
    variance = max((tally.squares - tally.total ** 2 / n) / (n - 1), 0.0) if n > 1 else None
    return Summary(scale=scale, value=tally.total / n, n=n, ci_low=low, ci_high=high,
                   standard_error=(variance / n) ** 0.5 if variance is not None else None, groups=groups,
                   agree_share=tally.groups["agree"] / n, lower_is_better=lower)


def headline(survey: SurveyType, tallies: Tallies, scale: str | None = None) -> Summary:
    """The summary a result leads with: for NPS and CSAT all answers (groups and shares read alike
    on every scale); for CES the mean on `scale`, else on the scale with the most answers (a mean
    is only read on one scale)."""
    if survey != "ces":
        total = Tally()
        for tally in tallies.scales.values():
            total.merge(tally)
        return summarize(survey, total, ", ".join(sorted(tallies.scales)) or None)
    chosen = scale if scale is not None else max(tallies.scales, key=lambda s: tallies.scales[s].n, default=None)
    tally = tallies.scales.get(chosen, Tally()) if chosen else Tally()
    return summarize(survey, tally, chosen, tallies.lower.get(chosen) if chosen else None)


def by_scale(survey: SurveyType, tallies: Tallies) -> list[Summary]:
    """One summary per scale as stored."""
    return [summarize(survey, tally, scale, tallies.lower.get(scale) if survey == "ces" else None)
            for scale, tally in sorted(tallies.scales.items())]
