"""A report as one self-contained HTML page: inline CSS and inline SVG sparklines, no scripts and
no external assets, so the file opens offline."""
from __future__ import annotations

from html import escape

from engagekit.report.parts import KpiLine, Report, Table

SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 28, 3
STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;max-width:1000px;
margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #e4e7eb;padding-bottom:.2rem;margin-top:2rem}
.period{color:#52606d;margin-top:0}.note{color:#616e7c;font-size:.9rem;font-style:italic}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.92rem}
th,td{padding:.35rem .6rem;border-bottom:1px solid #e4e7eb;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f5f7fa}
.better{color:#1f7a3d}.worse{color:#b42318}
.status{border-radius:.6em;padding:.05em .5em;font-size:.85em;white-space:nowrap}
.on-track{background:#e3f9e5;color:#1f7a3d}.warning{background:#fff3c4;color:#8d6708}
.critical{background:#ffe3e3;color:#b42318}
ul.sentences li{margin:.3rem 0}
svg.spark polyline{fill:none;stroke:#3e63dd;stroke-width:1.5}svg.spark circle{fill:#3e63dd}
@media print{body{margin:0;padding:0;max-width:none;font-size:9pt;line-height:1.3}
h1{font-size:15pt;margin:0}h2{font-size:11pt;margin:.7rem 0 .3rem}.period{margin:.1rem 0 0}
.note{font-size:7.5pt;margin:.2rem 0}table{font-size:8pt;margin:.2rem 0 .4rem}th,td{padding:.1rem .35rem}
ul.sentences{margin:.2rem 0;padding-left:1.2rem}ul.sentences li{margin:.05rem 0}
tr,li{break-inside:avoid}h2{break-after:avoid}}
"""


def render_html(report: Report) -> str:
    """The whole report as an HTML document."""
    parts = [f"<h1>{escape(report.title)}</h1>", f'<p class="period">Period: {escape(report.period_label)}</p>']
    for section in report.sections:
        parts.append(f"<section><h2>{escape(section.title)}</h2>")
        parts += [f'<p class="note">{escape(note)}</p>' for note in section.notes]
        if section.kpis:
            parts.append(_kpi_table(section.kpis))
        if section.sentences:
            items = "".join(f"<li>{escape(text)}</li>" for text in section.sentences)
            parts.append(f'<ul class="sentences">{items}</ul>')
        parts += [_table(table) for table in section.tables]
        parts.append("</section>")
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(report.title)}: {escape(report.period_label)}</title>\n<style>{STYLE}</style>\n"
            f"</head>\n<body>\n{body}\n</body>\n</html>\n")


def _kpi_table(kpis: list[KpiLine]) -> str:
    head = "".join(f"<th>{c}</th>" for c in ("KPI", "value", "previous", "change", "target", "status",
                                              "last 12 months"))
    rows = []
    for k in kpis:
        direction = "" if k.better is None else ("better" if k.better else "worse")
        status = f'<span class="status {k.status.replace(" ", "-")}">{escape(k.status)}</span>' if k.status else ""
        rows.append(f"<tr><td>{escape(k.label)}</td><td>{escape(k.value)}</td><td>{escape(k.previous)}</td>"
                    f'<td class="{direction}">{escape(k.change)}</td><td>{escape(k.target)}</td><td>{status}</td>'
                    f"<td>{sparkline_svg(k.series, k.series_months, k.label)}</td></tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def sparkline_svg(values: list[float | None], months: list[str], label: str) -> str:
    """An inline SVG line of a monthly series (gaps break the line); the last point is marked."""
    present = [v for v in values if v is not None]
    if len(present) < 2:
        return ""
    low, high = min(present), max(present)
    span = (high - low) or 1.0
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / (len(values) - 1)
    inner = SPARK_HEIGHT - 2 * SPARK_PAD

    def point(i: int, v: float) -> tuple[float, float]:
        return SPARK_PAD + i * step, SPARK_PAD + inner - (v - low) / span * inner

    lines, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                lines.append(current)
            current = []
        else:
            current.append(point(i, v))
    if current:
        lines.append(current)
    polylines = "".join('<polyline points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in line) + '"/>' for line in lines)
    last = next((i, v) for i, v in reversed(list(enumerate(values))) if v is not None)
    x, y = point(*last)
    title = escape(f"{label}: {months[0]} to {months[-1]}") if months else escape(label)
    return (f'<svg class="spark" role="img" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
            f'viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}"><title>{title}</title>{polylines}'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2"/></svg>')
