"""`engagekit serve`: the HTTP app (Segment-compatible collector) under uvicorn."""
from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from engagekit.api import create_app
from engagekit.cli.context import STATE, err_console


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Run the collector until interrupted; on shutdown the spool is drained into the store."""
    url = STATE.url
    app = create_app(url, STATE.settings)
    err_console.print(f"engagekit collector on http://{host}:{port} (store {url}); Ctrl+C to stop")
    uvicorn.run(app, host=host, port=port, log_level="info")
