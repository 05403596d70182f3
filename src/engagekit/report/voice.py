"""The voice of the customer in the reports: what the period's NPS and CSAT are with their
intervals, which themes drive detraction, how the texts feel, what customers say about support
and which detractors to call back. Every number comes from the voc analyses, as the CLI shows it."""
from __future__ import annotations

from datetime import date

from engagekit.analyses.protocol import Project
from engagekit.metrics.answers import SurveyType
from engagekit.metrics.segments import DEFAULT_ALPHA
from engagekit.people.periods import comparison_range
from engagekit.people.ranges import DateRange
from engagekit.report.parts import Section, Table
from engagekit.store import Store
from engagekit.voc.detractors import latest_detractors
from engagekit.voc.sentiment_summary import SentimentQuery, SentimentResult, run_sentiment
from engagekit.voc.surveys import SurveyQuery, SurveyResult, survey_result
from engagekit.voc.tally import interval_text, survey_value_text
from engagekit.voc.themes import Theme, ThemesQuery, ThemesResult, run_themes

THEMES_SHOWN = 5
DETRACTORS_SHOWN = 20
TOUCHPOINT = "touchpoint"
COMMENT_CHARS = 120


def voice_section(store: Store, project: Project, start: date, end: date, brief: bool = False) -> Section | None:
    """NPS and CSAT against the previous period, the first driver of detraction, the texts'
    sentiment and the themes table; `brief` (the executive's one page) keeps NPS and the driver.
    None when the period has neither answers nor texts."""
    span = DateRange(start=start, end=end)
    surveys = ("nps",) if brief else ("nps", "csat")
    found = [s for survey in surveys if (s := _survey_sentence(store, project, survey, span))]
    themes = run_themes(store, ThemesQuery(range=span, examples=0 if brief else 1, week_start=project.week_start),
                        project)
    found += [s for s in (_driver_sentence(themes), None if brief else _sentiment_sentence(store, project, span)) if s]
    if not found:
        return None
    tables = [_themes_table("Themes of what customers wrote", themes)] if themes.themes and not brief else []
    return Section("Voice of the customer", sentences=found, tables=tables, notes=[] if brief else [
        "NPS: % promoters (9-10) minus % detractors (0-6), 95% normal interval; CSAT: share satisfied "
        "(top-2-box on 1-5), Wilson interval. Themes are ranked by detractors' share minus promoters' share "
        "of comments; change is in points of all texts against the previous period."])


def support_voice_section(store: Store, project: Project, start: date, end: date) -> Section | None:
    """CSAT by touchpoint, tested against the rest, and the themes and sentiment of ticket texts."""
    span = DateRange(start=start, end=end)
    csat = survey_result(store, "csat", SurveyQuery(range=span, by=[TOUCHPOINT],
                                                     week_start=project.week_start), project)
    tickets = run_themes(store, ThemesQuery(range=span, sources=["ticket"], examples=1,
                                            week_start=project.week_start), project)
    if not csat.n and not tickets.texts:
        return None
    found, tables, notes = [], [], []
    if sentence := _survey_text("csat", csat):
        found.append(sentence)
    found += [f"CSAT at {s.segment[TOUCHPOINT]} is {survey_value_text('csat', s.value)} against "
              f"{survey_value_text('csat', s.rest_value)} elsewhere (p = {s.adjusted_p:.2g}, Holm-adjusted)."
              for s in csat.segments if s.significant and s.adjusted_p is not None]
    if len(csat.segments) > 1:
        tables.append(Table("CSAT by touchpoint", ["touchpoint", "CSAT", "95% interval", "answers"],
                            [[str(s.segment[TOUCHPOINT]), survey_value_text("csat", s.value),
                              interval_text("csat", s), f"{s.n:,.0f}"] for s in csat.segments]))
    if tickets.texts:
        found.append(f"{tickets.texts:,} tickets carry a text; {tickets.themed:,} of them are about a known theme.")
        if tickets.themes:
            tables.append(_themes_table("Themes of ticket texts", tickets))
    else:
        notes.append("No ticket of the period carries a text (properties comment, text, body or message), "
                     "so ticket themes cannot be read.")
    return Section("What customers say about support", sentences=found, tables=tables, notes=notes)


