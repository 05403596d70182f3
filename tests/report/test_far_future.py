"""`engagekit report` and the headline's last full month over a store that also holds one
far-future event: both follow the real data (the story's last event is on Nov 2, 2026).

Before: with the year-9999 event the report failed (OverflowError: date value out of range);
with the year-4052 event it wrote an empty report of February 4052."""
from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest

from engagekit.cli import run
from engagekit.metrics.headline import last_full_month
from engagekit.store import connect
from tests.dashboard.conftest import FAR_FUTURE, Story, add_far_event, story  # noqa: F401 (the fixture)


@pytest.mark.parametrize("ts", FAR_FUTURE, ids=lambda ts: str(ts.year))
def test_report_and_headline_follow_the_real_data(story: Story, ts: datetime, tmp_path: Path,  # noqa: F811
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with connect(story.url) as store:
        add_far_event(store, ts)
        assert last_full_month(store) == (date(2026, 10, 1), date(2026, 11, 1))
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    assert run(["--store", story.url, "report", "--format", "md"]) == 0
    assert os.listdir(out) == ["report-executive-2026-10-01.md"]
    assert "October 2026" in (out / "report-executive-2026-10-01.md").read_text()
