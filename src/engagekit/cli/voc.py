"""`engagekit voc`: the voice of the customer: survey metrics (nps, csat, ces) read the standard
way with their intervals, breakdowns and comparison, the sentiment of every text and its themes."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, Optional

import typer
from pydantic import BaseModel, ValidationError
from rich.markup import escape
from rich.table import Table

from engagekit.cli.context import STATE, console, print_json
from engagekit.cli.format import print_names
from engagekit.cli.options import CohortOption, date_range, query_error
from engagekit.metrics.display import sparkline
from engagekit.registry import get
from engagekit.voc.explain import ExplainQuery, ExplainResult, Voice
from engagekit.voc.sentiment import sentiment_of
from engagekit.voc.sentiment_summary import Mood, SentimentQuery, SentimentResult, stored_range
from engagekit.voc.surveys import SurveyQuery, SurveyResult
from engagekit.voc.tally import Summary, interval_text, survey_value_text
from engagekit.voc.themes import ThemesQuery, ThemesResult

app = typer.Typer(help="Voice of the customer: NPS, CSAT and CES, the sentiment and themes of what customers write.", no_args_is_help=True)

FromOption = Annotated[Optional[str], typer.Option("--from", help="First day, YYYY-MM-DD (inclusive).")]
ToOption = Annotated[Optional[str], typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive; default yesterday).")]
PeriodOption = Annotated[Optional[str], typer.Option("--period", help="A month, YYYY-MM (instead of --from/--to).")]
ByOption = Annotated[Optional[list[str]], typer.Option("--by", help="Break down by touchpoint, channel, a trait, properties.X or cohort:NAME; repeat for more.")]
GrainOption = Annotated[Optional[str], typer.Option("--grain", help="day, week, month or quarter: a series of periods.")]
WhereOption = Annotated[Optional[str], typer.Option("--where", help="Filter, e.g. \"traits.country == 'BR'\".")]
CompareOption = Annotated[str, typer.Option("--compare", help="previous_period, previous_year or none.")]
WeekStartOption = Annotated[Optional[str], typer.Option("--week-start", help="sunday or monday (default: engagekit.yaml).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print as JSON.")]


def answer(analysis: str, build: Callable[[], BaseModel], as_json: bool, show: Callable[[Any], None]) -> None:
    """Build the query (a bad one is a user error naming its field), run the registered analysis,
    print its JSON or `show` it."""
    try:
        query = build()
    except ValidationError as exc:
        raise query_error(exc) from exc
    result = get(analysis).answer(STATE.store(), query, STATE.project())
    if as_json:
        print_json(result.to_dict())
        return
    show(result)


def survey_query(period: str | None, from_: str | None, to: str | None, by: list[str] | None, grain: str | None,
                 where: str | None, compare: str, cohort: str | None, scale: str | None,
                 week_start: str | None) -> SurveyQuery:
    return SurveyQuery(range=date_range(period, from_, to), by=by or [], grain=grain, where=where,
                       compare=None if compare == "none" else compare, cohort=cohort, scale=scale,
                       week_start=week_start or STATE.settings.week_start)


def _shares(summary: Summary) -> str:
    return "  ".join(f"{name} {group.share:.0%}" for name, group in summary.groups.items() if group.share is not None)


def print_survey(result: SurveyResult) -> None:
    survey = result.survey
    title = f"{survey.upper()} {result.start} .. {result.end - timedelta(days=1)}" + (f" on {result.scale}" if result.scale else "")
    table = Table(title=title)
    for name in ("", "value", "95% interval", "answers", "groups"):
        table.add_column(name, justify="left" if name in ("", "groups") else "right")
    table.add_row("all", survey_value_text(survey, result.value), interval_text(survey, result), f"{result.n:,.0f}", _shares(result))
    if result.previous is not None:
        previous = result.previous
        change = "" if previous.change is None else f" (change {previous.change:+.3g}" + (
            f", p={previous.p_value:.3f})" if previous.p_value is not None else ")")
        table.add_row(f"{previous.start} .. {previous.end - timedelta(days=1)}", survey_value_text(survey, previous.value) + change,
                      interval_text(survey, previous), f"{previous.n:,.0f}", _shares(previous))
    console.print(table)
    if result.reason:
        console.print(f"[yellow]no value:[/] {escape(result.reason)}", highlight=False)
    if result.segments:
        print_segments(result)
    if result.series:
        values = [period.value for period in result.series]
        console.print(f"by {result.series[0].period} ..: {sparkline(values)}  "
                      + "  ".join(f"{p.period}: {survey_value_text(survey, p.value)}" for p in result.series), highlight=False)
    if result.excluded.count:
        reasons = ", ".join(f"{reason} ({count:,.0f})" for reason, count in result.excluded.reasons.items())
        console.print(f"[yellow]left out:[/] {result.excluded.count:,.0f} answers: {escape(reasons)}", highlight=False)
    print_names(result.names, result.notes)


def print_segments(result: SurveyResult) -> None:
    survey = result.survey
    table = Table(title=f"by {', '.join(result.by)} (against the rest, Holm-adjusted)")
    for name in ("segment", "value", "95% interval", "answers", "rest", "p", ""):
        table.add_column(name, justify="left" if name in ("segment", "") else "right")
    for segment in result.segments:
        label = ", ".join("-" if value is None else str(value) for value in segment.segment.values())
        table.add_row(escape(label), survey_value_text(survey, segment.value), interval_text(survey, segment), f"{segment.n:,.0f}",
                      survey_value_text(survey, segment.rest_value),
                      "-" if segment.adjusted_p is None else f"{segment.adjusted_p:.3f}",
                      "[bold]significant[/]" if segment.significant else "")
    console.print(table)


ScaleOption = Annotated[Optional[str], typer.Option("--scale", help="The scale whose mean is the value, e.g. 1-7 (default: the most answered).")]


@app.command("nps")
def nps(period: PeriodOption = None, from_: FromOption = None, to: ToOption = None, by: ByOption = None,
        grain: GrainOption = None, where: WhereOption = None, compare: CompareOption = "previous_period",
        cohort: CohortOption = None, week_start: WeekStartOption = None, as_json: JsonOption = False) -> None:
    """Net Promoter Score: promoters (9-10) minus detractors (0-6), -100..100, with its 95% interval."""
    answer("voc_nps", lambda: survey_query(period, from_, to, by, grain, where, compare, cohort, None, week_start),
           as_json, print_survey)


@app.command("csat")
def csat(period: PeriodOption = None, from_: FromOption = None, to: ToOption = None, by: ByOption = None,
         grain: GrainOption = None, where: WhereOption = None, compare: CompareOption = "previous_period",
         cohort: CohortOption = None, week_start: WeekStartOption = None, as_json: JsonOption = False) -> None:
    """Customer satisfaction: the share of satisfied answers (4-5 on 1-5, the top box elsewhere)."""
    answer("voc_csat", lambda: survey_query(period, from_, to, by, grain, where, compare, cohort, None, week_start),
           as_json, print_survey)


@app.command("ces")
def ces(period: PeriodOption = None, from_: FromOption = None, to: ToOption = None, by: ByOption = None,
        grain: GrainOption = None, where: WhereOption = None, compare: CompareOption = "previous_period",
        cohort: CohortOption = None, scale: ScaleOption = None, week_start: WeekStartOption = None,
        as_json: JsonOption = False) -> None:
    """Customer effort score: the mean answer on its scale and the share that agrees it was easy."""
    answer("voc_ces", lambda: survey_query(period, from_, to, by, grain, where, compare, cohort, scale, week_start),
           as_json, print_survey)


@app.command("sentiment")
def sentiment(text: Annotated[Optional[str], typer.Option("--text", help="Score this text instead of reading the stored ones.")] = None,
              period: PeriodOption = None, from_: FromOption = None, to: ToOption = None, by: ByOption = None,
              grain: Annotated[Optional[str], typer.Option("--grain", help="day, week, month or quarter (default month).")] = "month",
              where: WhereOption = None, cohort: CohortOption = None, week_start: WeekStartOption = None,
              as_json: JsonOption = False) -> None:
    """Sentiment (VADER compound, -1..1; positive from +0.05, negative to -0.05) of one text, or of
    the stored survey comments, reviews, mentions and ticket texts by period and source."""
    if text is not None:
        scores = sentiment_of(text)
        if as_json:
            print_json({"text": text, **dataclasses.asdict(scores)})
            return
        console.print(f"{scores.label} (compound {scores.compound:+.3f}; positive {scores.positive:.0%}, "
                      f"neutral {scores.neutral:.0%}, negative {scores.negative:.0%})", highlight=False)
        return
    answer("voc_sentiment", lambda: SentimentQuery(
        range=date_range(period, from_, to, required=False) or stored_range(STATE.store()), by=by or [],
        grain=grain, where=where, cohort=cohort, week_start=week_start or STATE.settings.week_start),
        as_json, print_sentiment)


def _mood_row(label: str, mood: Mood) -> list[str]:
    if mood.mean is None:
        return [escape(label), f"{mood.texts:,}", "-", "-", "-", "-"]
    return [escape(label), f"{mood.texts:,}", f"{mood.mean:+.3f}", f"{mood.negative_share:.0%}",
            f"{mood.neutral_share:.0%}", f"{mood.positive_share:.0%}"]


def print_sentiment(result: SentimentResult) -> None:
    table = Table(title=f"Sentiment of texts {result.start} .. {result.end - timedelta(days=1)}")
    for name in ("", "texts", "mean", "negative", "neutral", "positive"):
        table.add_column(name, justify="left" if not name else "right")
    table.add_row(*_mood_row("all", result))
    for group in result.sources + result.segments:
        table.add_row(*_mood_row(", ".join(f"{k}={v}" for k, v in group.segment.items()), group))
    for rating in result.ratings:
        table.add_row(*_mood_row(f"reviews of {rating.rating:g} stars", rating))
    console.print(table)
    if result.series:
        console.print("mean by period: " + sparkline([p.mean for p in result.series]) + "  " + "  ".join(
            f"{p.period}: {'-' if p.mean is None else f'{p.mean:+.2f}'}" for p in result.series), highlight=False)
    if result.rating_correlation is not None:
        console.print(f"review rating vs text sentiment: Pearson r = {result.rating_correlation:.2f}", highlight=False)
    if result.reason:
        console.print(f"[yellow]no value:[/] {escape(result.reason)}", highlight=False)
    print_names(result.names, result.notes)


SourceOption = Annotated[Optional[list[str]], typer.Option("--source", help="survey, review, social or ticket; repeat for more (default all).")]


@app.command("themes")
def themes(period: PeriodOption = None, from_: FromOption = None, to: ToOption = None, source: SourceOption = None,
           count: Annotated[Optional[int], typer.Option("--themes", help="Themes to find beyond the library's (default: the most coherent number).")] = None,
           examples: Annotated[int, typer.Option("--examples", help="Example verbatims per theme.")] = 3,
           compare: CompareOption = "previous_period", where: WhereOption = None, cohort: CohortOption = None,
           week_start: WeekStartOption = None, as_json: JsonOption = False) -> None:
    """What customers write about, ranked as drivers of detraction: each theme's volume, the share
    of detractors', passives' and promoters' comments about it, its sentiment and verbatims."""
    answer("voc_themes", lambda: ThemesQuery(
        range=date_range(period, from_, to), sources=source or [], themes=count, examples=examples,
        compare=None if compare == "none" else compare, where=where, cohort=cohort,
        week_start=week_start or STATE.settings.week_start), as_json, print_themes)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def print_themes(result: ThemesResult) -> None:
    title = f"Themes of {result.texts:,} texts {result.start} .. {result.end - timedelta(days=1)} (drivers of detraction first)"
    table = Table(title=title)
    for name in ("theme", "texts", "detractors", "passives", "promoters", "sentiment", "change", "example"):
        table.add_column(name, justify="left" if name in ("theme", "example") else "right")
    for theme in result.themes:
        change = "-" if theme.change is None else f"{theme.change * 100:+.1f} pts"
        table.add_row(escape(theme.label), f"{theme.count:,}", _share(theme.by_group.detractor),
                      _share(theme.by_group.passive), _share(theme.by_group.promoter),
                      "-" if theme.sentiment is None else f"{theme.sentiment:+.2f}", change,
                      escape(theme.examples[0]) if theme.examples else "")
    console.print(table)
    groups = ", ".join(f"{count:,} {group}s" for group, count in result.group_comments.items())
    console.print(f"NPS comments: {groups}; {result.themed:,} of {result.texts:,} texts are about a theme", highlight=False)
    for note in result.notes:
        console.print(f"[yellow]{escape(note)}[/]", highlight=False)


