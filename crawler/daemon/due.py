"""The ``--once`` rule: a site is due when one of its scheduled times fell after its last recorded
run (the latest ``started_at`` in ``runs``) and at or before now, or when it has never run."""

from __future__ import annotations

from datetime import datetime, timedelta

from crawler.config import Config, SiteConfig
from crawler.store import Store


def next_fire_after(site: SiteConfig, timezone: str, after: datetime) -> datetime | None:
    """The first scheduled time strictly after ``after``."""
    trigger = site.cron_trigger(timezone)
    return trigger.get_next_fire_time(None, after + timedelta(microseconds=1))


def due(site: SiteConfig, timezone: str, last: datetime | None, now: datetime) -> tuple[bool, str]:
    """``(is_due, why)`` for the log."""
    if last is None:
        return True, "never ran"
    fire = next_fire_after(site, timezone, last)
    if fire is not None and fire <= now:
        return True, f"scheduled {fire.isoformat()} after last run {last.isoformat()}"
    when = fire.isoformat() if fire else "never"
    return False, f"next scheduled {when}"


def due_sites(config: Config, store: Store, now: datetime) -> list[tuple[SiteConfig, bool, str]]:
    return [(s, *due(s, config.timezone, store.last_started(s.name), now)) for s in config.sites]
