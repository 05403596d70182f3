"""Ingest: files and payloads into the store, mapped, validated, deduplicated, nothing lost."""
from __future__ import annotations

from engagekit.ingest.batch import BatchReport, IngestOptions, ingest_file
from engagekit.ingest.events import EventRules
from engagekit.ingest.identity import identity_map, resolved_events
from engagekit.ingest.vocabulary import Vocabulary

__all__ = ["BatchReport", "EventRules", "IngestOptions", "Vocabulary", "identity_map", "ingest_file", "resolved_events"]
