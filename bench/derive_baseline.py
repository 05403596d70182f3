"""The derived tables written by hand in DuckDB SQL: the baseline `bench/metrics.py` times the
full rebuild against, in the same run, on the same store.

The SQL follows docs/derived-tables.md rule for rule (UTC store, default session rules) and is
written the fastest way found for DuckDB on 2 cores: the two window passes that cut sessions
carry only the person, the time and a few flags, and the first event's channel, landing path,
campaign and anonymous id are looked up afterwards for the few instants that start something.
`build_baseline` writes the tables as `baseline_<name>` temporary tables; `differences` counts
the rows the two builds do not share.
"""
from __future__ import annotations

from duckdb import DuckDBPyConnection

from engagekit.derive.activity import DAY_COLUMNS
from engagekit.derive.facts import FACT_COLUMNS
from engagekit.derive.sessions import SESSION_COLUMNS, SessionRules

RULES = SessionRules()
US = 1_000_000
TIMEOUT_US = RULES.timeout_minutes * 60 * US
IDLE_US = RULES.idle_seconds * US
MAX_US = RULES.max_hours * 3600 * US
PAGE_VIEWS = "('page_viewed', 'screen_viewed')"
VALUE = r"""("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false)"""


def json_text(column: str, key: str) -> str:
    """The same reading of one JSON key as engagekit.json_fields.json_text."""
    value = f"""NULLIF(regexp_extract({column}, '"{key}"\\s*:\\s*{VALUE}', 1), '')"""
    return f"""regexp_extract({value}, '^"?(.*?)"?$', 1)"""


PEOPLE = """(SELECT e.*, e.customer_id IS NOT NULL OR l.customer_id IS NOT NULL AS known,
                    COALESCE(e.customer_id, l.customer_id, e.anonymous_id) AS person_id
             FROM events e LEFT JOIN (SELECT anonymous_id, arg_min(customer_id, (first_seen, customer_id)) AS customer_id
                                      FROM identities GROUP BY anonymous_id) l USING (anonymous_id))"""

SESSIONS = f"""
WITH visits AS (
    SELECT person_id, ts, known, event IN {PAGE_VIEWS} AS page_view, event = 'product_viewed' AS product_view,
           event = 'product_added' AS cart_add, event = 'checkout_started' AS checkout, event = 'order_completed' AS purchase,
           anonymous_id IS NOT NULL AS has_anonymous_id
    FROM {PEOPLE} WHERE channel IN ('web', 'app')),
gaps AS (
    SELECT *, prev IS NULL OR epoch_us(ts) - epoch_us(prev) > {TIMEOUT_US} AS new_run, epoch_us(ts) - epoch_us(prev) AS gap
    FROM (SELECT *, lag(ts) OVER (PARTITION BY person_id ORDER BY ts) AS prev FROM visits)),
runs AS (
    SELECT *, max(CASE WHEN new_run THEN ts END) OVER (PARTITION BY person_id ORDER BY ts
                                                        RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run_start
    FROM gaps),
pieces AS (
    SELECT *, greatest(epoch_us(ts) - epoch_us(run_start) - 1, 0) // {MAX_US} AS piece,
              greatest(epoch_us(prev) - epoch_us(run_start) - 1, 0) // {MAX_US} AS prev_piece
    FROM runs),
core AS (
    SELECT person_id, run_start, piece, bool_or(known) AS known, min(ts) AS start_ts, max(ts) AS end_ts, count(*) AS events,
           count(*) FILTER (WHERE page_view) AS page_views, count(*) FILTER (WHERE product_view) AS product_views,
           bool_or(cart_add) AS carted, bool_or(checkout) AS checked_out, bool_or(purchase) AS converted,
           sum(CASE WHEN NOT new_run AND piece = prev_piece AND gap < {IDLE_US} THEN gap ELSE 0 END) AS active_us,
           min(ts) FILTER (WHERE page_view) AS first_page_view_ts, min(ts) FILTER (WHERE has_anonymous_id) AS first_anonymous_ts
    FROM pieces GROUP BY person_id, run_start, piece),
instants AS (
    SELECT DISTINCT person_id, ts FROM (
        SELECT person_id, start_ts AS ts FROM core
        UNION ALL SELECT person_id, first_page_view_ts FROM core WHERE first_page_view_ts IS NOT NULL
        UNION ALL SELECT person_id, first_anonymous_ts FROM core WHERE first_anonymous_ts IS NOT NULL)),
firsts AS (
    SELECT i.person_id, i.ts, arg_min(e.channel, e.event_id) AS channel, arg_min(e.properties, e.event_id) AS properties,
           arg_min(e.properties, e.event_id) FILTER (WHERE e.event IN {PAGE_VIEWS}) AS page_properties,
           arg_min(e.anonymous_id, e.event_id) FILTER (WHERE e.anonymous_id IS NOT NULL) AS anonymous_id
    FROM {PEOPLE} e JOIN instants i ON i.person_id = e.person_id AND i.ts = e.ts
    WHERE e.channel IN ('web', 'app') GROUP BY i.person_id, i.ts),
measured AS (
    SELECT c.*, (epoch_us(c.end_ts) - epoch_us(c.start_ts)) / {US} AS duration_seconds,
           first.channel, first.properties, landing.page_properties, anonymous.anonymous_id
    FROM core c
    LEFT JOIN firsts first ON first.person_id = c.person_id AND first.ts = c.start_ts
    LEFT JOIN firsts landing ON landing.person_id = c.person_id AND landing.ts = c.first_page_view_ts
    LEFT JOIN firsts anonymous ON anonymous.person_id = c.person_id AND anonymous.ts = c.first_anonymous_ts)
SELECT person_id || '@' || strftime(start_ts, '%Y-%m-%d %H:%M:%S.%f') AS session_key, person_id,
       CASE WHEN known THEN person_id END AS customer_id, anonymous_id, start_ts, end_ts, duration_seconds, events,
       page_views, product_views, carted, checked_out, converted,
       page_views <= 1 AND duration_seconds < {RULES.bounce_seconds} AND NOT converted AS bounced,
       NOT (page_views <= 1 AND duration_seconds < {RULES.bounce_seconds} AND NOT converted) AS engaged,
       active_us / {US} AS active_seconds, channel, {json_text('page_properties', 'path')} AS landing_path,
       {json_text('properties', 'campaign')} AS campaign
FROM measured"""

