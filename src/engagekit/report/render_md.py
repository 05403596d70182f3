"""A report as Markdown."""
from __future__ import annotations

from engagekit.metrics.display import sparkline
from engagekit.report.parts import Report

KPI_COLUMNS = ("KPI", "value", "previous", "change", "target", "status", "last 12 months")


def render_md(report: Report) -> str:
    """The whole report: title, period, then each section's notes, KPIs, sentences and tables."""
    lines = [f"# {report.title}", "", f"Period: {report.period_label}", ""]
    for section in report.sections:
        lines += [f"## {section.title}", ""]
        for note in section.notes:
            lines += [f"_{note}_", ""]
        if section.kpis:
            rows = [[k.label, k.value, k.previous, k.change, k.target, k.status, sparkline(k.series)]
                    for k in section.kpis]
            lines += _table(list(KPI_COLUMNS), rows)
        if section.sentences:
            lines += [f"- {text}" for text in section.sentences] + [""]
        for table in section.tables:
            lines += _table(table.columns, table.rows)
    return "\n".join(lines).rstrip() + "\n"


def _table(columns: list[str], rows: list[list[str]]) -> list[str]:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
    return [line(columns), "| " + " | ".join("---" for _ in columns) + " |", *(line(row) for row in rows), ""]
