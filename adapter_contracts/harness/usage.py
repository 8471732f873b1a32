"""The harness's usage error, in a module of its own so that the option table and the engine
registry can both raise it without importing each other."""

from __future__ import annotations

__all__ = ["ConfigError"]


class ConfigError(Exception):
    """An option value is malformed; the message names the option and the fix."""
