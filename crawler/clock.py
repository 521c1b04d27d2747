"""The one clock: ``GOVWATCH_NOW`` (ISO 8601) when set, else the system time.

Every decision that depends on "now" (revisits, due runs, staleness, baselines) asks this module, so
tests move time by setting the environment variable.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


class ClockError(ValueError):
    pass


def now() -> datetime:
    """An aware datetime; naive ``GOVWATCH_NOW`` values are read as China time (+08:00)."""
    raw = os.environ.get("GOVWATCH_NOW")
    if raw:
        try:
            value = datetime.fromisoformat(raw.strip())
        except ValueError as exc:
            raise ClockError(f"GOVWATCH_NOW={raw!r} is not an ISO 8601 date-time") from exc
        return value if value.tzinfo else value.replace(tzinfo=CHINA)
    return datetime.now(CHINA)


def now_iso() -> str:
    return now().isoformat(timespec="seconds")


def parse_iso(value: str) -> datetime:
    """Parse a stored ISO 8601 value; date-only and naive values are China time."""
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=CHINA)
