"""What every command shares: settings, the store, output in text or JSON, user errors."""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from engagekit.config import Settings, load_settings
from engagekit.store import Store, connect

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

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    @property
    def url(self) -> str:
        settings = self.settings  # a broken config is reported even when --store overrides it
        return self.store_url or os.environ.get("ENGAGEKIT_STORE") or settings.store

    def store(self) -> Store:
        if self._store is None:
            self._store = connect(self.url, self.settings.timezone)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


STATE = AppContext()


def print_json(data: Any) -> None:
    """Machine-readable output on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
