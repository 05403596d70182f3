"""Journey analyses on the demo company against hand-written DuckDB SQL, in the same run.

    python bench/analyses.py [--customers 105000]   # about 20M events, in a temporary folder
    python bench/analyses.py --store /tmp/bench20m   # build once in that folder, then reuse
    python bench/analyses.py --store ... --only funnel --repeat 3   # one analysis, fastest of 3

Prints per analysis: engagekit's time, the SQL's time, their ratio, the target, and whether
both give the same result. Times are wall-clock seconds with, in brackets, the CPU seconds of
all threads: on a machine shared with other work, CPU time shows what the wall time hides.
"""
from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from demo_store import add_store_options, bench_folder, demo_store
from rich.console import Console
from rich.table import Table

from engagekit.analyses.funnel import FunnelQuery, run_funnel
from engagekit.analyses.lifecycle import LifecycleQuery, run_lifecycle
from engagekit.analyses.paths import PathsQuery, run_paths
from engagekit.analyses.retention import RetentionQuery, run_retention
from engagekit.analyses.stickiness import StickinessQuery, run_stickiness
from engagekit.people.query import EventFilter
from engagekit.people.ranges import DateRange
from engagekit.store import Store

YEAR = DateRange(start=date(2025, 11, 2), end=date(2026, 11, 1))  # 52 Sunday weeks
OCTOBER = DateRange(start=date(2026, 10, 1), end=date(2026, 11, 1))
PEOPLE = """(SELECT e.*, COALESCE(e.customer_id, l.customer_id, e.anonymous_id) AS person_id
             FROM events e LEFT JOIN (SELECT anonymous_id, arg_min(customer_id, first_seen) AS customer_id
                                      FROM identities GROUP BY anonymous_id) l USING (anonymous_id))"""
SUNDAY_WEEK = "CAST(date_trunc('week', ts + INTERVAL 1 DAY) - INTERVAL 1 DAY AS DATE)"
RETENTION_SQL = f"""
WITH weeks AS (SELECT DISTINCT person_id, {SUNDAY_WEEK} AS w FROM {PEOPLE})
SELECT a.w, CAST(date_diff('day', a.w, b.w) / 7 AS INTEGER) AS k, COUNT(*)
FROM weeks a JOIN weeks b ON a.person_id = b.person_id AND b.w >= a.w AND b.w <= a.w + INTERVAL 364 DAY
WHERE a.w >= DATE '2025-11-02' AND a.w < DATE '2026-11-01' GROUP BY 1, 2"""
STICKINESS_SQL = f"""
WITH days AS (SELECT person_id, COUNT(DISTINCT CAST(ts AS DATE)) AS n FROM {PEOPLE}
              WHERE ts >= TIMESTAMP '2026-10-01' AND ts < TIMESTAMP '2026-11-01' GROUP BY 1)
SELECT n, COUNT(*) FROM days GROUP BY 1"""
ROLLING_SQL = f"""
WITH d AS (SELECT DISTINCT person_id, CAST(ts AS DATE) AS day FROM {PEOPLE}
           WHERE ts >= TIMESTAMP '2026-09-02' AND ts < TIMESTAMP '2026-11-01'),
n AS (SELECT day, lead(day) OVER (PARTITION BY person_id ORDER BY day) AS nxt FROM d),
c AS (SELECT day, 1 AS dau, 1 AS wau, 1 AS mau FROM n
      UNION ALL SELECT day + 1, -1, 0, 0 FROM n
      UNION ALL SELECT LEAST(day + 7, COALESCE(nxt, day + 7)), 0, -1, 0 FROM n
      UNION ALL SELECT LEAST(day + 30, COALESCE(nxt, day + 30)), 0, 0, -1 FROM n),
s AS (SELECT day, SUM(SUM(dau)) OVER w AS dau, SUM(SUM(wau)) OVER w AS wau, SUM(SUM(mau)) OVER w AS mau
      FROM c GROUP BY day WINDOW w AS (ORDER BY day))
SELECT day, dau, wau, mau FROM s WHERE day >= DATE '2026-10-01' AND day < DATE '2026-11-01'"""
FUNNEL_STEPS = ("product_viewed", "product_added", "checkout_started", "order_completed")


