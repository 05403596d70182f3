"""engagekit: measure customer engagement from one store of customer data.

The public surface: open a store, ingest files, compute KPIs, run journey analyses.
"""
from __future__ import annotations

from engagekit.analyses.funnel import FunnelQuery, run_funnel
from engagekit.analyses.lifecycle import LifecycleQuery, run_lifecycle
from engagekit.analyses.paths import PathsQuery, run_paths
from engagekit.analyses.retention import RetentionQuery, run_retention
from engagekit.analyses.stickiness import StickinessQuery, run_stickiness
from engagekit.config import Settings, load_settings
from engagekit.derive import build_derived
from engagekit.errors import ConfigError, EngagekitError, InputError
from engagekit.ingest import EventRules, IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import compute
from engagekit.people.cohorts import cohort_people, save_cohort
from engagekit.people.query import EventFilter
from engagekit.people.ranges import DateRange
from engagekit.store import Store, connect

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "DateRange",
    "EngagekitError",
    "EventFilter",
    "EventRules",
    "FunnelQuery",
    "IngestOptions",
    "InputError",
    "LifecycleQuery",
    "PathsQuery",
    "RetentionQuery",
    "Settings",
    "StickinessQuery",
    "Store",
    "Vocabulary",
    "build_derived",
    "cohort_people",
    "compute",
    "connect",
    "ingest_file",
    "load_catalog",
    "load_settings",
    "run_funnel",
    "run_lifecycle",
    "run_paths",
    "run_retention",
    "run_stickiness",
    "save_cohort",
]
