"""`engagekit metrics compute` tables: every value under its header, for KPIs whose rows carry a
segment of their own (feature adoption's ("feature", name)) beside `--by`, `--compare`, `--grain`."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engagekit.cli import app
from engagekit.cli.context import STATE, console
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.store import connect
from tests.conftest import write

CUSTOMERS = """\
customer_id,created_at,plan
u1,2026-09-01T00:00:00Z,pro
u2,2026-09-01T00:00:00Z,free
u3,2026-09-01T00:00:00Z,pro
"""
EVENTS = """\
timestamp,event,userId,feature
2026-10-01T10:00:00Z,page_viewed,u1,
2026-10-01T10:05:00Z,feature_used,u1,export
2026-10-02T10:00:00Z,page_viewed,u2,
2026-10-02T10:05:00Z,order_completed,u2,
2026-10-08T10:00:00Z,feature_used,u2,search
2026-10-08T11:00:00Z,feature_used,u3,export
"""
# October: active people (an active event or a feature used) u1, u2, u3 = 3; export: u1 and u3
# = 66.7%, search: u2 = 33.3%. One order (u2). Weeks start on Sunday (the default week_start): week
# of Sep 27 (Oct 1-3, partial): active u1, u2, export 1 of 2 = 50.0%, search 0.0%; week of Oct 4:
# active u2, u3, export 50.0%, search 50.0%. By plan: pro (u1, u3) export 2 of 2 = 100.0%, search 0.0%;
# free (u2) export 0.0%, search 100.0%.
Table = list[dict[str, str]]


@pytest.fixture
def printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    """What `engagekit metrics compute ARGS` prints on the story store."""
    url = f"duckdb:///{tmp_path / 'engagekit.duckdb'}"
    with connect(url) as store:
        ingest_file(store, write(tmp_path / "customers.csv", CUSTOMERS), IngestOptions(kind="customers"), Vocabulary())
        ingest_file(store, write(tmp_path / "events.csv", EVENTS), IngestOptions(), Vocabulary())
    config = write(tmp_path / "engagekit.yaml", "timezone: UTC\n")
    monkeypatch.setattr(console, "width", 200)

    def run(*args: str) -> str:
        result = CliRunner().invoke(app, ["--store", url, "--config", str(config),
                                          "metrics", "compute", *args])
        STATE.close()
        STATE._settings = None
        assert result.exit_code == 0, result.output
        return result.stdout

    yield run
    STATE.store_url, STATE.config_path = None, None


@pytest.fixture
def compute(printed: Callable[..., str]) -> Callable[..., Table]:
    """`engagekit metrics compute ARGS` on the story store, its table read as one dict per row."""
    return lambda *args: table_of(printed(*args))


def table_of(text: str) -> Table:
    """The rows of the first Rich table in `text`, keyed by header."""
    lines = text.splitlines()
    header = next(line for line in lines if "┃" in line)
    names = [cell.strip() for cell in header.split("┃")[1:-1]]
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in lines if line.startswith("│")]
    assert all(len(row) == len(names) for row in rows), (names, rows)
    return [dict(zip(names, row, strict=True)) for row in rows]


def test_feature_rows_show_the_feature_and_the_rate_under_their_headers(compute: Callable[..., Table]) -> None:
    rows = compute("feature_adoption_rate", "orders", "--period", "2026-10")
    assert [(r["KPI"], r["feature"], r["value"], r["target"]) for r in rows] == [
        ("Feature adoption rate", "export", "66.7%", "-"),
        ("Feature adoption rate", "search", "33.3%", "-"),
        ("Orders", "", "1", "-"),
    ]


def test_with_a_comparison(compute: Callable[..., Table]) -> None:
    rows = compute("feature_adoption_rate", "--period", "2026-10", "--compare", "previous_period")
    # September has no activity: no previous value
    assert [(r["feature"], r["value"], r["previous"], r["change"]) for r in rows] == [
        ("export", "66.7%", "-", "-"), ("search", "33.3%", "-", "-")]


def test_a_series_by_week(compute: Callable[..., Table]) -> None:
    rows = compute("feature_adoption_rate", "orders", "--from", "2026-10-01", "--to", "2026-10-11", "--grain", "week")
    assert [(r["KPI"], r["feature"], r["2026-09-27*"], r["2026-10-04"]) for r in rows] == [
        ("Feature adoption rate", "export", "50.0%", "50.0%"),
        ("Feature adoption rate", "search", "0.0%", "50.0%"),
        ("Orders", "", "1", "0"),
    ]


def test_by_a_trait(compute: Callable[..., Table]) -> None:
    rows = compute("feature_adoption_rate", "--period", "2026-10", "--by", "plan")
    assert [(r["by plan"], r["feature"], r["value"]) for r in rows] == [
        ("all", "export", "66.7%"), ("all", "search", "33.3%"),
        ("free", "export", "0.0%"), ("free", "search", "100.0%"),
        ("pro", "export", "100.0%"), ("pro", "search", "0.0%"),
    ]


def test_values_missing_say_why_under_the_table(printed: Callable[..., str]) -> None:
    text = printed("nps", "orders", "--period", "2026-10")
    assert [(r["KPI"], r["value"]) for r in table_of(text)] == [("Net Promoter Score", "-"), ("Orders", "1")]
    assert "- Net Promoter Score: no survey responses with survey=nps in 2026-10" in text.splitlines()
