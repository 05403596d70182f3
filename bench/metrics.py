"""KPI engine speed on the demo company: the whole catalog for one month, and ten KPIs against
hand-written DuckDB SQL for the same numbers, in the same run.

    python bench/metrics.py [--customers 105000]   # about 20M events

Prints: generation, ingest and derive times; the whole-catalog time; per KPI the engine's time,
the SQL time, their ratio and whether both give the same value.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from engagekit.config import Settings
from engagekit.demo.generate import DemoSpec, generate
from engagekit.demo.load import load_demo
from engagekit.derive import build_derived
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import compute
from engagekit.store import connect

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


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=105_000)
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files, generate_s = timed(generate, DemoSpec(customers=args.customers), folder / "files")
        store = connect(f"duckdb:///{folder / 'bench.duckdb'}")
        _, ingest_s = timed(load_demo, store, files, Settings())
        _, derive_s = timed(build_derived, store)
        events = store.count("events")
        catalog = load_catalog()
        names = [name for name, metric in catalog.metrics.items() if "ecommerce" in metric.industries]
        _, catalog_s = timed(compute, store, catalog, names, *MONTH)
        table = Table(title=f"KPIs over one month of {events:,} demo events (DuckDB store)")
        for column in ("KPI", "engagekit s", "hand SQL s", "ratio", "same value"):
            table.add_column(column, justify="left" if column == "KPI" else "right")
        con = store.backend.con
        for name, sql in HAND_SQL.items():
            result, ours = timed(compute, store, catalog, [name], *MONTH)
            (expected,), theirs = timed(lambda: con.execute(sql).fetchone())
            same = abs((result.value(name) or 0) - float(expected or 0)) < 1e-6 * max(1.0, abs(float(expected or 0)))
            table.add_row(name, f"{ours:.3f}", f"{theirs:.3f}", f"{ours / theirs:.2f}x", "yes" if same else "NO")
        console.print(f"generate {generate_s:.1f} s, ingest {ingest_s:.1f} s ({events / ingest_s:,.0f} events/s), "
                      f"derive {derive_s:.1f} s (target <= 8 s at 20M)")
        console.print(f"whole catalog ({len(names)} KPIs) for one month: {catalog_s:.1f} s (target <= 10 s at 20M)")
        console.print(table)
        store.close()


if __name__ == "__main__":
    main()
