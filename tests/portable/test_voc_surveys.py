"""NPS, CSAT and CES (engagekit.voc.surveys) on small answer sets worked out by hand, on every engine."""
from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from engagekit.analyses.protocol import Project
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.people.ranges import DateRange
from engagekit.store import Store
from engagekit.voc.surveys import SurveyQuery, survey_result
from tests.conftest import write

OCTOBER = DateRange(start=date(2024, 10, 1), end=date(2024, 11, 1))
HEADER = "timestamp,event,userId,survey,score,scale,touchpoint,lower_is_better"


def answer(day: int, user: str, survey: str, score: int, scale: str, touchpoint: str = "support", lower: str = "",
           month: int = 10) -> str:
    return f"2024-{month:02d}-{day:02d}T10:00:00Z,survey_responded,{user},{survey},{score},{scale},{touchpoint},{lower}"


ROWS = [
    # NPS on 0-10: promoters 10, 10, 10, 9, 9; passives 8, 7; detractors 6, 3, 0 (n = 10).
    *(answer(2 + i, f"n{i}", "nps", score, "0-10") for i, score in enumerate([10, 10, 10, 9, 9, 8, 7, 6, 3, 0])),
    # CSAT: on 1-5 top-2-box 5, 5, 4 satisfied, 3, 2 not; on 1-10 the top box 10 satisfied, 9 not;
    # on 1-7 the top box 7 satisfied -> satisfied 5 of 8.
    *(answer(3 + i, f"s{i}", "csat", score, "1-5") for i, score in enumerate([5, 5, 4, 3, 2])),
    answer(10, "s5", "csat", 10, "1-10"), answer(11, "s6", "csat", 9, "1-10"), answer(12, "s7", "csat", 7, "1-7"),
    # CES 2.0 on 1-7: 7, 6, 5, 4, 2 (agree 5-7: 3 of 5); legacy effort on 1-5, lower is better: 1, 2, 3
    # (agree, i.e. low effort, below the midpoint 3: 2 of 3).
    *(answer(4 + i, f"e{i}", "ces", score, "1-7") for i, score in enumerate([7, 6, 5, 4, 2])),
    *(answer(14 + i, f"l{i}", "ces", score, "1-5", lower="true") for i, score in enumerate([1, 2, 3])),
    # September (a month's previous period is the month before): NPS 10, 0, 0, 0 -> -50.
    *(answer(10 + i, f"p{i}", "nps", score, "0-10", month=9) for i, score in enumerate([10, 0, 0, 0])),
]


@pytest.fixture
def answers(store: Store, tmp_path: Path) -> Store:
    ingest_file(store, write(tmp_path / "answers.csv", "\n".join([HEADER, *ROWS]) + "\n"), IngestOptions(), Vocabulary())
    return store


def test_nps_groups_value_and_interval(answers: Store) -> None:
    result = survey_result(answers, "nps", SurveyQuery(range=OCTOBER), Project())
    assert result.n == 10
    assert {name: g.count for name, g in result.groups.items()} == {"promoters": 5, "passives": 2, "detractors": 3}
    assert result.value == pytest.approx(20.0)  # 100 x (5 - 3) / 10
    # SE = 100 x sqrt((p + d - (p - d)^2) / n) = 100 x sqrt((0.5 + 0.3 - 0.04) / 10) = 27.568
    se = 100 * math.sqrt(0.76 / 10)
    assert result.standard_error == pytest.approx(se)
    assert (result.ci_low, result.ci_high) == (pytest.approx(20 - 1.959964 * se), pytest.approx(20 + 1.959964 * se))
    assert result.excluded.count == 0


def test_nps_against_the_previous_period(answers: Store) -> None:
    previous = survey_result(answers, "nps", SurveyQuery(range=OCTOBER), Project()).previous
    assert (previous.start, previous.end) == (date(2024, 9, 1), date(2024, 10, 1))
    assert previous.value == pytest.approx(-50.0)  # 100 x (1 - 3) / 4
    assert previous.change == pytest.approx(70.0)
    # z = 70 / sqrt(SE_oct^2 + SE_sep^2), SE_sep = 100 x sqrt((0.25 + 0.75 - 0.25) / 4)
    z = 70 / math.sqrt(100 ** 2 * 0.76 / 10 + 100 ** 2 * 0.75 / 4)
    assert previous.p_value == pytest.approx(math.erfc(z / math.sqrt(2)))


