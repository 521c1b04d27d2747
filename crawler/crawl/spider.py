"""The one spider: a batch of sites crawled at once, each site's run its own.

The spider begins the batch's sites one after another as Scrapy asks for start requests — Scrapy
reads ``start()`` only while it has download capacity to spare, so sites begin as others free it —
and routes every answer to the :class:`~crawler.crawl.sitecrawl.SiteCrawl` that asked (the
``gw_site`` of a request's meta; robots.txt by its host). Politeness is per host (Scrapy's download
slots); everything else is per site: its run row, ledger, request budget, its deadline from when it
began (``max_duration``: the run stops, interrupted; the daemon's ``run_timeout``: the run fails).
A site whose run ended is handed to the batch (``crawler.crawl.runner``) and forgotten here; the
others go on.

A clock (every ``TICK`` seconds) checks the deadlines, commits the store's group commit when its
writes are due, and calls the batch's ``tick`` (the heartbeat a supervisor watches).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, Protocol
from urllib.parse import urlsplit

import scrapy
from scrapy import Request, signals
from scrapy.http import Headers
from twisted.internet.task import LoopingCall

from crawler.crawl.sitecrawl import SiteCrawl

log = logging.getLogger("govwatch.crawl")

#: seconds between deadline checks
TICK = 1.0


class Batch(Protocol):
    """What the spider needs of the runner: sites to begin, and where ended runs go."""

    def begin_sites(self) -> Iterable[SiteCrawl | None]:
        """Begin each site in turn (its run row, ledger, deadline); None for one that cannot."""
        ...

    def ended(self, crawl: SiteCrawl) -> None:
        """A site's run ended (``crawl.reason`` says how)."""
        ...

    def tick(self) -> None:
        """Called every ``TICK`` seconds while the reactor runs."""
        ...

    def flush_due(self) -> None:
        """Commit the queued writes when they are due (the group commit's interval)."""
        ...


class GovSpider(scrapy.Spider):
    name = "govwatch"

    def __init__(self, *, batch: Batch, flush_every: float = 0.05, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.batch = batch
        self.flush_every = flush_every
        #: the sites whose runs are going on, by name
        self.sites: dict[str, SiteCrawl] = {}
        #: host (and host:port) → the sites crawling it (robots.txt requests carry no site)
        self.by_host: dict[str, list[SiteCrawl]] = {}
        self._clocks: list[LoopingCall] = []

    # ------------------------------------------------------------------ routing
    def site_of(self, request: Request) -> SiteCrawl | None:
        name = request.meta.get("gw_site")
        if name is not None:
            return self.sites.get(name)
        host = urlsplit(request.url).netloc.lower()
        live = [s for s in self.by_host.get(host, ()) if not s.stopped]
        return live[0] if live else None

    # ------------------------------------------------------------------ start
    def _headers_received(
        self, headers: Headers, body_length: object, request: Request, spider: Any = None
    ) -> None:
        """An attachment's headers: its site may stop it here (too large, over the run's budget)."""
        if request.meta.get("gw_kind") != "attachment":
            return
        crawl = self.site_of(request)
        if crawl is not None:
            crawl.attachments.on_headers(request, headers, body_length)

    async def start(self) -> AsyncIterator[Any]:
        self.crawler.signals.connect(self._headers_received, signal=signals.headers_received)
        self._start_clocks()
        for crawl in self.batch.begin_sites():
            if crawl is None:
                continue
            crawl.on_done = self._ended
            self.sites[crawl.name] = crawl
            for host in self._hosts(crawl):
                self.by_host.setdefault(host, []).append(crawl)
            try:
                for request in crawl.start_requests():
                    yield request
            finally:
                crawl.check_done()  # a site with nothing to request ends at once

    @staticmethod
    def _hosts(crawl: SiteCrawl) -> set[str]:
        out = set()
        for url in (crawl.site.base_url, *(c.url for c in crawl.site.columns)):
            out.add(urlsplit(url).netloc.lower())
        return out

    def _start_clocks(self) -> None:
        for call, every in ((self._tick, TICK), (self.batch.flush_due, self.flush_every)):
            clock = LoopingCall(_guarded(call))
            clock.start(every, now=False)
            self._clocks.append(clock)

    def _tick(self) -> None:
        now = time.monotonic()
        for crawl in list(self.sites.values()):
            if crawl.stopped:
                continue
            if crawl.fail_at is not None and now >= crawl.fail_at:
                crawl.stop("run_timeout")
            elif crawl.deadline is not None and now >= crawl.deadline:
                crawl.stop("closespider_timeout")
        self.batch.tick()

    # ------------------------------------------------------------------ end
    def _ended(self, crawl: SiteCrawl) -> None:
        self.sites.pop(crawl.name, None)
        for host in self._hosts(crawl):
            left = [s for s in self.by_host.get(host, ()) if s is not crawl]
            if left:
                self.by_host[host] = left
            else:
                self.by_host.pop(host, None)
        self.batch.ended(crawl)

    def stop_site(self, name: str, reason: str) -> None:
        """End one site's run now (a storage fault, …); the others go on."""
        crawl = self.sites.get(name)
        if crawl is not None:
            crawl.stop(reason)

    def closed(self, reason: str) -> None:
        for clock in self._clocks:
            if clock.running:
                clock.stop()
        for crawl in list(self.sites.values()):
            crawl.stop(reason)


def _guarded(call: Callable[[], None]) -> Callable[[], None]:
    """A clock's call that logs its exception instead of stopping the clock."""

    def run() -> None:
        try:
            call()
        except Exception:
            log.exception("the crawl's clock failed")

    return run
