"""The store's files are its owner's only, whatever the umask: the DuckDB file and its .wal (the
keys' hashes live there), and a Spark store's warehouse folder."""
from __future__ import annotations

from pathlib import Path

import pytest

from engagekit.store import connect
from engagekit.store.filemodes import private_directory
from tests.store.umask import UMASKS, current_umask, mode, umask


@pytest.mark.parametrize("mask", UMASKS)
def test_a_new_duckdb_store_and_its_wal_are_owner_only(tmp_path: Path, mask: int) -> None:
    path = tmp_path / "engagekit.duckdb"
    wal = tmp_path / "engagekit.duckdb.wal"
    with umask(mask), connect(f"duckdb:///{path}") as store:
        con = store.backend.con
        con.execute("create table t (x int)")
        assert mode(path) == 0o600 and mode(wal) == 0o600
        con.execute("checkpoint")  # DuckDB deletes the .wal here and creates it again on the next write
        assert not wal.exists()
        con.execute("insert into t values (1)")
        assert mode(wal) == 0o600


def test_the_umask_comes_back_when_the_last_store_closes(tmp_path: Path) -> None:
    with umask(0o022):
        first = connect(f"duckdb:///{tmp_path / 'a.duckdb'}")
        second = connect(f"duckdb:///{tmp_path / 'b.duckdb'}")
        first.close()
        assert current_umask() == 0o077  # a store is still open
        second.close()
        assert current_umask() == 0o022
        with connect("duckdb://:memory:"):  # no file, nothing to hide
            assert current_umask() == 0o022


@pytest.mark.parametrize("mask", UMASKS)
def test_a_new_private_directory_is_0700_and_an_existing_one_is_left_alone(tmp_path: Path, mask: int) -> None:
    with umask(mask):
        private_directory(tmp_path / "new" / "warehouse")
        (tmp_path / "shared").mkdir(mode=0o750)
        private_directory(tmp_path / "shared")
    assert mode(tmp_path / "new" / "warehouse") == 0o700
    assert mode(tmp_path / "shared") == 0o750 & ~mask


@pytest.mark.spark
def test_a_new_spark_warehouse_is_0700(tmp_path: Path) -> None:
    with umask(0o022), connect(f"spark://local[1]?warehouse={tmp_path / 'warehouse'}"):
        assert mode(tmp_path / "warehouse") == 0o700
