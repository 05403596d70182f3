"""Engine quirks: the only code that imports duckdb or pyspark.

Each engine knows how to open its Ibis backend, stage an Arrow table for a query, create a
canonical table, and make a batch of writes atomic. Everything else in engagekit builds
Ibis expressions and runs unchanged on either engine.
"""
from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.schema as sch
import ibis.expr.types as ir
import pyarrow as pa
import sqlglot as sg

from engagekit.errors import EngagekitError
from engagekit.store.filemodes import hold_owner_only, private_directory, release_owner_only


@ibis.udf.scalar.builtin(name="timezone")
def _duckdb_wall_clock(zone: str, instant: dt.Timestamp(timezone="UTC")) -> dt.Timestamp(scale=6):
    """DuckDB's timezone(zone, timestamptz): the wall-clock time of an instant in `zone`."""


@ibis.udf.scalar.builtin(name="from_utc_timestamp")
def _spark_wall_clock(utc: dt.Timestamp(scale=6), zone: str) -> dt.Timestamp(scale=6):
    """Spark's from_utc_timestamp: the wall-clock time in `zone` of a UTC timestamp."""


class DuckDBEngine:
    """The embedded default: one DuckDB file (or memory), real transactions."""

    name = "duckdb"

    def __init__(self, path: str) -> None:
        import duckdb  # noqa: F401  (a clear ImportError here beats one deep inside ibis)

        self._owner_only = path != ":memory:"  # the file and its .wal: engagekit.store.filemodes
        if self._owner_only:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            hold_owner_only()
        try:
            self.backend = ibis.duckdb.connect(database=path)
        except Exception as exc:  # duckdb.IOException on a locked file
            if self._owner_only:
                release_owner_only()
            if "lock" in str(exc).lower():
                raise EngagekitError(
                    f"the store {path} is in use by another process (a running `engagekit serve` owns it: "
                    f"query it through its HTTP API, or stop it first)") from exc
            raise EngagekitError(f"cannot open the DuckDB store {path}: {exc}") from exc
        self._existing = set(self.backend.list_tables())

    def stage(self, name: str, data: pa.Table) -> ir.Table:
        self.backend.con.register(name, data)
        return self.backend.table(name)

    def unstage(self, name: str) -> None:
        self.backend.con.unregister(name)

    def ensure(self, name: str, schema: sch.Schema) -> None:
        """Create the table on first use."""
        if name not in self._existing:
            self.backend.create_table(name, schema=schema)
            self._existing.add(name)

    def wall_clock(self, utc: ir.TimestampValue, zone: str) -> ir.TimestampValue:
        """The wall-clock time in `zone` of a UTC timestamp."""
        return _duckdb_wall_clock(zone, utc.cast(dt.Timestamp(timezone="UTC")))

    def prepare(self, query: ir.Table) -> Callable[[], pa.Table]:
        """`query` compiled to SQL once, run on each call: compiling (Ibis rewrites, sqlglot)
        costs milliseconds of Python, as much as a simple query over millions of rows. A query
        over in-memory tables runs through Ibis each time (Ibis registers those when it runs)."""
        if query.op().find(ops.InMemoryTable):
            return query.to_pyarrow
        sql = self.backend.compile(query)
        return lambda: self.backend.con.sql(sql).to_arrow_table()

    def replace(self, name: str, table: ir.Table) -> None:
        """Create or overwrite `name` from an expression (inside the open transaction, if any)."""
        self.backend.create_table(name, table, overwrite=True)
        self._existing.add(name)

    def update_rows(self, name: str, remove: ir.Table, key: tuple[str, ...], add: ir.Table) -> None:
        """Delete the rows of `name` matching `remove` on `key`, then insert `add`. The statement
        is built from the Ibis-compiled query and the code's own table and column names, never
        user text."""
        table = sg.to_identifier(name, quoted=True)
        matched = sg.and_(*[sg.column(column, table="_remove", quoted=True).eq(sg.column(column, table=table, quoted=True))
                            for column in key])
        exists = sg.exp.Exists(this=sg.select("1").from_(sg.parse_one(self.backend.compile(remove), dialect="duckdb")
                                                        .subquery("_remove")).where(matched))
        self.backend.con.execute(sg.exp.delete(table, where=exists).sql(dialect="duckdb"))
        self.backend.insert(name, add)

    def attach(self, name: str) -> None:
        """Nothing to do: a DuckDB file knows its own tables."""

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        con = self.backend.con
        con.begin()
        try:
            yield
        except BaseException:
            con.rollback()
            raise
        con.commit()

    def close(self) -> None:
        self.backend.disconnect()
        if self._owner_only:
            release_owner_only()
            self._owner_only = False  # closing twice releases once


