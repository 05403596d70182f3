"""Owner-only store files, whatever the umask: the store holds the keys' hashes and the customers.

DuckDB creates its file and `<file>.wal` with mode 0666 less the process umask, and deletes
and re-creates the .wal at every checkpoint, so no chmod after the fact keeps the log private.
While a DuckDB file store is open, the process umask therefore also masks group and others
(OWNER_ONLY_UMASK, as PostgreSQL's server does for its data directory); the umask the process
had comes back when its last such store closes. Files the process creates meanwhile are owner-only
too: a report written by a command that runs inside `engagekit serve`, for instance.

A Spark store's warehouse folder is created PRIVATE_DIRECTORY_MODE: what Spark writes inside
it is out of reach of other users whatever its own modes.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

OWNER_ONLY_UMASK = 0o077
PRIVATE_DIRECTORY_MODE = 0o700

_lock = threading.Lock()
_holders = 0
_previous = 0


def hold_owner_only() -> None:
    """Mask group and others from the process umask until the matching `release_owner_only`."""
    global _holders, _previous
    with _lock:
        if _holders == 0:
            _previous = os.umask(OWNER_ONLY_UMASK)
            os.umask(_previous | OWNER_ONLY_UMASK)
        _holders += 1


def release_owner_only() -> None:
    """Undo one `hold_owner_only`; the last one restores the umask from before the first."""
    global _holders
    with _lock:
        _holders -= 1
        if _holders == 0:
            os.umask(_previous)


def private_directory(path: Path) -> None:
    """Create `path` (and its missing parents) with its last folder PRIVATE_DIRECTORY_MODE exactly;
    a folder that exists already keeps its mode (its owner may share it on purpose)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=PRIVATE_DIRECTORY_MODE)
    except FileExistsError:
        return
    os.chmod(path, PRIVATE_DIRECTORY_MODE)  # mkdir's mode is still masked by the umask
