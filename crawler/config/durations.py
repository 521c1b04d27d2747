"""Durations as written in config.yaml: ``30s``, ``10m``, ``6h``, ``14d`` (``1h30m`` too), or seconds."""

from __future__ import annotations

import re
from datetime import timedelta

from crawler.config.errors import ConfigError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])", re.IGNORECASE)
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?\s*[smhdw]\s*)+", re.IGNORECASE)


def parse_duration(value: object) -> timedelta:
    """``"30s" | "10m" | "6h" | "14d" | "1h30m" | 90 | "90"`` → timedelta; ``ConfigError`` otherwise."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or value is None:
        raise ConfigError(f"{value!r} is not a duration (write 30s, 10m, 6h or 14d)")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            seconds = float(text)
        elif text and _WHOLE.fullmatch(text):
            seconds = sum(float(n) * _UNITS[u.lower()] for n, u in _PART.findall(text))
        else:
            raise ConfigError(f"{value!r} is not a duration (write 30s, 10m, 6h or 14d)")
    else:
        raise ConfigError(f"{value!r} is not a duration (write 30s, 10m, 6h or 14d)")
    if seconds < 0 or seconds != seconds:
        raise ConfigError(f"{value!r} is not a duration: it must not be negative")
    return timedelta(seconds=seconds)
