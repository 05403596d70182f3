"""The HTTP side of engagekit: the Segment-compatible collector (see docs/collector.md)."""
from __future__ import annotations

from engagekit.access.keys import create_key, list_keys, revoke_key
from engagekit.api.app import CollectorLimits, create_app
from engagekit.api.drain import ingest_table

__all__ = ["CollectorLimits", "create_app", "create_key", "ingest_table", "list_keys", "revoke_key"]
