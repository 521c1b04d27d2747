"""Durations as written in config.yaml: ``30s``, ``10m``, ``6h``, ``14d`` (``1h30m`` too), or seconds."""

from __future__ import annotations

from datetime import timedelta

from crawler.config.errors import ConfigError
from crawler.options import to_timedelta


def parse_duration(value: object) -> timedelta:
    """``"30s" | "10m" | "6h" | "14d" | "1h30m" | 90 | "90"`` → timedelta; ``ConfigError`` otherwise."""
    try:
        return to_timedelta(value)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
