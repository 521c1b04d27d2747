"""The item pipeline: each fetch goes through normalize → integrity → store, in that order."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from crawler.config import IntegrityConfig
from crawler.integrity import check
from crawler.model import Fetch, Flag, Release
from crawler.normalize import normalize
from crawler.store import RunLedger

log = logging.getLogger("govwatch.crawl")


def judge(
    fetch: Fetch,
    site_hosts: frozenset[str],
    previous: Release | None = None,
    integrity: IntegrityConfig | None = None,
) -> tuple[Release | None, list[Flag]]:
    """Normalize and check a fetched page; a page that is not a release turns the fetch into
    ``gone`` (reason ``gone``) or a failed fetch (every other reason)."""
    if fetch.outcome != "ok" or fetch.body is None:
        return None, []
    release = normalize(fetch.body, fetch.url, fetch.headers)
    if not release.is_release:
        reason = release.not_release_reason or "unknown"
        fetch.not_release_reason = reason
        if reason == "gone":
            fetch.outcome = "gone"
        else:
            fetch.outcome = "error"
            fetch.error_kind = "not_release"
        return None, []
    return release, integrity_flags(fetch.body, release, site_hosts, integrity, previous)


def integrity_flags(
    body: bytes,
    release: Release,
    site_hosts: frozenset[str],
    integrity: IntegrityConfig | None = None,
    previous: Release | None = None,
) -> list[Flag]:
    """The integrity rules over a page of the site, as the site's ``integrity:`` options say."""
    options = integrity or IntegrityConfig()
    return check(
        body,
        release,
        previous=previous,
        site_hosts=site_hosts,
        allow_hosts=options.allow_hosts,
        ignore=options.ignore,
    )


class StorePipeline:
    """Judges each fetched page and records it through the spider's run ledger."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def process_item(self, item: dict[str, Any], spider: Any = None) -> dict[str, Any]:
        spider = self.crawler.spider
        ledger: RunLedger = spider.ledger
        fetch: Fetch = item["fetch"]
        try:
            previous = ledger.previous_release(fetch.url) if fetch.outcome == "ok" else None
            release, flags = judge(fetch, spider.hosts, previous, spider.site.integrity)
        except Exception as exc:  # a bug on one page must not lose the run nor read as news
            log.exception("could not judge %s", fetch.url)
            fetch.outcome, fetch.error_kind = "error", f"internal:{type(exc).__name__}"
            release, flags = None, []
        try:
            events = ledger.record(fetch, release, flags)
        except Exception as exc:  # the transaction rolled back: nothing half-written, the fetch failed
            log.exception("could not record %s", fetch.url)
            fetch.outcome, fetch.error_kind, fetch.body = "error", f"internal:{type(exc).__name__}", None
            events = ledger.record(fetch)
        fetch.body = None  # let the page go: memory stays flat however large the site
        return {"url": fetch.url, "outcome": fetch.outcome, "events": len(events)}
