"""The Store: the canonical tables over one Ibis backend, whatever the engine."""
from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from engagekit.errors import EngagekitError
from engagekit.store.engine import Capabilities, Engine
from engagekit.store.engines import capabilities_of, open_engine
from engagekit.store.schemas import DERIVED_TABLES, SCHEMA_VERSION, TABLES

_stage_names = (f"_ek_stage_{n}" for n in itertools.count())


class Store:
    """Customer data in canonical tables; `table()` gives Ibis expressions to build on."""

    def __init__(self, url: str, engine: Engine, timezone: str = "UTC") -> None:
        self.url = url
        self.engine = engine
        self.capabilities: Capabilities = capabilities_of(url)
        self.timezone = timezone
        self.backend = engine.backend
        self._ensure_tables()

    @property
    def engine_name(self) -> str:
        return self.engine.name

    def _ensure_tables(self) -> None:
        for name, schema in TABLES.items():
            self.engine.ensure(name, schema)
        for name in DERIVED_TABLES:
            self.engine.attach(name)
        version = self.schema_version()
        if version is None or version < SCHEMA_VERSION:
            # Upgrades so far only add tables (created above); the newest meta row is the version.
            self.backend.insert("meta", pa.table({"key": ["schema_version"], "value": [str(SCHEMA_VERSION)]}))
        elif version > SCHEMA_VERSION:
            raise EngagekitError(
                f"the store {self.url} has schema version {version}, newer than this engagekit "
                f"({SCHEMA_VERSION}); upgrade engagekit"
            )

    def schema_version(self) -> int | None:
        meta = self.table("meta")
        rows = meta.filter(meta.key == "schema_version").value.to_pyarrow().to_pylist()
        return max(int(row) for row in rows) if rows else None

    def table(self, name: str) -> ir.Table:
        """An Ibis table of the store: a canonical one, or a derived one once it was built."""
        if name in DERIVED_TABLES:
            if not self.has_table(name):
                raise EngagekitError(f"the derived table {name!r} is not built yet: run `engagekit derive`")
            return self.backend.table(name)
        if name not in TABLES:
            raise EngagekitError(f"unknown table {name!r}; tables: {', '.join(TABLES + DERIVED_TABLES)}")
        return self.backend.table(name)

    def local_time(self, utc: ir.TimestampValue) -> ir.TimestampValue:
        """A UTC timestamp as wall-clock time in the project timezone (unchanged for UTC)."""
        return utc if self.timezone == "UTC" else self.engine.wall_clock(utc, self.timezone)

    def prepare(self, query: ir.Table) -> Callable[[], pa.Table]:
        """A query made ready to run again and again (each call reads the current rows)."""
        return self.engine.prepare(query)

    def has_table(self, name: str) -> bool:
        return name in self.backend.list_tables()

    def replace_table(self, name: str, rows: ir.Table) -> None:
        """Create or overwrite a derived table from an Ibis expression."""
        if name not in DERIVED_TABLES:
            raise EngagekitError(f"{name!r} is not a derived table; derived tables: {', '.join(DERIVED_TABLES)}")
        self.engine.replace(name, rows)

    def update_rows(self, name: str, remove: ir.Table, key: tuple[str, ...], add: ir.Table) -> None:
        """In a derived table, delete the rows whose `key` columns match a row of `remove`, then
        append `add` (same columns): an incremental update writes only what changed where the
        engine can (DuckDB); elsewhere the table is rewritten."""
        if name not in DERIVED_TABLES:
            raise EngagekitError(f"{name!r} is not a derived table; derived tables: {', '.join(DERIVED_TABLES)}")
        self.engine.update_rows(name, remove.select(*key), key, add)

    def customers_current(self) -> ir.Table:
        """The latest record of each customer (customer records are appended, never updated)."""
        customers = self.table("customers")
        latest = ibis.row_number().over(group_by="customer_id", order_by=ibis.desc("received_at"))
        return customers.mutate(_n=latest).filter(ibis._._n == 0).drop("_n")

    def insert(self, name: str, rows: ir.Table | pa.Table) -> None:
        """Append rows (an expression or an Arrow table) to a canonical table, cast to its schema."""
        schema = TABLES[name]
        if isinstance(rows, pa.Table):
            if rows.num_rows == 0:
                return
            with self.staged(rows) as staged:
                self.backend.insert(name, _conform(staged, schema))
            return
        self.backend.insert(name, _conform(rows, schema))

    @contextlib.contextmanager
    def staged(self, data: pa.Table) -> Iterator[ir.Table]:
        """Expose an Arrow table to the engine for the duration of the block."""
        name = next(_stage_names)
        table = self.engine.stage(name, data)
        try:
            yield table
        finally:
            self.engine.unstage(name)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes in the block land together or not at all (where the engine allows)."""
        with self.engine.transaction():
            yield

    def count(self, name: str) -> int:
        """Rows in a table of the store."""
        return int(self.table(name).count().to_pyarrow().as_py())

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _conform(table: ir.Table, schema: ibis.Schema) -> ir.Table:
    """Select the schema's columns in order, cast to their types; missing ones become null."""
    columns = {
        name: (table[name] if name in table.columns else ibis.null()).cast(dtype)
        for name, dtype in schema.items()
    }
    return table.select(**columns)


def connect(url: str | None = None, timezone: str = "UTC") -> Store:
    """Open (creating on first use) the store at `url`; default: ./engagekit.duckdb. Analyses
    read event times in `timezone` (the project's), while the store keeps UTC."""
    from engagekit.config import DEFAULT_STORE_URL

    url = url or DEFAULT_STORE_URL
    return Store(url, open_engine(url), timezone)
