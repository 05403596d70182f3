"""Store URLs: duckdb:///path, duckdb://:memory:, spark://local[2]?warehouse=DIR."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from engagekit.errors import InputError

DEFAULT_WAREHOUSE = "./engagekit-warehouse"


@dataclass(frozen=True)
class StoreURL:
    engine: str
    location: str
    warehouse: str = DEFAULT_WAREHOUSE


def parse_store_url(url: str) -> StoreURL:
    """Split a store URL into engine and location, with a message naming the accepted forms."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise InputError(f"store URL {url!r} has no scheme; use duckdb:///PATH, duckdb://:memory: or spark://local[2]")
    if scheme == "duckdb":
        if rest in (":memory:", "/:memory:", ""):
            return StoreURL("duckdb", ":memory:")
        return StoreURL("duckdb", rest[1:] if rest.startswith("/") else rest)
    if scheme == "spark":
        master, _, query = rest.partition("?")
        options = parse_qs(query)
        warehouse = options.get("warehouse", [DEFAULT_WAREHOUSE])[0]
        return StoreURL("spark", master or "local[2]", warehouse)
    raise InputError(f"unknown store engine {scheme!r} in {url!r}; engines: duckdb, spark")
