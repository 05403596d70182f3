"""One entry point for every report format: the file's bytes and its extension."""
from __future__ import annotations

from collections.abc import Callable

from engagekit.errors import InputError
from engagekit.report.parts import Report
from engagekit.report.render_html import render_html
from engagekit.report.render_json import render_json
from engagekit.report.render_md import render_md
from engagekit.report.render_pdf import PAPER_FORMATS, render_pdf

TEXT_RENDERERS: dict[str, Callable[[Report], str]] = {"html": render_html, "md": render_md, "json": render_json}
FORMATS = (*TEXT_RENDERERS, "pdf")
PAPERS = tuple(PAPER_FORMATS)


def render(report: Report, format_: str, paper: str = "a4") -> bytes:
    """The report as a file in `format_` (html, md, json: UTF-8 text; pdf: printed on `paper`)."""
    if format_ == "pdf":
        return render_pdf(report, paper)
    if format_ not in TEXT_RENDERERS:
        raise InputError(f"unknown format {format_!r}; formats: {', '.join(FORMATS)}")
    return TEXT_RENDERERS[format_](report).encode("utf-8")
