"""Errors a user can act on; the CLI prints them without a traceback."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class EngagekitError(Exception):
    """An error with a message meant for the user and the exit code the CLI returns."""

    exit_code = 1


class InputError(EngagekitError):
    """The input (a file, a mapping, a config) is unusable as given."""

    exit_code = 2


class ConfigError(InputError):
    """engagekit.yaml is invalid; the message names the file, line and field."""


def validation_message(errors: Iterable[Mapping[str, Any]]) -> str:
    """Pydantic's errors of a query as one line, the same on every surface (CLI, read API,
    dashboard): 'steps: List should have at most 20 items...; window: ...'."""
    parts = []
    for error in errors:
        where = ".".join(str(part) for part in error.get("loc", ()))
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where or 'query'}: {message}")
    return "; ".join(parts) or "invalid query"
