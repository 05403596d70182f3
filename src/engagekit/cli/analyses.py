"""A command for every registered analysis that has none of its own (engagekit.registry); those
of a command group (`group`, e.g. the `voc` commands) are that group's.

The funnel, retention, lifecycle, stickiness and paths commands declare hand-tuned options in
their own modules. Any other registered analysis gets `engagekit NAME` with options generated
from its query's fields (engagekit.analyses.text_query): its first DateRange is `--from`/`--to`
(inclusive), any other `--NAME-from`/`--NAME-to`, an EventFilter its text (`NAME where FILTER`), a list of them a
repeated option, a bool a `--x/--no-x` flag, other fields their text or JSON. `--json` prints
the result's JSON, otherwise its table. The CLI's group asks the registry whenever it lists or
looks up commands, so an analysis registered at run time has its command.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any, Optional

import click
import typer
from pydantic.fields import FieldInfo
from rich.table import Table
from typer.core import TyperGroup

from engagekit.analyses.protocol import Analysis
from engagekit.analyses.text_query import field_kind, query_from_text
from engagekit.cli.context import STATE, console, print_json
from engagekit.cli.format import print_names
from engagekit.cli.options import date_range
from engagekit.registry import analyses

KEYWORD = inspect.Parameter.KEYWORD_ONLY


class AnalysisGroup(TyperGroup):
    """The CLI's top-level group: its own commands, then one per registered analysis without one."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return super().list_commands(ctx) + [a.name for a in _generated() if a.name not in self.commands]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            return found
        wanted = next((a for a in _generated() if a.name == cmd_name), None)
        return None if wanted is None else analysis_command(wanted)


def _generated() -> list[Analysis[Any, Any]]:
    """The registered analyses that no command group runs with its own commands."""
    return [a for a in analyses() if a.group is None]


def analysis_command(analysis: Analysis[Any, Any]) -> click.Command:
    """The click command of a registered analysis, its options generated from its query."""
    app = typer.Typer(add_completion=False)
    app.command(analysis.name, help=analysis.summary)(command_function(analysis))
    return typer.main.get_command(app)


def command_function(analysis: Analysis[Any, Any]) -> Callable[..., None]:
    """A function whose signature Typer reads as the command's options, and which runs the query."""
    fields = analysis.query.model_fields
    ranged = [name for name, field in fields.items() if field_kind(field.annotation) == "range"]
    parameters = [parameter for name, field in fields.items() if field_kind(field.annotation) != "range"
                  for parameter in _options(name, field)]
    for index, name in enumerate(ranged):
        parameters += _range_options(name, fields[name], first=index == 0)
    parameters.append(inspect.Parameter("as_json", KEYWORD, default=False,
                                        annotation=Annotated[bool, typer.Option("--json", help="Print as JSON.")]))

    def run(**given: Any) -> None:
        as_json = given.pop("as_json")
        ranges = {}
        for name in ranged:
            days = date_range(None, given.pop(f"{name}_from"), given.pop(f"{name}_to"), required=fields[name].is_required())
            if days is not None:
                ranges[name] = days
        query = query_from_text(analysis.query, given, **ranges)
        result = analysis.answer(STATE.store(), query, STATE.project())
        if as_json:
            print_json(result.to_dict())
            return
        _print_table(analysis, result)
        if hasattr(result, "names"):
            print_names(result.names, result.notes)

    run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run.__doc__ = analysis.summary
    return run


def _range_options(name: str, field: FieldInfo, first: bool) -> list[inspect.Parameter]:
    """`--from`/`--to` of the query's first range, `--NAME-from`/`--NAME-to` of any other."""
    prefix = "--" if first else "--" + name.replace("_", "-") + "-"
    of = "" if first else f" of {name}" + (f" ({field.description})" if field.description else "")
    return [_option(f"{name}_from", str, prefix + "from", f"First day{of}, YYYY-MM-DD (inclusive)."),
            _option(f"{name}_to", str, prefix + "to", f"Last day{of}, YYYY-MM-DD (inclusive; default yesterday).")]


def _options(name: str, field: FieldInfo) -> list[inspect.Parameter]:
    kind = field_kind(field.annotation)
    flag, described = "--" + name.replace("_", "-"), field.description or ""
    if kind == "flag":
        return [_option(name, bool, f"{flag}/--no-{flag[2:]}", described)]
    if kind == "filters":
        return [_option(name, list[str], flag, described or "An event (NAME or \"NAME where FILTER\"); repeat for more.")]
    if kind == "filter":
        return [_option(name, str, flag, described or "An event: NAME or \"NAME where FILTER\".")]
    return [_option(name, str, flag, described + (" (JSON)" if kind == "json" else ""))]


def _option(name: str, kind: Any, flag: str, described: str) -> inspect.Parameter:
    return inspect.Parameter(name, KEYWORD, default=None, annotation=Annotated[Optional[kind], typer.Option(flag, help=described)])


def _print_table(analysis: Analysis[Any, Any], result: Any) -> None:
    frame = result.to_frame()
    table = Table(title=analysis.summary)
    for column in frame.columns:
        table.add_column(str(column), justify="right" if frame[column].dtype.kind in "iuf" else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*("-" if value is None or value != value else str(value) for value in row))
    console.print(table)
