"""Downloader middlewares: exponential backoff before each retry of a 5xx or timeout, never past the
run's ``max_duration`` (``CLOSESPIDER_TIMEOUT``): a closing crawl waits for requests in flight; the
response headers as received, before content decoding (evidence)."""

from __future__ import annotations

import time
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

from crawler.crawl.fetchresult import header_list


class BackoffMiddleware:
    """Wait ``RETRY_BACKOFF_BASE * 2**(n-1)`` seconds (capped) before the n-th retry of a request.

    Scrapy's RetryMiddleware re-queues failed requests at once; a struggling government server
    deserves a pause instead.
    """

    def __init__(self, base: float, cap: float, duration: float = 0.0) -> None:
        self.base = base
        self.cap = cap
        self.deadline = time.monotonic() + duration if duration > 0 else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        s = crawler.settings
        return cls(
            s.getfloat("RETRY_BACKOFF_BASE", 1.0),
            s.getfloat("RETRY_BACKOFF_MAX", 30.0),
            s.getfloat("CLOSESPIDER_TIMEOUT", 0.0),
        )

    async def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        tries = int(request.meta.get("retry_times", 0))
        if tries > 0 and self.base > 0:
            delay = min(self.cap, self.base * 2 ** (tries - 1))
            if self.deadline is not None:
                delay = min(delay, max(0.0, self.deadline - time.monotonic()))
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))  # type: ignore[arg-type]
        return None


class WireHeadersMiddleware:
    """Keep the response headers as they came over the wire (``request.meta["gw_wire_headers"]``).

    Placed nearer the downloader than Scrapy's HttpCompressionMiddleware (590), which decodes a
    compressed body and drops its ``Content-Encoding``: the evidence keeps the headers as received
    beside the body as decoded (docs/ARCHITECTURE.md, "Evidence")."""

    ORDER = 595

    def process_response(self, request: Request, response: Any, spider: Spider | None = None) -> Any:
        request.meta["gw_wire_headers"] = header_list(response.headers)
        return response
