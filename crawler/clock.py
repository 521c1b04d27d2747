"""The one clock: ``GOVWATCH_NOW`` (ISO 8601) when set, else the system time.

Every decision that depends on "now" (revisits, due runs, staleness, baselines) asks this module, so
tests move time by setting the environment variable.
"""

from __future__ import annotations

import os
import re
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


_AGE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_AGE_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
SINCE_HELP = "a date (2026-11-01), a date-time (2026-11-01T08:00), today, yesterday, or an age: 12h, 7d, 2w"


def parse_since(value: str, at: datetime | None = None) -> datetime:
    """The instant a ``--since`` value names (China time when it names no zone): a date (its
    start), an ISO 8601 date-time, ``today`` / ``yesterday`` (their start), or an age before ``at``
    (default now): ``12h``, ``7d``, ``2w``. ``ClockError`` for anything else (``2026-13-01``)."""
    at = at or now()
    text = value.strip().lower()
    local = at.astimezone(CHINA)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if text == "today":
        return midnight
    if text == "yesterday":
        return midnight - timedelta(days=1)
    age = _AGE.match(text)
    if age:
        return at - int(age.group(1)) * _AGE_UNITS[age.group(2).lower()]
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ClockError(f"{value!r} is not a date: write {SINCE_HELP}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=CHINA)
