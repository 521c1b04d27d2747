"""Scrapy settings for one spider crawling a batch of sites, from their config (politeness per host,
bounds, retries)."""

from __future__ import annotations

from typing import Any

from scrapy.settings import default_settings

from crawler.config import Config, Politeness, SiteConfig, user_agent

__all__ = ["batch_settings", "download_timeout", "host_slots", "user_agent"]

#: a page larger than this is not a release page (and not worth holding in memory)
MAX_PAGE_BYTES = 20 * 1024 * 1024
RETRY_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_TIMES = 2
#: only http and https are ever downloaded (the URL policy refuses the rest before a request exists)
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "data": None, "s3": None}
#: a batch's HTTP(S) downloads end with their site's run
SITE_HANDLER = "crawler.crawl.middlewares.SiteDownloadHandler"
#: the longest one request may take, headers and body (the site's ``max_duration`` may lower it, see
#: download_timeout); a crawl closing at ``max_duration`` waits this long at most for requests in
#: flight, well inside the grace of ``crawler.crawl.deadline``
MAX_DOWNLOAD_TIMEOUT = 20


#: Scrapy components a crawl never uses whose modules are costly to import: cookies are off
#: (``COOKIES_ENABLED``), and the remote control is never configured
UNUSED_COMPONENTS = frozenset(
    {
        "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
        "scrapy.extensions.remote_control.RemoteControl",
    }
)


def _without(components: dict[str, Any], unused: frozenset[str]) -> dict[str, Any]:
    return {name: order for name, order in components.items() if name not in unused}


def download_timeout(site: SiteConfig) -> int:
    """Seconds one download may take: 20, but never so long that one URL's tries (a timeout, then
    its retries) could outlast half the run's ``max_duration``. A run stops at ``max_duration``
    only once its downloads in flight end, so this also bounds how far a run can overrun."""
    budget = site.max_duration.total_seconds() / (2 * (RETRY_TIMES + 1))
    return max(1, min(MAX_DOWNLOAD_TIMEOUT, int(budget)))


def _slot(site: SiteConfig) -> dict[str, Any]:
    """A host's download slot as one site's politeness asks: its delay (at least one second to begin
    with under autothrottle, which then adapts it but never below ``download_delay``), its
    concurrency, and a random spread of the delay."""
    p = site.politeness
    delay = max(p.download_delay, 1.0) if p.autothrottle else p.download_delay
    return {"delay": delay, "concurrency": p.concurrency_per_host, "jitter": 0.5 if delay > 0 else 0}


def host_slots(sites: list[SiteConfig]) -> tuple[dict[str, dict[str, Any]], dict[str, float]]:
    """Scrapy's ``DOWNLOAD_SLOTS`` (one per host name, as Scrapy keys its slots) for every host of
    ``sites``, and each host's least delay. Sites sharing a host share its slot, and so the
    politeness of the most polite of them: the longest delay, the lowest concurrency."""
    slots: dict[str, dict[str, Any]] = {}
    floors: dict[str, float] = {}
    for site in sites:
        mine = _slot(site)
        for host in site.hosts:
            slot = slots.get(host)
            if slot is None:
                slots[host] = dict(mine)
            else:
                slot["delay"] = max(slot["delay"], mine["delay"])
                slot["concurrency"] = min(slot["concurrency"], mine["concurrency"])
                slot["jitter"] = max(slot["jitter"], mine["jitter"])
            floors[host] = max(floors.get(host, 0.0), site.politeness.download_delay)
    return slots, floors


def batch_settings(sites: list[SiteConfig], config: Config) -> dict[str, Any]:
    """Scrapy settings for one spider crawling ``sites`` at once. Politeness is per host (its download
    slot); what differs between sites and Scrapy sets globally is carried by each request instead
    (``download_timeout``, ``dont_obey_robotstxt``, ``autothrottle_dont_adjust_delay``), and each
    site's ``max_duration`` is its own deadline (``crawler.crawl.spider``)."""
    politeness = [s.politeness for s in sites] or [Politeness()]
    slots, floors = host_slots(sites)
    autothrottle = any(p.autothrottle for p in politeness)
    crawl = config.crawl
    return {
        "BOT_NAME": "govwatch",
        "USER_AGENT": config.user_agent,
        "ROBOTSTXT_OBEY": any(p.obey_robots for p in politeness),
        "AUTOTHROTTLE_ENABLED": autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(1.0, max(p.download_delay for p in politeness)),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(min(p.concurrency_per_host for p in politeness)),
        "GOVWATCH_SLOT_FLOORS": floors,
        # a host no site names (none is requested: the URL policy keeps to the sites' hosts) gets the
        # most polite of the batch's settings
        "DOWNLOAD_DELAY": max(p.download_delay for p in politeness),
        "DOWNLOAD_DELAY_JITTER": 0.5,
        "DOWNLOAD_SLOTS": slots,
        "CONCURRENT_REQUESTS": crawl.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": min(p.concurrency_per_host for p in politeness),
        # breadth first across hosts: the next request comes from the least busy host
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        # a callback yields a handful of requests and no items: Scrapy starts this many item workers
        # (asyncio tasks) per callback, and one hands each request to the engine as well as eight
        "CONCURRENT_ITEMS": 1,
        # its check re-parses the callback source for every response (bound methods miss its cache)
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        # requests that carry no site (robots.txt) get the shortest of the sites' download timeouts:
        # a robots.txt that never ends must not hold a short run's list pages past its deadline
        "DOWNLOAD_TIMEOUT": min((download_timeout(s) for s in sites), default=MAX_DOWNLOAD_TIMEOUT),
        "DOWNLOAD_MAXSIZE": MAX_PAGE_BYTES,
        "DOWNLOAD_HANDLERS": {**DOWNLOAD_HANDLERS, "http": SITE_HANDLER, "https": SITE_HANDLER},
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": RETRY_TIMES,
        "RETRY_HTTP_CODES": RETRY_CODES,
        "RETRY_BACKOFF_BASE": 1.0 if any(p.download_delay > 0 for p in politeness) else 0.2,
        "RETRY_BACKOFF_MAX": 30.0,
        "REDIRECT_ENABLED": False,  # redirects are judged by the spider (off-site, home page = gone)
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        # the run records count requests and bytes themselves: Scrapy's counters (a dict update and
        # a signal for every request and response) are read by nothing
        "STATS_CLASS": "scrapy.statscollectors.DummyStatsCollector",
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.crawl.middlewares.BackoffMiddleware": 560,
            "crawler.crawl.middlewares.WireHeadersMiddleware": 595,  # before content decoding (590)
            "crawler.crawl.middlewares.SiteGate": 840,
        },
        # Scrapy imports every component its lists name, even one set to None, so the two it would
        # only import to find them unused are left out of its base lists: 0.3 s of each crawl
        # process's start-up (aiohttp for the remote control, tldextract and requests for cookies)
        "DOWNLOADER_MIDDLEWARES_BASE": _without(
            default_settings.DOWNLOADER_MIDDLEWARES_BASE, UNUSED_COMPONENTS
        ),
        "EXTENSIONS_BASE": _without(default_settings.EXTENSIONS_BASE, UNUSED_COMPONENTS),
        "EXTENSIONS": {
            "scrapy.extensions.throttle.AutoThrottle": None,
            "crawler.crawl.middlewares.SlotThrottle": 0,
        },
        "ITEM_PIPELINES": {},
        "DNS_TIMEOUT": 15,
        "HTTPCACHE_ENABLED": False,
        # memory stays flat over thousands of hosts: idle slots are dropped, no stats per host
        "REACTOR_THREADPOOL_MAXSIZE": 10,
    }
