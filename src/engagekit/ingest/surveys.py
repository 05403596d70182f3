"""What a survey answer must hold to be stored: a known survey type, the scale it was asked on,
and a whole-number score on that scale.

A `survey_responded` event names its survey type in `properties.survey` (nps, csat or ces), its
scale in `properties.scale` as "LOW-HIGH" ("0-10", "1-5", "1-7", "1-10"; a bare "5" or 5 is
"1-5", and "10" for NPS is "0-10") and the answer in `properties.score`. A score outside its
scale, a missing scale, a score that is not a whole number or an unknown type would be averaged
into a wrong NPS, CSAT or CES; such a row is quarantined with the field and the reason.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

SURVEY_EVENT = "survey_responded"
SURVEY_TYPES = ("nps", "csat", "ces")
NPS_SCALES = ("0-10", "1-10")  # Reichheld's 0-10 question; the seeds also quote it from 1 to 10
LOWEST_LOW, HIGHEST_LOW = 0, 1  # a scale starts at 0 or 1
FEWEST_ANSWERS, MOST_ANSWERS = 3, 11  # from a 3-point to an 11-point scale
_RANGE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")


@dataclass(frozen=True)
class Scale:
    """The answers of a question, LOW to HIGH inclusive."""

    low: int
    high: int

    @property
    def text(self) -> str:
        return f"{self.low}-{self.high}"

    @property
    def midpoint(self) -> float:
        return (self.low + self.high) / 2

    def holds(self, score: float) -> bool:
        return self.low <= score <= self.high and float(score).is_integer()


def parse_scale(value: object, survey: str | None = None) -> Scale | None:
    """The scale written as "LOW-HIGH" or as its top answer (a 1-based scale; NPS's 10 is 0-10);
    None when it is not one a survey is asked on (3 to 11 answers starting at 0 or 1)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)) and float(value).is_integer():
        value = str(int(value))
    if not isinstance(value, str):
        return None
    found = _RANGE.match(value)
    if found:
        low, high = int(found.group(1)), int(found.group(2))
    elif value.strip().isdigit():
        high = int(value)
        low = 0 if survey == "nps" and high == 10 else 1
    else:
        return None
    answers = high - low + 1
    if not (LOWEST_LOW <= low <= HIGHEST_LOW and FEWEST_ANSWERS <= answers <= MOST_ANSWERS):
        return None
    return Scale(low, high)


def survey_problem(properties: dict) -> tuple[str, str] | None:
    """(key, reason) of the first thing wrong with a survey answer's properties, or None."""
    survey = properties.get("survey")
    if survey not in SURVEY_TYPES:
        shown = "missing" if survey is None else f"{survey!r} is not one"
        return "survey", f"survey type {shown} of {', '.join(SURVEY_TYPES)}"
    raw_scale = properties.get("scale")
    if raw_scale is None:
        return "scale", f"missing scale of the {survey} answer (e.g. \"{'0-10' if survey == 'nps' else '1-5'}\")"
    scale = parse_scale(raw_scale, survey)
    if scale is None:
        return "scale", f"scale {raw_scale!r} is not LOW-HIGH with LOW 0 or 1 and {FEWEST_ANSWERS} to {MOST_ANSWERS} answers"
    if survey == "nps" and scale.text not in NPS_SCALES:
        return "scale", f"NPS is asked on 0-10, not {scale.text}"
    score = _number(properties.get("score"))
    if score is None:
        return "score", f"score {properties.get('score')!r} is not a number"
    if not scale.holds(score):
        return "score", f"score {properties['score']!r} is not an answer on the {survey} scale {scale.text}"
    return None


def survey_problems(texts: list[str | None]) -> dict[int, tuple[str, str]]:
    """Index -> (key, reason) of the survey answers' property texts that fail `survey_problem`."""
    found: dict[int, tuple[str, str]] = {}
    for index, text in enumerate(texts):
        try:
            properties = json.loads(text) if text else {}
        except ValueError:
            properties = {}
        problem = survey_problem(properties if isinstance(properties, dict) else {})
        if problem is not None:
            found[index] = problem
    return found


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if number == number and abs(number) != float("inf") else None
    return None
