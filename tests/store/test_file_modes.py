"""The store's files are its owner's only, whatever the umask: the DuckDB file and its .wal (the
keys' hashes live there), and a Spark store's warehouse folder."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engagekit.store import connect
from engagekit.store.filemodes import private_directory
from tests.store.umask import UMASKS, mode, umask


# The umask is the process's: these run in a fresh interpreter, where no other test's store is open.
WAL_CHECK = """
import os, stat, sys
from pathlib import Path
from engagekit.store import connect
mode = lambda p: stat.S_IMODE(p.stat().st_mode)
os.umask(int(sys.argv[2]))
path = Path(sys.argv[1]); wal = Path(sys.argv[1] + ".wal")
with connect(f"duckdb:///{path}") as store:
    con = store.backend.con
    con.execute("create table t (x int)")
    modes = [mode(path), mode(wal)]
    con.execute("checkpoint")  # DuckDB deletes the .wal here and creates it again on the next write
    assert not wal.exists()
    con.execute("insert into t values (1)")
    modes.append(mode(wal))
print(modes)
"""
UMASK_CHECK = """
import os, sys
from engagekit.store import connect
def current():
    mask = os.umask(0); os.umask(mask); return mask
os.umask(0o022)
first = connect(f"duckdb:///{sys.argv[1]}/a.duckdb")
second = connect(f"duckdb:///{sys.argv[1]}/b.duckdb")
first.close()
masks = [current()]  # a store is still open
second.close()
masks.append(current())
with connect("duckdb://:memory:"):  # no file, nothing to hide
    masks.append(current())
print(masks)
"""


def fresh_python(script: str, *args: object) -> str:
    done = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("mask", UMASKS)
def test_a_new_duckdb_store_and_its_wal_are_owner_only(tmp_path: Path, mask: int) -> None:
    # file and .wal when created, and the .wal DuckDB creates again after a checkpoint
    assert fresh_python(WAL_CHECK, tmp_path / "engagekit.duckdb", mask) == "[384, 384, 384]"  # 0o600


def test_the_umask_comes_back_when_the_last_store_closes(tmp_path: Path) -> None:
    assert fresh_python(UMASK_CHECK, tmp_path) == f"[{0o077}, {0o022}, {0o022}]"


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