class SparkEngine:
    """Spark local or cluster mode; tables are Parquet folders in a warehouse directory.

    Spark has no multi-table transactions: a batch writes its rows first and its
    `ingest_batches` record last, so readers of batch counts never see a half batch. The
    session's catalog is shared by the process, so one Spark store is open at a time: opening
    another points the table names at its warehouse.
    """

    name = "spark"

    def __init__(self, master: str, warehouse: str) -> None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:
            raise EngagekitError(
                "the Spark store needs the spark extra: pip install 'engagekit[spark]'"
            ) from exc
        self.warehouse = Path(warehouse).resolve()
        private_directory(self.warehouse)
        os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
        builder = (
            SparkSession.builder.master(master)
            .appName("engagekit")
            .config("spark.sql.warehouse.dir", str(self.warehouse))
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.driver.extraJavaOptions", "-Dderby.system.home=" + str(self.warehouse))
        )
        self.session = builder.getOrCreate()
        self.session.sparkContext.setLogLevel("ERROR")
        self.backend = ibis.pyspark.connect(self.session)

    def stage(self, name: str, data: pa.Table) -> ir.Table:
        self.session.createDataFrame(data).createOrReplaceTempView(name)
        return self.backend.table(name)

    def unstage(self, name: str) -> None:
        self.session.catalog.dropTempView(name)

    def ensure(self, name: str, schema: sch.Schema) -> None:
        """Point the session's catalog entry for `name` at this warehouse's Parquet folder.

        Tables are external, so several stores (warehouses) can be opened in one process, one
        after the other, and dropping a catalog entry never deletes data.
        """
        from ibis.backends.pyspark.datatypes import PySparkSchema

        self.backend.drop_table(name, force=True)
        self.session.catalog.createTable(
            name, path=str(self.warehouse / name), source="parquet", schema=PySparkSchema.from_ibis(schema)
        )

    def wall_clock(self, utc: ir.TimestampValue, zone: str) -> ir.TimestampValue:
        """The wall-clock time in `zone` of a UTC timestamp."""
        return _spark_wall_clock(utc, zone)

    def prepare(self, query: ir.Table) -> Callable[[], pa.Table]:
        """`query`, run on each call (a Spark job dwarfs the compile)."""
        return query.to_pyarrow

    def replace(self, name: str, table: ir.Table) -> None:
        """Write the rows as this warehouse's Parquet folder `name` and point the catalog at it
        (saveAsTable would use spark.sql.warehouse.dir, the first store opened in the process).
        `table` may read `name` itself (an incremental update): the rows are written beside it and
        moved in place once complete. The query is Ibis-compiled, never user text."""
        frame = self.session.sql(self.backend.compile(table))
        written = self.warehouse / f"{name}.next"
        frame.write.mode("overwrite").parquet(str(written))
        shutil.rmtree(self.warehouse / name, ignore_errors=True)
        written.rename(self.warehouse / name)
        self.attach(name)

    def update_rows(self, name: str, remove: ir.Table, key: tuple[str, ...], add: ir.Table) -> None:
        """Parquet files cannot delete rows: rewrite `name` without the rows matching `remove`
        on `key`, with `add`."""
        current = self.backend.table(name)
        self.replace(name, current.anti_join(remove, list(key)).union(add.select(*current.columns)))

    def attach(self, name: str) -> None:
        """Point the catalog at this warehouse's Parquet folder `name`, if it exists."""
        self.backend.drop_table(name, force=True)
        if (self.warehouse / name).exists():
            self.session.catalog.createTable(name, path=str(self.warehouse / name), source="parquet")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def close(self) -> None:
        """Spark sessions are shared per process; keep it for the next store."""