@app.command("explain")
def explain(kpi: Annotated[str, typer.Argument(help="The KPI whose change to explain, e.g. orders or nps.")],
            period: PeriodOption = None, from_: FromOption = None, to: ToOption = None,
            compare: Annotated[str, typer.Option("--compare", help="previous_period or previous_year.")] = "previous_period",
            segment: Annotated[Optional[str], typer.Option("--segment", help="A saved cohort to compare with everyone else over the range (instead of periods).")] = None,
            where: WhereOption = None, source: SourceOption = None,
            examples: Annotated[int, typer.Option("--examples", help="Example verbatims per theme.")] = 2,
            week_start: WeekStartOption = None, as_json: JsonOption = False) -> None:
    """Why a KPI changed: its value on both sides (the range and the period before, or a cohort and
    everyone else) next to what the same customers wrote: themes that rose or fell, sentiment and
    detractor share, each tested."""
    answer("voc_explain", lambda: ExplainQuery(
        kpi=kpi, range=date_range(period, from_, to), compare=compare, segment=segment, where=where,
        sources=source or [], examples=examples, week_start=week_start or STATE.settings.week_start),
        as_json, print_explain)


def _side_row(label: str, voice: Voice, unit: str) -> list[str]:
    if voice.kpi is None:
        kpi = "-"
    elif unit == "percent":
        kpi = f"{voice.kpi:.1%}"
    else:
        kpi = f"{voice.kpi:,.0f}" if float(voice.kpi).is_integer() else f"{voice.kpi:,.2f}"
    return [escape(label), kpi, survey_value_text("nps", voice.nps), _share(voice.detractor_share), f"{voice.texts:,}",
            "-" if voice.sentiment is None else f"{voice.sentiment:+.2f}", _share(voice.negative_share)]


