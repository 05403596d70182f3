"""Spark, local mode or a cluster: tables are Parquet folders in a warehouse directory.

URLs: `spark://MASTER?warehouse=DIR` (`spark://local[2]` by default; the warehouse defaults to
./engagekit-warehouse); any other parameter named `spark.*` is a Spark setting of the session
(`&spark.sql.shuffle.partitions=8`). The only module that imports pyspark.
"""
from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.schema as sch
import ibis.expr.types as ir
import pyarrow as pa

from engagekit.errors import EngagekitError, InputError
from engagekit.store.engine import Capabilities, EngineType, StoreURL
from engagekit.store.filemodes import private_directory

SCHEME = "spark"
DEFAULT_MASTER = "local[2]"
DEFAULT_WAREHOUSE = "./engagekit-warehouse"
# The test suite's tables hold a few rows: two shuffle partitions (still more than one, so no test
# leans on a single partition's order) and no whole-stage code generation, which costs more to
# compile than such queries take to run.
SMALL_DATA_SETTINGS = "&spark.sql.shuffle.partitions=2&spark.sql.codegen.wholeStage=false"


def parse(rest: str) -> StoreURL:
    """`MASTER?warehouse=DIR&spark.X=V...`, each part optional; an unknown parameter is an InputError."""
    master, _, query = rest.partition("?")
    given = {name: values[-1] for name, values in parse_qs(query, keep_blank_values=True).items()}
    unknown = sorted(name for name in given if name != "warehouse" and not name.startswith("spark."))
    if unknown:
        raise InputError(f"store URL: unknown parameter {', '.join(unknown)}; use warehouse=DIR or spark.* settings")
    return StoreURL(SCHEME, master or DEFAULT_MASTER, {"warehouse": DEFAULT_WAREHOUSE, **given})


def capabilities(url: StoreURL) -> Capabilities:
    """Many readers and writers, no multi-table transactions, no server of its own."""
    return Capabilities(single_writer=False, transactions=False, hosts_server=False, udfs=True)


@ibis.udf.scalar.builtin(name="from_utc_timestamp")
def _spark_wall_clock(utc: dt.Timestamp(scale=6), zone: str) -> dt.Timestamp(scale=6):
    """Spark's from_utc_timestamp: the wall-clock time in `zone` of a UTC timestamp."""


class SparkEngine:
    """Spark local or cluster mode; tables are Parquet folders in a warehouse directory.

    Spark has no multi-table transactions: a batch writes its rows first and its
    `ingest_batches` record last, so readers of batch counts never see a half batch. The
    session's catalog is shared by the process, so one Spark store is open at a time: opening
    another points the table names at its warehouse.
    """

    name = SCHEME

    def __init__(self, master: str, warehouse: str, settings: dict[str, str] | None = None) -> None:
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
        for name, value in (settings or {}).items():
            builder = builder.config(name, value)
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


ENGINE = EngineType(
    scheme=SCHEME,
    forms=("spark://local[2]?warehouse=DIR",),
    parse=parse,
    capabilities=capabilities,
    open=lambda url: SparkEngine(url.location, url.options["warehouse"],
                                 {k: v for k, v in url.options.items() if k.startswith("spark.")}),
    test_url=lambda folder: f"spark://local[2]?warehouse={folder / 'warehouse'}{SMALL_DATA_SETTINGS}",
    test_marks=("spark",),
)
