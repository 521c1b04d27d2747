"""Scrapy settings for one site's crawl, from its config (politeness, bounds, retries)."""

from __future__ import annotations

from typing import Any

from crawler.config import Config, SiteConfig, user_agent

__all__ = ["download_timeout", "site_settings", "user_agent"]

#: a page larger than this is not a release page (and not worth holding in memory)
MAX_PAGE_BYTES = 20 * 1024 * 1024
RETRY_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_TIMES = 2
#: only http and https are ever downloaded (the URL policy refuses the rest before a request exists)
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "data": None, "s3": None}
#: the longest one request may take, headers and body (the site's ``max_duration`` may lower it, see
#: download_timeout); a crawl closing at ``max_duration`` waits this long at most for requests in
#: flight, well inside the grace of ``crawler.crawl.deadline``
MAX_DOWNLOAD_TIMEOUT = 20


def download_timeout(site: SiteConfig) -> int:
    """Seconds one download may take: 20, but never so long that one URL's tries (a timeout, then
    its retries) could outlast half the run's ``max_duration``. A run stops at ``max_duration``
    only once its downloads in flight end, so this also bounds how far a run can overrun."""
    budget = site.max_duration.total_seconds() / (2 * (RETRY_TIMES + 1))
    return max(1, min(MAX_DOWNLOAD_TIMEOUT, int(budget)))


def site_settings(site: SiteConfig, config: Config) -> dict[str, Any]:
    p = site.politeness
    return {
        "BOT_NAME": "govwatch",
        "USER_AGENT": config.user_agent,
        "ROBOTSTXT_OBEY": p.obey_robots,
        "AUTOTHROTTLE_ENABLED": p.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(p.download_delay, 1.0),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(p.concurrency_per_host),
        "DOWNLOAD_DELAY": p.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if p.download_delay > 0 else 0,
        "CONCURRENT_REQUESTS": max(16, p.concurrency_per_host * 2),
        "CONCURRENT_REQUESTS_PER_DOMAIN": p.concurrency_per_host,
        # a callback yields a handful of items: Scrapy starts this many item workers per callback
        "CONCURRENT_ITEMS": 8,
        # its check re-parses the callback source for every response (bound methods miss its cache)
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        "DOWNLOAD_TIMEOUT": download_timeout(site),
        "DOWNLOAD_MAXSIZE": MAX_PAGE_BYTES,
        "DOWNLOAD_HANDLERS": dict(DOWNLOAD_HANDLERS),
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": RETRY_TIMES,
        "RETRY_HTTP_CODES": RETRY_CODES,
        "RETRY_BACKOFF_BASE": 1.0 if p.download_delay > 0 else 0.2,
        "RETRY_BACKOFF_MAX": 30.0,
        "REDIRECT_ENABLED": False,  # redirects are judged by the spider (off-site, home page = gone)
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "CLOSESPIDER_TIMEOUT": int(site.max_duration.total_seconds()),
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.crawl.middlewares.BackoffMiddleware": 560,
            "crawler.crawl.middlewares.WireHeadersMiddleware": 595,  # before content decoding (590)
        },
        "ITEM_PIPELINES": {"crawler.crawl.pipelines.StorePipeline": 300},
        "DNS_TIMEOUT": 15,
        "HTTPCACHE_ENABLED": False,
    }
