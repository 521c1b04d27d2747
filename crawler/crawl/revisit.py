"""Which known releases to fetch again this run (config.yaml, ``revisit:``): recent ones often, older
ones rarely, everything with ``always``. Pure; "now" is passed in (``GOVWATCH_NOW`` upstream)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from crawler.clock import parse_iso
from crawler.config import RevisitConfig


def _as_datetime(value: str | date | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return parse_iso(value.isoformat())
    try:
        return parse_iso(str(value))
    except ValueError:
        return None


def _spread(url: str, interval: timedelta) -> timedelta:
    """A stable per-URL offset (up to a tenth of the interval) so old releases that were all first
    seen in one run do not all fall due in one later run."""
    h = int(hashlib.blake2b(url.encode(), digest_size=4).hexdigest(), 16)
    return interval * (h % 1000) / 10000


def is_due(
    url: str,
    *,
    now: datetime,
    revisit: RevisitConfig,
    last_checked: str | datetime | None,
    published: str | date | None,
    first_seen: str | datetime | None,
) -> bool:
    """True when the release at ``url`` should be fetched again."""
    if revisit.always:
        return True
    last = _as_datetime(last_checked) or _as_datetime(first_seen)
    if last is None:
        return True
    born = _as_datetime(published) or _as_datetime(first_seen) or last
    recent = now - born <= revisit.recent
    interval = revisit.recent_every if recent else revisit.older_every
    return now - last >= interval - _spread(url, interval)
