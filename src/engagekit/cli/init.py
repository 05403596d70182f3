"""`engagekit init`: a commented engagekit.yaml with the standard defaults."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from engagekit.cli.context import console, print_json
from engagekit.config import (
    DEFAULT_CONVERSION_WINDOW_DAYS,
    DEFAULT_EVENTS_EARLIEST,
    DEFAULT_EVENTS_MAX_AHEAD_DAYS,
    DEFAULT_SESSION_MAX_HOURS,
    DEFAULT_SESSION_TIMEOUT_MINUTES,
    DEFAULT_STORE_URL,
    DEFAULT_TIMEZONE,
    DEFAULT_WEEK_START,
)
from engagekit.errors import InputError

TEMPLATE = f"""\
# engagekit project settings. Every value shown is the default.

# Where the data lives: duckdb:///PATH (embedded, default), duckdb://:memory:,
# or spark://local[2]?warehouse=DIR (Spark, tables as Parquet in DIR).
store: "{DEFAULT_STORE_URL}"

# Timezone of timestamps that carry no offset, and of reports (IANA name).
timezone: "{DEFAULT_TIMEZONE}"

# Quarantine events whose name is not in the vocabulary (docs/data-model.md) or mapped below.
strict_events: false

# Event times (and customers' created_at) are accepted from events_earliest (UTC) to now plus
# events_max_ahead_days (clock skew); others are quarantined with the bound named: a device clock
# set to 1970 or to the year 4052 is not customer activity. Set events_earliest earlier to load
# older history.
events_earliest: {DEFAULT_EVENTS_EARLIEST:%Y-%m-%d}
events_max_ahead_days: {DEFAULT_EVENTS_MAX_AHEAD_DAYS:g}

# Your event names -> canonical names, e.g.
#   "Purchase": order_completed
#   "app_open": logged_in
event_mapping: {{}}

# Your own KPIs, in the spec of the built-in catalog (docs/kpis.md), e.g. a core action:
#   - name: employees_added
#     label: Employees added
#     description: Employees added to the product in the period (our core action).
#     formula: count of core_action where action is employee_added
#     kind: value
#     measure: {{agg: count, events: [core_action], where: "properties.action == 'employee_added'"}}
#     population: events
#     unit: count
#     direction: higher
#     stages: [adoption]
metrics: []

# Files of more KPIs in the same spec.
metrics_files: []

# A session ends after this many minutes without events.
session_timeout_minutes: {DEFAULT_SESSION_TIMEOUT_MINUTES}

# A session is cut after this many hours even without a pause.
session_max_hours: {DEFAULT_SESSION_MAX_HOURS}

# Funnels: how long after the first step later steps still count.
conversion_window_days: {DEFAULT_CONVERSION_WINDOW_DAYS}

# Retention and lifecycle weeks start on sunday or monday.
week_start: {DEFAULT_WEEK_START}
"""


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(
    path: Annotated[Path, typer.Option("--path", help="Where to write the config.")] = Path("engagekit.yaml"),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Write a commented engagekit.yaml."""
    if path.exists() and not force:
        raise InputError(f"{path} exists; use --force to overwrite it")
    path.write_text(TEMPLATE, encoding="utf-8")
    if as_json:
        print_json({"config": str(path)})
    else:
        console.print(f"wrote {path}")