def funnel_sql(steps: tuple[str, ...], window_days: int) -> str:
    """Ordered funnel: from each entry in October, the first event of each next step after the
    previous match (ordered by ts, event_id) within the window; per person the furthest attempt."""
    parts = [f"""s1 AS (SELECT person_id, ts AS t0, struct_pack(t := ts, i := event_id) AS a,
             struct_pack(t := ts, i := event_id) AS m FROM people
             WHERE event = '{steps[0]}' AND ts >= TIMESTAMP '2026-10-01' AND ts < TIMESTAMP '2026-11-01')"""]
    for k in range(2, len(steps) + 1):
        parts.append(f"""s{k} AS (SELECT s.person_id, s.t0, s.a, MIN(struct_pack(t := e.ts, i := e.event_id)) AS m
             FROM s{k - 1} s JOIN people e ON e.person_id = s.person_id AND e.event = '{steps[k - 1]}'
               AND struct_pack(t := e.ts, i := e.event_id) > s.m AND e.ts <= s.t0 + INTERVAL {window_days} DAY
             GROUP BY 1, 2, 3)""")
    reached = " UNION ALL ".join(f"SELECT person_id, a, {k} AS depth FROM s{k}" for k in range(1, len(steps) + 1))
    return f"""WITH people AS {PEOPLE}, {', '.join(parts)}
    SELECT depth, COUNT(*) FROM (SELECT person_id, MAX(depth) AS depth FROM ({reached}) GROUP BY 1) GROUP BY 1"""


LIFECYCLE_SQL = f"""
WITH people AS {PEOPLE},
active AS (SELECT DISTINCT person_id, {SUNDAY_WEEK} AS w FROM people),
created AS (SELECT p.person_id, CAST(date_trunc('week', LEAST(MIN(p.ts), COALESCE(MIN(c.created_at), MIN(p.ts)))
                   + INTERVAL 1 DAY) - INTERVAL 1 DAY AS DATE) AS cw
            FROM people p LEFT JOIN customers c ON c.customer_id = p.person_id GROUP BY 1),
now AS (SELECT a.person_id, a.w, b.person_id IS NOT NULL AS before, c.cw
        FROM active a LEFT JOIN active b ON a.person_id = b.person_id AND b.w = a.w - INTERVAL 7 DAY
        JOIN created c ON c.person_id = a.person_id),
gone AS (SELECT CAST(b.w + INTERVAL 7 DAY AS DATE) AS w, COUNT(*) AS dormant FROM active b
         LEFT JOIN active a ON a.person_id = b.person_id AND a.w = b.w + INTERVAL 7 DAY
         WHERE a.person_id IS NULL GROUP BY 1)
SELECT n.w, COUNT(*) FILTER (WHERE before), COUNT(*) FILTER (WHERE NOT before AND cw = n.w),
       COUNT(*) FILTER (WHERE NOT before AND cw < n.w), -COALESCE(ANY_VALUE(g.dormant), 0)
FROM now n LEFT JOIN gone g ON g.w = n.w
WHERE n.w >= DATE '2025-11-02' AND n.w < DATE '2026-11-01' GROUP BY 1"""


PATHS_SQL = f"""
WITH ev AS (SELECT person_id, ts, event_id, event FROM {PEOPLE}
            WHERE ts >= TIMESTAMP '2026-10-01' AND ts < TIMESTAMP '2026-11-01' AND channel IN ('web', 'app')),
spans AS (SELECT person_id, session_key, start_ts, end_ts FROM sessions
          WHERE end_ts >= TIMESTAMP '2026-10-01' AND start_ts < TIMESTAMP '2026-11-01'),
hit AS (SELECT DISTINCT s.* FROM spans s JOIN ev e ON e.person_id = s.person_id
        AND e.ts BETWEEN s.start_ts AND s.end_ts WHERE e.event = 'signed_up'),
unit AS (SELECT h.session_key AS unit, e.event, struct_pack(t := e.ts, i := e.event_id) AS o FROM ev e
         JOIN hit h ON e.person_id = h.person_id AND e.ts BETWEEN h.start_ts AND h.end_ts),
after AS (SELECT * FROM (SELECT *, MIN(o) FILTER (WHERE event = 'signed_up') OVER (PARTITION BY unit) AS a FROM unit)
          WHERE o >= a),
steps AS (SELECT unit, event, o FROM (SELECT *, lag(event) OVER (PARTITION BY unit ORDER BY o) AS prev FROM after)
          WHERE prev IS NULL OR prev <> event),
ranked AS (SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY unit ORDER BY o) AS k FROM steps) WHERE k <= 5)
SELECT list(event ORDER BY k) FILTER (WHERE k <= 4) AS path, COUNT(*) AS length FROM ranked GROUP BY unit"""


