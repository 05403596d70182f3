"""Report generation speed on the demo company: every audience, built once and written as HTML
and as PDF, against the target of <= 20 s per report at 20M events.

    python bench/reports.py [--customers 105000]            # about 20M events, built in a temp folder
    python bench/reports.py --store /data/bench20m           # build once in that folder, then reuse

Prints the load times when it builds the store, then per audience: the time to compute the
report's content (wall and CPU seconds), to render HTML, to print PDF (Chromium's start
included), and the total of a report as `engagekit report` writes it (content + render).
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from demo_store import add_store_options, bench_folder, demo_store
from rich.console import Console
from rich.table import Table

from engagekit.analyses.protocol import Project
from engagekit.report.audiences import AUDIENCES
from engagekit.report.content import build_report
from engagekit.report.render import render
from engagekit.store import Store

PERIOD = (date(2026, 10, 1), date(2026, 11, 1))  # the last full month of the default demo
TARGET_S = 20.0
T = TypeVar("T")


def timed(function: Callable[..., T], *args: object) -> tuple[T, float]:
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def cpu_timed(function: Callable[..., T], *args: object) -> tuple[T, float, float]:
    """The result, wall seconds and this process' CPU seconds (all threads; DuckDB uses both
    cores): on a shared machine the CPU time says what the wall time would be alone."""
    cpu = time.process_time()
    result, wall = timed(function, *args)
    return result, wall, time.process_time() - cpu


def bench(store: Store, console: Console) -> None:
    project = Project()
    table = Table(title=f"Seconds per report of {PERIOD[0]:%B %Y} over {store.count('events'):,} demo events "
                        "(DuckDB store)")
    for column in ("audience", "content", "content CPU", "html", "pdf", "html report", "pdf report", "pdf KB"):
        table.add_column(column, justify="left" if column == "audience" else "right")
    slowest = 0.0
    for name in AUDIENCES:
        report, content_s, content_cpu = cpu_timed(build_report, store, project, name, *PERIOD)
        _, html_s = timed(render, report, "html")
        pdf, pdf_s = timed(render, report, "pdf")
        slowest = max(slowest, content_s + pdf_s, content_s + html_s)
        table.add_row(name, f"{content_s:.1f}", f"{content_cpu:.1f}", f"{html_s:.2f}", f"{pdf_s:.1f}",
                      f"{content_s + html_s:.1f}", f"{content_s + pdf_s:.1f}", f"{len(pdf) / 1024:,.0f}")
        console.print(f"{name}: content {content_s:.1f} s (CPU {content_cpu:.1f} s), pdf {pdf_s:.1f} s")
    console.print(table)
    verdict = "within" if slowest <= TARGET_S else "OVER"
    console.print(f"slowest report {slowest:.1f} s: {verdict} the target of {TARGET_S:.0f} s per report")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_store_options(parser)
    args = parser.parse_args()
    console = Console()
    with bench_folder(args.store) as folder:
        store = demo_store(folder, args.customers, console)
        try:
            bench(store, console)
        finally:
            store.close()


if __name__ == "__main__":
    main()
