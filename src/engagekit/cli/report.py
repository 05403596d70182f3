"""`engagekit report`: executive and team reports as Markdown, self-contained HTML, PDF or JSON."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from dateutil.relativedelta import relativedelta

from engagekit.cli.context import STATE, console, print_json
from engagekit.cli.options import parse_range
from engagekit.errors import InputError
from engagekit.metrics.headline import last_full_month
from engagekit.report.audiences import AUDIENCES
from engagekit.report.content import Report, build_report
from engagekit.report.render import FORMATS, PAPERS, render
from engagekit.store import Store


def report(
    audience: Annotated[str, typer.Option(help=f"Who reads it: {', '.join(AUDIENCES)}.")] = "executive",
    period: Annotated[str | None, typer.Option(help="A month, YYYY-MM (default: the last full month of data).")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (inclusive).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive).")] = None,
    format_: Annotated[str, typer.Option("--format", help=f"{', '.join(FORMATS)}.")] = "html",
    paper: Annotated[str, typer.Option(help=f"PDF paper size: {', '.join(PAPERS)}.")] = "a4",
    out: Annotated[Path | None, typer.Option(help="File to write (default: report-AUDIENCE-FIRSTDAY.EXT).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the file, audience and sections as JSON.")] = False,
) -> None:
    """Write an executive or team report of a period."""
    store = STATE.store()
    bounds = parse_range(period, from_, to, required=False)
    path, content = write_report(store, audience, format_, out, bounds, paper)
    if as_json:
        print_json({"file": str(path), "audience": audience, "period": content.period_label,
                    "empty": content.empty, "sections": [s.title for s in content.sections]})
    else:
        console.print(f"wrote {path} ({content.title}, {content.period_label})", highlight=False)


def write_report(store: Store, audience: str, format_: str = "html", out: Path | None = None,
                 bounds: tuple[date, date] | None = None, paper: str = "a4") -> tuple[Path, Report]:
    """Build and write one report of [start, end) (default: the last full month of data); the
    file is written only once it rendered, so a failed PDF leaves no empty file behind."""
    if format_ not in FORMATS:
        raise InputError(f"unknown format {format_!r}; formats: {', '.join(FORMATS)}")
    if paper not in PAPERS:
        raise InputError(f"unknown paper {paper!r}; papers: {', '.join(PAPERS)}")
    start, end = bounds or last_full_month(store) or _last_month()
    content = build_report(store, STATE.project(), audience, start, end)
    data = render(content, format_, paper)
    path = out or Path(f"report-{audience}-{start:%Y-%m-%d}.{format_}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path, content


def _last_month() -> tuple[date, date]:
    """The calendar month before today's (for a store without events)."""
    end = date.today().replace(day=1)
    return end - relativedelta(months=1), end


def register(app: typer.Typer) -> None:
    """Add the `report` command to `app`."""
    app.command("report")(report)
