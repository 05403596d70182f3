"""KPI engine speed on the demo company: derived tables (full rebuild, against the same tables
written by hand in DuckDB SQL in bench/derive_baseline.py, and incremental after one more day of
events), the whole catalog for one month, and ten KPIs against hand-written DuckDB SQL for the
same numbers, in the same run.

    python bench/metrics.py [--customers 105000]                    # about 20M events, in a temp folder
    python bench/metrics.py --store /tmp/bench20m_metrics           # generate and load once, reuse after

With `--store FOLDER` the demo files and the DuckDB store live in FOLDER (bench/demo_store.py): the first run generates and
loads them, later runs reuse the loaded store (each run appends one more day of events, a copy
of the last day shifted by a day, to time the incremental derive).

Prints: generation and ingest times (when loading), the full rebuild of the derived tables, the
hand-written SQL for them and whether both give the same rows, the incremental derive after one more day (the same store less that day, so comparable), the
whole-catalog time; per KPI the engine's time, the SQL time, their ratio and whether both give
the same value. Queries of a few milliseconds time noisily on a shared machine, so each KPI and
its SQL run alternately REPEATS times and each side's best time counts (the same rule for both;
the engine compiles a KPI's query on its first run and reuses it after, see
engagekit/metrics/plans.py).
"""
from __future__ import annotations

import argparse
import time
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from demo_store import add_store_options, bench_folder, demo_store
from derive_baseline import build_baseline, differences
from rich.console import Console
from rich.table import Table

from engagekit.derive import build_derived
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import compute
from engagekit.store import Store

MONTH = (date(2026, 10, 1), date(2026, 11, 1))
RANGE = "ts >= TIMESTAMP '2026-10-01' AND ts < TIMESTAMP '2026-11-01'"
PEOPLE = """(SELECT e.*, COALESCE(e.customer_id, l.customer_id, e.anonymous_id) AS person_id
             FROM events e LEFT JOIN (SELECT anonymous_id, arg_min(customer_id, first_seen) AS customer_id
                                      FROM identities GROUP BY anonymous_id) l USING (anonymous_id))"""
SESSIONS = "start_ts >= TIMESTAMP '2026-10-01' AND start_ts < TIMESTAMP '2026-11-01'"
HAND_SQL = {
    "revenue": f"SELECT SUM(revenue) FROM events WHERE event = 'order_completed' AND {RANGE}",
    "orders": f"SELECT COUNT(*) FROM events WHERE event = 'order_completed' AND {RANGE}",
    "average_order_value": f"SELECT SUM(revenue) / COUNT(*) FROM events WHERE event = 'order_completed' AND {RANGE}",
    "conversion_rate": f"""SELECT COUNT(DISTINCT person_id) FILTER (WHERE event = 'order_completed')
                           / COUNT(DISTINCT person_id) FILTER (WHERE event IN ('page_viewed', 'product_viewed'))
                           FROM {PEOPLE} WHERE {RANGE}""",
    "purchase_frequency": f"""SELECT COUNT(*) / COUNT(DISTINCT person_id) FROM {PEOPLE}
                              WHERE event = 'order_completed' AND {RANGE}""",
    "support_tickets": f"SELECT COUNT(*) FROM events WHERE event = 'ticket_opened' AND {RANGE}",
    "sessions": f"SELECT COUNT(*) FROM sessions WHERE {SESSIONS}",
    "bounce_rate": f"SELECT AVG(CASE WHEN bounced THEN 1.0 ELSE 0.0 END) FROM sessions WHERE {SESSIONS}",
    "pages_per_session": f"SELECT SUM(page_views) / COUNT(*) FROM sessions WHERE {SESSIONS}",
    "cart_abandonment_rate": f"""SELECT 1 - COUNT(*) FILTER (WHERE carted AND converted) / COUNT(*) FILTER (WHERE carted)
                                 FROM sessions WHERE {SESSIONS}""",
}
REPEATS = 3  # each KPI and its SQL run alternately this many times; each side's best time counts


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def next_day_file(store: Store, folder: Path) -> Path:
    """A file of one more day of events: the store's last day copied one day later, with new ids."""
    events = store.table("events")
    last = store.table("events").ts.max().to_pyarrow().as_py().date()
    day = events.filter(events.ts >= last, events.ts < last + timedelta(days=1))
    rows = day.select("event_id", "ts", "event", "customer_id", "anonymous_id", "session_id", "channel",
                      "revenue", "properties").to_pyarrow()
    shifted = rows.set_column(1, "ts", pc.add(rows["ts"], pa.scalar(timedelta(days=1), pa.duration("us"))))
    shifted = shifted.set_column(0, "event_id", pc.binary_join_element_wise(rows["event_id"], f"+{last}", "-"))
    path = folder / f"day_after_{last}.parquet"
    pq.write_table(shifted, path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_store_options(parser)
    args = parser.parse_args()
    console = Console()
    with bench_folder(args.store) as folder:
        store = demo_store(folder, args.customers, console, derive=False)  # the derive is timed below
        _, full_s = timed(build_derived, store, full=True)
        con = store.backend.con
        _, baseline_s = timed(build_baseline, con)
        differing = differences(con)
        day = next_day_file(store, folder)
        report, ingest_day_s = timed(ingest_file, store, day, IngestOptions(source="next_day"), Vocabulary())
        _, incremental_s = timed(build_derived, store)
        events = store.count("events")
        catalog = load_catalog()
        names = [name for name, metric in catalog.metrics.items() if "ecommerce" in metric.industries]
        _, catalog_s = timed(compute, store, catalog, names, *MONTH)
        table = Table(title=f"KPIs over one month of {events:,} demo events (DuckDB store)")
        for column in ("KPI", "engagekit s", "hand SQL s", "ratio", "same value"):
            table.add_column(column, justify="left" if column == "KPI" else "right")
        for name, sql in HAND_SQL.items():
            ours, theirs = [], []
            for _ in range(REPEATS):
                result, seconds = timed(compute, store, catalog, [name], *MONTH)
                ours.append(seconds)
                (expected,), seconds = timed(lambda query=sql: con.execute(query).fetchone())
                theirs.append(seconds)
            ours, theirs = min(ours), min(theirs)
            same = abs((result.value(name) or 0) - float(expected or 0)) < 1e-6 * max(1.0, abs(float(expected or 0)))
            table.add_row(name, f"{ours:.3f}", f"{theirs:.3f}", f"{ours / theirs:.2f}x", "yes" if same else "NO")
        same = "yes" if not any(differing.values()) else f"NO {differing}"
        console.print(f"derive, full rebuild: {full_s:.1f} s (target <= 8 s at 20M); the same three tables in "
                      f"hand-written DuckDB SQL: {baseline_s:.1f} s, ratio {full_s / baseline_s:.2f}x, same rows: {same}")
        console.print(f"one more day ({report.stored:,} events) ingested in {ingest_day_s:.1f} s; derive incremental "
                      f"{incremental_s:.1f} s, {full_s / incremental_s:.1f}x faster than the full rebuild")
        console.print(f"whole catalog ({len(names)} KPIs) for one month: {catalog_s:.1f} s (target <= 10 s at 20M)")
        console.print(table)
        store.close()


if __name__ == "__main__":
    main()