def detractors_section(store: Store, project: Project, start: date, end: date) -> Section | None:
    """The customers whose latest NPS answer of the period is a detractor's, to call back."""
    detractors = latest_detractors(store, project, start, end)
    if not detractors:
        return None
    rows = [[d.customer_id, d.answered.isoformat(), f"{d.score:g}", d.touchpoint or "-", _short(d.comment)]
            for d in detractors[:DETRACTORS_SHOWN]]
    commented = sum(1 for d in detractors if d.comment)
    text = (f"{len(detractors):,} customers' latest NPS answer of the period is a detractor's (0-6); "
            f"{commented:,} of them said why.")
    return Section("Detractors to follow up", sentences=[text],
                   tables=[Table(f"Detractors (lowest score first, first {DETRACTORS_SHOWN})",
                                 ["customer", "answered", "score", "touchpoint", "comment"], rows)],
                   notes=["A customer who answered again later in the period and is no longer a detractor "
                          "is not listed."])


def _survey_sentence(store: Store, project: Project, survey: SurveyType, span: DateRange) -> str | None:
    result = survey_result(store, survey, SurveyQuery(range=span, week_start=project.week_start), project)
    return _survey_text(survey, result)


def _survey_text(survey: SurveyType, result: SurveyResult) -> str | None:
    if not result.n or result.value is None:
        return None
    name = survey.upper()
    text = (f"{name} is {survey_value_text(survey, result.value)} (95% interval {interval_text(survey, result)}, "
            f"{result.n:,.0f} answers)")
    previous = result.previous
    if previous is None or previous.value is None:
        return text + "."
    moved = "significantly " if previous.p_value is not None and previous.p_value < DEFAULT_ALPHA else ""
    verb = "up" if result.value > previous.value else "down" if result.value < previous.value else "level"
    tested = f", p = {previous.p_value:.2g}" if previous.p_value is not None else ""
    return (f"{text}, {moved}{verb} from {survey_value_text(survey, previous.value)} the period before "
            f"({previous.n:,.0f} answers{tested}).")


def _driver_sentence(themes: ThemesResult) -> str | None:
    drivers = [t for t in themes.themes if t.detraction is not None and t.detraction > 0]
    if not drivers:
        return None
    first = drivers[0]
    shares = first.by_group
    example = f' One of them: "{_short(first.examples[0])}"' if first.examples else ""
    return (f"Detractors most often write about {first.label}: {_share(shares.detractor)} of detractors' comments, "
            f"{_share(shares.passive)} of passives' and {_share(shares.promoter)} of promoters'.{example}")


def _sentiment_sentence(store: Store, project: Project, span: DateRange) -> str | None:
    now = run_sentiment(store, SentimentQuery(range=span, week_start=project.week_start), project)
    if now.mean is None:
        return None
    earlier = comparison_range(span.start, span.end, "previous_period")
    before = run_sentiment(store, SentimentQuery(range=DateRange(start=earlier[0], end=earlier[1]),
                                                 week_start=project.week_start), project)
    text = (f"The {now.scored:,} texts customers wrote average {now.mean:+.2f} sentiment (VADER compound, -1..1), "
            f"{_share(now.negative_share)} negative")
    return text + (f", against {before.mean:+.2f} and {_share(before.negative_share)} the period before."
                   if before.mean is not None else ".") + _worst_source(now)


def _worst_source(result: SentimentResult) -> str:
    sources = [s for s in result.sources if s.negative_share is not None]
    if len(sources) < 2:
        return ""
    worst = max(sources, key=lambda s: s.negative_share)
    return f" The most negative source is {worst.segment['source']} ({_share(worst.negative_share)} negative)."


def _themes_table(title: str, result: ThemesResult) -> Table:
    columns = ["theme", "texts", "detractors", "passives", "promoters", "sentiment", "change", "example"]
    return Table(title, columns, [_theme_row(t) for t in result.themes[:THEMES_SHOWN]])


def _theme_row(theme: Theme) -> list[str]:
    groups = theme.by_group
    return [theme.label, f"{theme.count:,}", _share(groups.detractor), _share(groups.passive), _share(groups.promoter),
            "-" if theme.sentiment is None else f"{theme.sentiment:+.2f}",
            "-" if theme.change is None else f"{theme.change * 100:+.1f} pts",
            _short(theme.examples[0]) if theme.examples else ""]


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _short(text: str | None) -> str:
    if not text:
        return ""
    return text if len(text) <= COMMENT_CHARS else text[:COMMENT_CHARS - 1].rstrip() + "…"
