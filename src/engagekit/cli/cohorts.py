"""`engagekit cohorts create|list|show|members|delete`: saved cohorts in the store."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.table import Table

from engagekit.cli.context import STATE, console, print_json
from engagekit.cli.format import print_names
from engagekit.errors import InputError, validation_message
from engagekit.people.cohorts import (
    BehaviourCohort,
    Definition,
    SavedCohort,
    StaticCohort,
    TraitsCohort,
    cohort_people,
    cohort_size,
    delete_cohort,
    get_cohort,
    list_cohorts,
    save_cohort,
    validate_name,
)
from engagekit.people.periods import inclusive_range
from engagekit.people.ranges import DateRange

cohorts_app = typer.Typer(help="Saved cohorts: create, list, show, members, delete.", no_args_is_help=True)

AsJson = Annotated[bool, typer.Option("--json", help="Print as JSON.")]


@cohorts_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="snake_case name.")],
    did: Annotated[Optional[str], typer.Option(help="Behaviour: the event, e.g. order_completed.")] = None,
    event_where: Annotated[Optional[str], typer.Option("--event-where", help="Behaviour: filter on the event, e.g. \"properties.revenue > 50\".")] = None,
    at_least: Annotated[Optional[int], typer.Option("--at-least", help="Behaviour: at least N times.")] = None,
    at_most: Annotated[Optional[int], typer.Option("--at-most", help="Behaviour: at most N times.")] = None,
    exactly: Annotated[Optional[int], typer.Option(help="Behaviour: exactly N times.")] = None,
    days: Annotated[Optional[int], typer.Option(help="Behaviour: in the last N days (up to --as-of, default today).")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Behaviour: last day of the window, YYYY-MM-DD.")] = None,
    from_: Annotated[Optional[str], typer.Option("--from", help="Behaviour: first day, YYYY-MM-DD (inclusive).")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="Behaviour: last day, YYYY-MM-DD (inclusive).")] = None,
    where: Annotated[Optional[str], typer.Option(help="Traits: a filter, e.g. \"country == 'BR' and plan in ['pro']\".")] = None,
    ids: Annotated[Optional[str], typer.Option(help="Static: person ids, comma-separated.")] = None,
    file: Annotated[Optional[Path], typer.Option(help="Static: a file of person ids, one a line.")] = None,
    description: Annotated[str, typer.Option(help="What the cohort is for.")] = "",
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite a cohort of the same name.")] = False,
    as_json: AsJson = False,
) -> None:
    """Save a cohort: --did (behaviour), --where (traits), or --ids/--file (static)."""
    validate_name(name)
    kinds = [k for k, given in (("--did", did), ("--where", where), ("--ids/--file", ids or file)) if given]
    if len(kinds) != 1:
        raise InputError("give exactly one of --did (behaviour), --where (traits), --ids/--file (static)")
    try:
        if did:
            definition: Definition = _behaviour(did, event_where, at_least, at_most, exactly, days, as_of, from_, to)
        elif where:
            definition = TraitsCohort(where=where)
        else:
            definition = StaticCohort(ids=_ids(ids, file))
    except ValidationError as exc:
        raise InputError(f"cohort {name!r}: {validation_message(exc.errors())}") from exc
    saved = save_cohort(STATE.store(), name, definition, description, replace, STATE.event_names())
    size = cohort_size(STATE.store(), name)
    if as_json:
        print_json({**saved.to_dict(), "size": size})
        return
    console.print(f"[green]saved[/] {name}: {_describe(saved)} ({size} people)", highlight=False)
    print_names(saved.names, saved.notes)


@cohorts_app.command("list")
def list_(as_json: AsJson = False) -> None:
    """The saved cohorts."""
    cohorts = list_cohorts(STATE.store())
    if as_json:
        print_json([c.to_dict() for c in cohorts])
        return
    table = Table(title=f"Cohorts ({len(cohorts)})")
    for column in ("name", "kind", "definition", "description", "saved"):
        table.add_column(column, no_wrap=column == "name")
    for c in cohorts:
        table.add_row(c.name, c.definition.kind, _describe(c), c.description, f"{c.created_at:%Y-%m-%d %H:%M}")
    console.print(table)


@cohorts_app.command("show")
def show(name: str, as_json: AsJson = False) -> None:
    """A cohort's definition and its current size."""
    store = STATE.store()
    cohort = get_cohort(store, name)
    size = cohort_size(store, name)
    if as_json:
        print_json({**cohort.to_dict(), "size": size})
        return
    table = Table(title=name, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for label, value in (("kind", cohort.definition.kind), ("definition", _describe(cohort)),
                         ("description", cohort.description), ("saved", f"{cohort.created_at:%Y-%m-%d %H:%M:%S} UTC"),
                         ("size", f"{size} people")):
        table.add_row(label, value)
    console.print(table)


@cohorts_app.command("members")
def members(
    name: str,
    limit: Annotated[int, typer.Option(help="At most this many ids (sorted).")] = 100,
    as_json: AsJson = False,
) -> None:
    """The people of a cohort (person ids, sorted)."""
    people = cohort_people(STATE.store(), name)
    ids = people.order_by("person_id").limit(limit).person_id.to_pyarrow().to_pylist()
    if as_json:
        print_json({"name": name, "members": ids})
        return
    for person in ids:
        console.print(person, highlight=False)


@cohorts_app.command("delete")
def delete(name: str, as_json: AsJson = False) -> None:
    """Delete a cohort."""
    delete_cohort(STATE.store(), name)
    if as_json:
        print_json({"deleted": name})
        return
    console.print(f"deleted {name}", highlight=False)


def _behaviour(did: str, event_where: str | None, at_least: int | None, at_most: int | None, exactly: int | None,
               days: int | None, as_of: str | None, from_: str | None, to: str | None) -> BehaviourCohort:
    counts = [(c, n) for c, n in (("at_least", at_least), ("at_most", at_most), ("exactly", exactly)) if n is not None]
    if len(counts) > 1:
        raise InputError("give one of --at-least, --at-most, --exactly")
    comparison, count = counts[0] if counts else ("at_least", 1)
    window = None
    if from_ or to:
        if not (from_ and to):
            raise InputError("--from and --to go together")
        window = DateRange(**dict(zip(("start", "end"), inclusive_range(_day(from_), _day(to)))))
    return BehaviourCohort(event=did, where=event_where, comparison=comparison, count=count, days=days,
                           as_of=_day(as_of) if as_of else None, range=window)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"{text!r}: expected a date YYYY-MM-DD") from exc


def _ids(ids: str | None, file: Path | None) -> tuple[str, ...]:
    listed = (ids or "").split(",")
    if file is not None:
        try:
            listed += file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InputError(f"--file {file}: {exc.strerror}") from exc
    return tuple(listed)


def _describe(cohort: SavedCohort) -> str:
    return cohort.definition.describe()


def register(app: typer.Typer) -> None:
    """Add the `cohorts` command group to the CLI."""
    app.add_typer(cohorts_app, name="cohorts")
