"""The voice of the customer for the Voice page: NPS, CSAT, CES, themes by NPS group and sentiment
over the view's range and segment, and NPS and sentiment by month over the year to its end, each
run through the registry."""
from __future__ import annotations

from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from engagekit.analyses.protocol import Project
from engagekit.dashboard.data_analyses import Locked, run_analysis
from engagekit.dashboard.view import View
from engagekit.people.ranges import DateRange
from engagekit.voc.sentiment_summary import SentimentQuery, SentimentResult
from engagekit.voc.surveys import SurveyQuery, SurveyResult
from engagekit.voc.themes import ThemesQuery, ThemesResult

TOP_THEMES = 8


TREND_MONTHS = 12


@dataclass(frozen=True)
class Voice:
    nps: SurveyResult
    csat: SurveyResult
    ces: SurveyResult
    themes: ThemesResult
    sentiment: SentimentResult
    nps_trend: SurveyResult  # by month, over the twelve months to the view's end
    sentiment_trend: SentimentResult


def trend_range(view: View) -> DateRange:
    """The whole months, twelve at most, that end with the month of the view's last day."""
    last = view.last_day.replace(day=1)
    return DateRange(start=last - relativedelta(months=TREND_MONTHS - 1), end=last + relativedelta(months=1))


def voice(locked: Locked, view: View, project: Project) -> Voice:
    """The Voice page's analyses over the view's range and segment, and its trends by month."""
    common = {"range": DateRange(start=view.start, end=view.end), "cohort": view.cohort}
    trend = {"range": trend_range(view), "cohort": view.cohort, "grain": "month"}
    surveys = {name: run_analysis(locked, view, f"voc_{name}", SurveyQuery(**common), project)
               for name in ("nps", "csat", "ces")}
    themes = run_analysis(locked, view, "voc_themes", ThemesQuery(**common), project)
    sentiment = run_analysis(locked, view, "voc_sentiment", SentimentQuery(**common), project)
    return Voice(surveys["nps"], surveys["csat"], surveys["ces"],
                 themes.model_copy(update={"themes": themes.themes[:TOP_THEMES]}), sentiment,
                 run_analysis(locked, view, "voc_nps", SurveyQuery(**trend, compare=None), project),
                 run_analysis(locked, view, "voc_sentiment", SentimentQuery(**trend), project))
