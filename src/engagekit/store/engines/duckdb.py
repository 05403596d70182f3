"""The embedded default engine: one DuckDB file (or memory), real transactions.

URLs: `duckdb:///PATH` (a file, created on first use) and `duckdb://:memory:`. The only module
that imports duckdb.
"""
from __future__ import annotations

import contextlib
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
from engagekit.store.engine import Capabilities, EngineType, StoreURL
from engagekit.store.filemodes import hold_owner_only, release_owner_only

SCHEME = "duckdb"
MEMORY = ":memory:"


def parse(rest: str) -> StoreURL:
    """`/PATH` (so duckdb:///./x.duckdb is ./x.duckdb, duckdb:////abs/x is /abs/x) or `:memory:`."""
    if rest in (MEMORY, "/" + MEMORY, ""):
        return StoreURL(SCHEME, MEMORY)
    return StoreURL(SCHEME, rest[1:] if rest.startswith("/") else rest)


def capabilities(url: StoreURL) -> Capabilities:
    """A file has one writer and can be served; memory lives and dies with its process."""
    on_file = url.location != MEMORY
    return Capabilities(single_writer=on_file, transactions=True, hosts_server=on_file, udfs=True)


@ibis.udf.scalar.builtin(name="timezone")
def _duckdb_wall_clock(zone: str, instant: dt.Timestamp(timezone="UTC")) -> dt.Timestamp(scale=6):
    """DuckDB's timezone(zone, timestamptz): the wall-clock time of an instant in `zone`."""


class DuckDBEngine:
    """The embedded default: one DuckDB file (or memory), real transactions."""

    name = SCHEME

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


ENGINE = EngineType(
    scheme=SCHEME,
    forms=("duckdb:///PATH", "duckdb://:memory:"),
    parse=parse,
    capabilities=capabilities,
    open=lambda url: DuckDBEngine(url.location),
    test_url=lambda folder: f"duckdb:///{folder / 'engagekit.duckdb'}",
)
