"""The voice-of-the-customer analyses as the registry knows them: their read-API routes and the
dashboard's data layer come from here; their commands are the `engagekit voc` group (cli/voc.py)."""
from __future__ import annotations

from typing import Any

from engagekit.analyses.protocol import Analysis, Project
from engagekit.metrics.answers import SurveyType
from engagekit.store import Store
from engagekit.voc.explain import ExplainQuery, ExplainResult, run_explain
from engagekit.voc.sentiment_summary import SentimentQuery, SentimentResult, run_sentiment
from engagekit.voc.surveys import SurveyQuery, SurveyResult, survey_result
from engagekit.voc.themes import ThemesQuery, ThemesResult, run_themes


def _runner(survey: SurveyType) -> Any:
    def run(store: Store, query: SurveyQuery, project: Project) -> SurveyResult:
        return survey_result(store, survey, query, project)
    return run


ANALYSES: tuple[Analysis[Any, Any], ...] = (
    Analysis(name="voc_nps", summary="Net Promoter Score: promoters 9-10 minus detractors 0-6, with its 95% interval.",
             query=SurveyQuery, result=SurveyResult, run=_runner("nps"), route="/voc/nps", group="voc"),
    Analysis(name="voc_csat", summary="Customer satisfaction: the share of satisfied answers (top-2-box on 1-5).",
             query=SurveyQuery, result=SurveyResult, run=_runner("csat"), route="/voc/csat", group="voc"),
    Analysis(name="voc_ces", summary="Customer effort score: the mean answer and the share that agrees it was easy.",
             query=SurveyQuery, result=SurveyResult, run=_runner("ces"), route="/voc/ces", group="voc"),
    Analysis(name="voc_sentiment", summary="Sentiment of the stored texts (VADER): mean, shares by label, by source and period.",
             query=SentimentQuery, result=SentimentResult, run=run_sentiment, route="/voc/sentiment", group="voc"),
    Analysis(name="voc_themes", summary="Themes of the stored texts ranked as drivers of detraction, with NPS group shares.",
             query=ThemesQuery, result=ThemesResult, run=run_themes, route="/voc/themes", group="voc"),
    Analysis(name="voc_explain", summary="A KPI's change between periods or in a segment next to the themes, sentiment "
                                         "and detractor share of the same customers.",
             query=ExplainQuery, result=ExplainResult, run=run_explain, route="/voc/explain", group="voc"),
)
