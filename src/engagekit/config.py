"""engagekit.yaml -> typed settings, with errors that name the file, line and field."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from engagekit.errors import ConfigError
from engagekit.yamlfile import read_yaml, validate

DEFAULT_STORE_URL = "duckdb:///./engagekit.duckdb"
DEFAULT_CONFIG_PATH = Path("engagekit.yaml")
DEFAULT_TIMEZONE = "UTC"
DEFAULT_SESSION_TIMEOUT_MINUTES = 30
DEFAULT_SESSION_MAX_HOURS = 24
DEFAULT_CONVERSION_WINDOW_DAYS = 14
DEFAULT_WEEK_START = "sunday"
DEFAULT_EVENTS_EARLIEST = datetime(1990, 1, 1)  # earlier event times are clock or parsing errors
DEFAULT_EVENTS_MAX_AHEAD_DAYS = 1.0  # clock skew allowed after the collector's sentAt correction


class SurveySettings(BaseModel):
    """How the project reads its survey answers where the standard reading is not its own
    (engagekit.voc.bands): scales are written as "LOW-HIGH"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    csat_satisfied_from: dict[str, float] = Field(default_factory=dict)  # scale -> lowest satisfied answer
    ces_lower_is_better: list[str] = Field(default_factory=list)  # CES scales asked as "how much effort"


class Settings(BaseModel):
    """Project settings. Every default is the standard value, documented in `engagekit init`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    store: str = DEFAULT_STORE_URL
    timezone: str = DEFAULT_TIMEZONE
    strict_events: bool = False
    events_earliest: datetime = DEFAULT_EVENTS_EARLIEST
    events_max_ahead_days: float = Field(default=DEFAULT_EVENTS_MAX_AHEAD_DAYS, ge=0)
    event_mapping: dict[str, str] = Field(default_factory=dict)
    session_timeout_minutes: int = Field(default=DEFAULT_SESSION_TIMEOUT_MINUTES, gt=0)
    session_max_hours: int = Field(default=DEFAULT_SESSION_MAX_HOURS, gt=0)
    conversion_window_days: float = Field(default=DEFAULT_CONVERSION_WINDOW_DAYS, gt=0)
    week_start: Literal["sunday", "monday"] = DEFAULT_WEEK_START
    metrics_files: list[str] = Field(default_factory=list)
    metrics: list[dict[str, Any]] = Field(default_factory=list)  # custom KPIs, parsed by metrics.catalog
    surveys: SurveySettings = Field(default_factory=SurveySettings)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (use an IANA name such as Europe/Berlin)") from exc
        return value

    @field_validator("events_earliest")
    @classmethod
    def _naive_utc(cls, value: datetime) -> datetime:
        """Times in the store are naive UTC; a time given with an offset is converted."""
        return value if value.tzinfo is None else value.astimezone(timezone.utc).replace(tzinfo=None)


def load_settings(path: Path | None = None) -> Settings:
    """Read settings from `path` (or ./engagekit.yaml if present); defaults when there is no file."""
    explicit = path is not None
    path = path or DEFAULT_CONFIG_PATH
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: config file not found")
        return Settings()
    data, root = read_yaml(path)
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the top level must be a mapping of settings")
    return validate(Settings, data, path, root)
