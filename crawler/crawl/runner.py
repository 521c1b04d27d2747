"""Run one crawl of each chosen site in this process (one Scrapy reactor), one run row per site."""

from __future__ import annotations

import contextlib
import functools
import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess

from crawler import clock
from crawler.config import Config, SiteConfig
from crawler.crawl.deadline import Watchdog
from crawler.crawl.lock import SiteLock, SiteLocked
from crawler.crawl.pipelines import integrity_flags
from crawler.crawl.settings import site_settings
from crawler.crawl.spider import GovSpider
from crawler.model import Event, Flag, Release
from crawler.normalize import NORMALIZER_VERSION, normalize
from crawler.store import RunLedger, Store, storage_fault

log = logging.getLogger("govwatch.crawl")


@dataclass
class RunResult:
    run_id: int
    site: str
    status: str
    started_at: str
    finished_at: str | None = None
    requests: int = 0
    bytes: int = 0
    failed: int = 0
    events: list[Event] = field(default_factory=list)
    message: str | None = None
    storage_fault: str | None = None  # the disk or the file failed: the run stopped there
    reason: str = ""  # why the run is not ok, in a few words (the summary's reason column)

    def counts(self) -> Counter[str]:
        return Counter(e.type for e in self.events)

    def to_report(self) -> dict[str, Any]:
        return {
            "id": self.run_id,
            "site": self.site,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "status": self.status,
            "requests": self.requests,
            "bytes": self.bytes,
            "reason": self.reason or None,
        }


def after_run(
    store: Store, config: Config, site: SiteConfig, run_id: int, deadline: float | None = None
) -> None:
    """Site-health checks that follow a crawl (staleness, links, completeness); they may add events
    to the run, and end by ``deadline`` (``time.monotonic()``: the run's ``max_duration``). A fault in
    them never loses the crawl's own results."""
    try:
        from crawler.health import after_run as health_after_run
    except ImportError:
        return
    try:
        health_after_run(store, config, site, run_id, deadline=deadline)
    except Exception:
        log.exception("site-health checks failed for %s (run %s)", site.name, run_id)


def _fail_orphans(store: Store, site: str) -> None:
    """With the site's lock held, no run of it can be going on: a ``running`` row is a crawl that was
    killed. Finish it ``failed`` so health figures and the next run's judgement see it for what it was."""
    for run_id in store.unfinished_runs(site):
        store.finish_run(
            run_id, "failed", {"notes": {"error": "interrupted: the crawl ended without finishing"}}
        )


def upgrade_site(store: Store, site: SiteConfig) -> None:
    """Before crawling a site whose stored versions an older normalizer wrote, re-derive them with
    the current normalizer and integrity rules (and re-key releases that now show their 索引号), so
    that the crawl compares like with like and the upgrade itself raises no event."""
    if not store.outdated(site.name, NORMALIZER_VERSION):
        return

    def rederive(raw: bytes, url: str) -> tuple[Release | None, list[Flag]]:
        release = normalize(raw, url)
        if not release.is_release:
            return release, []
        return release, integrity_flags(raw, release, site.hosts, site.integrity)

    stats = store.upgrade(site.name, NORMALIZER_VERSION, rederive)
    log.warning(
        "%s: stored releases re-derived with normalizer v%s: %s", site.name, NORMALIZER_VERSION, stats
    )


def run_status(spider: GovSpider) -> str:
    """``failed`` when no list page could be read or a write failed for the disk or the file (the
    ledger's ``fault``), ``partial`` when some fetches failed or a bound cut the run short, else
    ``ok``."""
    if spider.ledger.fault or not any(p.ok for p in spider.columns.values()):
        return "failed"
    if spider.ledger.failed or spider.bounded or any(p.error for p in spider.columns.values()):
        return "partial"
    return "ok"


