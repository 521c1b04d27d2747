"""Dates as government pages write them → ISO 8601 (Asia/Shanghai, +08:00)."""

from __future__ import annotations

import re
from datetime import date

_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)")
_TIME_RE = re.compile(r"^\s*日?\s*(?:T|\s)?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?")


def _iso(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def parse_date(text: str | None) -> str | None:
    """``YYYY-MM-DD`` for the first date in ``text`` (2022-09-14, 2022/9/14, 2022年9月14日), else None."""
    if not text:
        return None
    for match in _DATE_RE.finditer(text):
        iso = _iso(*match.groups())
        if iso:
            return iso
    return None


def parse_datetime(text: str | None) -> str | None:
    """ISO 8601 with ``+08:00`` when a time follows the date, else ``YYYY-MM-DD``; None without a date."""
    if not text:
        return None
    for match in _DATE_RE.finditer(text):
        iso = _iso(*match.groups())
        if not iso:
            continue
        time = _TIME_RE.match(text[match.end() :])
        if time:
            hour, minute, second = int(time.group(1)), int(time.group(2)), int(time.group(3) or 0)
            if hour < 24 and minute < 60 and second < 60:
                return f"{iso}T{hour:02d}:{minute:02d}:{second:02d}+08:00"
        return iso
    return None