CUSTOMER_DAYS = f"""
SELECT d.person_id, d.day, d.events, coalesce(v.sessions, 0) AS sessions, d.page_views, d.orders,
       coalesce(d.revenue, 0.0) AS revenue, d.logins, coalesce(v.active_seconds, 0.0) AS active_seconds
FROM (SELECT person_id, ts::DATE AS day, count(*) AS events, count(*) FILTER (WHERE event IN {PAGE_VIEWS}) AS page_views,
             count(*) FILTER (WHERE event = 'order_completed') AS orders,
             sum(revenue) FILTER (WHERE event = 'order_completed') AS revenue,
             count(*) FILTER (WHERE event IN ('logged_in', 'portal_login')) AS logins
      FROM {PEOPLE} GROUP BY ALL) d
LEFT JOIN (SELECT person_id, start_ts::DATE AS day, count(*) AS sessions, sum(active_seconds) AS active_seconds
           FROM baseline_sessions GROUP BY ALL) v USING (person_id, day)"""

CUSTOMER_FACTS = f"""
WITH people AS (
    SELECT person_id, min(ts) AS first_seen, max(ts) AS last_seen, count(*) FILTER (WHERE event = 'order_completed') AS orders,
           sum(revenue) FILTER (WHERE event = 'order_completed') AS revenue,
           min(ts) FILTER (WHERE event = 'order_completed') AS first_order_ts,
           max(ts) FILTER (WHERE event = 'order_completed') AS last_order_ts,
           count(DISTINCT ts::DATE) FILTER (WHERE event NOT IN ('email_sent', 'email_delivered', 'ad_impression')) AS active_days
    FROM {PEOPLE} WHERE known GROUP BY person_id),
records AS (
    SELECT * FROM customers QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY received_at DESC) = 1),
as_of AS (SELECT max(ts)::DATE AS day FROM events),
facts AS (
    SELECT coalesce(r.customer_id, p.person_id) AS customer_id, p.first_seen, p.last_seen, r.created_at,
           coalesce(p.orders, 0) AS orders, coalesce(p.revenue, 0.0) AS revenue, p.first_order_ts, p.last_order_ts,
           {json_text('r.traits', 'plan')} AS plan, {json_text('r.traits', 'country')} AS country,
           {json_text('r.traits', 'acquisition_channel')} AS acquisition_channel,
           {json_text('r.traits', 'campaign')} AS campaign, r.account_id, coalesce(p.active_days, 0) AS active_days
    FROM records r FULL OUTER JOIN people p ON r.customer_id = p.person_id)
SELECT f.* EXCLUDE (account_id, active_days, plan, country, acquisition_channel, campaign),
       CASE WHEN date_diff('day', coalesce(f.created_at, f.first_seen)::DATE, a.day) >= 0
            THEN date_diff('day', coalesce(f.created_at, f.first_seen)::DATE, a.day) END AS tenure_days,
       plan, country, acquisition_channel, campaign, account_id, active_days
FROM facts f, as_of a"""

TABLES = {"sessions": (SESSIONS, SESSION_COLUMNS), "customer_days": (CUSTOMER_DAYS, DAY_COLUMNS),
          "customer_facts": (CUSTOMER_FACTS, FACT_COLUMNS)}


def build_baseline(con: DuckDBPyConnection) -> None:
    """Write `baseline_sessions`, `baseline_customer_days` and `baseline_customer_facts` (temporary)."""
    for name, (sql, columns) in TABLES.items():
        con.execute(f"CREATE OR REPLACE TEMP TABLE baseline_{name} AS SELECT {', '.join(columns)} FROM ({sql})")


def differences(con: DuckDBPyConnection) -> dict[str, int]:
    """Rows of each derived table missing from its baseline or the other way round (floats to 6 decimals)."""
    counts = {}
    for name, (_, columns) in TABLES.items():
        values = ", ".join(f"round({c}, 6)" if c in ("revenue", "active_seconds", "duration_seconds") else c
                           for c in columns)
        counts[name] = con.execute(
            f"SELECT (SELECT count(*) FROM (SELECT {values} FROM {name} EXCEPT ALL SELECT {values} FROM baseline_{name}))"
            f" + (SELECT count(*) FROM (SELECT {values} FROM baseline_{name} EXCEPT ALL SELECT {values} FROM {name}))"
        ).fetchone()[0]
    return counts
