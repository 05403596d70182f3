"""The CLI's side of "one store, two users": find the server that holds the store, send it the
command, print what it streams back (see engagekit.store.holder).

A runtime file whose process is gone (the server was killed) is stale: it is removed and the
command opens the store itself. While the server's process lives but does not answer (it is
starting, or stopping and draining its spool), the command waits for it to answer or to end,
up to 30 seconds; after that (a hung server) the store's own lock error says what holds it.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.request

from engagekit.errors import EngagekitError, InputError
from engagekit.store.engines import capabilities_of
from engagekit.store.holder import CONTROL_PATH, TOKEN_HEADER, Runtime, read_runtime, runtime_path

ANSWER_WAIT_SECONDS = 30.0
# loopback only: never through an HTTP proxy from the environment
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerHoldsStore(EngagekitError):
    """Raised where a command would open a store that a running server holds; the CLI catches
    it and sends the whole command to that server."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(f"the store is held by the engagekit server at {runtime.url} (pid {runtime.pid})")
        self.runtime = runtime


def running_server(store_url: str) -> Runtime | None:
    """The server that holds the store at `store_url`, if one runs and answers (only a store a
    server can own has one)."""
    if not capabilities_of(store_url).hosts_server:
        return None
    runtime = read_runtime(store_url)
    if runtime is None:
        return None
    deadline = time.monotonic() + ANSWER_WAIT_SECONDS
    while _alive(runtime.pid):
        if _answers(runtime.url):
            return runtime
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.2)
    runtime_path(store_url).unlink(missing_ok=True)  # stale: its server was killed
    return None


def forward(runtime: Runtime, argv: list[str], store_url: str) -> int:
    """Run `argv` in the server (on `store_url`, from this working directory); its exit code."""
    body = json.dumps({"argv": ["--store", store_url, *argv], "cwd": os.getcwd(),
                       "columns": shutil.get_terminal_size().columns}).encode()
    request = urllib.request.Request(runtime.url + CONTROL_PATH, data=body, method="POST",
                                     headers={TOKEN_HEADER: runtime.token, "Content-Type": "application/json"})
    try:
        with _OPENER.open(request) as response:
            for line in response:
                item = json.loads(line)
                if "exit" in item:
                    return int(item["exit"])
                stream = sys.stdout if "stdout" in item else sys.stderr
                stream.write(item.get("stdout", item.get("stderr", "")))
                stream.flush()
    except urllib.error.HTTPError as exc:
        raise InputError(f"the engagekit server at {runtime.url} refused the command (HTTP {exc.code})") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise EngagekitError(f"lost the engagekit server at {runtime.url} during the command: {exc}") from exc
    raise EngagekitError(f"the engagekit server at {runtime.url} ended the command without an exit code")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def _answers(url: str) -> bool:
    try:
        with _OPENER.open(f"{url}/healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False