def print_explain(result: ExplainResult) -> None:
    table = Table(title=f"{result.label}: {result.focus.label} against {result.base.label}")
    for name in ("", result.kpi, "NPS", "detractors", "texts", "sentiment", "negative"):
        table.add_column(name, justify="left" if not name else "right")
    table.add_row(*_side_row(result.focus.label, result.focus, result.unit))
    table.add_row(*_side_row(result.base.label, result.base, result.unit))
    console.print(table)
    themes = Table(title="Themes, by how much their share moved (significant first)")
    for name in ("theme", "focus", "base", "change", "p (Holm)", "", "example"):
        themes.add_column(name, justify="left" if name in ("theme", "", "example") else "right")
    for theme in result.themes:
        themes.add_row(escape(theme.label), _share(theme.focus_share), _share(theme.base_share),
                       "-" if theme.change is None else f"{theme.change * 100:+.1f} pts",
                       "-" if theme.adjusted_p is None else f"{theme.adjusted_p:.3g}",
                       "[bold]significant[/]" if theme.significant else "",
                       escape(theme.examples[0]) if theme.examples else "")
    console.print(themes)
    for finding in result.findings:
        console.print(f"- {escape(finding)}", highlight=False)
    for note in result.notes:
        console.print(f"[yellow]{escape(note)}[/]", highlight=False)
