"""Voice of the customer against its baselines, in the same run.

    python bench/voc.py                                 # 200k texts, then survey metrics on ~20M events
    python bench/voc.py --texts 200000 --only sentiment --only themes
    python bench/voc.py --store /tmp/bench20m --only surveys   # reuse a built demo store

* sentiment: engagekit's incremental scoring of N distinct texts stored as survey comments,
  reviews and social mentions (read from the store, scored, written to `text_sentiment`) against
  a bare VADER loop over the same texts in memory (its floor); then a rerun, which must score
  nothing, and a rerun after 1,000 new texts, which must score those only.
* themes: `voc themes` over the same N texts (library patterns, TF-IDF + NMF on the rest).
* surveys: NPS, CSAT and CES over October on the demo store against hand-written DuckDB SQL
  over the same answers, with the values compared; each side run --repeat times and its best
  time kept (the same rule as bench/metrics.py: a query asked again reuses its compiled plan).

Times are wall-clock seconds with, in brackets, the CPU seconds of all threads.
"""
from __future__ import annotations

import argparse
import csv
import random
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from analyses import Seconds, timed
from demo_store import add_store_options, bench_folder, demo_store
from rich.console import Console
from rich.table import Table
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from engagekit.analyses.protocol import Project
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.people.names import SPEC_NAMES
from engagekit.people.ranges import DateRange
from engagekit.store import Store, connect
from engagekit.voc.sentiment import MAX_TEXT_CHARS, score_new_texts
from engagekit.voc.surveys import SurveyQuery, survey_result
from engagekit.voc.themes import ThemesQuery, run_themes

DEFAULT_TEXTS = 200_000
NEW_TEXTS = 1_000
TEXT_START = datetime(2025, 1, 1)
YEAR = DateRange(start=date(2025, 1, 1), end=date(2026, 1, 3))
OCTOBER = DateRange(start=date(2026, 10, 1), end=date(2026, 11, 1))
CLAUSES = [
    "the delivery was late", "shipping took two weeks", "the parcel never arrived", "tracking never updated",
    "the courier left it outside", "the box was damaged", "the item broke after a week", "quality is poor",
    "the fabric feels cheap", "it works exactly as described", "great value for the money", "too expensive",
    "prices went up again", "I was charged twice", "the refund took ages", "billing is confusing",
    "support answered quickly", "nobody answered my ticket", "the agent was very friendly", "I waited an hour on hold",
    "the app keeps crashing", "the checkout page froze", "login fails on my phone", "the website is slow",
    "search never finds anything", "I love the new design", "the product is amazing", "my order was wrong",
    "a size was missing", "returns are easy", "the return label did not work", "the discount code failed",
    "the newsletter is useful", "too many emails", "I would recommend it to friends", "never buying again",
    "the staff in the store were helpful", "the instructions were unclear", "setup took five minutes",
    "the battery died quickly", "colours look different from the photos", "packaging was beautiful",
    "fast and reliable", "the subscription renewed without warning", "cancelling was hard",
    "the loyalty points vanished", "the chat bot was useless", "everything arrived on time",
]
CONNECTORS = [", and ", ", but ", ". Also ", "; ", " because ", ". "]
SURVEY_CSV = """timestamp,event,userId,survey,score,scale,rating,comment"""


def distinct_texts(count: int, seed: int) -> list[str]:
    """`count` different comments of two or three clauses, as customers write them."""
    rng = random.Random(seed)
    found: dict[str, None] = {}
    while len(found) < count:
        parts = rng.sample(CLAUSES, rng.choice((2, 3)))
        text = parts[0]
        for part in parts[1:]:
            text += rng.choice(CONNECTORS) + part
        found[text[0].upper() + text[1:] + rng.choice((".", "!", "..."))] = None
    return list(found)


def write_texts(path: Path, texts: list[str], start: datetime, seed: int) -> Path:
    """The texts as survey comments (NPS answers), reviews and social mentions, one per customer."""
    rng = random.Random(seed)
    step = timedelta(seconds=max(1, int(365 * 86_400 / max(len(texts), 1))))
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(SURVEY_CSV.split(","))
        for i, text in enumerate(texts):
            ts = (start + i * step).isoformat() + "Z"
            kind = i % 3
            if kind == 0:
                writer.writerow([ts, "survey_responded", f"c{seed}-{i}", "nps", rng.randint(0, 10), "0-10", "", text])
            elif kind == 1:
                writer.writerow([ts, "review_posted", f"c{seed}-{i}", "", "", "", rng.randint(1, 5), text])
            else:
                writer.writerow([ts, "social_mention", f"c{seed}-{i}", "", "", "", "", text])
    return path


def bare_vader(texts: list[str]) -> int:
    """The floor: VADER over the texts in memory, nothing read or written."""
    analyzer = SentimentIntensityAnalyzer()
    return sum(1 for text in texts if analyzer.polarity_scores(text[:MAX_TEXT_CHARS]) is not None)


def bench_texts(count: int, console: Console, only: set[str]) -> list[list[str]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="engagekit-bench-voc-") as folder:
        texts = distinct_texts(count, seed=1)
        with connect(f"duckdb:///{Path(folder) / 'voc.duckdb'}") as store:
            ingest_file(store, write_texts(Path(folder) / "texts.csv", texts, TEXT_START, 1), IngestOptions(),
                        Vocabulary())
            console.print(f"stored {store.count('events'):,} text events")
            if "sentiment" in only:
                rows += bench_sentiment(store, texts, Path(folder))
            if "themes" in only:
                rows.append(bench_themes(store, count))
    return rows


