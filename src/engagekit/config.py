"""engagekit.yaml -> typed settings, with errors that name the file, line and field."""
from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from engagekit.errors import ConfigError

DEFAULT_STORE_URL = "duckdb:///./engagekit.duckdb"
DEFAULT_CONFIG_PATH = Path("engagekit.yaml")
DEFAULT_TIMEZONE = "UTC"
DEFAULT_SESSION_TIMEOUT_MINUTES = 30


class Settings(BaseModel):
    """Project settings. Every default is the standard value, documented in `engagekit init`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    store: str = DEFAULT_STORE_URL
    timezone: str = DEFAULT_TIMEZONE
    strict_events: bool = False
    event_mapping: dict[str, str] = Field(default_factory=dict)
    session_timeout_minutes: int = Field(default=DEFAULT_SESSION_TIMEOUT_MINUTES, gt=0)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (use an IANA name such as Europe/Berlin)") from exc
        return value


def load_settings(path: Path | None = None) -> Settings:
    """Read settings from `path` (or ./engagekit.yaml if present); defaults when there is no file."""
    explicit = path is not None
    path = path or DEFAULT_CONFIG_PATH
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: config file not found")
        return Settings()
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text) or {}
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise ConfigError(f"{path}:{line}: not valid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the top level must be a mapping of settings")
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        line = _line_of(root, first["loc"])
        raise ConfigError(f"{path}:{line}: field '{field}': {first['msg']}") from exc


def _line_of(node: Any, loc: tuple[Any, ...]) -> int:
    """1-based line of the YAML node at `loc` (the deepest existing ancestor if it is missing)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for key in loc:
        if not isinstance(node, yaml.MappingNode):
            break
        match = next((pair for pair in node.value if pair[0].value == str(key)), None)
        if match is None:
            break
        line = match[0].start_mark.line + 1
        node = match[1]
    return line
