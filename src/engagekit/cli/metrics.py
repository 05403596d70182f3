"""`engagekit metrics list|show|compute|validate`: the KPI catalog from the command line."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from engagekit.analyses.kpis import MetricsQuery
from engagekit.cli.context import STATE, console, print_json
from engagekit.cli.format import format_change, print_names, status_markup
from engagekit.cli.options import CohortOption, parse_range, query_error
from engagekit.metrics.catalog import Catalog, builtin_files, load_catalog, load_file
from engagekit.metrics.display import format_value, sparkline
from engagekit.metrics.glossary import render_glossary
from engagekit.metrics.result import MetricResult
from engagekit.metrics.segments import find_differences
from engagekit.people.periods import COMPARES, GRAINS
from engagekit.people.ranges import DateRange
from engagekit.registry import get

app = typer.Typer(help="The KPI catalog: list, explain, compute and validate KPIs.", no_args_is_help=True)

AsJson = Annotated[bool, typer.Option("--json", help="Print as JSON.")]
NOTES_PER_KPI = 3  # notes on missing values printed under the table, per KPI


@app.command("list")
def list_metrics(
    stage: Annotated[Optional[str], typer.Option(help="Only KPIs of this journey stage.")] = None,
    industry: Annotated[Optional[str], typer.Option(help="Only KPIs that apply to this industry.")] = None,
    vanity: Annotated[Optional[bool], typer.Option("--vanity/--no-vanity", help="Only (or no) vanity metrics.")] = None,
    as_json: AsJson = False,
) -> None:
    """List the KPIs of the catalog."""
    metrics = STATE.catalog().select(stage, industry, vanity)
    if as_json:
        print_json([m.model_dump(mode="json", exclude_none=True) for m in metrics])
        return
    table = Table(title=f"KPIs ({len(metrics)})")
    for name in ("name", "label", "stages", "unit", "better", "vanity"):
        table.add_column(name, no_wrap=name == "name")
    for m in metrics:
        table.add_row(m.name, m.label, ", ".join(m.stages), m.unit, m.direction, "vanity" if m.vanity else "")
    console.print(table)


@app.command("show")
def show(name: str, as_json: AsJson = False) -> None:
    """Definition, formula, target, benchmark and their sources."""
    metric = STATE.catalog().get(name)
    if as_json:
        print_json(metric.model_dump(mode="json", exclude_none=True))
        return
    table = Table(title=metric.label, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("name", metric.name)
    table.add_row("description", metric.description)
    table.add_row("formula", metric.formula)
    table.add_row("kind", metric.kind.value)
    table.add_row("population", metric.population)
    table.add_row("unit", metric.unit)
    table.add_row("better when", metric.direction)
    table.add_row("stages", ", ".join(metric.stages))
    table.add_row("industries", ", ".join(metric.industries))
    if metric.vanity:
        table.add_row("vanity", "yes: read it with care, it does not measure business value by itself")
    for label, ref in (("target", metric.target), ("benchmark", metric.benchmark)):
        if ref is not None:
            table.add_row(label, f"{format_value(metric, ref.value)}  ({ref.source})")
    console.print(table)


@app.command("compute")
def compute(
    names: Annotated[list[str], typer.Argument(help="KPI names (see `engagekit metrics list`).")],
    period: Annotated[Optional[str], typer.Option(help="A month, YYYY-MM.")] = None,
    from_: Annotated[Optional[str], typer.Option("--from", help="First day, YYYY-MM-DD (inclusive).")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive).")] = None,
    grain: Annotated[Optional[str], typer.Option(help=f"Series by {', '.join(GRAINS)}.")] = None,
    by: Annotated[Optional[list[str]], typer.Option(help="Segment by a trait (gender), a property (properties.device) or a saved cohort (cohort:NAME); repeatable.")] = None,
    where: Annotated[Optional[str], typer.Option(help="Filter, e.g. \"country == 'DE' and plan in ['pro']\".")] = None,
    compare: Annotated[Optional[str], typer.Option(help=f"{' or '.join(COMPARES)}.")] = None,
    cohort: CohortOption = None,
    as_json: AsJson = False,
) -> None:
    """Compute KPIs over a range, by period and segment, against the comparison and target."""
    start, end = parse_range(period, from_, to)
    project = STATE.project()
    catalog = project.catalog
    try:
        query = MetricsQuery(names=names, range=DateRange(start=start, end=end), grain=grain, by=list(by or ()),
                             where=where, compare=compare, cohort=cohort)
    except ValidationError as exc:
        raise query_error(exc) from exc
    result = get("metrics").answer(STATE.store(), query, project)
    findings = find_differences(result, catalog) if by else []
    if as_json:
        print_json({**result.to_dict(), "segment_findings": [f.to_dict() for f in findings]})
        return
    print_result(result, catalog)
    print_names(result.names, result.notes)
    for finding in findings:
        if finding.significant:
            console.print(f"[bold yellow]{finding.sentence}[/]", highlight=False)
    others = sum(1 for f in findings if not f.significant)
    if others:
        console.print(f"[dim]{others} other segment(s) do not differ significantly from the rest (--json lists them).[/]")


@app.command("validate")
def validate(
    paths: Annotated[list[Path], typer.Argument(help="KPI YAML files to check (no data is read).")],
    as_json: AsJson = False,
) -> None:
    """Check KPI files: every entry parses, every field is known, names are unique."""
    counts = {str(path): len(load_file(path)) for path in paths}
    builtin = {p.resolve() for p in builtin_files()}
    load_catalog([p for p in paths if p.resolve() not in builtin])  # names must not clash with built-ins
    if as_json:
        print_json({"valid": True, "metrics": counts})
        return
    for path, count in counts.items():
        console.print(f"[green]ok[/] {path}: {count} KPIs")


@app.command("glossary")
def glossary(
    out: Annotated[Optional[Path], typer.Option(help="Write to this file instead of printing.")] = None,
    as_json: AsJson = False,
) -> None:
    """The KPI glossary as Markdown (docs/kpis.md is this output for the built-in catalog)."""
    text = render_glossary(STATE.catalog())
    if out is not None:
        out.write_text(text, encoding="utf-8")
    if as_json:
        print_json({"file": str(out) if out else None, "markdown": None if out else text})
    elif out is None:
        console.print(text, markup=False, highlight=False)
    else:
        console.print(f"wrote {out}")


def print_result(result: MetricResult, catalog: Catalog) -> None:
    """KPI rows as a table: a series without comparison reads across, one column per period with
    a sparkline at the end, when its periods fit the terminal; otherwise one row per period."""
    periods = sorted({row.period for row in result.rows if row.period is not None})
    table = _series_table(result, catalog, periods) if result.grain and not result.compare and len(periods) > 1 else None
    if table is not None:
        console.print(table)
        _print_partial_note(result)
    else:
        _print_rows(result, catalog)
    _print_reasons(result, catalog)


def _print_reasons(result: MetricResult, catalog: Catalog) -> None:
    """Why values are missing, under the table: the first few distinct notes of each KPI."""
    notes: dict[str, list[str]] = {}
    for row in result.rows:
        if row.note and row.note not in notes.setdefault(row.metric, []):
            notes[row.metric].append(row.note)
    for name, texts in notes.items():
        label = catalog.get(name).label
        for text in texts[:NOTES_PER_KPI]:
            console.print(f"[dim]- {escape(label)}: {escape(text)}[/]", highlight=False)
        if len(texts) > NOTES_PER_KPI:
            console.print(f"[dim]  and {len(texts) - NOTES_PER_KPI} more on {escape(label)} (--json has every row's note)[/]",
                          highlight=False)


def _series_table(result: MetricResult, catalog: Catalog, periods: list) -> Table | None:
    """One row per KPI and segment, one column per period, then the target and the last period's
    status (when any KPI has a target) and a sparkline; None when it would not fit the terminal."""
    partial = result.cut_short()
    series: dict[tuple, dict] = {}
    for row in result.rows:
        series.setdefault((row.metric, row.segment), {})[row.period] = row
    targeted = any(row.target is not None for row in result.rows)
    fields = result.segment_fields()
    headers = ["KPI", *_segment_headers(result),
               *[f"{period_label(period, result.grain)}{'*' if period in partial else ''}" for period in periods],
               *(["target", "status"] if targeted else []), "trend"]
    lines, statuses = [], []
    for (name, segment), rows in series.items():
        metric = catalog.get(name)
        values = [rows[p].value if p in rows else None for p in periods]
        last = rows.get(periods[-1]) or next(iter(rows.values()))
        context = [format_value(metric, last.target), (last.status or "").replace("_", " ")] if targeted else []
        lines.append([metric.label, *_segment_cells(segment, fields, result.by), *[format_value(metric, v) for v in values],
                      *context, sparkline(values)])
        statuses.append(last.status)
    width = sum(max(len(cell) for cell in column) + 3 for column in zip(headers, *lines, strict=True)) + 1
    if width > console.width:
        return None
    table = Table(title=f"KPIs {result.start} .. {result.end - timedelta(days=1)}, by {result.grain}")
    for header in headers:
        left = header in ("KPI", "status", "trend") or header in _segment_headers(result)
        table.add_column(header, justify="left" if left else "right", no_wrap=True)
    for line, status in zip(lines, statuses, strict=True):
        table.add_row(*(line[:-2] + [status_markup(status)] + line[-1:] if targeted else line))
    return table


def period_label(period: date, grain: str | None) -> str:
    """A period as people name it: 2026-10 for a month, 2026 Q4 for a quarter, the first day otherwise."""
    if grain == "month":
        return period.strftime("%Y-%m")
    if grain == "quarter":
        return f"{period.year} Q{(period.month - 1) // 3 + 1}"
    return str(period)


def _segment_headers(result: MetricResult) -> list[str]:
    """`by FIELD` for the segments asked for, the bare field for those a KPI's rows carry of their own."""
    return [f"by {field}" if field in result.by else field for field in result.segment_fields()]