def bench_sentiment(store: Store, texts: list[str], folder: Path) -> list[list[str]]:
    scored, ours = timed(score_new_texts, store, SPEC_NAMES)
    _, floor = timed(bare_vader, texts)
    again, rerun = timed(score_new_texts, store, SPEC_NAMES)
    new = distinct_texts(len(texts) + NEW_TEXTS, seed=1)[len(texts):]
    ingest_file(store, write_texts(folder / "new.csv", new, TEXT_START + timedelta(days=1), 2), IngestOptions(),
                Vocabulary())
    added, after = timed(score_new_texts, store, SPEC_NAMES)
    return [
        [f"sentiment of {len(texts):,} texts", f"{scored:,} scored", f"{ours} s", f"{floor} s",
         f"{ours.wall / floor.wall:.2f}x ({ours.cpu / floor.cpu:.2f}x)", "<= 1.1x",
         _yes(scored == len(texts) and ours.wall <= 1.1 * floor.wall)],
        ["sentiment rerun", f"{again:,} scored", f"{rerun} s", "-", "-", "0 scored", _yes(again == 0)],
        [f"sentiment after {NEW_TEXTS:,} new texts", f"{added:,} scored", f"{after} s", "-", "-",
         f"{NEW_TEXTS:,} scored", _yes(added == NEW_TEXTS)],
    ]


def bench_themes(store: Store, count: int) -> list[str]:
    query = ThemesQuery(range=YEAR, compare=None)
    result, ours = timed(run_themes, store, query, Project())
    first = result.themes[0].label if result.themes else "-"
    return [f"themes of {count:,} comments", f"{len(result.themes)} themes, first: {first}", f"{ours} s", "-", "-",
            "<= 60 s", _yes(ours.wall <= 60 and result.texts >= count)]


def survey_sql(survey: str, scale: str, low: int, high: int, value: str) -> str:
    """Hand-written DuckDB SQL: `value` over October's answers of `survey` on `scale` (scores in low..high)."""
    return f"""
SELECT {value}, count(*)
FROM (SELECT CAST(json_extract_string(properties, '$.score') AS DOUBLE) AS s FROM events
      WHERE event = 'survey_responded' AND json_extract_string(properties, '$.survey') = '{survey}'
        AND json_extract_string(properties, '$.scale') = '{scale}'
        AND ts >= TIMESTAMP '2026-10-01' AND ts < TIMESTAMP '2026-11-01')
WHERE s BETWEEN {low} AND {high}"""


SURVEY_SQL = {
    "nps": survey_sql("nps", "0-10", 0, 10,
                      "100.0 * (count(*) FILTER (WHERE s >= 9) - count(*) FILTER (WHERE s <= 6)) / count(*)"),
    "csat": survey_sql("csat", "1-5", 1, 5, "avg(CASE WHEN s >= 4 THEN 1.0 ELSE 0.0 END)"),
    "ces": survey_sql("ces", "1-7", 1, 7, "avg(s)"),
}


def bench_surveys(store: Store, repeat: int) -> list[list[str]]:
    con = store.backend.con
    rows = []
    for survey, sql in SURVEY_SQL.items():
        query = SurveyQuery(range=OCTOBER, compare=None)
        runs = [timed(survey_result, store, survey, query, Project()) for _ in range(repeat)]
        hand = [timed(lambda text: con.execute(text).fetchone(), sql) for _ in range(repeat)]
        result, ours = runs[0][0], Seconds(min(r[1].wall for r in runs), min(r[1].cpu for r in runs))
        (value, n), theirs = hand[0][0], Seconds(min(h[1].wall for h in hand), min(h[1].cpu for h in hand))
        same = result.n == n and result.value is not None and abs(result.value - value) < 1e-9
        rows.append([f"{survey.upper()}, October", f"{result.value:.4g} of {result.n:,.0f} answers", _ms(ours),
                     _ms(theirs), f"{ours.wall / theirs.wall:.2f}x ({ours.cpu / theirs.cpu:.2f}x)", "<= 1.5x",
                     _yes(same and ours.wall <= 1.5 * theirs.wall)])
    return rows


def _ms(seconds: Seconds) -> str:
    return f"{seconds.wall * 1000:.1f} ms ({seconds.cpu * 1000:.1f})"


def _yes(holds: bool) -> str:
    return "yes" if holds else "NO"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_store_options(parser)
    parser.add_argument("--texts", type=int, default=DEFAULT_TEXTS, help="distinct texts to score and theme")
    parser.add_argument("--only", choices=("sentiment", "themes", "surveys"), action="append",
                        help="run only these parts")
    parser.add_argument("--repeat", type=int, default=3, help="survey metrics: keep the fastest of N runs")
    args = parser.parse_args()
    only = set(args.only or ("sentiment", "themes", "surveys"))
    console = Console()
    rows = bench_texts(args.texts, console, only) if only & {"sentiment", "themes"} else []
    if "surveys" in only:
        with bench_folder(args.store) as folder:
            store = demo_store(folder, args.customers, console, derive=False)
            events = store.count("events")
            rows += bench_surveys(store, args.repeat)
            store.close()
        console.print(f"survey metrics read the demo store of {events:,} events")
    table = Table(title="Voice of the customer: engagekit against its baseline")
    for column in ("task", "result", "engagekit (cpu)", "baseline (cpu)", "ratio (cpu)", "target", "holds"):
        table.add_column(column, justify="left" if column in ("task", "result") else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)


if __name__ == "__main__":
    main()
