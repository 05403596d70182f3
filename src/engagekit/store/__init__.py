"""The store: canonical tables over DuckDB or Spark through Ibis."""
from __future__ import annotations

from engagekit.store.schemas import DERIVED_TABLES, SCHEMA_VERSION, TABLES
from engagekit.store.store import Store, connect

__all__ = ["DERIVED_TABLES", "SCHEMA_VERSION", "TABLES", "Store", "connect"]
