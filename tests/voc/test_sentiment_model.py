"""VADER sentiment (engagekit.voc.sentiment) on sentences written for the test, the standard
+/-0.05 cut-offs, and `engagekit voc sentiment --text`."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from engagekit.cli import app
from engagekit.voc.sentiment import MAX_TEXT_CHARS, label_of, sentiment_of

LABELLED = [
    ("The support team was wonderful and solved everything fast.", "positive"),
    ("I love the new app, it is great!", "positive"),
    ("Not bad at all, I would order again.", "positive"),  # negated negative
    ("The package arrived broken and nobody answered my emails.", "negative"),
    ("Terrible experience, I am very disappointed.", "negative"),
    ("This is not good.", "negative"),  # negated positive
    ("My account id is 12345.", "neutral"),
    ("I called on Tuesday.", "neutral"),
]


@pytest.mark.parametrize(("text", "label"), LABELLED)
def test_labelled_sentences(text: str, label: str) -> None:
    assert sentiment_of(text).label == label


def test_shares_add_up_and_intensifiers_count() -> None:
    scores = sentiment_of("The delivery was late.")
    assert scores.positive + scores.neutral + scores.negative == pytest.approx(1.0, abs=0.002)
    # VADER's boosters and exclamation raise the intensity of the same sentiment
    assert sentiment_of("The service was VERY good!!!").compound > sentiment_of("The service was good.").compound > 0


def test_cut_offs() -> None:
    assert label_of(0.05) == "positive" and label_of(0.0499) == "neutral"
    assert label_of(-0.05) == "negative" and label_of(-0.0499) == "neutral"


def test_a_long_text_is_scored_on_its_first_characters() -> None:
    opening = "Awful service. "
    assert sentiment_of(opening + "x " * MAX_TEXT_CHARS + " wonderful wonderful").compound == sentiment_of(
        (opening + "x " * MAX_TEXT_CHARS)[:MAX_TEXT_CHARS]).compound


def test_cli_scores_one_text(tmp_path) -> None:
    result = CliRunner().invoke(app, ["--store", f"duckdb:///{tmp_path / 's.duckdb'}", "voc", "sentiment",
                                      "--text", "Not bad at all, I would order again.", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["label"] == "positive" and 0.05 <= body["compound"] <= 1
