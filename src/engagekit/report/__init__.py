"""Executive and team reports: typed content built from the KPI engine, rendered as Markdown,
a self-contained HTML page or JSON (see docs/reports.md)."""
