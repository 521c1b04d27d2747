"""Site health: what national inspections count, measured for every watched site.

``after_run(store, config, site, run_id)`` follows each crawl that read something (the crawl runner
calls it before the run is finished):

1. column staleness → ``column_health`` rows and ``stale_column`` events (once per episode);
2. the links and attachments of the releases' current versions → ``release_links``;
3. a polite sample of them checked (``link_check:``) → ``link_checks``;
4. the run's scorecard → ``site_health``.

This package judges; what it judged is kept by the store (``store.health``, the tables of
``crawler.store.health``). ``govwatch health`` (``crawler.health.cli``) prints the scorecard.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from crawler import clock
from crawler.config import Config, SiteConfig
from crawler.health.links import sync_links
from crawler.health.scorecard import record_site_health
from crawler.health.staleness import column_state
from crawler.model import Event
from crawler.store import Store

__all__ = ["after_run", "check_links", "check_staleness", "china_now"]

log = logging.getLogger("govwatch.health")


def china_now() -> datetime:
    """``clock.now()`` in China time, so stored ISO strings compare as text."""
    return clock.now().astimezone(clock.CHINA)


def _ts(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def check_staleness(store: Store, site: SiteConfig, run_id: int | None, now: datetime) -> list[Event]:
    events: list[Event] = []
    with store.transaction():
        for column in site.columns:
            state = column_state(store, site.name, column, now)
            event = store.health.record_column_health(state.row(site.name, run_id), _ts(now))
            if event is not None:
                events.append(event)
    return events


def check_links(
    store: Store,
    config: Config,
    site: SiteConfig,
    run_id: int | None,
    now: datetime,
    deadline: float | None = None,
) -> int:
    """Sync the link inventory, then check what is due (at most ``per_run``, and only until
    ``deadline``, a ``time.monotonic()`` instant: the run's end); returns checks made. Links go
    through the URL policy: public addresses only unless the site's ``link_check.allow_private``."""
    sync_links(store, site.name, site.hosts, _ts(now))
    lc = config.link_check
    if not lc.enabled:
        return 0
    due = store.health.due_links(site.name, now, lc.recheck_after, lc.per_run)
    if not due:
        return 0
    from crawler.health.checker import LinkChecker  # httpx: only a run with links due pays for it

    checks = 0
    with LinkChecker(
        config.user_agent,
        lc.timeout.total_seconds(),
        site.politeness.download_delay,
        allow_private=site.link_check.allow_private,
    ) as checker:
        for link in due:
            if deadline is not None and time.monotonic() >= deadline:
                log.warning(
                    "%s: link checks stopped at the run's max_duration; %d left for the next run",
                    site.name,
                    len(due) - checks,
                )
                break
            result = checker.check(link.url, deadline=deadline)
            checks += 1
            store.health.record_link_check(
                site.name,
                run_id,
                link,
                method=result.method,
                status=result.status,
                ok=result.ok,
                error=result.error,
                elapsed=result.elapsed,
                ts=_ts(china_now()),
            )
    return checks


def after_run(
    store: Store, config: Config, site: SiteConfig, run_id: int, deadline: float | None = None
) -> list[Event]:
    """The site-health checks of one run; returns the events they raised (already stored). Link checks
    end by ``deadline`` (a ``time.monotonic()`` instant: the run's ``max_duration``)."""
    now = china_now()
    events = check_staleness(store, site, run_id, now)
    try:
        check_links(store, config, site, run_id, now, deadline)
    finally:
        with store.transaction():
            record_site_health(store, site, run_id, _ts(now), store.health.stale_columns(run_id))
    return events
