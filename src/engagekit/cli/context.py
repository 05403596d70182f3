"""What every command shares: settings, the store, output in text or JSON, user errors."""
from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from rich.console import Console

from engagekit.analyses.protocol import Project
from engagekit.cli.forward import ServerHoldsStore, running_server
from engagekit.config import DEFAULT_CONFIG_PATH, Settings, load_settings
from engagekit.errors import InputError
from engagekit.metrics.catalog import Catalog, load_catalog
from engagekit.people.names import EventNames
from engagekit.store import Store, connect
from engagekit.store.engines import server_file

console = Console()
err_console = Console(stderr=True)


@dataclass
class AppContext:
    """Global options of the CLI, resolved lazily so `--help` never opens a store."""

    store_url: str | None = None
    config_path: Path | None = None
    debug: bool = False
    _settings: Settings | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)
    _lent: Store | None = field(default=None, repr=False)  # the server's store, for forwarded commands

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    @property
    def url(self) -> str:
        settings = self.settings  # a broken config is reported even when --store overrides it
        return self.store_url or os.environ.get("ENGAGEKIT_STORE") or settings.store

    def event_names(self) -> EventNames:
        """How the project names events (event_mapping, strict_events): queries map names by it."""
        return EventNames.of(self.settings)

    def catalog(self) -> Catalog:
        """Built-in KPIs plus the project's own (`metrics:` and `metrics_files:` in engagekit.yaml),
        errors naming the config file's line."""
        return load_catalog([Path(p) for p in self.settings.metrics_files], self.config_path or DEFAULT_CONFIG_PATH)

    def project(self) -> Project:
        """What the analyses read of the project: event names, KPI catalog, first day of the week."""
        return Project(self.event_names(), self.catalog(), self.settings.week_start, self.settings.surveys)

    def store(self) -> Store:
        """The store, opened on first use; when a running server holds it, ServerHoldsStore
        (the CLI then sends the command to the server)."""
        if self._lent is not None:
            if server_file(self.url) != server_file(self._lent.url):
                raise InputError(f"this command runs in the server of {self._lent.url}, not on {self.url}")
            return self._lent
        if self._store is None:
            held = running_server(self.url)
            if held is not None:
                raise ServerHoldsStore(held)
            self._store = connect(self.url, self.settings.timezone)
        return self._store

    @contextlib.contextmanager
    def lending(self, store: Store) -> Iterator[None]:
        """Fresh global options over a store this process already holds (a forwarded command
        in the server); the previous state comes back afterwards."""
        saved = {f.name: getattr(self, f.name) for f in fields(self)}
        for f in fields(self):
            setattr(self, f.name, f.default)
        self._lent = store
        try:
            yield
        finally:
            for name, value in saved.items():
                setattr(self, name, value)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


STATE = AppContext()


def print_json(data: Any) -> None:
    """Machine-readable output on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
