"""Derived tables rebuilt after each ingest: sessions, customer-day activity, customer facts."""
from __future__ import annotations

from engagekit.derive.activity import DAY_COLUMNS, customer_days
from engagekit.derive.build import DERIVED_TABLES, build_derived
from engagekit.derive.facts import FACT_COLUMNS, customer_facts
from engagekit.derive.sessions import SESSION_COLUMNS, SessionRules, sessions

__all__ = [
    "DAY_COLUMNS",
    "DERIVED_TABLES",
    "FACT_COLUMNS",
    "SESSION_COLUMNS",
    "SessionRules",
    "build_derived",
    "customer_days",
    "customer_facts",
    "sessions",
]
