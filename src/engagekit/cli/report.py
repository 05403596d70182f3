"""`engagekit report`: executive and team reports as Markdown, self-contained HTML or JSON."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from dateutil.relativedelta import relativedelta

from engagekit.cli.context import STATE, console, print_json
from engagekit.cli.metrics import project_catalog
from engagekit.cli.options import parse_range
from engagekit.errors import InputError
from engagekit.metrics.headline import last_full_month
from engagekit.report.audiences import AUDIENCES
from engagekit.report.content import Report, build_report
from engagekit.report.render_html import render_html
from engagekit.report.render_json import render_json
from engagekit.report.render_md import render_md

RENDERERS: dict[str, tuple[Callable[[Report], str], str]] = {
    "html": (render_html, "html"),
    "md": (render_md, "md"),
    "json": (render_json, "json"),
}


def report(
    audience: Annotated[str, typer.Option(help=f"Who reads it: {', '.join(AUDIENCES)}.")] = "executive",
    period: Annotated[str | None, typer.Option(help="A month, YYYY-MM (default: the last full month of data).")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (inclusive).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive).")] = None,
    format_: Annotated[str, typer.Option("--format", help=f"{', '.join(RENDERERS)}.")] = "html",
    out: Annotated[Path | None, typer.Option(help="File to write (default: report-AUDIENCE-FIRSTDAY.EXT).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the file, audience and sections as JSON.")] = False,
) -> None:
    """Write an executive or team report of a period."""
    if format_ not in RENDERERS:
        raise InputError(f"unknown format {format_!r}; formats: {', '.join(RENDERERS)}")
    store = STATE.store()
    start, end = parse_range(period, from_, to, required=False) or last_full_month(store) or _last_month()
    content = build_report(store, project_catalog(), audience, start, end)
    render, extension = RENDERERS[format_]
    path = out or Path(f"report-{audience}-{start:%Y-%m-%d}.{extension}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(content), encoding="utf-8")
    if as_json:
        print_json({"file": str(path), "audience": audience, "period": content.period_label,
                    "empty": content.empty, "sections": [s.title for s in content.sections]})
    else:
        console.print(f"wrote {path} ({content.title}, {content.period_label})", highlight=False)


def _last_month() -> tuple[date, date]:
    """The calendar month before today's (for a store without events)."""
    end = date.today().replace(day=1)
    return end - relativedelta(months=1), end


def register(app: typer.Typer) -> None:
    """Add the `report` command to `app`."""
    app.command("report")(report)
