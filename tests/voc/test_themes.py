"""Themes: the library's patterns, the themes found in the rest (engagekit.voc.topics), and the
demo's planted detractor theme recovered with its shares (docs/demo.md, effect 4)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from engagekit.analyses.protocol import Project
from engagekit.demo.effects import DETRACTOR_THEME_SHARE, PASSIVE_THEME_SHARE, PROMOTER_THEME_SHARE
from engagekit.people.ranges import DateRange
from engagekit.store import Store
from engagekit.voc.library import library_words
from engagekit.voc.themes import ThemesQuery, run_themes
from engagekit.voc.topics import find_topics

PASSWORDS = ["I cannot reset my password", "password reset link expired", "reset password email never came",
             "forgot password and the reset failed", "password reset keeps failing"]
DARK_MODE = ["please add a dark mode", "dark mode would be nice at night", "dark mode hurts less at night",
             "no dark mode yet", "add dark mode to the mobile app"]


def test_library_words() -> None:
    assert library_words("My order arrived a week LATE and the box was damaged.") == {
        "delivery": ["late"], "quality": ["damaged"]}
    assert library_words("Works as expected.") == {}


def test_found_themes_split_two_vocabularies() -> None:
    texts = PASSWORDS + DARK_MODE
    topics = find_topics(texts, np.ones(len(texts)), count=2)
    assert len(topics.keywords) == 2
    first, second = topics.assignment[:5], topics.assignment[5:]
    assert len(set(first)) == 1 and len(set(second)) == 1 and first[0] != second[0]
    keywords = {topics.keywords[first[0]][0], topics.keywords[second[0]][0]}
    assert keywords <= {"password", "reset", "password reset", "dark", "mode", "dark mode"}
    assert topics.coherence > 0


def test_the_number_of_found_themes_is_chosen_by_coherence() -> None:
    texts = PASSWORDS + DARK_MODE
    topics = find_topics(texts, np.ones(len(texts)))
    assert len(topics.keywords) == 2  # the two vocabularies, not one theme per sentence


def test_texts_without_words_have_no_theme() -> None:
    topics = find_topics(["the", "and it is"], np.ones(2))
    assert topics.keywords == [] and list(topics.assignment) == [-1, -1]


def test_the_planted_detractor_theme_comes_first(demo_store: Store) -> None:
    stored = demo_store.table("events")
    row = stored.aggregate(first=stored.ts.min(), last=stored.ts.max()).to_pyarrow().to_pylist()[0]
    everything = DateRange(start=row["first"].date(), end=row["last"].date())
    result = run_themes(demo_store, ThemesQuery(range=everything, compare=None), Project())
    first = result.themes[0]
    assert "late" in first.keywords and first.origin == "library"
    planted = {"detractor": DETRACTOR_THEME_SHARE, "passive": PASSIVE_THEME_SHARE, "promoter": PROMOTER_THEME_SHARE}
    for group, share in planted.items():
        n = result.group_comments[group]
        tolerance = 4 * math.sqrt(share * (1 - share) / n) + 1e-9  # four binomial standard errors
        assert getattr(first.by_group, group) == pytest.approx(share, abs=tolerance), group
    assert first.by_group.promoter == 0
    assert first.sentiment < 0 and len(first.examples) == 3