def test_csat_top_2_box_on_1_5_and_top_box_elsewhere(answers: Store) -> None:
    result = survey_result(answers, "csat", SurveyQuery(range=OCTOBER), Project())
    assert (result.n, result.groups["satisfied"].count, result.value) == (8, 5, pytest.approx(5 / 8))
    by_scale = {s.scale: (s.n, s.value) for s in result.scales}
    assert by_scale == {"1-5": (5, pytest.approx(0.6)), "1-10": (2, pytest.approx(0.5)), "1-7": (1, pytest.approx(1.0))}
    # Wilson 95% of 3 / 5 (Newcombe 1998, table I): 0.2307 .. 0.8824
    five = next(s for s in result.scales if s.scale == "1-5")
    assert (five.ci_low, five.ci_high) == (pytest.approx(0.2307, abs=1e-4), pytest.approx(0.8824, abs=1e-4))


def test_ces_mean_agreement_and_t_interval(answers: Store) -> None:
    result = survey_result(answers, "ces", SurveyQuery(range=OCTOBER), Project())
    assert (result.scale, result.n, result.value) == ("1-7", 5, pytest.approx(4.8))  # the most answered scale
    assert result.agree_share == pytest.approx(3 / 5)  # 7, 6, 5 of 7, 6, 5, 4, 2
    # s^2 = (2.2^2 + 1.2^2 + 0.2^2 + 0.8^2 + 2.8^2) / 4 = 3.7; t(0.975, 4) = 2.776445
    half = 2.776445 * math.sqrt(3.7 / 5)
    assert (result.ci_low, result.ci_high) == (pytest.approx(4.8 - half, rel=1e-5), pytest.approx(4.8 + half, rel=1e-5))
    effort = survey_result(answers, "ces", SurveyQuery(range=OCTOBER, scale="1-5"), Project())
    assert (effort.n, effort.value, effort.lower_is_better) == (3, pytest.approx(2.0), True)
    assert effort.agree_share == pytest.approx(2 / 3)  # 1 and 2 are below the midpoint 3


def test_no_answers_no_value_with_the_reason(answers: Store) -> None:
    result = survey_result(answers, "nps", SurveyQuery(range=DateRange(start=date(2024, 12, 1), end=date(2025, 1, 1)),
                                                       compare=None), Project())
    assert (result.n, result.value, result.ci_low) == (0, None, None)
    assert "no NPS answers" in result.reason


def test_monthly_series_gives_every_period(answers: Store) -> None:
    query = SurveyQuery(range=DateRange(start=date(2024, 9, 1), end=date(2024, 12, 1)), grain="month", compare=None)
    series = survey_result(answers, "nps", query, Project()).series
    assert [(p.period, p.value) for p in series] == [(date(2024, 9, 1), pytest.approx(-50.0)),
                                                      (date(2024, 10, 1), pytest.approx(20.0)), (date(2024, 11, 1), None)]


def test_segments_against_the_rest_with_holm(store: Store, tmp_path: Path) -> None:
    # web: 30 promoters and 10 detractors (NPS +50); email: 10 and 30 (-50); a chat answer too few to test.
    rows = [answer(1 + i % 28, f"w{i}", "nps", 10 if i < 30 else 0, "0-10", "web") for i in range(40)]
    rows += [answer(1 + i % 28, f"m{i}", "nps", 10 if i < 10 else 0, "0-10", "email") for i in range(40)]
    rows.append(answer(5, "c0", "nps", 8, "0-10", "chat"))
    ingest_file(store, write(tmp_path / "a.csv", "\n".join([HEADER, *rows]) + "\n"), IngestOptions(), Vocabulary())
    result = survey_result(store, "nps", SurveyQuery(range=OCTOBER, by=["touchpoint"], compare=None), Project())
    segments = {s.segment["touchpoint"]: s for s in result.segments}
    assert (segments["web"].value, segments["email"].value, segments["chat"].value) == (50.0, -50.0, 0.0)
    # web against email + chat (n = 41: 10 promoters, 30 detractors): z = (50 - (-20 / 41 x 100)) / sqrt(SEw^2 + SEr^2)
    rest = 100 * (10 - 30) / 41
    se_web = 100 * math.sqrt((0.75 + 0.25 - 0.5 ** 2) / 40)  # p = 0.75, d = 0.25
    se_rest = 100 * math.sqrt((40 / 41 - (rest / 100) ** 2) / 41)
    raw = math.erfc(abs(50 - rest) / math.sqrt(se_web ** 2 + se_rest ** 2) / math.sqrt(2))
    assert segments["web"].rest_value == pytest.approx(rest)
    assert segments["web"].p_value == pytest.approx(raw)
    assert segments["web"].significant and segments["email"].significant
    assert segments["chat"].p_value is None and not segments["chat"].significant  # 1 answer < 30
    # Holm over the two tested segments: the smaller p is doubled, the larger kept at least as large
    smaller = min(segments["web"].p_value, segments["email"].p_value)
    assert min(segments["web"].adjusted_p, segments["email"].adjusted_p) == pytest.approx(2 * smaller)
