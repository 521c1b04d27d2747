"""Site health: what national inspections count, measured for every watched site.

``after_run(store, config, site, run_id)`` follows each crawl that read something (the crawl runner
calls it before the run is finished):

1. column staleness → ``column_health`` rows and ``stale_column`` events (once per episode);
2. the links and attachments of the releases' current versions → ``release_links``;
3. a polite sample of them checked (``link_check:``) → ``link_checks``;
4. the run's scorecard → ``site_health``.

``govwatch health`` (``crawler.health.cli``) prints the scorecard; ``crawler.health.queries`` holds
the SQL of the Datasette canned queries.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from crawler import clock
from crawler.config import Config, SiteConfig
from crawler.health.checker import LinkChecker
from crawler.health.links import due_links, record_check, sync_links
from crawler.health.schema import ensure_schema
from crawler.health.scorecard import record_site_health
from crawler.health.staleness import column_state, record_staleness
from crawler.model import Event

__all__ = ["after_run", "check_links", "check_staleness", "china_now"]

log = logging.getLogger("govwatch.health")


def china_now() -> datetime:
    """``clock.now()`` in China time, so stored ISO strings compare as text."""
    return clock.now().astimezone(clock.CHINA)


def _ts(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def check_staleness(store: Any, site: SiteConfig, run_id: int | None, now: datetime) -> list[Event]:
    events: list[Event] = []
    with store._write() as db:
        for column in site.columns:
            event = record_staleness(
                db, site.name, column_state(db, site.name, column, now), run_id, _ts(now)
            )
            if event is not None:
                events.append(event)
    return events


def check_links(store: Any, config: Config, site: SiteConfig, run_id: int | None, now: datetime) -> int:
    """Sync the link inventory, then check what is due (at most ``per_run``); returns checks made."""
    with store._write() as db:
        sync_links(db, site.name, site.hosts, _ts(now))
    lc = config.link_check
    if not lc.enabled:
        return 0
    due = due_links(store.db, site.name, now, lc.recheck_after, lc.per_run)
    if not due:
        return 0
    from crawler.crawl.settings import user_agent

    agent = user_agent(config.user_agent_contact)
    with LinkChecker(agent, lc.timeout.total_seconds(), site.politeness.download_delay) as checker:
        for link in due:
            result = checker.check(link.url)
            with store._write() as db:
                record_check(db, site.name, run_id, link, result, _ts(china_now()))
    return len(due)


def after_run(store: Any, config: Config, site: SiteConfig, run_id: int) -> list[Event]:
    """The site-health checks of one run; returns the events they raised (already stored)."""
    ensure_schema(store)
    now = china_now()
    events = check_staleness(store, site, run_id, now)
    try:
        check_links(store, config, site, run_id, now)
    finally:
        with store._write() as db:
            stale = sum(
                1
                for e in db.query("SELECT stale FROM column_health WHERE run_id = ?", [run_id])
                if e["stale"]
            )
            record_site_health(db, site, run_id, _ts(now), stale)
    return events
