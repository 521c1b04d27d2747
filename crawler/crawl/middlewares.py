"""Downloader middlewares and an extension for a spider crawling a batch of sites:

- ``BackoffMiddleware``: exponential backoff before each retry of a 5xx or timeout, never past the
  site's own deadline (its ``max_duration``): a site's run waits for its requests in flight;
- ``SiteGate``: a request of a site whose run has ended is dropped, and every download is counted
  for its site (requests, bytes: the run's own figures);
- ``SiteDownloadHandler``: Scrapy's HTTP/1.1 handler, told about the site when a download actually
  begins (after its turn in the host's slot): a stopped site's request is dropped there too, and a
  download's timeout ends soon after its site's run does (``SiteCrawl.download_timeout``) — the
  answers would be ignored, and the process (with its batch-mates' locks) would wait for them;
- ``SlotThrottle``: Scrapy's AutoThrottle, except that a host's delay never falls below the
  ``download_delay`` its sites ask for (the batch's hosts have different ones);
- ``WireHeadersMiddleware``: the response headers as received, before content decoding (evidence).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

from crawler.crawl.fetchresult import header_list

if TYPE_CHECKING:
    from scrapy.core.downloader import Slot


def _site(crawler: Crawler, request: Request) -> Any:
    """The request's :class:`~crawler.crawl.sitecrawl.SiteCrawl` (None outside a govwatch spider)."""
    find = getattr(crawler.spider, "site_of", None)
    return find(request) if find is not None else None


def _ended(crawler: Crawler, request: Request) -> str | None:
    """The name of the site whose run has ended, when the request is one of its (a retry Scrapy made
    after the run stopped, a request waiting in its host's slot); else None."""
    name = request.meta.get("gw_site")
    if name is None or getattr(crawler.spider, "site_of", None) is None:
        return None
    site = _site(crawler, request)
    return name if site is None or site.stopped else None


class BackoffMiddleware:
    """Wait ``RETRY_BACKOFF_BASE * 2**(n-1)`` seconds (capped) before the n-th retry of a request.

    Scrapy's RetryMiddleware re-queues failed requests at once; a struggling government server
    deserves a pause instead.
    """

    def __init__(self, crawler: Crawler, base: float, cap: float) -> None:
        self.crawler = crawler
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        s = crawler.settings
        return cls(crawler, s.getfloat("RETRY_BACKOFF_BASE", 1.0), s.getfloat("RETRY_BACKOFF_MAX", 30.0))

    async def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        tries = int(request.meta.get("retry_times", 0))
        if tries > 0 and self.base > 0:
            delay = min(self.cap, self.base * 2 ** (tries - 1))
            site = _site(self.crawler, request)
            deadline = getattr(site, "deadline", None)
            if deadline is not None:
                delay = min(delay, max(0.0, deadline - time.monotonic()))
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))  # type: ignore[arg-type]
        return None


class SiteGate:
    """Drops the requests of sites whose run has ended; counts each site's downloads and bytes."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteGate:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        ended = _ended(self.crawler, request)
        if ended is not None:
            raise IgnoreRequest(f"the run of {ended} has ended")
        site = _site(self.crawler, request)
        if site is not None:
            site.downloads += 1

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        site = _site(self.crawler, request)
        if site is not None:
            site.received += len(response.body) + sum(
                len(k) + sum(len(v) for v in values) for k, values in response.headers.items()
            )
        return response


class SiteDownloadHandler(HTTP11DownloadHandler):
    """HTTP and HTTPS downloads that end with their site's run (see the module's docstring)."""

    async def download_request(self, request: Request) -> Response:
        ended = _ended(self._crawler, request)
        if ended is not None:
            raise IgnoreRequest(f"the run of {ended} has ended")
        site = _site(self._crawler, request)
        if site is not None:
            request.meta["download_timeout"] = site.download_timeout()
        return await super().download_request(request)


class SlotThrottle(AutoThrottle):
    """AutoThrottle with a floor per host: ``GOVWATCH_SLOT_FLOORS`` (host → seconds)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.floors: dict[str, float] = dict(crawler.settings.getdict("GOVWATCH_SLOT_FLOORS"))

    def _response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        super()._response_downloaded(response, request, spider)
        key, slot = self._get_slot(request, spider)
        if key is not None and slot is not None:
            self._floor(key, slot)

    def _floor(self, key: str, slot: Slot) -> None:
        floor = self.floors.get(key, 0.0)
        if slot.delay < floor:
            slot.delay = floor


class WireHeadersMiddleware:
    """Keep the response headers as they came over the wire (``request.meta["gw_wire_headers"]``).

    Placed nearer the downloader than Scrapy's HttpCompressionMiddleware (590), which decodes a
    compressed body and drops its ``Content-Encoding``: the evidence keeps the headers as received
    beside the body as decoded (docs/ARCHITECTURE.md, "Evidence")."""

    ORDER = 595

    def process_response(self, request: Request, response: Any, spider: Spider | None = None) -> Any:
        request.meta["gw_wire_headers"] = header_list(response.headers)
        return response
