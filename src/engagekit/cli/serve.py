"""`engagekit serve`: the HTTP app (Segment-compatible collector) under uvicorn, and the runner
of CLI commands that other processes send to it while it holds the store (engagekit.api.control)."""
from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from engagekit.api.accesslog import log_to_stderr
from engagekit.api.control import Control, loopback_url
from engagekit.cli.context import STATE, console, err_console
from engagekit.cli.forward import running_server
from engagekit.errors import InputError
from engagekit.server import create_server
from engagekit.store import Store

# One forwarded command at a time: each changes the working directory and the standard
# streams of the whole process while it runs.
_FORWARDED = threading.Lock()


# What runs a forwarded command line: the CLI's `run`, given when the CLI registers this command
# (the CLI package imports this module, so this module cannot import it).
_command_line: list[Callable[[list[str]], int]] = []


def register(app: typer.Typer, run: Callable[[list[str]], int]) -> None:
    """Add `serve`; forwarded command lines run through `run`."""
    _command_line[:] = [run]
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Run the collector until interrupted; on shutdown the spool is drained into the store.
    Meanwhile other engagekit commands on the same store run inside this server."""
    url = STATE.url
    held = running_server(url)
    if held is not None:
        raise InputError(f"an engagekit server already serves this store at {held.url} (pid {held.pid})")
    app = create_server(url, STATE.settings, control=Control(loopback_url(host, port), run_forwarded))
    err_console.print(f"engagekit collector on http://{host}:{port} (store {url}); Ctrl+C to stop")
    # The drainer's Python work shares the interpreter lock with the requests; handing it over
    # every 1 ms instead of 5 ms keeps requests from queueing behind a drain (p99 about 40% lower).
    sys.setswitchinterval(0.001)
    log_to_stderr()  # one JSON line per request instead of uvicorn's access lines
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


def run_forwarded(argv: list[str], cwd: Path, stdout: io.TextIOBase, stderr: io.TextIOBase, *, store: Store,
                  store_lock: threading.Lock, columns: int = 80) -> int:
    """Run a CLI command line sent by another process on the store this server holds, from the
    sender's working directory (relative paths and ./engagekit.yaml are the sender's), with
    its output going to `stdout` and `stderr`, as wide as the sender's terminal; the exit code."""
    if not cwd.is_dir():
        stderr.write(f"error: the working directory {cwd} does not exist on the server's machine\n")
        return 2
    with _FORWARDED, store_lock, STATE.lending(store), _working_directory(cwd), \
            contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        console.width = err_console.width = columns  # this process prints nothing else meanwhile
        return _command_line[0](argv)


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)