def timed(function, *args):
    """The result and the (wall, CPU) seconds it took; CPU time counts every thread of this process
    (DuckDB's too), so on a busy machine it tells the work done apart from the waiting."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, Seconds(time.perf_counter() - started, time.process_time() - cpu)


class Seconds(NamedTuple):
    wall: float
    cpu: float

    def __add__(self, other: Seconds) -> Seconds:
        return Seconds(self.wall + other.wall, self.cpu + other.cpu)

    def __str__(self) -> str:
        return f"{self.wall:.2f} ({self.cpu:.2f})"


def same_paths(result, rows: list[tuple]) -> bool:
    """The listed sequences, the total and the units reaching each depth agree with the SQL rows
    (one per unit: its first steps and its length, up to steps + 1)."""
    sequences = Counter(tuple(path) for path, _ in rows)
    lengths = [length for _, length in rows]
    reached = [sum(1 for length in lengths if length >= d.depth) for d in result.depths]
    return (result.total == len(rows) and reached == [d.reached for d in result.depths]
            and all(sequences[s.steps] == s.count for s in result.sequences))


def retention_cells(result) -> dict:
    return {(row.start, k): count for row in result.rows for k, count in enumerate(row.counts) if count}


def bench_retention(store: Store, sql: Callable[[str], list]) -> tuple[Seconds, Seconds, bool]:
    retention, ours = timed(run_retention, store, RetentionQuery(period="week", periods=52, range=YEAR,
                                                                  week_start="sunday"))
    rows, theirs = timed(sql, RETENTION_SQL)
    return ours, theirs, retention_cells(retention) == {(w, k): n for w, k, n in rows if n}


def bench_lifecycle(store: Store, sql: Callable[[str], list]) -> tuple[Seconds, Seconds, bool]:
    lifecycle, ours = timed(run_lifecycle, store, LifecycleQuery(range=YEAR, period="week", week_start="sunday"))
    rows, theirs = timed(sql, LIFECYCLE_SQL)
    theirs_by_week = {w: (r, n, s, d) for w, r, n, s, d in rows}
    mine = {p.period: (p.returning, p.new, p.resurrecting, p.dormant) for p in lifecycle.periods
            if p.period in theirs_by_week}
    return ours, theirs, mine == theirs_by_week


def bench_stickiness(store: Store, sql: Callable[[str], list]) -> tuple[Seconds, Seconds, bool]:
    stickiness, ours = timed(run_stickiness, store, StickinessQuery(range=OCTOBER, activity=EventFilter()))
    rows, theirs = timed(sql, STICKINESS_SQL)
    days, rolling = timed(sql, ROLLING_SQL)
    series = {d.day: (d.dau, d.wau, d.mau) for d in stickiness.series}
    same = ({b.periods: b.people for b in stickiness.distribution if b.people} == dict(rows)
            and len(days) == len(series) and all(series[day] == tuple(counts) for day, *counts in days))
    return ours, theirs + rolling, same


def bench_funnel(store: Store, sql: Callable[[str], list]) -> tuple[Seconds, Seconds, bool]:
    steps = [EventFilter(event=e) for e in FUNNEL_STEPS]
    funnel, ours = timed(run_funnel, store, FunnelQuery(steps=steps, window=14 * 86_400, range=OCTOBER))
    rows, theirs = timed(sql, funnel_sql(FUNNEL_STEPS, 14))
    reached = [sum(n for depth, n in rows if depth >= k) for k in range(1, len(FUNNEL_STEPS) + 1)]
    return ours, theirs, [step.count for step in funnel.steps] == reached


def bench_paths(store: Store, sql: Callable[[str], list]) -> tuple[Seconds, Seconds, bool]:
    paths, ours = timed(run_paths, store, PathsQuery(start=EventFilter(event="signed_up"), steps=4, range=OCTOBER))
    rows, theirs = timed(sql, PATHS_SQL)
    return ours, theirs, same_paths(paths, rows)


BENCHES = {  # name: (label, target in seconds, run)
    "retention": ("retention, 52 weeks", 3, bench_retention),
    "lifecycle": ("lifecycle, 52 weeks", 3, bench_lifecycle),
    "stickiness": ("stickiness, 31 days", 3, bench_stickiness),
    "funnel": ("funnel, 4 steps", 3, bench_funnel),
    "paths": ("paths, 4 steps", 5, bench_paths),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_store_options(parser)
    parser.add_argument("--only", choices=sorted(BENCHES), action="append", help="run only these analyses")
    parser.add_argument("--repeat", type=int, default=1, help="run each N times and keep the fastest of each side")
    args = parser.parse_args()
    console = Console()
    with bench_folder(args.store) as folder:
        store = demo_store(folder, args.customers, console)
        con = store.backend.con
        table = Table(title=f"Analyses on {store.count('events'):,} demo events (DuckDB store)")
        for column in ("analysis", "engagekit s (cpu)", "hand SQL s (cpu)", "ratio (cpu)", "target", "same result"):
            table.add_column(column, justify="left" if column == "analysis" else "right")
        for name in args.only or BENCHES:
            label, target, run = BENCHES[name]
            runs = [run(store, lambda text: con.execute(text).fetchall()) for _ in range(args.repeat)]
            ours, theirs = min(r[0] for r in runs), min(r[1] for r in runs)
            same = all(r[2] for r in runs)
            ratio = f"{ours.wall / theirs.wall:.2f}x ({ours.cpu / theirs.cpu:.2f}x)"
            table.add_row(label, str(ours), str(theirs), ratio, f"{target} s", "yes" if same else "NO")
        console.print(table)
        store.close()


if __name__ == "__main__":
    main()
