"""A report as JSON: the typed content, ready for other tools."""
from __future__ import annotations

import json

from engagekit.report.parts import Report


def render_json(report: Report) -> str:
    """The report's content (sections with KPIs, sentences and tables) as indented JSON."""
    return json.dumps(report.to_dict(), indent=2, default=str) + "\n"
