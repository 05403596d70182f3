"""Load the demo company's files into a store: accounts, customers, then every event source."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from engagekit.config import Settings
from engagekit.ingest import (
    BatchReport,
    EventRules,
    IngestOptions,
    Vocabulary,
    ingest_file,
)

ENTITY_SOURCES = ("accounts", "customers")


def load_demo(store, files: dict[str, Path], settings: Settings,
              on_file: Callable[[str], None] | None = None) -> list[BatchReport]:
    """Ingest each generated file as its own batch; entity files first so events can refer to them."""
    vocabulary = Vocabulary(settings.event_mapping)
    rules = EventRules.for_settings(settings)
    ordered = sorted(files.items(), key=lambda item: (item[0] not in ENTITY_SOURCES, ENTITY_SOURCES.index(item[0])
                                                      if item[0] in ENTITY_SOURCES else 0, item[0]))
    reports = []
    for name, path in ordered:
        kind = name if name in ENTITY_SOURCES else "events"
        reports.append(ingest_file(store, path, IngestOptions(kind=kind, source=name, rules=rules), vocabulary))
        if on_file is not None:
            on_file(name)
    return reports
