"""Errors a user can act on; the CLI prints them without a traceback."""
from __future__ import annotations


class EngagekitError(Exception):
    """An error with a message meant for the user and the exit code the CLI returns."""

    exit_code = 1


class InputError(EngagekitError):
    """The input (a file, a mapping, a config) is unusable as given."""

    exit_code = 2


class ConfigError(InputError):
    """engagekit.yaml is invalid; the message names the file, line and field."""
