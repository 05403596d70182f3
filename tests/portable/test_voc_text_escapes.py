"""Texts come back as customers wrote them: quotes, backslashes, tabs, line breaks and characters
beyond ASCII that JSON escapes in the stored properties are decoded where texts reach Python
(engagekit.json_fields.plain_text): in verbatims, themes, detractors' comments and sentiment."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from engagekit.analyses.protocol import Project
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.json_fields import plain_text
from engagekit.people.names import SPEC_NAMES
from engagekit.people.ranges import DateRange
from engagekit.store import Store
from engagekit.voc.detractors import latest_detractors
from engagekit.voc.sentiment import score_new_texts, sentiment_of
from engagekit.voc.themes import ThemesQuery, run_themes
from tests.conftest import write

QUOTED = 'They said "tomorrow"\nthen the delivery was late.\tA\\B and \\n stays'
ACCENTED = "Très bien, entrega rápida 👍"


@pytest.mark.parametrize("text", [QUOTED, ACCENTED, "plain", "a \\ alone"])
def test_plain_text_undoes_json_escaping(text: str) -> None:
    assert plain_text(json.dumps(text)[1:-1]) == text


def test_a_value_that_is_not_a_json_string_stays_as_it_is() -> None:
    assert plain_text("ends with a backslash \\") == "ends with a backslash \\"


def test_texts_are_read_as_written(store: Store, tmp_path: Path) -> None:
    rows = [{"timestamp": "2024-10-02T10:00:00Z", "event": "survey_responded", "userId": "u1",
             "properties": {"survey": "nps", "score": 2, "scale": "0-10", "comment": QUOTED}},
            {"timestamp": "2024-10-03T10:00:00Z", "event": "review_posted", "userId": "u2",
             "properties": {"rating": 5, "text": ACCENTED}}]
    path = write(tmp_path / "r.jsonl", "\n".join(json.dumps(row) for row in rows) + "\n")
    ingest_file(store, path, IngestOptions(), Vocabulary())
    assert score_new_texts(store, SPEC_NAMES) == 2
    stored = {row["event"]: row["compound"] for row in store.table("text_sentiment").to_pyarrow().to_pylist()}
    assert stored == {"survey_responded": sentiment_of(QUOTED).compound,
                      "review_posted": sentiment_of(ACCENTED).compound}
    october = DateRange(start=date(2024, 10, 1), end=date(2024, 11, 1))
    themes = run_themes(store, ThemesQuery(range=october, compare=None), Project())
    delivery = next(t for t in themes.themes if t.label == "delivery and shipping delays")
    assert delivery.examples == [QUOTED]
    [detractor] = latest_detractors(store, Project(), october.start, october.end)
    assert detractor.comment == QUOTED
