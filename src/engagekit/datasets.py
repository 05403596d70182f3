"""Bundled sample data sets and the mapping that ingests each (see src/engagekit/data/)."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from engagekit.ingest import EventRules, IngestOptions


def cdnow_path(which: str = "master") -> Path:
    """Path of the bundled CDNOW transaction log: 'master' (69,659 rows) or 'sample'."""
    name = {"master": "CDNOW_master.txt", "sample": "CDNOW_sample.txt"}[which]
    return Path(str(resources.files("engagekit") / "data" / "cdnow" / name))


def cdnow_options(timezone: str = "UTC") -> IngestOptions:
    """CDNOW master log -> order_completed events: date is the day, dollar_value the revenue."""
    return IngestOptions(
        kind="events",
        source="cdnow",
        fmt="whitespace",
        mapping={"dollar_value": "revenue", "number_of_cds": "properties.quantity"},
        rules=EventRules(timezone=timezone, ts_format="%Y%m%d", event="order_completed", channel="store"),
    )
