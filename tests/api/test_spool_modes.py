"""The spool folder next to the store holds the requests as sent: its owner's only, whatever the umask."""
from __future__ import annotations

from pathlib import Path

import pytest

from engagekit.api.spool import Spool
from tests.store.umask import UMASKS, mode, umask


@pytest.mark.parametrize("mask", UMASKS)
def test_a_new_spool_folder_is_0700(tmp_path: Path, mask: int) -> None:
    with umask(mask):
        Spool(tmp_path / "engagekit.duckdb.spool", max_pending_bytes=10**6)
    assert mode(tmp_path / "engagekit.duckdb.spool") == 0o700


def test_segments_are_0600_and_an_older_spool_folder_is_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "engagekit.duckdb.spool"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    spool = Spool(folder, max_pending_bytes=10**6)
    spool.append([b'{"key":"k1"}\n'], 1)
    spool.seal()
    assert mode(folder) == 0o700
    assert [mode(p) for p in spool.sealed()] == [0o600]
