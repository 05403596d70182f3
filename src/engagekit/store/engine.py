"""What the Store needs of an engine, what an engine can do, and how an engine registers.

An engine opens one Ibis backend and supplies the few operations Ibis leaves to each backend
(staging Arrow data, creating and replacing tables, deleting rows, atomic batches, wall-clock
time in a zone). Everything above the store builds Ibis expressions and asks an engine's
`Capabilities`, never its name. Each engine is one module of `engagekit.store.engines`, which
lists them by URL scheme (docs/engines.md says how to add one).
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import ibis.expr.schema as sch
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend


@dataclass(frozen=True)
class Capabilities:
    """What an engine can do, for the code that must decide by it."""

    single_writer: bool  # one process at a time opens the store (a DuckDB file's lock)
    transactions: bool  # a batch of writes to several tables commits or rolls back as one
    hosts_server: bool  # `engagekit serve` can own the store: it is a file, and CLI commands go to that server
    udfs: bool  # Python scalar UDFs run inside the engine


@dataclass(frozen=True)
class StoreURL:
    """A parsed store URL: `scheme://location?key=value`, as its engine reads it."""

    engine: str
    location: str  # a file path, ":memory:", a Spark master, ...
    options: Mapping[str, str] = field(default_factory=dict)


class Engine(Protocol):
    """The operations the Store runs through its engine."""

    name: str
    backend: BaseBackend

    def stage(self, name: str, data: pa.Table) -> ir.Table:
        """Arrow rows as a temporary table that queries can read."""

    def unstage(self, name: str) -> None:
        """Drop a staged table."""

    def ensure(self, name: str, schema: sch.Schema) -> None:
        """Create a canonical table on first use (or attach it)."""

    def attach(self, name: str) -> None:
        """Make a derived table written earlier readable, if it exists."""

    def replace(self, name: str, table: ir.Table) -> None:
        """Create or overwrite `name` from an expression (which may read `name` itself)."""

    def update_rows(self, name: str, remove: ir.Table, key: tuple[str, ...], add: ir.Table) -> None:
        """Delete the rows of `name` matching `remove` on `key`, then insert `add`."""

    def wall_clock(self, utc: ir.TimestampValue, zone: str) -> ir.TimestampValue:
        """The wall-clock time in `zone` of a UTC timestamp."""

    def prepare(self, query: ir.Table) -> Callable[[], pa.Table]:
        """A function that runs `query` (compiled once where compiling costs)."""

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """A block whose writes land together where the engine has transactions."""

    def close(self) -> None:
        """Release the backend (and the file, for a single-writer engine)."""


@dataclass(frozen=True)
class EngineType:
    """One engine as the registry knows it: its URL scheme and forms, how it parses its URLs,
    what a store at a URL can do, how to open one, and a throwaway store for the portable suite."""

    scheme: str
    forms: tuple[str, ...]  # the URL forms it accepts, for messages: "duckdb:///PATH", ...
    parse: Callable[[str], StoreURL]  # the URL after "scheme://"
    capabilities: Callable[[StoreURL], Capabilities]
    open: Callable[[StoreURL], Engine]
    test_url: Callable[[Path], str]  # a fresh store inside a folder
    test_marks: tuple[str, ...] = ()  # pytest marks of the tests on this engine ("spark": slow, needs Java)
