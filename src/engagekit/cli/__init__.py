"""The `engagekit` command line: Typer app, global options, errors without tracebacks."""
from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Annotated, Optional

import typer

from engagekit.cli import (
    cohorts,
    demo,
    derive,
    funnel,
    ingest,
    init,
    keys,
    lifecycle,
    metrics,
    paths,
    quarantine,
    report,
    retention,
    serve,
    status,
    stickiness,
    voc,
)
from engagekit.cli.analyses import AnalysisGroup
from engagekit.cli.context import STATE, err_console
from engagekit.cli.forward import ServerHoldsStore, forward
from engagekit.errors import EngagekitError

app = typer.Typer(
    cls=AnalysisGroup,
    name="engagekit",
    help="Measure customer engagement from one store of customer data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _global_options(
    store: Annotated[Optional[str], typer.Option("--store", help="Store URL, e.g. duckdb:///./engagekit.duckdb or spark://local[2].")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="Config file (default ./engagekit.yaml).")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    STATE.store_url, STATE.config_path, STATE.debug = store, config, debug




def main() -> None:
    """Console entry point."""
    sys.exit(run())


def run(argv: list[str] | None = None) -> int:
    """Run one command line (default: this process's) and return its exit code: user errors
    print one line, anything else one line too (the traceback with --debug). A command on a
    store that a running `engagekit serve` holds is sent to that server (cli/forward.py)."""
    try:
        app(args=argv, prog_name="engagekit")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except ServerHoldsStore as held:
        url = STATE.url
        STATE.close()
        try:
            return forward(held.runtime, sys.argv[1:] if argv is None else argv, url)
        except EngagekitError as exc:
            return _user_error(exc)
    except EngagekitError as exc:
        return _user_error(exc)
    except KeyboardInterrupt:
        err_console.print("aborted")
        return 130
    except Exception as exc:  # anything unexpected: one line, the traceback with --debug
        if STATE.debug:
            traceback.print_exc()
            return 1
        err_console.print(f"[bold red]error:[/] {type(exc).__name__}: {exc} (run with --debug for details)",
                          highlight=False, soft_wrap=True)
        return 1
    finally:
        STATE.close()
    return 0


def _user_error(exc: EngagekitError) -> int:
    if STATE.debug:
        traceback.print_exc()
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    return exc.exit_code


for module in (init, ingest, derive, status, funnel, retention, lifecycle, stickiness, paths, cohorts, report, keys):
    module.register(app)
serve.register(app, run)
app.add_typer(quarantine.app, name="quarantine")
app.add_typer(metrics.app, name="metrics")
app.add_typer(demo.app, name="demo")
app.add_typer(voc.app, name="voc")
