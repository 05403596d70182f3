"""`engagekit funnel`: step counts, conversion, drop-off and times as a table with bars, or JSON."""
from __future__ import annotations

import re
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.table import Table

from engagekit.analyses.funnel import (
    Exclusion,
    FunnelQuery,
    FunnelResult,
    FunnelStep,
    parse_window,
    run_funnel,
)
from engagekit.cli.context import STATE, console, print_json
from engagekit.cli.format import print_names
from engagekit.cli.options import CohortOption, date_range, query_error
from engagekit.errors import InputError
from engagekit.people.query import EventFilter

BAR_WIDTH = 30


def funnel(
    steps: Annotated[list[str], typer.Argument(help="Steps in order: NAME or \"NAME where FILTER\" (at least 2).")],
    window: Annotated[Optional[str], typer.Option(help="Conversion window from step 1: 30s, 10m, 2h, 14d, 1mo (30 days). Default: engagekit.yaml.")] = None,
    mode: Annotated[str, typer.Option(help="ordered, strict or unordered.")] = "ordered",
    from_: Annotated[Optional[str], typer.Option("--from", help="First entry day, YYYY-MM-DD (inclusive).")] = None,
    to: Annotated[Optional[str], typer.Option(help="Last entry day, YYYY-MM-DD (inclusive; default yesterday).")] = None,
    period: Annotated[Optional[str], typer.Option(help="Entry month, YYYY-MM (instead of --from/--to).")] = None,
    exclude: Annotated[Optional[list[str]], typer.Option(help="\"EVENT:FROM-TO\": drop people with EVENT between steps FROM and TO; repeatable.")] = None,
    by: Annotated[Optional[str], typer.Option(help="Break down by a trait (plan) or a step-1 property (properties.device).")] = None,
    people: Annotated[Optional[int], typer.Option(help="List the people who reached this step (1-based).")] = None,
    dropped: Annotated[bool, typer.Option("--dropped", help="With --people: those who dropped out at that step.")] = False,
    cohort: CohortOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """A conversion funnel: how many people go through the steps, where they drop out, how long it takes."""
    seconds = parse_window(window) if window else round(STATE.settings.conversion_window_days * 86_400)
    try:
        query = FunnelQuery(
            steps=[EventFilter.parse(step) for step in steps], mode=mode, window=seconds,
            range=date_range(period, from_, to), exclusions=[_exclusion(text) for text in exclude or []], breakdown=by,
            cohort=cohort,
        )
    except ValidationError as exc:
        raise query_error(exc) from exc
    result = run_funnel(STATE.store(), query, STATE.event_names())
    if people is not None:
        _print_people(result, people, dropped, as_json)
    elif as_json:
        print_json(result.to_dict())
    else:
        print_result(result)
        print_names(result.names, result.notes)


def register(app: typer.Typer) -> None:
    """Add the command(s) to the CLI."""
    app.command("funnel")(funnel)


def _exclusion(text: str) -> Exclusion:
    """'ticket_opened:2-3' (the event may carry a filter: "ticket_opened where ...:2-3")."""
    event, _, span = text.rpartition(":")
    match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", span)
    if not event.strip() or not match:
        raise InputError(f"--exclude {text!r}: expected EVENT:FROM-TO, e.g. ticket_opened:2-3")
    return Exclusion(event=EventFilter.parse(event), from_step=int(match.group(1)), to_step=int(match.group(2)))


def _print_people(result: FunnelResult, step: int, dropped: bool, as_json: bool) -> None:
    if not 1 <= step <= len(result.labels):
        raise InputError(f"--people {step}: the funnel has steps 1 to {len(result.labels)}")
    ids = result.people(step, dropped=dropped)
    if as_json:
        print_json({"step": step, "dropped": dropped, "people": ids})
        return
    console.print(f"{len(ids)} people {'dropped out at' if dropped else 'reached'} step {step}", highlight=False)
    for person_id in ids:
        console.print(person_id, markup=False, highlight=False)


def print_result(result: FunnelResult) -> None:
    """The steps for everyone, then per breakdown value."""
    _print_steps(f"Funnel ({result.mode}, window {_duration(result.window_seconds)})", result.steps)
    for value, steps in result.breakdown.items():
        _print_steps(f"{result.breakdown_by} = {value}", steps)


def _print_steps(title: str, steps: list[FunnelStep]) -> None:
    table = Table(title=title)
    for name in ("step", "people", "from start", "from previous", "drop-off", "avg time", "median time"):
        table.add_column(name, justify="left" if name == "step" else "right", no_wrap=name == "step")
    for s in steps:
        later = s.step > 1
        table.add_row(
            f"{s.step}. {s.label}", str(s.count), _percent(s.conversion_from_start),
            _percent(s.conversion_from_previous) if later else "",
            f"{s.dropped} ({_percent(s.drop_off_rate)})" if later else "",
            _duration(s.avg_seconds_from_previous), _duration(s.median_seconds_from_previous),
        )
    console.print(table)
    for s in steps:
        filled = round((s.conversion_from_start or 0.0) * BAR_WIDTH)
        console.print(f"{s.step:>3} {'█' * filled}{'░' * (BAR_WIDTH - filled)} {s.count}", highlight=False)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _duration(seconds: float | None) -> str:
    """3725 -> '1h 2m': the two largest units."""
    if seconds is None:
        return "-"
    units = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))
    parts, rest = [], round(seconds)
    for name, size in units:
        if rest >= size or (name == "s" and not parts):
            parts.append(f"{rest // size}{name}")
            rest %= size
    return " ".join(parts[:2])
