"""Who holds a store: the runtime file a server publishes beside a store it owns.

A store whose engine has one writer (a DuckDB file) can be owned by one process at a time:
`engagekit serve` holds it. While the server runs it keeps `<store file>.server.json` (mode
0600): its pid, loopback URL and a random control token. A CLI command on the same store reads
the file and sends the command to the server's control route (`CONTROL_PATH`, token in
`TOKEN_HEADER`); engagekit.api.control is the server's side, engagekit.cli.forward the CLI's.
The file's format lives here, below both.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from engagekit.errors import InputError
from engagekit.store.engines import server_file

CONTROL_PATH = "/_engagekit/run"
TOKEN_HEADER = "X-Engagekit-Control"


@dataclass(frozen=True)
class Runtime:
    """What the runtime file says about a running server."""

    pid: int
    url: str
    token: str = field(repr=False)
    store: str


def runtime_path(store_url: str) -> Path:
    """`<store dir>/<store file name>.server.json`."""
    path = server_file(store_url)
    return path.parent / f"{path.name}.server.json"


def write_runtime(store_url: str, base_url: str, token: str) -> Path:
    """Publish the running server: its loopback URL and control token (atomically, readable by
    the owner only)."""
    path = runtime_path(store_url)
    data = {"pid": os.getpid(), "url": base_url, "token": token, "store": str(server_file(store_url))}
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
    os.replace(temporary, path)
    return path


def remove_runtime(store_url: str) -> None:
    """Withdraw the runtime file at shutdown, if it is still this process's."""
    found = read_runtime(store_url)
    if found is not None and found.pid == os.getpid():
        runtime_path(store_url).unlink(missing_ok=True)


def read_runtime(store_url: str) -> Runtime | None:
    """The runtime file of the store's server, None when there is none or it is unreadable."""
    try:
        data = json.loads(runtime_path(store_url).read_text())
        return Runtime(int(data["pid"]), str(data["url"]), str(data["token"]), str(data["store"]))
    except (OSError, ValueError, KeyError, TypeError, InputError):
        return None