class _Progress:
    """A live line per site on a terminal; periodic plain log lines otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True
            )
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)

    def attach(self, crawler: Crawler, ledger: RunLedger) -> None:
        site = ledger.site
        if self.bar is not None:
            self.tasks[site] = self.bar.add_task(f"{site}: starting", total=None)
        counter = {"responses": 0}

        def on_response(**_kw: Any) -> None:
            counter["responses"] += 1
            n = counter["responses"]
            text = f"{site}: {n} pages, {len(ledger.events)} events, {ledger.failed} failed"
            if self.bar is not None:
                self.bar.update(self.tasks[site], description=text)
            elif n % 100 == 0:
                log.warning("%s", text)

        crawler.signals.connect(on_response, signal=signals.response_received, weak=False)


def run_reason(spider: GovSpider, result: RunResult) -> str:
    """Why a run is failed or partial, in a few words: the list pages' failures first, then how many
    release pages failed and why (``2 pages failed: HTTP 500 ×2``), then a bound that stopped it."""
    parts: list[str] = []
    lists = sorted({p.reason for p in spider.columns.values() if p.error and p.reason})
    if lists:
        parts.append("list page: " + "; ".join(lists))
    pages = max(0, result.failed - spider.list_failures)  # release pages (a list page counts above)
    if pages:
        why = ", ".join(f"{r} ×{n}" if n > 1 else r for r, n in spider.failures.most_common(3))
        noun = "page" if pages == 1 else "pages"
        parts.append(f"{pages} {noun} failed" + (f": {why}" if why else ""))
    if spider.bounded and not lists:
        parts.append("stopped by max_requests, max_list_pages or max_duration")
    return "; ".join(parts)


#: Scrapy's own lines for failures govwatch reports in one line of its own (the robots.txt
#: middleware logs a whole traceback for a site it cannot reach; the retry middleware "Gave up …")
QUIET_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry")


def crawl(
    config: Config, sites: list[SiteConfig], store: Store, database: Path, *, progress: bool = True
) -> list[RunResult]:
    """Crawl ``sites`` once each; returns one :class:`RunResult` per site (skipped ones included)."""
    results: list[RunResult] = []
    planned: list[tuple[SiteConfig, Crawler, RunResult, SiteLock]] = []
    process = CrawlerProcess(settings={"LOG_LEVEL": "WARNING", "LOG_INSTALL_ROOT_HANDLER": True})
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    with contextlib.ExitStack() as stack, _Progress(progress) as bar:
        for site in sites:
            lock = SiteLock(database, site.name)
            try:
                stack.enter_context(lock)
            except SiteLocked as exc:
                run_id = store.start_run(site.name)
                store.finish_run(run_id, "skipped", {"message": str(exc)})
                results.append(
                    RunResult(
                        run_id,
                        site.name,
                        "skipped",
                        clock.now_iso(),
                        clock.now_iso(),
                        message=str(exc),
                        reason="another crawl of this site is running",
                    )
                )
                continue
            _fail_orphans(store, site.name)
            upgrade_site(store, site)
            run_id = store.start_run(site.name)
            result = RunResult(run_id, site.name, "running", clock.now_iso())
            spidercls = type(
                f"GovSpider_{len(planned)}", (GovSpider,), {"custom_settings": site_settings(site, config)}
            )
            crawler = process.create_crawler(spidercls)
            ledger = store.ledger(site.name, run_id, fail_after=site.fail_after)
            ledger.on_fault = functools.partial(_stop, crawler, "storage_fault")
            bar.attach(crawler, ledger)
            process.crawl(crawler, site=site, ledger=ledger)
            planned.append((site, crawler, result, lock))
        started = time.monotonic()
        if planned:
            latest = started + max(s.max_duration.total_seconds() for s, *_ in planned)
            watchdog = stack.enter_context(Watchdog(database, latest))
            for site, _crawler, result, _lock in planned:
                watchdog.watch(result.run_id, site.name)
            process.start()
        for site, crawler, result, _lock in planned:
            _finish(store, config, site, crawler, result, started + site.max_duration.total_seconds())
            results.append(result)
    return results


def _stop(crawler: Crawler, reason: str) -> None:
    """Close one crawler's spider (from inside its callbacks or pipeline)."""
    engine = crawler.engine
    if engine is None:
        return
    closer = getattr(engine, "close_spider_async", None)
    if closer is not None:  # Scrapy >= 2.14
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(closer(reason=reason)).addErrback(lambda _f: None)
    elif crawler.spider is not None:
        engine.close_spider(crawler.spider, reason).addErrback(lambda _f: None)


def _finish(
    store: Store, config: Config, site: SiteConfig, crawler: Crawler, result: RunResult, deadline: float
) -> None:
    """Close the run row of one site's crawl: status, counts, site-health checks."""
    spider: GovSpider | None = getattr(crawler, "spider", None)
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if spider is None:  # the spider could not even start (logged by Scrapy): a failed run, nothing lost
        result.status = "failed"
        result.message = result.reason = "the crawl could not start; see the log above"
        store.finish_run(result.run_id, "failed", {"message": result.message})
    else:
        result.status = run_status(spider)
        result.requests = int(stats.get("downloader/request_count", 0))
        result.bytes = int(stats.get("downloader/response_bytes", 0))
        result.failed = spider.ledger.failed
        fault = spider.ledger.fault
        if fault:
            dropped = spider.ledger.dropped
            result.storage_fault = fault
            result.message = f"{fault}: the run stopped there ({dropped} fetch(es) not stored; the next run fetches them again)"
        result.reason = fault or (run_reason(spider, result) if result.status != "ok" else "")
        if result.status != "failed":
            after_run(store, config, site, result.run_id, deadline)
        notes = {"error": result.message} if fault else {}
        if not fault and stats.get("finish_reason") == "shutdown":  # SIGTERM / SIGINT: ended early
            notes = {"error": "interrupted by a shutdown signal; what was fetched until then is recorded"}
        try:
            store.finish_run(
                result.run_id,
                result.status,
                {
                    "requests": result.requests,
                    "bytes": result.bytes,
                    "failed": result.failed,
                    "counts": dict(Counter(e.type for e in spider.ledger.events)),
                    "bounded": spider.bounded,
                    "finish_reason": stats.get("finish_reason"),
                    "notes": notes,
                },
            )
        except Exception as exc:  # the disk is still full: the next run finishes this one as failed
            problem = storage_fault(exc, store.path)
            if problem is None:
                raise
            result.status, result.storage_fault = "failed", result.storage_fault or problem
            result.message = result.message or f"{problem}: the run could not be recorded"
            result.reason = result.reason or problem
    result.finished_at = clock.now_iso()
    try:
        result.events = store.run_events(result.run_id)
    except Exception as exc:
        if storage_fault(exc, store.path) is None:
            raise
        result.events = []