def _segment_cells(segment: tuple, fields: list[str], by: tuple[str, ...]) -> list[str]:
    """A row's value of each segment field: "all" in the overall row of a `by` field, "" where the
    KPI has no such segment, "(unknown)" for a missing value."""
    values = dict(segment)
    return [("(unknown)" if values[field] is None else str(values[field])) if field in values
            else ("all" if field in by else "") for field in fields]


def _print_partial_note(result: MetricResult) -> None:
    for label, (days, whole) in result.cut_short().items():
        console.print(f"[dim]* {period_label(label, result.grain)}: the range holds {days} of the {result.grain}'s "
                      f"{whole} days; its counts and sums cover only that part.[/]", highlight=False)


def _print_rows(result: MetricResult, catalog: Catalog) -> None:
    """One row per KPI, period and segment; a series also gets a sparkline per metric."""
    table = Table(title=f"KPIs {result.start} .. {result.end - timedelta(days=1)}")
    fields = result.segment_fields()
    columns = ["KPI", *(["period"] if result.grain else []), *_segment_headers(result), "value",
               *(["previous", "change"] if result.compare else []), "target", "status"]
    for name in columns:
        table.add_column(name, justify="right" if name in ("value", "previous", "change", "target") else "left",
                         no_wrap=name != "KPI")
    partial = result.cut_short()
    for row in result.rows:
        metric = catalog.get(row.metric)
        cells = [metric.label]
        if result.grain:
            cells.append(f"{period_label(row.period, result.grain)}{'*' if row.period in partial else ''}")
        cells += _segment_cells(row.segment, fields, result.by)
        cells.append(format_value(metric, row.value))
        if result.compare:
            cells += [format_value(metric, row.previous), format_change(metric, row)]
        cells += [format_value(metric, row.target), status_markup(row.status)]
        table.add_row(*cells)
    console.print(table)
    _print_partial_note(result)
    if result.grain:
        for name in dict.fromkeys(row.metric for row in result.rows):
            series = [row.value for row in result.for_metric(name) if not row.segment]
            if series:
                console.print(f"{catalog.get(name).label:>28}  {sparkline(series)}")
