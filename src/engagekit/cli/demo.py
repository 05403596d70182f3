"""`engagekit demo`: generate the demo company, load it, write the executive report and serve the
dashboard; `demo generate`: files only."""
from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated

import typer

from engagekit.access.keys import create_key
from engagekit.api.app import spool_directory
from engagekit.cli.context import STATE, console, print_json
from engagekit.cli.derive import rebuild
from engagekit.cli.ingest import batch_table
from engagekit.cli.metrics import print_result
from engagekit.cli.progress import progress_bar
from engagekit.cli.report import write_report
from engagekit.cli.serve import serve as serve_app
from engagekit.cli.status import print_summary
from engagekit.demo.generate import DemoSpec, generate
from engagekit.demo.load import load_demo
from engagekit.errors import InputError
from engagekit.metrics.headline import headline
from engagekit.store.summary import store_summary

app = typer.Typer(help="The demo company: generate its files and load them into the store.")

DEFAULT_OUT = Path("demo-data")

Industry = Annotated[str, typer.Option(help="ecommerce, saas, media, healthcare or services.")]
Customers = Annotated[int, typer.Option(help="Number of customers.")]
Months = Annotated[int, typer.Option(help="Months of history.")]
Seed = Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")]
Out = Annotated[Path, typer.Option(help="Folder for the generated files.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
DEMO_KEY_NAME = "demo dashboard"


def _generate(spec: DemoSpec, out: Path, show: bool) -> dict[str, Path]:
    with progress_bar(enabled=show) as progress:
        task = progress.add_task("generating", total=None)

        def report(step: str, done: int, total: int) -> None:
            progress.update(task, description=f"generating {step}", completed=done, total=total)

        return generate(spec, out, progress=report)


@app.callback(invoke_without_command=True)
def demo(
    ctx: typer.Context,
    industry: Industry = "ecommerce",
    customers: Customers = DemoSpec.model_fields["customers"].default,
    months: Months = DemoSpec.model_fields["months"].default,
    seed: Seed = DemoSpec.model_fields["seed"].default,
    out: Out = DEFAULT_OUT,
    serve: Annotated[bool, typer.Option("--serve/--no-serve",
                                        help="Serve the dashboard at the end (--json never serves).")] = True,
    host: Annotated[str, typer.Option(help="Interface the dashboard listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port of the dashboard.")] = 8000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON (and do not serve).")] = False,
) -> None:
    """Generate the demo company, ingest it into the store, summarise what is there, write the
    executive report of the last full month and serve the dashboard with a new read key."""
    if ctx.invoked_subcommand is not None:
        return
    serve = serve and not as_json
    if serve:  # fail before minutes of work, not after
        spool_directory(STATE.url)
        _check_port(host, port)
    spec = DemoSpec(industry=industry, customers=customers, months=months, seed=seed)
    files = _generate(spec, out, show=not as_json)
    store = STATE.store()
    with progress_bar(enabled=not as_json) as progress:
        task = progress.add_task("ingesting", total=len(files))

        def advance(name: str) -> None:
            progress.update(task, description=f"ingesting {name}")
            progress.advance(task)

        reports = load_demo(store, files, STATE.settings, on_file=advance)
    rebuild(store, show=not as_json)
    summary = store_summary(store)
    catalog = STATE.catalog()
    kpis = headline(store, catalog)
    report_path, report = write_report(store, "executive", "html", out / "report-executive.html")
    if as_json:
        print_json({"files": {k: str(v) for k, v in files.items()}, "batches": [r.to_dict() for r in reports],
                    "summary": summary, "headline_kpis": kpis.to_dict() if kpis else None,
                    "report": {"file": str(report_path), "period": report.period_label}})
        return
    console.print(batch_table(reports))
    print_summary(summary, batches=False)
    if kpis is not None:
        print_result(kpis, catalog)
    console.print(f"\nExecutive report of {report.period_label}: {report_path.resolve()}", highlight=False,
                  soft_wrap=True)
    if serve:
        _serve_dashboard(host, port)


def _check_port(host: str, port: int) -> None:
    """Refuse a port something else already listens on."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port} ({exc.strerror}); pass --port or --no-serve") from exc


def _serve_dashboard(host: str, port: int) -> None:
    """Create a read key, print it with the address, then serve until interrupted."""
    _, key = create_key(STATE.store(), "read", DEMO_KEY_NAME)
    STATE.close()  # the server opens the store itself
    console.print(f"Dashboard: http://{host}:{port}/  (log in with this read key; it is not shown again)",
                  highlight=False, soft_wrap=True)
    console.print(f"Read key: {key}", highlight=False, soft_wrap=True)
    serve_app(host=host, port=port)


@app.command("generate")
def generate_files(
    industry: Industry = "ecommerce",
    customers: Customers = DemoSpec.model_fields["customers"].default,
    months: Months = DemoSpec.model_fields["months"].default,
    seed: Seed = DemoSpec.model_fields["seed"].default,
    out: Out = DEFAULT_OUT,
    as_json: AsJson = False,
) -> None:
    """Write the demo company's multi-source files (Parquet) without loading them."""
    spec = DemoSpec(industry=industry, customers=customers, months=months, seed=seed)
    files = _generate(spec, out, show=not as_json)
    if as_json:
        print_json({name: str(path) for name, path in files.items()})
        return
    for name, path in files.items():
        console.print(f"{name:>14}  {path}")
